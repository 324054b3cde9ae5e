// What the admin API asks of the MQTT broker (mqtt/broker.h,
// "administration"): snapshots gathered from the worker threads, kicks, and
// publishing as the server. Every call runs its work on the worker threads
// by message passing and blocks the (admin) caller until they answered.

#include <spdlog/spdlog.h>
#include <algorithm>
#include <asio/post.hpp>
#include <chrono>
#include <future>

#include "base/clock.h"
#include "base/errc.h"
#include "broker_impl.h"
#include "connection.h"
#include "mqtt/broker.h"
#include "router/topic.h"
#include "session.h"
#include "tenant_scope.h"

namespace robust::mqtt {

namespace {

// A worker that does not answer within this is stopping (its context no
// longer runs handlers): the caller gets "nothing" instead of hanging.
constexpr auto worker_answer_timeout = std::chrono::seconds(5);

/// Runs fn() on worker w's thread and waits for its result.
template <class Fn>
auto run_on(worker& w, Fn fn) -> std::optional<decltype(fn())> {
    using result_type = decltype(fn());
    auto p = std::make_shared<std::promise<result_type>>();
    auto f = p->get_future();
    asio::post(w.ctx(), [p, fn = std::move(fn)]() mutable { p->set_value(fn()); });
    if (f.wait_for(worker_answer_timeout) != std::future_status::ready) return std::nullopt;
    return f.get();
}

/// Runs fn(worker&) on every worker (concurrently) and concatenates the
/// vectors they return.
template <class T, class Fn>
std::vector<T> gather(broker_impl& b, Fn fn) {
    std::vector<std::future<std::vector<T>>> parts;
    for (uint32_t i = 0; i < b.pool.size(); ++i) {
        worker& w = b.worker_at(i);
        auto p = std::make_shared<std::promise<std::vector<T>>>();
        parts.push_back(p->get_future());
        asio::post(w.ctx(), [p, &w, fn] { p->set_value(fn(w)); });
    }
    std::vector<T> out;
    for (auto& f : parts) {
        if (f.wait_for(worker_answer_timeout) != std::future_status::ready) continue;
        auto v = f.get();
        std::move(v.begin(), v.end(), std::back_inserter(out));
    }
    return out;
}

bool tenant_matches(std::string_view wanted, std::string_view tenant) {
    return wanted.empty() || wanted == tenant;
}

session_info info_of(const session& s) {
    session_info i;
    i.tenant = s.anchor()->tenant;
    i.client_id = s.client_id();
    i.connected = s.conn() != nullptr && s.conn()->connected();
    i.persistent = s.anchor()->persistent.load(std::memory_order_relaxed);
    i.protocol_version = s.protocol_version;
    i.expiry_interval_s = s.expiry_interval_s;
    i.created_ms = s.created_ms;
    i.disconnected_at_ms = s.disconnected_at_ms;
    i.subscriptions = static_cast<uint32_t>(s.subscriptions.size());
    i.inflight = static_cast<uint32_t>(s.inflight_count());
    i.queued = s.queued_count();
    return i;
}

/// The session of (tenant, client id) on its worker's thread, or nullptr.
session* find_local(worker& w, const session_anchor& a) {
    auto it = w.sessions.find(a.id);
    return it == w.sessions.end() ? nullptr : it->second.get();
}

retained_info retained_of(const message& m) {
    retained_info r;
    const auto [tenant, topic] = split_scoped(m.topic);
    r.tenant = tenant;
    r.topic = topic;
    r.payload = std::string(m.payload.view());
    r.qos = static_cast<uint8_t>(m.qos);
    r.stored_ms = m.timestamp_ms;
    if (m.expiry_at_ms != 0) {
        r.message_expiry_s =
            static_cast<uint32_t>(std::max<int64_t>(0, (m.expiry_at_ms - now_unix_ms()) / 1000));
    }
    return r;
}

template <class T>
void sort_by_client(std::vector<T>& v) {
    std::sort(v.begin(), v.end(), [](const T& a, const T& b) {
        return std::tie(a.tenant, a.client_id) < std::tie(b.tenant, b.client_id);
    });
}

}  // namespace

std::vector<client_info> broker::clients(std::string_view tenant) const {
    const std::string wanted(tenant);
    auto out = gather<client_info>(*impl_, [wanted](worker& w) {
        std::vector<client_info> v;
        for (const auto& c : w.connections) {
            if (c->connected() && tenant_matches(wanted, c->identity().tenant)) {
                v.push_back(c->info());
            }
        }
        return v;
    });
    sort_by_client(out);
    return out;
}

std::optional<client_info> broker::client(std::string_view tenant,
                                          std::string_view client_id) const {
    auto anchor = impl_->find_session(tenant, client_id);
    if (!anchor) return std::nullopt;
    worker& w = impl_->worker_at(anchor->thread.load());
    auto r = run_on(w, [&w, anchor]() -> std::optional<client_info> {
        session* s = find_local(w, *anchor);
        if (!s || !s->conn() || !s->conn()->connected()) return std::nullopt;
        return s->conn()->info();
    });
    return r ? *r : std::nullopt;
}

bool broker::kick(std::string_view tenant, std::string_view client_id) {
    auto anchor = impl_->find_session(tenant, client_id);
    if (!anchor) return false;
    worker& w = impl_->worker_at(anchor->thread.load());
    auto r = run_on(w, [&w, anchor] {
        session* s = find_local(w, *anchor);
        if (!s || !s->conn() || !s->conn()->connected()) return false;
        s->conn()->kick(false);
        return true;
    });
    if (r.value_or(false)) {
        spdlog::info("mqtt: client {} of tenant {} kicked by an administrator", client_id, tenant);
    }
    return r.value_or(false);
}

std::vector<session_info> broker::sessions(std::string_view tenant) const {
    const std::string wanted(tenant);
    auto out = gather<session_info>(*impl_, [wanted](worker& w) {
        std::vector<session_info> v;
        for (const auto& [id, s] : w.sessions) {
            if (tenant_matches(wanted, s->anchor()->tenant)) v.push_back(info_of(*s));
        }
        return v;
    });
    sort_by_client(out);
    return out;
}

std::optional<session_info> broker::session_of(std::string_view tenant,
                                               std::string_view client_id) const {
    auto anchor = impl_->find_session(tenant, client_id);
    if (!anchor) return std::nullopt;
    worker& w = impl_->worker_at(anchor->thread.load());
    auto r = run_on(w, [&w, anchor]() -> std::optional<session_info> {
        session* s = find_local(w, *anchor);
        if (!s) return std::nullopt;
        return info_of(*s);
    });
    return r ? *r : std::nullopt;
}

bool broker::delete_session(std::string_view tenant, std::string_view client_id) {
    auto anchor = impl_->find_session(tenant, client_id);
    if (!anchor) return false;
    worker& w = impl_->worker_at(anchor->thread.load());
    broker_impl* b = impl_.get();
    auto r = run_on(w, [&w, anchor, b] {
        session* s = find_local(w, *anchor);
        if (!s) return false;
        if (s->conn() && s->conn()->connected()) {
            // The connection ends the session when it closes.
            s->conn()->kick(true);
        } else {
            b->end_session(w, anchor->id);
        }
        return true;
    });
    if (r.value_or(false)) {
        spdlog::info("mqtt: session {} of tenant {} deleted by an administrator", client_id,
                     tenant);
    }
    return r.value_or(false);
}

std::vector<subscription_info> broker::subscriptions(std::string_view tenant,
                                                     std::string_view client_id) const {
    const std::string wanted(tenant);
    const std::string client(client_id);
    auto out = gather<subscription_info>(*impl_, [wanted, client](worker& w) {
        std::vector<subscription_info> v;
        for (const auto& [id, s] : w.sessions) {
            if (!tenant_matches(wanted, s->anchor()->tenant)) continue;
            if (!client.empty() && s->client_id() != client) continue;
            for (const auto& [filter, sub] : s->subscriptions) {
                subscription_info i;
                i.tenant = s->anchor()->tenant;
                i.client_id = s->client_id();
                i.filter = filter;
                i.qos = static_cast<uint8_t>(sub.options.max_qos);
                i.no_local = sub.options.no_local;
                i.retain_as_published = sub.options.retain_as_published;
                i.retain_handling = sub.options.retain_handling;
                i.subscription_id = sub.subscription_id;
                v.push_back(std::move(i));
            }
        }
        return v;
    });
    std::sort(out.begin(), out.end(), [](const subscription_info& a, const subscription_info& b) {
        return std::tie(a.tenant, a.client_id, a.filter) <
               std::tie(b.tenant, b.client_id, b.filter);
    });
    return out;
}

std::vector<retained_info> broker::retained(std::string_view tenant,
                                            std::string_view filter) const {
    const std::string f = filter.empty() ? std::string("#") : std::string(filter);
    std::vector<message_ptr> found;
    if (!router::is_valid_topic_filter(f)) return {};
    if (tenant.empty()) {
        found = impl_->retained_matching(f);
        // Every other tenant's retained messages, under their prefix.
        auto more = impl_->retained_matching(std::string(tenant_prefix) + "+/" + f);
        std::move(more.begin(), more.end(), std::back_inserter(found));
    } else {
        found = impl_->retained_matching(scoped_topic(tenant, f));
    }
    const int64_t now = now_unix_ms();
    std::vector<retained_info> out;
    out.reserve(found.size());
    for (const auto& m : found) {
        if (!expired(*m, now)) out.push_back(retained_of(*m));
    }
    std::sort(out.begin(), out.end(), [](const retained_info& a, const retained_info& b) {
        return std::tie(a.tenant, a.topic) < std::tie(b.tenant, b.topic);
    });
    return out;
}

std::optional<retained_info> broker::retained_message(std::string_view tenant,
                                                      std::string_view topic) const {
    if (!router::is_valid_topic_name(topic)) return std::nullopt;
    const message_ptr m = impl_->retained_at(scoped_topic(tenant, topic));
    if (!m || expired(*m, now_unix_ms())) return std::nullopt;
    return retained_of(*m);
}

std::optional<message_location> broker::message_location_of(std::string_view tenant,
                                                            std::string_view topic) const {
    if (!router::is_valid_topic_name(topic) || !impl_->has_message_shards()) return std::nullopt;
    std::string key = scoped_topic(tenant, topic);
    return message_location{impl_->message_shard(key), std::move(key)};
}

bool broker::delete_retained(std::string_view tenant, std::string_view topic) {
    if (!retained_message(tenant, topic)) return false;
    publish_request r;
    r.tenant = std::string(tenant);
    r.topic = std::string(topic);
    r.retain = true;  // an empty retained payload clears [MQTT-3.3.1-6]
    r.qos = 1;        // and waits until the removal is durable
    return publish(r).has_value();
}

status broker::publish(const publish_request& r) {
    if (!router::is_valid_topic_name(r.topic) || is_reserved_topic(r.topic)) {
        return errc::invalid_argument;
    }
    if (r.qos > 2) return errc::invalid_argument;
    if (r.payload.size() > impl_->opts.max_packet_size) return errc::too_large;
    if (impl_->stopping()) return errc::shutting_down;
    auto m = std::make_shared<message>();
    m->topic = scoped_topic(r.tenant.empty() ? auth::default_tenant : r.tenant, r.topic);
    m->payload = shared_buffer(r.payload);
    m->qos = static_cast<qos_level>(r.qos);
    m->retain = r.retain;
    m->timestamp_ms = now_unix_ms();
    for (const auto& [k, v] : r.user_properties) m->props.user_properties.push_back({k, v});
    if (!r.content_type.empty()) m->props.content_type = r.content_type;

    worker& w = impl_->worker_at(static_cast<uint32_t>(impl_->pool.pick()));
    auto done = std::make_shared<std::promise<std::error_code>>();
    auto f = done->get_future();
    asio::post(w.ctx(), [&w, m = message_ptr(std::move(m)), done] {
        auto p = std::make_shared<prepared_publish>();
        p->msg = m;
        w.prepare(*p, 0);
        w.persist(p, [&w, p, done] {
            if (!p->error) w.dispatch(*p);
            done->set_value(p->error);
        });
    });
    if (f.wait_for(worker_answer_timeout) != std::future_status::ready) return errc::timeout;
    const std::error_code ec = f.get();
    if (ec) return ec;
    return {};
}

}  // namespace robust::mqtt
