#pragma once
// broker_impl: the state shared by all workers — options, kernel services,
// the session registry, the retained-message store, counters — and the
// operations that span threads (route updates, session hand-over).
//
// Threading: the registry and the retained store are guarded by their own
// mutexes (touched on CONNECT, SUBSCRIBE and retained publishes, never per
// delivered message); counters are relaxed atomics; everything else is
// immutable after start().

#include <array>
#include <asio/steady_timer.hpp>
#include <asio/thread_pool.hpp>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "auth/service.h"
#include "bindings.h"
#include "message.h"
#include "meta/meta_store.h"
#include "metrics/samples.h"
#include "mqtt/broker.h"
#include "net/io_pool.h"
#include "net/listener.h"
#include "router/topic_tree.h"
#include "routing.h"
#include "storage/journal.h"
#include "worker.h"

namespace robust::mqtt {

class connection;
class kafka_inflow;

/// A subscription change applied to every worker's replica.
struct route_change {
    bool add = true;
    std::string filter;  // without any $share/{group}/ or $queue/ prefix
    std::string group;   // shared group name, empty when not shared
    uint64_t session_id = 0;
    route value;  // for adds
};

/// The change for a filter as the client sent it ("$share/{group}/{f}",
/// "$queue/{f}" or a plain filter).
route_change make_route_change(bool add, std::string_view filter_as_sent, uint64_t session_id,
                               route value = {});

struct atomic_stats {
    std::atomic<uint64_t> clients_connected{0};
    std::atomic<uint64_t> sessions{0};
    std::atomic<uint64_t> subscriptions{0};
    std::atomic<uint64_t> messages_received{0};
    std::atomic<uint64_t> messages_sent{0};
    std::atomic<uint64_t> bytes_received{0};
    std::atomic<uint64_t> bytes_sent{0};
    std::atomic<uint64_t> messages_dropped{0};  // $SYS's count: every reason but no_subscriber
    std::array<std::atomic<uint64_t>, size_t(metrics::drop_reason::count_)> dropped{};
    std::atomic<uint64_t> connections_accepted{0};  // CONNACK 0 sent
    std::atomic<uint64_t> connections_refused{0};   // a refusing CONNACK sent

    /// Counts a message not delivered (to one session, or at all).
    void drop(metrics::drop_reason r) {
        dropped[size_t(r)].fetch_add(1, std::memory_order_relaxed);
        if (r != metrics::drop_reason::no_subscriber) {
            messages_dropped.fetch_add(1, std::memory_order_relaxed);
        }
    }
};

class broker_impl {
public:
    broker_impl(broker_options o, net::io_pool& p, storage::journal& j, meta::meta_store& m,
                auth::service& a);
    ~broker_impl();

    status start();
    void stop();

    const broker_options opts;
    net::io_pool& pool;
    storage::journal& journal;
    meta::meta_store& meta;
    auth::service& auth;
    atomic_stats stats;
    const int64_t started_ms;
    /// Blocking work (journal reads for inbox loading, meta reads) that
    /// must not run on an I/O thread.
    asio::thread_pool blocking{2};

    worker& worker_at(uint32_t i) { return *workers_[i]; }
    /// Some thread has more deliveries waiting than worker::backlog_high_water.
    bool deliveries_backlogged() const {
        for (const auto& w : workers_) {
            if (w->backlog() > worker::backlog_high_water) return true;
        }
        return false;
    }
    bool stopping() const { return stopping_.load(std::memory_order_relaxed); }

    /// The durability of QoS 1/2 messages to `topic` (storage.topic_durability).
    storage::durability durability_for(std::string_view topic) const;
    /// The journal shard holding messages published to `topic` (unless it
    /// is bound to a Kafka topic: bindings()).
    storage::shard_id message_shard(std::string_view topic) const;
    /// False until start() made the message shards.
    bool has_message_shards() const { return !message_shards_.empty(); }
    /// Whether `s` is one of those shards (whose records are keyed by the
    /// scoped topic; a bound Kafka partition's by the client's topic).
    bool is_message_shard(storage::shard_id s) const;
    /// MQTT topics bound to Kafka topics.
    const binding_map& bindings() const { return *bindings_; }
    /// The last Kafka batch load_stored() expanded: consecutive pointers
    /// into one batch read and decode it once.
    struct stored_batch_cache {
        storage::shard_id shard;
        int64_t base_offset = -1;
        std::vector<std::pair<int64_t, message_ptr>> messages;
    };
    /// The message an inbox pointer refers to, for a session of `tenant`;
    /// nullptr when it is gone (retention, a deleted topic, an unbound
    /// Kafka topic). Blocking: a journal read.
    message_ptr load_stored(const storage::index_pointer& ptr, std::string_view tenant,
                            stored_batch_cache& cache) const;
    uint64_t new_session_id() { return next_session_id_.fetch_add(1, std::memory_order_relaxed); }

