#pragma once
// binding_map: the tenant's MQTT filters bound to Kafka topics
// (meta/topic_bindings.h), as the broker needs them on the publish path —
// which Kafka partition a publish is stored in — and on the delivery path —
// which binding a Kafka partition's records belong to. Follows the binding
// records and the topic records (a bound topic may grow partitions) through
// meta store watches.
//
// Threading: route(), by_shard() and snapshot() are called from any thread
// (worker threads on every publish): they read an immutable snapshot
// replaced atomically on every change, so they take no lock. The change
// listener runs on the meta store's watch thread (or start()'s caller).

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/result.h"
#include "meta/meta_store.h"
#include "meta/model.h"
#include "meta/topic_catalog.h"
#include "storage/journal.h"

namespace robust::mqtt {

/// One binding with its Kafka topic's shards.
struct bound_topic {
    meta::topic_binding_record binding;
    std::string scoped_filter;              // the filter as the broker matches it (tenant_scope.h)
    std::vector<storage::shard_id> shards;  // the Kafka partitions; empty while the topic is absent
    storage::durability durability = storage::durability::wal;  // the Kafka topic's
};

struct binding_set {
    std::vector<std::shared_ptr<const bound_topic>> topics;
    /// Partition shard -> its binding.
    std::unordered_map<uint64_t, std::shared_ptr<const bound_topic>> by_shard;
};

/// Where a publish to a bound topic goes.
struct bound_target {
    storage::shard_id shard;
    storage::durability durability = storage::durability::wal;
};

class binding_map {
public:
    binding_map(meta::meta_store& meta, storage::journal& journal);
    ~binding_map();
    binding_map(const binding_map&) = delete;
    binding_map& operator=(const binding_map&) = delete;

    /// Called after every change of the set. Set it before start().
    void on_change(std::function<void()> listener) { listener_ = std::move(listener); }

    /// Loads the topics and the bindings and watches both. Errors: the
    /// meta store's.
    status start();
    void stop();

    /// The partition a publish to `scoped_topic` is stored in, or nullopt
    /// when no binding matches (or its Kafka topic has no partitions yet).
    /// The partition is Kafka's default for the key the record gets: the
    /// topic as its publisher named it (kafka/codec/partitioner.h).
    std::optional<bound_target> route(std::string_view scoped_topic) const;
    /// The binding whose Kafka topic has partition shard `s`, or nullptr.
    std::shared_ptr<const bound_topic> by_shard(storage::shard_id s) const;
    std::shared_ptr<const binding_set> snapshot() const { return set_.load(); }
    /// Whether tenant/name is a Kafka topic (in the topic catalog).
    bool is_kafka_topic(std::string_view tenant, std::string_view name) const {
        return catalog_.find(tenant, name) != nullptr;
    }

private:
    void apply(const meta::mutation& m);
    void rebuild();

    meta::meta_store& meta_;
    meta::topic_catalog catalog_;
    std::function<void()> listener_;
    std::optional<meta::watch_id> watch_;

    std::mutex mutex_;  // guards records_ and serializes rebuild()
    std::map<std::string, meta::topic_binding_record> records_;  // by meta key
    std::atomic<bool> any_{false};  // the publish path's check when nothing is bound
    std::atomic<std::shared_ptr<const binding_set>> set_;
};

}  // namespace robust::mqtt
