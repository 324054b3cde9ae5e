#pragma once
// Kafka RecordBatch v2 ("magic 2", Kafka 0.11+): split a Produce or Fetch
// partition's records blob into batches, check them, read their records,
// and build batches. Older message sets (magic 0 and 1) are not supported.
//
// Batch layout (Kafka protocol guide, "Record Batch"; all big-endian):
//
//   offset size field
//        0    8 baseOffset            INT64  (the broker assigns it)
//        8    4 batchLength           INT32  bytes after this field (>= 49)
//       12    4 partitionLeaderEpoch  INT32  (the broker assigns it)
//       16    1 magic                 INT8   2
//       17    4 crc                   UINT32 CRC-32C of bytes 21..end
//       21    2 attributes            INT16  bits 0-2 compression (compression.h),
//                                            3 timestamp type (1 = log append time),
//                                            4 transactional, 5 control,
//                                            6 has delete horizon (compacted logs)
//       23    4 lastOffsetDelta       INT32
//       27    8 baseTimestamp         INT64
//       35    8 maxTimestamp          INT64
//       43    8 producerId            INT64  (-1: none)
//       51    2 producerEpoch         INT16
//       53    4 baseSequence          INT32
//       57    4 records count         INT32
//       61      records               (compressed as one block when bits 0-2 say so)
//
// Record ("Record"; varints are zig-zag, as wire.h's reader::varint()):
//
//   length VARINT (bytes after it), attributes INT8 (unused), timestampDelta
//   VARLONG, offsetDelta VARINT, keyLength VARINT (-1 = null) + key,
//   valueLength VARINT (-1 = null) + value, headers count VARINT, then per
//   header keyLength VARINT (never null) + key, valueLength VARINT (-1 =
//   null) + value.
//
// The CRC leaves out baseOffset, batchLength and partitionLeaderEpoch, so a
// broker assigns offsets and the epoch without recomputing it.
//
// Pure: no I/O, any thread. Views returned here point into the caller's
// buffer and are valid while it is.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/errc.h"
#include "base/result.h"
#include "kafka/codec/compression.h"

namespace robust::kafka::codec {

/// Bytes before the records: the fixed batch header.
constexpr size_t batch_header_size = 61;
/// baseOffset and batchLength: the part of the header batchLength does not count.
constexpr size_t batch_log_overhead = 12;
/// The smallest batchLength (an empty batch: the header after batchLength).
constexpr int32_t min_batch_length = static_cast<int32_t>(batch_header_size - batch_log_overhead);
constexpr int8_t batch_magic_v2 = 2;

enum class timestamp_type : int8_t { create_time = 0, log_append_time = 1 };

/// The 61-byte header of one batch, as on the wire.
struct batch_header {
    int64_t base_offset = 0;
    int32_t batch_length = min_batch_length;
    int32_t partition_leader_epoch = -1;
    int8_t magic = batch_magic_v2;
    uint32_t crc = 0;
    int16_t attributes = 0;
    int32_t last_offset_delta = 0;
    int64_t base_timestamp = 0;
    int64_t max_timestamp = 0;
    int64_t producer_id = -1;
    int16_t producer_epoch = -1;
    int32_t base_sequence = -1;
    int32_t record_count = 0;

    /// Attributes bits 0-2; may be 5-7, which no codec uses (is_known()).
    compression_type compression() const noexcept {
        return static_cast<compression_type>(attributes & 0x07);
    }
    timestamp_type ts_type() const noexcept {
        return (attributes & 0x08) != 0 ? timestamp_type::log_append_time
                                        : timestamp_type::create_time;
    }
    bool is_transactional() const noexcept { return (attributes & 0x10) != 0; }
    bool is_control() const noexcept { return (attributes & 0x20) != 0; }
    bool has_delete_horizon() const noexcept { return (attributes & 0x40) != 0; }
    /// baseOffset + lastOffsetDelta (wrapping, as Java's long arithmetic).
    int64_t last_offset() const noexcept {
        return static_cast<int64_t>(static_cast<uint64_t>(base_offset) +
                                    static_cast<uint64_t>(int64_t{last_offset_delta}));
    }
    /// The whole batch on the wire: batchLength + 12.
    size_t size_bytes() const noexcept {
        return batch_log_overhead + static_cast<size_t>(batch_length);
    }

