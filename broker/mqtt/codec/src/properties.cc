#include "properties.h"

#include <array>
#include <type_traits>
#include <utility>

namespace robust::mqtt::codec::detail {

namespace {

enum class prop_type : uint8_t { none, byte, two_byte, four_byte, varint, utf8, binary, pair };

// Values the spec forbids for a property, checked on decode.
enum class value_rule : uint8_t {
    any,
    zero_or_one,  // "It is a Protocol Error to ... have a value other than 0 or 1"
    non_zero,     // "It is a Protocol Error ... for it to have the value 0"
};

constexpr uint16_t bit(packet_type t) {
    return uint16_t(1u << uint8_t(t));
}
constexpr uint16_t will_bit = 1u << will_scope;

struct property_def {
    prop_type type = prop_type::none;
    uint16_t allowed = 0;  // bit per packet type, bit 0 for Will Properties
    value_rule check = value_rule::any;
    const char* repeat_rule = "";     // protocol_error when repeated
    const char* bad_value_rule = "";  // protocol_error when the value is forbidden
    std::optional<uint8_t> properties::*u8 = nullptr;
    std::optional<uint16_t> properties::*u16 = nullptr;
    std::optional<uint32_t> properties::*u32 = nullptr;
    std::optional<std::string> properties::*str = nullptr;
};

constexpr uint8_t max_id = 0x2A;
using property_table = std::array<property_def, max_id + 1>;

// MQTT 5.0 section 2.2.2.2, table 2-4. The repeat and value rules are those
// each property's own section states ("It is a Protocol Error to include
// ... more than once", "... to have a value other than 0 or 1").
constexpr property_table make_table() {
    using pt = packet_type;
    using p = properties;
    using enum prop_type;
    property_table t{};
    const uint16_t publish_will = bit(pt::publish) | will_bit;
    const uint16_t acks = bit(pt::puback) | bit(pt::pubrec) | bit(pt::pubrel) | bit(pt::pubcomp);

    t[0x01] = {.type = byte,
               .allowed = publish_will,
               .check = value_rule::zero_or_one,
               .repeat_rule = "[section 3.3.2.3.2] Payload Format Indicator included twice",
               .bad_value_rule = "[section 3.3.2.3.2] Payload Format Indicator not 0 or 1",
               .u8 = &p::payload_format_indicator};
    t[0x02] = {.type = four_byte,
               .allowed = publish_will,
               .repeat_rule = "[section 3.3.2.3.3] Message Expiry Interval included twice",
               .u32 = &p::message_expiry_interval};
    t[0x03] = {.type = utf8,
               .allowed = publish_will,
               .repeat_rule = "[section 3.3.2.3.9] Content Type included twice",
               .str = &p::content_type};
    t[0x08] = {.type = utf8,
               .allowed = publish_will,
               .repeat_rule = "[section 3.3.2.3.5] Response Topic included twice",
               .str = &p::response_topic};
    t[0x09] = {.type = binary,
               .allowed = publish_will,
               .repeat_rule = "[section 3.3.2.3.6] Correlation Data included twice",
               .str = &p::correlation_data};
    // Repeatable in PUBLISH (one per matching subscription, 3.3.2.3.8),
    // once in SUBSCRIBE (3.8.2.1.2); stored in subscription_identifiers.
    t[0x0B] = {.type = varint,
               .allowed = uint16_t(bit(pt::publish) | bit(pt::subscribe)),
               .check = value_rule::non_zero,
               .repeat_rule = "[section 3.8.2.1.2] Subscription Identifier included twice",
               .bad_value_rule = "[section 3.8.2.1.2] Subscription Identifier of 0"};
    t[0x11] = {.type = four_byte,
               .allowed = uint16_t(bit(pt::connect) | bit(pt::connack) | bit(pt::disconnect)),
               .repeat_rule = "[section 3.1.2.11.2] Session Expiry Interval included twice",
               .u32 = &p::session_expiry_interval};
    t[0x12] = {.type = utf8,
               .allowed = bit(pt::connack),
               .repeat_rule = "[section 3.2.2.3.7] Assigned Client Identifier included twice",
               .str = &p::assigned_client_identifier};
    t[0x13] = {.type = two_byte,
               .allowed = bit(pt::connack),
               .repeat_rule = "[section 3.2.2.3.14] Server Keep Alive included twice",
               .u16 = &p::server_keep_alive};
    t[0x15] = {.type = utf8,
               .allowed = uint16_t(bit(pt::connect) | bit(pt::connack) | bit(pt::auth)),
               .repeat_rule = "[section 3.1.2.11.9] Authentication Method included twice",
               .str = &p::authentication_method};
    t[0x16] = {.type = binary,
               .allowed = uint16_t(bit(pt::connect) | bit(pt::connack) | bit(pt::auth)),
               .repeat_rule = "[section 3.1.2.11.10] Authentication Data included twice",
               .str = &p::authentication_data};
    t[0x17] = {.type = byte,
               .allowed = bit(pt::connect),
               .check = value_rule::zero_or_one,
               .repeat_rule = "[section 3.1.2.11.7] Request Problem Information included twice",
               .bad_value_rule = "[section 3.1.2.11.7] Request Problem Information not 0 or 1",
               .u8 = &p::request_problem_information};
    t[0x18] = {.type = four_byte,
               .allowed = will_bit,
               .repeat_rule = "[section 3.1.3.2.2] Will Delay Interval included twice",
               .u32 = &p::will_delay_interval};
    t[0x19] = {.type = byte,
               .allowed = bit(pt::connect),
               .check = value_rule::zero_or_one,
               .repeat_rule = "[section 3.1.2.11.6] Request Response Information included twice",
               .bad_value_rule = "[section 3.1.2.11.6] Request Response Information not 0 or 1",
               .u8 = &p::request_response_information};
    t[0x1A] = {.type = utf8,
               .allowed = bit(pt::connack),
               .repeat_rule = "[section 3.2.2.3.15] Response Information included twice",
               .str = &p::response_information};
    t[0x1C] = {.type = utf8,
               .allowed = uint16_t(bit(pt::connack) | bit(pt::disconnect)),
               .repeat_rule = "[section 3.2.2.3.16] Server Reference included twice",
               .str = &p::server_reference};
    t[0x1F] = {.type = utf8,
               .allowed = uint16_t(bit(pt::connack) | acks | bit(pt::suback) | bit(pt::unsuback) |
                                   bit(pt::disconnect) | bit(pt::auth)),
               .repeat_rule = "[section 3.2.2.3.9] Reason String included twice",
               .str = &p::reason_string};
    t[0x21] = {.type = two_byte,
               .allowed = uint16_t(bit(pt::connect) | bit(pt::connack)),
               .check = value_rule::non_zero,
               .repeat_rule = "[section 3.1.2.11.3] Receive Maximum included twice",
               .bad_value_rule = "[section 3.1.2.11.3] Receive Maximum of 0",
               .u16 = &p::receive_maximum};
    t[0x22] = {.type = two_byte,
               .allowed = uint16_t(bit(pt::connect) | bit(pt::connack)),
               .repeat_rule = "[section 3.1.2.11.5] Topic Alias Maximum included twice",
               .u16 = &p::topic_alias_maximum};
    t[0x23] = {.type = two_byte,
               .allowed = bit(pt::publish),
               .check = value_rule::non_zero,
               .repeat_rule = "[section 3.3.2.3.4] Topic Alias included twice",
               .bad_value_rule = "[MQTT-3.3.2-8] Topic Alias of 0",
               .u16 = &p::topic_alias};
    t[0x24] = {.type = byte,
               .allowed = bit(pt::connack),
               .check = value_rule::zero_or_one,
               .repeat_rule = "[section 3.2.2.3.4] Maximum QoS included twice",
               .bad_value_rule = "[section 3.2.2.3.4] Maximum QoS not 0 or 1",
               .u8 = &p::maximum_qos};
    t[0x25] = {.type = byte,
               .allowed = bit(pt::connack),
               .check = value_rule::zero_or_one,
               .repeat_rule = "[section 3.2.2.3.5] Retain Available included twice",
               .bad_value_rule = "[section 3.2.2.3.5] Retain Available not 0 or 1",
               .u8 = &p::retain_available};
    // Everywhere properties are, and repeatable (section 3.1.2.11.8).
    t[0x26] = {
        .type = pair,
        .allowed = uint16_t(will_bit | bit(pt::connect) | bit(pt::connack) | bit(pt::publish) |
                            acks | bit(pt::subscribe) | bit(pt::suback) | bit(pt::unsubscribe) |
                            bit(pt::unsuback) | bit(pt::disconnect) | bit(pt::auth))};
    t[0x27] = {.type = four_byte,
               .allowed = uint16_t(bit(pt::connect) | bit(pt::connack)),
               .check = value_rule::non_zero,
               .repeat_rule = "[section 3.1.2.11.4] Maximum Packet Size included twice",
               .bad_value_rule = "[section 3.1.2.11.4] Maximum Packet Size of 0",
               .u32 = &p::maximum_packet_size};
    t[0x28] = {.type = byte,
               .allowed = bit(pt::connack),
               .check = value_rule::zero_or_one,
               .repeat_rule = "[section 3.2.2.3.11] Wildcard Subscription Available included twice",
               .bad_value_rule = "[section 3.2.2.3.11] Wildcard Subscription Available not 0 or 1",
               .u8 = &p::wildcard_subscription_available};
    t[0x29] = {
        .type = byte,
        .allowed = bit(pt::connack),
        .check = value_rule::zero_or_one,
        .repeat_rule = "[section 3.2.2.3.12] Subscription Identifiers Available included twice",
        .bad_value_rule = "[section 3.2.2.3.12] Subscription Identifiers Available not 0 or 1",
        .u8 = &p::subscription_identifiers_available};
    t[0x2A] = {.type = byte,
               .allowed = bit(pt::connack),
               .check = value_rule::zero_or_one,
               .repeat_rule = "[section 3.2.2.3.13] Shared Subscription Available included twice",
               .bad_value_rule = "[section 3.2.2.3.13] Shared Subscription Available not 0 or 1",
               .u8 = &p::shared_subscription_available};
    return t;
}

constexpr property_table table = make_table();

constexpr uint8_t subscription_identifier_id = 0x0B;
constexpr uint8_t user_property_id = 0x26;

bool value_ok(const property_def& d, uint32_t v) noexcept {
    switch (d.check) {
        case value_rule::any:
            return true;
        case value_rule::zero_or_one:
            return v <= 1;
        case value_rule::non_zero:
            return v != 0;
    }
    return true;
}

}  // namespace

bool decode_properties(reader& r, property_scope scope, properties& out) {
    uint32_t length = 0;
    if (!r.varint(length)) return false;
    if (length > r.remaining()) {
        return r.fail(errc::malformed, "[section 2.2.2.1] Property Length runs past the packet");
    }
    reader pr(nullptr, 0, r.state());
    if (!r.sub(length, pr)) return false;

    uint64_t seen = 0;  // identifiers are below 64
    while (!pr.empty()) {
        uint32_t id = 0;
        if (!pr.varint(id)) return false;
        if (id > max_id || table[id].type == prop_type::none) {
            return pr.fail(errc::malformed, "[section 2.2.2.2] unknown property identifier");
        }
        const property_def& d = table[id];
        if ((d.allowed & (1u << scope)) == 0) {
            return pr.fail(errc::malformed,
                           "[section 2.2.2.2] property not valid for this packet type");
        }
        const bool repeatable = id == user_property_id || (id == subscription_identifier_id &&
                                                           scope == scope_of(packet_type::publish));
        if (!repeatable) {
            if (seen & (uint64_t(1) << id)) return pr.fail(errc::protocol_error, d.repeat_rule);
            seen |= uint64_t(1) << id;
        }

        switch (d.type) {
            case prop_type::byte: {
                uint8_t v = 0;
                if (!pr.u8(v)) return false;
                if (!value_ok(d, v)) return pr.fail(errc::protocol_error, d.bad_value_rule);
                out.*d.u8 = v;
                break;
            }
            case prop_type::two_byte: {
                uint16_t v = 0;
                if (!pr.u16(v)) return false;
                if (!value_ok(d, v)) return pr.fail(errc::protocol_error, d.bad_value_rule);
                out.*d.u16 = v;
                break;
            }
            case prop_type::four_byte: {
                uint32_t v = 0;
                if (!pr.u32(v)) return false;
                if (!value_ok(d, v)) return pr.fail(errc::protocol_error, d.bad_value_rule);
                out.*d.u32 = v;
                break;
            }
            case prop_type::varint: {  // only Subscription Identifier
                uint32_t v = 0;
                if (!pr.varint(v)) return false;
                if (!value_ok(d, v)) return pr.fail(errc::protocol_error, d.bad_value_rule);
                out.subscription_identifiers.push_back(v);
                break;
            }
            case prop_type::utf8:
                if (!pr.utf8((out.*d.str).emplace())) return false;
                break;
            case prop_type::binary:
                if (!pr.binary((out.*d.str).emplace())) return false;
                break;
            case prop_type::pair: {  // only User Property
                if (++r.state().user_properties > r.limits().max_user_properties) {
                    return pr.fail(errc::too_large, "[decode_limits] too many User Properties");
                }
                user_property& up = out.user_properties.emplace_back();
                if (!pr.utf8(up.key) || !pr.utf8(up.value)) return false;
                break;
            }
            case prop_type::none:
                break;
        }
    }
    return true;
}

namespace {
// One property, with the table entry a compile-time constant: the encoder
// is on the hot path of every outgoing packet, and walking the table at run
// time through member pointers cost more than the rest of the encoding.
template <uint8_t Id, class Sink>
inline void put_one(const properties& p, Sink& s) {
    constexpr const property_def& d = table[Id];
    if constexpr (d.type == prop_type::byte) {
        if (const auto& v = p.*(d.u8)) {
            s.u8(Id);
            s.u8(*v);
        }
    } else if constexpr (d.type == prop_type::two_byte) {
        if (const auto& v = p.*(d.u16)) {
            s.u8(Id);
            s.u16(*v);
        }
    } else if constexpr (d.type == prop_type::four_byte) {
        if (const auto& v = p.*(d.u32)) {
            s.u8(Id);
            s.u32(*v);
        }
    } else if constexpr (d.type == prop_type::utf8 || d.type == prop_type::binary) {
        if (const auto& v = p.*(d.str)) {
            s.u8(Id);
            s.str(*v);
        }
    } else if constexpr (d.type == prop_type::varint) {
        for (uint32_t v : p.subscription_identifiers) {
            s.u8(Id);
            s.varint(v);
        }
    } else if constexpr (d.type == prop_type::pair) {
        for (const auto& up : p.user_properties) {
            s.u8(Id);
            s.str(up.key);
            s.str(up.value);
        }
    }
}

template <class Sink, size_t... Id>
inline void put_all(const properties& p, Sink& s, std::index_sequence<Id...>) {
    (put_one<uint8_t(Id)>(p, s), ...);
}

// Identifiers are written in increasing order; ids below 0x80 are one-byte
// varints, so s.u8(Id) is their encoding.
template <class Sink>
void put_body(const properties& p, Sink& s) {
    put_all(p, s, std::make_index_sequence<max_id + 1>{});
}
}  // namespace

size_t properties_body_size(const properties& p) noexcept {
    size_sink n;
    put_body(p, n);
    return n.n;
}

template <class Sink>
void put_properties(const properties& p, Sink& s) {
    const size_t body = properties_body_size(p);
    s.varint(uint32_t(body));
    if constexpr (std::is_same_v<Sink, size_sink>) {
        s.n += body;
    } else {
        put_body(p, s);
    }
}

template void put_properties<size_sink>(const properties&, size_sink&);
template void put_properties<string_sink>(const properties&, string_sink&);

}  // namespace robust::mqtt::codec::detail
