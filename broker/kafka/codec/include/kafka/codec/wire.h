#pragma once
// Kafka wire primitives: a bounds-checked reader and an appending writer for
// the protocol's types (Kafka protocol guide, "Protocol Primitive Types"),
// in both encodings:
//
//  - classic: INT16-length STRING/BYTES (-1 = null), INT32-count arrays;
//  - flexible (KIP-482): COMPACT_STRING/COMPACT_BYTES/COMPACT_ARRAY with an
//    UNSIGNED_VARINT of length + 1 (0 = null), and a tagged-field section
//    after every struct.
//
// A reader or writer is made for one encoding, and string(), bytes() and
// array_length() pick the form from it, so one decode function serves every
// version of a message. Pure: no I/O, no allocation beyond the values read.
//
// The reader has a sticky error: after the first failure every read returns
// a zero value and ok() stays false, so a message decoder reads all its
// fields and checks ok() once at the end.
//
// Arrays: array() is for the schema's non-nullable arrays (null is
// malformed, as in Kafka's own decoders), nullable_array() for the nullable
// ones. Tagged fields: tagged_fields() skips a section, tagged_fields(f)
// hands each field to a decoder that knows some tags, and a tagged_section
// collects the fields an encoder writes.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "base/errc.h"

namespace robust::kafka::codec {

using uuid = std::array<uint8_t, 16>;

class reader {
public:
    reader(std::span<const std::byte> bytes, bool flexible) noexcept
        : p_(bytes.data()), end_(bytes.data() + bytes.size()), flexible_(flexible) {}
    reader(std::string_view bytes, bool flexible) noexcept
        : reader(std::span<const std::byte>(reinterpret_cast<const std::byte*>(bytes.data()),
                                            bytes.size()),
                 flexible) {}

    bool flexible() const noexcept { return flexible_; }
    bool ok() const noexcept { return !error_; }
    /// errc::malformed (truncated or invalid encoding) or errc::too_large
    /// (a length beyond what is left); empty while ok().
    std::error_code error() const noexcept { return error_; }
    size_t remaining() const noexcept { return static_cast<size_t>(end_ - p_); }
    /// Records a failure (for checks a decoder makes on values it has read).
    void fail(errc e) noexcept;

    int8_t i8() noexcept;
    int16_t i16() noexcept;
    int32_t i32() noexcept;
    int64_t i64() noexcept;
    uint32_t u32() noexcept;
    double f64() noexcept;
    bool boolean() noexcept;
    uuid read_uuid() noexcept;
    /// Zig-zag VARINT / VARLONG (record fields) and UNSIGNED_VARINT.
    int32_t varint() noexcept;
    int64_t varlong() noexcept;
    uint32_t uvarint() noexcept;

    /// STRING / COMPACT_STRING as the encoding says; null reads as "" (a
    /// decoder that must tell null apart uses nullable_string()).
    std::string string();
    std::optional<std::string> nullable_string();
    /// The classic INT16-length nullable string whatever the encoding: the
    /// client_id of request header v1 and v2 is always classic.
    std::optional<std::string> classic_nullable_string();
    /// BYTES / COMPACT_BYTES.
    std::string bytes();
    std::optional<std::string> nullable_bytes();
    /// A view of nullable bytes without copying (record batches in Produce):
    /// valid while the reader's buffer is. nullopt for null.
    std::optional<std::string_view> nullable_bytes_view() noexcept;
    /// Raw bytes, n of them.
    std::string_view raw(size_t n) noexcept;

