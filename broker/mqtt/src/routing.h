#pragma once
// The values the router stores for MQTT subscriptions, and what a publish
// hands to the thread that owns a subscriber's session.

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "message.h"
#include "mqtt/codec/packets.h"
#include "storage/journal.h"

namespace robust::mqtt {

/// The part of a session that other threads may look at. Shared by the
/// session and every route that points at it; outlives both as needed.
struct session_anchor {
    session_anchor(uint64_t sid, std::string tenant_name, std::string client, uint32_t thread_index)
        : id(sid),
          tenant(std::move(tenant_name)),
          client_id(std::move(client)),
          thread(thread_index) {}

    const uint64_t id;
    const std::string tenant;  // client ids are unique per tenant
    const std::string client_id;
    /// The worker thread the session lives on; changes when a client
    /// reconnects on another thread (the old thread forwards stragglers).
    std::atomic<uint32_t> thread;
    /// Persistent sessions (clean start 0 with a non-zero expiry, or 3.x
    /// clean session 0) receive QoS 1/2 messages through their inbox shard.
    std::atomic<bool> persistent{false};
    /// Inbox shard id (0: none yet); set before the session becomes persistent.
    std::atomic<uint64_t> inbox{0};
    /// Inbox records not yet acknowledged by the client: the offline queue
    /// limit is checked against it by publishers on any thread.
    std::atomic<int64_t> queued{0};
    /// A connection is attached (shared groups prefer online members).
    std::atomic<bool> online{false};
    /// Set once the session has ended; routes to it are being removed.
    std::atomic<bool> ended{false};
};

/// A subscription as stored in every worker's subscription_index replica.
struct route {
    std::shared_ptr<session_anchor> anchor;
    codec::subscribe_options options;
    uint32_t subscription_id = 0;  // 0: none
};

/// One message for one session, built by the publishing thread and
/// executed by the session's thread.
struct delivery {
    std::shared_ptr<session_anchor> anchor;
    message_ptr msg;
    qos_level qos = qos_level::at_most_once;  // granted: min(published, subscribed)
    bool retain = false;                      // the RETAIN flag to send
    std::vector<uint32_t> subscription_ids;
    int64_t inbox_offset = -1;  // offset in anchor->inbox, or -1 when not journaled
    /// The persistent session already had mqtt.max_queued_messages
    /// unacknowledged messages when this one was published: it is not kept,
    /// even if the client reconnects before the delivery reaches the
    /// session (the publisher's PUBACK precedes the fan-out).
    bool over_queue_limit = false;
    /// Set when the message reached the session through a shared group
    /// (name, filter): if the session ends before it is acknowledged,
    /// another member of the group gets it.
    std::string share_group;
    std::string share_filter;
};

}  // namespace robust::mqtt
