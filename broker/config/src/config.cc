#include "config/config.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <limits>
#include <sstream>
#include <utility>
#include <variant>

#include <toml++/toml.h>

namespace robust::config {
namespace {

constexpr std::string_view env_prefix = "ROBUSTMQ_";
constexpr int64_t int64_max = std::numeric_limits<int64_t>::max();
// Keeps one pathological file from producing a wall of text.
constexpr size_t max_reported_errors = 20;

// A key's type as the user writes it. `port` is an integer with the
// listener rules (negative = disabled) and its own error text.
enum class value_kind { integer, boolean, string, port };
using raw_value = std::variant<int64_t, bool, std::string>;

// One accepted key. The table of these (all_fields) is the single list of
// keys: parsing, env names, config_keys() and the docs test all read it.
struct field {
    std::string_view section;
    std::string_view key;
    value_kind kind = value_kind::integer;
    int64_t min = 0;  // integer only
    int64_t max = 0;
    std::vector<std::string_view> choices;  // string only; empty = free text
    // Free-text strings: returns what is allowed when `v` is not, else "".
    std::string (*check)(const std::string& v) = nullptr;
    std::function<void(server_config&, const raw_value&)> set;

    std::string name() const { return std::string(section) + "." + std::string(key); }
};

field make_field(std::string_view section, std::string_view key, value_kind kind) {
    field f;
    f.section = section;
    f.key = key;
    f.kind = kind;
    return f;
}

template <class S, class T>
field integer_field(std::string_view section, std::string_view key, S server_config::*s, T S::*m,
                    int64_t min, int64_t max) {
    field f = make_field(section, key, value_kind::integer);
    f.min = min;
    f.max = max;
    f.set = [s, m](server_config& c, const raw_value& v) {
        (c.*s).*m = static_cast<T>(std::get<int64_t>(v));
    };
    return f;
}

template <class S>
field port_field(std::string_view section, std::string_view key, S server_config::*s,
                 port_number S::*m) {
    field f = make_field(section, key, value_kind::port);
    f.set = [s, m](server_config& c, const raw_value& v) {
        // Every negative value means "disabled"; store one canonical -1.
        const int64_t p = std::get<int64_t>(v);
        (c.*s).*m = p < 0 ? -1 : static_cast<port_number>(p);
    };
    return f;
}

template <class S>
field bool_field(std::string_view section, std::string_view key, S server_config::*s, bool S::*m) {
    field f = make_field(section, key, value_kind::boolean);
    f.set = [s, m](server_config& c, const raw_value& v) { (c.*s).*m = std::get<bool>(v); };
    return f;
}

template <class S>
field string_field(std::string_view section, std::string_view key, S server_config::*s,
                   std::string S::*m, std::string (*check)(const std::string&)) {
    field f = make_field(section, key, value_kind::string);
    f.check = check;
    f.set = [s, m](server_config& c, const raw_value& v) { (c.*s).*m = std::get<std::string>(v); };
    return f;
}

template <class S, class E>
field choice_field(std::string_view section, std::string_view key, S server_config::*s, E S::*m,
                   std::vector<E> values) {
    field f = make_field(section, key, value_kind::string);
    for (E e : values) f.choices.push_back(to_string(e));
    f.set = [s, m, values](server_config& c, const raw_value& v) {
        for (E e : values) {
            if (to_string(e) == std::get<std::string>(v)) (c.*s).*m = e;
        }
    };
    return f;
}

std::string check_bind(const std::string& v) {
    // An address literal, not a host name: resolving names at start-up would
    // make the listener depend on DNS.
    unsigned char buf[sizeof(struct in6_addr)];
    if (inet_pton(AF_INET, v.c_str(), buf) == 1 || inet_pton(AF_INET6, v.c_str(), buf) == 1) {
        return {};
    }
    return "must be an IPv4 or IPv6 address such as 0.0.0.0, 127.0.0.1 or ::";
}

std::string check_ws_path(const std::string& v) {
    const bool bad_char = std::any_of(v.begin(), v.end(), [](char ch) {
        return std::isspace(static_cast<unsigned char>(ch)) ||
               std::iscntrl(static_cast<unsigned char>(ch)) || ch == '?' || ch == '#';
    });
    if (v.empty() || v.front() != '/' || bad_char) {
        return "must be a URL path starting with '/', without spaces, '?' or '#'";
    }
    return {};
}

// storage.topic_durability: "filter=level, filter=level, ...".
std::string check_topic_durability(const std::string& v) {
    for (const std::string_view rule : split_rules(v)) {
        const size_t eq = rule.rfind('=');
        if (eq == std::string_view::npos || eq == 0) {
            return "must be comma-separated filter=level rules, e.g. "
                   "\"sensors/#=none, orders/#=fsync\"";
        }
        const std::string_view level = rule.substr(eq + 1);
        if (level != "none" && level != "wal" && level != "fsync") {
            return "level of rule \"" + std::string(rule) + "\" must be none, wal or fsync";
        }
    }
    return {};
}

// topic.bindings: "[tenant@]filter=kafka_topic, ...". The filter and the
// Kafka name are checked at start (meta::check_binding), with the rest.
std::string check_topic_bindings(const std::string& v) {
    const auto rules = split_rules(v);
    const auto parsed = parse_topic_bindings(v);
    const bool bad = parsed.size() != rules.size() ||
                     std::any_of(parsed.begin(), parsed.end(), [](const topic_binding_rule& r) {
                         return r.filter.empty() || r.kafka_topic.empty() || r.tenant.empty();
                     });
    if (bad) {
        return "must be comma-separated [tenant@]filter=kafka_topic rules, e.g. "
               "\"sensors/#=sensors, acme@factory/+/temp=temps\"";
    }
    return {};
}

std::string check_non_empty(const std::string& v) {
    return v.empty() ? "must not be empty" : std::string();
}

const std::vector<field>& all_fields() {
    using sc = server_config;
    static const std::vector<field> fields = [] {
        std::vector<field> f;
        // [node]
        f.push_back(integer_field("node", "id", &sc::node, &node_config::id, 1, int64_max));
        f.push_back(
            string_field("node", "data_dir", &sc::node, &node_config::data_dir, check_non_empty));
        f.push_back(integer_field("node", "worker_threads", &sc::node, &node_config::worker_threads,
                                  0, 1024));
        // [log]
        f.push_back(choice_field("log", "level", &sc::log, &log_config::level,
                                 std::vector{log_level::trace, log_level::debug, log_level::info,
                                             log_level::warn, log_level::error, log_level::off}));
        f.push_back(choice_field("log", "format", &sc::log, &log_config::format,
                                 std::vector{log_format::text, log_format::json}));
        // [mqtt]
        using mc = mqtt_config;
        f.push_back(string_field("mqtt", "bind", &sc::mqtt, &mc::bind, check_bind));
        f.push_back(port_field("mqtt", "tcp_port", &sc::mqtt, &mc::tcp_port));
        f.push_back(port_field("mqtt", "ws_port", &sc::mqtt, &mc::ws_port));
        f.push_back(string_field("mqtt", "ws_path", &sc::mqtt, &mc::ws_path, check_ws_path));
        f.push_back(port_field("mqtt", "tls_port", &sc::mqtt, &mc::tls_port));
        f.push_back(port_field("mqtt", "wss_port", &sc::mqtt, &mc::wss_port));
        f.push_back(integer_field("mqtt", "max_connections", &sc::mqtt, &mc::max_connections, 1,
                                  int64_max));
        // 268435460 = the largest Remaining Length (268435455) plus a 5-byte
        // fixed header [MQTT-2.2.3]; 16 leaves room for the smallest CONNECT.
        f.push_back(integer_field("mqtt", "max_packet_size", &sc::mqtt, &mc::max_packet_size, 16,
                                  268435460));
        f.push_back(integer_field("mqtt", "connect_timeout_ms", &sc::mqtt, &mc::connect_timeout_ms,
                                  1, 3'600'000));
        // A server must accept client ids of 1..23 bytes [MQTT-3.1.3-5].
        f.push_back(integer_field("mqtt", "max_client_id_length", &sc::mqtt,
                                  &mc::max_client_id_length, 23, 65535));
        f.push_back(
            integer_field("mqtt", "keep_alive_max_s", &sc::mqtt, &mc::keep_alive_max_s, 1, 65535));
        f.push_back(integer_field("mqtt", "server_keep_alive_s", &sc::mqtt,
                                  &mc::server_keep_alive_s, 0, 65535));
        f.push_back(
            integer_field("mqtt", "receive_maximum", &sc::mqtt, &mc::receive_maximum, 1, 65535));
        f.push_back(integer_field("mqtt", "max_inflight", &sc::mqtt, &mc::max_inflight, 1, 65535));
        f.push_back(integer_field("mqtt", "max_queued_messages", &sc::mqtt,
                                  &mc::max_queued_messages, 1, 4294967295));
        f.push_back(integer_field("mqtt", "topic_alias_maximum", &sc::mqtt,
                                  &mc::topic_alias_maximum, 0, 65535));
        f.push_back(bool_field("mqtt", "retain_available", &sc::mqtt, &mc::retain_available));
        f.push_back(bool_field("mqtt", "wildcard_subscription_available", &sc::mqtt,
                               &mc::wildcard_subscription_available));
        f.push_back(bool_field("mqtt", "shared_subscription_available", &sc::mqtt,
                               &mc::shared_subscription_available));
        f.push_back(bool_field("mqtt", "subscription_identifiers_available", &sc::mqtt,
                               &mc::subscription_identifiers_available));
        f.push_back(integer_field("mqtt", "max_qos", &sc::mqtt, &mc::max_qos, 0, 2));
        f.push_back(integer_field("mqtt", "session_expiry_max_s", &sc::mqtt,
                                  &mc::session_expiry_max_s, 0, 4294967295));
        f.push_back(
            integer_field("mqtt", "sys_interval_s", &sc::mqtt, &mc::sys_interval_s, 0, 86400));
        f.push_back(integer_field("mqtt", "send_queue_bytes", &sc::mqtt, &mc::send_queue_bytes,
                                  1024, int64_max));
        // [kafka]
        using kc = kafka_config;
        f.push_back(string_field("kafka", "bind", &sc::kafka, &kc::bind, check_bind));
        f.push_back(port_field("kafka", "port", &sc::kafka, &kc::port));
        f.push_back(port_field("kafka", "tls_port", &sc::kafka, &kc::tls_port));
        f.push_back(
            string_field("kafka", "advertised_host", &sc::kafka, &kc::advertised_host, nullptr));
        f.push_back(integer_field("kafka", "max_connections", &sc::kafka, &kc::max_connections, 1,
                                  int64_max));
        f.push_back(integer_field("kafka", "max_request_bytes", &sc::kafka, &kc::max_request_bytes,
                                  1024, 1024 * 1024 * 1024));
        f.push_back(integer_field("kafka", "max_message_bytes", &sc::kafka, &kc::max_message_bytes,
                                  128, 1024 * 1024 * 1024));
        f.push_back(bool_field("kafka", "auto_create_topics", &sc::kafka, &kc::auto_create_topics));
        f.push_back(
            integer_field("kafka", "num_partitions", &sc::kafka, &kc::num_partitions, 1, 100'000));
        f.push_back(integer_field("kafka", "group_min_session_timeout_ms", &sc::kafka,
                                  &kc::group_min_session_timeout_ms, 1, 86'400'000));
        f.push_back(integer_field("kafka", "group_max_session_timeout_ms", &sc::kafka,
                                  &kc::group_max_session_timeout_ms, 1, 86'400'000));
        f.push_back(integer_field("kafka", "group_initial_rebalance_delay_ms", &sc::kafka,
                                  &kc::group_initial_rebalance_delay_ms, 0, 3'600'000));
        // [storage]
        using stc = storage_config;
        f.push_back(choice_field("storage", "engine", &sc::storage, &stc::engine,
                                 std::vector{storage_engine::rocksdb, storage_engine::memory}));
        f.push_back(choice_field(
            "storage", "durability", &sc::storage, &stc::durability,
            std::vector{durability_level::none, durability_level::wal, durability_level::fsync}));
        f.push_back(integer_field("storage", "retention_ms", &sc::storage, &stc::retention_ms, 0,
                                  int64_max));
        f.push_back(integer_field("storage", "retention_bytes", &sc::storage, &stc::retention_bytes,
                                  0, int64_max));
        f.push_back(
            integer_field("storage", "reader_threads", &sc::storage, &stc::reader_threads, 1, 256));
        f.push_back(string_field("storage", "topic_durability", &sc::storage,
                                 &stc::topic_durability, check_topic_durability));
        // [topic]
        f.push_back(string_field("topic", "bindings", &sc::topic, &topic_config::bindings,
                                 check_topic_bindings));
        // [tls]
        using tc = tls_config;
        f.push_back(string_field("tls", "cert_file", &sc::tls, &tc::cert_file, nullptr));
        f.push_back(string_field("tls", "key_file", &sc::tls, &tc::key_file, nullptr));
        f.push_back(string_field("tls", "ca_file", &sc::tls, &tc::ca_file, nullptr));
        f.push_back(bool_field("tls", "verify_peer", &sc::tls, &tc::verify_peer));
        f.push_back(bool_field("tls", "cert_cn_as_username", &sc::tls, &tc::cert_cn_as_username));
        f.push_back(choice_field("tls", "min_version", &sc::tls, &tc::min_version,
                                 std::vector{tls_version::v1_2, tls_version::v1_3}));
        // [auth]
        using ac = auth_config;
        f.push_back(choice_field("auth", "anonymous", &sc::auth, &ac::anonymous,
                                 std::vector{anonymous_access::allow, anonymous_access::loopback,
                                             anonymous_access::deny}));
        f.push_back(choice_field("auth", "acl_default", &sc::auth, &ac::acl_default,
                                 std::vector{acl_permission::allow, acl_permission::deny}));
        f.push_back(integer_field("auth", "password_iterations", &sc::auth,
                                  &ac::password_iterations, 1000, 10'000'000));
        // [http]
        using hc = http_config;
        f.push_back(string_field("http", "bind", &sc::http, &hc::bind, check_bind));
        f.push_back(port_field("http", "port", &sc::http, &hc::port));
        f.push_back(
            string_field("http", "admin_user", &sc::http, &hc::admin_user, check_non_empty));
        f.push_back(
            string_field("http", "admin_secret_file", &sc::http, &hc::admin_secret_file, nullptr));
        f.push_back(integer_field("http", "token_ttl_s", &sc::http, &hc::token_ttl_s, 60, 2592000));
        f.push_back(bool_field("http", "public_metrics", &sc::http, &hc::public_metrics));
        f.push_back(bool_field("http", "public_health", &sc::http, &hc::public_health));
        f.push_back(integer_field("http", "login_failures_per_minute", &sc::http,
                                  &hc::login_failures_per_minute, 1, 1'000'000));
        f.push_back(string_field("http", "dashboard_dir", &sc::http, &hc::dashboard_dir, nullptr));
        return f;
    }();
    return fields;
}

std::vector<std::string_view> section_names() {
    std::vector<std::string_view> out;
    for (const auto& f : all_fields()) {
        if (std::find(out.begin(), out.end(), f.section) == out.end()) out.push_back(f.section);
    }
    return out;
}

bool is_section(std::string_view s) {
    const auto names = section_names();
    return std::find(names.begin(), names.end(), s) != names.end();
}

const field* find_field(std::string_view section, std::string_view key) {
    for (const auto& f : all_fields()) {
        if (f.section == section && f.key == key) return &f;
    }
    return nullptr;
}

std::string join(const std::vector<std::string_view>& v, std::string_view sep) {
    std::string out;
    for (size_t i = 0; i < v.size(); ++i) {
        if (i) out += sep;
        out += v[i];
    }
    return out;
}

size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
        cur[0] = i;
        for (size_t j = 1; j <= b.size(); ++j) {
            const size_t subst = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, subst});
        }
        std::swap(prev, cur);
    }
    return prev[b.size()];
}

