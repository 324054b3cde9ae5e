// PUBLISH (section 3.3) and its acknowledgements PUBACK, PUBREC, PUBREL,
// PUBCOMP (sections 3.4-3.7).
//
// PUBLISH: topic name, [packet id if QoS > 0], [5.0: properties], payload
//          (everything up to the Remaining Length). Flags DUP/QoS/RETAIN sit
//          in the fixed header and were checked by decode_fixed_header().
// acks:    packet id, [5.0: reason code, [properties]] with the short forms
//          of section 3.4.2.1: Remaining Length 2 means reason 0x00 and no
//          properties; 3 means no properties.

#include "mqtt/codec/reason_codes.h"
#include "packet_codec.h"
#include "properties.h"

namespace robust::mqtt::codec::detail {

bool decode_body(reader& r, const fixed_header& fh, protocol_version v, publish& out) {
    out.dup = fh.flags & 0x08;
    out.qos = static_cast<qos_level>((fh.flags >> 1) & 0x03);
    out.retain = fh.flags & 0x01;
    if (!r.utf8(out.topic)) return false;  // [MQTT-3.3.2-1]
    if (out.qos != qos_level::at_most_once) {
        if (!r.u16(out.packet_id)) return false;
        if (out.packet_id == 0) {
            return r.fail(errc::protocol_error, "[MQTT-2.2.1-3] PUBLISH packet id 0 with QoS > 0");
        }
    }
    if (is_v5(v)) {
        if (!decode_properties(r, scope_of(packet_type::publish), out.props)) return false;
        if (out.topic.empty() && !out.props.topic_alias) {
            return r.fail(errc::protocol_error,
                          "[section 3.3.2.1] empty Topic Name without Topic Alias");
        }
    } else if (out.topic.empty()) {
        return r.fail(errc::protocol_error, "[MQTT-4.7.3-1] empty Topic Name");
    }
    // The one copy of the payload: out of the receive buffer into a
    // ref-counted buffer that every subscriber's queue shares.
    out.payload = shared_buffer(std::string(r.rest()));
    return true;
}

template <class Sink>
void put_publish_head(const publish& p, protocol_version v, Sink& s) {
    s.str(p.topic);
    if (p.qos != qos_level::at_most_once) s.u16(p.packet_id);
    if (is_v5(v)) put_properties(p.props, s);
}
template void put_publish_head<size_sink>(const publish&, protocol_version, size_sink&);
template void put_publish_head<string_sink>(const publish&, protocol_version, string_sink&);

template <class Sink>
void put_body(const publish& p, protocol_version v, Sink& s) {
    put_publish_head(p, v, s);
    s.raw(p.payload.view());
}
ROBUST_MQTT_INSTANTIATE_PUT(publish)

namespace {
struct ack_rules {
    packet_type type;
    const char* zero_id;
    const char* bad_reason;
    const char* v3_length;
    const char* trailing;
};

constexpr ack_rules puback_rules{packet_type::puback, "[MQTT-2.2.1-5] PUBACK packet id 0",
                                 "[MQTT-3.4.2-1] not a PUBACK reason code",
                                 "[section 3.4.1] PUBACK remaining length is not 2",
                                 "[section 3.4.3] PUBACK has no payload"};
constexpr ack_rules pubrec_rules{packet_type::pubrec, "[MQTT-2.2.1-5] PUBREC packet id 0",
                                 "[MQTT-3.5.2-1] not a PUBREC reason code",
                                 "[section 3.5.1] PUBREC remaining length is not 2",
                                 "[section 3.5.3] PUBREC has no payload"};
constexpr ack_rules pubrel_rules{packet_type::pubrel, "[MQTT-2.2.1-5] PUBREL packet id 0",
                                 "[MQTT-3.6.2-1] not a PUBREL reason code",
                                 "[section 3.6.1] PUBREL remaining length is not 2",
                                 "[section 3.6.3] PUBREL has no payload"};
constexpr ack_rules pubcomp_rules{packet_type::pubcomp, "[MQTT-2.2.1-5] PUBCOMP packet id 0",
                                  "[MQTT-3.7.2-1] not a PUBCOMP reason code",
                                  "[section 3.7.1] PUBCOMP remaining length is not 2",
                                  "[section 3.7.3] PUBCOMP has no payload"};

bool decode_ack(reader& r, protocol_version v, const ack_rules& rules, ack_fields& out) {
    if (!r.u16(out.packet_id)) return false;
    // An ack carries the id of the PUBLISH it answers [MQTT-2.2.1-5], which
    // is never 0 [MQTT-2.2.1-3].
    if (out.packet_id == 0) return r.fail(errc::protocol_error, rules.zero_id);
    if (!is_v5(v)) return r.expect_end(rules.v3_length);
    if (r.empty()) return true;  // Remaining Length 2: success, no properties
    if (!r.u8(out.reason_code)) return false;
    if (!reason_allowed(rules.type, out.reason_code)) {
        return r.fail(errc::protocol_error, rules.bad_reason);
    }
    if (r.empty()) return true;  // Remaining Length 3: no Property Length
    if (!decode_properties(r, scope_of(rules.type), out.props)) return false;
    return r.expect_end(rules.trailing);
}

template <class Sink>
void put_ack(const ack_fields& p, protocol_version v, Sink& s) {
    s.u16(p.packet_id);
    if (!is_v5(v)) return;
    // The short forms, as mosquitto writes them: omit what is default.
    const bool has_props = properties_body_size(p.props) != 0;
    if (p.reason_code == reason::success && !has_props) return;
    s.u8(p.reason_code);
    if (has_props) put_properties(p.props, s);
}
}  // namespace

#define ROBUST_MQTT_ACK(T)                                                         \
    bool decode_body(reader& r, const fixed_header&, protocol_version v, T& out) { \
        return decode_ack(r, v, T##_rules, out);                                   \
    }                                                                              \
    template <class Sink>                                                          \
    void put_body(const T& p, protocol_version v, Sink& s) {                       \
        put_ack(p, v, s);                                                          \
    }                                                                              \
    ROBUST_MQTT_INSTANTIATE_PUT(T)

ROBUST_MQTT_ACK(puback)
ROBUST_MQTT_ACK(pubrec)
ROBUST_MQTT_ACK(pubrel)
ROBUST_MQTT_ACK(pubcomp)

#undef ROBUST_MQTT_ACK

}  // namespace robust::mqtt::codec::detail
