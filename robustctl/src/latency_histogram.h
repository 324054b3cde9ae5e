#pragma once
// A log-linear histogram of non-negative integers (latencies in ns), in the
// spirit of HdrHistogram without the dependency (Debian packages no C/C++
// HdrHistogram): values below 128 are counted exactly; above, each power of
// two [2^e, 2^(e+1)) is split into 128 equal buckets, so a reported
// percentile is at most 1/128 (0.8 %) above the true value. 7424 counters
// cover the whole uint64_t range; recording is one shift and an increment.
//
// Not thread-safe: each bench worker thread records into its own histogram,
// and they are merged once the threads have stopped.

#include <array>
#include <cstddef>
#include <cstdint>

namespace robust::ctl {

class latency_histogram {
public:
    static constexpr unsigned sub_bits = 7;
    static constexpr uint64_t sub_count = uint64_t{1} << sub_bits;
    static constexpr size_t bucket_count = (64 - sub_bits + 1) * sub_count;

    void record(uint64_t value);
    void merge(const latency_histogram& other);

    uint64_t count() const { return count_; }
    uint64_t min() const { return count_ == 0 ? 0 : min_; }
    uint64_t max() const { return max_; }
    double mean() const { return count_ == 0 ? 0.0 : sum_ / static_cast<double>(count_); }

    /// The smallest bucket bound at or below which `percent` (0..100) of the
    /// recorded values lie: the highest value of that bucket, capped by the
    /// largest value recorded (so percentile(100) == max()). 0 when empty.
    uint64_t percentile(double percent) const;

    /// Bucket index of `value`, and the highest value counted in a bucket
    /// (exposed for the unit tests).
    static size_t index_of(uint64_t value);
    static uint64_t highest_in(size_t index);

private:
    std::array<uint64_t, bucket_count> counts_{};
    uint64_t count_ = 0;
    uint64_t min_ = UINT64_MAX;
    uint64_t max_ = 0;
    double sum_ = 0;  // for the mean only
};

}  // namespace robust::ctl
