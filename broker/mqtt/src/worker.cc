#include "worker.h"

#include <spdlog/spdlog.h>
#include <algorithm>
#include <asio/post.hpp>
#include <utility>

#include "base/clock.h"
#include "broker_impl.h"
#include "connection.h"
#include "message_record.h"
#include "tenant_scope.h"

namespace robust::mqtt {

worker::worker(broker_impl& b, uint32_t index, asio::io_context& ctx)
    : broker_(b), index_(index), ctx_(ctx), outbox_(b.pool.size()) {}

void worker::prepare(prepared_publish& p, uint64_t origin_session) {
    const message_ptr& msg = p.msg;
    broker_.note_topic(msg->topic);
    matches_.clear();
    routes.match(
        msg->topic,
        [&](uint64_t subscriber, const route& r) {
            // No Local: not back to the publishing session [MQTT-3.8.3-3].
            if (r.options.no_local && subscriber == origin_session) return;
            matches_.push_back({r.anchor.get(), &r, nullptr});
        },
        [&](router::shared_group<route>& g) {
            // One member per message, round robin, online members first.
            auto online = [](uint64_t, const route& r) {
                return r.anchor->online.load(std::memory_order_relaxed) &&
                       !r.anchor->ended.load(std::memory_order_relaxed);
            };
            auto alive = [](uint64_t, const route& r) {
                return !r.anchor->ended.load(std::memory_order_relaxed);
            };
            const auto* m = g.pick(online);
            if (!m) m = g.pick(alive);
            if (m) matches_.push_back({m->value.anchor.get(), &m->value, &g});
        });
    if (matches_.empty()) {
        broker_.stats.drop(metrics::drop_reason::no_subscriber);
        return;
    }

    // One delivery per session, with the highest granted QoS and every
    // subscription identifier of its matching subscriptions [MQTT-3.3.4-2]
    // [MQTT-3.3.4-3].
    std::sort(matches_.begin(), matches_.end(),
              [](const match& a, const match& b) { return a.anchor->id < b.anchor->id; });
    const bool journaled = msg->qos != qos_level::at_most_once;
    const auto max_queued = static_cast<int64_t>(broker_.opts.max_queued_messages);
    p.deliveries.reserve(p.deliveries.size() + matches_.size());
    for (size_t i = 0; i < matches_.size();) {
        size_t j = i;
        delivery d;
        d.anchor = matches_[i].r->anchor;
        d.msg = msg;
        bool first = true;
        for (; j < matches_.size() && matches_[j].anchor == matches_[i].anchor; ++j) {
            const route& r = *matches_[j].r;
            const qos_level q = std::min(msg->qos, r.options.max_qos);
            if (first || q > d.qos) d.qos = q;
            first = false;
            d.retain = d.retain || (r.options.retain_as_published && msg->retain);
            if (r.subscription_id != 0) d.subscription_ids.push_back(r.subscription_id);
            if (matches_[j].group && d.share_group.empty()) {
                d.share_group = std::string(matches_[j].group->name());
                d.share_filter = std::string(matches_[j].group->filter());
            }
        }
        session_anchor& a = *d.anchor;
        if (journaled && d.qos != qos_level::at_most_once &&
            a.persistent.load(std::memory_order_relaxed) && a.inbox.load() != 0) {
            // The offline queue limit, counted in inbox records not yet
            // acknowledged; over it the message is not kept for this session.
            if (a.queued.fetch_add(1, std::memory_order_relaxed) < max_queued) {
                p.inboxes.push_back(storage::shard_id{a.inbox.load()});
                p.inbox_delivery.push_back(p.deliveries.size());
            } else {
                a.queued.fetch_sub(1, std::memory_order_relaxed);
                d.over_queue_limit = true;
            }
        }
        p.deliveries.push_back(std::move(d));
        i = j;
    }
}

void worker::persist(const std::shared_ptr<prepared_publish>& p, std::function<void()> done) {
    const message_ptr& msg = p->msg;
    const bool durable = msg->qos != qos_level::at_most_once;
    p->pending = 0;
    if (durable) ++p->pending;
    const bool retain = msg->retain && broker_.opts.retain_available;
    if (retain && durable) ++p->pending;

    auto finish_one = [this, p, done](std::error_code ec) {
        asio::post(ctx_, [p, done, ec] {
            if (ec && !p->error) p->error = ec;
            if (--p->pending == 0) done();
        });
    };

    if (retain) {
        if (durable) {
            broker_.set_retained(
                msg, [finish_one](status s) { finish_one(s ? std::error_code{} : s.error()); });
        } else {
            broker_.set_retained(msg, {});
        }
    }
    // A topic bound to a Kafka topic is stored in its partition, keyed by the
    // topic as the publisher named it, at every QoS: Kafka consumers read
    // all of it. QoS 0 is not waited for.
    const auto bound = broker_.bindings().route(msg->topic);
    storage::append_request req;
    if (bound) {
        req.shard = bound->shard;
        req.durability = bound->durability;
        req.records.push_back(to_record(*msg, now_unix_ms()));
        req.records.back().key = std::string(split_scoped(msg->topic).second);
    }
    if (!durable) {
        if (bound) {
            broker_.journal.append(
                std::move(req), [topic = msg->topic](const result<storage::append_result>& r) {
                    if (!r) {
                        spdlog::warn("mqtt: storing a QoS 0 message to bound topic '{}' failed: {}",
                                     topic, r.error().message());
                    }
                });
        }
        if (p->pending == 0) done();
        return;
    }
    if (!bound) {
        req.shard = broker_.message_shard(msg->topic);
        req.records.push_back(to_record(*msg, now_unix_ms()));
        req.durability = broker_.durability_for(msg->topic);
    }
    req.index_shards = p->inboxes;
    broker_.journal.append(std::move(req), [this, p, finish_one](result<storage::append_result> r) {
        if (!r) {
            spdlog::error("mqtt: journal append for '{}' failed: {}", p->msg->topic,
                          r.error().message());
            for (size_t i = 0; i < p->inboxes.size(); ++i) {
                p->deliveries[p->inbox_delivery[i]].anchor->queued.fetch_sub(1);
            }
            finish_one(r.error());
            return;
        }
        // Only this thread reads the deliveries, after finish_one's post.
        for (size_t i = 0; i < p->inboxes.size(); ++i) {
            p->deliveries[p->inbox_delivery[i]].inbox_offset = r->index_first_offsets[i];
        }
        finish_one({});
    });
}

void worker::dispatch_live(prepared_publish& p) {
    std::vector<bool> waits(p.deliveries.size(), false);
    for (size_t i : p.inbox_delivery) waits[i] = true;
    for (size_t i = 0; i < p.deliveries.size(); ++i) {
        // A sent delivery keeps its slot (inbox_delivery indexes the rest),
        // emptied: dispatch() skips it.
        if (!waits[i]) queue_delivery(std::exchange(p.deliveries[i], delivery{}));
    }
}

void worker::dispatch(prepared_publish& p) {
    for (auto& d : p.deliveries) {
        if (d.anchor) queue_delivery(std::move(d));
    }
    p.deliveries.clear();
}

void worker::publish_internal(message_ptr msg) {
    auto p = std::make_shared<prepared_publish>();
    p->msg = std::move(msg);
    prepare(*p, 0);
    persist(p, [this, p] {
        if (!p->error) dispatch(*p);
    });
}

void worker::publish_stored(std::vector<stored_message> messages, std::function<void()> done) {
    struct batch {
        std::vector<std::shared_ptr<prepared_publish>> items;
        int pending = 1;  // released after the loop below
        std::function<void()> done;
    };
    auto b = std::make_shared<batch>();
    b->done = std::move(done);
    auto release = [this, b] {
        if (--b->pending != 0) return;
        // In the partition's order, once every pointer is written.
        for (auto& p : b->items) dispatch(*p);
        b->done();
    };
    for (auto& m : messages) {
        auto p = std::make_shared<prepared_publish>();
        p->msg = std::move(m.msg);
        prepare(*p, 0);
        for (size_t i = 0; i < p->inboxes.size(); ++i) {
            ++b->pending;
            storage::append_request req;
            req.shard = p->inboxes[i];
            storage::record pointer;
            pointer.value = shared_buffer(storage::index_pointer{m.shard, m.offset}.encode());
            req.records.push_back(std::move(pointer));
            req.durability = broker_.opts.durability;
            const size_t d = p->inbox_delivery[i];
            broker_.journal.append(
                std::move(req), [this, p, d, release](result<storage::append_result> r) {
                    // Only the offset or the error crosses to the worker thread.
                    const int64_t offset = r ? r->first_offset : -1;
                    const std::error_code ec = r ? std::error_code{} : r.error();
                    asio::post(ctx_, [p, d, release, offset, ec] {
                        delivery& del = p->deliveries[d];
                        if (!ec) {
                            del.inbox_offset = offset;
                        } else {
                            spdlog::error("mqtt: queueing a Kafka record for {} failed: {}",
                                          del.anchor->client_id, ec.message());
                            del.anchor->queued.fetch_sub(1);
                        }
                        release();
                    });
                });
        }
        b->items.push_back(std::move(p));
    }
    release();
}

void worker::redispatch_shared(std::vector<delivery> undelivered) {
    for (auto& d : undelivered) {
        const uint64_t gone = d.anchor->id;
        const auto* pick = static_cast<const router::subscriber_entry<route>*>(nullptr);
        routes.match(
            d.msg->topic, [](uint64_t, const route&) {},
            [&](router::shared_group<route>& g) {
                if (pick || g.name() != d.share_group || g.filter() != d.share_filter) return;
                auto online = [gone](uint64_t sid, const route& r) {
                    return sid != gone && r.anchor->online.load() && !r.anchor->ended.load();
                };
                auto alive = [gone](uint64_t sid, const route& r) {
                    return sid != gone && !r.anchor->ended.load();
                };
                pick = g.pick(online);
                if (!pick) pick = g.pick(alive);
            });
        if (!pick) continue;  // the group is gone: nobody left to take it
        // The ended member's inbox goes with it, so the message is journaled
        // again for the new member (a persistent one gets it through its
        // inbox, even while offline). A copy with RETAIN cleared: this is a
        // redelivery, not a new retained message.
        auto copy = std::make_shared<message>(*d.msg);
        copy->retain = false;
        auto p = std::make_shared<prepared_publish>();
        p->msg = std::move(copy);
        delivery next;
        next.anchor = pick->value.anchor;
        next.msg = p->msg;
        next.qos = std::min(d.msg->qos, pick->value.options.max_qos);
        if (pick->value.subscription_id != 0) {
            next.subscription_ids.push_back(pick->value.subscription_id);
        }
        next.share_group = std::move(d.share_group);
        next.share_filter = std::move(d.share_filter);
        session_anchor& a = *next.anchor;
        if (next.qos != qos_level::at_most_once && a.persistent.load() && a.inbox.load() != 0) {
            a.queued.fetch_add(1, std::memory_order_relaxed);
            p->inboxes.push_back(storage::shard_id{a.inbox.load()});
            p->inbox_delivery.push_back(0);
        }
        p->deliveries.push_back(std::move(next));
        persist(p, [this, p] {
            if (!p->error) dispatch(*p);
        });
    }
}

void worker::queue_delivery(delivery d) {
    const uint32_t t = d.anchor->thread.load(std::memory_order_acquire);
    if (t == index_) {
        deliver_one(std::move(d));
        return;
    }
    outbox_[t].push_back(std::move(d));
    if (!flush_posted_) {
        // Everything this turn produces for other threads goes in one post
        // per thread, after the current handler returns.
        flush_posted_ = true;
        asio::post(ctx_, [this] { flush_outboxes(); });
    }
}

void worker::flush_outboxes() {
    flush_posted_ = false;
    for (uint32_t t = 0; t < outbox_.size(); ++t) {
        if (outbox_[t].empty()) continue;
        worker& target = broker_.worker_at(t);
        const auto n = static_cast<int64_t>(outbox_[t].size());
        target.backlog_.fetch_add(n, std::memory_order_relaxed);
        asio::post(target.ctx(), [&target, n, batch = std::move(outbox_[t])]() mutable {
            target.deliver(std::move(batch));
            target.backlog_.fetch_sub(n, std::memory_order_relaxed);
        });
        outbox_[t] = {};
    }
}

void worker::start_sweeps(std::chrono::milliseconds every) {
    sweep_every_ = every;
    sweep_timer_ = std::make_unique<asio::steady_timer>(ctx_);
    schedule_sweep();
}

void worker::stop_sweeps() {
    sweep_timer_.reset();  // a pending wait completes with operation_aborted
}

void worker::schedule_sweep() {
    sweep_timer_->expires_after(sweep_every_);
    sweep_timer_->async_wait([this](std::error_code ec) {
        if (ec || !sweep_timer_) return;
        sweep();
        schedule_sweep();
    });
}

void worker::sweep() {
    const int64_t now = now_unix_ms();
    // Closing erases from `connections`: collect first, close after.
    for (const auto& c : connections) {
        if (c->sweep(now)) expired_.push_back(c);
    }
    for (auto& c : expired_) c->expire();
    expired_.clear();
}

void worker::deliver(std::vector<delivery> batch) {
    for (auto& d : batch) deliver_one(std::move(d));
}

void worker::deliver_one(delivery d) {
    if (d.anchor->thread.load(std::memory_order_acquire) != index_) {
        queue_delivery(std::move(d));  // the session moved: follow it
        return;
    }
    auto it = sessions.find(d.anchor->id);
    if (it == sessions.end()) return;  // ended
    it->second->enqueue(std::move(d));
}

}  // namespace robust::mqtt
