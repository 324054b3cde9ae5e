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
#include "config/config.h"
#include "storage/journal.h"

namespace robust::net {
class io_pool;
}
namespace robust::meta {
class meta_store;
}

namespace robust::mqtt {

class broker_impl;

/// The [mqtt] config section plus what the broker takes from elsewhere.
struct broker_options : config::mqtt_config {
    int message_partitions = 8;  // journal shards MQTT messages are spread over
    storage::durability durability = storage::durability::wal;  // for QoS 1/2 messages
    /// storage.topic_durability: (filter, durability), the first match wins.
    std::vector<std::pair<std::string, storage::durability>> topic_durability;
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
