#include "base/base64.h"

#include <cstdint>

namespace robust::base64 {
namespace {

constexpr std::string_view standard_chars =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view url_chars =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string_view chars_of(alphabet a) {
    return a == alphabet::url ? url_chars : standard_chars;
}

uint32_t byte_at(std::string_view s, size_t i) {
    return static_cast<unsigned char>(s[i]);
}

}  // namespace

std::string encode(std::string_view bytes, alphabet a, bool pad) {
    const std::string_view chars = chars_of(a);
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    size_t i = 0;
    for (; i + 3 <= bytes.size(); i += 3) {
        const uint32_t v =
            byte_at(bytes, i) << 16 | byte_at(bytes, i + 1) << 8 | byte_at(bytes, i + 2);
        out += chars[v >> 18 & 63];
        out += chars[v >> 12 & 63];
        out += chars[v >> 6 & 63];
        out += chars[v & 63];
    }
    const size_t rest = bytes.size() - i;
    if (rest > 0) {
        uint32_t v = byte_at(bytes, i) << 16;
        if (rest == 2) v |= byte_at(bytes, i + 1) << 8;
        out += chars[v >> 18 & 63];
        out += chars[v >> 12 & 63];
        if (rest == 2) out += chars[v >> 6 & 63];
        if (pad) out.append(3 - rest, '=');
    }
    return out;
}

std::optional<std::string> decode(std::string_view text, alphabet a) {
    const std::string_view chars = chars_of(a);
    if (!text.empty() && text.back() == '=') {
        // Padding, when present, completes the last group of four.
        if (text.size() % 4 != 0) return std::nullopt;
        text.remove_suffix(1);
        if (!text.empty() && text.back() == '=') text.remove_suffix(1);
    }
    if (text.size() % 4 == 1) return std::nullopt;  // 6 bits cannot end a byte
    std::string out;
    out.reserve(text.size() / 4 * 3 + 2);
    uint32_t acc = 0;
    int bits = 0;
    for (char c : text) {
        const size_t v = chars.find(c);
        if (v == std::string_view::npos) return std::nullopt;  // '=' inside too
        acc = (acc << 6 | static_cast<uint32_t>(v)) & 0xFFFFFF;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>(acc >> bits & 0xFF);
        }
    }
    // Leftover bits must be zero, or two texts would decode to the same bytes.
    if ((acc & ((1u << bits) - 1)) != 0) return std::nullopt;
    return out;
}

}  // namespace robust::base64
