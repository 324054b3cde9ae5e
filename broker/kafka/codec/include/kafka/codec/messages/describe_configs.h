#pragma once
// DescribeConfigs (key 32), versions 0-4; flexible from v4. The
// configuration of topics (resource type 2) and brokers (4).
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

/// Resource types (Kafka's ConfigResource.Type).
inline constexpr int8_t config_resource_topic = 2;
inline constexpr int8_t config_resource_broker = 4;

struct describe_configs_resource {
    int8_t resource_type = 0;
    std::string resource_name;
    std::optional<std::vector<std::string>> configuration_keys;  // nullopt: all keys

    bool operator==(const describe_configs_resource&) const = default;
};

struct describe_configs_request {
    std::vector<describe_configs_resource> resources;
    bool include_synonyms = false;       // v1+
    bool include_documentation = false;  // v3+

    bool operator==(const describe_configs_request&) const = default;
};

struct describe_configs_synonym {
    std::string name;
    std::optional<std::string> value;
    int8_t source = 0;

    bool operator==(const describe_configs_synonym&) const = default;
};

struct describe_configs_entry {
    std::string name;
    std::optional<std::string> value;
    bool read_only = false;
    bool is_default = false;    // v0 only (v1+ says it with config_source)
    int8_t config_source = -1;  // v1+
    bool is_sensitive = false;
    std::vector<describe_configs_synonym> synonyms;  // v1+
    int8_t config_type = 0;                          // v3+
    std::optional<std::string> documentation;        // v3+

    bool operator==(const describe_configs_entry&) const = default;
};

struct describe_configs_result {
    codec::error_code error_code = codec::error_code::none;
    std::optional<std::string> error_message;
    int8_t resource_type = 0;
    std::string resource_name;
    std::vector<describe_configs_entry> configs;

    bool operator==(const describe_configs_result&) const = default;
};

struct describe_configs_response {
    int32_t throttle_time_ms = 0;
    std::vector<describe_configs_result> results;

    bool operator==(const describe_configs_response&) const = default;
};

/// Errors: malformed, too_large; unsupported for a version outside 0-4.
result<describe_configs_request> decode_describe_configs_request(std::span<const std::byte> body,
                                                                 int16_t version);
void encode_describe_configs_request(writer& w, const describe_configs_request& r, int16_t version);
void encode_describe_configs_response(writer& w, const describe_configs_response& r,
                                      int16_t version);
/// Errors: malformed, too_large; unsupported for a version outside 0-4.
result<describe_configs_response> decode_describe_configs_response(std::span<const std::byte> body,
                                                                   int16_t version);

}  // namespace robust::kafka::codec
