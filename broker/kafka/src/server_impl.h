#pragma once
// server_impl: the Kafka server's shared state — options, kernel services,
// the topic catalog, the group coordinator, producer state, fetch waiters,
// the listeners and the live connections — and the request dispatch.
// Every member may be used from any thread unless its comment says
// otherwise.

#include <asio/steady_timer.hpp>
#include <asio/thread_pool.hpp>

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "catalog.h"
#include "connection.h"
#include "kafka/codec/error_code.h"
#include "kafka/server.h"
#include "metrics/samples.h"
#include "net/listener.h"
#include "producer_state.h"

namespace robust::kafka {

class group_service;

class server_impl {
public:
    server_impl(server_options opts, net::io_pool& pool, storage::journal& journal,
                meta::meta_store& meta, auth::service& auth);
    ~server_impl();

    status start();
    void stop();
    std::vector<listener_info> listeners() const;

    const server_options& options() const { return opts_; }
    storage::journal& journal() { return journal_; }
    meta::meta_store& meta() { return meta_; }
    auth::service& auth() { return auth_; }
    catalog& topics() { return catalog_; }
    producer_registry& producers() { return producers_; }
    group_service& groups() { return *groups_; }
    net::io_pool& pool() { return pool_; }

    /// Runs `work` on the server's blocking pool (meta store writes, journal
    /// reads): never block an I/O thread.
    void run_blocking(std::function<void()> work);

    /// Calls `wake` once (on a journal thread, or at once if the shard is
    /// already past `offset`) when shard `id` has data at or after
    /// `offset`, unless `armed` was set to false by then (the waiter gave
    /// up; such entries are dropped the next time the shard is touched).
    /// The caller posts to its own thread and copes with spurious wake-ups.
    void when_data(storage::shard_id id, int64_t offset,
                   std::shared_ptr<const std::atomic<bool>> armed, std::function<void()> wake);

    /// Dispatches one request to its API's handler (connection thread).
    void handle(request req);
    /// Called by a connection when it closes (its thread).
    void forget(connection* c);

    /// The broker this process is, as Metadata and FindCoordinator show it:
    /// host as seen from `conn` unless kafka.advertised_host is set.
    struct advertised {
        int32_t node_id;
        std::string host;
        int32_t port;
    };
    advertised self(const connection& conn) const;

    std::string cluster_id() const { return cluster_id_; }

    /// Counts an error code answered to `api` (robustmq_kafka_errors_total);
    /// none is not counted. Any thread.
    void count_error(int16_t api, codec::error_code e);
    void count_produced(uint64_t bytes, uint64_t records) {
        produce_bytes_.fetch_add(bytes, std::memory_order_relaxed);
        produce_records_.fetch_add(records, std::memory_order_relaxed);
    }
    void count_fetched(uint64_t bytes) { fetch_bytes_.fetch_add(bytes, std::memory_order_relaxed); }
    /// Everything robustmq_kafka_* shows, for the metrics registry.
    metrics::kafka_sample metrics_sample();

private:
    void accept(std::unique_ptr<net::transport> t);
    /// SASL done, or anonymous access allowed for this peer (auth.anonymous);
    /// otherwise the connection is closed and false returned.
    bool authorized(const request& req);
    void on_appended(std::span<const storage::shard_progress> progress);

    server_options opts_;
    net::io_pool& pool_;
    storage::journal& journal_;
    meta::meta_store& meta_;
    auth::service& auth_;
    catalog catalog_;
    producer_registry producers_;
    std::unique_ptr<group_service> groups_;
    asio::thread_pool blocking_{2};
    std::string cluster_id_;

    std::vector<std::unique_ptr<net::listener>> listeners_;
    std::vector<listener_info> listener_info_;

    std::mutex conn_mu_;
    std::unordered_map<connection*, std::weak_ptr<connection>> connections_;
    bool stopping_ = false;

    // The journal keeps its observers for its whole life (they cannot be
    // removed), and it outlives this server: the observer reaches the
    // server through this hook, which stop() empties.
    struct append_hook {
        std::mutex mu;
        server_impl* target = nullptr;
    };
    std::shared_ptr<append_hook> hook_ = std::make_shared<append_hook>();

    struct waiter {
        int64_t offset;
        std::shared_ptr<const std::atomic<bool>> armed;
        std::function<void()> wake;
    };
    // Metrics: per-API request counts (API keys are small), the rest below.
    std::array<std::atomic<uint64_t>, 64> requests_{};
    std::atomic<uint64_t> produce_bytes_{0}, produce_records_{0}, fetch_bytes_{0};
    std::mutex errors_mu_;
    std::map<std::pair<int16_t, int16_t>, uint64_t> errors_;  // (api, error) -> count

    std::mutex wait_mu_;
    std::unordered_map<uint64_t, std::vector<waiter>> waiters_;  // by shard id
};

}  // namespace robust::kafka
