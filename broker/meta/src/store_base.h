#pragma once
// store_base: everything the RocksDB and memory meta stores share, so the two
// cannot drift apart in semantics: argument checks, the write lock that makes
// compare_and_set atomic and orders watch notifications, the watch registry,
// and the apply_async writer thread with its batching.
//
// An engine implements only engine_get / engine_scan / engine_write. The
// derived class must call start_writer() at the end of its constructor and
// stop() at the start of its destructor, because the writer thread calls the
// engine's virtual functions and must be gone before the engine is.

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "meta/meta_store.h"

namespace robust::meta::detail {

class store_base : public meta_store {
public:
    store_base() = default;
    store_base(const store_base&) = delete;
    store_base& operator=(const store_base&) = delete;
    ~store_base() override;

    result<std::optional<std::string>> get(std::string_view key) const final;
    status put(std::string_view key, std::string_view value) final;
    status erase(std::string_view key) final;
    result<std::vector<kv>> scan(std::string_view prefix, size_t limit,
                                 std::string_view start_after) const final;
    result<bool> compare_and_set(std::string_view key, const std::optional<std::string>& expected,
                                 const std::optional<std::string>& desired) final;
    status write(std::vector<mutation> batch) final;
    void apply_async(std::vector<mutation> batch, std::function<void(status)> cb) final;
    watch_id watch(std::string_view prefix, watch_callback cb) final;
    void unwatch(watch_id id) final;
    void stop() final;

    /// apply_async requests that may wait for the writer; more are refused
    /// with limit_exceeded, so a stalled disk cannot grow memory without bound.
    static constexpr size_t max_queued_requests = 65536;

protected:
    void start_writer();

    virtual result<std::optional<std::string>> engine_get(std::string_view key) const = 0;
    /// Keys with `prefix`, ascending, strictly after `start_after` (if
    /// non-empty), at most `limit`.
    virtual result<std::vector<kv>> engine_scan(std::string_view prefix, size_t limit,
                                                std::string_view start_after) const = 0;
    /// All of `batch` atomically and durably (for the engine's durability).
    virtual status engine_write(const std::vector<mutation>& batch) = 0;

private:
    struct watch_entry {
        watch_id id;
        std::string prefix;
        watch_callback cb;
        std::atomic<bool> removed{false};
    };
    struct request {
        std::vector<mutation> batch;
        std::function<void(status)> cb;
    };

    // Engine write plus notifications; the caller holds write_mu_.
    status write_locked(const std::vector<mutation>& batch);
    void notify_locked(const std::vector<mutation>& batch);
    void writer_loop();

    // Serialises every write, so compare_and_set is a plain read-modify-write
    // and watchers see changes in commit order. Held while watch callbacks
    // run, which is why they must not write to the store synchronously.
    std::mutex write_mu_;
    std::atomic<std::thread::id> notifying_thread_{};

    mutable std::mutex watch_mu_;
    std::vector<std::shared_ptr<watch_entry>> watches_;
    watch_id next_watch_id_ = 1;

    std::mutex queue_mu_;
    std::condition_variable queue_cv_;
    std::deque<request> queue_;
    bool stopping_ = false;
    std::once_flag stop_once_;
    std::thread writer_;
    std::thread::id writer_id_;  // set once by start_writer(); read by stop() on any thread
};

/// Empty keys are refused with invalid_argument by every write.
status check_batch(const std::vector<mutation>& batch);

}  // namespace robust::meta::detail
