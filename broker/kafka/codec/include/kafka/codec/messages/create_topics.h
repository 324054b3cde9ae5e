#pragma once
// CreateTopics (key 19), versions 0-7; flexible from v5. From v5 a
// successful result also describes the topic created (KIP-525), from v7 with
// its id (this broker sends all-zero ids).
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

struct create_topics_assignment {
    int32_t partition_index = 0;
    std::vector<int32_t> broker_ids;

    bool operator==(const create_topics_assignment&) const = default;
};

struct create_topics_config {
    std::string name;
    std::optional<std::string> value;

    bool operator==(const create_topics_config&) const = default;
};

struct create_topics_request_topic {
    std::string name;
    int32_t num_partitions = -1;      // -1: broker default or assignments
    int16_t replication_factor = -1;  // -1: broker default or assignments
    std::vector<create_topics_assignment> assignments;
    std::vector<create_topics_config> configs;

    bool operator==(const create_topics_request_topic&) const = default;
};

struct create_topics_request {
    std::vector<create_topics_request_topic> topics;
    int32_t timeout_ms = 60000;
    bool validate_only = false;  // v1+

    bool operator==(const create_topics_request&) const = default;
};

/// v5+: one configuration of a created topic.
struct create_topics_result_config {
    std::string name;
    std::optional<std::string> value;
    bool read_only = false;
    int8_t config_source = -1;
    bool is_sensitive = false;

    bool operator==(const create_topics_result_config&) const = default;
};

struct create_topics_response_topic {
    std::string name;
    uuid topic_id{};  // v7+
    codec::error_code error_code = codec::error_code::none;
    std::optional<std::string> error_message;  // v1+
    /// v5+ tagged field 0, written only when not none: why configs is absent.
    codec::error_code topic_config_error_code = codec::error_code::none;
    int32_t num_partitions = -1;      // v5+
    int16_t replication_factor = -1;  // v5+
    /// v5+, nullable.
    std::optional<std::vector<create_topics_result_config>> configs =
        std::vector<create_topics_result_config>{};

    bool operator==(const create_topics_response_topic&) const = default;
};

struct create_topics_response {
    int32_t throttle_time_ms = 0;  // v2+
    std::vector<create_topics_response_topic> topics;

    bool operator==(const create_topics_response&) const = default;
};

/// Errors: malformed, too_large; unsupported for a version outside 0-7.
result<create_topics_request> decode_create_topics_request(std::span<const std::byte> body,
                                                           int16_t version);
void encode_create_topics_request(writer& w, const create_topics_request& r, int16_t version);
void encode_create_topics_response(writer& w, const create_topics_response& r, int16_t version);
/// Errors: malformed, too_large; unsupported for a version outside 0-7.
result<create_topics_response> decode_create_topics_response(std::span<const std::byte> body,
                                                             int16_t version);

}  // namespace robust::kafka::codec
