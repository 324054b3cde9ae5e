#pragma once
// Produce (key 0), versions 0-9; flexible from v9. v3 is the first version
// that carries RecordBatch v2 (magic 2), the only record format we accept;
// v0-2 (transactional_id absent, no log_append_time before v2, no throttle
// before v1) are decoded so the server can refuse their message sets.
//
// Zero copy: a decoded produce_request_partition::records is a view into the
// `body` given to decode_produce_request. The caller keeps that buffer alive
// (and unchanged) for as long as it uses the decoded request; in the server
// the connection's request buffer outlives the handler's use of it.
//
// Pure: any thread.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "kafka/codec/error_code.h"
#include "kafka/codec/wire.h"

namespace robust::kafka::codec {

struct produce_request_partition {
    int32_t index = 0;
    /// The record batches as sent (nullable on the wire); a view into the
    /// request body, see above.
    std::optional<std::string_view> records;

    bool operator==(const produce_request_partition&) const = default;
};

struct produce_request_topic {
    std::string name;
    std::vector<produce_request_partition> partition_data;

    bool operator==(const produce_request_topic&) const = default;
};

struct produce_request {
    std::optional<std::string> transactional_id;
    int16_t acks = 0;  // 0, 1 or -1 (all in-sync replicas)
    int32_t timeout_ms = 0;
    std::vector<produce_request_topic> topic_data;

    bool operator==(const produce_request&) const = default;
};

/// v8+: a record that made the broker drop its whole batch (KIP-467).
struct produce_record_error {
    int32_t batch_index = 0;
    std::optional<std::string> batch_index_error_message;

    bool operator==(const produce_record_error&) const = default;
};

struct produce_response_partition {
    int32_t index = 0;
    codec::error_code error_code = codec::error_code::none;
    int64_t base_offset = -1;
    int64_t log_append_time_ms = -1;                  // -1 for CreateTime topics
    int64_t log_start_offset = -1;                    // v5+
    std::vector<produce_record_error> record_errors;  // v8+
    std::optional<std::string> error_message;         // v8+

    bool operator==(const produce_response_partition&) const = default;
};

struct produce_response_topic {
    std::string name;
    std::vector<produce_response_partition> partition_responses;

    bool operator==(const produce_response_topic&) const = default;
};

struct produce_response {
    std::vector<produce_response_topic> responses;
    int32_t throttle_time_ms = 0;

    bool operator==(const produce_response&) const = default;
};

/// Errors: malformed, too_large; unsupported for a version outside 0-9.
/// The records views point into `body`.
result<produce_request> decode_produce_request(std::span<const std::byte> body, int16_t version);
void encode_produce_request(writer& w, const produce_request& r, int16_t version);
void encode_produce_response(writer& w, const produce_response& r, int16_t version);
/// Errors: malformed, too_large; unsupported for a version outside 0-9.
result<produce_response> decode_produce_response(std::span<const std::byte> body, int16_t version);

}  // namespace robust::kafka::codec
