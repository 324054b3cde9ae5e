#pragma once
// MQTT 5.0 reason codes (section 2.4, table 2-6) and MQTT 3.x CONNACK return
// codes (3.1.1 section 3.2.2.3), as named constants so broker code never
// writes a bare 0x87. Which codes a packet may carry is answered by
// reason_allowed(); the decoder rejects the others.
//
// Several names share a value (0x00 is success, normal_disconnection and
// granted_qos_0): the wire has one byte, the name says which meaning the
// caller intends.

#include <cstdint>

#include "mqtt/codec/packets.h"

namespace robust::mqtt::codec {

namespace reason {
inline constexpr uint8_t success = 0x00;
inline constexpr uint8_t normal_disconnection = 0x00;
inline constexpr uint8_t granted_qos_0 = 0x00;
inline constexpr uint8_t granted_qos_1 = 0x01;
inline constexpr uint8_t granted_qos_2 = 0x02;
inline constexpr uint8_t disconnect_with_will_message = 0x04;
inline constexpr uint8_t no_matching_subscribers = 0x10;
inline constexpr uint8_t no_subscription_existed = 0x11;
inline constexpr uint8_t continue_authentication = 0x18;
inline constexpr uint8_t re_authenticate = 0x19;
inline constexpr uint8_t unspecified_error = 0x80;
inline constexpr uint8_t malformed_packet = 0x81;
inline constexpr uint8_t protocol_error = 0x82;
inline constexpr uint8_t implementation_specific_error = 0x83;
inline constexpr uint8_t unsupported_protocol_version = 0x84;
inline constexpr uint8_t client_identifier_not_valid = 0x85;
inline constexpr uint8_t bad_user_name_or_password = 0x86;
inline constexpr uint8_t not_authorized = 0x87;
inline constexpr uint8_t server_unavailable = 0x88;
inline constexpr uint8_t server_busy = 0x89;
inline constexpr uint8_t banned = 0x8A;
inline constexpr uint8_t server_shutting_down = 0x8B;
inline constexpr uint8_t bad_authentication_method = 0x8C;
inline constexpr uint8_t keep_alive_timeout = 0x8D;
inline constexpr uint8_t session_taken_over = 0x8E;
inline constexpr uint8_t topic_filter_invalid = 0x8F;
inline constexpr uint8_t topic_name_invalid = 0x90;
inline constexpr uint8_t packet_identifier_in_use = 0x91;
inline constexpr uint8_t packet_identifier_not_found = 0x92;
inline constexpr uint8_t receive_maximum_exceeded = 0x93;
inline constexpr uint8_t topic_alias_invalid = 0x94;
inline constexpr uint8_t packet_too_large = 0x95;
inline constexpr uint8_t message_rate_too_high = 0x96;
inline constexpr uint8_t quota_exceeded = 0x97;
inline constexpr uint8_t administrative_action = 0x98;
inline constexpr uint8_t payload_format_invalid = 0x99;
inline constexpr uint8_t retain_not_supported = 0x9A;
inline constexpr uint8_t qos_not_supported = 0x9B;
inline constexpr uint8_t use_another_server = 0x9C;
inline constexpr uint8_t server_moved = 0x9D;
inline constexpr uint8_t shared_subscriptions_not_supported = 0x9E;
inline constexpr uint8_t connection_rate_exceeded = 0x9F;
inline constexpr uint8_t maximum_connect_time = 0xA0;
inline constexpr uint8_t subscription_identifiers_not_supported = 0xA1;
inline constexpr uint8_t wildcard_subscriptions_not_supported = 0xA2;

/// MQTT 3.1.1 SUBACK failure return code (3.1.1 section 3.9.3).
inline constexpr uint8_t v3_suback_failure = 0x80;
}  // namespace reason

/// MQTT 3.1 / 3.1.1 CONNACK return codes (3.1.1 section 3.2.2.3, table 3.1).
namespace connect_return {
inline constexpr uint8_t accepted = 0;
inline constexpr uint8_t unacceptable_protocol_version = 1;
inline constexpr uint8_t identifier_rejected = 2;
inline constexpr uint8_t server_unavailable = 3;
inline constexpr uint8_t bad_user_name_or_password = 4;
inline constexpr uint8_t not_authorized = 5;
}  // namespace connect_return

/// The MQTT 5 name of `code` for logs ("success", "malformed packet", ...);
/// values shared by several names give the general one ("success" for
/// 0x00). Unknown values give "unknown reason code". Never null; static.
const char* reason_name(uint8_t code) noexcept;

/// The name of a 3.x CONNACK return code, "unknown return code" otherwise.
const char* connect_return_name(uint8_t code) noexcept;

/// Whether MQTT 5 allows `code` in a packet of type `type` (the per-packet
/// lists of sections 3.2.2.2, 3.4.2.1, ..., 3.15.2.1). For SUBACK and
/// UNSUBACK it judges one entry of the payload list. Packet types that carry
/// no reason code allow none.
bool reason_allowed(packet_type type, uint8_t code) noexcept;

}  // namespace robust::mqtt::codec
