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

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "base/result.h"
#include "config/config.h"
#include "meta/model.h"
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

/// The topic record a Kafka topic gets when the broker makes it (a client's
/// CreateTopics or auto-create, a topic binding): `partitions` (<= 0:
/// kafka.num_partitions), journal durability and retention from [storage].
/// Kafka topic configs a client sends override these (topic_config.h).
meta::topic_record new_topic(const server_options& o, std::string_view tenant,
                             std::string_view name, int32_t partitions);

struct listener_info {
    std::string name;  // "kafka", "kafka-tls"
    std::string address;
    uint16_t port = 0;
};

// ---- consumer groups, as the admin API shows and manages them -------------
// Plain values: any thread may build, copy or read them.

/// One group in a listing. Groups known only by their committed offsets (no
/// member since the last restart, or a standalone consumer's commits) are
/// listed with state "Empty", as Kafka does.
struct group_summary {
    std::string tenant;
    std::string group_id;
    std::string state;          // Kafka's names: Empty, PreparingRebalance, ..., Stable
    std::string protocol_type;  // "consumer" for Kafka consumers; "" when unknown
    std::string protocol;       // the assignor chosen ("range", ...); "" unless Stable
    size_t members = 0;
    /// Sum over the partitions with a committed offset of (log end offset -
    /// committed offset), never negative per partition.
    int64_t lag = 0;
};

/// Partitions of one topic (an assignment, or a selection for a reset).
struct topic_partitions {
    std::string topic;
    std::vector<int32_t> partitions;  // in a selection: empty = every partition
};

struct group_member {
    std::string member_id;
    std::optional<std::string> group_instance_id;  // static members (KIP-345)
    std::string client_id;
    std::string client_host;
    /// Decoded from the consumer protocol's assignment when the protocol
    /// type is "consumer" and the group is Stable; empty otherwise.
    std::vector<topic_partitions> assignment;
};

/// One partition of a group: its committed offset against the log.
struct group_partition_offset {
    std::string topic;
    int32_t partition = 0;
    std::optional<int64_t> committed_offset;  // nullopt: assigned, nothing committed yet
    int64_t log_start_offset = 0;             // the partition's earliest offset
    int64_t log_end_offset = 0;               // the offset the next record gets
    std::optional<int64_t> lag;               // log end - committed (>= 0) when committed
    std::string metadata;                     // the commit's metadata string (in memory only)
    std::string member_id;                    // the member assigned the partition, "" if none
};

struct group_detail {
    group_summary summary;
    int32_t generation = 0;
    std::vector<group_member> members;  // in join order
    /// Partitions with a committed offset or assigned to a member, by topic
    /// then partition.
    std::vector<group_partition_offset> offsets;
};

/// Where reset_offsets moves a group's positions (kafka-consumer-groups.sh
/// --to-earliest, --to-latest, --to-offset, --to-datetime).
enum class reset_target { earliest, latest, offset, timestamp };

struct offset_reset_request {
    std::string tenant = "default";
    std::string group_id;
    /// Topics and partitions to reset; empty = every partition the group has
    /// committed an offset on (--all-topics).
    std::vector<topic_partitions> topics;
    reset_target to = reset_target::earliest;
    /// The offset for `offset` (clamped to [log start, log end], as Kafka's
    /// tool does), ms since the epoch for `timestamp`; unused otherwise.
    int64_t value = 0;
    bool dry_run = false;  // compute the plan, change nothing
};

struct offset_reset_entry {
    std::string topic;
    int32_t partition = 0;
    std::optional<int64_t> previous_offset;  // nullopt: nothing was committed
    int64_t new_offset = 0;
};

/// A refused admin call on groups: a robust::errc and a sentence for the
/// operator naming what was wrong (the topic, the partition, the members).
struct group_failure {
    std::error_code code;
    std::string message;
};

/// The value of an admin call on groups, or why it failed.
template <class T>
class [[nodiscard]] group_outcome {
public:
    group_outcome(T v) : value_(std::move(v)) {}                // NOLINT: implicit by design
    group_outcome(group_failure f) : failure_(std::move(f)) {}  // NOLINT
    bool ok() const noexcept { return value_.has_value(); }
    T& value() { return *value_; }
    const T& value() const { return *value_; }
    const group_failure& error() const noexcept { return failure_; }

private:
    std::optional<T> value_;
    group_failure failure_;
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

    /// new_topic() with this server's options (the admin API's topic
    /// bindings). Any thread.
    meta::topic_record new_topic(std::string_view tenant, std::string_view name,
                                 int32_t partitions) const;

    /// What robustmq_kafka_* and the Kafka connections show; any thread
    /// (metrics::registry::set_kafka_source).
    metrics::kafka_sample metrics_sample() const;

    // Consumer groups for the admin API. Blocking (they scan the journal's
    // committed positions), thread-safe; call them from admin threads, never
    // from an io_pool thread. Group ids are those clients use, per tenant.

    /// Every group of `tenant` (empty: of every tenant), by tenant then id.
    std::vector<group_summary> list_groups(std::string_view tenant) const;
    /// State, members and per-partition offsets of one group. Errors:
    /// not_found (no members and no committed offsets), invalid_argument (a
    /// group id the tenant may not use).
    group_outcome<group_detail> describe_group(std::string_view tenant,
                                               std::string_view group) const;
    /// Deletes a group without members and its committed offsets (Kafka's
    /// DeleteGroups); nullopt when done. Errors: not_found,
    /// invalid_argument, protocol_error (the group has members: Kafka's
    /// NON_EMPTY_GROUP), io_error.
    std::optional<group_failure> delete_group(std::string_view tenant, std::string_view group);
    /// Moves a group's committed offsets (kafka-consumer-groups.sh
    /// --reset-offsets); allowed only while the group has no members, as in
    /// Kafka. A group that does not exist yet gets the offsets (so it starts
    /// where the operator says). Returns the plan, applied unless dry_run.
    /// Timestamps resolve to the first stored batch with a record at or
    /// after them (a batch is never split: a few earlier records of that
    /// batch may be read again). Errors: invalid_argument (bad group id,
    /// unknown topic or partition, negative offset, nothing selected),
    /// protocol_error (the group has members), io_error, shutting_down.
    group_outcome<std::vector<offset_reset_entry>> reset_offsets(const offset_reset_request& req);

private:
    std::unique_ptr<server_impl> impl_;
};

}  // namespace robust::kafka
