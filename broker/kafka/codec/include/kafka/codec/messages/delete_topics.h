#pragma once
// DeleteTopics (key 20), versions 0-5; flexible from v4. Topics by name
// only: v6+ (topic ids) is left out.
//
// Pure: any thread. Decoded values own their data.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/result.h"
#include "kafka/codec/error_code.h"
#include "kafka/codec/wire.h"

namespace robust::kafka::codec {

struct delete_topics_request {
    std::vector<std::string> topic_names;
    int32_t timeout_ms = 0;

    bool operator==(const delete_topics_request&) const = default;
};

struct delete_topics_response_topic {
    std::string name;
    codec::error_code error_code = codec::error_code::none;
    std::optional<std::string> error_message;  // v5+

    bool operator==(const delete_topics_response_topic&) const = default;
};

struct delete_topics_response {
    int32_t throttle_time_ms = 0;  // v1+
    std::vector<delete_topics_response_topic> responses;

    bool operator==(const delete_topics_response&) const = default;
};

/// Errors: malformed, too_large; unsupported for a version outside 0-5.
result<delete_topics_request> decode_delete_topics_request(std::span<const std::byte> body,
                                                           int16_t version);
void encode_delete_topics_request(writer& w, const delete_topics_request& r, int16_t version);
void encode_delete_topics_response(writer& w, const delete_topics_response& r, int16_t version);
/// Errors: malformed, too_large; unsupported for a version outside 0-5.
result<delete_topics_response> decode_delete_topics_response(std::span<const std::byte> body,
                                                             int16_t version);

}  // namespace robust::kafka::codec
