#include "net/io_pool.h"

#include <pthread.h>
#include <spdlog/spdlog.h>

#include <cstdint>
#include <exception>
#include <string>

#include "base/assert.h"

namespace robust::net {
namespace {
// Which pool and slot the current thread runs; the pool pointer keeps two
// pools in one process (tests) from answering for each other's threads.
thread_local const io_pool* tl_pool = nullptr;
thread_local size_t tl_index = SIZE_MAX;
}  // namespace

io_pool::io_pool(size_t threads) {
    if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
    contexts_.reserve(threads);
    guards_.reserve(threads);
    for (size_t i = 0; i < threads; ++i) {
        // Concurrency hint 1: exactly one thread runs each context.
        contexts_.push_back(std::make_unique<asio::io_context>(1));
        guards_.push_back(asio::make_work_guard(*contexts_.back()));
    }
}

io_pool::~io_pool() {
    stop();
}

asio::io_context& io_pool::context(size_t i) {
    BROKER_ASSERT(i < contexts_.size(), "io_pool::context(" << i << ") of " << contexts_.size());
    return *contexts_[i];
}

size_t io_pool::pick() noexcept {
    return next_.fetch_add(1, std::memory_order_relaxed) % contexts_.size();
}

void io_pool::start() {
    if (started_ || stopped_) return;
    started_ = true;
    threads_.reserve(contexts_.size());
    for (size_t i = 0; i < contexts_.size(); ++i) threads_.emplace_back([this, i] { run(i); });
}

void io_pool::stop() {
    if (stopped_) return;
    BROKER_ASSERT(tl_pool != this, "io_pool::stop() called from its own thread " << tl_index);
    stopped_ = true;
    for (auto& g : guards_) g.reset();
    for (auto& c : contexts_) c->stop();
    for (auto& t : threads_) t.join();
    threads_.clear();
}

size_t io_pool::current_index() const noexcept {
    return tl_pool == this ? tl_index : SIZE_MAX;
}

void io_pool::run(size_t index) {
    tl_pool = this;
    tl_index = index;
    const std::string name = "io-" + std::to_string(index);
    pthread_setname_np(pthread_self(), name.substr(0, 15).c_str());
    auto& ctx = *contexts_[index];
    // A handler that throws has already lost its own connection; keep the
    // thread serving every other connection on it.
    for (;;) {
        try {
            ctx.run();
            break;
        } catch (const std::exception& e) {
            spdlog::error("io thread {}: handler threw: {}", index, e.what());
        } catch (...) {
            spdlog::error("io thread {}: handler threw a non-std exception", index);
        }
    }
    tl_pool = nullptr;
    tl_index = SIZE_MAX;
}

}  // namespace robust::net
