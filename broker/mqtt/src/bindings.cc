#include "bindings.h"

#include <spdlog/spdlog.h>

#include "kafka/codec/partitioner.h"
#include "meta/topic_bindings.h"
#include "router/topic.h"
#include "tenant_scope.h"

namespace robust::mqtt {

binding_map::binding_map(meta::meta_store& meta, storage::journal& journal)
    : meta_(meta), catalog_(meta, journal), set_(std::make_shared<const binding_set>()) {
    catalog_.on_change([this] { rebuild(); });
}

binding_map::~binding_map() {
    stop();
}

status binding_map::start() {
    if (auto s = catalog_.start(); !s) return s;
    // Watch first, then load: a binding made in between is seen by both.
    watch_ = meta_.watch(meta::keys::topic_bindings, [this](const meta::mutation& m) { apply(m); });
    auto all = meta::list_bindings(meta_, "");
    if (!all) return all.error();
    {
        std::lock_guard lock(mutex_);
        for (auto& b : *all) records_[meta::key_of(b)] = std::move(b);
    }
    rebuild();
    return {};
}

void binding_map::stop() {
    if (watch_) meta_.unwatch(*watch_);
    watch_.reset();
    catalog_.stop();
}

void binding_map::apply(const meta::mutation& m) {
    {
        std::lock_guard lock(mutex_);
        if (!m.value) {
            records_.erase(m.key);
        } else if (auto r = meta::decode_topic_binding_record(*m.value)) {
            records_[m.key] = std::move(*r);
        } else {
            spdlog::warn("mqtt: unreadable topic binding {}: {}", m.key, r.error().message());
            return;
        }
    }
    rebuild();
}

void binding_map::rebuild() {
    std::lock_guard lock(mutex_);
    auto set = std::make_shared<binding_set>();
    for (const auto& [key, b] : records_) {
        auto t = std::make_shared<bound_topic>();
        t->binding = b;
        t->scoped_filter = scoped_filter(b.tenant, b.mqtt_filter);
        if (auto entry = catalog_.find(b.tenant, b.kafka_topic)) {
            t->shards = entry->shards;
            t->durability = entry->durability;
        }
        for (auto s : t->shards) set->by_shard[s.value()] = t;
        set->topics.push_back(std::move(t));
    }
    any_.store(!set->topics.empty(), std::memory_order_relaxed);
    set_.store(std::move(set));
    if (listener_) listener_();
}

std::optional<bound_target> binding_map::route(std::string_view scoped_topic) const {
    if (!any_.load(std::memory_order_relaxed)) return std::nullopt;
    const auto set = set_.load();
    for (const auto& t : set->topics) {
        if (t->shards.empty() || !router::topic_matches(t->scoped_filter, scoped_topic)) continue;
        const std::string_view key = client_topic(t->binding.tenant, scoped_topic);
        const uint32_t p =
            kafka::codec::partition_for_key(key, static_cast<uint32_t>(t->shards.size()));
        return bound_target{t->shards[p], t->durability};
    }
    return std::nullopt;
}

std::shared_ptr<const bound_topic> binding_map::by_shard(storage::shard_id s) const {
    const auto set = set_.load();
    auto it = set->by_shard.find(s.value());
    return it == set->by_shard.end() ? nullptr : it->second;
}

}  // namespace robust::mqtt