// "did you mean mqtt.tcp_port?" for a near miss, else the section's keys.
std::string unknown_key_hint(std::string_view section, std::string_view key) {
    const field* best = nullptr;
    size_t best_d = 3;  // more than two edits is a different word, not a typo
    std::vector<std::string_view> keys;
    for (const auto& f : all_fields()) {
        if (f.section != section) continue;
        keys.push_back(f.key);
        const size_t d = edit_distance(key, f.key);
        if (d < best_d) {
            best_d = d;
            best = &f;
        }
    }
    if (best) return "did you mean " + best->name() + "?";
    return "known keys in [" + std::string(section) + "]: " + join(keys, ", ");
}

std::string quote(std::string_view s) {
    std::string out = "\"";
    for (char ch : s) {
        if (ch == '"' || ch == '\\') {
            out += '\\';
            out += ch;
        } else if (static_cast<unsigned char>(ch) < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(ch));
            out += buf;
        } else {
            out += ch;
        }
    }
    return out + "\"";
}

std::string format_value(const raw_value& v) {
    if (const auto* i = std::get_if<int64_t>(&v)) return std::to_string(*i);
    if (const auto* b = std::get_if<bool>(&v)) return *b ? "true" : "false";
    return quote(std::get<std::string>(v));
}

std::string_view expected_text(value_kind k) {
    switch (k) {
        case value_kind::integer:
        case value_kind::port:
            return "an integer";
        case value_kind::boolean:
            return "true or false";
        case value_kind::string:
            return "a string";
    }
    return "?";
}

