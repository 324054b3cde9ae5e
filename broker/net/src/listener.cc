#include "net/listener.h"

#include <pthread.h>
#include <spdlog/spdlog.h>

#include <asio/error.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>

#include <chrono>
#include <exception>
#include <mutex>
#include <shared_mutex>
#include <thread>
#include <utility>

#include "base/errc.h"
#include "connection_slot.h"
#include "pending_connection.h"
#include "tcp_transport.h"
#include "tls_transport.h"
#include "ws_transport.h"

namespace robust::net {
namespace {

using std::chrono::steady_clock;
constexpr auto accept_retry_delay = std::chrono::milliseconds(100);
constexpr auto reject_log_interval = std::chrono::seconds(1);

using listener_kind = enum listener_options::kind;

// At most this many failed TLS handshakes per second and listener are
// logged at info level; the rest at debug.
constexpr uint32_t tls_failure_log_per_second = 10;

std::string_view kind_name(listener_kind k) {
    switch (k) {
        case listener_kind::tcp:
            return "tcp";
        case listener_kind::websocket:
            return "websocket";
        case listener_kind::tls:
            return "tls";
        case listener_kind::wss:
            return "wss";
    }
    return "?";
}

bool is_websocket(listener_kind k) {
    return k == listener_kind::websocket || k == listener_kind::wss;
}

bool is_tls(listener_kind k) {
    return k == listener_kind::tls || k == listener_kind::wss;
}

// What a connection needs on its pool thread after accept. Shared with the
// tasks posted there, so it outlives the listener if they do.
struct handoff {
    handoff(io_pool& p, std::shared_ptr<const listener_options> o, listener::accept_handler a)
        : pool(p), options(std::move(o)), on_accept(std::move(a)) {}

    io_pool& pool;
    std::shared_ptr<const listener_options> options;
    listener::accept_handler on_accept;
    std::shared_ptr<std::atomic<size_t>> live = std::make_shared<std::atomic<size_t>>(0);
    std::shared_ptr<detail::log_budget> failure_log =
        std::make_shared<detail::log_budget>(tls_failure_log_per_second);
    // Shared by on_accept calls, exclusive for stop(): once stop() has
    // returned, on_accept is never called again (see listener.h).
    std::shared_mutex mu;
    bool stopped = false;

    // On the connection's pool thread.
    void deliver(size_t index, asio::ip::tcp::socket socket, detail::connection_slot slot,
                 const std::shared_ptr<handoff>& self) {
        std::error_code ec;
        const auto peer = socket.remote_endpoint(ec);
        if (ec) return;  // already gone; the slot is released with it
        std::string remote = detail::format_endpoint(peer);
        const auto here = socket.local_endpoint(ec);
        if (ec) return;
        std::string local = detail::format_endpoint(here);
        auto& ctx = pool.context(index);
        if (options->kind == listener_kind::tcp) {
            auto t = std::make_unique<detail::tcp_transport>(std::move(socket), ctx, index,
                                                             std::move(remote), std::move(slot));
            t->set_local_endpoint(std::move(local));
            call_on_accept(std::move(t));
            return;
        }
        detail::pending_connection pc;
        pc.ctx = &ctx;
        pc.thread_index = index;
        pc.remote = std::move(remote);
        pc.options = options;
        pc.slot = std::move(slot);
        pc.deadline =
            steady_clock::now() + std::chrono::milliseconds(options->handshake_timeout_ms);
        pc.failure_log = failure_log;
        pc.done = [self, local = std::move(local)](std::unique_ptr<transport> t) {
            t->set_local_endpoint(local);
            self->call_on_accept(std::move(t));
        };
        if (is_tls(options->kind)) {
            detail::start_tls_handshake(std::move(socket), std::move(pc));
        } else {
            detail::start_ws_handshake(std::move(socket), std::move(pc));
        }
    }

