#pragma once
// Time helpers. Wall-clock milliseconds are what records and protocols carry;
// steady time is for timeouts and intervals.

#include <chrono>
#include <cstdint>

namespace robust {

using steady_clock = std::chrono::steady_clock;

/// Milliseconds since the Unix epoch (record timestamps, expiry deadlines).
inline int64_t now_unix_ms() noexcept {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace robust