std::string_view toml_type_name(toml::node_type t) {
    switch (t) {
        case toml::node_type::none:
            return "nothing";
        case toml::node_type::table:
            return "a table";
        case toml::node_type::array:
            return "an array";
        case toml::node_type::string:
            return "a string";
        case toml::node_type::integer:
            return "an integer";
        case toml::node_type::floating_point:
            return "a floating-point number";
        case toml::node_type::boolean:
            return "a boolean";
        case toml::node_type::date:
            return "a date";
        case toml::node_type::time:
            return "a time";
        case toml::node_type::date_time:
            return "a date-time";
    }
    return "?";
}

std::string format_node(const toml::node& n) {
    if (n.is_table()) return "{...}";
    // Strings in the same "..." form as every other message (toml++ would
    // print 'literal' quotes).
    if (const auto* str = n.as_string()) return quote(str->get());
    std::ostringstream os;
    n.visit([&os](const auto& v) { os << v; });
    std::string s = os.str();
    if (s.size() > 60) s = s.substr(0, 57) + "...";
    return s;
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& ch : out) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return out;
}

std::string upper(std::string_view s) {
    std::string out(s);
    for (char& ch : out) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    return out;
}

std::optional<raw_value> parse_env_value(value_kind kind, const std::string& text) {
    switch (kind) {
        case value_kind::integer:
        case value_kind::port: {
            std::string_view s = text;
            while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
                s.remove_prefix(1);
            while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
                s.remove_suffix(1);
            if (!s.empty() && s.front() == '+') s.remove_prefix(1);
            int64_t v = 0;
            const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
            if (s.empty() || ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
            return raw_value(v);
        }
        case value_kind::boolean: {
            const std::string l = lower(text);
            if (l == "true" || l == "1" || l == "yes" || l == "on") return raw_value(true);
            if (l == "false" || l == "0" || l == "no" || l == "off") return raw_value(false);
            return std::nullopt;
        }
        case value_kind::string:
            return raw_value(text);
    }
    return std::nullopt;
}

// Applies one source after another onto a config, collecting every error
// instead of stopping at the first, so one run shows all that is wrong.
class loader {
public:
    void load_file(const std::string& path) {
        std::ifstream in(path, std::ios::binary);
        if (!in) {
            error("cannot read config file '" + path + "': " + std::strerror(errno));
            return;
        }
        std::ostringstream content;
        content << in.rdbuf();
        toml::table root;
        try {
            root = toml::parse(content.str(), path);
        } catch (const toml::parse_error& e) {
            const auto& where = e.source().begin;
            error(path + ":" + std::to_string(where.line) + ":" + std::to_string(where.column) +
                  ": TOML syntax error: " + std::string(e.description()));
            return;
        }
        for (const auto& [section_key, section_node] : root) {
            const std::string section(section_key.str());
            const std::string sec_where = location(path, section_key.source());
            if (!is_section(section)) {
                error(sec_where + "[" + section +
                      "]: unknown section; known sections: " + join(section_names(), ", "));
                continue;
            }
            const toml::table* table = section_node.as_table();
            if (!table) {
                error(sec_where + section + " = " + format_node(section_node) +
                      ": expected a table ([" + section + "])");
                continue;
            }
            for (const auto& [key, node] : *table) {
                const std::string where = location(path, key.source());
                const field* f = find_field(section, key.str());
                if (!f) {
                    error(where + section + "." + std::string(key.str()) + ": unknown key; " +
                          unknown_key_hint(section, key.str()));
                    continue;
                }
                auto v = from_toml(*f, node);
                if (!v) {
                    error(where + f->name() + " = " + format_node(node) + ": expected " +
                          std::string(expected_text(f->kind)) + ", got " +
                          std::string(toml_type_name(node.type())));
                    continue;
                }
                apply(*f, *v, where);
            }
        }
    }

    void load_env(const std::map<std::string, std::string>& env) {
        for (const auto& [name, text] : env) {
            if (!name.starts_with(env_prefix)) continue;
            const field* f = nullptr;
            for (const auto& candidate : all_fields()) {
                if (env_var_name(candidate.section, candidate.key) == name) f = &candidate;
            }
            const std::string where = name + ": ";
            if (!f) {
                const std::string rest = lower(std::string_view(name).substr(env_prefix.size()));
                const std::string section = rest.substr(0, rest.find('_'));
                if (is_section(section)) {
                    const std::string key =
                        rest.size() > section.size() ? rest.substr(section.size() + 1) : "";
                    error(where + section + "." + key + ": unknown key; " +
                          unknown_key_hint(section, key));
                } else {
                    warnings_.push_back(name + " ignored: no config section '" + section +
                                        "'; known sections: " + join(section_names(), ", "));
                }
                continue;
            }
            auto v = parse_env_value(f->kind, text);
            if (!v) {
                error(where + f->name() + " = " + quote(text) + ": expected " +
                      std::string(expected_text(f->kind)));
                continue;
            }
            apply(*f, *v, where);
        }
    }

    // Rules that involve more than one key.
    void validate() {
        const mqtt_config& m = cfg_.mqtt;
        // The TLS listeners open only with a certificate: until then their
        // ports are not taken.
        const bool tls_on = !cfg_.tls.cert_file.empty();
        const std::pair<std::string_view, port_number> ports[] = {
            {"mqtt.tcp_port", m.tcp_port},
            {"mqtt.ws_port", m.ws_port},
            {"mqtt.tls_port", tls_on ? m.tls_port : -1},
            {"mqtt.wss_port", tls_on ? m.wss_port : -1},
            {"kafka.port", cfg_.kafka.port},
            {"kafka.tls_port", tls_on ? cfg_.kafka.tls_port : -1},
            {"http.port", cfg_.http.port},
        };
        for (size_t i = 0; i < std::size(ports); ++i) {
            for (size_t j = 0; j < i; ++j) {
                if (ports[i].second > 0 && ports[i].second == ports[j].second) {
                    const std::string key(ports[i].first);
                    error(origin(key) + key + " = " + std::to_string(ports[i].second) +
                          ": same port as " + std::string(ports[j].first));
                }
            }
        }
        const kafka_config& k = cfg_.kafka;
        if (k.group_min_session_timeout_ms > k.group_max_session_timeout_ms) {
            error(origin("kafka.group_min_session_timeout_ms") +
                  "kafka.group_min_session_timeout_ms = " +
                  std::to_string(k.group_min_session_timeout_ms) +
                  ": above kafka.group_max_session_timeout_ms = " +
                  std::to_string(k.group_max_session_timeout_ms) +
                  "; lower it or raise the maximum");
        }
        const tls_config& t = cfg_.tls;
        if (t.cert_file.empty() != t.key_file.empty()) {
            const std::string key = t.cert_file.empty() ? "tls.key_file" : "tls.cert_file";
            const std::string other = t.cert_file.empty() ? "tls.cert_file" : "tls.key_file";
            error(origin(key) + key + " is set but " + other +
                  " is not: set both (the certificate and its private key) or neither");
        }
        if (t.verify_peer && t.ca_file.empty()) {
            error(
                origin("tls.verify_peer") +
                "tls.verify_peer = true needs tls.ca_file: the CA that signs client certificates");
        }
        if (t.cert_cn_as_username && !t.verify_peer) {
            error(origin("tls.cert_cn_as_username") +
                  "tls.cert_cn_as_username = true needs tls.verify_peer = true: an unverified "
                  "certificate proves nothing");
        }
    }

    config_outcome finish() && {
        config_outcome out;
        out.warnings = std::move(warnings_);
        if (errors_.empty()) {
            out.config = std::move(cfg_);
            return out;
        }
        for (size_t i = 0; i < errors_.size() && i < max_reported_errors; ++i) {
            if (i) out.error += '\n';
            out.error += errors_[i];
        }
        if (errors_.size() > max_reported_errors) {
            out.error += "\n(" + std::to_string(errors_.size() - max_reported_errors) +
                         " more errors not shown)";
        }
        return out;
    }

private:
    static std::string location(const std::string& path, const toml::source_region& r) {
        return path + ":" + std::to_string(r.begin.line) + ":" + std::to_string(r.begin.column) +
               ": ";
    }

    static std::optional<raw_value> from_toml(const field& f, const toml::node& node) {
        switch (f.kind) {
            case value_kind::integer:
            case value_kind::port:
                if (const auto* v = node.as_integer()) return raw_value(v->get());
                break;
            case value_kind::boolean:
                if (const auto* v = node.as_boolean()) return raw_value(v->get());
                break;
            case value_kind::string:
                if (const auto* v = node.as_string()) return raw_value(v->get());
                break;
        }
        return std::nullopt;
    }

    void apply(const field& f, const raw_value& v, const std::string& where) {
        const std::string head = where + f.name() + " = " + format_value(v) + ": ";
        switch (f.kind) {
            case value_kind::integer: {
                const int64_t i = std::get<int64_t>(v);
                if (i < f.min || i > f.max) {
                    error(head + (f.max == int64_max ? "must be at least " + std::to_string(f.min)
                                                     : "must be between " + std::to_string(f.min) +
                                                           " and " + std::to_string(f.max)));
                    return;
                }
                break;
            }
            case value_kind::port:
                if (std::get<int64_t>(v) > 65535) {
                    error(head +
                          "must be negative (listener disabled), 0 (the OS picks a free port) "
                          "or between 1 and 65535");
                    return;
                }
                break;
            case value_kind::string: {
                const auto& s = std::get<std::string>(v);
                if (!f.choices.empty() &&
                    std::find(f.choices.begin(), f.choices.end(), s) == f.choices.end()) {
                    error(head + "must be one of " + join(f.choices, ", "));
                    return;
                }
                if (f.check) {
                    if (auto why = f.check(s); !why.empty()) {
                        error(head + why);
                        return;
                    }
                }
                break;
            }
            case value_kind::boolean:
                break;
        }
        f.set(cfg_, v);
        origins_[f.name()] = where;
    }

    std::string origin(const std::string& name) const {
        auto it = origins_.find(name);
        return it == origins_.end() ? std::string() : it->second;
    }

    void error(std::string msg) { errors_.push_back(std::move(msg)); }

    server_config cfg_;
    std::vector<std::string> errors_;
    std::vector<std::string> warnings_;
    std::map<std::string, std::string> origins_;  // "section.key" -> where it was last set
};

}  // namespace

