#pragma once
// An application message inside the broker: what a PUBLISH carried, minus
// the per-hop fields (packet id, DUP, topic alias, subscription ids). One
// message is shared read-only by every session it is delivered to, on any
// thread, through message_ptr.

#include <cstdint>
#include <memory>
#include <string>

#include "base/shared_buffer.h"
#include "mqtt/codec/packets.h"

namespace robust::mqtt {

using codec::qos_level;

struct message {
    std::string topic;
    shared_buffer payload;
    qos_level qos = qos_level::at_most_once;  // as published
    bool retain = false;                      // as published
    /// Only the properties that travel with the message [MQTT-3.3.2-...]:
    /// payload format, content type, response topic, correlation data, user
    /// properties. Message expiry is kept as an absolute time instead.
    codec::properties props;
    int64_t expiry_at_ms = 0;     // 0: never expires
    int64_t timestamp_ms = 0;     // when the broker received it (wall clock)
    uint64_t origin_session = 0;  // publishing session, for No Local; 0 = broker
};

using message_ptr = std::shared_ptr<const message>;

inline bool expired(const message& m, int64_t now_ms) {
    return m.expiry_at_ms != 0 && now_ms >= m.expiry_at_ms;
}

}  // namespace robust::mqtt
