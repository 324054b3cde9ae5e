// The memory engine: every shard is a bounded ring of records in RAM.
//
// It keeps the RocksDB engine's threading on purpose: appends are queued to a
// writer thread that assigns offsets in queue order and runs the callbacks
// there, and read_async() runs on a reader pool. Code tested against this
// engine therefore sees the same callback threads as in production.
//
// Locking: mu_ guards the shards and positions (shared for reads, exclusive
// for changes); q_mu_ guards the append queue; observers_mu_ guards the
// observer list. mu_ is never taken while q_mu_ is held; observers_mu_ is
// never held with another.

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <span>
#include <thread>
#include <tuple>
#include <unordered_map>
#include <utility>

#include "base/clock.h"
#include "base/errc.h"
#include "codec.h"
#include "storage/journal.h"
#include "task_pool.h"

namespace robust::storage {
namespace {

struct memory_shard {
    shard_id id;
    std::string name;
    shard_options options;
    // In offset order, dense; records.front() contains `earliest` (a batch
    // may start below it: earliest is logical, as in the RocksDB engine).
    std::deque<record> records;
    int64_t earliest = 0;
    int64_t next = 0;
    int64_t bytes = 0;

    // Drops the oldest stored record; earliest moves to the next one's base.
    void pop_front() {
        bytes -= detail::record_payload_bytes(records.front());
        earliest = std::max(earliest, records.front().last_offset() + 1);
        records.pop_front();
    }
    // The first stored record whose last offset is >= offset.
    std::deque<record>::const_iterator containing(int64_t offset) const {
        return std::partition_point(records.begin(), records.end(),
                                    [offset](const record& r) { return r.last_offset() < offset; });
    }
};

class memory_journal final : public journal {
public:
    explicit memory_journal(const memory_journal_options& opts)
        : opts_(opts), readers_(opts.reader_threads) {
        writer_ = std::thread([this] { writer_loop(); });
        if (opts_.retention_interval_ms > 0) {
            retention_ = std::thread([this] { retention_loop(); });
        }
    }
    ~memory_journal() override { stop(); }

    result<shard_id> create_shard(std::string_view name, const shard_options& opts) override {
        if (name.empty()) return errc::invalid_argument;
        if (stopped()) return errc::shutting_down;
        std::unique_lock lk(mu_);
        if (auto it = names_.find(name); it != names_.end()) return it->second;
        auto s = std::make_unique<memory_shard>();
        s->id = shard_id(next_id_++);
        s->name = std::string(name);
        s->options = opts;
        const auto id = s->id;
        names_.emplace(s->name, id);
        shards_.emplace(id, std::move(s));
        return id;
    }

    result<shard_id> find_shard(std::string_view name) const override {
        std::shared_lock lk(mu_);
        auto it = names_.find(name);
        if (it == names_.end()) return errc::not_found;
        return it->second;
    }

    status delete_shard(shard_id id) override {
        if (stopped()) return errc::shutting_down;
        std::unique_lock lk(mu_);
        auto it = shards_.find(id);
        if (it == shards_.end()) return errc::not_found;
        names_.erase(it->second->name);
        shards_.erase(it);
        std::erase_if(positions_, [id](const auto& p) { return p.first.first == id; });
        return {};
    }

    result<shard_info> describe_shard(shard_id id) const override {
        std::shared_lock lk(mu_);
        const auto* s = find(id);
        if (s == nullptr) return errc::not_found;
        return info(*s);
    }

    std::vector<shard_info> list_shards() const override {
        std::shared_lock lk(mu_);
        std::vector<shard_info> out;
        out.reserve(shards_.size());
        for (const auto& [id, s] : shards_) out.push_back(info(*s));
        std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
        return out;
    }

    void append(append_request req, append_callback cb) override {
        pending p{std::move(req), std::move(cb)};
        if (opts_.metrics.enabled()) {
            p.records = p.req.records.size();
            for (const auto& r : p.req.records) {
                p.payload += static_cast<uint64_t>(detail::record_payload_bytes(r));
            }
        }
        {
            std::lock_guard lk(q_mu_);
            if (!stopping_) {
                queue_.push_back(std::move(p));
                ++queued_requests_;
                q_cv_.notify_one();
                return;
            }
        }
        p.cb(errc::shutting_down);  // no writer thread is left to run it
    }

