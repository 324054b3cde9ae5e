#pragma once
// SyncGroup (api key 14), versions 0-5, flexible from 4: after JoinGroup
// the leader sends every member's assignment and each member receives its
// own. Fields per Apache Kafka's SyncGroupRequest.json /
// SyncGroupResponse.json. Contract of decode_*/encode_*: see
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

struct sync_group_request_assignment {
    std::string member_id;
    std::string assignment;  // opaque to the broker (BYTES)

    bool operator==(const sync_group_request_assignment&) const = default;
};

struct sync_group_request {
    std::string group_id;
    int32_t generation_id = 0;
    std::string member_id;
    std::optional<std::string> group_instance_id;  // v3+
    std::optional<std::string> protocol_type;      // v5+
    std::optional<std::string> protocol_name;      // v5+
    /// Sent by the leader only.
    std::vector<sync_group_request_assignment> assignments;

    bool operator==(const sync_group_request&) const = default;
};

struct sync_group_response {
    int32_t throttle_time_ms = 0;  // v1+
    codec::error_code error_code = codec::error_code::none;
    std::optional<std::string> protocol_type;  // v5+
    std::optional<std::string> protocol_name;  // v5+
    std::string assignment;                    // BYTES

    bool operator==(const sync_group_response&) const = default;
};

result<sync_group_request> decode_sync_group_request(std::span<const std::byte> body,
                                                     int16_t version);
void encode_sync_group_request(writer& w, const sync_group_request& r, int16_t version);
void encode_sync_group_response(writer& w, const sync_group_response& r, int16_t version);
result<sync_group_response> decode_sync_group_response(std::span<const std::byte> body,
                                                       int16_t version);

}  // namespace robust::kafka::codec
