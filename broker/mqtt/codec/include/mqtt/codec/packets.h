#pragma once
// MQTT control packets as plain values, for versions 3.1, 3.1.1 and 5.0.
//
// One struct per packet type (OASIS MQTT 5.0 section 3, 3.1.1 section 3).
// Fields that exist only in 5.0 (reason codes, properties) are ignored when
// encoding for 3.x and left at their defaults when decoding 3.x. The structs
// own their bytes except `publish::payload` and `will_message::payload`, which are
// reference-counted so one message can be queued to many sessions uncopied.

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "base/shared_buffer.h"

namespace robust::mqtt::codec {

/// The protocol level byte of CONNECT.
enum class protocol_version : uint8_t {
    v3_1 = 3,    // protocol name "MQIsdp"
    v3_1_1 = 4,  // protocol name "MQTT"
    v5 = 5,      // protocol name "MQTT"
};

enum class packet_type : uint8_t {
    connect = 1,
    connack = 2,
    publish = 3,
    puback = 4,
    pubrec = 5,
    pubrel = 6,
    pubcomp = 7,
    subscribe = 8,
    suback = 9,
    unsubscribe = 10,
    unsuback = 11,
    pingreq = 12,
    pingresp = 13,
    disconnect = 14,
    auth = 15,
};

enum class qos_level : uint8_t { at_most_once = 0, at_least_once = 1, exactly_once = 2 };

struct user_property {
    std::string key;
    std::string value;
    friend bool operator==(const user_property&, const user_property&) = default;
};

/// MQTT 5.0 properties (section 2.2.2.2). Absent properties are nullopt /
/// empty. Binary data is held in std::string. The decoder rejects a
/// property that is not allowed in the packet it appears in (malformed) and
/// a repeated property other than user_property and subscription_identifier
/// (protocol_error); the encoder writes only what is set.
struct properties {
    std::optional<uint8_t> payload_format_indicator;            // 0x01
    std::optional<uint32_t> message_expiry_interval;            // 0x02
    std::optional<std::string> content_type;                    // 0x03
    std::optional<std::string> response_topic;                  // 0x08
    std::optional<std::string> correlation_data;                // 0x09 (binary)
    std::vector<uint32_t> subscription_identifiers;             // 0x0B (varint; many in PUBLISH)
    std::optional<uint32_t> session_expiry_interval;            // 0x11
    std::optional<std::string> assigned_client_identifier;      // 0x12
    std::optional<uint16_t> server_keep_alive;                  // 0x13
    std::optional<std::string> authentication_method;           // 0x15
    std::optional<std::string> authentication_data;             // 0x16 (binary)
    std::optional<uint8_t> request_problem_information;         // 0x17
    std::optional<uint32_t> will_delay_interval;                // 0x18
    std::optional<uint8_t> request_response_information;        // 0x19
    std::optional<std::string> response_information;            // 0x1A
    std::optional<std::string> server_reference;                // 0x1C
    std::optional<std::string> reason_string;                   // 0x1F
    std::optional<uint16_t> receive_maximum;                    // 0x21
    std::optional<uint16_t> topic_alias_maximum;                // 0x22
    std::optional<uint16_t> topic_alias;                        // 0x23
    std::optional<uint8_t> maximum_qos;                         // 0x24
    std::optional<uint8_t> retain_available;                    // 0x25
    std::vector<user_property> user_properties;                 // 0x26 (ordered, repeatable)
    std::optional<uint32_t> maximum_packet_size;                // 0x27
    std::optional<uint8_t> wildcard_subscription_available;     // 0x28
    std::optional<uint8_t> subscription_identifiers_available;  // 0x29
    std::optional<uint8_t> shared_subscription_available;       // 0x2A

