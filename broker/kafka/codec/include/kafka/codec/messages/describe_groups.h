#pragma once
// DescribeGroups (api key 15), versions 0-5, flexible from 5: the state,
// protocol and members of named groups (kafka-consumer-groups --describe).
// Fields per Apache Kafka's DescribeGroupsRequest.json /
// DescribeGroupsResponse.json. Contract of decode_*/encode_*: see
// offset_commit.h. Pure: any thread.

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

struct describe_groups_request {
    std::vector<std::string> groups;
    bool include_authorized_operations = false;  // v3+

    bool operator==(const describe_groups_request&) const = default;
};

struct describe_groups_response_member {
    std::string member_id;
    std::optional<std::string> group_instance_id;  // v4+
    std::string client_id;
    std::string client_host;
    std::string member_metadata;    // BYTES
    std::string member_assignment;  // BYTES

    bool operator==(const describe_groups_response_member&) const = default;
};

struct describe_groups_response_group {
    codec::error_code error_code = codec::error_code::none;
    std::string group_id;
    std::string group_state;    // "Stable", "Empty", "Dead", ...
    std::string protocol_type;  // "consumer", or ""
    std::string protocol_data;  // the chosen protocol's name, when Stable
    std::vector<describe_groups_response_member> members;
    int32_t authorized_operations = authorized_operations_omitted;  // v3+

    bool operator==(const describe_groups_response_group&) const = default;
};

struct describe_groups_response {
    int32_t throttle_time_ms = 0;  // v1+
    std::vector<describe_groups_response_group> groups;

    bool operator==(const describe_groups_response&) const = default;
};

result<describe_groups_request> decode_describe_groups_request(std::span<const std::byte> body,
                                                               int16_t version);
void encode_describe_groups_request(writer& w, const describe_groups_request& r, int16_t version);
void encode_describe_groups_response(writer& w, const describe_groups_response& r, int16_t version);
result<describe_groups_response> decode_describe_groups_response(std::span<const std::byte> body,
                                                                 int16_t version);

}  // namespace robust::kafka::codec
