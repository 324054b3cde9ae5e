// MQTT topics as kernel topics: the first publish to a topic creates its
// topic record (meta key topic/<tenant>/<name>, meta/model.h), so the admin
// API and robustctl list MQTT topics beside the others. The record says
// where the messages are: MQTT messages of every topic share the journal
// shards "$mqtt/messages/<n>" (by topic hash), so it has one partition.

#include <spdlog/spdlog.h>
#include <asio/post.hpp>
#include <future>

#include "base/clock.h"
#include "broker_impl.h"
#include "meta/model.h"
#include "meta/repositories.h"
#include "tenant_scope.h"

namespace robust::mqtt {

void broker_impl::note_topic(std::string_view topic) {
    if (topic.starts_with("$SYS/")) return;  // regenerated, never stored
    const size_t h = std::hash<std::string_view>{}(topic);
    topic_stripe& stripe = topic_stripes_[h % topic_stripes_.size()];
    {
        std::lock_guard lock(stripe.mutex);
        if (!stripe.names.emplace(topic).second) return;
    }
    topic_count_.fetch_add(1, std::memory_order_relaxed);
    const auto [tenant, name] = split_scoped(topic);
    // A Kafka topic of that name (made by a Kafka client or the admin API)
    // is a topic already: its record, partitions and shards are not replaced.
    if (bindings().is_kafka_topic(tenant, name)) return;
    meta::topic_record r;
    r.tenant = std::string(tenant);
    r.name = std::string(name);
    r.partitions = 1;
    r.storage = "rocksdb";
    r.durability = std::string(storage::to_string(durability_for(topic)));
    r.created_ms = now_unix_ms();
    r.mqtt = true;
    auto m = meta::put_mutation(r);
    if (!m) return;  // not UTF-8: the codec already refused such names
    meta.apply_async({std::move(*m)}, [](status s) {
        if (!s) spdlog::warn("mqtt: recording a new topic failed: {}", s.error().message());
    });
}

status broker_impl::restore_topics() {
    meta::topic_repo repo(meta);
    uint64_t n = 0;
    for (std::string cursor;;) {
        auto page = repo.list_all(1000, cursor);
        if (!page) {
            spdlog::error("mqtt: cannot read topics: {}", page.error().message());
            return page.error();
        }
        for (const auto& r : page->items) {
            const std::string topic = scoped_topic(r.tenant, r.name);
            topic_stripe& s =
                topic_stripes_[std::hash<std::string_view>{}(topic) % topic_stripes_.size()];
            std::lock_guard lock(s.mutex);
            if (s.names.insert(topic).second) ++n;
        }
        if (page->next_cursor.empty()) break;
        cursor = page->next_cursor;
    }
    topic_count_.store(n);
    // A topic deleted by an operator is recorded again by its next publish.
    topics_watch_ = meta.watch(meta::keys::topics, [this](const meta::mutation& m) {
        if (m.value) return;
        auto parts = meta::split_key(m.key);  // topic/<tenant>/<name>
        if (!parts || parts->size() != 3) return;
        const std::string topic = scoped_topic((*parts)[1], (*parts)[2]);
        topic_stripe& s =
            topic_stripes_[std::hash<std::string_view>{}(topic) % topic_stripes_.size()];
        std::lock_guard lock(s.mutex);
        if (s.names.erase(topic) > 0) topic_count_.fetch_sub(1, std::memory_order_relaxed);
    });
    return {};
}

std::vector<std::pair<std::string, uint64_t>> broker_impl::listener_connections() const {
    std::vector<std::pair<std::string, uint64_t>> out;
    for (size_t i = 0; i < listeners_.size(); ++i) {
        out.emplace_back(listener_info_[i].name, listeners_[i]->connections());
    }
    return out;
}

uint64_t broker_impl::shared_group_count() {
    auto p = std::make_shared<std::promise<uint64_t>>();
    auto f = p->get_future();
    worker& w = *workers_[0];
    asio::post(w.ctx(), [p, &w] { p->set_value(w.routes.count_groups()); });
    if (f.wait_for(std::chrono::seconds(2)) != std::future_status::ready) return 0;
    return f.get();
}

}  // namespace robust::mqtt
