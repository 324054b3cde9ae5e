#include "kafka_inflow.h"

#include <spdlog/spdlog.h>
#include <asio/post.hpp>

#include <algorithm>
#include <vector>

#include "broker_impl.h"
#include "kafka_records.h"

namespace robust::mqtt {
namespace {

// One read: enough to amortize the wake-up, small enough that a slow MQTT
// subscriber's queue limit, not this, bounds memory.
constexpr size_t read_records = 256;
constexpr size_t read_bytes = 4 * 1024 * 1024;

}  // namespace

struct kafka_inflow::tail {
    storage::shard_id shard;
    std::shared_ptr<const bound_topic> topic;
    int64_t next = 0;  // the next offset to deliver
    int64_t end = 0;   // the partition's next offset, as last observed
    bool busy = false;
    bool gone = false;  // unbound since
};

struct kafka_inflow::state {
    std::mutex mutex;
    bool stopped = false;
    bool observing = false;
    std::unordered_map<uint64_t, std::shared_ptr<tail>> tails;
};

kafka_inflow::kafka_inflow(broker_impl& b) : broker_(b), state_(std::make_shared<state>()) {}

kafka_inflow::~kafka_inflow() {
    stop();
}

void kafka_inflow::start(const binding_map& bindings) {
    {
        std::lock_guard lock(state_->mutex);
        if (state_->observing) return;
        state_->observing = true;
    }
    // The journal keeps observers for its whole life: this one holds the
    // state, not the inflow, and does nothing once stopped.
    broker_.journal.add_append_observer(
        [this, st = state_](std::span<const storage::shard_progress> progress) {
            std::vector<std::shared_ptr<tail>> wake;
            {
                std::lock_guard lock(st->mutex);
                if (st->stopped || st->tails.empty()) return;
                for (const auto& p : progress) {
                    auto it = st->tails.find(p.shard.value());
                    if (it == st->tails.end()) continue;
                    tail& t = *it->second;
                    t.end = std::max(t.end, p.next_offset);
                    if (!t.busy && !t.gone && t.next < t.end) {
                        t.busy = true;
                        wake.push_back(it->second);
                    }
                }
            }
            for (auto& t : wake) asio::post(broker_.blocking, [this, t] { pump(t); });
        });
    sync(*bindings.snapshot());
}

void kafka_inflow::sync(const binding_set& set) {
    {
        std::lock_guard lock(state_->mutex);
        if (!state_->observing) return;  // start() syncs
    }
    std::vector<std::pair<storage::shard_id, std::shared_ptr<const bound_topic>>> wanted;
    for (const auto& [shard, topic] : set.by_shard)
        wanted.emplace_back(storage::shard_id{shard}, topic);
    // The start positions are journal reads: not on the caller's (watch) thread.
    asio::post(broker_.blocking, [this, st = state_, wanted = std::move(wanted)] {
        std::vector<std::shared_ptr<tail>> wake;
        std::lock_guard lock(st->mutex);
        if (st->stopped) return;
        for (auto& [id, t] : st->tails) {
            const bool kept = std::any_of(wanted.begin(), wanted.end(),
                                          [&](const auto& w) { return w.first.value() == id; });
            t->gone = !kept;
        }
        std::erase_if(st->tails, [](const auto& e) { return e.second->gone && !e.second->busy; });
        for (const auto& [shard, topic] : wanted) {
            auto& t = st->tails[shard.value()];
            if (t) {
                t->topic = topic;
                t->gone = false;
                continue;
            }
            auto end = broker_.journal.next_offset(shard);
            if (!end) continue;  // deleted meanwhile
            t = std::make_shared<tail>();
            t->shard = shard;
            t->topic = topic;
            t->end = *end;
            if (auto at = broker_.journal.committed_position(position_group, shard)) {
                t->next = std::min(*at, *end);
            } else {
                // A new binding: from now on. Committed at once, so a crash
                // before the first record does not skip what comes after.
                t->next = *end;
                ignore_result(broker_.journal.commit_position(position_group, shard, *end));
            }
            if (t->next < t->end) {
                t->busy = true;
                wake.push_back(t);
            }
        }
        for (auto& t : wake) asio::post(broker_.blocking, [this, t] { pump(t); });
    });
}

void kafka_inflow::stop() {
    std::lock_guard lock(state_->mutex);
    state_->stopped = true;
}

void kafka_inflow::pump(const std::shared_ptr<tail>& t) {
    int64_t from = 0;
    std::shared_ptr<const bound_topic> topic;
    {
        std::lock_guard lock(state_->mutex);
        if (state_->stopped || t->gone) {
            t->busy = false;
            return;
        }
        from = t->next;
        topic = t->topic;
    }
    auto records = broker_.journal.read(t->shard, from, read_records, read_bytes);
    if (!records) {
        spdlog::warn("mqtt: reading Kafka partition {} for MQTT delivery failed: {}",
                     topic->binding.kafka_topic, records.error().message());
        finish(t, from);  // tried again at the next append
        return;
    }
    std::vector<stored_message> messages;
    int64_t next = from;
    for (const auto& r : *records) {
        next = std::max(next, r.last_offset() + 1);
        // Single records are MQTT's own publishes: delivered when published.
        if (r.format != storage::record_format::kafka_batch) continue;
        auto expanded = messages_of_batch(r, topic->binding, from);
        if (!expanded) {
            spdlog::warn(
                "mqtt: a stored Kafka batch at offset {} of '{}' does not decode ({}): "
                "not delivered to MQTT",
                r.offset, topic->binding.kafka_topic, expanded.error().message());
            continue;
        }
        for (auto& [offset, msg] : *expanded) {
            if (!msg) {
                broker_.stats.drop(metrics::drop_reason::no_subscriber);
                continue;
            }
            messages.push_back({std::move(msg), t->shard, offset});
        }
    }
    if (messages.empty()) {
        finish(t, next);
        return;
    }
    // One worker per partition keeps the partition's order.
    worker& w = broker_.worker_at(static_cast<uint32_t>(t->shard.value() % broker_.pool.size()));
    asio::post(w.ctx(), [this, &w, t, next, st = state_, messages = std::move(messages)]() mutable {
        w.publish_stored(std::move(messages), [this, t, next, st] {
            bool stopped = false;
            {
                std::lock_guard lock(st->mutex);
                stopped = st->stopped;
            }
            if (!stopped) finish(t, next);
        });
    });
}

void kafka_inflow::finish(const std::shared_ptr<tail>& t, int64_t next) {
    bool progressed = false;
    bool again = false;
    {
        std::lock_guard lock(state_->mutex);
        progressed = next > t->next;
        t->next = std::max(t->next, next);
        again = progressed && !state_->stopped && !t->gone && t->next < t->end;
        t->busy = again;
    }
    if (progressed) {
        ignore_result(broker_.journal.commit_position(position_group, t->shard, next));
    }
    if (again) asio::post(broker_.blocking, [this, t] { pump(t); });
}

}  // namespace robust::mqtt
