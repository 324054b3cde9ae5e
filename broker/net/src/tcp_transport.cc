#include "tcp_transport.h"

#include <asio/write.hpp>

#include <utility>

namespace robust::net::detail {

std::string format_endpoint(const asio::ip::tcp::endpoint& ep) {
    const auto addr = ep.address();
    const std::string port = std::to_string(ep.port());
    // Appended piece by piece: GCC 12's -Wrestrict misfires on
    // "[" + std::string&& at -O3 (GCC bug 105651).
    std::string out;
    if (addr.is_v6()) out += '[';
    out += addr.to_string();
    if (addr.is_v6()) out += ']';
    out += ':';
    out += port;
    return out;
}

tcp_transport::tcp_transport(asio::ip::tcp::socket socket, asio::io_context& ctx,
                             size_t thread_index, std::string remote, connection_slot slot)
    : transport(thread_index),
      slot_(std::move(slot)),
      ctx_(ctx),
      socket_(std::move(socket)),
      remote_(std::move(remote)) {
    std::error_code ignored;  // a failure shows as an error of the first read
    socket_.non_blocking(true, ignored);
}

tcp_transport::~tcp_transport() {
    close();
}

void tcp_transport::async_read_some(asio::mutable_buffer buf, io_handler cb) {
    // The handler owns nothing of ours, so it may safely run after this
    // object is gone (it then sees operation_aborted).
    socket_.async_read_some(buf, std::move(cb));
}

void tcp_transport::async_wait_readable(io_handler cb) {
    socket_.async_wait(asio::socket_base::wait_read,
                       [cb = std::move(cb)](std::error_code ec) { cb(ec, 0); });
}

size_t tcp_transport::read_available(asio::mutable_buffer buf, std::error_code& ec) {
    // The socket is non-blocking (set once in the constructor), so this
    // returns would_block instead of waiting.
    return socket_.read_some(buf, ec);
}

void tcp_transport::async_write(std::vector<asio::const_buffer> bufs, io_handler cb) {
    // asio keeps its own copy of the buffer list; only the bytes must live on.
    if (bufs.size() == 1) {
        // The common case, and a much smaller operation: a buffer list is
        // copied into an operation of 64 entries (about 1 kB), and asio's
        // per-thread recycling then hands such blocks to later small
        // operations, such as an idle connection's pending wait.
        asio::async_write(socket_, bufs.front(), std::move(cb));
        return;
    }
    asio::async_write(socket_, std::move(bufs), std::move(cb));
}

void tcp_transport::close() {
    if (!socket_.is_open()) return;
    std::error_code ignored;
    socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
}

}  // namespace robust::net::detail