    result<std::vector<record>> read(shard_id id, int64_t from, size_t max_records,
                                     size_t max_bytes) const override {
        std::shared_lock lk(mu_);
        const auto* s = find(id);
        if (s == nullptr) return errc::not_found;
        std::vector<record> out;
        size_t bytes = 0;
        for (auto it = s->containing(std::max(from, s->earliest));
             it != s->records.end() && out.size() < max_records; ++it) {
            if (!out.empty() && bytes + it->value.size() > max_bytes) break;
            bytes += it->value.size();
            out.push_back(*it);
        }
        return out;
    }

    void read_async(shard_id id, int64_t from, size_t max_records, size_t max_bytes,
                    read_callback cb) const override {
        auto shared_cb = std::make_shared<read_callback>(std::move(cb));
        const bool posted = readers_.post([this, id, from, max_records, max_bytes, shared_cb] {
            (*shared_cb)(read(id, from, max_records, max_bytes));
        });
        if (!posted) (*shared_cb)(errc::shutting_down);
    }

    result<int64_t> earliest(shard_id id) const override {
        std::shared_lock lk(mu_);
        const auto* s = find(id);
        if (s == nullptr) return errc::not_found;
        return s->earliest;
    }

    result<int64_t> next_offset(shard_id id) const override {
        std::shared_lock lk(mu_);
        const auto* s = find(id);
        if (s == nullptr) return errc::not_found;
        return s->next;
    }

    result<int64_t> offset_for_time(shard_id id, int64_t ts_ms) const override {
        std::shared_lock lk(mu_);
        const auto* s = find(id);
        if (s == nullptr) return errc::not_found;
        return first_at_or_after(*s, ts_ms);
    }

    status truncate_before(shard_id id, int64_t offset) override {
        if (stopped()) return errc::shutting_down;
        std::unique_lock lk(mu_);
        auto* s = find(id);
        if (s == nullptr) return errc::not_found;
        truncate(*s, offset);
        return {};
    }

    status apply_retention() override {
        if (stopped()) return errc::shutting_down;
        const int64_t now = now_unix_ms();
        std::unique_lock lk(mu_);
        for (auto& [id, s] : shards_) {
            const auto& policy = s->options.retention;
            if (policy.max_age_ms > 0) truncate(*s, first_at_or_after(*s, now - policy.max_age_ms));
            if (policy.max_bytes > 0) {
                while (s->bytes > policy.max_bytes && !s->records.empty()) s->pop_front();
            }
        }
        return {};
    }

    status commit_position(std::string_view group, shard_id id, int64_t next) override {
        if (group.empty() || next < 0) return errc::invalid_argument;
        if (stopped()) return errc::shutting_down;
        std::unique_lock lk(mu_);
        if (find(id) == nullptr) return errc::not_found;
        positions_[{id, std::string(group)}] = next;
        return {};
    }

    result<int64_t> committed_position(std::string_view group, shard_id id) const override {
        std::shared_lock lk(mu_);
        auto it = positions_.find({id, std::string(group)});
        if (it == positions_.end()) return errc::not_found;
        return it->second;
    }

    std::vector<position_entry> list_positions(std::string_view group_prefix) const override {
        std::vector<position_entry> out;
        {
            std::shared_lock lk(mu_);
            for (const auto& [k, v] : positions_) {
                if (k.second.starts_with(group_prefix)) out.push_back({k.second, k.first, v});
            }
        }
        std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
            return std::tie(a.group, a.shard) < std::tie(b.group, b.shard);
        });
        return out;
    }

    status delete_positions(std::string_view group) override {
        if (group.empty()) return errc::invalid_argument;
        if (stopped()) return errc::shutting_down;
        std::unique_lock lk(mu_);
        std::erase_if(positions_, [group](const auto& p) { return p.first.second == group; });
        return {};
    }

