#include "config_view.h"

#include <algorithm>

namespace robust::admin::detail {
namespace {

using config::to_string;

template <class E>
std::optional<E> parse_choice(std::string_view s, std::initializer_list<E> values) {
    for (E e : values) {
        if (to_string(e) == s) return e;
    }
    return std::nullopt;
}

std::string choices(std::initializer_list<std::string_view> names) {
    std::string out;
    for (auto n : names) {
        if (!out.empty()) out += ", ";
        out += n;
    }
    return out;
}

}  // namespace

nlohmann::ordered_json config_json(const config::server_config& c) {
    nlohmann::ordered_json j;
    j["node"] = {
        {"id", c.node.id},
        {"data_dir", c.node.data_dir},
        {"worker_threads", c.node.worker_threads},
    };
    j["log"] = {
        {"level", to_string(c.log.level)},
        {"format", to_string(c.log.format)},
    };
    const auto& m = c.mqtt;
    j["mqtt"] = {
        {"bind", m.bind},
        {"tcp_port", m.tcp_port},
        {"ws_port", m.ws_port},
        {"ws_path", m.ws_path},
        {"tls_port", m.tls_port},
        {"wss_port", m.wss_port},
        {"max_connections", m.max_connections},
        {"max_packet_size", m.max_packet_size},
        {"connect_timeout_ms", m.connect_timeout_ms},
        {"max_client_id_length", m.max_client_id_length},
        {"keep_alive_max_s", m.keep_alive_max_s},
        {"server_keep_alive_s", m.server_keep_alive_s},
        {"receive_maximum", m.receive_maximum},
        {"max_inflight", m.max_inflight},
        {"max_queued_messages", m.max_queued_messages},
        {"topic_alias_maximum", m.topic_alias_maximum},
        {"retain_available", m.retain_available},
        {"wildcard_subscription_available", m.wildcard_subscription_available},
        {"shared_subscription_available", m.shared_subscription_available},
        {"subscription_identifiers_available", m.subscription_identifiers_available},
        {"max_qos", m.max_qos},
        {"session_expiry_max_s", m.session_expiry_max_s},
        {"sys_interval_s", m.sys_interval_s},
        {"send_queue_bytes", m.send_queue_bytes},
    };
    const auto& k = c.kafka;
    j["kafka"] = {
        {"bind", k.bind},
        {"port", k.port},
        {"tls_port", k.tls_port},
        {"advertised_host", k.advertised_host},
        {"max_connections", k.max_connections},
        {"max_request_bytes", k.max_request_bytes},
        {"max_message_bytes", k.max_message_bytes},
        {"auto_create_topics", k.auto_create_topics},
        {"num_partitions", k.num_partitions},
        {"group_min_session_timeout_ms", k.group_min_session_timeout_ms},
        {"group_max_session_timeout_ms", k.group_max_session_timeout_ms},
        {"group_initial_rebalance_delay_ms", k.group_initial_rebalance_delay_ms},
    };
    const auto& s = c.storage;
    j["storage"] = {
        {"engine", to_string(s.engine)},      {"durability", to_string(s.durability)},
        {"retention_ms", s.retention_ms},     {"retention_bytes", s.retention_bytes},
        {"reader_threads", s.reader_threads}, {"topic_durability", s.topic_durability},
    };
    j["topic"] = {{"bindings", c.topic.bindings}};
    const auto& t = c.tls;
    j["tls"] = {
        {"cert_file", t.cert_file},
        {"key_file", t.key_file},  // a path, not the key
        {"ca_file", t.ca_file},
        {"verify_peer", t.verify_peer},
        {"cert_cn_as_username", t.cert_cn_as_username},
        {"min_version", to_string(t.min_version)},
    };
    j["auth"] = {
        {"anonymous", to_string(c.auth.anonymous)},
        {"acl_default", to_string(c.auth.acl_default)},
        {"password_iterations", c.auth.password_iterations},
    };
    const auto& h = c.http;
    j["http"] = {
        {"bind", h.bind},
        {"port", h.port},
        {"admin_user", h.admin_user},
        {"admin_secret_file", h.admin_secret_file},
        {"token_ttl_s", h.token_ttl_s},
        {"public_metrics", h.public_metrics},
        {"public_health", h.public_health},
        {"login_failures_per_minute", h.login_failures_per_minute},
        {"dashboard_dir", h.dashboard_dir},
    };
    return j;
}

const std::vector<std::string>& runtime_changeable_keys() {
    static const std::vector<std::string> keys = {"log.level", "auth.anonymous",
                                                  "auth.acl_default"};
    return keys;
}

std::optional<config::log_level> parse_log_level(std::string_view s) {
    using L = config::log_level;
    return parse_choice(s, {L::trace, L::debug, L::info, L::warn, L::error, L::off});
}

std::optional<patch_error> apply_patch(config::server_config& c, const nlohmann::json& patch) {
    if (!patch.is_object() || patch.empty()) {
        return patch_error{"body", "name at least one \"section.key\" to change"};
    }
    config::server_config next = c;
    const auto known = config::config_keys();
    for (const auto& [key, value] : patch.items()) {
        if (std::find(known.begin(), known.end(), key) == known.end()) {
            return patch_error{key, "unknown config key"};
        }
        const auto& changeable = runtime_changeable_keys();
        if (std::find(changeable.begin(), changeable.end(), key) == changeable.end()) {
            return patch_error{key, "not changeable at runtime; edit the config file and restart"};
        }
        const std::string text = value.is_string() ? value.get<std::string>() : std::string();
        if (key == "log.level") {
            auto v = parse_log_level(text);
            if (!v) {
                return patch_error{key, "must be one of " + choices({"trace", "debug", "info",
                                                                     "warn", "error", "off"})};
            }
            next.log.level = *v;
        } else if (key == "auth.anonymous") {
            using A = config::anonymous_access;
            auto v = parse_choice(text, {A::allow, A::loopback, A::deny});
            if (!v)
                return patch_error{key, "must be one of " + choices({"allow", "loopback", "deny"})};
            next.auth.anonymous = *v;
        } else if (key == "auth.acl_default") {
            using P = config::acl_permission;
            auto v = parse_choice(text, {P::allow, P::deny});
            if (!v) return patch_error{key, "must be one of " + choices({"allow", "deny"})};
            next.auth.acl_default = *v;
        }
    }
    c = std::move(next);
    return std::nullopt;
}

}  // namespace robust::admin::detail
