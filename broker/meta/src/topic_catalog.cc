#include "meta/topic_catalog.h"

#include <spdlog/spdlog.h>

#include <mutex>

#include "meta/repositories.h"
#include "meta/topics.h"

namespace robust::meta {
namespace {

std::string map_key(std::string_view tenant, std::string_view name) {
    std::string k(tenant);
    k.push_back('\0');
    k.append(name);
    return k;
}

storage::durability durability_of(std::string_view d) {
    if (d == "none") return storage::durability::none;
    if (d == "fsync") return storage::durability::fsync;
    return storage::durability::wal;
}

}  // namespace

topic_catalog::~topic_catalog() {
    stop();
}

status topic_catalog::start() {
    // Watch first, then load: a topic created in between is seen by both,
    // and upsert is idempotent.
    watch_ = meta_.watch(keys::topics, [this](const mutation& m) { apply(m); });
    watching_ = true;
    topic_repo repo(meta_);
    for (std::string cursor;;) {
        auto page = repo.list_all(1000, cursor);
        if (!page) return page.error();
        for (const auto& r : page->items) upsert(r);
        if (page->next_cursor.empty()) break;
        cursor = page->next_cursor;
    }
    if (listener_) listener_();
    return {};
}

void topic_catalog::stop() {
    if (!watching_) return;
    watching_ = false;
    meta_.unwatch(watch_);
}

void topic_catalog::apply(const mutation& m) {
    if (m.value) {
        auto r = decode_topic_record(*m.value);
        if (!r) {
            spdlog::warn("topics: unreadable topic record {}: {}", m.key, r.error().message());
            return;
        }
        upsert(*r);
    } else {
        auto parts = split_key(m.key);  // "topic", tenant, name
        if (!parts || parts->size() != 3) return;
        std::unique_lock lock(mu_);
        topics_.erase(map_key((*parts)[1], (*parts)[2]));
    }
    if (listener_) listener_();
}

void topic_catalog::upsert(const topic_record& r) {
    if (r.mqtt) {
        // An MQTT topic: no Kafka topic, no shards (see topic_record::mqtt).
        // 1,000,000 MQTT topics must not cost an entry and a shard each.
        std::unique_lock lock(mu_);
        topics_.erase(map_key(r.tenant, r.name));
        return;
    }
    auto e = std::make_shared<topic_entry>();
    e->record = r;
    e->durability = durability_of(r.durability);
    const storage::shard_options opts = topic_shard_options(r);
    for (uint32_t p = 0; p < r.partitions; ++p) {
        // Idempotent and never waits for the disk: topics made before this
        // process (or by another node) get their shards here.
        auto id = journal_.create_shard(topic_shard_name(r.tenant, r.name, p), opts);
        if (!id) {
            spdlog::warn("topics: no shard for partition {} of topic {}: {}", p, r.name,
                         id.error().message());
            return;
        }
        e->shards.push_back(*id);
    }
    std::unique_lock lock(mu_);
    topics_[map_key(r.tenant, r.name)] = std::move(e);
}

std::shared_ptr<const topic_entry> topic_catalog::find(std::string_view tenant,
                                                       std::string_view name) const {
    std::shared_lock lock(mu_);
    auto it = topics_.find(map_key(tenant, name));
    return it == topics_.end() ? nullptr : it->second;
}

std::vector<std::shared_ptr<const topic_entry>> topic_catalog::list(std::string_view tenant) const {
    std::vector<std::shared_ptr<const topic_entry>> out;
    const std::string prefix = map_key(tenant, "");
    std::shared_lock lock(mu_);
    for (auto it = topics_.lower_bound(prefix);
         it != topics_.end() && it->first.starts_with(prefix); ++it) {
        out.push_back(it->second);
    }
    return out;
}

}  // namespace robust::meta
