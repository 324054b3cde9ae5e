#pragma once
// session: the server side of an MQTT session (MQTT 5.0 section 4.1): its
// subscriptions, the outbound QoS 1/2 flows with their packet ids, the
// queue of messages waiting for the inflight window, and the inbound QoS 2
// packet ids awaiting PUBREL.
//
// A session lives on one worker thread and is only touched there. It is
// attached to at most one connection at a time; a persistent session stays
// when its connection goes, until it expires or a clean start discards it.
//
// Persistent sessions read QoS 1/2 messages through their inbox shard: each
// inbox record points at a message record, appended atomically with the
// message before the publisher was acknowledged. The session keeps only a
// window of the inbox in memory: live deliveries fill it when they arrive
// in order, and a loader reads from the journal what the window missed
// (messages that arrived while offline, or while the window was full).
// `cursor_` (committed to the journal) is the first inbox offset not yet
// acknowledged by the client; it only moves over a contiguous run of
// acknowledged offsets, so nothing acknowledged to a publisher is skipped.

#include <asio/steady_timer.hpp>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "base/lazy_deque.h"
#include "message.h"
#include "routing.h"

namespace robust::mqtt {

class connection;
class worker;

struct session_subscription {
    codec::subscribe_options options;
    uint32_t subscription_id = 0;
};

class session {
public:
    session(worker& w, std::shared_ptr<session_anchor> anchor);
    ~session();

    const std::shared_ptr<session_anchor>& anchor() const { return anchor_; }
    uint64_t id() const { return anchor_->id; }
    const std::string& client_id() const { return anchor_->client_id; }
    connection* conn() const { return conn_; }

    /// Moves the session to worker `w` (after the old thread handed it over).
    void rebind(worker& w) { worker_ = &w; }

    // --- connection lifecycle -------------------------------------------
    /// Attaches a connection that completed CONNECT; resends unacknowledged
    /// messages (DUP) and starts delivering. `resumed`: session present.
    void attach(connection& c, bool resumed);
    /// The connection is gone; keeps what a persistent session must keep.
    void detach();

    // --- outbound flow (server -> client) -------------------------------
    void enqueue(delivery d);
    void on_puback(uint16_t packet_id);
    void on_pubrec(uint16_t packet_id, uint8_t reason_code);
    void on_pubcomp(uint16_t packet_id);
    /// The messages received through shared groups that the client has not
    /// acknowledged (nor, for QoS 2, PUBRECed), for another member; they
    /// count as done here. Called when the session ends.
    std::vector<delivery> take_shared_undelivered();

    // --- persistent state -----------------------------------------------
    std::map<std::string, session_subscription> subscriptions;  // by filter as sent
    std::unordered_set<uint16_t> incoming_qos2;                 // PUBREC sent, PUBREL awaited
    uint32_t expiry_interval_s = 0;
    /// Timers of a detached session, on its worker's context: session
    /// expiry, and a will waiting for its delay [MQTT-3.1.3-9].
    std::unique_ptr<asio::steady_timer> expiry_timer;
    std::unique_ptr<asio::steady_timer> will_timer;
    message_ptr pending_will;
    uint8_t protocol_version = 4;
    const int64_t created_ms;
    int64_t disconnected_at_ms = 0;  // 0 while a connection is attached

    /// For the admin API: QoS 1/2 messages sent and unacknowledged, and
    /// messages waiting (in memory, or in the inbox of a persistent session).
    size_t inflight_count() const { return inflight_.size(); }
    uint64_t queued_count() const;
    /// Inbox position restored at start-up or committed so far.
    void set_inbox_position(int64_t cursor) {
        cursor_ = cursor;
        read_pos_ = cursor;
    }

    /// Called by the loader (on this thread) with inbox records it read.
    void on_loaded(uint64_t generation, std::vector<std::pair<int64_t, message_ptr>> records,
                   bool reached_end);
    /// The journal consumer group holding the inbox cursor. Tenant default
    /// keeps the name used before tenants existed.
    static std::string cursor_group(std::string_view tenant, std::string_view client_id) {
        if (tenant == "default") return "mqtt:" + std::string(client_id);
        return "mqtt@" + std::string(tenant) + ":" + std::string(client_id);
    }

private:
    struct outgoing {
        message_ptr msg;
        qos_level qos = qos_level::at_most_once;
        bool retain = false;
        std::vector<uint32_t> subscription_ids;
        int64_t inbox_offset = -1;
        std::string share_group;  // see delivery
        std::string share_filter;
        uint16_t packet_id = 0;
        bool released = false;  // PUBREC received, PUBREL sent
        bool sent = false;      // sent at least once: resend with DUP
    };

    /// Whether a live delivery at `offset` enters the window: not seen yet
    /// and room left (else it stays in the inbox for the loader).
    bool window_accepts(int64_t offset);
    void remember(int64_t offset);
    void pump();
    bool send(outgoing& o);
    void finish(outgoing& o);
    void mark_done(int64_t inbox_offset);
    void maybe_load();
    /// Granted QoS, retain flag and subscription ids of a loaded message,
    /// from the subscriptions it matches now; false if none matches.
    bool resolve(const message& m, outgoing& o) const;
    uint16_t next_packet_id();
    size_t window_cap() const;

    worker* worker_;
    std::shared_ptr<session_anchor> anchor_;
    connection* conn_ = nullptr;

    lazy_deque<outgoing> queue_;                     // waiting for the inflight window
    std::map<uint64_t, outgoing> inflight_;          // by send sequence: resend order
    std::unordered_map<uint16_t, uint64_t> by_pid_;  // packet id -> send sequence
    uint64_t send_seq_ = 0;
    uint16_t last_packet_id_ = 0;

    // Inbox window (persistent sessions); see the class comment.
    std::map<int64_t, bool> window_;  // offset -> acknowledged
    int64_t cursor_ = 0;
    int64_t read_pos_ = 0;  // every offset below was seen (in window_ or done)
    bool loading_ = false;
    bool caught_up_ = false;     // the last load reached the end of the inbox
    int64_t missed_up_to_ = -1;  // the last live delivery left to the loader
    uint64_t generation_ = 0;    // bumped per attach: stale loads are ignored
};

}  // namespace robust::mqtt
