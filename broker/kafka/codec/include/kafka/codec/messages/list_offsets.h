#pragma once
// ListOffsets (key 2), versions 1-6; flexible from v6. The offset of a
// timestamp, or of the log start / end (timestamps -2 / -1). v0, which
// returned several offsets (max_num_offsets), is not supported.
//
// Pure: any thread. Decoded values own their data.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "base/result.h"
#include "kafka/codec/error_code.h"
#include "kafka/codec/wire.h"

namespace robust::kafka::codec {

/// Special ListOffsets request timestamps.
inline constexpr int64_t list_offsets_latest = -1;
inline constexpr int64_t list_offsets_earliest = -2;

struct list_offsets_request_partition {
    int32_t partition_index = 0;
    int32_t current_leader_epoch = -1;  // v4+
    int64_t timestamp = 0;

    bool operator==(const list_offsets_request_partition&) const = default;
};

struct list_offsets_request_topic {
    std::string name;
    std::vector<list_offsets_request_partition> partitions;

    bool operator==(const list_offsets_request_topic&) const = default;
};

struct list_offsets_request {
    int32_t replica_id = -1;
    int8_t isolation_level = 0;  // v2+
    std::vector<list_offsets_request_topic> topics;

    bool operator==(const list_offsets_request&) const = default;
};

struct list_offsets_response_partition {
    int32_t partition_index = 0;
    codec::error_code error_code = codec::error_code::none;
    int64_t timestamp = -1;
    int64_t offset = -1;
    int32_t leader_epoch = -1;  // v4+

    bool operator==(const list_offsets_response_partition&) const = default;
};

struct list_offsets_response_topic {
    std::string name;
    std::vector<list_offsets_response_partition> partitions;

    bool operator==(const list_offsets_response_topic&) const = default;
};

struct list_offsets_response {
    int32_t throttle_time_ms = 0;  // v2+
    std::vector<list_offsets_response_topic> topics;

    bool operator==(const list_offsets_response&) const = default;
};

/// Errors: malformed, too_large; unsupported for a version outside 1-6.
result<list_offsets_request> decode_list_offsets_request(std::span<const std::byte> body,
                                                         int16_t version);
void encode_list_offsets_request(writer& w, const list_offsets_request& r, int16_t version);
void encode_list_offsets_response(writer& w, const list_offsets_response& r, int16_t version);
/// Errors: malformed, too_large; unsupported for a version outside 1-6.
result<list_offsets_response> decode_list_offsets_response(std::span<const std::byte> body,
                                                           int16_t version);

}  // namespace robust::kafka::codec
