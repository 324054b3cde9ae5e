#include "broker_impl.h"

#include <spdlog/spdlog.h>
#include <algorithm>
#include <asio/post.hpp>
#include <future>

#include "base/clock.h"
#include "base/errc.h"
#include "connection.h"
#include "kafka_inflow.h"
#include "kafka_records.h"
#include "message_record.h"
#include "net/tls.h"
#include "router/topic.h"
#include "session.h"
#include "tenant_scope.h"

namespace robust::mqtt {

broker_impl::broker_impl(broker_options o, net::io_pool& p, storage::journal& j,
                         meta::meta_store& m, auth::service& a)
    : opts(std::move(o)),
      pool(p),
      journal(j),
      meta(m),
      auth(a),
      started_ms(now_unix_ms()),
      bindings_(std::make_unique<binding_map>(m, j)),
      inflow_(std::make_unique<kafka_inflow>(*this)) {
    for (uint32_t i = 0; i < pool.size(); ++i) {
        workers_.push_back(std::make_unique<worker>(*this, i, pool.context(i)));
    }
    bindings_->on_change([this] { inflow_->sync(*bindings_->snapshot()); });
}

broker_impl::~broker_impl() {
    stop();
}

storage::durability broker_impl::durability_for(std::string_view topic) const {
    for (const auto& [filter, d] : opts.topic_durability) {
        if (router::topic_matches(filter, topic)) return d;
    }
    return opts.durability;
}

status broker_impl::start() {
    for (const auto& [filter, d] : opts.topic_durability) {
        if (!router::is_valid_topic_filter(filter)) {
            spdlog::error(
                "storage.topic_durability: \"{}\" is not a valid MQTT topic filter "
                "(use '+' and '#' as whole levels, '#' last)",
                filter);
            return errc::invalid_argument;
        }
    }
    for (int i = 0; i < std::max(1, opts.message_partitions); ++i) {
        auto id = journal.create_shard("$mqtt/messages/" + std::to_string(i));
        if (!id) {
            spdlog::error("mqtt: cannot create the message shards: {}", id.error().message());
            return id.error();
        }
        message_shards_.push_back(*id);
    }
    if (auto s = bindings_->start(); !s) {
        spdlog::error("mqtt: cannot load the topic bindings: {}", s.error().message());
        return s;
    }
    if (auto s = restore(); !s) return s;
    if (auto s = restore_topics(); !s) return s;
    // After the restore: records produced while the server was down go to
    // the persistent sessions' restored subscriptions.
    inflow_->start(*bindings_);
    if (auto s = open_listeners(); !s) return s;
    // About once a second; more often only for a connect timeout of a few
    // seconds or less, so that it is kept to within a quarter.
    const auto sweep_every = std::chrono::milliseconds(
        std::clamp<int64_t>(int64_t(opts.connect_timeout_ms) / 4, 10, 1000));
    for (auto& w : workers_) {
        asio::post(w->ctx(), [w = w.get(), sweep_every] { w->start_sweeps(sweep_every); });
    }
    if (opts.sys_interval_s > 0) schedule_sys();
    started_ = true;
    return {};
}

storage::shard_id broker_impl::message_shard(std::string_view topic) const {
    // One topic always lands in the same shard, so its messages stay in order.
    return message_shards_[std::hash<std::string_view>{}(topic) % message_shards_.size()];
}

bool broker_impl::is_message_shard(storage::shard_id s) const {
    return std::find(message_shards_.begin(), message_shards_.end(), s) != message_shards_.end();
}

message_ptr broker_impl::load_stored(const storage::index_pointer& ptr, std::string_view tenant,
                                     stored_batch_cache& cache) const {
    auto in_cache = [&]() -> message_ptr {
        for (const auto& [offset, m] : cache.messages) {
            if (offset == ptr.offset) return m;
        }
        return nullptr;
    };
    if (cache.shard == ptr.shard && cache.base_offset >= 0 && ptr.offset >= cache.base_offset &&
        !cache.messages.empty() && ptr.offset <= cache.messages.back().first) {
        return in_cache();
    }
    auto target = journal.read(ptr.shard, ptr.offset, 1, SIZE_MAX);
    if (!target || target->empty()) return nullptr;
    const storage::record& r = target->front();
    if (r.format == storage::record_format::kafka_batch) {
        // A record of a batch a Kafka client produced to a bound topic.
        auto bound = bindings_->by_shard(ptr.shard);
        if (!bound) return nullptr;
        auto expanded = messages_of_batch(r, bound->binding, r.offset);
        if (!expanded) return nullptr;
        cache.shard = ptr.shard;
        cache.base_offset = r.offset;
        cache.messages = std::move(*expanded);
        return in_cache();
    }
    if (r.offset != ptr.offset) return nullptr;
    auto msg = from_record(r);
    if (!msg) return nullptr;
    if (is_message_shard(ptr.shard)) return std::move(*msg);
    // An MQTT publish stored in a bound Kafka partition: keyed by the topic
    // as its publisher (a client of this tenant) named it.
    auto scoped = std::make_shared<message>(**msg);
    scoped->topic = scoped_topic(tenant, scoped->topic);
    return scoped;
}

status broker_impl::open_listeners() {
    using listener_kind = decltype(net::listener_options{}.kind);
    std::shared_ptr<asio::ssl::context> tls;
    const bool tls_wanted = opts.tls_port >= 0 || opts.wss_port >= 0;
    if (tls_wanted && !opts.tls.cert_file.empty()) {
        net::tls_options to;
        to.cert_file = opts.tls.cert_file;
        to.key_file = opts.tls.key_file;
        to.ca_file = opts.tls.ca_file;
        to.verify_peer = opts.tls.verify_peer;
        to.v1_3_only = opts.tls.min_version == config::tls_version::v1_3;
        auto ctx = net::make_tls_context(to);
        if (!ctx.ok()) {
            spdlog::error("mqtt: cannot open the TLS listeners: {}", ctx.error);
            return errc::invalid_argument;
        }
        tls = std::move(ctx.context);
    } else if (tls_wanted) {
        spdlog::info(
            "mqtt: TLS listeners (mqtt.tls_port, mqtt.wss_port) stay closed: set tls.cert_file "
            "and tls.key_file to open them");
    }
    auto open = [&](std::string name, int port, listener_kind kind) -> status {
        if (port < 0) return {};
        const bool secure = kind == listener_kind::tls || kind == listener_kind::wss;
        if (secure && !tls) return {};
        net::listener_options lo;
        lo.name = name;
        lo.bind = opts.bind;
        lo.port = port;
        lo.kind = kind;
        lo.max_connections = opts.max_connections;
        lo.ws_path = opts.ws_path;
        lo.handshake_timeout_ms = opts.connect_timeout_ms;
        lo.max_ws_frame = size_t(opts.max_packet_size) + 64 * 1024;
        if (secure) lo.tls = tls;
        auto l = net::listener::start(
            pool, lo, [this](std::unique_ptr<net::transport> t) { accept(std::move(t)); });
        if (!l) return l.error();
        // Tests and operators read the chosen port from this line.
        spdlog::info("listener {} bound to {}:{}", name, opts.bind, (*l)->port());
        listener_info_.push_back({name, opts.bind, (*l)->port()});
        listeners_.push_back(std::move(*l));
        return {};
    };
    if (auto s = open("mqtt-tcp", opts.tcp_port, listener_kind::tcp); !s) return s;
    if (auto s = open("mqtt-ws", opts.ws_port, listener_kind::websocket); !s) return s;
    if (auto s = open("mqtt-tls", opts.tls_port, listener_kind::tls); !s) return s;
    if (auto s = open("mqtt-wss", opts.wss_port, listener_kind::wss); !s) return s;
    return {};
}

void broker_impl::accept(std::unique_ptr<net::transport> t) {
    // Runs on the transport's own thread.
    worker& w = *workers_[t->thread_index()];
    if (stopping()) {
        t->close();
        return;
    }
    auto c = std::make_shared<connection>(w, std::move(t));
    w.connections.insert(c);
    c->start();
}

void broker_impl::stop() {
    if (stopping_.exchange(true)) return;
    if (topics_watch_) meta.unwatch(*topics_watch_);
    inflow_->stop();
    bindings_->stop();
    if (!started_) return;
    for (auto& l : listeners_) l->stop();
    if (sys_timer_) {
        asio::post(workers_[0]->ctx(), [this] { sys_timer_->cancel(); });
    }
    for (auto& w : workers_) {
        asio::post(w->ctx(), [w = w.get()] { w->stop_sweeps(); });
    }
    // Every worker disconnects its clients (MQTT 5: 0x8B server shutting
    // down) and reports back; sessions stay for the next start.
    std::vector<std::future<void>> done;
    for (auto& w : workers_) {
        auto p = std::make_shared<std::promise<void>>();
        done.push_back(p->get_future());
        asio::post(w->ctx(), [w = w.get(), p] {
            auto conns = w->connections;  // disconnect() may erase from the set
            for (auto& c : conns) c->disconnect(0x8B, "server shutting down");
            p->set_value();
        });
    }
    for (auto& f : done) f.wait();
    // Give the DISCONNECT packets a moment to be written, bounded.
    const int64_t deadline = now_unix_ms() + 2000;
    for (auto& w : workers_) {
        while (now_unix_ms() < deadline) {
            auto p = std::make_shared<std::promise<bool>>();
            auto f = p->get_future();
            asio::post(w->ctx(), [w = w.get(), p] { p->set_value(w->connections.empty()); });
            if (f.get()) break;
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
    }
    blocking.join();
}

void broker_impl::update_routes(std::vector<route_change> changes, uint32_t origin,
                                std::function<void()> done) {
    struct shared_state {
        std::vector<route_change> changes;
        std::atomic<size_t> left;
        std::function<void()> done;
    };
    auto st = std::make_shared<shared_state>();
    st->changes = std::move(changes);
    st->left = workers_.size();
    st->done = std::move(done);
    auto apply = [this, st, origin](worker& w) {
        for (const auto& c : st->changes) {
            if (c.add) {
                w.routes.add(c.filter, c.session_id, c.value, c.group);
            } else {
                w.routes.remove(c.filter, c.session_id, c.group);
            }
        }
        if (st->left.fetch_sub(1) == 1 && st->done) {
            asio::post(workers_[origin]->ctx(), std::move(st->done));
        }
    };
    // The calling worker's replica changes at once, so the connection's next
    // packet (a PUBLISH pipelined behind its SUBSCRIBE) already matches.
    const size_t here = pool.current_index();
    for (auto& w : workers_) {
        if (w->index() == here) {
            apply(*w);
        } else {
            asio::post(w->ctx(), [apply, w = w.get()] { apply(*w); });
        }
    }
}

std::shared_ptr<session_anchor> broker_impl::find_session(std::string_view tenant,
                                                          std::string_view client_id) {
    std::lock_guard lock(registry_mutex_);
    auto it = registry_.find(session_key(tenant, client_id));
    return it == registry_.end() ? nullptr : it->second;
}

void broker_impl::register_session(const std::shared_ptr<session_anchor>& a) {
    std::lock_guard lock(registry_mutex_);
    registry_[session_key(a->tenant, a->client_id)] = a;
}

void broker_impl::unregister_session(const std::shared_ptr<session_anchor>& a) {
    std::lock_guard lock(registry_mutex_);
    auto it = registry_.find(session_key(a->tenant, a->client_id));
    if (it != registry_.end() && it->second == a) registry_.erase(it);
}

void broker_impl::hand_over(std::shared_ptr<session_anchor> old, bool clean_start, uint32_t to,
                            std::function<void(std::unique_ptr<session>)> reply) {
    const uint32_t from = old->thread.load();
    asio::post(
        workers_[from]->ctx(), [this, old, clean_start, to, reply = std::move(reply)]() mutable {
            worker& w = *workers_[pool.current_index()];
            auto it = w.sessions.find(old->id);
            if (it == w.sessions.end()) {
                if (old->thread.load() != w.index() && !old->ended.load()) {
                    // Moved meanwhile (another takeover): follow it.
                    hand_over(old, clean_start, to, std::move(reply));
                    return;
                }
                asio::post(workers_[to]->ctx(), [reply = std::move(reply)] { reply(nullptr); });
                return;
            }
            session& s = *it->second;
            if (s.conn()) s.conn()->kick_for_takeover();
            if (clean_start) {
                end_session(w, old->id);
                asio::post(workers_[to]->ctx(), [reply = std::move(reply)] { reply(nullptr); });
                return;
            }
            std::unique_ptr<session> moved = std::move(it->second);
            w.sessions.erase(it);
            moved->expiry_timer.reset();
            moved->will_timer.reset();
            old->thread.store(to, std::memory_order_release);
            asio::post(workers_[to]->ctx(),
                       [reply = std::move(reply), moved = std::move(moved)]() mutable {
                           reply(std::move(moved));
                       });
        });
}

void broker_impl::keep_detached(worker& w, session& s) {
    if (s.expiry_interval_s == UINT32_MAX) return;  // never expires
    s.expiry_timer = std::make_unique<asio::steady_timer>(w.ctx());
    s.expiry_timer->expires_after(std::chrono::seconds(s.expiry_interval_s));
    const uint64_t sid = s.id();
    s.expiry_timer->async_wait([this, &w, sid](std::error_code ec) {
        if (ec) return;
        auto it = w.sessions.find(sid);
        if (it == w.sessions.end() || it->second->conn()) return;
        spdlog::debug("mqtt: session {} expired", it->second->client_id());
        end_session(w, sid);
    });
}

void broker_impl::end_session(worker& w, uint64_t session_id) {
    auto it = w.sessions.find(session_id);
    if (it == w.sessions.end()) return;
    std::unique_ptr<session> s = std::move(it->second);
    w.sessions.erase(it);
    auto anchor = s->anchor();
    anchor->ended.store(true);
    // A will waiting for its delay goes out when the session ends [MQTT-3.1.3-9].
    if (s->pending_will) w.publish_internal(s->pending_will);
    // Shared-subscription messages it held go to another member (as EMQX).
    w.redispatch_shared(s->take_shared_undelivered());
    std::vector<route_change> changes;
    for (const auto& [filter, sub] : s->subscriptions) {
        changes.push_back(
            make_route_change(false, scoped_filter(anchor->tenant, filter), session_id));
    }
    stats.subscriptions.fetch_sub(changes.size(), std::memory_order_relaxed);
    stats.sessions.fetch_sub(1, std::memory_order_relaxed);
    if (!changes.empty()) update_routes(std::move(changes), w.index(), {});
    unregister_session(anchor);
    if (anchor->persistent.load() || anchor->inbox.load() != 0) {
        forget_session(*s);
    }
}

std::vector<listener_info> broker_impl::listeners() const {
    return listener_info_;
}

route_change make_route_change(bool add, std::string_view filter_as_sent, uint64_t session_id,
                               route value) {
    route_change c;
    c.add = add;
    std::string_view f = filter_as_sent;
    if (auto shared = router::parse_shared(f)) {
        c.group = std::string(shared->group);
        f = shared->filter;
    }
    c.filter = std::string(f);
    c.session_id = session_id;
    c.value = std::move(value);
    return c;
}

}  // namespace robust::mqtt
