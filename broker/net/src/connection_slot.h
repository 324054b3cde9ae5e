#pragma once
// connection_slot: one unit of a listener's live-connection count, held by
// the connection from accept until its transport is destroyed. The count is
// shared (not owned by the listener) so a connection may outlive its
// listener.

#include <atomic>
#include <cstddef>
#include <memory>
#include <utility>

namespace robust::net::detail {

class connection_slot {
public:
    connection_slot() = default;
    /// Takes a slot that the caller has already counted (fetch_add).
    explicit connection_slot(std::shared_ptr<std::atomic<size_t>> count)
        : count_(std::move(count)) {}
    connection_slot(connection_slot&&) noexcept = default;
    connection_slot& operator=(connection_slot&& other) noexcept {
        if (this != &other) {
            release();
            count_ = std::move(other.count_);
        }
        return *this;
    }
    ~connection_slot() { release(); }

private:
    void release() noexcept {
        if (count_) count_->fetch_sub(1, std::memory_order_acq_rel);
        count_.reset();
    }

    std::shared_ptr<std::atomic<size_t>> count_;
};

}  // namespace robust::net::detail
