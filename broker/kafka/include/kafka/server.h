#pragma once
// The Kafka server: Kafka clients, unmodified, on the kernel. A Kafka topic
// is a kernel topic (meta/topics.h), each partition a journal shard, offsets
// are the journal's offsets, and consumer-group offsets are journal
// positions. Record batches are stored as the producer sent them
// (storage::record_format::kafka_batch) and served back as they are.
//
// Lifecycle: main creates it with the kernel services it shares, calls
// start() once (opens the listeners), and at shutdown stop() (stop
// accepting, close connections, stop the group timer) before stopping the
// io_pool, the journal and the meta store. start() and stop() are called
// from main's thread; everything else runs on the io_pool's threads, the
// server's blocking pool and the journal's threads.

#include <cstdint>
#include <memory>
#include <string>
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

namespace robust::kafka {

class server_impl;

/// [kafka] plus what the server takes from the rest of the config.
struct server_options : config::kafka_config {
    uint64_t node_id = 1;  // the broker id Metadata advertises
    config::tls_config tls;
    /// Defaults of topics Kafka clients create (storage.*).
    storage::durability durability = storage::durability::wal;
    int64_t retention_ms = 0;
    int64_t retention_bytes = 0;
    /// How often the group coordinator's timers (sessions, rebalances) run.
    uint32_t group_tick_ms = 100;
};

struct listener_info {
    std::string name;  // "kafka", "kafka-tls"
    std::string address;
    uint16_t port = 0;
};

class server {
public:
    server(server_options opts, net::io_pool& pool, storage::journal& journal,
           meta::meta_store& meta, auth::service& auth);
    ~server();
    server(const server&) = delete;
    server& operator=(const server&) = delete;

    /// Loads the topic catalog and opens the listeners (a port < 0 is
    /// closed; the TLS listener opens only with tls.cert_file). Errors: the
    /// listener's (address in use, ...), the meta store's.
    status start();
    /// Stops accepting, closes every connection, stops the timers.
    /// Idempotent.
    void stop();

    std::vector<listener_info> listeners() const;

    /// What robustmq_kafka_* and the Kafka connections show; any thread
    /// (metrics::registry::set_kafka_source).
    metrics::kafka_sample metrics_sample() const;

private:
    std::unique_ptr<server_impl> impl_;
};

}  // namespace robust::kafka
