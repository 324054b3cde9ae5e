#pragma once
// task_pool: a few threads running queued tasks in FIFO order. The engines use
// one as their reader pool, so read_async() keeps blocking engine reads off the
// caller's I/O thread.
//
// Created and stopped by the journal that owns it. post() may be called from
// any thread; it returns false once stop() has begun, and the caller then
// completes the work itself. stop() runs what is already queued, then joins.

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace robust::storage::detail {

class task_pool {
public:
    explicit task_pool(size_t threads) {
        if (threads == 0) threads = 1;
        threads_.reserve(threads);
        for (size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { run(); });
    }
    task_pool(const task_pool&) = delete;
    task_pool& operator=(const task_pool&) = delete;
    ~task_pool() { stop(); }

    [[nodiscard]] bool post(std::function<void()> task) {
        {
            std::lock_guard lk(mu_);
            if (stopping_) return false;
            tasks_.push_back(std::move(task));
        }
        cv_.notify_one();
        return true;
    }

    void stop() {
        {
            std::lock_guard lk(mu_);
            stopping_ = true;
        }
        cv_.notify_all();
        for (auto& t : threads_) {
            if (t.joinable()) t.join();
        }
    }

private:
    void run() {
        for (;;) {
            std::function<void()> task;
            {
                std::unique_lock lk(mu_);
                cv_.wait(lk, [this] { return stopping_ || !tasks_.empty(); });
                if (tasks_.empty()) return;  // stopping and drained
                task = std::move(tasks_.front());
                tasks_.pop_front();
            }
            task();
        }
    }

    std::mutex mu_;
    std::condition_variable cv_;
    std::deque<std::function<void()>> tasks_;
    bool stopping_ = false;
    std::vector<std::thread> threads_;
};

}  // namespace robust::storage::detail