    /// Applies `changes` to every worker's replica; `done` runs on worker
    /// `origin` once all have (so a SUBACK is only sent when any publisher,
    /// on any thread, will match the new subscription).
    void update_routes(std::vector<route_change> changes, uint32_t origin,
                       std::function<void()> done);

    // --- session registry (client id -> session anchor) -------------------
    std::shared_ptr<session_anchor> find_session(std::string_view tenant,
                                                 std::string_view client_id);
    void register_session(const std::shared_ptr<session_anchor>& a);
    /// Removes the entry only if it still points at `a`.
    void unregister_session(const std::shared_ptr<session_anchor>& a);

    /// Takes the session of `old` away from its current connection (DISCONNECT
    /// 0x8E) and hands it to worker `to`: `reply` runs there with the
    /// session, or with nullptr when `clean_start` ended it (or it is gone).
    void hand_over(std::shared_ptr<session_anchor> old, bool clean_start, uint32_t to,
                   std::function<void(std::unique_ptr<session>)> reply);
    /// Keeps a detached session on worker `w`: schedules its expiry.
    void keep_detached(worker& w, session& s);
    /// Creates the inbox shard of a session becoming persistent.
    void ensure_inbox(session_anchor& a);
    /// Ends session `s` on the calling (its own) worker: removes its routes
    /// everywhere, its inbox and its stored records, and destroys it.
    void end_session(worker& w, uint64_t session_id);
    /// Deletes what a persistent session stored: its record, subscriptions
    /// and inbox shard.
    void forget_session(const session& s);
    /// Persists a session's record and subscriptions (persistent sessions).
    void save_session(const session& s, std::function<void(status)> done);
    /// Stores (or erases) the named subscriptions of a persistent session;
    /// `done` runs on a storage thread once durable.
    void save_subscriptions(const session& s, const std::vector<std::string>& filters,
                            std::function<void(status)> done);
    void erase_subscriptions(const session& s, const std::vector<std::string>& filters);

    // --- retained messages -------------------------------------------------
    /// Sets (or clears, when the payload is empty) the retained message of
    /// msg->topic; `done` runs on a storage thread once it is durable.
    void set_retained(const message_ptr& msg, std::function<void(status)> done);
    /// Retained messages whose topic matches `filter`.
    std::vector<message_ptr> retained_matching(std::string_view filter);
    /// The retained message of exactly `topic` (scoped), or nullptr.
    message_ptr retained_at(std::string_view topic);
    size_t retained_count();

    std::vector<listener_info> listeners() const;
    /// (listener name, live connections) of every open listener.
    std::vector<std::pair<std::string, uint64_t>> listener_connections() const;
    /// Shared groups with members (asks worker 0; blocks for a moment).
    uint64_t shared_group_count();

    // --- topics ---------------------------------------------------------------
    /// Records the first publish to a topic (scoped name) as a kernel topic
    /// in the meta store (topic/<tenant>/<name>), so operators see MQTT
    /// topics beside the others. Cheap for a topic already known: any thread.
    void note_topic(std::string_view topic);
    uint64_t topic_count() const { return topic_count_.load(std::memory_order_relaxed); }

private:
    status restore();
    status open_listeners();
    void accept(std::unique_ptr<net::transport> t);
    void schedule_sys();
    void publish_sys();

    std::vector<std::unique_ptr<worker>> workers_;
    std::vector<storage::shard_id> message_shards_;
    std::unique_ptr<binding_map> bindings_;
    std::unique_ptr<kafka_inflow> inflow_;
    std::atomic<uint64_t> next_session_id_{1};
    std::atomic<bool> stopping_{false};
    bool started_ = false;

    std::mutex registry_mutex_;
    std::unordered_map<std::string, std::shared_ptr<session_anchor>> registry_;

    std::mutex retained_mutex_;
    router::topic_tree<message_ptr> retained_;

    // Topics seen, in stripes so publishers on different threads rarely
    // wait for each other.
    struct topic_stripe {
        std::mutex mutex;
        std::unordered_set<std::string> names;
    };
    std::array<topic_stripe, 16> topic_stripes_;
    std::atomic<uint64_t> topic_count_{0};
    std::optional<meta::watch_id> topics_watch_;
    status restore_topics();

    std::vector<std::unique_ptr<net::listener>> listeners_;
    std::vector<listener_info> listener_info_;
    std::unique_ptr<asio::steady_timer> sys_timer_;
};

}  // namespace robust::mqtt
