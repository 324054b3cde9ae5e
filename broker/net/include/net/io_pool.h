#pragma once
// io_pool: the broker's I/O threads. N threads, each running its own
// asio::io_context, so a connection placed on one context lives on one
// thread for its whole life and its state needs no lock (ARCHITECTURE.md,
// "Threading"). Cross-thread work is asio::post onto another context.
//
// Lifecycle: main creates one pool, calls start(), builds listeners and
// services on it, stops those (closing their connections), then calls
// stop(). The destructor calls stop().
//
// Threading: size(), context(), pick() and current_index() may be called
// from any thread at any time. start() and stop() are called by the owner,
// never from a pool thread (stop() joins them).

#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>

#include <atomic>
#include <cstddef>
#include <memory>
#include <thread>
#include <vector>

namespace robust::net {

class io_pool {
public:
    /// `threads` == 0 means one per core (std::thread::hardware_concurrency(),
    /// at least 1). The contexts exist from here on; threads start in start().
    explicit io_pool(size_t threads);
    ~io_pool();
    io_pool(const io_pool&) = delete;
    io_pool& operator=(const io_pool&) = delete;

    size_t size() const noexcept { return contexts_.size(); }

    /// Context `i` (< size()). The pool owns it; it lives as long as the pool.
    asio::io_context& context(size_t i);

    /// The context index for the next new connection: round robin.
    size_t pick() noexcept;

    /// Starts one thread per context. Calling it twice is a no-op.
    void start();

    /// Stops every context (handlers not yet run are not run) and joins the
    /// threads. Idempotent. Connections should be closed before this: a
    /// handler dropped here destroys whatever it owns on the calling thread.
    void stop();

    /// Index of the calling thread in this pool, or SIZE_MAX when called
    /// from any other thread (including another pool's).
    size_t current_index() const noexcept;

private:
    void run(size_t index);

    std::vector<std::unique_ptr<asio::io_context>> contexts_;
    std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards_;
    std::vector<std::thread> threads_;
    std::atomic<size_t> next_{0};
    bool started_ = false;
    bool stopped_ = false;
};

}  // namespace robust::net
