#include "meta/model.h"

#include <nlohmann/json.hpp>

#include <array>
#include <cstdint>
#include <limits>
#include <utility>

#include "base/base64.h"
#include "base/errc.h"
#include "meta/json_record.h"

namespace robust::meta {
namespace {

using namespace json_record;
constexpr uint8_t retained_frame_version = 1;
constexpr uint8_t max_frame_version = 0x20;  // versions stay below printable bytes
constexpr size_t retained_frame_header = 5;  // version byte + uint32 length

// ---- retained properties --------------------------------------------------

json properties_to_json(const retained_properties& p) {
    json j = json::object();
    if (p.payload_format_indicator) j["payload_format_indicator"] = *p.payload_format_indicator;
    if (p.content_type) j["content_type"] = *p.content_type;
    if (p.response_topic) j["response_topic"] = *p.response_topic;
    if (p.correlation_data) j["correlation_data"] = base64::encode(*p.correlation_data);
    json users = json::array();
    for (const auto& [k, v] : p.user_properties) users.push_back(json::array({k, v}));
    j["user_properties"] = std::move(users);
    return j;
}

retained_properties properties_from_json(const json& j) {
    if (!j.is_object()) corrupt();
    retained_properties p;
    if (j.contains("payload_format_indicator")) {
        p.payload_format_indicator = read_int<uint8_t>(j, "payload_format_indicator");
    }
    if (j.contains("content_type")) p.content_type = read_string(j, "content_type");
    if (j.contains("response_topic")) p.response_topic = read_string(j, "response_topic");
    if (j.contains("correlation_data")) {
        // Always written padded: anything else was not written by us.
        const std::string text = read_string(j, "correlation_data");
        auto bytes = text.size() % 4 == 0 ? base64::decode(text) : std::nullopt;
        if (!bytes) corrupt();
        p.correlation_data = std::move(*bytes);
    }
    const json& users = field(j, "user_properties");
    if (!users.is_array()) corrupt();
    for (const json& pair : users) {
        if (!pair.is_array() || pair.size() != 2) corrupt();
        p.user_properties.emplace_back(read_string(pair[0]), read_string(pair[1]));
    }
    return p;
}

}  // namespace

// ---- keys -------------------------------------------------------------------

std::string escape_key_part(std::string_view part) {
    std::string out;
    out.reserve(part.size());
    for (char c : part) {
        if (c == '%') {
            out += "%25";
        } else if (c == '/') {
            out += "%2F";
        } else {
            out += c;
        }
    }
    return out;
}

result<std::string> unescape_key_part(std::string_view part) {
    std::string out;
    out.reserve(part.size());
    for (size_t i = 0; i < part.size(); ++i) {
        if (part[i] != '%') {
            out += part[i];
            continue;
        }
        const std::string_view code = part.substr(i + 1, 2);
        if (code == "25") {
            out += '%';
        } else if (code == "2F") {
            out += '/';
        } else {
            return errc::corruption;
        }
        i += 2;
    }
    return out;
}

result<std::vector<std::string>> split_key(std::string_view key) {
    std::vector<std::string> parts;
    while (true) {
        const size_t slash = key.find('/');
        auto part = unescape_key_part(key.substr(0, slash));
        if (!part.has_value()) return part.error();
        parts.push_back(std::move(*part));
        if (slash == std::string_view::npos) break;
        key.remove_prefix(slash + 1);
    }
    return parts;
}

std::string join_key(std::string_view prefix, std::initializer_list<std::string_view> parts) {
    std::string key(prefix);
    bool first = true;
    for (std::string_view part : parts) {
        if (!first) key += '/';
        first = false;
        key += escape_key_part(part);
    }
    return key;
}

namespace keys {

std::string topic(std::string_view tenant, std::string_view name) {
    return join_key(topics, {tenant, name});
}
std::string topics_of(std::string_view tenant) {
    return join_key(topics, {tenant, ""});
}

std::string mqtt_session(std::string_view tenant, std::string_view client_id) {
    return join_key(mqtt_sessions, {tenant, client_id});
}
std::string mqtt_sessions_of(std::string_view tenant) {
    return join_key(mqtt_sessions, {tenant, ""});
}

std::string mqtt_subscription(std::string_view tenant, std::string_view client_id,
                              std::string_view filter) {
    return join_key(mqtt_subscriptions, {tenant, client_id, filter});
}
std::string mqtt_subscriptions_of(std::string_view tenant, std::string_view client_id) {
    return join_key(mqtt_subscriptions, {tenant, client_id, ""});
}

std::string mqtt_retained_message(std::string_view tenant, std::string_view topic) {
    return join_key(mqtt_retained, {tenant, topic});
}
std::string mqtt_retained_of(std::string_view tenant) {
    return join_key(mqtt_retained, {tenant, ""});
}

std::string topic_binding(std::string_view tenant, std::string_view mqtt_filter) {
    return join_key(topic_bindings, {tenant, mqtt_filter});
}

}  // namespace keys

std::string key_of(const topic_record& r) {
    return keys::topic(r.tenant, r.name);
}
std::string key_of(const mqtt_session_record& r) {
    return keys::mqtt_session(r.tenant, r.client_id);
}
std::string key_of(const mqtt_subscription_record& r) {
    return keys::mqtt_subscription(r.tenant, r.client_id, r.filter);
}
std::string key_of(const retained_record& r) {
    return keys::mqtt_retained_message(r.tenant, r.topic);
}
std::string key_of(const topic_binding_record& r) {
    return keys::topic_binding(r.tenant, r.mqtt_filter);
}

// ---- topic --------------------------------------------------------------------

result<std::string> encode(const topic_record& r) {
    return dump(json{
        {"v", format_version},
        {"tenant", r.tenant},
        {"name", r.name},
        {"partitions", r.partitions},
        {"storage", r.storage},
        {"durability", r.durability},
        {"retention_ms", r.retention_ms},
        {"retention_bytes", r.retention_bytes},
        {"created_ms", r.created_ms},
        {"mqtt", r.mqtt},
    });
}

result<topic_record> decode_topic_record(std::string_view value) {
    return guarded_decode([&] {
        const json j = parse_object(value);
        topic_record r;
        r.tenant = read_string(j, "tenant");
        r.name = read_string(j, "name");
        r.partitions = read_int<uint32_t>(j, "partitions");
        r.storage = read_string(j, "storage");
        r.durability = read_string(j, "durability");
        r.retention_ms = read_int<int64_t>(j, "retention_ms");
        r.retention_bytes = read_int<int64_t>(j, "retention_bytes");
        r.created_ms = read_int<int64_t>(j, "created_ms");
        // Absent in records written before the field existed.
        r.mqtt = j.contains("mqtt") && read_bool(j, "mqtt");
        return r;
    });
}

// ---- topic binding ------------------------------------------------------------

result<std::string> encode(const topic_binding_record& r) {
    return dump(json{
        {"v", format_version},
        {"tenant", r.tenant},
        {"mqtt_filter", r.mqtt_filter},
        {"kafka_topic", r.kafka_topic},
        {"created_ms", r.created_ms},
    });
}

result<topic_binding_record> decode_topic_binding_record(std::string_view value) {
    return guarded_decode([&] {
        const json j = parse_object(value);
        topic_binding_record r;
        r.tenant = read_string(j, "tenant");
        r.mqtt_filter = read_string(j, "mqtt_filter");
        r.kafka_topic = read_string(j, "kafka_topic");
        r.created_ms = read_int<int64_t>(j, "created_ms");
        return r;
    });
}

// ---- MQTT session -------------------------------------------------------------

result<std::string> encode(const mqtt_session_record& r) {
    return dump(json{
        {"v", format_version},
        {"tenant", r.tenant},
        {"client_id", r.client_id},
        {"protocol_version", r.protocol_version},
        {"session_expiry_s", r.session_expiry_s},
        {"disconnected_at_ms", r.disconnected_at_ms},
        {"inbox_shard", r.inbox_shard},
        {"node", r.node},
    });
}

result<mqtt_session_record> decode_mqtt_session_record(std::string_view value) {
    return guarded_decode([&] {
        const json j = parse_object(value);
        mqtt_session_record r;
        r.tenant = read_string(j, "tenant");
        r.client_id = read_string(j, "client_id");
        r.protocol_version = read_int<uint8_t>(j, "protocol_version");
        r.session_expiry_s = read_int<uint32_t>(j, "session_expiry_s");
        r.disconnected_at_ms = read_int<int64_t>(j, "disconnected_at_ms");
        r.inbox_shard = read_int<uint64_t>(j, "inbox_shard");
        r.node = read_string(j, "node");
        return r;
    });
}

// ---- MQTT subscription --------------------------------------------------------

result<std::string> encode(const mqtt_subscription_record& r) {
    return dump(json{
        {"v", format_version},
        {"tenant", r.tenant},
        {"client_id", r.client_id},
        {"filter", r.filter},
        {"qos", r.qos},
        {"no_local", r.no_local},
        {"retain_as_published", r.retain_as_published},
        {"retain_handling", r.retain_handling},
        {"subscription_id", r.subscription_id},
    });
}

result<mqtt_subscription_record> decode_mqtt_subscription_record(std::string_view value) {
    return guarded_decode([&] {
        const json j = parse_object(value);
        mqtt_subscription_record r;
        r.tenant = read_string(j, "tenant");
        r.client_id = read_string(j, "client_id");
        r.filter = read_string(j, "filter");
        r.qos = read_int<uint8_t>(j, "qos");
        r.no_local = read_bool(j, "no_local");
        r.retain_as_published = read_bool(j, "retain_as_published");
        r.retain_handling = read_int<uint8_t>(j, "retain_handling");
        r.subscription_id = read_int<uint32_t>(j, "subscription_id");
        return r;
    });
}

// ---- retained message ---------------------------------------------------------

result<std::string> encode(const retained_record& r) {
    auto header = dump(json{
        {"v", format_version},
        {"tenant", r.tenant},
        {"topic", r.topic},
        {"qos", r.qos},
        {"stored_ms", r.stored_ms},
        {"message_expiry_s", r.message_expiry_s},
        {"properties", properties_to_json(r.properties)},
    });
    if (!header.has_value()) return header.error();
    if (header->size() > std::numeric_limits<uint32_t>::max()) return errc::too_large;
    const auto n = static_cast<uint32_t>(header->size());
    std::string out;
    out.reserve(retained_frame_header + header->size() + r.payload.size());
    out += static_cast<char>(retained_frame_version);
    out += static_cast<char>(n >> 24 & 0xff);
    out += static_cast<char>(n >> 16 & 0xff);
    out += static_cast<char>(n >> 8 & 0xff);
    out += static_cast<char>(n & 0xff);
    out += *header;
    out += r.payload;
    return out;
}

result<retained_record> decode_retained_record(std::string_view value) {
    if (value.size() < retained_frame_header) return errc::corruption;
    const auto version = static_cast<uint8_t>(value[0]);
    // Later frame versions will count up from 1; a byte such as '{' means the
    // value is not a frame at all.
    if (version > retained_frame_version && version < max_frame_version) return errc::unsupported;
    if (version != retained_frame_version) return errc::corruption;
    uint32_t n = 0;
    for (size_t i = 1; i < retained_frame_header; ++i) {
        n = n << 8 | static_cast<uint8_t>(value[i]);
    }
    if (n > value.size() - retained_frame_header) return errc::corruption;
    const std::string_view header = value.substr(retained_frame_header, n);
    const std::string_view payload = value.substr(retained_frame_header + n);
    return guarded_decode([&] {
        const json j = parse_object(header);
        retained_record r;
        r.tenant = read_string(j, "tenant");
        r.topic = read_string(j, "topic");
        r.qos = read_int<uint8_t>(j, "qos");
        r.stored_ms = read_int<int64_t>(j, "stored_ms");
        r.message_expiry_s = read_int<uint32_t>(j, "message_expiry_s");
        r.properties = properties_from_json(field(j, "properties"));
        r.payload = std::string(payload);
        return r;
    });
}

}  // namespace robust::meta
