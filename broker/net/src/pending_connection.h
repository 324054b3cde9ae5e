#pragma once
// pending_connection: what an accepted connection carries through its
// handshakes (TLS, then for WebSocket the HTTP upgrade) until it becomes a
// transport handed to on_accept. Made by the listener on the connection's
// pool thread; moved from one handshake stage to the next; its slot goes to
// the transport, or is released (connection closed) when a stage fails.

#include <asio/io_context.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "connection_slot.h"
#include "net/listener.h"
#include "net/transport.h"

namespace robust::net::detail {

/// Rations a kind of log line across threads: at most `per_second` lines
/// at info level each second; the rest go to debug. For lines a remote
/// peer can cause at will (failed TLS handshakes).
class log_budget {
public:
    explicit log_budget(uint32_t per_second) : per_second_(per_second) {}

    /// True if this line may be logged at info level.
    bool take() noexcept {
        const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                                std::chrono::steady_clock::now().time_since_epoch())
                                .count();
        int64_t window = window_.load(std::memory_order_relaxed);
        if (window != now && window_.compare_exchange_strong(window, now)) {
            used_.store(0, std::memory_order_relaxed);
        }
        return used_.fetch_add(1, std::memory_order_relaxed) < per_second_;
    }

private:
    const uint32_t per_second_;
    std::atomic<int64_t> window_{0};
    std::atomic<uint32_t> used_{0};
};

struct pending_connection {
    asio::io_context* ctx = nullptr;  // the pool context it lives on
    size_t thread_index = 0;
    std::string remote;  // "ip:port", for the transport and logs
    std::shared_ptr<const listener_options> options;
    connection_slot slot;
    // Every handshake stage must be done by then (handshake_timeout_ms
    // after accept, for TLS and the WebSocket upgrade together).
    std::chrono::steady_clock::time_point deadline;
    std::shared_ptr<log_budget> failure_log;  // shared by the listener's connections
    // Called on the pool thread with the finished transport; never after
    // the pool stopped.
    std::function<void(std::unique_ptr<transport>)> done;
};

}  // namespace robust::net::detail
