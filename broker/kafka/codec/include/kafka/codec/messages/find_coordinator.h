#pragma once
// FindCoordinator (api key 10), versions 0-4, flexible from 3: which broker
// coordinates a group (or a transactional id). v0-3 ask for one key and
// answer with one coordinator; v4 (KIP-699) batches keys and answers with a
// list. Fields per Apache Kafka's FindCoordinatorRequest.json /
// FindCoordinatorResponse.json. Contract of decode_*/encode_*: see
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

/// FindCoordinator key types (the protocol's CoordinatorType).
inline constexpr int8_t coordinator_key_type_group = 0;
inline constexpr int8_t coordinator_key_type_transaction = 1;

struct find_coordinator_request {
    std::string key;                            // v0-3
    int8_t key_type = 0;                        // v1+
    std::vector<std::string> coordinator_keys;  // v4+

    bool operator==(const find_coordinator_request&) const = default;
};

/// One answer of a v4 response.
struct find_coordinator_response_coordinator {
    std::string key;
    int32_t node_id = 0;
    std::string host;
    int32_t port = 0;
    codec::error_code error_code = codec::error_code::none;
    std::optional<std::string> error_message;

    bool operator==(const find_coordinator_response_coordinator&) const = default;
};

struct find_coordinator_response {
    int32_t throttle_time_ms = 0;  // v1+
    // v0-3: the single answer.
    codec::error_code error_code = codec::error_code::none;
    std::optional<std::string> error_message;  // v1-3
    int32_t node_id = 0;
    std::string host;
    int32_t port = 0;
    // v4+: one answer per requested key.
    std::vector<find_coordinator_response_coordinator> coordinators;

    bool operator==(const find_coordinator_response&) const = default;
};

result<find_coordinator_request> decode_find_coordinator_request(std::span<const std::byte> body,
                                                                 int16_t version);
void encode_find_coordinator_request(writer& w, const find_coordinator_request& r, int16_t version);
void encode_find_coordinator_response(writer& w, const find_coordinator_response& r,
                                      int16_t version);
result<find_coordinator_response> decode_find_coordinator_response(std::span<const std::byte> body,
                                                                   int16_t version);

}  // namespace robust::kafka::codec