    bool operator==(const batch_header&) const = default;
};

/// One batch of a records blob: its header and its bytes (header included),
/// a view into the blob.
struct batch_view {
    batch_header header;
    std::string_view bytes;
};

/// Checked before anything is allocated for a batch. Kafka's own defaults
/// are smaller (message.max.bytes is about 1 MiB); the server sets its own.
struct batch_limits {
    /// A whole batch (header included), as on the wire.
    size_t max_batch_bytes = 16 * 1024 * 1024;
    /// The records block of one compressed batch once decompressed.
    size_t max_decompressed_bytes = 64 * 1024 * 1024;
    /// The records count of one batch.
    size_t max_records_per_batch = 1'000'000;
};

/// CRC-32C (Castagnoli, as RecordBatch v2 uses): check value 0xE3069283
/// for "123456789".
uint32_t crc32c(std::string_view bytes) noexcept;

/// The header at the front of `bytes` (a batch, or a blob starting with
/// one), for paths that do not need the records. Checks only what the
/// header alone shows: not the CRC, nor that the whole batch is present.
/// Errors:
///   unsupported  magic is not 2 (0 and 1 are older formats);
///   malformed    fewer than 61 bytes, or batchLength < 49.
result<batch_header> parse_batch_header(std::string_view bytes);

/// The batches of a Produce partition's records blob, each checked:
///   - complete, magic 2, 49 <= batchLength, whole batch <= max_batch_bytes;
///   - CRC-32C matches;
///   - 0 <= count <= max_records_per_batch;
///   - compression is one of the five known codes;
///   - what Kafka's LogValidator.validateBatch requires of batches from
///     clients: count > 0, lastOffsetDelta + 1 == count, not a control
///     batch, and baseSequence >= 0 when there is a producerId.
/// Records are not parsed (decode_records() or validate_records() do).
/// An empty blob gives no batches. Kafka's further Produce rules (v3+:
/// exactly one batch per partition, baseOffset 0 — ProduceRequest and
/// ReplicaManager) are the handler's, which sees the whole request.
/// Errors (the first failing batch decides):
///   malformed       a batch (or the blob's tail) is cut short, batchLength
///                   < 49, or count < 0;
///   unsupported     magic is not 2, or compression code 5-7;
///   too_large       a batch above max_batch_bytes, or count above
///                   max_records_per_batch;
///   corruption      the CRC does not match;
///   protocol_error  a validateBatch rule above (Kafka answers those with
///                   INVALID_RECORD; CRC failures with CORRUPT_MESSAGE).
result<std::vector<batch_view>> split_batches(std::string_view records, const batch_limits& limits);

/// The batches of a Fetch partition's records blob, as a consumer reads
/// them: a broker may cut the last batch short (it fills the response up to
/// a byte limit), so parsing stops at an incomplete tail, which is dropped.
/// Each complete batch is checked for magic 2, 49 <= batchLength <=
/// max_batch_bytes, CRC, 0 <= count <= max_records_per_batch; the client-only
/// rules of split_batches() do not apply (compacted batches may be empty or
/// have gaps, and control batches are normal here). Compression codes 5-7
/// are left to decode_records().
/// Errors: malformed, unsupported (magic), too_large, corruption, as above.
result<std::vector<batch_view>> split_fetched_batches(std::string_view records,
                                                      const batch_limits& limits);

struct record_header {
    std::string key;
    std::optional<std::string> value;

    bool operator==(const record_header&) const = default;
};

/// One record of a batch, its offset and timestamp relative to the batch.
struct batch_record {
    int8_t attributes = 0;
    int64_t timestamp_delta = 0;
    int32_t offset_delta = 0;
    std::optional<std::string> key;
    std::optional<std::string> value;
    std::vector<record_header> headers;

    bool operator==(const batch_record&) const = default;
};

/// The records of a batch from split_batches() / split_fetched_batches()
/// (its CRC is not checked again), decompressed if the batch is compressed
/// (bounded by max_decompressed_bytes). Exactly `count` records are read,
/// each taking exactly the bytes its length says, and nothing may follow the
/// last one. A batch with count 0 gives no records without its payload
/// being read (as Kafka's record iterator does), but its compression code
/// is still checked.
/// Errors:
///   malformed    a record or the compressed block is invalid or cut short,
///                bytes follow the last record, or the view is shorter than
///                a header;
///   too_large    decompressed bytes above max_decompressed_bytes, or count
///                above max_records_per_batch;
///   unsupported  compression code 5-7.
result<std::vector<batch_record>> decode_records(const batch_view& batch,
                                                 const batch_limits& limits);

/// decode_records() without keeping the records (no copies of keys and
/// values): whether they parse. Same errors.
status validate_records(const batch_view& batch, const batch_limits& limits);

struct batch_build_options {
    compression_type compression = compression_type::none;
    int64_t base_offset = 0;
    int64_t base_timestamp = 0;
    /// -1: the largest base_timestamp + timestamp_delta of the records (-1
    /// for an empty batch).
    int64_t max_timestamp = -1;
    int64_t producer_id = -1;
    int16_t producer_epoch = -1;
    int32_t base_sequence = -1;
    bool log_append_time = false;
    bool transactional = false;
    bool control = false;
    int32_t partition_leader_epoch = -1;
};

/// A complete batch of `records` (their offset and timestamp deltas as
/// given), with the CRC computed and the records block compressed as asked.
/// lastOffsetDelta is the last record's offset_delta (0 when empty).
/// Preconditions (programming errors, not input): is_known(compression), and
/// the batch fits the INT32 length fields.
std::string build_batch(std::span<const batch_record> records, const batch_build_options& options);

/// Write baseOffset / partitionLeaderEpoch into a batch (or a copy of one
/// inside a larger buffer): neither is covered by the CRC, which stays
/// valid. Precondition: batch.size() >= batch_header_size.
void set_base_offset(std::span<char> batch, int64_t base_offset) noexcept;
void set_partition_leader_epoch(std::span<char> batch, int32_t epoch) noexcept;

/// Marks a batch as LogAppendTime with maxTimestamp = `timestamp_ms` (what
/// a broker does for a topic with message.timestamp.type=LogAppendTime) and
/// recomputes the CRC. Precondition: `batch` is exactly one whole batch.
void set_log_append_time(std::span<char> batch, int64_t timestamp_ms) noexcept;

}  // namespace robust::kafka::codec
