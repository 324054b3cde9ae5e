#pragma once
// The progress line of `robustctl bench mqtt` and `bench kafka`: on stderr at
// most once a second, e.g. "[  12.0s] publishing: sent 1000 (500/s), errors 0".
// Each tool sums its own counters; this prints them and their rates.

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace robust::ctl {

/// One figure of the line: "<name> <total>", with " (<n>/s)" when `rate`.
struct progress_figure {
    std::string_view name;
    uint64_t total = 0;
    bool rate = false;
};

class progress_printer {
public:
    using clock = std::chrono::steady_clock;

    explicit progress_printer(std::FILE* err, clock::time_point start = clock::now())
        : err_(err), start_(start), last_(start) {}

    /// True once a second has passed since the previous line (or the start).
    bool due(clock::time_point now = clock::now()) const {
        return now - last_ >= std::chrono::seconds(1);
    }

    /// Prints the line. A rate is the change of that figure's total since the
    /// previous line, per second; a figure seen for the first time counts from 0.
    void print(std::string_view phase, std::initializer_list<progress_figure> figures,
               clock::time_point now = clock::now());

private:
    uint64_t previous(std::string_view name) const;

    std::FILE* err_;
    clock::time_point start_;
    clock::time_point last_;
    std::vector<std::pair<std::string, uint64_t>> prev_;  // totals of the previous line
};

}  // namespace robust::ctl
