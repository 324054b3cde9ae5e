#include "kafka/codec/partitioner.h"

namespace robust::kafka::codec {

int32_t murmur2(std::string_view key) noexcept {
    // Unsigned arithmetic: Java's int overflow wraps, C++'s signed does not.
    constexpr uint32_t seed = 0x9747b28c;
    constexpr uint32_t m = 0x5bd1e995;
    constexpr int r = 24;
    const auto* data = reinterpret_cast<const unsigned char*>(key.data());
    const size_t length = key.size();
    uint32_t h = seed ^ static_cast<uint32_t>(length);
    const size_t whole = length / 4;
    for (size_t i = 0; i < whole; ++i) {
        const size_t j = i * 4;
        uint32_t k = uint32_t{data[j]} | (uint32_t{data[j + 1]} << 8) |
                     (uint32_t{data[j + 2]} << 16) | (uint32_t{data[j + 3]} << 24);
        k *= m;
        k ^= k >> r;
        k *= m;
        h *= m;
        h ^= k;
    }
    const size_t tail = length & ~size_t{3};
    switch (length % 4) {
        case 3:
            h ^= uint32_t{data[tail + 2]} << 16;
            [[fallthrough]];
        case 2:
            h ^= uint32_t{data[tail + 1]} << 8;
            [[fallthrough]];
        case 1:
            h ^= uint32_t{data[tail]};
            h *= m;
            break;
        default:
            break;
    }
    h ^= h >> 13;
    h *= m;
    h ^= h >> 15;
    return static_cast<int32_t>(h);
}

uint32_t partition_for_key(std::string_view key, uint32_t partitions) noexcept {
    const auto positive = static_cast<uint32_t>(murmur2(key)) & 0x7fffffffu;
    return positive % partitions;
}

}  // namespace robust::kafka::codec
