#pragma once
// `robustctl mqtt pub` and `robustctl mqtt sub`: connect (TCP or TLS), run
// the MQTT session (mqtt_session.h) over a blocking transport
// (mqtt_transport.h), print messages / progress, and return the exit code:
// 0 ok; 1 the broker refused (CONNACK, PUBACK/PUBREC/SUBACK reason code
// >= 0x80, DISCONNECT, closed connection); 3 cannot connect; 4 sub --timeout
// with fewer than --count messages.
//
// Blocking; main thread.

#include <cstdio>

#include "mqtt_options.h"

namespace robust::ctl {

/// `in_fd` is read for --stdin-lines (polled, so keep-alive pings go out while
/// it is idle).
int run_mqtt_pub(const mqtt_pub_options& options, int in_fd, std::FILE* err);

int run_mqtt_sub(const mqtt_sub_options& options, std::FILE* out, std::FILE* err);

/// "not authorized (0x87)" for MQTT 5, "not authorized (5)" for a 3.x
/// CONNACK return code.
std::string connack_reason_text(mqtt::codec::protocol_version version, uint8_t code);

}  // namespace robust::ctl
