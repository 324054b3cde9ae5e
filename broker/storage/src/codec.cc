#include "codec.h"

#include "base/varint.h"

#include <limits>

#include "base/errc.h"

namespace robust::storage {

std::string index_pointer::encode() const {
    std::string out;
    out.reserve(16);
    detail::append_u64_be(out, shard.value());
    detail::append_u64_be(out, static_cast<uint64_t>(offset));
    return out;
}

result<index_pointer> index_pointer::decode(std::string_view bytes) {
    if (bytes.size() != 16) return errc::malformed;
    const auto off = static_cast<int64_t>(detail::load_u64_be(bytes.data() + 8));
    if (off < 0) return errc::malformed;
    return index_pointer{shard_id(detail::load_u64_be(bytes.data())), off};
}

}  // namespace robust::storage

namespace robust::storage::detail {
namespace {

// Value versions (see class rocksdb_journal): 1 for plain one-offset records,
// 2 adds the record format and the offset count. Both are written: version 1
// keeps plain records byte-identical to what older builds wrote and read.
constexpr char value_version_1 = 1;
constexpr char value_version_2 = 2;

// Walks an encoded record value; every read checks the remaining length, so a
// truncated or garbled value yields corruption instead of a wild read.
class value_reader {
public:
    explicit value_reader(std::string_view in) : in_(in) {}

    bool varint(uint64_t& v) {
        v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (in_.empty()) return false;
            const auto b = static_cast<uint8_t>(in_.front());
            in_.remove_prefix(1);
            v |= uint64_t{b & 0x7fu} << shift;
            if ((b & 0x80) == 0) return true;
        }
        return false;  // more than 10 bytes: not a varint we wrote
    }
    bool bytes(std::string_view& out) {
        uint64_t n = 0;
        if (!varint(n) || n > in_.size()) return false;
        out = in_.substr(0, n);
        in_.remove_prefix(n);
        return true;
    }
    bool byte(char& c) {
        if (in_.empty()) return false;
        c = in_.front();
        in_.remove_prefix(1);
        return true;
    }
    size_t remaining() const noexcept { return in_.size(); }
    std::string_view rest() const noexcept { return in_; }

private:
    std::string_view in_;
};

struct value_prefix {
    record_format format = record_format::single;
    uint32_t offset_count = 1;
    int64_t timestamp = 0;
    std::string_view key;
    uint64_t headers = 0;
};

// Parses everything before the headers; returns false on corruption.
bool read_prefix(value_reader& r, value_prefix& p) {
    char version = 0;
    if (!r.byte(version)) return false;
    if (version == value_version_2) {
        char format = 0;
        uint64_t count = 0;
        if (!r.byte(format) || !r.varint(count)) return false;
        if (format != static_cast<char>(record_format::single) &&
            format != static_cast<char>(record_format::kafka_batch)) {
            return false;
        }
        if (count == 0 || count > std::numeric_limits<uint32_t>::max()) return false;
        p.format = static_cast<record_format>(format);
        p.offset_count = static_cast<uint32_t>(count);
    } else if (version != value_version_1) {
        return false;
    }
    uint64_t ts = 0;
    if (!r.varint(ts)) return false;
    p.timestamp = zigzag_decode(ts);
    if (!r.bytes(p.key)) return false;
    if (!r.varint(p.headers)) return false;
    // Each header takes at least two length bytes: bounds the count before
    // anything is allocated for it.
    return p.headers <= r.remaining() / 2;
}

}  // namespace

int64_t record_payload_bytes(const record& r) noexcept {
    auto n = static_cast<int64_t>(r.key.size() + r.value.size());
    for (const auto& h : r.headers) n += static_cast<int64_t>(h.key.size() + h.value.size());
    return n;
}

void append_u64_be(std::string& out, uint64_t v) {
    for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>(v >> shift));
}

uint64_t load_u64_be(const char* p) noexcept {
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(p[i]);
    return v;
}

std::string shard_prefix(shard_id shard) {
    std::string k;
    k.reserve(8);
    append_u64_be(k, shard.value());
    return k;
}

std::string record_key(shard_id shard, int64_t last_offset) {
    std::string k;
    k.reserve(16);
    append_record_key(k, shard, last_offset);
    return k;
}

