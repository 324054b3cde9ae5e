#include "login_limiter.h"

#include <algorithm>

namespace robust::admin::detail {

login_limiter::login_limiter(uint32_t failures_per_minute, size_t max_addresses)
    : limit_(std::max<uint32_t>(failures_per_minute, 1)),
      max_addresses_(std::max<size_t>(max_addresses, 1)) {}

void login_limiter::prune(std::deque<int64_t>& failures, int64_t now_ms) const {
    while (!failures.empty() && failures.front() + window_ms <= now_ms) failures.pop_front();
}

std::optional<int64_t> login_limiter::retry_after(const std::string& addr, int64_t now_ms) {
    std::lock_guard lock(mu_);
    auto it = failures_.find(addr);
    if (it == failures_.end()) return std::nullopt;
    prune(it->second, now_ms);
    if (it->second.empty()) {
        failures_.erase(it);
        return std::nullopt;
    }
    if (it->second.size() < limit_) return std::nullopt;
    const int64_t wait_ms = it->second.front() + window_ms - now_ms;
    return std::max<int64_t>(1, (wait_ms + 999) / 1000);
}

void login_limiter::record_failure(const std::string& addr, int64_t now_ms) {
    std::lock_guard lock(mu_);
    auto it = failures_.find(addr);
    if (it == failures_.end()) {
        if (failures_.size() >= max_addresses_) make_room(now_ms);
        it = failures_.emplace(addr, std::deque<int64_t>{}).first;
    }
    auto& f = it->second;
    prune(f, now_ms);
    f.push_back(now_ms);
    // Only the newest `limit_` failures can matter for the decision.
    while (f.size() > limit_) f.pop_front();
}

void login_limiter::make_room(int64_t now_ms) {
    for (auto it = failures_.begin(); it != failures_.end();) {
        prune(it->second, now_ms);
        it = it->second.empty() ? failures_.erase(it) : std::next(it);
    }
    while (failures_.size() >= max_addresses_) {
        auto oldest = std::min_element(
            failures_.begin(), failures_.end(),
            [](const auto& a, const auto& b) { return a.second.back() < b.second.back(); });
        failures_.erase(oldest);
    }
}

size_t login_limiter::tracked() const {
    std::lock_guard lock(mu_);
    return failures_.size();
}

}  // namespace robust::admin::detail