    void add_append_observer(append_observer obs) override {
        std::lock_guard lk(observers_mu_);
        auto next = observers_ ? std::make_shared<std::vector<append_observer>>(*observers_)
                               : std::make_shared<std::vector<append_observer>>();
        next->push_back(std::move(obs));
        observers_ = std::move(next);
    }

    status flush() override {
        // Nothing is durable here; waiting for the queue to drain still gives
        // callers the "everything appended so far has completed" guarantee.
        std::unique_lock lk(q_mu_);
        const uint64_t target = queued_requests_;
        done_cv_.wait(lk, [&] { return completed_requests_ >= target || writer_exited_; });
        return {};
    }

    void stop() override {
        std::lock_guard stop_lk(stop_mu_);
        {
            std::lock_guard lk(q_mu_);
            stopping_ = true;
        }
        q_cv_.notify_all();
        stop_cv_.notify_all();
        if (writer_.joinable()) writer_.join();
        if (retention_.joinable()) retention_.join();
        readers_.stop();
    }

private:
    struct pending {
        append_request req;
        append_callback cb;
        // For the metrics only (apply() moves the records out).
        uint64_t records = 0;
        uint64_t payload = 0;
    };

    bool stopped() const {
        std::lock_guard lk(q_mu_);
        return stopping_;
    }

    memory_shard* find(shard_id id) const {
        auto it = shards_.find(id);
        return it == shards_.end() ? nullptr : it->second.get();
    }

    static shard_info info(const memory_shard& s) {
        return {s.id, s.name, s.options, s.earliest, s.next, s.bytes};
    }

    // Stored-record granularity, as in the RocksDB engine: a batch answers
    // with its base offset, raised to earliest if it straddles it.
    static int64_t first_at_or_after(const memory_shard& s, int64_t ts_ms) {
        for (const auto& r : s.records) {
            if (r.timestamp_ms >= ts_ms) return std::max(r.offset, s.earliest);
        }
        return s.next;
    }

    // A batch containing `offset` stays stored; earliest becomes `offset`.
    static void truncate(memory_shard& s, int64_t offset) {
        offset = std::min(offset, s.next);
        while (!s.records.empty() && s.records.front().last_offset() < offset) s.pop_front();
        s.earliest = std::max(s.earliest, offset);
    }

    void push(memory_shard& s, record r) {
        r.offset = s.next;
        s.next += r.offset_count;
        s.bytes += detail::record_payload_bytes(r);
        s.records.push_back(std::move(r));
        while (s.records.size() > opts_.max_records_per_shard) s.pop_front();
    }

    // Caller holds mu_ exclusively.
    result<append_result> apply(append_request& req, int64_t now) {
        auto* target = find(req.shard);
        if (target == nullptr) return errc::not_found;
        std::vector<memory_shard*> index;
        index.reserve(req.index_shards.size());
        for (auto id : req.index_shards) {
            auto* s = find(id);
            if (s == nullptr) return errc::not_found;
            index.push_back(s);
        }
        for (const auto& r : req.records) {
            if (r.offset_count == 0) return errc::invalid_argument;
        }
        append_result res;
        res.first_offset = target->next;
        for (auto* s : index) res.index_first_offsets.push_back(s->next);
        for (auto& r : req.records) {
            if (r.timestamp_ms == 0) r.timestamp_ms = now;
            const index_pointer ptr{req.shard, target->next};
            const int64_t ts = r.timestamp_ms;
            push(*target, std::move(r));
            for (auto* s : index) {
                record p;
                p.timestamp_ms = ts;
                p.value = shared_buffer(ptr.encode());
                push(*s, std::move(p));
            }
        }
        if (!req.records.empty()) {
            progress_.push_back({target->id, target->next});
            for (auto* s : index) progress_.push_back({s->id, s->next});
        }
        return res;
    }

    // The shards that received records in one batch, each once with its
    // final next offset, to every observer.
    void notify_observers() {
        if (progress_.empty()) return;
        // Within a batch next offsets only grow: the largest per shard wins,
        // so sort it first in its shard and keep the first of each shard.
        std::sort(progress_.begin(), progress_.end(), [](const auto& a, const auto& b) {
            return a.shard != b.shard ? a.shard < b.shard : a.next_offset > b.next_offset;
        });
        progress_.erase(
            std::unique(progress_.begin(), progress_.end(),
                        [](const auto& a, const auto& b) { return a.shard == b.shard; }),
            progress_.end());
        std::shared_ptr<const std::vector<append_observer>> observers;
        {
            std::lock_guard lk(observers_mu_);
            observers = observers_;
        }
        if (observers) {
            for (const auto& obs : *observers) obs(progress_);
        }
        progress_.clear();
    }

