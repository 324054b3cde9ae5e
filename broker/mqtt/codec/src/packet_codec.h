#pragma once
// Per-packet codecs, one overload set per packet type, defined in the file
// of its spec section group (connect.cc, publish.cc, subscribe.cc,
// control.cc). codec.cc dispatches to them and owns the fixed header.
//
//   decode_body: parses the variable header and payload from `r` (exactly
//     the Remaining Length bytes) into a default-constructed `out`; returns
//     false with the error recorded in r.state().
//   put_body: writes (or counts) the same part for `v`; the encoders are
//     templates over the sink so sizing and writing share one code path.

#include "mqtt/codec/codec.h"
#include "wire.h"

namespace robust::mqtt::codec::detail {

#define ROBUST_MQTT_PACKET_CODEC(T)                                                   \
    bool decode_body(reader& r, const fixed_header& fh, protocol_version v, T& out);  \
    template <class Sink>                                                             \
    void put_body(const T& p, protocol_version v, Sink& s);                           \
    extern template void put_body<size_sink>(const T&, protocol_version, size_sink&); \
    extern template void put_body<string_sink>(const T&, protocol_version, string_sink&);

ROBUST_MQTT_PACKET_CODEC(connect)
ROBUST_MQTT_PACKET_CODEC(connack)
ROBUST_MQTT_PACKET_CODEC(publish)
ROBUST_MQTT_PACKET_CODEC(puback)
ROBUST_MQTT_PACKET_CODEC(pubrec)
ROBUST_MQTT_PACKET_CODEC(pubrel)
ROBUST_MQTT_PACKET_CODEC(pubcomp)
ROBUST_MQTT_PACKET_CODEC(subscribe)
ROBUST_MQTT_PACKET_CODEC(suback)
ROBUST_MQTT_PACKET_CODEC(unsubscribe)
ROBUST_MQTT_PACKET_CODEC(unsuback)
ROBUST_MQTT_PACKET_CODEC(pingreq)
ROBUST_MQTT_PACKET_CODEC(pingresp)
ROBUST_MQTT_PACKET_CODEC(disconnect)
ROBUST_MQTT_PACKET_CODEC(auth)

#undef ROBUST_MQTT_PACKET_CODEC

/// PUBLISH without its payload (encode_publish_header).
template <class Sink>
void put_publish_head(const publish& p, protocol_version v, Sink& s);
extern template void put_publish_head<size_sink>(const publish&, protocol_version, size_sink&);
extern template void put_publish_head<string_sink>(const publish&, protocol_version, string_sink&);

/// Instantiates put_body for both sinks; used once per packet type in its
/// .cc file.
#define ROBUST_MQTT_INSTANTIATE_PUT(T)                                         \
    template void put_body<size_sink>(const T&, protocol_version, size_sink&); \
    template void put_body<string_sink>(const T&, protocol_version, string_sink&);

constexpr bool is_v5(protocol_version v) noexcept {
    return v == protocol_version::v5;
}

}  // namespace robust::mqtt::codec::detail
