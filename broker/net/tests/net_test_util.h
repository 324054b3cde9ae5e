#pragma once
// Helpers for the net tests: a blocking-with-timeout loopback client (plain
// TCP or TLS) and an echo server on a real pool. WebSocket client helpers
// are in ws_test_util.h, certificates in test_certs.h.

#include <gtest/gtest.h>

#include <openssl/ssl.h>

#include <asio/connect.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/post.hpp>
#include <asio/read.hpp>
#include <asio/ssl/context.hpp>
#include <asio/ssl/host_name_verification.hpp>
#include <asio/ssl/stream.hpp>
#include <asio/write.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "net/io_pool.h"
#include "net/listener.h"
#include "net/transport.h"

namespace robust::net::test {

using namespace std::chrono_literals;

/// Polls `pred` until true or `timeout`; for state another thread changes.
inline bool wait_until(const std::function<bool()>& pred,
                       std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!pred()) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(1ms);
    }
    return true;
}

/// How a test_client speaks TLS.
struct tls_client_options {
    // Verify the server's certificate against this CA and its name against
    // "localhost" (also sent as SNI); empty = accept any certificate.
    std::string ca_file;
    // A client certificate and its key; empty = send none.
    std::string cert_file;
    std::string key_file;
    // TLS1_x_VERSION bounds; 0 = OpenSSL's default.
    int min_version = 0;
    int max_version = 0;
    // Lowers OpenSSL's security level to 0, without which a client does not
    // offer TLS 1.0/1.1 at all (so a test could not see the server refuse).
    bool legacy = false;
};

/// A loopback client whose reads give up after a timeout instead of hanging
/// the test: each read is an async op run with io_context::run_for. Plain
/// TCP, or TLS when given tls_client_options (the handshake runs in the
/// constructor, bounded too).
class test_client {
public:
    explicit test_client(uint16_t port) : socket_(ctx_) {
        socket_.connect({asio::ip::make_address("127.0.0.1"), port}, connect_error_);
    }

    test_client(uint16_t port, const tls_client_options& tls,
                std::chrono::milliseconds timeout = 5s)
        : test_client(port) {
        if (connect_error_) return;
        ssl_ctx_ = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client);
        SSL_CTX* ctx = ssl_ctx_->native_handle();
        if (tls.legacy) SSL_CTX_set_security_level(ctx, 0);
        if (tls.min_version) SSL_CTX_set_min_proto_version(ctx, tls.min_version);
        if (tls.max_version) SSL_CTX_set_max_proto_version(ctx, tls.max_version);
        if (!tls.ca_file.empty()) {
            ssl_ctx_->load_verify_file(tls.ca_file);
            ssl_ctx_->set_verify_mode(asio::ssl::verify_peer);
        } else {
            ssl_ctx_->set_verify_mode(asio::ssl::verify_none);
        }
        if (!tls.cert_file.empty()) {
            ssl_ctx_->use_certificate_chain_file(tls.cert_file);
            ssl_ctx_->use_private_key_file(tls.key_file, asio::ssl::context::pem);
        }
        tls_ = std::make_unique<asio::ssl::stream<asio::ip::tcp::socket&>>(socket_, *ssl_ctx_);
        SSL_set_tlsext_host_name(tls_->native_handle(), "localhost");
        if (!tls.ca_file.empty()) {
            tls_->set_verify_callback(asio::ssl::host_name_verification("localhost"));
        }
        bool done = false;
        tls_->async_handshake(asio::ssl::stream_base::client, [&](std::error_code ec) {
            done = true;
            handshake_error_ = ec;
        });
        ctx_.run_for(timeout);
        if (!done) {
            socket_.cancel();
            ctx_.restart();
            ctx_.run();
            handshake_error_ = asio::error::timed_out;
        }
        if (handshake_error_) last_error_ = handshake_error_;
    }

    std::error_code connect_error() const { return connect_error_; }
    /// TLS only: how the handshake ended. (With TLS 1.3 the client is done
    /// before the server has checked its certificate: a refusal then shows
    /// as the next read failing.)
    std::error_code handshake_error() const { return handshake_error_; }
    std::error_code last_error() const { return last_error_; }

    /// The negotiated protocol, e.g. "TLSv1.3" (TLS only).
    std::string tls_version() const { return tls_ ? SSL_get_version(tls_->native_handle()) : ""; }

    void write(std::string_view data) {
        std::error_code ec;
        if (tls_) {
            asio::write(*tls_, asio::buffer(data), ec);
        } else {
            asio::write(socket_, asio::buffer(data), ec);
        }
        last_error_ = ec;
    }

    /// Exactly `n` bytes, or fewer if the stream ended or the time ran out.
    std::string read_exactly(size_t n, std::chrono::milliseconds timeout = 5s) {
        while (pending_.size() < n && !last_error_) read_more(timeout);
        return take(std::min(n, pending_.size()));
    }

    /// Bytes up to and including `delim` (empty if it never came).
    std::string read_until(std::string_view delim, std::chrono::milliseconds timeout = 5s) {
        for (;;) {
            const size_t pos = pending_.find(delim);
            if (pos != std::string::npos) return take(pos + delim.size());
            if (last_error_) return {};
            read_more(timeout);
        }
    }

    /// True once the server has ended the stream (EOF or reset); data still
    /// arriving before that is discarded.
    bool wait_closed(std::chrono::milliseconds timeout = 5s) {
        pending_.clear();
        while (!last_error_) {
            if (!read_more(timeout)) return false;
            pending_.clear();
        }
        return last_error_ != asio::error::timed_out;
    }

    void close() {
        std::error_code ignored;
        socket_.close(ignored);
    }

