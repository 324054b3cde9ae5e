// PINGREQ (section 3.12), PINGRESP (3.13), DISCONNECT (3.14), AUTH (3.15).
//
// PINGREQ/PINGRESP: nothing after the fixed header.
// DISCONNECT: 3.x nothing; 5.0 [reason code, [properties]]: Remaining
//             Length 0 means reason 0x00, and "if the Remaining Length is
//             less than 2, a value of 0 is used" for Property Length.
// AUTH (5.0): [reason code, properties]: only Remaining Length 0 may omit
//             them (section 3.15.2.1); otherwise the properties must hold an
//             Authentication Method. 3.x has no packet type 15.

#include "mqtt/codec/reason_codes.h"
#include "packet_codec.h"
#include "properties.h"

namespace robust::mqtt::codec::detail {

bool decode_body(reader& r, const fixed_header&, protocol_version, pingreq&) {
    return r.expect_end("[section 3.12.1] PINGREQ remaining length is not 0");
}
template <class Sink>
void put_body(const pingreq&, protocol_version, Sink&) {}
ROBUST_MQTT_INSTANTIATE_PUT(pingreq)

bool decode_body(reader& r, const fixed_header&, protocol_version, pingresp&) {
    return r.expect_end("[section 3.13.1] PINGRESP remaining length is not 0");
}
template <class Sink>
void put_body(const pingresp&, protocol_version, Sink&) {}
ROBUST_MQTT_INSTANTIATE_PUT(pingresp)

bool decode_body(reader& r, const fixed_header&, protocol_version v, disconnect& out) {
    if (!is_v5(v)) return r.expect_end("[section 3.14.1] 3.x DISCONNECT remaining length is not 0");
    if (r.empty()) return true;  // [section 3.14.2.1] reason 0x00 implied
    if (!r.u8(out.reason_code)) return false;
    if (!reason_allowed(packet_type::disconnect, out.reason_code)) {
        return r.fail(errc::protocol_error, "[MQTT-3.14.2-1] not a DISCONNECT reason code");
    }
    if (r.empty()) return true;  // [section 3.14.2.2.1] Property Length 0 implied
    if (!decode_properties(r, scope_of(packet_type::disconnect), out.props)) return false;
    return r.expect_end("[section 3.14.3] DISCONNECT has no payload");
}

template <class Sink>
void put_body(const disconnect& p, protocol_version v, Sink& s) {
    if (!is_v5(v)) return;
    const bool has_props = properties_body_size(p.props) != 0;
    if (p.reason_code == reason::normal_disconnection && !has_props) return;
    s.u8(p.reason_code);
    if (has_props) put_properties(p.props, s);
}
ROBUST_MQTT_INSTANTIATE_PUT(disconnect)

bool decode_body(reader& r, const fixed_header&, protocol_version v, auth& out) {
    if (!is_v5(v)) {
        return r.fail(errc::malformed, "[3.1.1 section 2.2.1] packet type 15 is reserved");
    }
    if (r.empty()) return true;  // [section 3.15.2.1] reason 0x00, no properties
    if (!r.u8(out.reason_code)) return false;
    if (!reason_allowed(packet_type::auth, out.reason_code)) {
        return r.fail(errc::protocol_error, "[MQTT-3.15.2-1] not an AUTH reason code");
    }
    if (!decode_properties(r, scope_of(packet_type::auth), out.props)) return false;
    if (!out.props.authentication_method) {
        return r.fail(errc::protocol_error,
                      "[section 3.15.2.2.2] AUTH without Authentication Method");
    }
    return r.expect_end("[section 3.15.3] AUTH has no payload");
}

template <class Sink>
void put_body(const auth& p, protocol_version, Sink& s) {
    // AUTH exists only in 5.0; it is written in the 5.0 layout whatever the
    // version, as the broker never sends it on a 3.x connection.
    if (p.reason_code == reason::success && properties_body_size(p.props) == 0) return;
    s.u8(p.reason_code);
    put_properties(p.props, s);
}
ROBUST_MQTT_INSTANTIATE_PUT(auth)

}  // namespace robust::mqtt::codec::detail
