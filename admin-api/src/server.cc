#include "admin/server.h"

#include <httplib.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "api.h"
#include "base/clock.h"
#include "base/errc.h"
#include "history.h"
#include "http_util.h"
#include "login_limiter.h"
#include "static_site.h"

namespace robust::admin {

struct server::impl {
    impl(const context& ctx, const server_options& o)
        : opts(o),
          site(detail::static_site::locate(ctx.config.http.dashboard_dir)),
          limiter(ctx.config.http.login_failures_per_minute),
          endpoints(
              ctx, limiter, hist,
              std::max<int64_t>(
                  1, std::chrono::duration_cast<std::chrono::seconds>(o.sample_interval).count())) {
    }

    void serve(const httplib::Request& req, httplib::Response& res);
    void sample_loop();

    server_options opts;
    detail::static_site site;
    detail::login_limiter limiter;
    detail::history hist;
    detail::api endpoints;
    httplib::Server http;
    std::string address;
    uint16_t port = 0;
    std::thread listen_thread;
    std::atomic<bool> listen_ended{false};

    std::mutex sampler_mu;
    std::condition_variable sampler_cv;
    bool sampler_stop = false;
    std::thread sampler;

    std::mutex stop_mu;
    bool stopped = false;
};

void server::impl::serve(const httplib::Request& req, httplib::Response& res) {
    const auto started = steady_clock::now();
    detail::request r;
    r.method = req.method;
    r.path = req.path;  // percent-decoded by httplib
    for (const auto& [k, v] : req.params) r.query.emplace(k, v);
    r.body = req.body;
    r.remote_addr = req.remote_addr;
    r.authorization = req.get_header_value("Authorization");
    std::string who;
    // Every GET outside the API's paths belongs to the dashboard (SPA).
    const bool page = (r.method == "GET" || r.method == "HEAD") && !detail::is_api_path(r.path);
    detail::reply out = page ? site.get(r.path) : endpoints.handle(r, who);
    res.status = out.status;
    for (auto& [k, v] : out.headers) res.set_header(k, v);
    if (!res.has_header("Cache-Control")) res.set_header("Cache-Control", "no-store");
    if (!out.body.empty()) res.set_content(std::move(out.body), out.content_type);
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(steady_clock::now() - started)
            .count();
    // The path and the user name only: never a header or a body.
    spdlog::debug("http {} {} -> {} in {} ms from {}{}{}", detail::loggable(r.method),
                  detail::loggable(r.path), out.status, ms, r.remote_addr,
                  who.empty() ? "" : " as ", detail::loggable(who));
}

void server::impl::sample_loop() {
    hist.record(now_unix_ms(), endpoints.sample());
    std::unique_lock lock(sampler_mu);
    while (!sampler_cv.wait_for(lock, opts.sample_interval, [this] { return sampler_stop; })) {
        lock.unlock();
        hist.record(now_unix_ms(), endpoints.sample());
        lock.lock();
    }
}

server::server(std::unique_ptr<impl> i) : impl_(std::move(i)) {}

server::~server() {
    stop();
}

result<std::unique_ptr<server>> server::start(const context& ctx, const std::string& bind,
                                              config::port_number port, server_options opts) {
    if (port < 0 || port > 65535) return errc::invalid_argument;
    auto i = std::make_unique<impl>(ctx, opts);
    auto& http = i->http;
    const size_t threads = std::max<size_t>(opts.threads, 1);
    http.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
    http.set_payload_max_length(opts.max_body_bytes);
    http.set_keep_alive_timeout(static_cast<time_t>(opts.keep_alive_timeout_s));
    http.set_keep_alive_max_count(100);
    http.set_read_timeout(10, 0);
    http.set_write_timeout(10, 0);
    impl* self = i.get();
    auto handler = [self](const httplib::Request& req, httplib::Response& res) {
        self->serve(req, res);
    };
    // Every method goes to one dispatcher over the route table (route_table.h).
    http.Get(".*", handler);
    http.Post(".*", handler);
    http.Put(".*", handler);
    http.Patch(".*", handler);
    http.Delete(".*", handler);
    http.Options(".*", handler);
    // Errors httplib answers itself (413 body too large, 400 unreadable
    // request) get the API's error body too.
    httplib::Server::HandlerWithResponse on_error = [](const httplib::Request&,
                                                       httplib::Response& res) {
        if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
        auto r = detail::error_reply(res.status, res.status == 413
                                                     ? "request body too large"
                                                     : "the request could not be processed");
        res.set_content(r.body, r.content_type);
        return httplib::Server::HandlerResponse::Handled;
    };
    http.set_error_handler(std::move(on_error));

    // httplib's default sets SO_REUSEPORT, which would let a second server
    // bind the same port and silently share its traffic. SO_REUSEADDR alone
    // still allows a restart while old connections are in TIME_WAIT.
    http.set_socket_options([](socket_t sock) {
        int yes = 1;
        ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    });

    int bound = -1;
    if (port == 0) {
        bound = http.bind_to_any_port(bind);
    } else if (http.bind_to_port(bind, port)) {
        bound = port;
    }
    if (bound <= 0) {
        spdlog::error(
            "listener http: cannot bind {}:{} (address in use or not available; set http.bind / "
            "http.port)",
            bind, port);
        return errc::io_error;
    }
    i->address = bind;
    i->port = static_cast<uint16_t>(bound);
    i->endpoints.set_listen_address(bind, i->port);
    i->listen_thread = std::thread([self] {
        self->http.listen_after_bind();
        self->listen_ended = true;
    });
    // httplib's stop() is a no-op until the listen loop has started: wait for
    // it, so that a stop() right after start() cannot be lost.
    const auto deadline = steady_clock::now() + std::chrono::seconds(10);
    while (!http.is_running() && !i->listen_ended && steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    if (!http.is_running()) {
        spdlog::error("listener http: the server on {}:{} did not start", bind, bound);
        http.stop();
        if (i->listen_thread.joinable()) i->listen_thread.join();
        i->stopped = true;
        return errc::io_error;
    }
    i->sampler = std::thread([self] { self->sample_loop(); });
    if (i->site.available()) {
        spdlog::info("dashboard: serving {} at http://{}:{}/", i->site.root()->string(), bind,
                     bound);
    } else {
        spdlog::warn(
            "dashboard: not built (no index.html in {}); build it with `cmake --build <build> "
            "--target dashboard` or set http.dashboard_dir",
            i->site.root() ? i->site.root()->string() : std::string("the default places"));
    }
    spdlog::info("listener http bound to {}:{}", bind, bound);
    return std::unique_ptr<server>(new server(std::move(i)));
}

void server::stop() {
    if (!impl_) return;
    std::lock_guard lock(impl_->stop_mu);
    if (impl_->stopped) return;
    impl_->stopped = true;
    // Phase 1: close the listening socket. Phase 2: the listen loop drains its
    // pool (requests in flight finish; idle keep-alive connections end within
    // keep_alive_timeout_s) before listen_after_bind returns.
    impl_->http.stop();
    if (impl_->listen_thread.joinable()) impl_->listen_thread.join();
    {
        std::lock_guard s(impl_->sampler_mu);
        impl_->sampler_stop = true;
    }
    impl_->sampler_cv.notify_all();
    if (impl_->sampler.joinable()) impl_->sampler.join();
    spdlog::info("listener http on {}:{} stopped", impl_->address, impl_->port);
}

uint16_t server::port() const noexcept {
    return impl_->port;
}

const std::string& server::address() const noexcept {
    return impl_->address;
}

}  // namespace robust::admin