    friend bool operator==(const properties&, const properties&) = default;
};

struct will_message {
    std::string topic;
    shared_buffer payload;
    qos_level qos = qos_level::at_most_once;
    bool retain = false;
    properties props;  // will properties (5.0 section 3.1.3.2)
    friend bool operator==(const will_message&, const will_message&) = default;
};

struct connect {
    protocol_version version = protocol_version::v3_1_1;
    bool clean_start = true;  // "clean session" in 3.x
    uint16_t keep_alive = 0;  // seconds
    std::string client_id;
    std::optional<will_message> will;
    std::optional<std::string> username;
    std::optional<std::string> password;  // binary
    properties props;
    friend bool operator==(const connect&, const connect&) = default;
};

struct connack {
    bool session_present = false;
    uint8_t reason_code = 0;  // 3.x: the connect return code (0..5)
    properties props;
    friend bool operator==(const connack&, const connack&) = default;
};

struct publish {
    bool dup = false;
    qos_level qos = qos_level::at_most_once;
    bool retain = false;
    std::string topic;       // may be empty in 5.0 when props.topic_alias is set
    uint16_t packet_id = 0;  // only for QoS 1 and 2
    properties props;
    shared_buffer payload;
    friend bool operator==(const publish&, const publish&) = default;
};

/// PUBACK, PUBREC, PUBREL and PUBCOMP share one layout (5.0 section 3.4-3.7).
struct ack_fields {
    uint16_t packet_id = 0;
    uint8_t reason_code = 0;
    properties props;
    friend bool operator==(const ack_fields&, const ack_fields&) = default;
};
struct puback : ack_fields {};
struct pubrec : ack_fields {};
struct pubrel : ack_fields {};
struct pubcomp : ack_fields {};

/// Subscription options byte (5.0 section 3.8.3.1); 3.x uses only max_qos.
struct subscribe_options {
    qos_level max_qos = qos_level::at_most_once;
    bool no_local = false;
    bool retain_as_published = false;
    uint8_t retain_handling = 0;  // 0 send at subscribe, 1 only if new, 2 never
    friend bool operator==(const subscribe_options&, const subscribe_options&) = default;
};

struct subscription {
    std::string filter;
    subscribe_options options;
    friend bool operator==(const subscription&, const subscription&) = default;
};

struct subscribe {
    uint16_t packet_id = 0;
    properties props;
    std::vector<subscription> subscriptions;  // at least one [MQTT-3.8.3-3]
    friend bool operator==(const subscribe&, const subscribe&) = default;
};

struct suback {
    uint16_t packet_id = 0;
    properties props;
    std::vector<uint8_t> reason_codes;  // 3.x: granted QoS or 0x80
    friend bool operator==(const suback&, const suback&) = default;
};

struct unsubscribe {
    uint16_t packet_id = 0;
    properties props;
    std::vector<std::string> filters;  // at least one [MQTT-3.10.3-2]
    friend bool operator==(const unsubscribe&, const unsubscribe&) = default;
};

struct unsuback {
    uint16_t packet_id = 0;
    properties props;
    std::vector<uint8_t> reason_codes;  // 5.0 only; 3.x UNSUBACK has none
    friend bool operator==(const unsuback&, const unsuback&) = default;
};

struct pingreq {
    friend bool operator==(const pingreq&, const pingreq&) = default;
};
struct pingresp {
    friend bool operator==(const pingresp&, const pingresp&) = default;
};

struct disconnect {
    uint8_t reason_code = 0;  // 5.0 only
    properties props;
    friend bool operator==(const disconnect&, const disconnect&) = default;
};

struct auth {  // 5.0 only
    uint8_t reason_code = 0;
    properties props;
    friend bool operator==(const auth&, const auth&) = default;
};

/// Alternatives are in packet_type order, so `index() + 1 == packet_type`.
using packet = std::variant<connect, connack, publish, puback, pubrec, pubrel, pubcomp, subscribe,
                            suback, unsubscribe, unsuback, pingreq, pingresp, disconnect, auth>;

inline packet_type type_of(const packet& p) {
    return static_cast<packet_type>(p.index() + 1);
}

}  // namespace robust::mqtt::codec
