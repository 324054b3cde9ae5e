#pragma once
// A FIFO that allocates nothing until its first element. libstdc++'s
// std::deque allocates its map and a 512-byte node as soon as it is
// constructed: with a few deques per connection that was most of an idle
// MQTT connection's memory (100,000 connections: ~100 MB for empty queues).
// Once used, the storage is kept until clear(), so a busy queue does not
// allocate per element.

#include <deque>
#include <memory>

namespace robust {

template <class T>
class lazy_deque {
public:
    using iterator = typename std::deque<T>::iterator;
    using const_iterator = typename std::deque<T>::const_iterator;

    bool empty() const noexcept { return !items_ || items_->empty(); }
    size_t size() const noexcept { return items_ ? items_->size() : 0; }
    T& front() { return items_->front(); }
    const T& front() const { return items_->front(); }
    void push_back(T value) {
        if (!items_) items_ = std::make_unique<std::deque<T>>();
        items_->push_back(std::move(value));
    }
    void pop_front() { items_->pop_front(); }
    /// Also gives the storage back.
    void clear() noexcept { items_.reset(); }

    // Value-initialized iterators compare equal: an unused queue is an
    // empty range.
    iterator begin() { return items_ ? items_->begin() : iterator{}; }
    iterator end() { return items_ ? items_->end() : iterator{}; }
    const_iterator begin() const { return items_ ? items_->cbegin() : const_iterator{}; }
    const_iterator end() const { return items_ ? items_->cend() : const_iterator{}; }

private:
    std::unique_ptr<std::deque<T>> items_;
};

}  // namespace robust
