#pragma once
// DeleteGroups (api key 42), versions 0-2, flexible from 2: removes empty
// groups and their committed offsets. Fields per Apache Kafka's
// DeleteGroupsRequest.json / DeleteGroupsResponse.json. Contract of
// decode_*/encode_*: see offset_commit.h. Pure: any thread.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "base/result.h"
#include "kafka/codec/error_code.h"
#include "kafka/codec/wire.h"

namespace robust::kafka::codec {

struct delete_groups_request {
    std::vector<std::string> groups_names;

    bool operator==(const delete_groups_request&) const = default;
};

struct delete_groups_response_result {
    std::string group_id;
    codec::error_code error_code = codec::error_code::none;

    bool operator==(const delete_groups_response_result&) const = default;
};

struct delete_groups_response {
    int32_t throttle_time_ms = 0;
    std::vector<delete_groups_response_result> results;

    bool operator==(const delete_groups_response&) const = default;
};

result<delete_groups_request> decode_delete_groups_request(std::span<const std::byte> body,
                                                           int16_t version);
void encode_delete_groups_request(writer& w, const delete_groups_request& r, int16_t version);
void encode_delete_groups_response(writer& w, const delete_groups_response& r, int16_t version);
result<delete_groups_response> decode_delete_groups_response(std::span<const std::byte> body,
                                                             int16_t version);

}  // namespace robust::kafka::codec
