#include "tcp_transport.h"

#include <asio/write.hpp>

#include <utility>

namespace robust::net::detail {

std::string format_endpoint(const asio::ip::tcp::endpoint& ep) {
    const auto addr = ep.address();
    const std::string port = std::to_string(ep.port());
    if (addr.is_v6()) return "[" + addr.to_string() + "]:" + port;
    return addr.to_string() + ":" + port;
}

tcp_transport::tcp_transport(asio::ip::tcp::socket socket, asio::io_context& ctx,
                             size_t thread_index, std::string remote, connection_slot slot)
    : transport(thread_index),
      slot_(std::move(slot)),
      ctx_(ctx),
      socket_(std::move(socket)),
      remote_(std::move(remote)) {}

tcp_transport::~tcp_transport() {
    close();
}

void tcp_transport::async_read_some(asio::mutable_buffer buf, io_handler cb) {
    // The handler owns nothing of ours, so it may safely run after this
    // object is gone (it then sees operation_aborted).
    socket_.async_read_some(buf, std::move(cb));
}

void tcp_transport::async_write(std::vector<asio::const_buffer> bufs, io_handler cb) {
    // asio keeps its own copy of the buffer list; only the bytes must live on.
    asio::async_write(socket_, std::move(bufs), std::move(cb));
}

void tcp_transport::close() {
    if (!socket_.is_open()) return;
    std::error_code ignored;
    socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
}

}  // namespace robust::net::detail