config_outcome load_config(const std::optional<std::string>& path,
                           const std::map<std::string, std::string>& env) {
    loader l;
    if (path) l.load_file(*path);
    l.load_env(env);
    l.validate();
    return std::move(l).finish();
}

std::map<std::string, std::string> environment_overrides(char** envp) {
    std::map<std::string, std::string> out;
    for (char** e = envp; e && *e; ++e) {
        const std::string_view entry(*e);
        const size_t eq = entry.find('=');
        if (eq == std::string_view::npos) continue;
        const std::string_view name = entry.substr(0, eq);
        if (name.starts_with(env_prefix)) out.emplace(name, entry.substr(eq + 1));
    }
    return out;
}

std::vector<std::string> config_keys() {
    std::vector<std::string> out;
    for (const auto& f : all_fields()) out.push_back(f.name());
    return out;
}

std::string env_var_name(std::string_view section, std::string_view key) {
    return std::string(env_prefix) + upper(section) + "_" + upper(key);
}

std::string_view to_string(log_level v) noexcept {
    switch (v) {
        case log_level::trace:
            return "trace";
        case log_level::debug:
            return "debug";
        case log_level::info:
            return "info";
        case log_level::warn:
            return "warn";
        case log_level::error:
            return "error";
        case log_level::off:
            return "off";
    }
    return "?";
}