    /// ARRAY / COMPACT_ARRAY length: -1 for null. A count larger than the
    /// bytes left (every element takes at least one byte) fails with
    /// too_large before anyone allocates for it.
    int32_t array_length() noexcept;
    /// Reads a whole non-nullable array, calling each() once per element
    /// until the reader fails. Null (or any negative count) is malformed.
    template <class F>
    void array(F&& each) {
        int32_t n = array_length();
        if (n < 0) fail(errc::malformed);
        for (int32_t i = 0; i < n && ok(); ++i) each();
    }
    /// A non-nullable array appended to `out`: each(T&) reads one element
    /// into a default-constructed T.
    template <class T, class F>
    void array(std::vector<T>& out, F&& each) {
        array([&] { each(out.emplace_back()); });
    }
    /// A nullable array: null resets `out`, anything else replaces it with
    /// the elements, read as array(out) does.
    template <class T, class F>
    void nullable_array(std::optional<std::vector<T>>& out, F&& each) {
        int32_t n = array_length();
        if (n < 0) {
            out.reset();
            return;
        }
        std::vector<T>& v = out.emplace();
        for (int32_t i = 0; i < n && ok(); ++i) each(v.emplace_back());
    }
    /// The tagged-field section of a flexible struct, every field skipped.
    /// No-op for the classic encoding.
    void tagged_fields() noexcept;
    /// The tagged-field section of a flexible struct whose decoder knows
    /// some tags: on_field(tag, field) gets each field with a reader over
    /// just its bytes and may ignore it (an unknown tag). A field larger than
    /// the bytes left, or one its reader fails on, is malformed. No-op for
    /// the classic encoding.
    template <class F>
    void tagged_fields(F&& on_field) {
        if (!flexible_) return;
        uint32_t count = uvarint();
        for (uint32_t i = 0; i < count && ok(); ++i) {
            uint32_t tag = uvarint();
            uint32_t size = uvarint();
            if (!ok()) return;
            if (size > remaining()) {
                fail(errc::malformed);
                return;
            }
            reader field(raw(size), true);
            on_field(tag, field);
            if (!field.ok()) fail(errc::malformed);
        }
    }

private:
    bool take(size_t n, const std::byte** out) noexcept;
    /// Length of a string/bytes field: -1 for null.
    int64_t length_prefix(bool classic_int16) noexcept;

    const std::byte* p_;
    const std::byte* end_;
    bool flexible_;
    std::error_code error_;
};

class tagged_section;

class writer {
public:
    explicit writer(bool flexible) : flexible_(flexible) {}

    bool flexible() const noexcept { return flexible_; }
    size_t size() const noexcept { return out_.size(); }
    std::string& buffer() noexcept { return out_; }
    std::string take() noexcept { return std::move(out_); }

    void i8(int8_t v) { out_.push_back(static_cast<char>(v)); }
    void i16(int16_t v);
    void i32(int32_t v);
    void i64(int64_t v);
    void u32(uint32_t v);
    void f64(double v);
    void boolean(bool v) { i8(v ? 1 : 0); }
    void write_uuid(const uuid& v);
    void varint(int32_t v);
    void varlong(int64_t v);
    void uvarint(uint32_t v);

    void string(std::string_view v);
    void nullable_string(const std::optional<std::string>& v);
    void classic_nullable_string(const std::optional<std::string>& v);
    void bytes(std::string_view v);
    void nullable_bytes(std::optional<std::string_view> v);
    void raw(std::string_view v) { out_.append(v); }
    /// ARRAY / COMPACT_ARRAY length; -1 writes null.
    void array_length(int32_t n);
    template <class Range, class F>
    void array(const Range& items, F&& each) {
        array_length(static_cast<int32_t>(std::size(items)));
        for (const auto& item : items) each(item);
    }
    /// A nullable array: null for nullopt, else as array().
    template <class Range, class F>
    void nullable_array(const std::optional<Range>& items, F&& each) {
        if (!items) {
            array_length(-1);
            return;
        }
        array(*items, std::forward<F>(each));
    }
    /// An empty tagged-field section (flexible only; no-op for classic).
    void tagged_fields() {
        if (flexible_) uvarint(0);
    }
    /// The tagged-field section `fields` (flexible only; no-op for classic).
    void tagged_fields(const tagged_section& fields);
    /// Overwrites 4 bytes at `pos` with a big-endian int32 (length prefixes
    /// written after their contents).
    void patch_i32(size_t pos, int32_t v);

private:
    void length_prefix(int64_t n);  // n = -1: null

    std::string out_;
    bool flexible_;
};

/// The tagged fields (KIP-482) of one flexible struct, collected by its
/// encoder and then written with writer::tagged_fields(). Fields are added
/// in ascending tag order, as the protocol requires; an encoder adds only
/// those that differ from their defaults.
class tagged_section {
public:
    /// Adds field `tag`, its bytes written by write(writer&) with a
    /// flexible writer of its own.
    template <class F>
    void add(uint32_t tag, F&& write) {
        writer f(true);
        write(f);
        fields_.emplace_back(tag, f.take());
    }

private:
    friend class writer;
    std::vector<std::pair<uint32_t, std::string>> fields_;
};

/// Sizes of the zig-zag and unsigned varints, for record size fields.
size_t varint_size(int64_t v) noexcept;
size_t uvarint_size(uint64_t v) noexcept;

}  // namespace robust::kafka::codec
