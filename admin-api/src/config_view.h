#pragma once
// The config as GET /api/v1/config shows it, and the subset PATCH may change.
//
// config_json() lists every key config::config_keys() accepts, grouped by
// section: {"node":{"id":1,...},"log":{...},...}. There are no secrets in
// the config (passwords live in the auth store; [tls] holds file paths).
//
// Runtime-changeable keys (everything else needs an edit of the config file
// and a restart): log.level, auth.anonymous, auth.acl_default. apply_patch()
// validates a whole PATCH body against them first and changes nothing
// unless every member is acceptable.
//
// Pure functions of their arguments: any thread.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/config.h"

namespace robust::admin::detail {

/// Sections and keys in documentation order.
nlohmann::ordered_json config_json(const config::server_config& c);

/// "log.level", "auth.anonymous", "auth.acl_default".
const std::vector<std::string>& runtime_changeable_keys();

struct patch_error {
    std::string field;  // the "section.key" at fault
    std::string message;
};

/// Applies `patch` ({"section.key": value, ...}) to `c` if every member names
/// a runtime-changeable key with an allowed value; otherwise returns the
/// first problem and leaves `c` as it was. An empty patch is an error
/// (field "body").
std::optional<patch_error> apply_patch(config::server_config& c, const nlohmann::json& patch);

/// The level a config name ("trace".."off") stands for; nullopt when unknown.
std::optional<config::log_level> parse_log_level(std::string_view s);

}  // namespace robust::admin::detail
