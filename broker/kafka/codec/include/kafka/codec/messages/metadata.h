#pragma once
// Metadata (key 3), versions 0-12; flexible from v9. Brokers, topics and
// partition leaders.
//
// Request topics: nullopt asks for every topic. On the wire that is a null
// array from v1 and an empty array in v0 (v0 cannot ask for "no topics").
// Topic ids (v10+) are carried but this broker sends all-zero ids.
//
// Pure: any thread. Decoded values own their data.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/result.h"
#include "kafka/codec/api.h"
#include "kafka/codec/error_code.h"
#include "kafka/codec/wire.h"

namespace robust::kafka::codec {

struct metadata_request_topic {
    uuid topic_id{};                  // v10+
    std::optional<std::string> name;  // nullable v10+ (a topic asked for by id)

    bool operator==(const metadata_request_topic&) const = default;
};

struct metadata_request {
    std::optional<std::vector<metadata_request_topic>> topics;  // nullopt: all topics
    bool allow_auto_topic_creation = true;                      // v4+
    bool include_cluster_authorized_operations = false;         // v8-10
    bool include_topic_authorized_operations = false;           // v8+

    bool operator==(const metadata_request&) const = default;
};

struct metadata_response_broker {
    int32_t node_id = 0;
    std::string host;
    int32_t port = 0;
    std::optional<std::string> rack;  // v1+

    bool operator==(const metadata_response_broker&) const = default;
};

struct metadata_response_partition {
    codec::error_code error_code = codec::error_code::none;
    int32_t partition_index = 0;
    int32_t leader_id = -1;
    int32_t leader_epoch = -1;  // v7+
    std::vector<int32_t> replica_nodes;
    std::vector<int32_t> isr_nodes;
    std::vector<int32_t> offline_replicas;  // v5+

    bool operator==(const metadata_response_partition&) const = default;
};

struct metadata_response_topic {
    codec::error_code error_code = codec::error_code::none;
    std::optional<std::string> name;  // nullable v12+; written as "" before
    uuid topic_id{};                  // v10+
    bool is_internal = false;         // v1+
    std::vector<metadata_response_partition> partitions;
    int32_t topic_authorized_operations = authorized_operations_omitted;  // v8+

    bool operator==(const metadata_response_topic&) const = default;
};

struct metadata_response {
    int32_t throttle_time_ms = 0;  // v3+
    std::vector<metadata_response_broker> brokers;
    std::optional<std::string> cluster_id;  // v2+
    int32_t controller_id = -1;             // v1+
    std::vector<metadata_response_topic> topics;
    int32_t cluster_authorized_operations = authorized_operations_omitted;  // v8-10

    bool operator==(const metadata_response&) const = default;
};

/// Errors: malformed, too_large; unsupported for a version outside 0-12.
result<metadata_request> decode_metadata_request(std::span<const std::byte> body, int16_t version);
void encode_metadata_request(writer& w, const metadata_request& r, int16_t version);
void encode_metadata_response(writer& w, const metadata_response& r, int16_t version);
/// Errors: malformed, too_large; unsupported for a version outside 0-12.
result<metadata_response> decode_metadata_response(std::span<const std::byte> body,
                                                   int16_t version);

}  // namespace robust::kafka::codec
