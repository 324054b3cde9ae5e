#pragma once
// Unsigned LEB128 varints and zig-zag signed mapping, as the journal's record
// values and Kafka's wire format both use them (Protocol Buffers' encoding).
// Readers stay with their formats: each bounds its input differently.

#include <cstdint>
#include <string>

namespace robust {

/// Appends `v` as an unsigned LEB128 varint (1..10 bytes).
inline void append_uvarint(std::string& out, uint64_t v) {
    while (v >= 0x80) {
        out.push_back(static_cast<char>((v & 0x7f) | 0x80));
        v >>= 7;
    }
    out.push_back(static_cast<char>(v));
}

/// Zig-zag: small magnitudes, positive or negative, become small unsigned values.
constexpr uint64_t zigzag_encode(int64_t v) noexcept {
    return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
constexpr int64_t zigzag_decode(uint64_t v) noexcept {
    return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1);
}

}  // namespace robust
