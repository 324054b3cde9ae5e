#pragma once
// Wire primitives shared by every packet: a bounds-checked reader over one
// packet's bytes and two "sinks" the encoders write through, one counting
// bytes and one appending them. Every encoder is a template over the sink,
// so encoded_size() and encode() run the same code and cannot disagree.
//
// Data types are those of MQTT 5.0 section 1.5 (3.1.1 section 1.5): big-endian
// two/four byte integers, Variable Byte Integers, length-prefixed UTF-8
// strings and binary data.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "base/errc.h"
#include "mqtt/codec/codec.h"

namespace robust::mqtt::codec::detail {

/// Largest value a Variable Byte Integer can hold (4 bytes of 7 bits).
inline constexpr uint32_t max_varint = 268'435'455;

constexpr size_t varint_size(uint32_t v) noexcept {
    return v < 128 ? 1 : v < 16'384 ? 2 : v < 2'097'152 ? 3 : 4;
}

enum class utf8_status : uint8_t { ok, ill_formed, null_char };

/// Checks [MQTT-1.5.4-1] (well-formed per RFC 3629: no overlong forms, no
/// surrogates U+D800..U+DFFF, nothing above U+10FFFF) and [MQTT-1.5.4-2]
/// (no U+0000). The same rules are [MQTT-1.5.3-1]/[MQTT-1.5.3-2] in 3.1.1.
utf8_status check_utf8(std::string_view s) noexcept;

enum class varint_status : uint8_t { ok, need_more, malformed };

/// Decodes a Variable Byte Integer from [p, end). On ok, *value is set and
/// *len the number of bytes used. need_more when the bytes end inside it;
/// malformed when it runs past 4 bytes or is not minimally encoded
/// ([MQTT-1.5.5-1]: a trailing 0x00 continuation byte is an overlong form).
varint_status read_varint(const std::byte* p, const std::byte* end, uint32_t* value,
                          size_t* len) noexcept;

/// Per-decode state shared by a reader and its sub-readers (properties).
struct decode_state {
    explicit decode_state(const decode_limits& l) : limits(l) {}
    const decode_limits& limits;
    uint32_t user_properties = 0;  // counted across the whole packet
    decode_error error;
};

/// A cursor over the bytes of one packet (after its fixed header). Reads
/// past the end fail with malformed: decode() only runs once the whole
/// packet is buffered, so a field running past the remaining length is a
/// length error in the packet, never a reason to wait for more bytes.
/// Every read returns false after recording the error in the shared state.
class reader {
public:
    reader(const std::byte* p, size_t n, decode_state& st) : p_(p), end_(p + n), st_(&st) {}

    size_t remaining() const noexcept { return size_t(end_ - p_); }
    bool empty() const noexcept { return p_ == end_; }
    decode_state& state() noexcept { return *st_; }
    const decode_limits& limits() const noexcept { return st_->limits; }

    /// Records the first error and returns false, so checks read
    /// `return r.fail(errc::malformed, "[MQTT-x] why");`.
    bool fail(errc code, const char* rule) noexcept {
        if (!st_->error.code) st_->error = {make_error_code(code), rule};
        return false;
    }

    bool u8(uint8_t& v) noexcept {
        if (p_ == end_) return truncated();
        v = uint8_t(*p_++);
        return true;
    }
    bool u16(uint16_t& v) noexcept {
        if (remaining() < 2) return truncated();
        v = uint16_t((uint16_t(p_[0]) << 8) | uint16_t(p_[1]));
        p_ += 2;
        return true;
    }
    bool u32(uint32_t& v) noexcept {
        if (remaining() < 4) return truncated();
        v = (uint32_t(p_[0]) << 24) | (uint32_t(p_[1]) << 16) | (uint32_t(p_[2]) << 8) |
            uint32_t(p_[3]);
        p_ += 4;
        return true;
    }
    bool varint(uint32_t& v) noexcept {
        size_t len = 0;
        switch (read_varint(p_, end_, &v, &len)) {
            case varint_status::ok:
                p_ += len;
                return true;
            case varint_status::need_more:
                return truncated();
            case varint_status::malformed:
                break;
        }
        return fail(errc::malformed, "[MQTT-1.5.5-1] malformed Variable Byte Integer");
    }

