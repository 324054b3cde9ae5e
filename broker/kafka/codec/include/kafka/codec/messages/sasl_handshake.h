#pragma once
// SaslHandshake (api key 17), versions 0-1, never flexible: the client names
// a SASL mechanism; the broker says whether it is enabled and lists those
// that are. v0 is followed by raw SASL tokens (no Kafka framing around them
// beyond the size prefix); v1 by SaslAuthenticate requests. Fields per
// Apache Kafka's SaslHandshakeRequest.json / SaslHandshakeResponse.json.
// Contract of decode_*/encode_*: see offset_commit.h. Pure: any thread.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "base/result.h"
#include "kafka/codec/error_code.h"
#include "kafka/codec/wire.h"

namespace robust::kafka::codec {

struct sasl_handshake_request {
    std::string mechanism;  // "PLAIN", "SCRAM-SHA-256", ...

    bool operator==(const sasl_handshake_request&) const = default;
};

struct sasl_handshake_response {
    codec::error_code error_code = codec::error_code::none;
    std::vector<std::string> mechanisms;

    bool operator==(const sasl_handshake_response&) const = default;
};

result<sasl_handshake_request> decode_sasl_handshake_request(std::span<const std::byte> body,
                                                             int16_t version);
void encode_sasl_handshake_request(writer& w, const sasl_handshake_request& r, int16_t version);
void encode_sasl_handshake_response(writer& w, const sasl_handshake_response& r, int16_t version);
result<sasl_handshake_response> decode_sasl_handshake_response(std::span<const std::byte> body,
                                                               int16_t version);

}  // namespace robust::kafka::codec
