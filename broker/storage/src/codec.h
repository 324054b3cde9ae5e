#pragma once
// Pure byte codecs of the RocksDB engine: keys and the record value format.
// The layouts themselves are described in prose at the top of class
// rocksdb_journal (src/rocksdb_journal.cc), which owns them; these functions
// only implement them.
// No I/O, no clocks, no logging: everything here is unit-tested byte by byte.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "storage/journal.h"

namespace robust::storage::detail {

/// The bytes a record costs for retention and describe_shard().bytes:
/// key + every header key and value + value. Both engines use it, so a size
/// policy cuts at the same offset whichever engine holds the shard.
int64_t record_payload_bytes(const record& r) noexcept;

void append_u64_be(std::string& out, uint64_t v);
uint64_t load_u64_be(const char* p) noexcept;

/// Timestamps are signed; flipping the sign bit makes their big-endian bytes
/// sort in numeric order, negative ones included.
inline uint64_t order_preserving(int64_t v) noexcept {
    return static_cast<uint64_t>(v) ^ (uint64_t{1} << 63);
}
inline int64_t from_order_preserving(uint64_t v) noexcept {
    return static_cast<int64_t>(v ^ (uint64_t{1} << 63));
}

/// The 8 bytes every key of `shard` starts with, in records and indexes.
std::string shard_prefix(shard_id shard);
/// records column family: shard (8 B BE) | last offset (8 B BE). The last
/// offset a record covers, not its base: Seek(record_key(shard, o)) then lands
/// on the record containing o. For a one-offset record the two are the same.
std::string record_key(shard_id shard, int64_t last_offset);
void append_record_key(std::string& out, shard_id shard, int64_t last_offset);
/// The first key after every record key of `shard`.
std::string shard_end_key(shard_id shard);
struct record_key_parts {
    shard_id shard;
    int64_t last_offset = 0;
};
/// Errors: corruption (wrong length).
result<record_key_parts> parse_record_key(std::string_view key);

/// indexes column family: shard (8 B BE) | max timestamp (8 B, order
/// preserving) | offset (8 B BE; the last offset of the sampled record);
/// value: cumulative bytes (8 B BE).
std::string time_index_key(shard_id shard, int64_t max_timestamp_ms, int64_t offset);
struct time_index_entry {
    shard_id shard;
    int64_t max_timestamp_ms = 0;
    int64_t offset = 0;
    int64_t cumulative_bytes = 0;
};
/// Errors: corruption.
result<time_index_entry> parse_time_index(std::string_view key, std::string_view value);

/// Appends the value encoding of `r` (offset excluded: it is in the key).
/// Version 1 for a plain one-offset record, version 2 when the format or the
/// offset count must be stored.
void encode_record_value(const record& r, std::string& out);
/// The same for a record given by its parts (index pointer records).
void encode_record_value(int64_t timestamp_ms, std::string_view key,
                         const std::vector<record_header>& headers, std::string_view value,
                         record_format format, uint32_t offset_count, std::string& out);
/// `last_offset` comes from the key; the record's (base) offset is derived
/// from it and the stored offset count. Errors: corruption (unknown version
/// or format, a zero offset count or one reaching below offset 0, a length
/// past the end).
result<record> decode_record_value(std::string_view bytes, int64_t last_offset);

/// What recovery, retention and offset_for_time need, without copying any
/// payload.
struct record_summary {
    int64_t timestamp_ms = 0;
    int64_t payload_bytes = 0;
    uint32_t offset_count = 1;
};
/// Errors: corruption.
result<record_summary> summarize_record_value(std::string_view bytes);

}  // namespace robust::storage::detail
