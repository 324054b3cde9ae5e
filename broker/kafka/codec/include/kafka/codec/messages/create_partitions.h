#pragma once
// CreatePartitions (key 37), versions 0-3; flexible from v2. Raises a
// topic's partition count.
//
// Pure: any thread. Decoded values own their data.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/result.h"
#include "kafka/codec/error_code.h"
#include "kafka/codec/wire.h"

namespace robust::kafka::codec {

/// The replicas of one new partition.
struct create_partitions_assignment {
    std::vector<int32_t> broker_ids;

    bool operator==(const create_partitions_assignment&) const = default;
};

struct create_partitions_topic {
    std::string name;
    int32_t count = 0;  // the new total partition count
    /// One entry per new partition, or null (nullopt) to let the broker place them.
    std::optional<std::vector<create_partitions_assignment>> assignments;

    bool operator==(const create_partitions_topic&) const = default;
};

struct create_partitions_request {
    std::vector<create_partitions_topic> topics;
    int32_t timeout_ms = 0;
    bool validate_only = false;

    bool operator==(const create_partitions_request&) const = default;
};

struct create_partitions_result {
    std::string name;
    codec::error_code error_code = codec::error_code::none;
    std::optional<std::string> error_message;

    bool operator==(const create_partitions_result&) const = default;
};

struct create_partitions_response {
    int32_t throttle_time_ms = 0;
    std::vector<create_partitions_result> results;

    bool operator==(const create_partitions_response&) const = default;
};

/// Errors: malformed, too_large; unsupported for a version outside 0-3.
result<create_partitions_request> decode_create_partitions_request(std::span<const std::byte> body,
                                                                   int16_t version);
void encode_create_partitions_request(writer& w, const create_partitions_request& r,
                                      int16_t version);
void encode_create_partitions_response(writer& w, const create_partitions_response& r,
                                       int16_t version);
/// Errors: malformed, too_large; unsupported for a version outside 0-3.
result<create_partitions_response> decode_create_partitions_response(
    std::span<const std::byte> body, int16_t version);

}  // namespace robust::kafka::codec