    void writer_loop() {
        std::vector<pending> batch;
        std::vector<result<append_result>> results;
        for (;;) {
            {
                std::unique_lock lk(q_mu_);
                q_cv_.wait(lk, [this] { return stopping_ || !queue_.empty(); });
                if (queue_.empty()) break;  // stopping and drained
                const size_t n = std::min(queue_.size(), max_batch_requests);
                for (size_t i = 0; i < n; ++i) {
                    batch.push_back(std::move(queue_.front()));
                    queue_.pop_front();
                }
            }
            const bool metered = opts_.metrics.enabled();
            const auto taken = metered ? steady_clock::now() : steady_clock::time_point();
            {
                std::unique_lock lk(mu_);
                const int64_t now = now_unix_ms();
                for (auto& p : batch) results.push_back(apply(p.req, now));
            }
            if (metered) record_metrics(taken, batch, results);
            for (size_t i = 0; i < batch.size(); ++i) batch[i].cb(std::move(results[i]));
            notify_observers();
            {
                std::lock_guard lk(q_mu_);
                completed_requests_ += batch.size();
            }
            batch.clear();
            results.clear();
            done_cv_.notify_all();
        }
        {
            std::lock_guard lk(q_mu_);
            writer_exited_ = true;
        }
        done_cv_.notify_all();
    }

    // One batch of appends applied: `taken` is when the writer dequeued it.
    void record_metrics(steady_clock::time_point taken, const std::vector<pending>& batch,
                        const std::vector<result<append_result>>& results) const {
        uint64_t appends = 0;
        uint64_t records = 0;
        uint64_t payload = 0;
        for (size_t i = 0; i < batch.size(); ++i) {
            if (!results[i]) continue;
            ++appends;
            records += batch[i].records;
            payload += batch[i].payload;
        }
        if (appends > 0) {
            opts_.metrics.observe_commit(steady_clock::now() - taken, appends, records, payload);
        }
    }

    void retention_loop() {
        std::unique_lock lk(q_mu_);
        while (!stopping_) {
            if (stop_cv_.wait_for(lk, std::chrono::milliseconds(opts_.retention_interval_ms),
                                  [this] { return stopping_; })) {
                break;
            }
            lk.unlock();
            ignore_result(apply_retention());
            lk.lock();
        }
    }

    static constexpr size_t max_batch_requests = 4096;

    const memory_journal_options opts_;

    mutable std::shared_mutex mu_;
    std::unordered_map<shard_id, std::unique_ptr<memory_shard>> shards_;
    std::map<std::string, shard_id, std::less<>> names_;
    std::map<std::pair<shard_id, std::string>, int64_t> positions_;
    uint64_t next_id_ = 1;  // 0 is never a valid id

    mutable std::mutex q_mu_;
    std::condition_variable q_cv_;
    std::condition_variable done_cv_;
    std::deque<pending> queue_;
    bool stopping_ = false;
    bool writer_exited_ = false;
    uint64_t queued_requests_ = 0;     // appends ever queued
    uint64_t completed_requests_ = 0;  // appends whose callbacks have run (FIFO)
    std::condition_variable stop_cv_;  // wakes the retention thread at stop()

    // Copied on write: the writer takes the pointer under the lock and calls
    // the observers without it.
    std::mutex observers_mu_;
    std::shared_ptr<const std::vector<append_observer>> observers_;
    std::vector<shard_progress> progress_;  // writer thread only: the current batch

    std::mutex stop_mu_;
    std::thread writer_;
    std::thread retention_;
    mutable detail::task_pool readers_;
};

}  // namespace

std::unique_ptr<journal> make_memory_journal(const memory_journal_options& opts) {
    return std::make_unique<memory_journal>(opts);
}

}  // namespace robust::storage
