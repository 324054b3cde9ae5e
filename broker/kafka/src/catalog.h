#pragma once
// catalog: the kernel topics as Kafka sees them, in memory. Loaded from the
// meta store at start and kept current by a watch on the topic records, so
// topics made by the admin API, robustctl or another protocol appear at
// once, and each partition's journal shard id is at hand without a lookup.
//
// Created and started by server_impl; every method may be called from any
// thread (a shared_mutex guards the map; entries are immutable and shared).

#include <cstdint>
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

namespace robust::kafka {

struct topic_entry {
    meta::topic_record record;
    std::vector<storage::shard_id> shards;  // one per partition, in partition order
    storage::durability durability = storage::durability::wal;
};

/// Kafka's topic name rule: 1..249 characters of [a-zA-Z0-9._-], and not
/// "." or "..".
bool valid_topic_name(std::string_view name) noexcept;

class catalog {
public:
    catalog(meta::meta_store& meta, storage::journal& journal) : meta_(meta), journal_(journal) {}
    ~catalog();
    catalog(const catalog&) = delete;
    catalog& operator=(const catalog&) = delete;

    /// Watches the topic records, then loads them all. Errors: the meta
    /// store's.
    status start();
    void stop();

    /// nullptr when the topic does not exist (or has no shard yet).
    std::shared_ptr<const topic_entry> find(std::string_view tenant, std::string_view name) const;
    /// Every topic of `tenant` whose name is a valid Kafka name, by name.
    std::vector<std::shared_ptr<const topic_entry>> list(std::string_view tenant) const;

private:
    void on_change(const meta::mutation& m);
    void upsert(const meta::topic_record& r);

    meta::meta_store& meta_;
    storage::journal& journal_;
    meta::watch_id watch_ = 0;
    bool watching_ = false;
    mutable std::shared_mutex mu_;
    std::map<std::string, std::shared_ptr<const topic_entry>, std::less<>>
        topics_;  // tenant \0 name
};

}  // namespace robust::kafka
