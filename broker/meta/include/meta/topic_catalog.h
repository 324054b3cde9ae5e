#pragma once
// topic_catalog: the kernel topics in memory, with each partition's journal
// shard at hand. Loaded from the meta store at start and kept current by a
// watch on the topic records, so topics made by the admin API, robustctl or
// any protocol appear at once. The Kafka server and the MQTT broker's topic
// bindings each keep one. Topics recorded by MQTT publishes (record.mqtt)
// are not in it: they have no shards of their own.
//
// Threading: every method may be called from any thread (a shared_mutex
// guards the map; entries are immutable and shared). The change listener
// runs on the meta store's watch thread (or start()'s caller), after the map
// is updated, and must not block.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "meta/meta_store.h"
#include "meta/model.h"
#include "storage/journal.h"

namespace robust::meta {

struct topic_entry {
    topic_record record;
    std::vector<storage::shard_id> shards;  // one per partition, in partition order
    storage::durability durability = storage::durability::wal;
};

class topic_catalog {
public:
    topic_catalog(meta_store& meta, storage::journal& journal) : meta_(meta), journal_(journal) {}
    ~topic_catalog();
    topic_catalog(const topic_catalog&) = delete;
    topic_catalog& operator=(const topic_catalog&) = delete;

    /// Called after every change to the map (a topic created, grown or
    /// deleted). Set it before start().
    void on_change(std::function<void()> listener) { listener_ = std::move(listener); }

    /// Watches the topic records, then loads them all. Errors: the meta
    /// store's.
    status start();
    void stop();

    /// nullptr when the topic does not exist (or has no shard yet).
    std::shared_ptr<const topic_entry> find(std::string_view tenant, std::string_view name) const;
    /// Every topic of `tenant`, by name.
    std::vector<std::shared_ptr<const topic_entry>> list(std::string_view tenant) const;

private:
    void apply(const mutation& m);
    void upsert(const topic_record& r);

    meta_store& meta_;
    storage::journal& journal_;
    std::function<void()> listener_;
    watch_id watch_ = 0;
    bool watching_ = false;
    mutable std::shared_mutex mu_;
    std::map<std::string, std::shared_ptr<const topic_entry>, std::less<>>
        topics_;  // tenant \0 name
};

}  // namespace robust::meta
