// SUBSCRIBE (section 3.8), SUBACK (3.9), UNSUBSCRIBE (3.10), UNSUBACK (3.11).
//
// SUBSCRIBE:   packet id, [5.0: properties], then (topic filter, options)
//              pairs up to the Remaining Length, at least one.
//              Options (bit 7..0): reserved (2), retain handling (2), retain
//              as published, no local, maximum QoS (2); 3.x has only QoS.
// SUBACK:      packet id, [5.0: properties], one reason code per filter.
// UNSUBSCRIBE: packet id, [5.0: properties], topic filters, at least one.
// UNSUBACK:    packet id, [5.0: properties, one reason code per filter].

#include "mqtt/codec/reason_codes.h"
#include "packet_codec.h"
#include "properties.h"

namespace robust::mqtt::codec::detail {

namespace {
constexpr std::string_view shared_prefix = "$share/";

bool decode_packet_id(reader& r, uint16_t& id, const char* zero_rule) {
    if (!r.u16(id)) return false;
    return id != 0 ? true : r.fail(errc::protocol_error, zero_rule);
}

bool decode_options(reader& r, protocol_version v, const std::string& filter,
                    subscribe_options& o) {
    uint8_t b = 0;
    if (!r.u8(b)) return false;
    const uint8_t qos = b & 0x03;
    if (!is_v5(v)) {
        // 3.1.1: upper six bits reserved, QoS 0..2, both malformed
        // [MQTT-3-8.3-4] (sic, the 3.1.1 text numbers it so).
        if (b & 0xFC) return r.fail(errc::malformed, "[MQTT-3-8.3-4] reserved option bits set");
        if (qos == 3) return r.fail(errc::malformed, "[MQTT-3-8.3-4] requested QoS 3");
        o.max_qos = static_cast<qos_level>(qos);
        return true;
    }
    if (b & 0xC0) return r.fail(errc::malformed, "[MQTT-3.8.3-5] reserved option bits set");
    // 5.0 section 3.8.3.1 calls these two Protocol Errors, not malformed.
    if (qos == 3) return r.fail(errc::protocol_error, "[section 3.8.3.1] Maximum QoS 3");
    o.max_qos = static_cast<qos_level>(qos);
    o.no_local = b & 0x04;
    o.retain_as_published = b & 0x08;
    o.retain_handling = (b >> 4) & 0x03;
    if (o.retain_handling == 3) {
        return r.fail(errc::protocol_error, "[section 3.8.3.1] Retain Handling 3");
    }
    if (o.no_local && filter.starts_with(shared_prefix)) {
        return r.fail(errc::protocol_error, "[MQTT-3.8.3-4] No Local on a shared subscription");
    }
    return true;
}

uint8_t options_byte(const subscribe_options& o, protocol_version v) {
    uint8_t b = uint8_t(o.max_qos);
    if (is_v5(v)) {
        if (o.no_local) b |= 0x04;
        if (o.retain_as_published) b |= 0x08;
        b |= uint8_t((o.retain_handling & 0x03) << 4);
    }
    return b;
}

// SUBACK and 5.0 UNSUBACK: the rest of the packet is the reason codes.
bool decode_reason_list(reader& r, packet_type type, protocol_version v, std::vector<uint8_t>& out,
                        const char* bad_rule) {
    const std::string_view codes = r.rest();
    if (codes.empty()) {
        return r.fail(errc::protocol_error, type == packet_type::suback
                                                ? "[MQTT-3.8.4-6] SUBACK without reason codes"
                                                : "[section 3.11.3] UNSUBACK without reason codes");
    }
    out.reserve(codes.size());
    for (char c : codes) {
        const auto code = uint8_t(c);
        bool ok = false;
        if (is_v5(v)) {
            ok = reason_allowed(type, code);
        } else if (v == protocol_version::v3_1_1) {
            ok = code <= 2 || code == reason::v3_suback_failure;  // [MQTT-3.9.3-2]
        } else {
            ok = code <= 2;  // 3.1 grants QoS only; the failure code came in 3.1.1
        }
        if (!ok) return r.fail(errc::protocol_error, bad_rule);
        out.push_back(code);
    }
    return true;
}
}  // namespace

bool decode_body(reader& r, const fixed_header&, protocol_version v, subscribe& out) {
    if (!decode_packet_id(r, out.packet_id, "[MQTT-2.2.1-3] SUBSCRIBE packet id 0")) return false;
    if (is_v5(v) && !decode_properties(r, scope_of(packet_type::subscribe), out.props)) {
        return false;
    }
    while (!r.empty()) {
        if (out.subscriptions.size() >= r.limits().max_topic_filters) {
            return r.fail(errc::too_large, "[decode_limits] too many topic filters in SUBSCRIBE");
        }
        subscription& sub = out.subscriptions.emplace_back();
        // [MQTT-3.8.3-1] UTF-8; filter syntax is the broker's to judge, as
        // 5.0 answers a bad one per filter in SUBACK (0x8F), not by closing.
        if (!r.utf8(sub.filter)) return false;
        if (!decode_options(r, v, sub.filter, sub.options)) return false;
    }
    if (out.subscriptions.empty()) {
        return r.fail(errc::protocol_error, is_v5(v) ? "[MQTT-3.8.3-2] SUBSCRIBE without filters"
                                                     : "[MQTT-3.8.3-3] SUBSCRIBE without filters");
    }
    return true;
}

template <class Sink>
void put_body(const subscribe& p, protocol_version v, Sink& s) {
    s.u16(p.packet_id);
    if (is_v5(v)) put_properties(p.props, s);
    for (const auto& sub : p.subscriptions) {
        s.str(sub.filter);
        s.u8(options_byte(sub.options, v));
    }
}
ROBUST_MQTT_INSTANTIATE_PUT(subscribe)

bool decode_body(reader& r, const fixed_header&, protocol_version v, suback& out) {
    if (!decode_packet_id(r, out.packet_id, "[MQTT-2.2.1-6] SUBACK packet id 0")) return false;
    if (is_v5(v) && !decode_properties(r, scope_of(packet_type::suback), out.props)) return false;
    return decode_reason_list(r, packet_type::suback, v, out.reason_codes,
                              is_v5(v) ? "[MQTT-3.9.3-2] not a SUBACK reason code"
                                       : "[MQTT-3.9.3-2] not a SUBACK return code");
}

template <class Sink>
void put_body(const suback& p, protocol_version v, Sink& s) {
    s.u16(p.packet_id);
    if (is_v5(v)) put_properties(p.props, s);
    for (uint8_t c : p.reason_codes) s.u8(c);
}
ROBUST_MQTT_INSTANTIATE_PUT(suback)

bool decode_body(reader& r, const fixed_header&, protocol_version v, unsubscribe& out) {
    if (!decode_packet_id(r, out.packet_id, "[MQTT-2.2.1-3] UNSUBSCRIBE packet id 0")) {
        return false;
    }
    if (is_v5(v) && !decode_properties(r, scope_of(packet_type::unsubscribe), out.props)) {
        return false;
    }
    while (!r.empty()) {
        if (out.filters.size() >= r.limits().max_topic_filters) {
            return r.fail(errc::too_large, "[decode_limits] too many topic filters in UNSUBSCRIBE");
        }
        if (!r.utf8(out.filters.emplace_back())) return false;  // [MQTT-3.10.3-1]
    }
    if (out.filters.empty()) {
        return r.fail(errc::protocol_error, "[MQTT-3.10.3-2] UNSUBSCRIBE without filters");
    }
    return true;
}

template <class Sink>
void put_body(const unsubscribe& p, protocol_version v, Sink& s) {
    s.u16(p.packet_id);
    if (is_v5(v)) put_properties(p.props, s);
    for (const auto& f : p.filters) s.str(f);
}
ROBUST_MQTT_INSTANTIATE_PUT(unsubscribe)

bool decode_body(reader& r, const fixed_header&, protocol_version v, unsuback& out) {
    if (!decode_packet_id(r, out.packet_id, "[MQTT-2.2.1-6] UNSUBACK packet id 0")) return false;
    if (!is_v5(v)) return r.expect_end("[section 3.11.1] 3.x UNSUBACK remaining length is not 2");
    if (!decode_properties(r, scope_of(packet_type::unsuback), out.props)) return false;
    return decode_reason_list(r, packet_type::unsuback, v, out.reason_codes,
                              "[MQTT-3.11.3-2] not an UNSUBACK reason code");
}

template <class Sink>
void put_body(const unsuback& p, protocol_version v, Sink& s) {
    s.u16(p.packet_id);
    if (!is_v5(v)) return;
    put_properties(p.props, s);
    for (uint8_t c : p.reason_codes) s.u8(c);
}
ROBUST_MQTT_INSTANTIATE_PUT(unsuback)

}  // namespace robust::mqtt::codec::detail
