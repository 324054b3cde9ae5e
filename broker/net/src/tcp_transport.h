#pragma once
// tcp_transport: a transport that is a plain TCP socket. Created by the
// listener on the connection's pool thread and handed to on_accept; see
// transport.h for the threading rules.

#include <asio/ip/tcp.hpp>

#include <string>

#include "connection_slot.h"
#include "net/transport.h"

namespace robust::net::detail {

/// "ip:port", with brackets around IPv6 addresses.
std::string format_endpoint(const asio::ip::tcp::endpoint& ep);

class tcp_transport final : public transport {
public:
    tcp_transport(asio::ip::tcp::socket socket, asio::io_context& ctx, size_t thread_index,
                  std::string remote, connection_slot slot);
    ~tcp_transport() override;

    void async_read_some(asio::mutable_buffer buf, io_handler cb) override;
    bool can_wait_readable() const override { return true; }
    void async_wait_readable(io_handler cb) override;
    size_t read_available(asio::mutable_buffer buf, std::error_code& ec) override;
    void async_write(std::vector<asio::const_buffer> bufs, io_handler cb) override;
    void close() override;
    std::string remote_endpoint() const override { return remote_; }
    std::string_view kind() const override { return "tcp"; }
    asio::io_context& context() override { return ctx_; }

private:
    // Declared first so it is released last, after the socket is closed.
    connection_slot slot_;
    asio::io_context& ctx_;
    asio::ip::tcp::socket socket_;
    std::string remote_;
};

}  // namespace robust::net::detail
