#pragma once
// login_limiter: counts failed logins and Basic authentications per client
// address over a sliding minute; at http.login_failures_per_minute failures
// the address gets 429 (with Retry-After) until the oldest failure is a
// minute old. Successful logins do not reset the count, so guesses cannot be
// interleaved with a known password to stay under the limit.
//
// Memory is bounded: at most max_addresses addresses are tracked; past that,
// addresses whose failures have all expired are dropped, then the one with
// the oldest latest failure.
//
// Owned by the admin server; the clock is passed in (tests inject time).
// Threading: every method may be called from any thread (one mutex).

#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace robust::admin::detail {

class login_limiter {
public:
    static constexpr int64_t window_ms = 60'000;

    explicit login_limiter(uint32_t failures_per_minute, size_t max_addresses = 10'000);

    /// nullopt when `addr` may try again now, else the seconds to wait (>= 1).
    std::optional<int64_t> retry_after(const std::string& addr, int64_t now_ms);
    void record_failure(const std::string& addr, int64_t now_ms);
    size_t tracked() const;

private:
    void prune(std::deque<int64_t>& failures, int64_t now_ms) const;
    void make_room(int64_t now_ms);

    const uint32_t limit_;
    const size_t max_addresses_;
    mutable std::mutex mu_;
    std::unordered_map<std::string, std::deque<int64_t>> failures_;  // oldest first
};

}  // namespace robust::admin::detail
