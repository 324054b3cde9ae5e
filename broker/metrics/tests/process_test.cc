// Process metrics, read from /proc: plausible values that follow the process.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <thread>
#include <vector>

#include "exposition.h"
#include "metrics/registry.h"

namespace robust::metrics {
namespace {

test::exposition scrape(registry& r) {
    auto e = test::parse_exposition(r.scrape());
    for (const auto& err : e.errors) ADD_FAILURE() << err;
    return e;
}

double value_of(const test::exposition& e, std::string_view name) {
    auto v = e.value(name);
    EXPECT_TRUE(v.has_value()) << name << " missing";
    return v.value_or(-1);
}

// Uses at least `cpu` of CPU time (no sleeping: the clock is process CPU time).
void burn(std::chrono::milliseconds cpu) {
    const std::clock_t until = std::clock() + cpu.count() * CLOCKS_PER_SEC / 1000;
    volatile uint64_t x = 0;
    while (std::clock() < until) x = x + 1;
}

TEST(ProcessMetrics, ArePlausible) {
    burn(std::chrono::milliseconds(30));
    registry r;
    const auto e = scrape(r);
    EXPECT_GT(value_of(e, "robustmq_process_resident_memory_bytes"), 1 << 20);
    EXPECT_GE(value_of(e, "robustmq_process_virtual_memory_bytes"),
              value_of(e, "robustmq_process_resident_memory_bytes"));
    EXPECT_GE(value_of(e, "robustmq_process_open_fds"), 3);  // stdin, stdout, stderr
    rlimit rl{};
    ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &rl), 0);
    EXPECT_EQ(value_of(e, "robustmq_process_max_fds"), static_cast<double>(rl.rlim_cur));
    EXPECT_GE(value_of(e, "robustmq_process_threads"), 1);
    EXPECT_GE(value_of(e, "robustmq_process_cpu_seconds_total"), 0.02);
    // Started a little while ago (clock ticks are 10 ms; allow an hour for slow CI).
    const double now = static_cast<double>(std::time(nullptr));
    const double start = value_of(e, "robustmq_process_start_time_seconds");
    EXPECT_LE(start, now + 1);
    EXPECT_GT(start, now - 3600);
}

TEST(ProcessMetrics, FollowTheProcess) {
    registry r;
    auto before = scrape(r);

    std::vector<int> fds;
    for (int i = 0; i < 10; ++i) fds.push_back(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    for (int fd : fds) ASSERT_GE(fd, 0);
    std::atomic<bool> stop{false};
    std::vector<std::thread> threads;
    for (int i = 0; i < 3; ++i) {
        threads.emplace_back([&stop] {
            while (!stop) std::this_thread::yield();
        });
    }
    burn(std::chrono::milliseconds(30));
    auto during = scrape(r);
    stop = true;
    for (auto& t : threads) t.join();
    for (int fd : fds) ::close(fd);

    EXPECT_EQ(value_of(during, "robustmq_process_open_fds"),
              value_of(before, "robustmq_process_open_fds") + 10);
    EXPECT_EQ(value_of(during, "robustmq_process_threads"),
              value_of(before, "robustmq_process_threads") + 3);
    EXPECT_GT(value_of(during, "robustmq_process_cpu_seconds_total"),
              value_of(before, "robustmq_process_cpu_seconds_total"));

    const auto after = scrape(r);
    EXPECT_EQ(value_of(after, "robustmq_process_open_fds"),
              value_of(before, "robustmq_process_open_fds"));
    EXPECT_EQ(value_of(after, "robustmq_process_start_time_seconds"),
              value_of(before, "robustmq_process_start_time_seconds"));
}

}  // namespace
}  // namespace robust::metrics
