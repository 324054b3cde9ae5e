#include "kafka/codec/record_batch.h"

#include <isa-l/crc.h>

#include <algorithm>
#include <climits>
#include <limits>

#include "base/assert.h"
#include "kafka/codec/wire.h"

namespace robust::kafka::codec {
namespace {

// Byte offsets of the header fields (record_batch.h).
constexpr size_t partition_leader_epoch_at = 12;
constexpr size_t magic_at = 16;
constexpr size_t crc_at = 17;
constexpr size_t attributes_at = 21;  // the CRC covers from here to the end
constexpr size_t max_timestamp_at = 35;

// The smallest record: length, attributes, timestampDelta, offsetDelta,
// keyLength, valueLength and headers count, one byte each.
constexpr size_t min_record_size = 7;

constexpr int16_t timestamp_type_bit = 0x08;
constexpr int16_t transactional_bit = 0x10;
constexpr int16_t control_bit = 0x20;

template <class T>
void store_be_at(std::span<char> out, size_t pos, T value) noexcept {
    using U = std::make_unsigned_t<T>;
    auto v = static_cast<U>(value);
    for (size_t i = 0; i < sizeof(T); ++i) {
        out[pos + i] = static_cast<char>((v >> (8 * (sizeof(T) - 1 - i))) & 0xff);
    }
}

template <class T>
T load_be_at(std::string_view in, size_t pos) noexcept {
    using U = std::make_unsigned_t<T>;
    U v = 0;
    for (size_t i = 0; i < sizeof(T); ++i) {
        v = static_cast<U>((v << 8) | static_cast<unsigned char>(in[pos + i]));
    }
    return static_cast<T>(v);
}

// The header fields of the first 61 bytes of `bytes` (no checks).
batch_header read_header(std::string_view bytes) noexcept {
    reader r(bytes.substr(0, batch_header_size), false);
    batch_header h;
    h.base_offset = r.i64();
    h.batch_length = r.i32();
    h.partition_leader_epoch = r.i32();
    h.magic = r.i8();
    h.crc = r.u32();
    h.attributes = r.i16();
    h.last_offset_delta = r.i32();
    h.base_timestamp = r.i64();
    h.max_timestamp = r.i64();
    h.producer_id = r.i64();
    h.producer_epoch = r.i16();
    h.base_sequence = r.i32();
    h.record_count = r.i32();
    return h;
}

// The CRC a whole batch should carry.
uint32_t batch_crc(std::string_view batch) noexcept {
    return crc32c(batch.substr(attributes_at));
}

enum class blob_kind { produce, fetch };

result<std::vector<batch_view>> split(std::string_view records, const batch_limits& limits,
                                      blob_kind kind) {
    const bool produce = kind == blob_kind::produce;
    std::vector<batch_view> out;
    size_t pos = 0;
    while (pos < records.size()) {
        const std::string_view rest = records.substr(pos);
        // Up to the magic byte, which says how to read the rest.
        if (rest.size() <= magic_at) {
            if (produce) return errc::malformed;
            break;  // a consumer drops a partial batch at the end
        }
        if (static_cast<int8_t>(rest[magic_at]) != batch_magic_v2) return errc::unsupported;
        const int32_t batch_length = load_be_at<int32_t>(rest, 8);
        if (batch_length < min_batch_length) return errc::malformed;
        const size_t size = batch_log_overhead + static_cast<size_t>(batch_length);
        if (rest.size() < size) {
            if (produce) return errc::malformed;
            break;
        }
        if (size > limits.max_batch_bytes) return errc::too_large;
        const std::string_view bytes = rest.substr(0, size);
        batch_view batch{read_header(bytes), bytes};
        const batch_header& h = batch.header;
        if (h.crc != batch_crc(bytes)) return errc::corruption;
        if (h.record_count < 0) return errc::malformed;
        if (static_cast<size_t>(h.record_count) > limits.max_records_per_batch) {
            return errc::too_large;
        }
        if (produce) {
            if (!is_known(h.compression())) return errc::unsupported;
            // Kafka's LogValidator.validateBatch for AppendOrigin.CLIENT.
            const int64_t count_from_offsets = int64_t{h.last_offset_delta} + 1;
            if (count_from_offsets <= 0) return errc::protocol_error;  // invalid offset range
            if (h.record_count <= 0) return errc::protocol_error;      // invalid reported count
            if (count_from_offsets != h.record_count) return errc::protocol_error;
            // "Clients are not allowed to write control records".
            if (h.is_control()) return errc::protocol_error;
            // An idempotent/transactional batch needs its sequence.
            if (h.producer_id >= 0 && h.base_sequence < 0) return errc::protocol_error;
        }
        out.push_back(batch);
        pos += size;
    }
    return out;
}

// A VARINT length then that many bytes; -1 is null, other negatives and
// lengths past the end are malformed (the reader's sticky error).
std::optional<std::string_view> read_varint_bytes(reader& r) noexcept {
    const int32_t n = r.varint();
    if (!r.ok() || n == -1) return std::nullopt;
    if (n < -1 || static_cast<size_t>(n) > r.remaining()) {
        r.fail(errc::malformed);
        return std::nullopt;
    }
    return r.raw(static_cast<size_t>(n));
}

std::optional<std::string> owned(std::optional<std::string_view> v) {
    if (!v) return std::nullopt;
    return std::string(*v);
}

// Parses `count` records from `data` (the uncompressed records block),
// appending them to `out` unless it is null. Errors: malformed.
status parse_records(std::string_view data, int32_t count, std::vector<batch_record>* out) {
    if (out != nullptr) {
        out->reserve(std::min(static_cast<size_t>(count), data.size() / min_record_size));
    }
    reader all(data, false);
    for (int32_t i = 0; i < count; ++i) {
        const int32_t length = all.varint();
        if (!all.ok() || length < 0 || static_cast<size_t>(length) > all.remaining()) {
            return errc::malformed;
        }
        // The record's fields must take exactly `length` bytes.
        reader r(all.raw(static_cast<size_t>(length)), false);
        batch_record rec;
        rec.attributes = r.i8();
        rec.timestamp_delta = r.varlong();
        rec.offset_delta = r.varint();
        const auto key = read_varint_bytes(r);
        const auto value = read_varint_bytes(r);
        const int32_t headers = r.varint();
        if (!r.ok() || headers < 0) return errc::malformed;
        // Every header takes at least two bytes (its two lengths).
        if (static_cast<size_t>(headers) > r.remaining() / 2) return errc::malformed;
        if (out != nullptr) {
            rec.key = owned(key);
            rec.value = owned(value);
            rec.headers.reserve(static_cast<size_t>(headers));
        }
        for (int32_t h = 0; h < headers && r.ok(); ++h) {
            const auto hkey = read_varint_bytes(r);
            if (r.ok() && !hkey) return errc::malformed;  // a header key is never null
            const auto hvalue = read_varint_bytes(r);
            if (out != nullptr && r.ok()) {
                rec.headers.push_back(record_header{std::string(*hkey), owned(hvalue)});
            }
        }
        if (!r.ok() || r.remaining() != 0) return errc::malformed;
        if (out != nullptr) out->push_back(std::move(rec));
    }
    // "Incorrect declared batch size, records still remaining".
    if (all.remaining() != 0) return errc::malformed;
    return {};
}

status read_records(const batch_view& batch, const batch_limits& limits,
                    std::vector<batch_record>* out) {
    const batch_header& h = batch.header;
    if (batch.bytes.size() < batch_header_size) return errc::malformed;
    if (h.record_count < 0) return errc::malformed;
    if (static_cast<size_t>(h.record_count) > limits.max_records_per_batch) {
        return errc::too_large;
    }
    const compression_type c = h.compression();
    if (!is_known(c)) return errc::unsupported;
    if (h.record_count == 0) return {};
    const std::string_view block = batch.bytes.substr(batch_header_size);
    if (c == compression_type::none) return parse_records(block, h.record_count, out);
    auto plain = decompress(c, block, limits.max_decompressed_bytes);
    if (!plain) return plain.error();
    return parse_records(*plain, h.record_count, out);
}

size_t bytes_field_size(const std::optional<std::string>& v) noexcept {
    return v ? varint_size(static_cast<int64_t>(v->size())) + v->size() : 1;
}

// Bytes after a record's length field.
size_t record_body_size(const batch_record& r) noexcept {
    size_t n = 1 + varint_size(r.timestamp_delta) + varint_size(r.offset_delta) +
               bytes_field_size(r.key) + bytes_field_size(r.value) +
               varint_size(static_cast<int64_t>(r.headers.size()));
    for (const record_header& h : r.headers) {
        n += varint_size(static_cast<int64_t>(h.key.size())) + h.key.size() +
             bytes_field_size(h.value);
    }
    return n;
}

void write_varint_bytes(writer& w, const std::optional<std::string>& v) {
    if (!v) {
        w.varint(-1);
        return;
    }
    BROKER_ASSERT(v->size() <= INT32_MAX, "record field above 2 GiB");
    w.varint(static_cast<int32_t>(v->size()));
    w.raw(*v);
}

void write_records(writer& w, std::span<const batch_record> records) {
    for (const batch_record& r : records) {
        const size_t body = record_body_size(r);
        BROKER_ASSERT(body <= INT32_MAX, "record above 2 GiB");
        w.varint(static_cast<int32_t>(body));
        w.i8(r.attributes);
        w.varlong(r.timestamp_delta);
        w.varint(r.offset_delta);
        write_varint_bytes(w, r.key);
        write_varint_bytes(w, r.value);
        w.varint(static_cast<int32_t>(r.headers.size()));
        for (const record_header& h : r.headers) {
            BROKER_ASSERT(h.key.size() <= INT32_MAX, "header key above 2 GiB");
            w.varint(static_cast<int32_t>(h.key.size()));
            w.raw(h.key);
            write_varint_bytes(w, h.value);
        }
    }
}

}  // namespace

uint32_t crc32c(std::string_view bytes) noexcept {
    // ISA-L's crc32_iscsi neither inverts its initial value nor its result:
    // CRC-32C proper is ~crc32_iscsi(data, ~0). Its length is an int, so
    // large inputs go in pieces, chaining the raw state.
    unsigned int state = 0xffffffffu;
    auto* p = reinterpret_cast<unsigned char*>(const_cast<char*>(bytes.data()));
    size_t left = bytes.size();
    while (left > 0) {
        const size_t n = std::min<size_t>(left, INT_MAX);
        state = crc32_iscsi(p, static_cast<int>(n), state);
        p += n;
        left -= n;
    }
    return ~state;
}

result<batch_header> parse_batch_header(std::string_view bytes) {
    if (bytes.size() > magic_at && static_cast<int8_t>(bytes[magic_at]) != batch_magic_v2) {
        return errc::unsupported;
    }
    if (bytes.size() < batch_header_size) return errc::malformed;
    batch_header h = read_header(bytes);
    if (h.batch_length < min_batch_length) return errc::malformed;
    return h;
}

result<std::vector<batch_view>> split_batches(std::string_view records,
                                              const batch_limits& limits) {
    return split(records, limits, blob_kind::produce);
}

result<std::vector<batch_view>> split_fetched_batches(std::string_view records,
                                                      const batch_limits& limits) {
    return split(records, limits, blob_kind::fetch);
}

result<std::vector<batch_record>> decode_records(const batch_view& batch,
                                                 const batch_limits& limits) {
    std::vector<batch_record> out;
    if (status s = read_records(batch, limits, &out); !s) return s.error();
    return out;
}

status validate_records(const batch_view& batch, const batch_limits& limits) {
    return read_records(batch, limits, nullptr);
}

std::string build_batch(std::span<const batch_record> records, const batch_build_options& options) {
    BROKER_ASSERT(is_known(options.compression),
                  "build_batch: unknown compression " << int(options.compression));
    BROKER_ASSERT(records.size() <= INT32_MAX, "build_batch: too many records");

    int64_t max_timestamp = options.max_timestamp;
    if (max_timestamp == -1 && !records.empty()) {
        max_timestamp = std::numeric_limits<int64_t>::min();
        for (const batch_record& r : records) {
            // Wrapping, as Java's long arithmetic (deltas come from input).
            const auto ts = static_cast<int64_t>(static_cast<uint64_t>(options.base_timestamp) +
                                                 static_cast<uint64_t>(r.timestamp_delta));
            max_timestamp = std::max(max_timestamp, ts);
        }
    }
    int16_t attributes = static_cast<int16_t>(options.compression);
    if (options.log_append_time) attributes |= timestamp_type_bit;
    if (options.transactional) attributes |= transactional_bit;
    if (options.control) attributes |= control_bit;

    writer w(false);
    w.i64(options.base_offset);
    w.i32(0);  // batchLength, patched below
    w.i32(options.partition_leader_epoch);
    w.i8(batch_magic_v2);
    w.u32(0);  // crc, patched below
    w.i16(attributes);
    w.i32(records.empty() ? 0 : records.back().offset_delta);
    w.i64(options.base_timestamp);
    w.i64(max_timestamp);
    w.i64(options.producer_id);
    w.i16(options.producer_epoch);
    w.i32(options.base_sequence);
    w.i32(static_cast<int32_t>(records.size()));
    if (options.compression == compression_type::none) {
        write_records(w, records);
    } else {
        writer plain(false);
        write_records(plain, records);
        w.raw(compress(options.compression, plain.buffer()));
    }
    BROKER_ASSERT(w.size() - batch_log_overhead <= INT32_MAX, "build_batch: batch above 2 GiB");
    w.patch_i32(8, static_cast<int32_t>(w.size() - batch_log_overhead));
    w.patch_i32(crc_at, static_cast<int32_t>(batch_crc(w.buffer())));
    return w.take();
}

void set_base_offset(std::span<char> batch, int64_t base_offset) noexcept {
    BROKER_ASSERT(batch.size() >= batch_header_size, "set_base_offset: not a batch");
    store_be_at(batch, 0, base_offset);
}

void set_partition_leader_epoch(std::span<char> batch, int32_t epoch) noexcept {
    BROKER_ASSERT(batch.size() >= batch_header_size, "set_partition_leader_epoch: not a batch");
    store_be_at(batch, partition_leader_epoch_at, epoch);
}

void set_log_append_time(std::span<char> batch, int64_t timestamp_ms) noexcept {
    BROKER_ASSERT(batch.size() >= batch_header_size, "set_log_append_time: not a batch");
    const std::string_view view(batch.data(), batch.size());
    const auto attributes =
        static_cast<int16_t>(load_be_at<int16_t>(view, attributes_at) | timestamp_type_bit);
    store_be_at(batch, attributes_at, attributes);
    store_be_at(batch, max_timestamp_at, timestamp_ms);
    store_be_at(batch, crc_at, batch_crc(view));
}

}  // namespace robust::kafka::codec
