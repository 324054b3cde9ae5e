#pragma once
// history: the overview's time series. The admin server's sampler thread
// records the broker's cumulative counters every sample interval (10 s);
// each record after the first becomes one point whose rates are the counter
// deltas divided by the elapsed time. The last `capacity` (360 = one hour)
// points are kept, oldest first.
//
// A counter that went backwards (a restarted broker) gives a rate of 0 for
// that interval rather than a negative or huge one.
//
// Owned by the admin server; time is passed in, so tests need no sleeps.
// Threading: every method may be called from any thread (one mutex).

#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <vector>

namespace robust::admin::detail {

/// Cumulative broker counters at one instant, plus the current gauges.
struct counters_sample {
    uint64_t connections = 0;
    uint64_t sessions = 0;
    uint64_t messages_in = 0;
    uint64_t messages_out = 0;
    uint64_t bytes_in = 0;
    uint64_t bytes_out = 0;
    uint64_t messages_dropped = 0;
};

struct history_point {
    int64_t time_ms = 0;
    uint64_t connections = 0;
    uint64_t sessions = 0;
    double messages_in_rate = 0;  // per second over the interval ending at time_ms
    double messages_out_rate = 0;
    double bytes_in_rate = 0;
    double bytes_out_rate = 0;
    double messages_dropped_rate = 0;
};

class history {
public:
    explicit history(size_t capacity = 360) : capacity_(capacity) {}

    /// Adds a sample taken at now_ms. The first one (and one not later than
    /// the previous) only sets the baseline.
    void record(int64_t now_ms, const counters_sample& s);
    /// Points with time_ms >= from_ms, oldest first.
    std::vector<history_point> since(int64_t from_ms) const;
    std::optional<history_point> latest() const;
    size_t size() const;

private:
    const size_t capacity_;
    mutable std::mutex mu_;
    std::optional<std::pair<int64_t, counters_sample>> previous_;
    std::deque<history_point> points_;
};

}  // namespace robust::admin::detail
