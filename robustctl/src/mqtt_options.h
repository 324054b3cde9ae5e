#pragma once
// Options of `robustctl mqtt pub` and `robustctl mqtt sub`, as parsed from
// the command line (invocation.cc) and used by mqtt_tool.cc. Plain values.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mqtt/codec/packets.h"

namespace robust::ctl {

struct mqtt_tls_options {
    bool enabled = false;  // --tls, or implied by --cafile/--cert/--insecure
    std::string cafile;    // empty: the system's default CA paths
    std::string cert;      // client certificate (PEM), with key
    std::string key;
    bool insecure = false;  // skip certificate and host name verification
};

struct mqtt_common_options {
    std::string host = "127.0.0.1";
    uint16_t port = 1883;  // 1885 (the broker's MQTT/TLS port) by default with TLS
    mqtt::codec::protocol_version version = mqtt::codec::protocol_version::v5;
    std::string client_id;  // empty: "robustctl-<pid>-<random>"
    std::optional<std::string> username;
    std::optional<std::string> password;
    uint16_t keepalive_s = 60;
    bool clean = true;
    std::optional<uint32_t> session_expiry_s;  // MQTT 5 only
    mqtt::codec::qos_level qos = mqtt::codec::qos_level::at_most_once;
    mqtt_tls_options tls;
};

struct mqtt_pub_options : mqtt_common_options {
    std::string topic;
    std::string message;
    bool retain = false;
    uint64_t count = 1;        // copies of the message
    bool stdin_lines = false;  // one message per stdin line instead of --message
};

struct mqtt_sub_options : mqtt_common_options {
    std::vector<std::string> topics;
    uint64_t count = 0;  // 0: until interrupted (or --timeout)
    bool verbose = false;
    std::optional<double> timeout_s;
};

}  // namespace robust::ctl
