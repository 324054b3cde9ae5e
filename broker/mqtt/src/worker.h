#pragma once
// worker: the MQTT state owned by one io_pool thread — its replica of the
// subscription index, the sessions and connections living on the thread,
// and the per-thread outboxes that batch deliveries to other threads.
//
// Created by broker::impl, one per io_pool thread; every method runs on that
// thread (post to worker::ctx() from elsewhere). Subscription changes are
// applied to every replica by message passing (broker::impl::update_routes),
// so matching a publish takes no lock.

#include <array>
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "message.h"
#include "router/subscription_index.h"
#include "routing.h"
#include "session.h"

namespace robust::mqtt {

class connection;
class broker_impl;

/// A publish on its way: its deliveries are computed when it arrives, the
/// message is made durable when it must be, then the deliveries go out in
/// arrival order. Owned by the publishing connection's queue (or by the
/// internal publisher), on the publishing thread.
struct prepared_publish {
    message_ptr msg;
    std::vector<delivery> deliveries;
    std::vector<storage::shard_id> inboxes;  // persistent subscribers' inboxes
    std::vector<size_t> inbox_delivery;      // deliveries[] index per inbox
    bool ready = false;                      // persisted (or failed): may be dispatched
    int pending = 0;                         // storage operations outstanding
    std::error_code error;                   // first storage failure
};

/// A message that is in the journal already (a record Kafka clients
/// produced to a bound topic, kafka_inflow.h): persistent subscribers get
/// pointers to where it is.
struct stored_message {
    message_ptr msg;
    storage::shard_id shard;
    int64_t offset = 0;
};

/// Per-packet and per-message counts of one worker, for metrics. Written
/// only by the worker's own thread (a relaxed load and store: no locked
/// instruction on the hot path), read by any thread at scrape time.
struct worker_counters {
    std::array<std::atomic<uint64_t>, 16> packets_in{}, packets_out{};   // by packet type
    std::array<std::atomic<uint64_t>, 3> messages_in{}, messages_out{};  // by QoS

    static void bump(std::atomic<uint64_t>& c) {
        c.store(c.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    }
    void packet_in(codec::packet_type t) { bump(packets_in[size_t(t) & 15]); }
    void packet_out(codec::packet_type t) { bump(packets_out[size_t(t) & 15]); }
    void message_in(qos_level q) { bump(messages_in[size_t(q) % 3]); }
    void message_out(qos_level q) { bump(messages_out[size_t(q) % 3]); }
};

class worker {
public:
    worker(broker_impl& b, uint32_t index, asio::io_context& ctx);

    uint32_t index() const { return index_; }
    asio::io_context& ctx() { return ctx_; }
    broker_impl& broker() { return broker_; }

    // --- publishing (called for publishes received on this thread) -------
    /// Matches `msg` on this thread's replica and builds its deliveries.
    void prepare(prepared_publish& p, uint64_t origin_session);
    /// Makes `p` durable where required (QoS 1/2 messages go to the
    /// journal; retained changes to the meta store) and runs `done` on this
    /// thread when it is. `done` runs at once, inline, if nothing is needed.
    void persist(const std::shared_ptr<prepared_publish>& p, std::function<void()> done);
    /// Sends at once the deliveries that need nothing from the journal:
    /// every one but a persistent session's inbox copy (that one waits for
    /// its inbox offset). Online clean sessions so get a QoS 1/2 message
    /// while it is being journaled, not after: the journal write is the
    /// publisher's PUBACK, and a clean session would not outlive a crash
    /// anyway. Called as the message arrives, in the publisher's order.
    void dispatch_live(prepared_publish& p);
    /// Sends the deliveries not sent yet to their sessions (batched per
    /// thread).
    void dispatch(prepared_publish& p);
    /// prepare + persist + dispatch, for messages the broker itself
    /// publishes ($SYS, wills).
    void publish_internal(message_ptr msg);
    /// Delivers messages already in the journal, in order: prepare, then
    /// one inbox pointer per persistent subscriber, then dispatch. `done`
    /// runs on this thread once the pointers are written (or failed).
    void publish_stored(std::vector<stored_message> messages, std::function<void()> done);

    /// Gives messages an ending member of a shared group still held to
    /// another member of the same group (online first).
    void redispatch_shared(std::vector<delivery> undelivered);

    // --- deliveries ------------------------------------------------------
    /// Deliveries for sessions that may live on this thread.
    void deliver(std::vector<delivery> batch);
    void deliver_one(delivery d);
    /// Posts what the outboxes hold to their threads.
    void flush_outboxes();
    /// Deliveries other threads posted here that this thread has not
    /// handled yet. Past backlog_high_water, publishers pause reading
    /// (connection::read_more): a thread starved of CPU must not let
    /// messages pile up in memory and then drop them.
    int64_t backlog() const { return backlog_.load(std::memory_order_relaxed); }
    static constexpr int64_t backlog_high_water = 20'000;

    // --- connection liveness -----------------------------------------------
    /// Every `every`, checks this thread's connections (connection::sweep):
    /// connect timeouts, keep alives, idle read buffers. One timer per
    /// thread instead of one per connection: an idle connection then costs
    /// no timer. Call on this thread; stop_sweeps() before the stop.
    void start_sweeps(std::chrono::milliseconds every);
    void stop_sweeps();

    // --- sessions and routes ---------------------------------------------
    std::unordered_map<uint64_t, std::unique_ptr<session>> sessions;
    std::unordered_set<std::shared_ptr<connection>> connections;
    router::subscription_index<route> routes;
    worker_counters counters;

private:
    void queue_delivery(delivery d);
    void schedule_sweep();
    void sweep();

    broker_impl& broker_;
    const uint32_t index_;
    asio::io_context& ctx_;
    std::vector<std::vector<delivery>> outbox_;  // per target thread
    bool flush_posted_ = false;
    std::atomic<int64_t> backlog_{0};
    std::unique_ptr<asio::steady_timer> sweep_timer_;
    std::chrono::milliseconds sweep_every_{1000};
    std::vector<std::shared_ptr<connection>> expired_;  // sweep()'s scratch

    // Scratch space reused by prepare(): no allocation per match.
    struct match {
        session_anchor* anchor;
        const route* r;
        const router::shared_group<route>* group;  // null for a plain subscription
    };
    std::vector<match> matches_;
};

}  // namespace robust::mqtt
