#pragma once
// SaslAuthenticate (api key 36), versions 0-2, flexible from 2: one SASL
// token each way, after SaslHandshake v1. Fields per Apache Kafka's
// SaslAuthenticateRequest.json / SaslAuthenticateResponse.json. Contract of
// decode_*/encode_*: see offset_commit.h. Pure: any thread.

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "base/result.h"
#include "kafka/codec/error_code.h"
#include "kafka/codec/wire.h"

namespace robust::kafka::codec {

struct sasl_authenticate_request {
    std::string auth_bytes;  // the mechanism's client token (BYTES)

    bool operator==(const sasl_authenticate_request&) const = default;
};

struct sasl_authenticate_response {
    codec::error_code error_code = codec::error_code::none;
    std::optional<std::string> error_message;
    std::string auth_bytes;  // the mechanism's server token (BYTES)
    /// v1+: ms until the client must re-authenticate (KIP-368); 0 = never.
    int64_t session_lifetime_ms = 0;

    bool operator==(const sasl_authenticate_response&) const = default;
};

result<sasl_authenticate_request> decode_sasl_authenticate_request(std::span<const std::byte> body,
                                                                   int16_t version);
void encode_sasl_authenticate_request(writer& w, const sasl_authenticate_request& r,
                                      int16_t version);
void encode_sasl_authenticate_response(writer& w, const sasl_authenticate_response& r,
                                       int16_t version);
result<sasl_authenticate_response> decode_sasl_authenticate_response(
    std::span<const std::byte> body, int16_t version);

}  // namespace robust::kafka::codec
