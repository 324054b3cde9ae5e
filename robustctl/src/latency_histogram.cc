#include "latency_histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace robust::ctl {

size_t latency_histogram::index_of(uint64_t value) {
    if (value < sub_count) return static_cast<size_t>(value);
    const unsigned e = static_cast<unsigned>(std::bit_width(value)) - 1;  // >= sub_bits
    const uint64_t top = value >> (e - sub_bits);  // in [sub_count, 2 * sub_count)
    return static_cast<size_t>((e - sub_bits + 1) * sub_count + (top - sub_count));
}

uint64_t latency_histogram::highest_in(size_t index) {
    if (index < sub_count) return index;
    const unsigned e = static_cast<unsigned>(index / sub_count) + sub_bits - 1;
    const uint64_t top = sub_count + index % sub_count;
    const unsigned shift = e - sub_bits;
    // The bucket holds [top << shift, (top + 1) << shift); the last bucket
    // ends at UINT64_MAX.
    const uint64_t low = top << shift;
    const uint64_t width_minus_one = (uint64_t{1} << shift) - 1;
    return low + width_minus_one;
}

void latency_histogram::record(uint64_t value) {
    ++counts_[index_of(value)];
    ++count_;
    min_ = std::min(min_, value);
    max_ = std::max(max_, value);
    sum_ += static_cast<double>(value);
}

void latency_histogram::merge(const latency_histogram& other) {
    for (size_t i = 0; i < bucket_count; ++i) counts_[i] += other.counts_[i];
    count_ += other.count_;
    min_ = std::min(min_, other.min_);
    max_ = std::max(max_, other.max_);
    sum_ += other.sum_;
}

uint64_t latency_histogram::percentile(double percent) const {
    if (count_ == 0) return 0;
    percent = std::clamp(percent, 0.0, 100.0);
    // The rank of the value sought, from 1: ceil(p% of count), at least 1.
    const auto rank = std::max<uint64_t>(
        1, static_cast<uint64_t>(std::ceil(percent / 100.0 * static_cast<double>(count_))));
    uint64_t seen = 0;
    for (size_t i = 0; i < bucket_count; ++i) {
        seen += counts_[i];
        if (seen >= rank) return std::min(highest_in(i), max_);
    }
    return max_;
}

}  // namespace robust::ctl