std::string_view to_string(log_format v) noexcept {
    return v == log_format::json ? "json" : "text";
}

namespace {

std::string_view trim_spaces(std::string_view s) {
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    return s;
}

}  // namespace

std::vector<std::string_view> split_rules(std::string_view rules) {
    std::vector<std::string_view> out;
    if (trim_spaces(rules).empty()) return out;
    size_t start = 0;
    for (;;) {
        const size_t end = rules.find(',', start);
        out.push_back(trim_spaces(rules.substr(
            start, end == std::string_view::npos ? std::string_view::npos : end - start)));
        if (end == std::string_view::npos) return out;
        start = end + 1;
    }
}

std::vector<topic_durability_rule> parse_topic_durability(std::string_view rules) {
    std::vector<topic_durability_rule> out;
    for (const std::string_view rule : split_rules(rules)) {
        const size_t eq = rule.rfind('=');
        if (eq == std::string_view::npos || eq == 0) continue;
        topic_durability_rule r;
        r.filter = std::string(rule.substr(0, eq));
        const std::string_view level = rule.substr(eq + 1);
        r.level = level == "none"    ? durability_level::none
                  : level == "fsync" ? durability_level::fsync
                                     : durability_level::wal;
        out.push_back(std::move(r));
    }
    return out;
}