private:
    // One read; false if it timed out (then last_error_ is timed_out).
    bool read_more(std::chrono::milliseconds timeout) {
        std::array<char, 64 * 1024> buf;
        bool done = false;
        auto on_read = [&](std::error_code ec, size_t n) {
            done = true;
            if (ec) last_error_ = ec;
            pending_.append(buf.data(), n);
        };
        if (tls_) {
            tls_->async_read_some(asio::buffer(buf), on_read);
        } else {
            socket_.async_read_some(asio::buffer(buf), on_read);
        }
        ctx_.restart();
        ctx_.run_for(timeout);
        if (!done) {
            socket_.cancel();
            ctx_.restart();
            ctx_.run();
            last_error_ = asio::error::timed_out;
            return false;
        }
        return true;
    }

    std::string take(size_t n) {
        std::string out = pending_.substr(0, n);
        pending_.erase(0, n);
        return out;
    }

    asio::io_context ctx_;
    asio::ip::tcp::socket socket_;
    std::unique_ptr<asio::ssl::context> ssl_ctx_;
    std::unique_ptr<asio::ssl::stream<asio::ip::tcp::socket&>> tls_;  // over socket_
    std::error_code connect_error_;
    std::error_code handshake_error_;
    std::error_code last_error_;
    std::string pending_;
};

/// What the server side saw, shared by all its sessions (any thread).
struct server_log {
    std::atomic<int> accepted{0};
    std::atomic<int> wrong_thread{0};  // a handler ran off its transport's thread
    std::atomic<int> reads{0};         // reads started: one more after each echo is written
    std::mutex mu;
    std::set<size_t> thread_indices;
    std::vector<std::string> kinds;
    std::vector<std::string> remotes;
    std::vector<std::optional<std::string>> peer_cns;  // transport::peer_certificate_cn()
    std::vector<std::error_code> ends;                 // how each session's reading ended

    std::vector<std::optional<std::string>> peer_cns_copy() {
        std::lock_guard lock(mu);
        return peer_cns;
    }

    std::vector<std::error_code> ends_copy() {
        std::lock_guard lock(mu);
        return ends;
    }
};

/// Echoes every byte back through its transport, checking on every handler
/// that it runs on the transport's pool thread.
class echo_session : public std::enable_shared_from_this<echo_session> {
public:
    echo_session(std::unique_ptr<transport> t, io_pool& pool, server_log& log)
        : t_(std::move(t)), pool_(pool), log_(log) {}

    void start() { read(); }
    transport& get() { return *t_; }

private:
    void check_thread() {
        if (pool_.current_index() != t_->thread_index()) ++log_.wrong_thread;
    }