    void call_on_accept(std::unique_ptr<transport> t) {
        std::shared_lock lock(mu);
        if (stopped) return;  // destroying t closes the connection
        const std::string remote = t->remote_endpoint();
        try {
            on_accept(std::move(t));
        } catch (const std::exception& e) {
            spdlog::error("listener {}: accept handler failed for {}: {}", options->name, remote,
                          e.what());
        }
    }
};

}  // namespace

// The accepting side: its own io_context and thread, so stopping a listener
// never depends on the pool's threads running.
struct listener::state {
    std::shared_ptr<handoff> h;
    std::string address;  // "ip:port" as bound, for logs
    asio::io_context ctx{1};
    asio::ip::tcp::acceptor acceptor{ctx};
    asio::steady_timer retry_timer{ctx};
    std::thread thread;
    std::mutex stop_mu;
    bool stopped = false;
    // Accept thread only: throttles the "connection limit reached" warning.
    steady_clock::time_point last_reject_log{};
    size_t rejected_since_log = 0;

    void accept_next() {
        const size_t index = h->pool.pick();
        // The new socket is created on the chosen pool context, not ours.
        using pool_socket =
            asio::ip::tcp::socket::rebind_executor<asio::io_context::executor_type>::other;
        acceptor.async_accept(h->pool.context(index),
                              [this, index](std::error_code ec, pool_socket socket) {
                                  on_accepted(ec, asio::ip::tcp::socket(std::move(socket)), index);
                              });
    }

    void on_accepted(std::error_code ec, asio::ip::tcp::socket socket, size_t index) {
        if (!acceptor.is_open()) return;  // stop() closed it
        if (ec) {
            // Typically EMFILE/ENFILE: the connection waits in the backlog.
            // Retry after a pause rather than spinning on the error.
            spdlog::error("listener {}: accept on {} failed: {}", h->options->name, address,
                          ec.message());
            retry_timer.expires_after(accept_retry_delay);
            retry_timer.async_wait([this](std::error_code wait_ec) {
                if (!wait_ec && acceptor.is_open()) accept_next();
            });
            return;
        }
        if (h->live->load(std::memory_order_acquire) >= h->options->max_connections) {
            std::error_code ignored;
            socket.close(ignored);
            ++rejected_since_log;
            const auto now = steady_clock::now();
            if (now - last_reject_log >= reject_log_interval) {
                spdlog::warn("listener {}: {} connections reached; closed {} new connection(s)",
                             h->options->name, h->options->max_connections, rejected_since_log);
                last_reject_log = now;
                rejected_since_log = 0;
            }
            accept_next();
            return;
        }
        h->live->fetch_add(1, std::memory_order_acq_rel);
        detail::connection_slot slot(h->live);
        std::error_code ignored;
        socket.set_option(asio::ip::tcp::no_delay(true), ignored);
        asio::post(h->pool.context(index),
                   [h = h, index, socket = std::move(socket), slot = std::move(slot)]() mutable {
                       h->deliver(index, std::move(socket), std::move(slot), h);
                   });
        accept_next();
    }

    void run() {
        const std::string name = "acc-" + h->options->name;
        pthread_setname_np(pthread_self(), name.substr(0, 15).c_str());
        for (;;) {
            try {
                ctx.run();
                return;
            } catch (const std::exception& e) {
                spdlog::error("listener {}: accept loop threw: {}", h->options->name, e.what());
            }
        }
    }

