#include "mqtt_session.h"

#include <algorithm>

#include "mqtt/codec/reason_codes.h"

namespace robust::ctl {

mqtt_session::mqtt_session(mqc::protocol_version version) : version_(version) {
    // The largest packet MQTT can express [MQTT-2.2.3]: payloads of any size.
    limits_.max_packet_size = 268'435'455 + 5;
    limits_.max_user_properties = 4096;
}

void mqtt_session::connect(mqc::connect c) {
    c.version = version_;
    mqc::encode(c, version_, out_);
}

uint16_t mqtt_session::next_packet_id() {
    for (;;) {
        last_id_ = static_cast<uint16_t>(last_id_ == 65535 ? 1 : last_id_ + 1);
        const bool used = std::any_of(outgoing_.begin(), outgoing_.end(),
                                      [&](const auto& o) { return o.first == last_id_; }) ||
                          pending_subscribes_.count(last_id_) > 0;
        if (!used) return last_id_;
    }
}

bool mqtt_session::can_publish() const {
    return outgoing_.size() < std::min(window_, receive_maximum_);
}

uint16_t mqtt_session::publish(std::string topic, std::string payload, mqc::qos_level qos,
                               bool retain) {
    mqc::publish p;
    p.topic = std::move(topic);
    p.payload = shared_buffer(std::move(payload));
    p.qos = qos;
    p.retain = retain;
    if (qos != mqc::qos_level::at_most_once) {
        p.packet_id = next_packet_id();
        outgoing_.emplace_back(p.packet_id, qos == mqc::qos_level::at_least_once
                                                ? out_state::await_puback
                                                : out_state::await_pubrec);
    }
    mqc::encode(p, version_, out_);
    return p.packet_id;
}

uint16_t mqtt_session::subscribe(const std::vector<std::string>& filters, mqc::qos_level qos) {
    mqc::subscribe s;
    s.packet_id = next_packet_id();
    for (const auto& f : filters) {
        mqc::subscription sub;
        sub.filter = f;
        sub.options.max_qos = qos;
        s.subscriptions.push_back(std::move(sub));
    }
    pending_subscribes_.insert(s.packet_id);
    mqc::encode(s, version_, out_);
    return s.packet_id;
}

void mqtt_session::ping() {
    mqc::encode(mqc::pingreq{}, version_, out_);
}

void mqtt_session::disconnect() {
    mqc::encode(mqc::disconnect{}, version_, out_);
}

std::string mqtt_session::take_output() {
    std::string o;
    o.swap(out_);
    return o;
}

status mqtt_session::receive(std::span<const std::byte> bytes, std::vector<session_event>& events) {
    in_.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    size_t pos = 0;
    status st;
    while (pos < in_.size()) {
        const auto rest = as_bytes(std::string_view(in_).substr(pos));
        auto header = mqc::decode_fixed_header(rest, limits_);
        if (!header.ok()) {
            if (header.error.code == errc::need_more_data) break;
            st = header.error.code;
            break;
        }
        if (header.value->packet_size() > rest.size()) break;
        auto decoded = mqc::decode(rest, version_, limits_);
        if (!decoded.ok()) {
            st = decoded.error.code;
            break;
        }
        pos += decoded.value->consumed;
        st = handle(decoded.value->pkt, events);
        if (!st) break;
    }
    in_.erase(0, pos);
    return st;
}

status mqtt_session::handle(mqc::packet& p, std::vector<session_event>& events) {
    auto find_out = [&](uint16_t id) {
        return std::find_if(outgoing_.begin(), outgoing_.end(),
                            [&](const auto& o) { return o.first == id; });
    };
    const bool v5 = version_ == mqc::protocol_version::v5;
    switch (mqc::type_of(p)) {
        case mqc::packet_type::connack: {
            auto& c = std::get<mqc::connack>(p);
            if (c.props.receive_maximum) receive_maximum_ = *c.props.receive_maximum;
            events.push_back(connack_event{c.reason_code, c.session_present});
            return {};
        }
        case mqc::packet_type::publish: {
            auto& m = std::get<mqc::publish>(p);
            const uint16_t id = m.packet_id;
            switch (m.qos) {
                case mqc::qos_level::at_most_once:
                    events.push_back(message_event{std::move(m)});
                    break;
                case mqc::qos_level::at_least_once: {
                    events.push_back(message_event{std::move(m)});
                    mqc::puback ack;
                    ack.packet_id = id;
                    mqc::encode(ack, version_, out_);
                    break;
                }
                case mqc::qos_level::exactly_once: {
                    // Delivered once: a resend before PUBREL is only acknowledged
                    // again [MQTT-4.3.3-9].
                    if (incoming_qos2_.insert(id).second) {
                        events.push_back(message_event{std::move(m)});
                    }
                    mqc::pubrec rec;
                    rec.packet_id = id;
                    mqc::encode(rec, version_, out_);
                    break;
                }
            }
            return {};
        }
        case mqc::packet_type::puback: {
            auto& a = std::get<mqc::puback>(p);
            auto it = find_out(a.packet_id);
            if (it == outgoing_.end() || it->second != out_state::await_puback) {
                return errc::protocol_error;
            }
            outgoing_.erase(it);
            events.push_back(published_event{a.packet_id, a.reason_code});
            return {};
        }
        case mqc::packet_type::pubrec: {
            auto& a = std::get<mqc::pubrec>(p);
            auto it = find_out(a.packet_id);
            if (it == outgoing_.end()) return errc::protocol_error;
            if (it->second == out_state::await_puback) return errc::protocol_error;
            if (v5 && a.reason_code >= 0x80) {
                // A PUBREC reason code >= 0x80 ends the flow (MQTT 5 section 4.3.3).
                outgoing_.erase(it);
                events.push_back(published_event{a.packet_id, a.reason_code});
                return {};
            }
            it->second = out_state::await_pubcomp;
            mqc::pubrel rel;
            rel.packet_id = a.packet_id;
            mqc::encode(rel, version_, out_);
            return {};
        }
        case mqc::packet_type::pubrel: {
            auto& r = std::get<mqc::pubrel>(p);
            mqc::pubcomp comp;
            comp.packet_id = r.packet_id;
            if (incoming_qos2_.erase(r.packet_id) == 0 && v5) {
                comp.reason_code = mqc::reason::packet_identifier_not_found;
            }
            mqc::encode(comp, version_, out_);
            return {};
        }
        case mqc::packet_type::pubcomp: {
            auto& a = std::get<mqc::pubcomp>(p);
            auto it = find_out(a.packet_id);
            if (it == outgoing_.end() || it->second != out_state::await_pubcomp) {
                return errc::protocol_error;
            }
            outgoing_.erase(it);
            events.push_back(published_event{a.packet_id, a.reason_code});
            return {};
        }
        case mqc::packet_type::suback: {
            auto& s = std::get<mqc::suback>(p);
            if (pending_subscribes_.erase(s.packet_id) == 0) return errc::protocol_error;
            events.push_back(subscribed_event{s.packet_id, std::move(s.reason_codes)});
            return {};
        }
        case mqc::packet_type::unsuback:
            return {};
        case mqc::packet_type::pingresp:
            events.push_back(pong_event{});
            return {};
        case mqc::packet_type::disconnect: {
            auto& d = std::get<mqc::disconnect>(p);
            events.push_back(disconnect_event{d.reason_code, d.props.reason_string.value_or("")});
            return {};
        }
        default:
            // CONNECT, SUBSCRIBE, UNSUBSCRIBE, PINGREQ, AUTH (no enhanced auth
            // requested) never come from a broker.
            return errc::protocol_error;
    }
}

}  // namespace robust::ctl
