#pragma once
// WebSocket (RFC 6455) server side: the HTTP upgrade, then a transport that
// turns binary frames into a plain byte stream and back.
//
// Receiving uses wslay's event API without message buffering: wslay parses
// frames, unmasks, checks masking, fragmentation and control frames, answers
// pings and close frames; we copy binary payload bytes into the stream.
// Sending data does not go through wslay: server frames are unmasked, so a
// frame is a 2..10-byte header before the caller's buffers, written with one
// gather write and no copy (wslay would copy every message into its queue).
// Control frames wslay produces (pong, close) join the same write queue, so
// frames never interleave.
//
// The framing runs over a plain TCP socket (kind "ws") or over TLS (kind
// "wss"): one template on the stream type (byte_stream.h), so the framing
// code exists once; ws_transport reaches it through a small interface.
//
// Created by the listener on the connection's pool thread (threading rules
// in transport.h). The transport object owns a shared ws_stream that
// outlives it only until the stream handlers in flight have run.

#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "byte_stream.h"
#include "connection_slot.h"
#include "net/transport.h"
#include "pending_connection.h"

namespace robust::net::detail {

class ws_stream_base;  // the framing state machine, in ws_transport.cc

class ws_transport final : public transport {
public:
    /// Takes over a stream whose upgrade is done (start_ws_handshake makes
    /// it). `kind` is "ws" or "wss"; `peer_cn` is the verified client
    /// certificate's CN (wss only).
    ws_transport(std::shared_ptr<ws_stream_base> stream, std::string_view kind,
                 std::optional<std::string> peer_cn, asio::io_context& ctx, size_t thread_index,
                 std::string remote, connection_slot slot);
    ~ws_transport() override;

    void async_read_some(asio::mutable_buffer buf, io_handler cb) override;
    void async_write(std::vector<asio::const_buffer> bufs, io_handler cb) override;
    void close() override;
    std::string remote_endpoint() const override { return remote_; }
    std::string_view kind() const override { return kind_; }
    asio::io_context& context() override { return ctx_; }
    std::optional<std::string> peer_certificate_cn() const override { return peer_cn_; }

private:
    connection_slot slot_;  // released last
    asio::io_context& ctx_;
    std::string remote_;
    std::string_view kind_;  // a literal
    std::optional<std::string> peer_cn_;
    std::shared_ptr<ws_stream_base> stream_;
};

/// Runs the HTTP upgrade on the stream, on its context's thread (call it
/// there), until pc.deadline. On success calls pc.done with the
/// ws_transport; on failure (bad request, timeout, peer gone) answers with
/// an HTTP error where it can and closes, releasing pc.slot. The first
/// overload is plain WebSocket, the second WSS after its TLS handshake.
void start_ws_handshake(asio::ip::tcp::socket socket, pending_connection pc);
void start_ws_handshake(tls_stream stream, tls_info tls, pending_connection pc);

}  // namespace robust::net::detail
