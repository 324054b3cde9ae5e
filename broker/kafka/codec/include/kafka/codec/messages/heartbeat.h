#pragma once
// Heartbeat (api key 12), versions 0-4, flexible from 4: a member tells the
// coordinator it is alive and learns whether a rebalance has started. Fields
// per Apache Kafka's HeartbeatRequest.json / HeartbeatResponse.json.
// Contract of decode_*/encode_*: see offset_commit.h. Pure: any thread.

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "base/result.h"
#include "kafka/codec/error_code.h"
#include "kafka/codec/wire.h"

namespace robust::kafka::codec {

struct heartbeat_request {
    std::string group_id;
    int32_t generation_id = 0;
    std::string member_id;
    std::optional<std::string> group_instance_id;  // v3+

    bool operator==(const heartbeat_request&) const = default;
};

struct heartbeat_response {
    int32_t throttle_time_ms = 0;  // v1+
    codec::error_code error_code = codec::error_code::none;

    bool operator==(const heartbeat_response&) const = default;
};

result<heartbeat_request> decode_heartbeat_request(std::span<const std::byte> body,
                                                   int16_t version);
void encode_heartbeat_request(writer& w, const heartbeat_request& r, int16_t version);
void encode_heartbeat_response(writer& w, const heartbeat_response& r, int16_t version);
result<heartbeat_response> decode_heartbeat_response(std::span<const std::byte> body,
                                                     int16_t version);

}  // namespace robust::kafka::codec
