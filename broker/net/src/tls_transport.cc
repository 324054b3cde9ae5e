#include "tls_transport.h"

#include <spdlog/spdlog.h>

#include <asio/error.hpp>
#include <asio/post.hpp>
#include <asio/ssl/error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/write.hpp>

#include <utility>

#include "ws_transport.h"

namespace robust::net::detail {

// The stream and what its handlers need after the transport is gone.
struct tls_transport::state {
    state(tls_stream s, std::shared_ptr<asio::ssl::context> c)
        : context(std::move(c)), stream(std::move(s)) {}

    std::shared_ptr<asio::ssl::context> context;  // outlives stream
    tls_stream stream;
    bool writing = false;  // an async_write is in flight: no close_notify now
    bool closed = false;
};

tls_transport::tls_transport(tls_stream stream, tls_info tls, asio::io_context& ctx,
                             size_t thread_index, std::string remote, connection_slot slot)
    : transport(thread_index),
      slot_(std::move(slot)),
      ctx_(ctx),
      remote_(std::move(remote)),
      peer_cn_(std::move(tls.peer_cn)),
      state_(std::make_shared<state>(std::move(stream), std::move(tls.context))) {}

tls_transport::~tls_transport() {
    close();
}

void tls_transport::async_read_some(asio::mutable_buffer buf, io_handler cb) {
    if (state_->closed) {
        asio::post(ctx_, [cb = std::move(cb)] { cb(asio::error::operation_aborted, 0); });
        return;
    }
    // asio's SSL operations never complete inline: they post.
    state_->stream.async_read_some(buf,
                                   [s = state_, cb = std::move(cb)](std::error_code ec, size_t n) {
                                       if (ec == asio::ssl::error::stream_truncated)
                                           ec = asio::error::eof;
                                       cb(ec, n);
                                   });
}

void tls_transport::async_write(std::vector<asio::const_buffer> bufs, io_handler cb) {
    if (state_->closed) {
        asio::post(ctx_, [cb = std::move(cb)] { cb(asio::error::operation_aborted, 0); });
        return;
    }
    state_->writing = true;
    // asio's SSL write linearises small buffers into one record (up to
    // 8 KiB), so a gather of header + payload is not one record per buffer.
    asio::async_write(state_->stream, std::move(bufs),
                      [s = state_, cb = std::move(cb)](std::error_code ec, size_t n) {
                          s->writing = false;
                          cb(ec, n);
                      });
}

void tls_transport::close() {
    if (state_->closed) return;
    state_->closed = true;
    close_stream(state_->stream, !state_->writing);
}

namespace {

// One TLS server handshake in progress, bounded by the connection's
// deadline.
class tls_handshake : public std::enable_shared_from_this<tls_handshake> {
public:
    tls_handshake(asio::ip::tcp::socket socket, pending_connection pc)
        : pc_(std::move(pc)),
          context_(pc_.options->tls),
          stream_(std::move(socket), *context_),
          timer_(*pc_.ctx) {}

    void start() {
        timer_.expires_at(pc_.deadline);
        timer_.async_wait([self = shared_from_this()](std::error_code ec) {
            if (ec || self->finished_) return;
            spdlog::debug("{}: TLS handshake with {} timed out", self->pc_.options->name,
                          self->pc_.remote);
            self->finished_ = true;
            // Ends the handshake in flight; its handler sees finished_.
            close_stream(self->stream_, false);
        });
        stream_.async_handshake(
            asio::ssl::stream_base::server,
            [self = shared_from_this()](std::error_code ec) { self->on_handshake(ec); });
    }

private:
    void on_handshake(std::error_code ec) {
        if (finished_) return;
        finished_ = true;
        timer_.cancel();
        if (ec) {
            log_failure(ec);
            // OpenSSL's alert, if any, was sent before the handler ran.
            close_stream(stream_, false);
            return;
        }
        tls_info tls{context_, verified_peer_cn(stream_)};
        if (pc_.options->kind == listener_options::kind::wss) {
            start_ws_handshake(std::move(stream_), std::move(tls), std::move(pc_));
            return;
        }
        auto t = std::make_unique<tls_transport>(std::move(stream_), std::move(tls), *pc_.ctx,
                                                 pc_.thread_index, std::move(pc_.remote),
                                                 std::move(pc_.slot));
        auto done = std::move(pc_.done);
        done(std::move(t));
    }

    // Failures a peer causes at will are rationed at info level; the peer
    // simply going away is not worth more than debug.
    void log_failure(const std::error_code& ec) {
        if (ec == asio::error::operation_aborted) return;
        const std::string reason = tls_failure_reason(stream_, ec);
        const bool quiet = ec == asio::ssl::error::stream_truncated || ec == asio::error::eof ||
                           ec == asio::error::connection_reset;
        const auto level = !quiet && (!pc_.failure_log || pc_.failure_log->take())
                               ? spdlog::level::info
                               : spdlog::level::debug;
        spdlog::log(level, "{}: TLS handshake with {} failed: {}", pc_.options->name, pc_.remote,
                    reason);
    }

    pending_connection pc_;
    std::shared_ptr<asio::ssl::context> context_;  // outlives stream_
    tls_stream stream_;
    asio::steady_timer timer_;
    bool finished_ = false;
};

}  // namespace

void start_tls_handshake(asio::ip::tcp::socket socket, pending_connection pc) {
    std::make_shared<tls_handshake>(std::move(socket), std::move(pc))->start();
}

}  // namespace robust::net::detail
