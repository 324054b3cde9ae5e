// What the MQTT broker keeps in the meta store and the journal, and how it
// is restored at start-up: persistent sessions (record, subscriptions, inbox
// shard and cursor) and retained messages. Writes from I/O threads go
// through meta_store::apply_async (one writer thread, so they apply in the
// order they were issued); start-up reads are synchronous on main's thread.

#include <spdlog/spdlog.h>
#include <asio/post.hpp>
#include <future>

#include "base/clock.h"
#include "broker_impl.h"
#include "connection.h"
#include "meta/model.h"
#include "meta/repositories.h"
#include "router/topic.h"
#include "session.h"
#include "tenant_scope.h"

namespace robust::mqtt {

namespace {
meta::mqtt_subscription_record subscription_record(const session& s, const std::string& filter,
                                                   const session_subscription& sub) {
    meta::mqtt_subscription_record r;
    r.tenant = s.anchor()->tenant;
    r.client_id = s.client_id();
    r.filter = filter;
    r.qos = static_cast<uint8_t>(sub.options.max_qos);
    r.no_local = sub.options.no_local;
    r.retain_as_published = sub.options.retain_as_published;
    r.retain_handling = sub.options.retain_handling;
    r.subscription_id = sub.subscription_id;
    return r;
}

void apply(meta::meta_store& store, std::vector<meta::mutation> batch,
           std::function<void(status)> done) {
    store.apply_async(std::move(batch), [done = std::move(done)](status s) {
        if (!s) spdlog::error("mqtt: metadata write failed: {}", s.error().message());
        if (done) done(s);
    });
}

bool is_sys_topic(std::string_view topic) {
    return topic.starts_with("$SYS/");
}
}  // namespace

void broker_impl::ensure_inbox(session_anchor& a) {
    if (a.inbox.load() != 0) return;
    // Named after the session id and time, so a new session of the same
    // client never reuses the shard of one being deleted.
    const std::string name = "$mqtt/inbox/" + (is_default_tenant(a.tenant) ? "" : a.tenant + "@") +
                             a.client_id + "/" + std::to_string(now_unix_ms()) + "-" +
                             std::to_string(a.id);
    auto id = journal.create_shard(name);
    if (!id) {
        spdlog::error("mqtt: cannot create the inbox of {}: {}", a.client_id, id.error().message());
        return;  // the session then gets live messages only
    }
    a.inbox.store(id->value());
}

void broker_impl::save_session(const session& s, std::function<void(status)> done) {
    meta::mqtt_session_record r;
    r.tenant = s.anchor()->tenant;
    r.client_id = s.client_id();
    r.protocol_version = s.protocol_version;
    r.session_expiry_s = s.expiry_interval_s;
    r.disconnected_at_ms = s.conn() ? 0 : now_unix_ms();
    r.inbox_shard = s.anchor()->inbox.load();
    auto m = meta::put_mutation(r);
    if (!m) {
        if (done) done(m.error());
        return;
    }
    apply(meta, {std::move(*m)}, std::move(done));
}

void broker_impl::save_subscriptions(const session& s, const std::vector<std::string>& filters,
                                     std::function<void(status)> done) {
    std::vector<meta::mutation> batch;
    for (const auto& f : filters) {
        auto it = s.subscriptions.find(f);
        if (it == s.subscriptions.end()) continue;
        auto m = meta::put_mutation(subscription_record(s, f, it->second));
        if (m) batch.push_back(std::move(*m));
    }
    apply(meta, std::move(batch), std::move(done));
}

void broker_impl::erase_subscriptions(const session& s, const std::vector<std::string>& filters) {
    std::vector<meta::mutation> batch;
    for (const auto& f : filters) {
        batch.push_back(meta::erase_mutation(
            meta::keys::mqtt_subscription(s.anchor()->tenant, s.client_id(), f)));
    }
    apply(meta, std::move(batch), {});
}

void broker_impl::forget_session(const session& s) {
    std::vector<meta::mutation> batch;
    batch.push_back(
        meta::erase_mutation(meta::keys::mqtt_session(s.anchor()->tenant, s.client_id())));
    for (const auto& [f, sub] : s.subscriptions) {
        batch.push_back(meta::erase_mutation(
            meta::keys::mqtt_subscription(s.anchor()->tenant, s.client_id(), f)));
    }
    const uint64_t inbox = s.anchor()->inbox.load();
    apply(meta, std::move(batch), [this, inbox](status) {
        // Deleting the shard touches the engine: not on an I/O thread.
        if (inbox != 0) ignore_result(journal.delete_shard(storage::shard_id{inbox}));
    });
}

void broker_impl::set_retained(const message_ptr& msg, std::function<void(status)> done) {
    const bool clear = msg->payload.empty();  // [MQTT-3.3.1-6] [MQTT-3.3.1-7]
    {
        std::lock_guard lock(retained_mutex_);
        if (clear) {
            retained_.erase(msg->topic);
        } else {
            retained_.set(msg->topic, msg);
        }
    }
    if (is_sys_topic(msg->topic)) {  // regenerated every interval: memory only
        if (done) done({});
        return;
    }
    meta::mutation m;
    const auto [tenant, topic] = split_scoped(msg->topic);
    if (clear) {
        m = meta::erase_mutation(meta::keys::mqtt_retained_message(tenant, topic));
    } else {
        meta::retained_record r;
        r.tenant = tenant;
        r.topic = topic;
        r.payload = std::string(msg->payload.view());
        r.qos = static_cast<uint8_t>(msg->qos);
        r.stored_ms = msg->timestamp_ms != 0 ? msg->timestamp_ms : now_unix_ms();
        if (msg->expiry_at_ms != 0) {
            r.message_expiry_s = static_cast<uint32_t>(
                std::max<int64_t>(1, (msg->expiry_at_ms - r.stored_ms + 999) / 1000));
        }
        auto& p = r.properties;
        p.payload_format_indicator = msg->props.payload_format_indicator;
        p.content_type = msg->props.content_type;
        p.response_topic = msg->props.response_topic;
        p.correlation_data = msg->props.correlation_data;
        for (const auto& up : msg->props.user_properties)
            p.user_properties.emplace_back(up.key, up.value);
        auto pm = meta::put_mutation(r);
        if (!pm) {
            if (done) done(pm.error());
            return;
        }
        m = std::move(*pm);
    }
    apply(meta, {std::move(m)}, std::move(done));
}

std::vector<message_ptr> broker_impl::retained_matching(std::string_view filter) {
    std::vector<message_ptr> out;
    std::lock_guard lock(retained_mutex_);
    retained_.match_filter(filter,
                           [&](std::string_view, const message_ptr& m) { out.push_back(m); });
    return out;
}

message_ptr broker_impl::retained_at(std::string_view topic) {
    std::lock_guard lock(retained_mutex_);
    const message_ptr* m = retained_.find(topic);
    return m ? *m : nullptr;
}

size_t broker_impl::retained_count() {
    std::lock_guard lock(retained_mutex_);
    return retained_.size();
}

status broker_impl::restore() {
    // Retained messages.
    meta::retained_repo retained_store(meta);
    size_t retained_n = 0;
    for (std::string cursor;;) {
        auto page = retained_store.list_all(1000, cursor);
        if (!page) {
            spdlog::error("mqtt: cannot read retained messages: {}", page.error().message());
            return page.error();
        }
        for (auto& r : page->items) {
            auto m = std::make_shared<message>();
            m->topic = scoped_topic(r.tenant, r.topic);
            m->payload = shared_buffer(std::move(r.payload));
            m->qos = static_cast<qos_level>(std::min<uint8_t>(r.qos, 2));
            m->retain = true;
            m->timestamp_ms = r.stored_ms;
            if (r.message_expiry_s != 0)
                m->expiry_at_ms = r.stored_ms + int64_t(r.message_expiry_s) * 1000;
            auto& p = m->props;
            p.payload_format_indicator = r.properties.payload_format_indicator;
            p.content_type = r.properties.content_type;
            p.response_topic = r.properties.response_topic;
            p.correlation_data = r.properties.correlation_data;
            for (auto& [k, v] : r.properties.user_properties) p.user_properties.push_back({k, v});
            const std::string topic = m->topic;  // before m is moved from
            std::lock_guard lock(retained_mutex_);
            retained_.set(topic, std::move(m));
            ++retained_n;
        }
        if (page->next_cursor.empty()) break;
        cursor = page->next_cursor;
    }

    // Persistent sessions, spread over the workers, detached until their
    // clients come back.
    meta::mqtt_session_repo sessions_store(meta);
    size_t sessions_n = 0;
    const int64_t now = now_unix_ms();
    uint32_t next_worker = 0;
    for (std::string cursor;;) {
        auto page = sessions_store.list_all(1000, cursor);
        if (!page) {
            spdlog::error("mqtt: cannot read sessions: {}", page.error().message());
            return page.error();
        }
        for (auto& r : page->items) {
            auto subs = sessions_store.list_for_client(r.tenant, r.client_id);
            if (!subs) return subs.error();
            const uint32_t w = next_worker++ % workers_.size();
            auto anchor =
                std::make_shared<session_anchor>(new_session_id(), r.tenant, r.client_id, w);
            anchor->persistent.store(r.session_expiry_s > 0);
            anchor->inbox.store(r.inbox_shard);
            auto s = std::make_unique<session>(*workers_[w], anchor);
            s->protocol_version = r.protocol_version;
            // A session that was connected when the server stopped counts
            // as disconnected now.
            const int64_t since = r.disconnected_at_ms == 0 ? now : r.disconnected_at_ms;
            const int64_t elapsed_s = (now - since) / 1000;
            if (r.session_expiry_s != UINT32_MAX && elapsed_s >= r.session_expiry_s) {
                forget_session(*s);
                continue;
            }
            s->expiry_interval_s = r.session_expiry_s == UINT32_MAX
                                       ? UINT32_MAX
                                       : r.session_expiry_s - static_cast<uint32_t>(elapsed_s);
            if (r.inbox_shard != 0) {
                const storage::shard_id inbox{r.inbox_shard};
                auto committed =
                    journal.committed_position(session::cursor_group(r.tenant, r.client_id), inbox);
                int64_t cursor_pos = committed ? *committed : journal.earliest(inbox).value_or(0);
                if (auto earliest = journal.earliest(inbox))
                    cursor_pos = std::max(cursor_pos, *earliest);
                s->set_inbox_position(cursor_pos);
                if (auto next = journal.next_offset(inbox))
                    anchor->queued.store(std::max<int64_t>(0, *next - cursor_pos));
            }
            std::vector<route_change> changes;
            for (auto& sub : *subs) {
                session_subscription ss;
                ss.options.max_qos = static_cast<qos_level>(std::min<uint8_t>(sub.qos, 2));
                ss.options.no_local = sub.no_local;
                ss.options.retain_as_published = sub.retain_as_published;
                ss.options.retain_handling = sub.retain_handling;
                ss.subscription_id = sub.subscription_id;
                s->subscriptions[sub.filter] = ss;
                changes.push_back(make_route_change(true, scoped_filter(r.tenant, sub.filter),
                                                    anchor->id,
                                                    route{anchor, ss.options, ss.subscription_id}));
            }
            stats.subscriptions.fetch_add(changes.size());
            stats.sessions.fetch_add(1);
            register_session(anchor);
            // Install on the owning worker, then the routes everywhere; wait
            // so no client connects before its session is back.
            std::promise<void> installed;
            session* raw = s.get();
            asio::post(workers_[w]->ctx(), [this, w, raw, s = std::move(s), &installed]() mutable {
                workers_[w]->sessions[raw->id()] = std::move(s);
                keep_detached(*workers_[w], *raw);
                installed.set_value();
            });
            installed.get_future().wait();
            std::promise<void> routed;
            update_routes(std::move(changes), w, [&routed] { routed.set_value(); });
            routed.get_future().wait();
            ++sessions_n;
        }
        if (page->next_cursor.empty()) break;
        cursor = page->next_cursor;
    }
    spdlog::info("mqtt: restored {} sessions and {} retained messages", sessions_n, retained_n);
    return {};
}

}  // namespace robust::mqtt
