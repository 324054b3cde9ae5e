#pragma once
// transport: the byte stream a protocol connection talks to, whatever is
// underneath (plain TCP, TLS, WebSocket binary frames over TCP or TLS). A
// protocol reads and writes bytes and never sees framing or encryption.
//
// Who creates it: a listener, after accepting (and after the TLS handshake
// and/or the WebSocket HTTP upgrade); it hands the transport to its on_accept callback, which
// owns it from then on (typically inside the protocol's connection object).
// Destroying it closes the connection and releases its slot in the
// listener's connection count.
//
// Threading: a transport lives on one io_context of the io_pool for its
// whole life (context(), thread_index()). Every member function must be
// called on that context's thread, and every completion handler runs there.
// Handlers are never invoked from inside the call that started the
// operation.
//
// Operations follow asio's rules for one stream: at most one
// async_read_some and at most one async_write outstanding at a time (a read
// and a write may overlap).

#include <asio/buffer.hpp>
#include <asio/error.hpp>
#include <asio/io_context.hpp>
#include <asio/post.hpp>

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace robust::net {

class transport {
public:
    /// (error, bytes transferred). Errors are asio's std::error_codes
    /// (asio::error::eof when the peer ended the stream cleanly,
    /// asio::error::operation_aborted after close()), or
    /// robust::errc::protocol_error when the peer broke the framing
    /// protocol (for example a WebSocket text frame).
    using io_handler = std::function<void(std::error_code, size_t)>;

    virtual ~transport() = default;
    transport(const transport&) = delete;
    transport& operator=(const transport&) = delete;

    /// Reads at least one byte into `buf` (or fails). `buf` must stay valid
    /// until `cb` runs.
    virtual void async_read_some(asio::mutable_buffer buf, io_handler cb) = 0;

    /// Readiness-based reading, so that an idle connection needs no read
    /// buffer. Only a transport whose can_wait_readable() is true
    /// implements these two (plain TCP); TLS and WebSocket transports hold
    /// decrypted or unframed bytes of their own, so their users call
    /// async_read_some.
    virtual bool can_wait_readable() const { return false; }
    /// Calls `cb` (error, 0) once bytes may be read, or the peer closed.
    /// Edge-triggered: it waits for bytes that arrive after the last
    /// read_available() that returned asio::error::would_block, so call
    /// it only after such a read.
    virtual void async_wait_readable(io_handler cb) {
        asio::post(context(),
                   [cb = std::move(cb)] { cb(asio::error::operation_not_supported, 0); });
    }
    /// Reads what has arrived into `buf` without waiting: the byte count,
    /// or 0 with `ec` set (asio::error::would_block when nothing is there,
    /// asio::error::eof when the peer ended the stream).
    virtual size_t read_available(asio::mutable_buffer /*buf*/, std::error_code& ec) {
        ec = asio::error::operation_not_supported;
        return 0;
    }

    /// Writes all of `bufs`, in order, then calls `cb` with the total byte
    /// count (payload bytes: framing is not counted). The caller keeps the
    /// bytes alive until `cb` runs; the vector itself may be temporary.
    virtual void async_write(std::vector<asio::const_buffer> bufs, io_handler cb) = 0;

    /// Closes the connection. Idempotent. Pending operations complete with
    /// an error (operation_aborted). A WebSocket transport first sends a
    /// close frame, and a TLS one close_notify, if it can do so without
    /// waiting; close() never waits for the peer.
    virtual void close() = 0;

    /// The peer as "ip:port" ("[v6]:port" for IPv6), fixed at accept time.
    virtual std::string remote_endpoint() const = 0;

    /// Our side, "ip:port" as remote_endpoint(): the address the peer
    /// reached (a protocol may advertise it back, as Kafka's Metadata
    /// does). Set by the listener before on_accept; empty otherwise.
    const std::string& local_endpoint() const { return local_endpoint_; }
    void set_local_endpoint(std::string ep) { local_endpoint_ = std::move(ep); }

    /// "tcp", "ws", "tls" or "wss": for logs and metrics labels.
    virtual std::string_view kind() const = 0;

    /// The subject Common Name (UTF-8) of the client certificate, for
    /// "tls" and "wss" when the client sent one and it verified against
    /// the listener's CAs (tls.h); nullopt otherwise. Fixed once the
    /// transport exists. A protocol may use it as the user name
    /// (tls.cert_cn_as_username).
    virtual std::optional<std::string> peer_certificate_cn() const { return std::nullopt; }

    /// The io_context this transport lives on.
    virtual asio::io_context& context() = 0;

    /// Index of that context in the io_pool (equals io_pool::current_index()
    /// inside this transport's handlers).
    size_t thread_index() const noexcept { return thread_index_; }

protected:
    explicit transport(size_t thread_index) : thread_index_(thread_index) {}

private:
    size_t thread_index_;
    std::string local_endpoint_;
};

}  // namespace robust::net
