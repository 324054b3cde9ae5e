#pragma once
// The client side of one MQTT connection without I/O (Sans-I/O, like
// async_mqtt's protocol core): the caller feeds received bytes in and sends
// what take_output() returns. It runs the QoS 1 and QoS 2 flows both ways
// (PUBACK; PUBREC/PUBREL/PUBCOMP, a QoS 2 message delivered once however
// often it is resent before PUBREL), allocates packet ids, and reports what
// happened as events. Byte-vector unit tests drive it without a socket.
//
// Created and used by one thread (robustctl's main thread); not shareable.

#include <cstdint>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "base/errc.h"
#include "base/result.h"
#include "mqtt/codec/codec.h"

namespace robust::ctl {

namespace mqc = robust::mqtt::codec;

struct connack_event {
    uint8_t reason_code = 0;  // MQTT 5 reason code, or the 3.x return code
    bool session_present = false;
};
struct message_event {
    mqc::publish msg;
};
/// An outgoing QoS 1/2 message is finished: PUBACK, PUBCOMP, or a PUBREC
/// with an error reason code (>= 0x80).
struct published_event {
    uint16_t packet_id = 0;
    uint8_t reason_code = 0;
};
struct subscribed_event {
    uint16_t packet_id = 0;
    std::vector<uint8_t> reason_codes;  // granted QoS, or >= 0x80 when refused
};
struct pong_event {};
struct disconnect_event {
    uint8_t reason_code = 0;
    std::string reason_string;
};

using session_event = std::variant<connack_event, message_event, published_event, subscribed_event,
                                   pong_event, disconnect_event>;

class mqtt_session {
public:
    explicit mqtt_session(mqc::protocol_version version);

    mqc::protocol_version version() const { return version_; }

    /// Queues CONNECT (its version is set to this session's).
    void connect(mqc::connect c);

    /// Queues a PUBLISH; returns its packet id (0 for QoS 0). Precondition:
    /// can_publish() for QoS > 0.
    uint16_t publish(std::string topic, std::string payload, mqc::qos_level qos, bool retain);

    /// Whether a QoS 1/2 publish may be sent now: fewer messages in flight
    /// than the window (the broker's Receive Maximum, at most `window`).
    bool can_publish() const;
    size_t inflight() const { return outgoing_.size(); }
    void set_window(size_t window) { window_ = window; }

    /// Queues a SUBSCRIBE with every filter at `qos`; returns its packet id.
    uint16_t subscribe(const std::vector<std::string>& filters, mqc::qos_level qos);

    void ping();
    void disconnect();

    /// Incoming QoS 2 messages waiting for PUBREL.
    size_t pending_incoming_qos2() const { return incoming_qos2_.size(); }

    /// Feeds received bytes; appends what they mean to `events` and queues
    /// acknowledgements. Errors (the connection must be closed):
    /// errc::malformed / protocol_error / too_large from the decoder,
    /// errc::protocol_error for a packet a broker must not send.
    status receive(std::span<const std::byte> bytes, std::vector<session_event>& events);

    /// The bytes to send, and forgets them.
    std::string take_output();

private:
    enum class out_state { await_puback, await_pubrec, await_pubcomp };

    uint16_t next_packet_id();
    status handle(mqc::packet& p, std::vector<session_event>& events);

    mqc::protocol_version version_;
    mqc::decode_limits limits_;
    std::string in_;
    std::string out_;
    uint16_t last_id_ = 0;
    size_t window_ = 65535;
    size_t receive_maximum_ = 65535;
    std::vector<std::pair<uint16_t, out_state>> outgoing_;  // in flight, in send order
    std::set<uint16_t> pending_subscribes_;
    std::set<uint16_t> incoming_qos2_;  // PUBREC sent, PUBREL not yet received
};

}  // namespace robust::ctl
