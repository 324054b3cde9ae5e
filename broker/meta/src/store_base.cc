#include "store_base.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <exception>
#include <iterator>
#include <utility>

#include "base/assert.h"
#include "base/errc.h"

namespace robust::meta::detail {
namespace {

// One writer round merges queued requests up to this much key+value data, so
// one huge backlog does not become one huge WriteBatch.
constexpr size_t max_round_bytes = 4 << 20;

size_t batch_bytes(const std::vector<mutation>& batch) {
    size_t n = 0;
    for (const auto& m : batch) n += m.key.size() + (m.value ? m.value->size() : 0);
    return n;
}

}  // namespace

status check_batch(const std::vector<mutation>& batch) {
    for (const auto& m : batch) {
        if (m.key.empty()) return errc::invalid_argument;
    }
    return {};
}

store_base::~store_base() {
    // The derived destructor has already stopped the writer; this only
    // catches a derived class that forgot to.
    BROKER_ASSERT(!writer_.joinable(), "meta store destroyed without stop()");
}

void store_base::start_writer() {
    writer_ = std::thread([this] { writer_loop(); });
    writer_id_ = writer_.get_id();
}

result<std::optional<std::string>> store_base::get(std::string_view key) const {
    if (key.empty()) return std::optional<std::string>();
    return engine_get(key);
}

status store_base::put(std::string_view key, std::string_view value) {
    std::vector<mutation> batch;
    batch.push_back(mutation{std::string(key), std::string(value)});
    return write(std::move(batch));
}

status store_base::erase(std::string_view key) {
    std::vector<mutation> batch;
    batch.push_back(mutation{std::string(key), std::nullopt});
    return write(std::move(batch));
}

result<std::vector<kv>> store_base::scan(std::string_view prefix, size_t limit,
                                         std::string_view start_after) const {
    if (limit == 0) return std::vector<kv>();
    return engine_scan(prefix, limit, start_after);
}

result<bool> store_base::compare_and_set(std::string_view key,
                                         const std::optional<std::string>& expected,
                                         const std::optional<std::string>& desired) {
    if (key.empty()) return errc::invalid_argument;
    std::lock_guard lock(write_mu_);
    auto current = engine_get(key);
    if (!current.has_value()) return current.error();
    if (*current != expected) return false;
    std::vector<mutation> batch;
    batch.push_back(mutation{std::string(key), desired});
    if (auto st = write_locked(batch); !st.has_value()) return st.error();
    return true;
}

status store_base::write(std::vector<mutation> batch) {
    if (auto st = check_batch(batch); !st.has_value()) return st;
    if (batch.empty()) return {};
    std::lock_guard lock(write_mu_);
    return write_locked(batch);
}

status store_base::write_locked(const std::vector<mutation>& batch) {
    if (auto st = engine_write(batch); !st.has_value()) return st;
    notify_locked(batch);
    return {};
}

void store_base::notify_locked(const std::vector<mutation>& batch) {
    std::vector<std::shared_ptr<watch_entry>> watches;
    {
        std::lock_guard lock(watch_mu_);
        if (watches_.empty()) return;
        watches = watches_;
    }
    notifying_thread_.store(std::this_thread::get_id());
    for (const auto& m : batch) {
        for (const auto& w : watches) {
            if (w->removed.load() || !m.key.starts_with(w->prefix)) continue;
            try {
                w->cb(m);
            } catch (const std::exception& e) {
                // A watcher's bug must not take the store's writer down with it.
                spdlog::error("meta: watch callback for prefix '{}' threw: {}", w->prefix,
                              e.what());
            } catch (...) {
                spdlog::error("meta: watch callback for prefix '{}' threw", w->prefix);
            }
        }
    }
    notifying_thread_.store(std::thread::id());
}

void store_base::apply_async(std::vector<mutation> batch, std::function<void(status)> cb) {
    std::optional<errc> refusal;
    {
        std::lock_guard lock(queue_mu_);
        if (stopping_) {
            refusal = errc::shutting_down;
        } else if (queue_.size() >= max_queued_requests) {
            refusal = errc::limit_exceeded;
        } else {
            queue_.push_back(request{std::move(batch), std::move(cb)});
        }
    }
    if (!refusal) {
        queue_cv_.notify_one();
        return;
    }
    // Refused work never reaches the writer: tell the caller here, on its thread.
    if (cb) cb(*refusal);
}

void store_base::writer_loop() {
    std::vector<request> round;
    std::vector<mutation> merged;
    while (true) {
        {
            std::unique_lock lock(queue_mu_);
            queue_cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
            if (queue_.empty()) return;  // stopping, and everything is drained
            size_t bytes = 0;
            while (!queue_.empty() && (round.empty() || bytes < max_round_bytes)) {
                bytes += batch_bytes(queue_.front().batch);
                round.push_back(std::move(queue_.front()));
                queue_.pop_front();
            }
        }

        // Invalid requests fail alone; the rest become one engine write.
        std::vector<size_t> merged_requests;
        for (size_t i = 0; i < round.size(); ++i) {
            if (auto st = check_batch(round[i].batch); !st.has_value()) {
                if (round[i].cb) round[i].cb(st);
                continue;
            }
            merged_requests.push_back(i);
            std::move(round[i].batch.begin(), round[i].batch.end(), std::back_inserter(merged));
        }
        status st;
        if (!merged.empty()) {
            std::lock_guard lock(write_mu_);
            st = write_locked(merged);
        }
        for (size_t i : merged_requests) {
            if (round[i].cb) round[i].cb(st);
        }
        round.clear();
        merged.clear();
    }
}

watch_id store_base::watch(std::string_view prefix, watch_callback cb) {
    auto entry = std::make_shared<watch_entry>();
    entry->prefix = std::string(prefix);
    entry->cb = std::move(cb);
    std::lock_guard lock(watch_mu_);
    entry->id = next_watch_id_++;
    watches_.push_back(entry);
    return entry->id;
}

void store_base::unwatch(watch_id id) {
    {
        std::lock_guard lock(watch_mu_);
        auto it = std::find_if(watches_.begin(), watches_.end(),
                               [id](const auto& w) { return w->id == id; });
        if (it == watches_.end()) return;
        (*it)->removed.store(true);
        watches_.erase(it);
    }
    // Notifications run under write_mu_: taking it once means a callback that
    // is running right now on another thread has returned, so the caller may
    // free what the callback uses. From inside a callback there is nothing
    // to wait for (and waiting would deadlock).
    if (notifying_thread_.load() != std::this_thread::get_id()) {
        std::lock_guard barrier(write_mu_);
    }
}

void store_base::stop() {
    {
        std::lock_guard lock(queue_mu_);
        stopping_ = true;
    }
    queue_cv_.notify_all();
    // From a callback on the writer itself: it exits once drained; the
    // destructor joins it.
    if (std::this_thread::get_id() == writer_id_) return;
    std::call_once(stop_once_, [this] {
        if (writer_.joinable()) writer_.join();
    });
}

}  // namespace robust::meta::detail
