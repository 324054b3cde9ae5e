#pragma once
// Fetch (key 1), versions 4-12; flexible from v12. v4 is the first version
// whose responses carry RecordBatch v2 only; v13+ name topics by id and are
// left out.
//
// Response records are always encoded as BYTES / COMPACT_BYTES, never null,
// even when empty: librdkafka treats null records as a protocol error. A
// null read back by decode_fetch_response becomes "".
//
// Pure: any thread. Decoded values own their data.

#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/result.h"
#include "kafka/codec/error_code.h"
#include "kafka/codec/wire.h"

namespace robust::kafka::codec {

struct fetch_request_partition {
    int32_t partition = 0;
    int32_t current_leader_epoch = -1;  // v9+
    int64_t fetch_offset = 0;
    int32_t last_fetched_epoch = -1;  // v12+
    int64_t log_start_offset = -1;    // v5+ (followers only)
    int32_t partition_max_bytes = 0;

    bool operator==(const fetch_request_partition&) const = default;
};

struct fetch_request_topic {
    std::string topic;
    std::vector<fetch_request_partition> partitions;

    bool operator==(const fetch_request_topic&) const = default;
};

/// v7+: partitions an incremental fetch session drops (KIP-227).
struct fetch_forgotten_topic {
    std::string topic;
    std::vector<int32_t> partitions;

    bool operator==(const fetch_forgotten_topic&) const = default;
};

struct fetch_request {
    std::optional<std::string> cluster_id;  // v12+ tagged field 0
    int32_t replica_id = -1;                // -1 for consumers
    int32_t max_wait_ms = 0;
    int32_t min_bytes = 0;
    int32_t max_bytes = std::numeric_limits<int32_t>::max();
    int8_t isolation_level = 0;  // 0 read_uncommitted, 1 read_committed
    int32_t session_id = 0;      // v7+
    int32_t session_epoch = -1;  // v7+
    std::vector<fetch_request_topic> topics;
    std::vector<fetch_forgotten_topic> forgotten_topics_data;  // v7+
    std::string rack_id;                                       // v11+

    bool operator==(const fetch_request&) const = default;
};

struct fetch_aborted_transaction {
    int64_t producer_id = 0;
    int64_t first_offset = 0;

    bool operator==(const fetch_aborted_transaction&) const = default;
};

/// v12+ tagged field 0 of a partition (KIP-595 divergence).
struct fetch_epoch_end_offset {
    int32_t epoch = -1;
    int64_t end_offset = -1;

    bool operator==(const fetch_epoch_end_offset&) const = default;
};

/// v12+ tagged field 1 of a partition.
struct fetch_leader_id_and_epoch {
    int32_t leader_id = -1;
    int32_t leader_epoch = -1;

    bool operator==(const fetch_leader_id_and_epoch&) const = default;
};

/// v12+ tagged field 2 of a partition.
struct fetch_snapshot_id {
    int64_t end_offset = -1;
    int32_t epoch = -1;

    bool operator==(const fetch_snapshot_id&) const = default;
};

struct fetch_response_partition {
    int32_t partition_index = 0;
    codec::error_code error_code = codec::error_code::none;
    int64_t high_watermark = 0;
    int64_t last_stable_offset = -1;  // v4+
    int64_t log_start_offset = -1;    // v5+
    // v12+ tagged fields, written only when set (this broker sets none).
    std::optional<fetch_epoch_end_offset> diverging_epoch;
    std::optional<fetch_leader_id_and_epoch> current_leader;
    std::optional<fetch_snapshot_id> snapshot_id;
    /// v4+, nullable on the wire; empty (not null) by default, which every
    /// client accepts.
    std::optional<std::vector<fetch_aborted_transaction>> aborted_transactions =
        std::vector<fetch_aborted_transaction>{};
    int32_t preferred_read_replica = -1;  // v11+
    /// Record batches, possibly none; never encoded as null (see above).
    std::string records;

    bool operator==(const fetch_response_partition&) const = default;
};

struct fetch_response_topic {
    std::string topic;
    std::vector<fetch_response_partition> partitions;

    bool operator==(const fetch_response_topic&) const = default;
};

struct fetch_response {
    int32_t throttle_time_ms = 0;
    codec::error_code error_code = codec::error_code::none;  // v7+
    int32_t session_id = 0;                                  // v7+
    std::vector<fetch_response_topic> responses;

    bool operator==(const fetch_response&) const = default;
};

/// Errors: malformed, too_large; unsupported for a version outside 4-12.
result<fetch_request> decode_fetch_request(std::span<const std::byte> body, int16_t version);
void encode_fetch_request(writer& w, const fetch_request& r, int16_t version);
void encode_fetch_response(writer& w, const fetch_response& r, int16_t version);
/// Errors: malformed, too_large; unsupported for a version outside 4-12.
result<fetch_response> decode_fetch_response(std::span<const std::byte> body, int16_t version);

}  // namespace robust::kafka::codec