    void read() {
        ++log_.reads;
        t_->async_read_some(asio::buffer(buf_),
                            [self = shared_from_this()](std::error_code ec, size_t n) {
                                self->check_thread();
                                if (ec) {
                                    {
                                        std::lock_guard lock(self->log_.mu);
                                        self->log_.ends.push_back(ec);
                                    }
                                    self->t_->close();
                                    return;
                                }
                                self->t_->async_write({asio::buffer(self->buf_.data(), n)},
                                                      [self](std::error_code wec, size_t) {
                                                          self->check_thread();
                                                          if (wec) {
                                                              self->t_->close();
                                                              return;
                                                          }
                                                          self->read();
                                                      });
                            });
    }

    std::unique_ptr<transport> t_;
    io_pool& pool_;
    server_log& log_;
    std::array<char, 4096> buf_;
};

/// A 2-thread pool and one echo listener on 127.0.0.1:0.
class echo_server {
public:
    explicit echo_server(listener_options options, size_t threads = 2) : pool_(threads) {
        pool_.start();
        options.bind = "127.0.0.1";
        options.port = 0;
        if (options.name.empty()) options.name = "test";
        auto r = listener::start(pool_, std::move(options), [this](std::unique_ptr<transport> t) {
            if (pool_.current_index() != t->thread_index() ||
                &t->context() != &pool_.context(t->thread_index())) {
                ++log_.wrong_thread;
            }
            {
                std::lock_guard lock(log_.mu);
                log_.thread_indices.insert(t->thread_index());
                log_.kinds.emplace_back(t->kind());
                log_.remotes.push_back(t->remote_endpoint());
                log_.peer_cns.push_back(t->peer_certificate_cn());
            }
            auto s = std::make_shared<echo_session>(std::move(t), pool_, log_);
            {
                std::lock_guard lock(sessions_mu_);
                sessions_.push_back(s);
            }
            ++log_.accepted;
            s->start();
        });
        EXPECT_TRUE(r.has_value()) << r.error().message();
        if (r) listener_ = std::move(r).value();
    }

    // Closes what is left on its own thread, then stops everything.
    ~echo_server() {
        if (listener_) listener_->stop();
        close_all();
        EXPECT_TRUE(wait_until([this] { return !listener_ || listener_->connections() == 0; }));
        listener_.reset();
        pool_.stop();
    }

    /// Closes every live session's transport from its own thread.
    void close_all() {
        std::lock_guard lock(sessions_mu_);
        for (auto& weak : sessions_) {
            if (auto s = weak.lock()) {
                asio::post(s->get().context(), [s] { s->get().close(); });
            }
        }
    }

    uint16_t port() const { return listener_->port(); }
    listener& get() { return *listener_; }
    io_pool& pool() { return pool_; }
    server_log& log() { return log_; }

private:
    io_pool pool_;
    server_log log_;
    std::mutex sessions_mu_;
    std::vector<std::weak_ptr<echo_session>> sessions_;
    std::unique_ptr<listener> listener_;
};

// A listener whose on_accept runs `hook` with the transport; the test keeps
// ownership through `held` (touched only on the transport's thread).
class hook_server {
public:
    hook_server(listener_options o, std::function<void(transport&)> hook) : pool_(2) {
        pool_.start();
        o.bind = "127.0.0.1";
        o.port = 0;
        auto r = listener::start(pool_, o, [this, hook](std::unique_ptr<transport> t) {
            hook(*t);
            std::lock_guard lock(mu_);
            held_.push_back(std::move(t));
        });
        EXPECT_TRUE(r.has_value());
        listener_ = std::move(r).value();
    }
    ~hook_server() {
        listener_->stop();
        {
            std::lock_guard lock(mu_);
            for (auto& t : held_) {
                std::promise<void> done;
                asio::post(t->context(), [&] {
                    t.reset();
                    done.set_value();
                });
                done.get_future().wait();
            }
        }
        pool_.stop();
    }
    uint16_t port() const { return listener_->port(); }
    size_t connections() const { return listener_->connections(); }

private:
    io_pool pool_;
    std::mutex mu_;
    std::vector<std::unique_ptr<transport>> held_;
    std::unique_ptr<listener> listener_;
};

}  // namespace robust::net::test
