#include "wire.h"

namespace robust::mqtt::codec::detail {

namespace {
// Bytes 0x80..0xBF continue a multi-byte sequence.
inline bool cont(uint8_t b) noexcept {
    return (b & 0xC0) == 0x80;
}

// True when none of the 8 bytes at p is 0x00 or has its high bit set: the
// common all-ASCII topic skips the per-byte state machine.
inline bool plain_ascii8(const char* p) noexcept {
    uint64_t v;
    std::memcpy(&v, p, 8);
    constexpr uint64_t ones = 0x0101010101010101ULL;
    constexpr uint64_t highs = 0x8080808080808080ULL;
    const bool has_zero = ((v - ones) & ~v & highs) != 0;
    return !has_zero && (v & highs) == 0;
}
}  // namespace

utf8_status check_utf8(std::string_view s) noexcept {
    const auto* p = reinterpret_cast<const uint8_t*>(s.data());
    const auto* end = p + s.size();
    while (p != end) {
        if (end - p >= 8 && plain_ascii8(reinterpret_cast<const char*>(p))) {
            p += 8;
            continue;
        }
        const uint8_t b = *p;
        if (b < 0x80) {
            if (b == 0) return utf8_status::null_char;  // [MQTT-1.5.4-2]
            ++p;
            continue;
        }
        // RFC 3629 section 4 table; the narrowed second-byte ranges after
        // E0, ED, F0 and F4 exclude overlong forms, the surrogates
        // U+D800..U+DFFF and code points above U+10FFFF [MQTT-1.5.4-1].
        const ptrdiff_t left = end - p;
        if (b >= 0xC2 && b <= 0xDF) {
            if (left < 2 || !cont(p[1])) return utf8_status::ill_formed;
            p += 2;
        } else if (b >= 0xE0 && b <= 0xEF) {
            if (left < 3 || !cont(p[1]) || !cont(p[2])) return utf8_status::ill_formed;
            if (b == 0xE0 && p[1] < 0xA0) return utf8_status::ill_formed;  // overlong
            if (b == 0xED && p[1] > 0x9F) return utf8_status::ill_formed;  // surrogate
            p += 3;
        } else if (b >= 0xF0 && b <= 0xF4) {
            if (left < 4 || !cont(p[1]) || !cont(p[2]) || !cont(p[3])) {
                return utf8_status::ill_formed;
            }
            if (b == 0xF0 && p[1] < 0x90) return utf8_status::ill_formed;  // overlong
            if (b == 0xF4 && p[1] > 0x8F) return utf8_status::ill_formed;  // > U+10FFFF
            p += 4;
        } else {
            // 0x80..0xC1: stray continuation or overlong 2-byte lead;
            // 0xF5..0xFF: never valid.
            return utf8_status::ill_formed;
        }
    }
    return utf8_status::ok;
}

varint_status read_varint(const std::byte* p, const std::byte* end, uint32_t* value,
                          size_t* len) noexcept {
    uint32_t v = 0;
    for (size_t i = 0; i < 4; ++i) {
        if (p + i == end) return varint_status::need_more;
        const auto b = uint8_t(p[i]);
        v |= uint32_t(b & 0x7F) << (7 * i);
        if ((b & 0x80) == 0) {
            // [MQTT-1.5.5-1] minimum number of bytes: a last byte of 0
            // after a continuation adds nothing.
            if (i > 0 && b == 0) return varint_status::malformed;
            *value = v;
            *len = i + 1;
            return varint_status::ok;
        }
    }
    return varint_status::malformed;  // a fifth byte is never allowed
}

}  // namespace robust::mqtt::codec::detail
