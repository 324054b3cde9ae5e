#pragma once
// JoinGroup (api key 11), versions 0-9, flexible from 6: a member (re)joins
// a group and, once the rebalance completes, learns its generation, the
// chosen protocol and, if it leads, every member's metadata. Fields per
// Apache Kafka's JoinGroupRequest.json / JoinGroupResponse.json. Contract of
// decode_*/encode_*: see offset_commit.h. Pure: any thread.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/result.h"
#include "kafka/codec/error_code.h"
#include "kafka/codec/wire.h"

namespace robust::kafka::codec {

struct join_group_request_protocol {
    std::string name;
    std::string metadata;  // opaque to the broker (BYTES)

    bool operator==(const join_group_request_protocol&) const = default;
};

struct join_group_request {
    std::string group_id;
    int32_t session_timeout_ms = 0;
    /// v1+; -1 (v0) means "use session_timeout_ms".
    int32_t rebalance_timeout_ms = -1;
    std::string member_id;
    std::optional<std::string> group_instance_id;  // v5+
    std::string protocol_type;
    std::vector<join_group_request_protocol> protocols;
    std::optional<std::string> reason;  // v8+

    bool operator==(const join_group_request&) const = default;
};

struct join_group_response_member {
    std::string member_id;
    std::optional<std::string> group_instance_id;  // v5+
    std::string metadata;                          // BYTES

    bool operator==(const join_group_response_member&) const = default;
};

struct join_group_response {
    int32_t throttle_time_ms = 0;  // v2+
    codec::error_code error_code = codec::error_code::none;
    int32_t generation_id = -1;
    std::optional<std::string> protocol_type;  // v7+
    /// Nullable from v7; before that a null is written as "".
    std::optional<std::string> protocol_name;
    std::string leader;
    bool skip_assignment = false;  // v9+
    std::string member_id;
    /// Filled for the leader only.
    std::vector<join_group_response_member> members;

    bool operator==(const join_group_response&) const = default;
};

result<join_group_request> decode_join_group_request(std::span<const std::byte> body,
                                                     int16_t version);
void encode_join_group_request(writer& w, const join_group_request& r, int16_t version);
void encode_join_group_response(writer& w, const join_group_response& r, int16_t version);
result<join_group_response> decode_join_group_response(std::span<const std::byte> body,
                                                       int16_t version);

}  // namespace robust::kafka::codec
