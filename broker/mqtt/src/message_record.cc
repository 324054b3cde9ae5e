#include "message_record.h"

#include <charconv>

#include "base/errc.h"

namespace robust::mqtt {
namespace {

constexpr std::string_view reserved_prefix = "mqtt.";
constexpr std::string_view user_prefix = "mqtt.user.";

void add(storage::record& r, std::string_view k, std::string v) {
    r.headers.push_back({std::string(k), std::move(v)});
}

template <class T>
bool parse_number(std::string_view s, T& out) {
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && p == s.data() + s.size();
}

}  // namespace

storage::record to_record(const message& m, int64_t now_ms) {
    storage::record r;
    r.timestamp_ms = now_ms;
    r.key = m.topic;
    r.value = m.payload;
    const auto& p = m.props;
    r.headers.reserve(p.user_properties.size() + 2);
    add(r, "mqtt.qos", std::to_string(static_cast<int>(m.qos)));
    if (m.retain) add(r, "mqtt.retain", "1");
    if (p.payload_format_indicator)
        add(r, "mqtt.payload_format", std::to_string(*p.payload_format_indicator));
    if (p.content_type) add(r, "mqtt.content_type", *p.content_type);
    if (p.response_topic) add(r, "mqtt.response_topic", *p.response_topic);
    if (p.correlation_data) add(r, "mqtt.correlation_data", *p.correlation_data);
    if (m.expiry_at_ms != 0) add(r, "mqtt.expiry_at_ms", std::to_string(m.expiry_at_ms));
    for (const auto& up : p.user_properties) {
        if (up.key.starts_with(reserved_prefix)) {
            add(r, std::string(user_prefix) + up.key, up.value);
        } else {
            add(r, up.key, up.value);
        }
    }
    return r;
}

result<message_ptr> from_record(const storage::record& r) {
    auto m = std::make_shared<message>();
    m->topic = r.key;
    m->payload = r.value;
    m->timestamp_ms = r.timestamp_ms;
    auto& p = m->props;
    for (const auto& h : r.headers) {
        const std::string_view k = h.key;
        if (k.starts_with(user_prefix)) {
            p.user_properties.push_back({std::string(k.substr(user_prefix.size())), h.value});
        } else if (!k.starts_with(reserved_prefix)) {
            p.user_properties.push_back({h.key, h.value});
        } else if (k == "mqtt.qos") {
            int q = 0;
            if (!parse_number(h.value, q) || q < 0 || q > 2) return errc::corruption;
            m->qos = static_cast<qos_level>(q);
        } else if (k == "mqtt.retain") {
            m->retain = h.value == "1";
        } else if (k == "mqtt.payload_format") {
            unsigned v = 0;
            if (!parse_number(h.value, v) || v > 1) return errc::corruption;
            p.payload_format_indicator = static_cast<uint8_t>(v);
        } else if (k == "mqtt.content_type") {
            p.content_type = h.value;
        } else if (k == "mqtt.response_topic") {
            p.response_topic = h.value;
        } else if (k == "mqtt.correlation_data") {
            p.correlation_data = h.value;
        } else if (k == "mqtt.expiry_at_ms") {
            if (!parse_number(h.value, m->expiry_at_ms)) return errc::corruption;
        }
        // Other reserved names are from newer versions: ignored.
    }
    return message_ptr(std::move(m));
}

}  // namespace robust::mqtt
