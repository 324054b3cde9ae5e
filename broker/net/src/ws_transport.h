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
// Created by the listener on the connection's pool thread (threading rules
// in transport.h). The transport object owns a shared ws_stream that
// outlives it only until the socket handlers in flight have run.

#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>

#include <functional>
#include <memory>
#include <string>

#include "connection_slot.h"
#include "net/listener.h"
#include "net/transport.h"

namespace robust::net::detail {

class ws_stream;

class ws_transport final : public transport {
public:
    /// Takes over `socket` after a 101 was sent. `leftover` holds bytes the
    /// client sent after its request head (frames it did not wait to send).
    ws_transport(asio::ip::tcp::socket socket, asio::io_context& ctx, size_t thread_index,
                 std::string remote, std::string leftover, size_t max_frame, connection_slot slot);
    ~ws_transport() override;

    void async_read_some(asio::mutable_buffer buf, io_handler cb) override;
    void async_write(std::vector<asio::const_buffer> bufs, io_handler cb) override;
    void close() override;
    std::string remote_endpoint() const override { return remote_; }
    std::string_view kind() const override { return "ws"; }
    asio::io_context& context() override { return ctx_; }

private:
    connection_slot slot_;  // released last
    asio::io_context& ctx_;
    std::string remote_;
    std::shared_ptr<ws_stream> stream_;
};

/// Runs the HTTP upgrade on `socket` on its context's thread (call it
/// there). On success calls `done` with the ws_transport; on failure (bad
/// request, timeout, peer gone) answers with an HTTP error where it can and
/// closes, releasing `slot`. `done` is not called after the pool stops.
void start_ws_handshake(asio::ip::tcp::socket socket, asio::io_context& ctx, size_t thread_index,
                        std::string remote, std::shared_ptr<const listener_options> options,
                        connection_slot slot, std::function<void(std::unique_ptr<transport>)> done);

}  // namespace robust::net::detail
