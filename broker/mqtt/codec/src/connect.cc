// CONNECT (5.0 section 3.1, 3.1.1 section 3.1) and CONNACK (section 3.2).
//
// CONNECT variable header:  protocol name, level, connect flags, keep alive,
//                           [5.0: properties]
// CONNECT payload:          client id, [will: [5.0: will properties], topic,
//                           payload], [user name], [password]
// Connect flags (bit 7..0): user name, password, will retain, will QoS (2),
//                           will flag, clean start, reserved (must be 0)

#include "mqtt/codec/reason_codes.h"
#include "packet_codec.h"
#include "properties.h"

namespace robust::mqtt::codec::detail {

namespace {
constexpr uint8_t flag_reserved = 0x01;
constexpr uint8_t flag_clean_start = 0x02;
constexpr uint8_t flag_will = 0x04;
constexpr uint8_t flag_will_qos_shift = 3;
constexpr uint8_t flag_will_retain = 0x20;
constexpr uint8_t flag_password = 0x40;
constexpr uint8_t flag_user_name = 0x80;

constexpr std::string_view name_mqtt = "MQTT";      // 3.1.1 and 5.0
constexpr std::string_view name_mqisdp = "MQIsdp";  // 3.1

std::string_view protocol_name(protocol_version v) {
    return v == protocol_version::v3_1 ? name_mqisdp : name_mqtt;
}
}  // namespace

bool decode_body(reader& r, const fixed_header&, protocol_version, connect& out) {
    // The version comes from the packet itself, never from the connection.
    std::string_view name;
    uint8_t level = 0;
    if (!r.length_prefixed(name) || !r.u8(level)) return false;
    if (name == name_mqtt && (level == 4 || level == 5)) {
        out.version = static_cast<protocol_version>(level);
    } else if (name == name_mqisdp && level == 3) {
        out.version = protocol_version::v3_1;
    } else if (name != name_mqtt && name != name_mqisdp) {
        return r.fail(errc::unsupported, "[MQTT-3.1.2-1] unknown protocol name");
    } else {
        return r.fail(errc::unsupported, "[MQTT-3.1.2-2] unsupported protocol level");
    }
    const bool v5 = is_v5(out.version);

    uint8_t flags = 0;
    if (!r.u8(flags)) return false;
    // [MQTT-3.1.2-3] the reserved flag must be 0 (same rule number in 3.1.1).
    if (flags & flag_reserved) return r.fail(errc::malformed, "[MQTT-3.1.2-3] reserved flag set");
    const bool will = flags & flag_will;
    const uint8_t will_qos = (flags >> flag_will_qos_shift) & 0x03;
    const bool will_retain = flags & flag_will_retain;
    if (!will && will_qos != 0) {
        return r.fail(errc::malformed, v5 ? "[MQTT-3.1.2-11] Will QoS set without Will Flag"
                                          : "[MQTT-3.1.2-13] Will QoS set without Will Flag");
    }
    if (will && will_qos == 3) {
        return r.fail(errc::malformed,
                      v5 ? "[MQTT-3.1.2-12] Will QoS 3" : "[MQTT-3.1.2-14] Will QoS 3");
    }
    if (!will && will_retain) {
        return r.fail(errc::malformed, v5 ? "[MQTT-3.1.2-13] Will Retain set without Will Flag"
                                          : "[MQTT-3.1.2-15] Will Retain set without Will Flag");
    }
    const bool has_user = flags & flag_user_name;
    const bool has_password = flags & flag_password;
    // 5.0 allows a password without a user name (section 3.1.2.9), 3.x not.
    if (!v5 && has_password && !has_user) {
        return r.fail(errc::malformed, "[MQTT-3.1.2-22] Password Flag without User Name Flag");
    }
    out.clean_start = flags & flag_clean_start;

    if (!r.u16(out.keep_alive)) return false;
    if (v5) {
        if (!decode_properties(r, scope_of(packet_type::connect), out.props)) return false;
        if (out.props.authentication_data && !out.props.authentication_method) {
            return r.fail(
                errc::protocol_error,
                "[section 3.1.2.11.10] Authentication Data without Authentication Method");
        }
    }

    // [MQTT-3.1.3-3] [MQTT-3.1.3-4] the client id is present and UTF-8; its
    // length and characters are the broker's to judge (CONNACK 0x85 / 2).
    if (!r.utf8(out.client_id)) return false;
    if (will) {
        will_message& w = out.will.emplace();
        w.qos = static_cast<qos_level>(will_qos);
        w.retain = will_retain;
        if (v5 && !decode_properties(r, will_scope, w.props)) return false;
        std::string_view payload;
        if (!r.utf8(w.topic) || !r.length_prefixed(payload)) return false;  // [MQTT-3.1.3-11]
        w.payload = shared_buffer(std::string(payload));
    }
    if (has_user && !r.utf8(out.username.emplace())) return false;  // [MQTT-3.1.3-12]
    if (has_password && !r.binary(out.password.emplace())) return false;
    // [MQTT-3.1.3-1] the payload is exactly the fields the flags announce.
    return r.expect_end("[MQTT-3.1.3-1] bytes after the last CONNECT field");
}

template <class Sink>
void put_body(const connect& p, protocol_version, Sink& s) {
    const protocol_version v = p.version;  // CONNECT carries its own version
    const bool v5 = is_v5(v);
    s.str(protocol_name(v));
    s.u8(uint8_t(v));
    uint8_t flags = 0;
    if (p.clean_start) flags |= flag_clean_start;
    if (p.will) {
        flags |= flag_will | uint8_t(uint8_t(p.will->qos) << flag_will_qos_shift);
        if (p.will->retain) flags |= flag_will_retain;
    }
    if (p.username) flags |= flag_user_name;
    if (p.password) flags |= flag_password;
    s.u8(flags);
    s.u16(p.keep_alive);
    if (v5) put_properties(p.props, s);
    s.str(p.client_id);
    if (p.will) {
        if (v5) put_properties(p.will->props, s);
        s.str(p.will->topic);
        s.str(p.will->payload.view());
    }
    if (p.username) s.str(*p.username);
    if (p.password) s.str(*p.password);
}
ROBUST_MQTT_INSTANTIATE_PUT(connect)

// CONNACK: acknowledge flags (bit 0 session present), return/reason code,
// [5.0: properties].
bool decode_body(reader& r, const fixed_header&, protocol_version v, connack& out) {
    uint8_t ack_flags = 0;
    if (!r.u8(ack_flags) || !r.u8(out.reason_code)) return false;
    if (v == protocol_version::v3_1) {
        // 3.1 has no Session Present: the byte is "reserved, not used".
        return r.expect_end("[3.1 CONNACK] remaining length is not 2");
    }
    // [MQTT-3.2.2-1] bits 7-1 are reserved (3.1.1 section 3.2.2.1 too).
    if (ack_flags & 0xFE) return r.fail(errc::malformed, "[MQTT-3.2.2-1] reserved CONNACK flag");
    out.session_present = ack_flags & 0x01;
    if (!is_v5(v)) {
        if (out.session_present && out.reason_code != 0) {
            return r.fail(errc::protocol_error,
                          "[MQTT-3.2.2-4] Session Present with a non-zero return code");
        }
        return r.expect_end("[section 3.2.1] CONNACK remaining length is not 2");
    }
    if (!reason_allowed(packet_type::connack, out.reason_code)) {
        return r.fail(errc::protocol_error, "[MQTT-3.2.2-8] not a CONNACK reason code");
    }
    if (out.session_present && out.reason_code != 0) {
        return r.fail(errc::protocol_error,
                      "[MQTT-3.2.2-6] Session Present with a non-zero reason code");
    }
    if (!decode_properties(r, scope_of(packet_type::connack), out.props)) return false;
    return r.expect_end("[section 3.2.3] CONNACK has no payload");
}

template <class Sink>
void put_body(const connack& p, protocol_version v, Sink& s) {
    s.u8(v != protocol_version::v3_1 && p.session_present ? 1 : 0);
    s.u8(p.reason_code);
    if (is_v5(v)) put_properties(p.props, s);
}
ROBUST_MQTT_INSTANTIATE_PUT(connack)

}  // namespace robust::mqtt::codec::detail
