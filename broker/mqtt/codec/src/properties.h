#pragma once
// MQTT 5.0 properties (section 2.2.2): Property Length, then (identifier,
// value) pairs. One table in properties.cc says, per identifier, its data
// type, the packets it may appear in and which values are forbidden; the
// decoder and the encoder both walk it.

#include <cstdint>

#include "mqtt/codec/packets.h"
#include "wire.h"

namespace robust::mqtt::codec::detail {

/// Where a property block sits: the bit of a packet type (1..15), or 0 for
/// the Will Properties of CONNECT (section 3.1.3.2), which allow a set of
/// their own.
using property_scope = uint8_t;
inline constexpr property_scope will_scope = 0;
constexpr property_scope scope_of(packet_type t) noexcept {
    return property_scope(t);
}

/// Reads Property Length and the properties into `out` (which must be
/// default). Fails with malformed for a length past the packet, an unknown
/// identifier or one not allowed in `scope`; protocol_error for a repeated
/// property (other than User Property, and Subscription Identifier in
/// PUBLISH) or a forbidden value; too_large past max_user_properties.
bool decode_properties(reader& r, property_scope scope, properties& out);

/// Writes Property Length and the properties that are set, in identifier
/// order (User Properties in their own order, [MQTT-3.1.3-10]).
template <class Sink>
void put_properties(const properties& p, Sink& s);

/// Bytes of the properties themselves (without Property Length); 0 when
/// none is set, which is what the short forms of the acks test.
size_t properties_body_size(const properties& p) noexcept;

extern template void put_properties<size_sink>(const properties&, size_sink&);
extern template void put_properties<string_sink>(const properties&, string_sink&);

}  // namespace robust::mqtt::codec::detail
