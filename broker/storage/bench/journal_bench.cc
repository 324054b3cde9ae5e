// journal_bench: appends/s and MB/s of the RocksDB journal.
//
// Each appender models one connection waiting for its acks: it keeps one
// append (of one record) in flight on its own shard, so N appenders give the
// group-commit writer at most N requests per batch. Runs every combination of
// durability x record size x appender count for --seconds each, in a fresh
// temp directory (or under --dir), and prints one table row per run, or one
// JSON object per line with --json (bench/compare.sh reads those).
//
// --records N stores each append as one record covering N offsets of --sizes
// bytes each, as a Kafka record batch is stored: the ceiling that Kafka
// produce throughput is compared with.
//
//   journal_bench [--seconds 2] [--appenders 1,16,64] [--sizes 64,1024]
//                 [--durability none,wal,fsync] [--records 1] [--json] [--dir PATH]

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <semaphore>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "storage/journal.h"

namespace {

using robust::result;
using namespace robust::storage;
using clock_type = std::chrono::steady_clock;

std::vector<size_t> parse_list(const char* s) {
    std::vector<size_t> out;
    std::stringstream in(s);
    std::string item;
    while (std::getline(in, item, ',')) out.push_back(std::stoul(item));
    return out;
}

struct run_result {
    uint64_t appends = 0;
    double seconds = 0;
    double p50_us = 0;
    double p99_us = 0;
};

run_result run(journal& j, durability d, size_t record_size, size_t records, size_t appenders,
               double seconds, const std::string& tag) {
    std::vector<shard_id> shards;
    for (size_t i = 0; i < appenders; ++i) {
        shards.push_back(*j.create_shard(tag + "-" + std::to_string(i)));
    }
    // Incompressible bytes, so LZ4 does not flatter the numbers.
    std::string bytes(record_size * records, '\0');
    std::mt19937_64 rng(record_size);
    for (auto& c : bytes) c = static_cast<char>(rng());
    const robust::shared_buffer payload(std::move(bytes));
    std::atomic<bool> failed{false};
    std::vector<std::vector<double>> latencies(appenders);
    std::vector<uint64_t> counts(appenders, 0);
    const auto start = clock_type::now();
    const auto deadline = start + std::chrono::duration<double>(seconds);
    std::vector<std::thread> threads;
    for (size_t a = 0; a < appenders; ++a) {
        threads.emplace_back([&, a] {
            std::binary_semaphore acked(0);
            while (clock_type::now() < deadline) {
                append_request req;
                req.shard = shards[a];
                req.durability = d;
                record r;
                r.value = payload;
                r.offset_count = static_cast<uint32_t>(records);
                req.records.push_back(std::move(r));
                const auto t0 = clock_type::now();
                j.append(std::move(req), [&](result<append_result> res) {
                    if (!res) failed = true;
                    acked.release();
                });
                acked.acquire();
                latencies[a].push_back(
                    std::chrono::duration<double, std::micro>(clock_type::now() - t0).count());
                ++counts[a];
            }
        });
    }
    for (auto& t : threads) t.join();
    run_result res;
    res.seconds = std::chrono::duration<double>(clock_type::now() - start).count();
    std::vector<double> all;
    for (size_t a = 0; a < appenders; ++a) {
        res.appends += counts[a];
        all.insert(all.end(), latencies[a].begin(), latencies[a].end());
    }
    std::sort(all.begin(), all.end());
    if (!all.empty()) {
        res.p50_us = all[all.size() / 2];
        res.p99_us = all[std::min(all.size() - 1, all.size() * 99 / 100)];
    }
    if (failed) std::fprintf(stderr, "some appends failed\n");
    return res;
}

}  // namespace

int main(int argc, char** argv) {
    double seconds = 2;
    std::vector<size_t> appenders = {1, 16, 64};
    std::vector<size_t> sizes = {64, 1024};
    std::vector<durability> durabilities = {durability::none, durability::wal, durability::fsync};
    size_t records = 1;
    bool json = false;
    std::string dir;
    for (int i = 1; i < argc; ++i) {
        if (std::string_view(argv[i]) == "--json") json = true;
    }
    for (int i = 1; i < argc; i += 2) {
        const std::string flag = argv[i];
        if (flag == "--json") {
            --i;  // no value
            continue;
        }
        if (i + 1 >= argc) {
            std::fprintf(stderr, "%s needs a value\n", flag.c_str());
            return 2;
        }
        if (flag == "--seconds") {
            seconds = std::atof(argv[i + 1]);
        } else if (flag == "--appenders") {
            appenders = parse_list(argv[i + 1]);
        } else if (flag == "--sizes") {
            sizes = parse_list(argv[i + 1]);
        } else if (flag == "--records") {
            records = std::max<size_t>(1, std::stoul(argv[i + 1]));
        } else if (flag == "--durability") {
            durabilities.clear();
            std::stringstream in(argv[i + 1]);
            std::string item;
            while (std::getline(in, item, ',')) {
                auto d = parse_durability(item);
                if (!d) {
                    std::fprintf(stderr, "--durability: '%s' is not none, wal or fsync\n",
                                 item.c_str());
                    return 2;
                }
                durabilities.push_back(*d);
            }
        } else if (flag == "--dir") {
            dir = argv[i + 1];
        } else {
            std::fprintf(stderr, "unknown flag %s\n", flag.c_str());
            return 2;
        }
    }
    const bool own_dir = dir.empty();
    if (own_dir) {
        auto tmpl = (std::filesystem::temp_directory_path() / "journal-bench-XXXXXX").string();
        if (::mkdtemp(tmpl.data()) == nullptr) {
            std::perror("mkdtemp");
            return 1;
        }
        dir = tmpl;
    }

    rocksdb_journal_options opts;
    opts.path = dir;
    auto opened = make_rocksdb_journal(opts);
    if (!opened) {
        std::fprintf(stderr, "cannot open journal at %s\n", dir.c_str());
        return 1;
    }
    auto j = std::move(opened).value();

    if (!json) {
        std::printf("%-6s %6s %7s %9s %12s %9s %10s %10s\n", "dur", "bytes", "records", "appenders",
                    "appends/s", "MB/s", "p50 us", "p99 us");
    }
    int run_no = 0;
    for (auto d : durabilities) {
        for (auto size : sizes) {
            for (auto n : appenders) {
                auto r = run(*j, d, size, records, n, seconds, "run" + std::to_string(run_no++));
                const double rate = static_cast<double>(r.appends) / r.seconds;
                const double mb = rate * static_cast<double>(size * records) / 1e6;
                if (json) {
                    std::printf(
                        "{\"durability\":\"%s\",\"size\":%zu,\"records\":%zu,"
                        "\"appenders\":%zu,\"appends_per_s\":%.1f,\"records_per_s\":%.1f,"
                        "\"mb_per_s\":%.3f,\"p50_us\":%.0f,\"p99_us\":%.0f}\n",
                        to_string(d).data(), size, records, n, rate,
                        rate * static_cast<double>(records), mb, r.p50_us, r.p99_us);
                } else {
                    std::printf("%-6s %6zu %7zu %9zu %12.0f %9.2f %10.0f %10.0f\n",
                                to_string(d).data(), size, records, n, rate, mb, r.p50_us,
                                r.p99_us);
                }
                std::fflush(stdout);
            }
        }
    }
    j->stop();
    j.reset();
    if (own_dir) std::filesystem::remove_all(dir);
    return 0;
}