    /// Two-byte length then that many bytes, as a view into the packet.
    bool length_prefixed(std::string_view& s) noexcept {
        uint16_t n = 0;
        if (!u16(n)) return false;
        if (remaining() < n) return truncated();
        s = std::string_view(reinterpret_cast<const char*>(p_), n);
        p_ += n;
        return true;
    }
    /// Binary Data (section 1.5.6): copied, not validated.
    bool binary(std::string& out) {
        std::string_view s;
        if (!length_prefixed(s)) return false;
        out.assign(s);
        return true;
    }
    /// UTF-8 Encoded String (section 1.5.4): validated before it is copied.
    bool utf8(std::string& out) {
        std::string_view s;
        if (!length_prefixed(s)) return false;
        if (!valid(s)) return false;
        out.assign(s);
        return true;
    }
    bool valid(std::string_view s) noexcept {
        switch (check_utf8(s)) {
            case utf8_status::ok:
                return true;
            case utf8_status::ill_formed:
                return fail(errc::malformed, "[MQTT-1.5.4-1] ill-formed UTF-8 string");
            case utf8_status::null_char:
                break;
        }
        return fail(errc::malformed, "[MQTT-1.5.4-2] UTF-8 string contains U+0000");
    }

    /// The next `n` bytes as their own reader (sharing the error state), or
    /// false if fewer are left. Used for the Property Length block.
    bool sub(size_t n, reader& out) noexcept {
        if (remaining() < n) return truncated();
        out = reader(p_, n, *st_);
        p_ += n;
        return true;
    }
    /// Everything left (a PUBLISH payload, a SUBACK list).
    std::string_view rest() noexcept {
        std::string_view s(reinterpret_cast<const char*>(p_), remaining());
        p_ = end_;
        return s;
    }
    /// A packet's fields must end exactly at its Remaining Length: bytes
    /// left over mean the sender and we disagree on the layout.
    bool expect_end(const char* rule) noexcept {
        return empty() ? true : fail(errc::malformed, rule);
    }

private:
    bool truncated() noexcept {
        return fail(errc::malformed, "[section 2.1.4] field runs past the Remaining Length");
    }

    const std::byte* p_;
    const std::byte* end_;
    decode_state* st_;
};

/// Counts the bytes an encoder would write.
struct size_sink {
    size_t n = 0;
    void u8(uint8_t) noexcept { n += 1; }
    void u16(uint16_t) noexcept { n += 2; }
    void u32(uint32_t) noexcept { n += 4; }
    void varint(uint32_t v) noexcept { n += varint_size(v); }
    void raw(std::string_view s) noexcept { n += s.size(); }
    void str(std::string_view s) noexcept { n += 2 + s.size(); }
};

/// Appends the bytes to a string the caller has reserved.
struct string_sink {
    std::string& out;
    void u8(uint8_t v) { out.push_back(char(v)); }
    void u16(uint16_t v) {
        const char b[2] = {char(v >> 8), char(v)};
        out.append(b, 2);
    }
    void u32(uint32_t v) {
        const char b[4] = {char(v >> 24), char(v >> 16), char(v >> 8), char(v)};
        out.append(b, 4);
    }
    void varint(uint32_t v) {
        char b[4];
        size_t n = 0;
        do {
            uint8_t byte = v & 0x7F;
            v >>= 7;
            if (v) byte |= 0x80;
            b[n++] = char(byte);
        } while (v && n < 4);
        out.append(b, n);
    }
    void raw(std::string_view s) { out.append(s); }
    /// A length-prefixed string; the broker never builds one over 65,535
    /// bytes (topic and id limits are far lower), so the length is cut.
    void str(std::string_view s) {
        u16(uint16_t(s.size()));
        out.append(s);
    }
};

}  // namespace robust::mqtt::codec::detail
