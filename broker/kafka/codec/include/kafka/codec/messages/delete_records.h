#pragma once
// DeleteRecords (key 21), versions 0-2; flexible from v2. Moves a
// partition's log start offset forward (offset -1: to the high watermark).
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

struct delete_records_request_partition {
    int32_t partition_index = 0;
    int64_t offset = 0;

    bool operator==(const delete_records_request_partition&) const = default;
};

struct delete_records_request_topic {
    std::string name;
    std::vector<delete_records_request_partition> partitions;

    bool operator==(const delete_records_request_topic&) const = default;
};

struct delete_records_request {
    std::vector<delete_records_request_topic> topics;
    int32_t timeout_ms = 0;

    bool operator==(const delete_records_request&) const = default;
};

struct delete_records_response_partition {
    int32_t partition_index = 0;
    int64_t low_watermark = 0;
    codec::error_code error_code = codec::error_code::none;

    bool operator==(const delete_records_response_partition&) const = default;
};

struct delete_records_response_topic {
    std::string name;
    std::vector<delete_records_response_partition> partitions;

    bool operator==(const delete_records_response_topic&) const = default;
};

struct delete_records_response {
    int32_t throttle_time_ms = 0;
    std::vector<delete_records_response_topic> topics;

    bool operator==(const delete_records_response&) const = default;
};

/// Errors: malformed, too_large; unsupported for a version outside 0-2.
result<delete_records_request> decode_delete_records_request(std::span<const std::byte> body,
                                                             int16_t version);
void encode_delete_records_request(writer& w, const delete_records_request& r, int16_t version);
void encode_delete_records_response(writer& w, const delete_records_response& r, int16_t version);
/// Errors: malformed, too_large; unsupported for a version outside 0-2.
result<delete_records_response> decode_delete_records_response(std::span<const std::byte> body,
                                                               int16_t version);

}  // namespace robust::kafka::codec
