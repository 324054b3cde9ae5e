#pragma once
// MetaStore: the key-value interface all metadata goes through.
//
// Single node: backed by a local RocksDB (make_rocksdb_meta_store). In a
// cluster the same interface will be backed by a Raft log applied to each
// node's RocksDB: this interface is that seam, so keep callers to it.
//
// Keys are '/'-separated paths with a type prefix (see meta/model.h).
// Threading: every method may be called from any thread. The synchronous
// calls block on the engine: never call them from an I/O thread; use
// apply_async there, whose callback runs on the store's writer thread.
// Watch callbacks run on the thread that applied the change, after it is
// durable, in commit order, and must not block or write to the store
// synchronously (they run under the store's write lock; apply_async and
// unwatch are fine). Once unwatch(id) returns, that callback will not be
// called again and, unless unwatch was called from a callback, is not running.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"

namespace robust::meta {

struct mutation {
    std::string key;
    std::optional<std::string> value;  // nullopt deletes the key
};

using kv = std::pair<std::string, std::string>;
using watch_id = uint64_t;
using watch_callback = std::function<void(const mutation&)>;

class meta_store {
public:
    virtual ~meta_store() = default;

    /// nullopt when absent. Errors: io_error.
    virtual result<std::optional<std::string>> get(std::string_view key) const = 0;
    /// Errors: invalid_argument (empty key), io_error. Every write below
    /// refuses empty keys the same way.
    virtual status put(std::string_view key, std::string_view value) = 0;
    /// Deleting an absent key succeeds.
    virtual status erase(std::string_view key) = 0;
    /// Keys starting with `prefix`, in key order, at most `limit`, starting
    /// after `start_after` when it is non-empty (for paging).
    virtual result<std::vector<kv>> scan(std::string_view prefix, size_t limit = SIZE_MAX,
                                         std::string_view start_after = {}) const = 0;
    /// Writes `desired` (nullopt deletes) only if the current value equals
    /// `expected` (nullopt = absent). Returns whether it wrote.
    virtual result<bool> compare_and_set(std::string_view key,
                                         const std::optional<std::string>& expected,
                                         const std::optional<std::string>& desired) = 0;
    /// All mutations atomically.
    virtual status write(std::vector<mutation> batch) = 0;
    /// write() on the store's writer thread; cb (may be empty) runs there.
    /// Queued batches are merged into one engine write. Refused work
    /// (shutting_down after stop(), limit_exceeded when too much is queued)
    /// gets its cb on the calling thread instead, before apply_async returns.
    virtual void apply_async(std::vector<mutation> batch, std::function<void(status)> cb) = 0;

    /// Calls cb for every later mutation of a key starting with `prefix`.
    virtual watch_id watch(std::string_view prefix, watch_callback cb) = 0;
    virtual void unwatch(watch_id id) = 0;

    /// Drains apply_async work and joins the writer. Idempotent.
    virtual void stop() = 0;
};

/// Errors: io_error (cannot open; the path is logged).
result<std::unique_ptr<meta_store>> make_rocksdb_meta_store(const std::string& path);
/// For tests; nothing survives the process.
std::unique_ptr<meta_store> make_memory_meta_store();

}  // namespace robust::meta
