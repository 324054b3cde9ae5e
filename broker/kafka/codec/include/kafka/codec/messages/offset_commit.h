#pragma once
// OffsetCommit (api key 8), versions 2-8, flexible from 8: a group member
// stores the positions it has consumed up to. Fields per Apache Kafka's
// OffsetCommitRequest.json / OffsetCommitResponse.json; a field lists the
// versions that carry it, others leave it at its default.
//
// Every message header in kafka/codec/messages/ follows the same contract:
//  - decode_*(body, version) reads the body after the request/response
//    header with a reader that is flexible iff is_flexible(key, version).
//    Errors: errc::malformed (truncated, bad encoding, or null where the
//    schema forbids it), errc::too_large (a length or count larger than
//    the bytes left; checked before anything is allocated) or
//    errc::unsupported (a version api.h does not advertise for the key).
//    Bytes after the body are ignored, as Kafka does.
//  - encode_*(w, value, version) appends the body; `version` must be one
//    api.h advertises and `w` flexible iff is_flexible(key, version) (both
//    asserted). Fields the version lacks are not written; a null the version
//    cannot carry is written as the empty value.
// Pure: any thread; decoded values own their bytes.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/result.h"
#include "kafka/codec/error_code.h"
#include "kafka/codec/wire.h"

namespace robust::kafka::codec {

struct offset_commit_request_partition {
    int32_t partition_index = 0;
    int64_t committed_offset = 0;
    int32_t committed_leader_epoch = -1;  // v6+
    std::optional<std::string> committed_metadata;

    bool operator==(const offset_commit_request_partition&) const = default;
};

struct offset_commit_request_topic {
    std::string name;
    std::vector<offset_commit_request_partition> partitions;

    bool operator==(const offset_commit_request_topic&) const = default;
};

struct offset_commit_request {
    std::string group_id;
    /// -1 for a commit from outside the group (simple consumer, admin).
    int32_t generation_id_or_member_epoch = -1;
    std::string member_id;
    std::optional<std::string> group_instance_id;  // v7+
    /// v2-4; -1 = the broker's retention.
    int64_t retention_time_ms = -1;
    std::vector<offset_commit_request_topic> topics;

    bool operator==(const offset_commit_request&) const = default;
};

struct offset_commit_response_partition {
    int32_t partition_index = 0;
    codec::error_code error_code = codec::error_code::none;

    bool operator==(const offset_commit_response_partition&) const = default;
};

struct offset_commit_response_topic {
    std::string name;
    std::vector<offset_commit_response_partition> partitions;

    bool operator==(const offset_commit_response_topic&) const = default;
};

struct offset_commit_response {
    int32_t throttle_time_ms = 0;  // v3+
    std::vector<offset_commit_response_topic> topics;

    bool operator==(const offset_commit_response&) const = default;
};

result<offset_commit_request> decode_offset_commit_request(std::span<const std::byte> body,
                                                           int16_t version);
void encode_offset_commit_request(writer& w, const offset_commit_request& r, int16_t version);
void encode_offset_commit_response(writer& w, const offset_commit_response& r, int16_t version);
result<offset_commit_response> decode_offset_commit_response(std::span<const std::byte> body,
                                                             int16_t version);

}  // namespace robust::kafka::codec
