#pragma once
// ApiVersions (key 18), versions 0-3; v3 is flexible. The first request of
// most clients: it asks which versions of which APIs we serve.
//
// Two quirks of this API (Kafka protocol guide, KIP-511):
//  - the response header is always v0 (no tagged fields), even when the body
//    is flexible (write_response_header handles that);
//  - a request whose version we do not support cannot be parsed, so it is
//    answered with a v0 body: error UNSUPPORTED_VERSION plus our api_keys,
//    from which the client picks a version and retries. That reply is
//    encode_api_versions_response(w, r, 0), or whole, framed, from
//    encode_api_versions_fallback_response().
//
// Pure: any thread. Decoded values own their data.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "base/result.h"
#include "kafka/codec/error_code.h"
#include "kafka/codec/wire.h"

namespace robust::kafka::codec {

struct api_versions_request {
    std::string client_software_name;     // v3+
    std::string client_software_version;  // v3+

    bool operator==(const api_versions_request&) const = default;
};

struct api_versions_response_key {
    int16_t api_key = 0;
    int16_t min_version = 0;
    int16_t max_version = 0;

    bool operator==(const api_versions_response_key&) const = default;
};

/// v3+ tagged field 0: a feature the broker supports (KIP-584).
struct api_versions_supported_feature {
    std::string name;
    int16_t min_version = 0;
    int16_t max_version = 0;

    bool operator==(const api_versions_supported_feature&) const = default;
};

/// v3+ tagged field 2: a cluster-wide finalized feature (KIP-584).
struct api_versions_finalized_feature {
    std::string name;
    int16_t max_version_level = 0;
    int16_t min_version_level = 0;

    bool operator==(const api_versions_finalized_feature&) const = default;
};

struct api_versions_response {
    codec::error_code error_code = codec::error_code::none;
    std::vector<api_versions_response_key> api_keys;
    int32_t throttle_time_ms = 0;  // v1+
    // v3+ tagged fields, each written only when it differs from its default
    // (this broker leaves them all at their defaults).
    std::vector<api_versions_supported_feature> supported_features;  // tag 0
    int64_t finalized_features_epoch = -1;                           // tag 1
    std::vector<api_versions_finalized_feature> finalized_features;  // tag 2
    bool zk_migration_ready = false;                                 // tag 3

    bool operator==(const api_versions_response&) const = default;
};

/// Errors: malformed, too_large; unsupported for a version outside 0-3.
result<api_versions_request> decode_api_versions_request(std::span<const std::byte> body,
                                                         int16_t version);
void encode_api_versions_request(writer& w, const api_versions_request& r, int16_t version);
void encode_api_versions_response(writer& w, const api_versions_response& r, int16_t version);
/// Errors: malformed, too_large; unsupported for a version outside 0-3.
result<api_versions_response> decode_api_versions_response(std::span<const std::byte> body,
                                                           int16_t version);

/// supported_apis() as ApiVersions lists them, in api_key order.
std::vector<api_versions_response_key> supported_api_versions();

/// The whole reply, ready for the socket (size prefix, response header v0,
/// v0 body with UNSUPPORTED_VERSION and supported_api_versions()), to an
/// ApiVersions request of a version we do not implement.
std::string encode_api_versions_fallback_response(int32_t correlation_id);

}  // namespace robust::kafka::codec
