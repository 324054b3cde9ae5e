#pragma once
// The small handles the registry gives to the storage engines, so that
// storage/ can record its metrics without seeing prometheus types.

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "metrics/samples.h"

namespace robust::metrics {

class registry;

namespace detail {
struct journal_series;  // src/families.h
}  // namespace detail

/// The storage engines, label `engine` of the robustmq_journal_* families.
enum class journal_engine : uint8_t { rocksdb, memory, count_ };

/// A source registered with registry::add_storage_source: while this object
/// lives, the registry calls the source at every scrape.
///
/// Created by the registry, owned by whoever registered the source (the
/// journal keeps one as a member). reset() or the destructor unregisters: it
/// waits for a scrape in progress, and once it returns the source is never
/// called again, so a journal resets it before closing what the source reads.
/// The registry must outlive it. Not thread-safe itself: one owner.
class source_registration {
public:
    source_registration() = default;
    source_registration(source_registration&& o) noexcept;
    source_registration& operator=(source_registration&& o) noexcept;
    source_registration(const source_registration&) = delete;
    source_registration& operator=(const source_registration&) = delete;
    ~source_registration() { reset(); }

    void reset() noexcept;
    bool active() const noexcept { return registry_ != nullptr; }

private:
    friend class registry;
    source_registration(registry* r, uint64_t id) noexcept : registry_(r), id_(id) {}

    registry* registry_ = nullptr;
    uint64_t id_ = 0;
};

/// What one journal engine records: per group commit, never per record, so
/// the writer thread pays a clock read and a few atomic adds per batch.
///
/// Obtained from registry::journal(engine) and passed to the journal in its
/// options; a default-constructed handle is disabled and every call is a
/// no-op. A cheap copyable value pointing into the registry, which must
/// outlive every copy. Thread-safe: any thread may call it.
class journal_metrics {
public:
    journal_metrics() = default;

    bool enabled() const noexcept { return series_ != nullptr; }

    /// One group commit written: `latency` from the writer taking the batch
    /// off its queue until the write had its durability, `appends` append
    /// requests carrying `records` records of `bytes` payload bytes in all
    /// (index pointer records not counted).
    void observe_commit(std::chrono::nanoseconds latency, uint64_t appends, uint64_t records,
                        uint64_t bytes) const noexcept;
    /// A group-commit write failed; its `appends` append requests got io_error.
    void count_failed_write(uint64_t appends) const noexcept;

    /// registry::add_storage_source on the registry this handle came from;
    /// an inactive registration when the handle is disabled.
    [[nodiscard]] source_registration add_storage_source(
        std::string store, std::function<storage_sample()> source) const;

private:
    friend class registry;
    journal_metrics(registry* r, detail::journal_series* s) noexcept : registry_(r), series_(s) {}

    registry* registry_ = nullptr;
    detail::journal_series* series_ = nullptr;
};

}  // namespace robust::metrics
