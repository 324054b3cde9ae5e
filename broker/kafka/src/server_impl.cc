#include "server_impl.h"

#include <spdlog/spdlog.h>

#include <asio/post.hpp>

#include "group_service.h"
#include "handlers/handlers.h"
#include "kafka/codec/messages/api_versions.h"
#include "meta/model.h"
#include "net/io_pool.h"
#include "net/tls.h"

namespace robust::kafka {

server_impl::server_impl(server_options opts, net::io_pool& pool, storage::journal& journal,
                         meta::meta_store& meta, auth::service& auth)
    : opts_(std::move(opts)),
      pool_(pool),
      journal_(journal),
      meta_(meta),
      auth_(auth),
      catalog_(meta, journal),
      groups_(std::make_unique<group_service>(*this)),
      cluster_id_("robustmq-node-" + std::to_string(opts_.node_id)) {}

server_impl::~server_impl() {
    stop();
}

status server_impl::start() {
    if (auto s = catalog_.start(); !s) {
        spdlog::error("kafka: cannot load the topics: {}", s.error().message());
        return s;
    }
    hook_->target = this;
    journal_.add_append_observer([hook = hook_](std::span<const storage::shard_progress> p) {
        std::lock_guard lock(hook->mu);
        if (hook->target) hook->target->on_appended(p);
    });
    if (auto s = groups_->start(); !s) return s;

    using listener_kind = decltype(net::listener_options{}.kind);
    std::shared_ptr<asio::ssl::context> tls;
    if (opts_.tls_port >= 0 && !opts_.tls.cert_file.empty()) {
        net::tls_options to;
        to.cert_file = opts_.tls.cert_file;
        to.key_file = opts_.tls.key_file;
        to.ca_file = opts_.tls.ca_file;
        to.verify_peer = opts_.tls.verify_peer;
        to.v1_3_only = opts_.tls.min_version == config::tls_version::v1_3;
        auto ctx = net::make_tls_context(to);
        if (!ctx.ok()) {
            spdlog::error("kafka: cannot open the TLS listener: {}", ctx.error);
            return errc::invalid_argument;
        }
        tls = ctx.context;
    }
    auto open = [&](const std::string& name, int port, listener_kind kind) -> status {
        if (port < 0) return {};
        const bool secure = kind == listener_kind::tls;
        if (secure && !tls) return {};
        net::listener_options lo;
        lo.name = name;
        lo.bind = opts_.bind;
        lo.port = port;
        lo.kind = kind;
        lo.max_connections = opts_.max_connections;
        if (secure) lo.tls = tls;
        auto l = net::listener::start(
            pool_, lo, [this](std::unique_ptr<net::transport> t) { accept(std::move(t)); });
        if (!l) return l.error();
        // Tests and operators read the chosen port from this line.
        spdlog::info("listener {} bound to {}:{}", name, opts_.bind, (*l)->port());
        listener_info_.push_back({name, opts_.bind, (*l)->port()});
        listeners_.push_back(std::move(*l));
        return {};
    };
    if (auto s = open("kafka", opts_.port, listener_kind::tcp); !s) return s;
    if (auto s = open("kafka-tls", opts_.tls_port, listener_kind::tls); !s) return s;
    return {};
}

void server_impl::stop() {
    {
        std::lock_guard lock(conn_mu_);
        if (stopping_) return;
        stopping_ = true;
    }
    for (auto& l : listeners_) l->stop();
    groups_->stop();
    std::vector<std::shared_ptr<connection>> open;
    {
        std::lock_guard lock(conn_mu_);
        for (auto& [_, w] : connections_) {
            if (auto c = w.lock()) open.push_back(std::move(c));
        }
    }
    for (auto& c : open) {
        asio::post(c->context(), [c] { c->close("server stopping"); });
    }
    blocking_.join();
    {
        std::lock_guard lock(hook_->mu);
        hook_->target = nullptr;
    }
    catalog_.stop();
}

std::vector<listener_info> server_impl::listeners() const {
    return listener_info_;
}

void server_impl::accept(std::unique_ptr<net::transport> t) {
    auto c = std::make_shared<connection>(*this, std::move(t));
    {
        std::lock_guard lock(conn_mu_);
        if (stopping_) return;
        connections_[c.get()] = c;
    }
    c->start();
}

void server_impl::forget(connection* c) {
    std::lock_guard lock(conn_mu_);
    connections_.erase(c);
}

void server_impl::run_blocking(std::function<void()> work) {
    asio::post(blocking_, std::move(work));
}

void server_impl::when_data(storage::shard_id id, int64_t offset,
                            std::shared_ptr<const std::atomic<bool>> armed,
                            std::function<void()> wake) {
    {
        std::lock_guard lock(wait_mu_);
        auto next = journal_.next_offset(id);
        if (next && *next <= offset) {
            auto& list = waiters_[id.value()];
            // Long polls that timed out leave their entries behind; an idle
            // shard polled forever must not collect them.
            std::erase_if(list, [](const waiter& w) { return !w.armed->load(); });
            list.push_back(waiter{offset, std::move(armed), std::move(wake)});
            return;
        }
    }
    wake();  // data is there already (or the shard is gone)
}

void server_impl::on_appended(std::span<const storage::shard_progress> progress) {
    std::vector<std::function<void()>> ready;
    {
        std::lock_guard lock(wait_mu_);
        if (waiters_.empty()) return;
        for (const auto& p : progress) {
            auto it = waiters_.find(p.shard.value());
            if (it == waiters_.end()) continue;
            auto& list = it->second;
            for (auto w = list.begin(); w != list.end();) {
                if (w->offset < p.next_offset) {
                    ready.push_back(std::move(w->wake));
                    w = list.erase(w);
                } else {
                    ++w;
                }
            }
            if (list.empty()) waiters_.erase(it);
        }
    }
    for (auto& w : ready) w();
}

server_impl::advertised server_impl::self(const connection& conn) const {
    advertised a;
    a.node_id = static_cast<int32_t>(opts_.node_id);
    a.host = opts_.advertised_host.empty() ? conn.local_host() : opts_.advertised_host;
    a.port = conn.local_port();
    return a;
}

void reject_malformed(const request& r, std::error_code ec) {
    spdlog::info("kafka: {} sent a malformed {} v{} request ({}); closing the connection",
                 r.conn().peer(), codec::api_name(r.header().api_key), r.version(), ec.message());
    auto c = r.conn_ptr();
    asio::post(c->context(), [c] { c->close("malformed request"); });
}

bool server_impl::authorized(const request& req) {
    connection& c = req.conn();
    const auto key = static_cast<codec::api_key>(req.header().api_key);
    if (c.sasl().authenticated || key == codec::api_key::api_versions ||
        key == codec::api_key::sasl_handshake || key == codec::api_key::sasl_authenticate) {
        return true;
    }
    if (!c.anonymous_allowed()) {
        // Without a password this only reads the in-memory policy and
        // blacklist: cheap enough for the I/O thread.
        auth::credentials cred;
        cred.client_id = req.header().client_id.value_or("");
        cred.peer_ip = c.identity().peer_ip;
        auto a = auth_.authenticate(cred);
        c.anonymous_allowed() = a.who.has_value();
        if (a.who) {
            c.set_identity(*a.who);
        } else {
            spdlog::info(
                "kafka: {} sent {} without SASL authentication and anonymous access is not "
                "allowed from there ({}); closing the connection",
                c.peer(), codec::api_name(req.header().api_key), a.reason);
        }
    }
    if (*c.anonymous_allowed()) return true;
    auto conn = req.conn_ptr();
    asio::post(conn->context(), [conn] { conn->close("not authenticated"); });
    return false;
}

void server_impl::count_error(int16_t api, codec::error_code e) {
    if (e == codec::error_code::none) return;
    std::lock_guard lock(errors_mu_);
    ++errors_[{api, static_cast<int16_t>(e)}];
}

metrics::kafka_sample server_impl::metrics_sample() {
    metrics::kafka_sample out;
    std::map<std::string, uint64_t> live;
    {
        std::lock_guard lock(conn_mu_);
        for (const auto& [c, w] : connections_) {
            if (auto conn = w.lock()) ++live[conn->listener()];
        }
    }
    for (const auto& l : listener_info_) live.try_emplace(l.name, 0);
    out.connections_by_listener.assign(live.begin(), live.end());
    for (const auto& a : codec::supported_apis()) {
        const auto key = static_cast<size_t>(a.key);
        if (key < requests_.size()) {
            out.requests.emplace_back(std::string(a.name),
                                      requests_[key].load(std::memory_order_relaxed));
        }
    }
    {
        std::lock_guard lock(errors_mu_);
        for (const auto& [k, n] : errors_) {
            out.errors.push_back(
                {std::string(codec::api_name(k.first)),
                 std::string(codec::name(static_cast<codec::error_code>(k.second))), n});
        }
    }
    out.produce_bytes = produce_bytes_.load(std::memory_order_relaxed);
    out.produce_records = produce_records_.load(std::memory_order_relaxed);
    out.fetch_bytes = fetch_bytes_.load(std::memory_order_relaxed);
    const auto stats =
        groups_->with([](groups::group_coordinator& c, int64_t) { return c.stats(); });
    out.rebalances = stats.rebalances_completed;
    out.group_members = stats.members;
    for (size_t st = 0; st < stats.groups_by_state.size(); ++st) {
        const auto state = static_cast<groups::group_state>(st);
        if (state == groups::group_state::dead) continue;
        out.groups_by_state.emplace_back(std::string(groups::to_string(state)),
                                         stats.groups_by_state[st]);
    }
    // Lag: committed positions of Kafka groups ("kafka/<tenant>/<group>")
    // against their partitions' next offsets; both are in memory.
    std::map<std::pair<std::string, std::string>, int64_t> lags;
    for (const auto& p : journal_.list_positions("kafka/")) {
        const std::string_view rest = std::string_view(p.group).substr(6);
        const auto slash = rest.find('/');
        if (slash == std::string_view::npos) continue;
        auto tenant = meta::unescape_key_part(rest.substr(0, slash));
        auto next = journal_.next_offset(p.shard);
        if (!tenant || !next) continue;
        lags[{*tenant, std::string(rest.substr(slash + 1))}] +=
            std::max<int64_t>(0, *next - p.next_offset);
    }
    for (const auto& [k, lag] : lags) out.lags.push_back({k.first, k.second, lag});
    return out;
}

void server_impl::handle(request req) {
    const auto& h = req.header();
    if (h.api_key >= 0 && static_cast<size_t>(h.api_key) < requests_.size()) {
        requests_[static_cast<size_t>(h.api_key)].fetch_add(1, std::memory_order_relaxed);
    }
    const codec::api_support* api = codec::find_api(h.api_key);
    const bool supported = api && api->supports(h.api_version);
    if (!supported) {
        if (h.api_key == static_cast<int16_t>(codec::api_key::api_versions)) {
            // KIP-511: an ApiVersions version we do not know gets a v0 body
            // with UNSUPPORTED_VERSION and our ranges, so the client retries
            // with one we do.
            auto framed = codec::encode_api_versions_fallback_response(h.correlation_id);
            req.respond_raw(std::move(framed));
            return;
        }
        // No response layout exists for an API or version we do not know:
        // answer with the error code right after the header, which is where
        // most responses keep theirs, log, and keep the connection.
        spdlog::debug("kafka: {} sent {} v{}, which is not supported", req.conn().peer(),
                      codec::api_name(h.api_key), h.api_version);
        req.respond([](codec::writer& w) {
            w.i16(static_cast<int16_t>(codec::error_code::unsupported_version));
        });
        return;
    }
    if (!authorized(req)) return;
    switch (api->key) {
        case codec::api_key::api_versions:
            return handle_api_versions(*this, req);
        case codec::api_key::metadata:
            return handle_metadata(*this, req);
        case codec::api_key::produce:
            return handle_produce(*this, req);
        case codec::api_key::fetch:
            return handle_fetch(*this, req);
        case codec::api_key::list_offsets:
            return handle_list_offsets(*this, req);
        case codec::api_key::init_producer_id:
            return handle_init_producer_id(*this, req);
        case codec::api_key::create_topics:
            return handle_create_topics(*this, req);
        case codec::api_key::delete_topics:
            return handle_delete_topics(*this, req);
        case codec::api_key::create_partitions:
            return handle_create_partitions(*this, req);
        case codec::api_key::delete_records:
            return handle_delete_records(*this, req);
        case codec::api_key::describe_configs:
            return handle_describe_configs(*this, req);
        case codec::api_key::find_coordinator:
            return handle_find_coordinator(*this, req);
        case codec::api_key::join_group:
            return handle_join_group(*this, req);
        case codec::api_key::sync_group:
            return handle_sync_group(*this, req);
        case codec::api_key::heartbeat:
            return handle_heartbeat(*this, req);
        case codec::api_key::leave_group:
            return handle_leave_group(*this, req);
        case codec::api_key::offset_commit:
            return handle_offset_commit(*this, req);
        case codec::api_key::offset_fetch:
            return handle_offset_fetch(*this, req);
        case codec::api_key::describe_groups:
            return handle_describe_groups(*this, req);
        case codec::api_key::list_groups:
            return handle_list_groups(*this, req);
        case codec::api_key::delete_groups:
            return handle_delete_groups(*this, req);
        case codec::api_key::sasl_handshake:
            return handle_sasl_handshake(*this, req);
        case codec::api_key::sasl_authenticate:
            return handle_sasl_authenticate(*this, req);
    }
}

}  // namespace robust::kafka
