#pragma once
// The clock of `robustctl bench mqtt` and `bench kafka`: steady_clock in
// nanoseconds, the unit of the send stamps in payloads and of every
// duration the reports give.

#include <chrono>
#include <cstdint>

namespace robust::ctl {

inline int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

/// Seconds from `from_ns` to `to_ns`; 0 if `to_ns` is not later.
inline double seconds_between(int64_t from_ns, int64_t to_ns) {
    return to_ns > from_ns ? static_cast<double>(to_ns - from_ns) / 1e9 : 0.0;
}

}  // namespace robust::ctl