std::vector<topic_binding_rule> parse_topic_bindings(std::string_view rules) {
    std::vector<topic_binding_rule> out;
    for (const std::string_view rule : split_rules(rules)) {
        if (rule.empty()) continue;
        topic_binding_rule r;
        // Kafka names have no '=', MQTT topics may: split at the last one.
        const size_t eq = rule.rfind('=');
        std::string_view filter = eq == std::string_view::npos ? rule : rule.substr(0, eq);
        if (eq != std::string_view::npos)
            r.kafka_topic = std::string(trim_spaces(rule.substr(eq + 1)));
        // Tenant names have no '@' ("tenant@name" as in user names).
        if (const size_t at = filter.find('@'); at != std::string_view::npos) {
            r.tenant = std::string(filter.substr(0, at));
            filter.remove_prefix(at + 1);
        }
        r.filter = std::string(trim_spaces(filter));
        out.push_back(std::move(r));
    }
    return out;
}

std::string_view to_string(storage_engine v) noexcept {
    return v == storage_engine::memory ? "memory" : "rocksdb";
}

std::string_view to_string(durability_level v) noexcept {
    switch (v) {
        case durability_level::none:
            return "none";
        case durability_level::wal:
            return "wal";
        case durability_level::fsync:
            return "fsync";
    }
    return "?";
}

std::string_view to_string(tls_version v) noexcept {
    return v == tls_version::v1_3 ? "1.3" : "1.2";
}

std::string_view to_string(anonymous_access v) noexcept {
    switch (v) {
        case anonymous_access::allow:
            return "allow";
        case anonymous_access::loopback:
            return "loopback";
        case anonymous_access::deny:
            return "deny";
    }
    return "?";
}

std::string_view to_string(acl_permission v) noexcept {
    return v == acl_permission::deny ? "deny" : "allow";
}

}  // namespace robust::config