void append_record_key(std::string& out, shard_id shard, int64_t last_offset) {
    append_u64_be(out, shard.value());
    append_u64_be(out, static_cast<uint64_t>(last_offset));
}

std::string shard_end_key(shard_id shard) {
    // Shard ids never reach UINT64_MAX (they count up from 1), so the next
    // shard's prefix is a valid exclusive bound.
    return shard_prefix(shard_id(shard.value() + 1));
}

result<record_key_parts> parse_record_key(std::string_view key) {
    if (key.size() != 16) return errc::corruption;
    return record_key_parts{shard_id(load_u64_be(key.data())),
                            static_cast<int64_t>(load_u64_be(key.data() + 8))};
}

std::string time_index_key(shard_id shard, int64_t max_timestamp_ms, int64_t offset) {
    std::string k;
    k.reserve(24);
    append_u64_be(k, shard.value());
    append_u64_be(k, order_preserving(max_timestamp_ms));
    append_u64_be(k, static_cast<uint64_t>(offset));
    return k;
}

result<time_index_entry> parse_time_index(std::string_view key, std::string_view value) {
    if (key.size() != 24 || value.size() != 8) return errc::corruption;
    return time_index_entry{shard_id(load_u64_be(key.data())),
                            from_order_preserving(load_u64_be(key.data() + 8)),
                            static_cast<int64_t>(load_u64_be(key.data() + 16)),
                            static_cast<int64_t>(load_u64_be(value.data()))};
}

void encode_record_value(const record& r, std::string& out) {
    encode_record_value(r.timestamp_ms, r.key, r.headers, r.value.view(), r.format, r.offset_count,
                        out);
}

void encode_record_value(int64_t timestamp_ms, std::string_view key,
                         const std::vector<record_header>& headers, std::string_view value,
                         record_format format, uint32_t offset_count, std::string& out) {
    if (format == record_format::single && offset_count == 1) {
        out.push_back(value_version_1);
    } else {
        out.push_back(value_version_2);
        out.push_back(static_cast<char>(format));
        append_uvarint(out, offset_count);
    }
    append_uvarint(out, zigzag_encode(timestamp_ms));
    append_uvarint(out, key.size());
    out.append(key);
    append_uvarint(out, headers.size());
    for (const auto& h : headers) {
        append_uvarint(out, h.key.size());
        out.append(h.key);
        append_uvarint(out, h.value.size());
        out.append(h.value);
    }
    out.append(value);
}

result<record> decode_record_value(std::string_view bytes, int64_t last_offset) {
    value_reader in(bytes);
    value_prefix p;
    if (!read_prefix(in, p)) return errc::corruption;
    if (last_offset < 0 || p.offset_count - int64_t{1} > last_offset) return errc::corruption;
    record rec;
    rec.offset = last_offset - (p.offset_count - int64_t{1});
    rec.timestamp_ms = p.timestamp;
    rec.format = p.format;
    rec.offset_count = p.offset_count;
    rec.key.assign(p.key);
    rec.headers.reserve(p.headers);
    for (uint64_t i = 0; i < p.headers; ++i) {
        std::string_view hk;
        std::string_view hv;
        if (!in.bytes(hk) || !in.bytes(hv)) return errc::corruption;
        rec.headers.push_back({std::string(hk), std::string(hv)});
    }
    rec.value = shared_buffer(std::string(in.rest()));
    return rec;
}

result<record_summary> summarize_record_value(std::string_view bytes) {
    value_reader in(bytes);
    value_prefix p;
    if (!read_prefix(in, p)) return errc::corruption;
    record_summary s;
    s.timestamp_ms = p.timestamp;
    s.offset_count = p.offset_count;
    s.payload_bytes = static_cast<int64_t>(p.key.size());
    for (uint64_t i = 0; i < p.headers; ++i) {
        std::string_view hk;
        std::string_view hv;
        if (!in.bytes(hk) || !in.bytes(hv)) return errc::corruption;
        s.payload_bytes += static_cast<int64_t>(hk.size() + hv.size());
    }
    s.payload_bytes += static_cast<int64_t>(in.remaining());
    return s;
}

}  // namespace robust::storage::detail
