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
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"
#include "config/config.h"
#include "metrics/samples.h"
#include "storage/journal.h"

namespace robust::net {
class io_pool;
}
namespace robust::meta {
class meta_store;
}
namespace robust::auth {
class service;
}

namespace robust::mqtt {

class broker_impl;

/// The [mqtt] config section plus what the broker takes from elsewhere.
struct broker_options : config::mqtt_config {
    int message_partitions = 8;  // journal shards MQTT messages are spread over
    storage::durability durability = storage::durability::wal;  // for QoS 1/2 messages
    /// storage.topic_durability: (filter, durability), the first match wins.
    std::vector<std::pair<std::string, storage::durability>> topic_durability;
    /// [tls]: the certificate of the TLS listeners (mqtt-tls, mqtt-wss);
    /// without cert_file they stay closed.
    config::tls_config tls;
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

// ---- what the admin API sees (snapshots, copied out of the workers) ------

struct client_info {
    std::string tenant;
    std::string client_id;
    std::string username;          // empty: anonymous
    std::string peer;              // "ip:port"
    std::string listener;          // "mqtt-tcp", "mqtt-ws", "mqtt-tls", "mqtt-wss"
    uint8_t protocol_version = 4;  // 3, 4 or 5
    uint16_t keep_alive_s = 0;
    bool clean_start = true;
    int64_t connected_at_ms = 0;
    uint32_t subscriptions = 0;
    uint32_t inflight = 0;  // QoS 1/2 messages sent and not yet acknowledged
    uint64_t queued = 0;    // messages waiting for the inflight window
};

struct session_info {
    std::string tenant;
    std::string client_id;
    bool connected = false;
    bool persistent = false;  // survives its connection (expiry > 0)
    uint8_t protocol_version = 4;
    uint32_t expiry_interval_s = 0;
    int64_t created_ms = 0;
    int64_t disconnected_at_ms = 0;  // 0 while connected
    uint32_t subscriptions = 0;
    uint32_t inflight = 0;
    uint64_t queued = 0;
};

struct subscription_info {
    std::string tenant;
    std::string client_id;
    std::string filter;  // as sent, including "$share/<group>/"
    uint8_t qos = 0;
    bool no_local = false;
    bool retain_as_published = false;
    uint8_t retain_handling = 0;
    uint32_t subscription_id = 0;
};

struct retained_info {
    std::string tenant;
    std::string topic;
    std::string payload;  // binary
    uint8_t qos = 0;
    int64_t stored_ms = 0;
    uint32_t message_expiry_s = 0;
};

/// A message injected by an operator (admin API "publish", robustctl).
struct publish_request {
    std::string tenant = "default";
    std::string topic;
    std::string payload;
    uint8_t qos = 0;
    bool retain = false;
    std::vector<std::pair<std::string, std::string>> user_properties;
    std::string content_type;
};

/// Where the QoS 1/2 messages of one topic are journaled: a shard shared by
/// many topics ("$mqtt/messages/<n>"), in records keyed by `key`.
struct message_location {
    storage::shard_id shard;
    std::string key;
};

class broker {
public:
    broker(broker_options opts, net::io_pool& pool, storage::journal& journal,
           meta::meta_store& meta, auth::service& auth);
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
    /// Everything robustmq_* reports about MQTT (metrics::registry pulls
    /// it at scrape time). Asks worker 0 for the shared-group count, so call
    /// it from a non-I/O thread.
    metrics::mqtt_sample metrics_sample() const;

    // ---- administration ---------------------------------------------------
    // These gather state from every worker thread and block the caller until
    // all have answered (milliseconds): call them from the admin API's
    // threads, never from an I/O thread. Lists are sorted by (tenant,
    // client id[, filter]); `tenant` empty means every tenant.

    std::vector<client_info> clients(std::string_view tenant = {}) const;
    std::optional<client_info> client(std::string_view tenant, std::string_view client_id) const;
    /// Disconnects the client (MQTT 5: DISCONNECT 0x98 Administrative
    /// action); a persistent session stays. False when not connected.
    bool kick(std::string_view tenant, std::string_view client_id);

    std::vector<session_info> sessions(std::string_view tenant = {}) const;
    std::optional<session_info> session_of(std::string_view tenant,
                                           std::string_view client_id) const;
    /// Ends the session (kicking its client first) and deletes what it
    /// stored. False when there is no such session.
    bool delete_session(std::string_view tenant, std::string_view client_id);

    /// Every subscription, or one client's when client_id is non-empty.
    std::vector<subscription_info> subscriptions(std::string_view tenant,
                                                 std::string_view client_id = {}) const;

    /// Retained messages whose topic matches `filter` ("#": all).
    std::vector<retained_info> retained(std::string_view tenant, std::string_view filter) const;
    std::optional<retained_info> retained_message(std::string_view tenant,
                                                  std::string_view topic) const;
    /// Clears a retained message. False when there was none.
    bool delete_retained(std::string_view tenant, std::string_view topic);

    /// Where QoS 1/2 messages to `topic` are journaled unless the topic is
    /// bound to a Kafka topic (readers: the admin API's message browser).
    /// nullopt before start() or for an invalid topic name.
    std::optional<message_location> message_location_of(std::string_view tenant,
                                                        std::string_view topic) const;

    /// Publishes as the server itself (no ACL check): routed, retained and
    /// journaled exactly like a client's publish; returns once a QoS 1/2
    /// message is durable. Errors: invalid_argument (topic name),
    /// too_large, shutting_down, io_error.
    status publish(const publish_request& r);

private:
    std::unique_ptr<broker_impl> impl_;
};

}  // namespace robust::mqtt