    void stop() {
        std::lock_guard guard(stop_mu);
        if (stopped) return;
        stopped = true;
        {
            std::unique_lock lock(h->mu);
            h->stopped = true;
        }
        asio::post(ctx, [this] {
            std::error_code ignored;
            acceptor.close(ignored);
            retry_timer.cancel();
        });
        // With the acceptor closed the context runs out of work and the
        // thread returns.
        if (thread.joinable()) thread.join();
        spdlog::info("listener {}: stopped accepting on {}", h->options->name, address);
    }
};

result<std::unique_ptr<listener>> listener::start(io_pool& pool, listener_options options,
                                                  accept_handler on_accept) {
    const std::string& name = options.name;
    if (options.port < 0 || options.port > 65535) {
        spdlog::error("listener {}: port {} is not 0..65535", name, options.port);
        return errc::invalid_argument;
    }
    if (options.max_connections == 0 || !on_accept) {
        spdlog::error("listener {}: needs max_connections >= 1 and an accept handler", name);
        return errc::invalid_argument;
    }
    if (options.kind != listener_kind::tcp && options.handshake_timeout_ms == 0) {
        spdlog::error("listener {}: handshake_timeout_ms must be at least 1", name);
        return errc::invalid_argument;
    }
    if (is_websocket(options.kind) &&
        (options.ws_path.empty() || options.ws_path.front() != '/' ||
         options.max_ws_header_bytes < 256 || options.max_ws_frame == 0)) {
        spdlog::error("listener {}: bad WebSocket options (path '{}')", name, options.ws_path);
        return errc::invalid_argument;
    }
    if (is_tls(options.kind) && !options.tls) {
        spdlog::error("listener {}: a {} listener needs a TLS context (listener_options::tls)",
                      name, kind_name(options.kind));
        return errc::invalid_argument;
    }
    std::error_code ec;
    const auto address = asio::ip::make_address(options.bind, ec);
    if (ec) {
        spdlog::error("listener {}: bind address '{}' is not an IP address: {}", name, options.bind,
                      ec.message());
        return errc::invalid_argument;
    }
    const asio::ip::tcp::endpoint endpoint(address, static_cast<uint16_t>(options.port));

    auto st = std::make_shared<state>();
    st->address = detail::format_endpoint(endpoint);
    auto& acceptor = st->acceptor;
    auto fail = [&](std::string_view what, std::error_code e) -> std::error_code {
        spdlog::error("listener {}: cannot {} {}: {}", name, what, st->address, e.message());
        // asio's own system category does not compare equal to std::errc
        // conditions; std::system_category does (r.error() == address_in_use).
        if (e.category() == asio::error::get_system_category()) {
            e = std::error_code(e.value(), std::system_category());
        }
        return e;
    };
    if (acceptor.open(endpoint.protocol(), ec); ec) return fail("open a socket for", ec);
    // Lets a restarted server bind while old connections sit in TIME_WAIT;
    // on Linux it does not allow two live listeners on one port.
    if (acceptor.set_option(asio::socket_base::reuse_address(true), ec); ec) {
        return fail("set SO_REUSEADDR on", ec);
    }
    if (acceptor.bind(endpoint, ec); ec) return fail("bind", ec);
    if (acceptor.listen(asio::socket_base::max_listen_connections, ec); ec) {
        return fail("listen on", ec);
    }
    const uint16_t port = acceptor.local_endpoint(ec).port();
    if (ec) return fail("read the bound port of", ec);
    st->address = detail::format_endpoint(asio::ip::tcp::endpoint(address, port));

    st->h = std::make_shared<handoff>(
        pool, std::make_shared<const listener_options>(std::move(options)), std::move(on_accept));
    st->accept_next();
    st->thread = std::thread([raw = st.get()] { raw->run(); });
    spdlog::debug("listener {}: accepting {} connections on {}", st->h->options->name,
                  kind_name(st->h->options->kind), st->address);
    return std::unique_ptr<listener>(new listener(std::move(st), port));
}

listener::listener(std::shared_ptr<state> s, uint16_t port) : state_(std::move(s)), port_(port) {}

listener::~listener() {
    stop();
}

size_t listener::connections() const noexcept {
    return state_->h->live->load(std::memory_order_acquire);
}

void listener::stop() {
    state_->stop();
}

const listener_options& listener::options() const noexcept {
    return *state_->h->options;
}

}  // namespace robust::net
