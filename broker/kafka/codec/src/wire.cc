#include "kafka/codec/wire.h"

#include "base/varint.h"

#include <bit>
#include <cstring>
#include <limits>

namespace robust::kafka::codec {
namespace {

template <class T>
T load_be(const std::byte* p) noexcept {
    using U = std::make_unsigned_t<T>;
    U v = 0;
    for (size_t i = 0; i < sizeof(T); ++i)
        v = static_cast<U>((v << 8) | static_cast<uint8_t>(p[i]));
    return static_cast<T>(v);
}

template <class T>
void store_be(std::string& out, T value) {
    using U = std::make_unsigned_t<T>;
    auto v = static_cast<U>(value);
    for (size_t i = sizeof(T); i-- > 0;) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

// Unsigned LEB128 of at most max_bytes bytes; false when it runs longer or
// past the end.
bool read_uleb(const std::byte*& p, const std::byte* end, size_t max_bytes,
               uint64_t* out) noexcept {
    uint64_t v = 0;
    for (size_t i = 0; i < max_bytes; ++i) {
        if (p == end) return false;
        auto b = static_cast<uint8_t>(*p++);
        v |= static_cast<uint64_t>(b & 0x7f) << (7 * i);
        if ((b & 0x80) == 0) {
            *out = v;
            return true;
        }
    }
    return false;
}

}  // namespace

// ---- reader -----------------------------------------------------------------

void reader::fail(errc e) noexcept {
    if (!error_) error_ = make_error_code(e);
    p_ = end_;
}

bool reader::take(size_t n, const std::byte** out) noexcept {
    if (error_) return false;
    if (remaining() < n) {
        fail(errc::malformed);
        return false;
    }
    *out = p_;
    p_ += n;
    return true;
}

int8_t reader::i8() noexcept {
    const std::byte* p = nullptr;
    return take(1, &p) ? static_cast<int8_t>(*p) : 0;
}
int16_t reader::i16() noexcept {
    const std::byte* p = nullptr;
    return take(2, &p) ? load_be<int16_t>(p) : 0;
}
int32_t reader::i32() noexcept {
    const std::byte* p = nullptr;
    return take(4, &p) ? load_be<int32_t>(p) : 0;
}
int64_t reader::i64() noexcept {
    const std::byte* p = nullptr;
    return take(8, &p) ? load_be<int64_t>(p) : 0;
}
uint32_t reader::u32() noexcept {
    const std::byte* p = nullptr;
    return take(4, &p) ? load_be<uint32_t>(p) : 0;
}
double reader::f64() noexcept {
    return std::bit_cast<double>(static_cast<uint64_t>(i64()));
}
bool reader::boolean() noexcept {
    return i8() != 0;
}
uuid reader::read_uuid() noexcept {
    uuid u{};
    const std::byte* p = nullptr;
    if (take(u.size(), &p)) std::memcpy(u.data(), p, u.size());
    return u;
}

int32_t reader::varint() noexcept {
    if (error_) return 0;
    uint64_t v = 0;
    if (!read_uleb(p_, end_, 5, &v) || v > std::numeric_limits<uint32_t>::max()) {
        fail(errc::malformed);
        return 0;
    }
    return static_cast<int32_t>(zigzag_decode(v));
}
int64_t reader::varlong() noexcept {
    if (error_) return 0;
    uint64_t v = 0;
    if (!read_uleb(p_, end_, 10, &v)) {
        fail(errc::malformed);
        return 0;
    }
    return zigzag_decode(v);
}
uint32_t reader::uvarint() noexcept {
    if (error_) return 0;
    uint64_t v = 0;
    if (!read_uleb(p_, end_, 5, &v) || v > std::numeric_limits<uint32_t>::max()) {
        fail(errc::malformed);
        return 0;
    }
    return static_cast<uint32_t>(v);
}

int64_t reader::length_prefix(bool classic_int16) noexcept {
    int64_t n = 0;
    if (classic_int16) {
        n = i16();
    } else if (flexible_) {
        n = static_cast<int64_t>(uvarint()) - 1;
    } else {
        n = i32();
    }
    if (error_) return -1;
    if (n < -1) {
        fail(errc::malformed);
        return -1;
    }
    if (n > static_cast<int64_t>(remaining())) {
        fail(errc::too_large);
        return -1;
    }
    return n;
}

std::optional<std::string> reader::nullable_string() {
    int64_t n = length_prefix(!flexible_);
    if (n < 0) return std::nullopt;
    return std::string(raw(static_cast<size_t>(n)));
}
std::string reader::string() {
    return nullable_string().value_or(std::string());
}
std::optional<std::string> reader::classic_nullable_string() {
    int64_t n = length_prefix(true);
    if (n < 0) return std::nullopt;
    return std::string(raw(static_cast<size_t>(n)));
}
std::optional<std::string_view> reader::nullable_bytes_view() noexcept {
    int64_t n = length_prefix(false);
    if (n < 0) return std::nullopt;
    return raw(static_cast<size_t>(n));
}
std::optional<std::string> reader::nullable_bytes() {
    auto v = nullable_bytes_view();
    if (!v) return std::nullopt;
    return std::string(*v);
}
std::string reader::bytes() {
    return nullable_bytes().value_or(std::string());
}
std::string_view reader::raw(size_t n) noexcept {
    const std::byte* p = nullptr;
    if (!take(n, &p)) return {};
    return {reinterpret_cast<const char*>(p), n};
}

int32_t reader::array_length() noexcept {
    int64_t n = flexible_ ? static_cast<int64_t>(uvarint()) - 1 : i32();
    if (error_) return 0;
    if (n < -1) {
        fail(errc::malformed);
        return 0;
    }
    if (n > static_cast<int64_t>(remaining())) {
        fail(errc::too_large);
        return 0;
    }
    return static_cast<int32_t>(n);
}

void reader::tagged_fields() noexcept {
    tagged_fields([](uint32_t, reader&) noexcept {});
}

// ---- writer -----------------------------------------------------------------

void writer::i16(int16_t v) {
    store_be(out_, v);
}
void writer::i32(int32_t v) {
    store_be(out_, v);
}
void writer::i64(int64_t v) {
    store_be(out_, v);
}
void writer::u32(uint32_t v) {
    store_be(out_, v);
}
void writer::f64(double v) {
    store_be(out_, std::bit_cast<uint64_t>(v));
}
void writer::write_uuid(const uuid& v) {
    out_.append(reinterpret_cast<const char*>(v.data()), v.size());
}
void writer::varint(int32_t v) {
    append_uvarint(out_, zigzag_encode(v) & 0xffffffffu);
}
void writer::varlong(int64_t v) {
    append_uvarint(out_, zigzag_encode(v));
}
void writer::uvarint(uint32_t v) {
    append_uvarint(out_, v);
}

void writer::length_prefix(int64_t n) {
    if (flexible_) {
        uvarint(static_cast<uint32_t>(n + 1));
    } else {
        i16(static_cast<int16_t>(n));
    }
}
void writer::string(std::string_view v) {
    length_prefix(static_cast<int64_t>(v.size()));
    out_.append(v);
}
void writer::nullable_string(const std::optional<std::string>& v) {
    if (!v) {
        length_prefix(-1);
        return;
    }
    string(*v);
}
void writer::classic_nullable_string(const std::optional<std::string>& v) {
    if (!v) {
        i16(-1);
        return;
    }
    i16(static_cast<int16_t>(v->size()));
    out_.append(*v);
}
void writer::bytes(std::string_view v) {
    nullable_bytes(v);
}
void writer::nullable_bytes(std::optional<std::string_view> v) {
    int64_t n = v ? static_cast<int64_t>(v->size()) : -1;
    if (flexible_) {
        uvarint(static_cast<uint32_t>(n + 1));
    } else {
        i32(static_cast<int32_t>(n));
    }
    if (v) out_.append(*v);
}
void writer::array_length(int32_t n) {
    if (flexible_) {
        uvarint(static_cast<uint32_t>(n + 1));
    } else {
        i32(n);
    }
}
void writer::tagged_fields(const tagged_section& fields) {
    if (!flexible_) return;
    uvarint(static_cast<uint32_t>(fields.fields_.size()));
    for (const auto& [tag, data] : fields.fields_) {
        uvarint(tag);
        uvarint(static_cast<uint32_t>(data.size()));
        raw(data);
    }
}
void writer::patch_i32(size_t pos, int32_t v) {
    auto u = static_cast<uint32_t>(v);
    for (size_t i = 0; i < 4; ++i) out_[pos + i] = static_cast<char>((u >> (8 * (3 - i))) & 0xff);
}

size_t uvarint_size(uint64_t v) noexcept {
    size_t n = 1;
    while (v >= 0x80) {
        v >>= 7;
        ++n;
    }
    return n;
}
size_t varint_size(int64_t v) noexcept {
    return uvarint_size(zigzag_encode(v));
}

}  // namespace robust::kafka::codec
