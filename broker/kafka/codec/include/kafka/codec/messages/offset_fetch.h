#pragma once
// OffsetFetch (api key 9), versions 1-7, flexible from 6: a member reads the
// positions its group has committed. Versions 8+ (several groups per
// request) are not served. Fields per Apache Kafka's OffsetFetchRequest.json
// / OffsetFetchResponse.json. Contract of decode_*/encode_*: see
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

struct offset_fetch_request_topic {
    std::string name;
    std::vector<int32_t> partition_indexes;

    bool operator==(const offset_fetch_request_topic&) const = default;
};

struct offset_fetch_request {
    std::string group_id;
    /// nullopt (v2+ only) = every topic the group has offsets for; null in
    /// v1 is malformed, and is written as an empty array there.
    std::optional<std::vector<offset_fetch_request_topic>> topics;
    bool require_stable = false;  // v7+

    bool operator==(const offset_fetch_request&) const = default;
};

struct offset_fetch_response_partition {
    int32_t partition_index = 0;
    /// -1 when the group has no offset for the partition.
    int64_t committed_offset = -1;
    int32_t committed_leader_epoch = -1;  // v5+
    std::optional<std::string> metadata;
    codec::error_code error_code = codec::error_code::none;

    bool operator==(const offset_fetch_response_partition&) const = default;
};

struct offset_fetch_response_topic {
    std::string name;
    std::vector<offset_fetch_response_partition> partitions;

    bool operator==(const offset_fetch_response_topic&) const = default;
};

struct offset_fetch_response {
    int32_t throttle_time_ms = 0;  // v3+
    std::vector<offset_fetch_response_topic> topics;
    /// v2+: group or coordinator level error.
    codec::error_code error_code = codec::error_code::none;

    bool operator==(const offset_fetch_response&) const = default;
};

result<offset_fetch_request> decode_offset_fetch_request(std::span<const std::byte> body,
                                                         int16_t version);
void encode_offset_fetch_request(writer& w, const offset_fetch_request& r, int16_t version);
void encode_offset_fetch_response(writer& w, const offset_fetch_response& r, int16_t version);
result<offset_fetch_response> decode_offset_fetch_response(std::span<const std::byte> body,
                                                           int16_t version);

}  // namespace robust::kafka::codec
