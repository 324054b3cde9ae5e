// router_bench: subscribe rate, match rate and memory of subscription_index at
// 1k and 1M subscriptions. A manual measurement, not a test:
//   router_bench [max_subscriptions]   (default 1000000)
//
// The subscription set is N exact filters "device/{i}/temp" (one subscriber
// each) plus about 1% wildcard filters: "device/{i}/+" for every 100th
// device, ten subscribers of "device/+/temp", one of "device/#", one of "#"
// and a ten-member shared group on "$share/g/device/+/status". Times are
// process CPU time.

#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "router/subscription_index.h"

namespace {

using robust::router::shared_group;
using robust::router::subscription_index;

// What the broker keeps per subscription: QoS and flags plus a subscription id.
struct sub_options {
    uint8_t qos;
    uint8_t flags;
    uint32_t subscription_id;
};

// CPU time of this (single-threaded) process rather than wall time: the
// numbers stay comparable on a shared, busy machine.
struct clock_type {
    using time_point = double;
    static double now() {
        timespec ts{};
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
        return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
    }
};

double seconds_since(double t0) {
    return clock_type::now() - t0;
}

long rss_kib() {
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("VmRSS:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
    }
    return -1;
}

void run(uint64_t n) {
    const long rss0 = rss_kib();
    subscription_index<sub_options> idx;
    // Filters are formatted into one reused buffer, so the RSS growth is the
    // index alone (the index keeps its own copy of each level).
    std::string filter;
    const auto t0 = clock_type::now();
    uint64_t subscriber = 0;
    for (uint64_t i = 0; i < n; ++i) {
        filter.assign("device/").append(std::to_string(i)).append("/temp");
        idx.add(filter, subscriber++, sub_options{1, 0, 0});
    }
    for (uint64_t i = 0; i < n; i += 100) {
        filter.assign("device/").append(std::to_string(i)).append("/+");
        idx.add(filter, subscriber++, sub_options{1, 0, 0});
    }
    for (int i = 0; i < 10; ++i) idx.add("device/+/temp", subscriber++, sub_options{0, 0, 0});
    idx.add("device/#", subscriber++, sub_options{0, 0, 0});
    idx.add("#", subscriber++, sub_options{0, 0, 0});
    for (int i = 0; i < 10; ++i) idx.add("device/+/status", subscriber++, {1, 0, 0}, "g");
    const double add_s = seconds_since(t0);
    const long rss1 = rss_kib();

    std::mt19937_64 rng(42);
    std::vector<std::string> topics;
    constexpr size_t topic_count = 4096;
    for (size_t i = 0; i < topic_count; ++i) {
        const uint64_t dev = rng() % n;
        topics.push_back("device/" + std::to_string(dev) + (i % 8 == 0 ? "/status" : "/temp"));
    }

    uint64_t delivered = 0;
    uint64_t groups = 0;
    const uint64_t rounds = std::max<uint64_t>(1, 2'000'000 / topic_count);
    const auto t1 = clock_type::now();
    for (uint64_t r = 0; r < rounds; ++r) {
        for (const auto& topic : topics) {
            idx.match(
                topic, [&](uint64_t, const sub_options&) { ++delivered; },
                [&](shared_group<sub_options>& g) {
                    if (g.pick() != nullptr) ++groups;
                });
        }
    }
    const double match_s = seconds_since(t1);
    const double matches = static_cast<double>(rounds * topic_count);

    uint64_t misses = 0;
    const auto t2 = clock_type::now();
    for (uint64_t r = 0; r < rounds; ++r) {
        for (size_t i = 0; i < topic_count; ++i) {
            idx.match(
                "sensor/unknown/topic", [&](uint64_t, const sub_options&) { ++misses; },
                [&](shared_group<sub_options>&) {});
        }
    }
    const double miss_s = seconds_since(t2);

    std::printf("subscriptions %zu (filters %zu)\n", idx.size(), idx.count_filters());
    std::printf("  subscribe: %.0f subscriptions/s (%.3f s)\n",
                static_cast<double>(idx.size()) / add_s, add_s);
    std::printf(
        "  match device/{i}/temp|status: %.0f matches/s, %.3f us/match, "
        "%.2f deliveries + %.2f group picks per match\n",
        matches / match_s, match_s * 1e6 / matches, static_cast<double>(delivered) / matches,
        static_cast<double>(groups) / matches);
    std::printf("  match of an unsubscribed topic (only '#' reached): %.3f us/match\n",
                miss_s * 1e6 / matches);
    std::printf("  memory: RSS +%.1f MiB for the index (%.0f bytes/subscription)\n",
                static_cast<double>(rss1 - rss0) / 1024.0,
                static_cast<double>(rss1 - rss0) * 1024.0 / static_cast<double>(idx.size()));
}

}  // namespace

int main(int argc, char** argv) {
    const uint64_t max_n = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1'000'000;
    for (uint64_t n = 1000; n <= max_n; n *= 1000) run(n);
    return 0;
}
