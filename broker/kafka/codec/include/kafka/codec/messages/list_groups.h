#pragma once
// ListGroups (api key 16), versions 0-4, flexible from 3: every group the
// broker coordinates, optionally filtered by state (v4, KIP-518). Fields per
// Apache Kafka's ListGroupsRequest.json / ListGroupsResponse.json. Contract
// of decode_*/encode_*: see offset_commit.h. Pure: any thread.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "base/result.h"
#include "kafka/codec/error_code.h"
#include "kafka/codec/wire.h"

namespace robust::kafka::codec {

struct list_groups_request {
    /// v4+; empty = every group.
    std::vector<std::string> states_filter;

    bool operator==(const list_groups_request&) const = default;
};

struct list_groups_response_group {
    std::string group_id;
    std::string protocol_type;
    std::string group_state;  // v4+

    bool operator==(const list_groups_response_group&) const = default;
};

struct list_groups_response {
    int32_t throttle_time_ms = 0;  // v1+
    codec::error_code error_code = codec::error_code::none;
    std::vector<list_groups_response_group> groups;

    bool operator==(const list_groups_response&) const = default;
};

result<list_groups_request> decode_list_groups_request(std::span<const std::byte> body,
                                                       int16_t version);
void encode_list_groups_request(writer& w, const list_groups_request& r, int16_t version);
void encode_list_groups_response(writer& w, const list_groups_response& r, int16_t version);
result<list_groups_response> decode_list_groups_response(std::span<const std::byte> body,
                                                         int16_t version);

}  // namespace robust::kafka::codec
