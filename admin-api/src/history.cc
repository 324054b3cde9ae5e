#include "history.h"

namespace robust::admin::detail {
namespace {

double rate(uint64_t now, uint64_t before, int64_t elapsed_ms) {
    if (now < before) return 0;  // the counter restarted
    return static_cast<double>(now - before) * 1000.0 / static_cast<double>(elapsed_ms);
}

}  // namespace

void history::record(int64_t now_ms, const counters_sample& s) {
    std::lock_guard lock(mu_);
    if (previous_ && now_ms > previous_->first) {
        const int64_t elapsed = now_ms - previous_->first;
        const counters_sample& p = previous_->second;
        history_point pt;
        pt.time_ms = now_ms;
        pt.connections = s.connections;
        pt.sessions = s.sessions;
        pt.messages_in_rate = rate(s.messages_in, p.messages_in, elapsed);
        pt.messages_out_rate = rate(s.messages_out, p.messages_out, elapsed);
        pt.bytes_in_rate = rate(s.bytes_in, p.bytes_in, elapsed);
        pt.bytes_out_rate = rate(s.bytes_out, p.bytes_out, elapsed);
        pt.messages_dropped_rate = rate(s.messages_dropped, p.messages_dropped, elapsed);
        points_.push_back(pt);
        while (points_.size() > capacity_) points_.pop_front();
    }
    previous_ = std::make_pair(now_ms, s);
}

std::vector<history_point> history::since(int64_t from_ms) const {
    std::lock_guard lock(mu_);
    std::vector<history_point> out;
    for (const auto& p : points_) {
        if (p.time_ms >= from_ms) out.push_back(p);
    }
    return out;
}

std::optional<history_point> history::latest() const {
    std::lock_guard lock(mu_);
    if (points_.empty()) return std::nullopt;
    return points_.back();
}

size_t history::size() const {
    std::lock_guard lock(mu_);
    return points_.size();
}

}  // namespace robust::admin::detail
