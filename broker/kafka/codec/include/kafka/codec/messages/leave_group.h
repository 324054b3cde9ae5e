#pragma once
// LeaveGroup (api key 13), versions 0-5, flexible from 4: members leave a
// group. v0-2 name one member; v3+ (KIP-345) a batch of member identities,
// answered per member. Fields per Apache Kafka's LeaveGroupRequest.json /
// LeaveGroupResponse.json. Contract of decode_*/encode_*: see
// offset_commit.h. Pure: any thread.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/result.h"
#include "kafka/codec/error_code.h"
#include "kafka/codec/wire.h"

namespace robust::kafka::codec {

struct leave_group_request_member {
    std::string member_id;
    std::optional<std::string> group_instance_id;
    std::optional<std::string> reason;  // v5+

    bool operator==(const leave_group_request_member&) const = default;
};

struct leave_group_request {
    std::string group_id;
    std::string member_id;                            // v0-2
    std::vector<leave_group_request_member> members;  // v3+

    bool operator==(const leave_group_request&) const = default;
};

struct leave_group_response_member {
    std::string member_id;
    std::optional<std::string> group_instance_id;
    codec::error_code error_code = codec::error_code::none;

    bool operator==(const leave_group_response_member&) const = default;
};

struct leave_group_response {
    int32_t throttle_time_ms = 0;  // v1+
    codec::error_code error_code = codec::error_code::none;
    std::vector<leave_group_response_member> members;  // v3+

    bool operator==(const leave_group_response&) const = default;
};

result<leave_group_request> decode_leave_group_request(std::span<const std::byte> body,
                                                       int16_t version);
void encode_leave_group_request(writer& w, const leave_group_request& r, int16_t version);
void encode_leave_group_response(writer& w, const leave_group_response& r, int16_t version);
result<leave_group_response> decode_leave_group_response(std::span<const std::byte> body,
                                                         int16_t version);

}  // namespace robust::kafka::codec
