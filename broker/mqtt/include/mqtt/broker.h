#pragma once
// The MQTT broker service: listeners for MQTT over TCP and WebSocket, the
// sessions, QoS flows, retained messages, wills and $SYS topics, on top of
// the kernel (journal for messages and session inboxes, meta store for
// sessions, subscriptions and retained messages, router for matching).
//
// Lifecycle: main creates it with the kernel services it shares, calls
// start() once, and at shutdown stop() (stop accepting, DISCONNECT 0x8B to
// MQTT 5 clients, close connections, drain) before stopping the io_pool, the
// journal and the meta store. start() and stop() are called from main's
// thread; everything else runs on the io_pool's threads.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/result.h"
#include "storage/journal.h"

namespace robust::net {
class io_pool;
}
namespace robust::meta {
class meta_store;
}

namespace robust::mqtt {

class broker_impl;

/// What the broker needs from the [mqtt] config section (main maps it).
struct broker_options {
    std::string bind = "0.0.0.0";
    int tcp_port = 1883;  // < 0: disabled, 0: any free port
    int ws_port = 8083;
    std::string ws_path = "/mqtt";
    size_t max_connections = 1'000'000;
    uint32_t max_packet_size = 1024 * 1024;
    uint32_t connect_timeout_ms = 10'000;
    size_t max_client_id_length = 65535;
    uint16_t keep_alive_max_s = 65535;
    uint16_t server_keep_alive_s = 0;  // 0: accept the client's
    uint16_t receive_maximum = 65535;  // inbound QoS 1/2 window we grant
    uint16_t max_inflight = 32;        // outbound window cap per session
    size_t max_queued_messages = 1000;
    uint16_t topic_alias_maximum = 65535;
    bool retain_available = true;
    bool wildcard_subscription_available = true;
    bool shared_subscription_available = true;
    bool subscription_identifiers_available = true;
    uint8_t max_qos = 2;
    uint32_t session_expiry_max_s = UINT32_MAX;
    uint32_t sys_interval_s = 10;  // 0: no $SYS topics
    bool allow_anonymous = true;
    size_t send_queue_bytes = 4 * 1024 * 1024;
    int message_partitions = 8;  // journal shards MQTT messages are spread over
    storage::durability durability = storage::durability::wal;  // for QoS 1/2 messages
};

struct listener_info {
    std::string name;  // "mqtt-tcp", "mqtt-ws"
    std::string address;
    uint16_t port = 0;
};

/// Counters for $SYS, metrics and the admin API; read from any thread.
struct broker_stats {
    uint64_t clients_connected = 0;
    uint64_t sessions = 0;
    uint64_t subscriptions = 0;
    uint64_t retained = 0;
    uint64_t messages_received = 0;
    uint64_t messages_sent = 0;
    uint64_t bytes_received = 0;
    uint64_t bytes_sent = 0;
    uint64_t messages_dropped = 0;
};

class broker {
public:
    broker(broker_options opts, net::io_pool& pool, storage::journal& journal,
           meta::meta_store& meta);
    ~broker();
    broker(const broker&) = delete;
    broker& operator=(const broker&) = delete;

    /// Restores sessions, subscriptions and retained messages from the meta
    /// store, then opens the listeners. Errors: io_error (bind failed,
    /// metadata unreadable), with the reason logged.
    status start();
    /// Stops accepting, disconnects every client (MQTT 5: DISCONNECT 0x8B)
    /// and waits until their connections are closed. Idempotent.
    void stop();

    std::vector<listener_info> listeners() const;
    broker_stats stats() const;

private:
    std::unique_ptr<broker_impl> impl_;
};

}  // namespace robust::mqtt
