#pragma once
// tls_transport: a transport that is TLS (asio::ssl::stream over OpenSSL)
// over a TCP socket, kind "tls". start_tls_handshake() runs the server
// handshake for a listener of kind tls or wss and hands the result on: a
// tls_transport to on_accept, or (wss) the TLS stream to the WebSocket
// upgrade.
//
// Created by the listener on the connection's pool thread; see transport.h
// for the threading rules. The stream lives in a shared state that the
// handlers in flight hold, so they may run after the transport is gone
// (asio's SSL operations refer to the stream until they complete).

#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>

#include <memory>
#include <optional>
#include <string>

#include "byte_stream.h"
#include "connection_slot.h"
#include "net/transport.h"
#include "pending_connection.h"

namespace robust::net::detail {

class tls_transport final : public transport {
public:
    /// Takes over `stream` after a successful handshake.
    tls_transport(tls_stream stream, tls_info tls, asio::io_context& ctx, size_t thread_index,
                  std::string remote, connection_slot slot);
    ~tls_transport() override;

    /// A TCP close without close_notify ends the stream with
    /// asio::error::eof too, as a clean close does: the protocols on top
    /// frame their own packets, so a truncation shows there.
    void async_read_some(asio::mutable_buffer buf, io_handler cb) override;
    void async_write(std::vector<asio::const_buffer> bufs, io_handler cb) override;
    /// Sends close_notify if no write is in flight and the socket takes it
    /// at once, then closes the socket; never waits for the peer.
    void close() override;
    std::string remote_endpoint() const override { return remote_; }
    std::string_view kind() const override { return "tls"; }
    asio::io_context& context() override { return ctx_; }
    std::optional<std::string> peer_certificate_cn() const override { return peer_cn_; }

private:
    struct state;

    connection_slot slot_;  // released last
    asio::io_context& ctx_;
    std::string remote_;
    std::optional<std::string> peer_cn_;
    std::shared_ptr<state> state_;
};

/// Runs the TLS server handshake on `socket` with pc.options->tls, on the
/// socket's context thread (call it there), until pc.deadline. Then, for
/// kind tls, calls pc.done with a tls_transport; for wss, starts the
/// WebSocket upgrade over the TLS stream. A failed or timed-out handshake
/// is logged (peer and OpenSSL's reason) and closed, releasing pc.slot.
void start_tls_handshake(asio::ip::tcp::socket socket, pending_connection pc);

}  // namespace robust::net::detail
