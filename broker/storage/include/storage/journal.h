#pragma once
// The journal: the storage kernel every protocol writes to and reads from.
//
// A shard is an append-only sequence of records with dense offsets starting
// at 0. A topic partition (Kafka), an MQTT topic, an AMQP queue and a
// session's inbox are all shards. Appends from every connection are funnelled
// into one group-commit writer thread, which turns everything queued into one
// atomic engine write and then runs the callbacks.
//
// Threading: every method may be called from any thread. append() and
// read_async() never block; their callbacks run on a journal thread (the
// writer, or a reader pool thread) and must not block: post the result back to
// the caller's own thread. The blocking calls (read, earliest, ...) touch the
// engine: call them from a pool thread, never from an I/O thread.
//
// Ownership: created by main (make_rocksdb_journal / make_memory_journal),
// stopped by stop(), which drains queued appends, then destroyed.
//
// After stop(): append() runs its callback inline (there is no journal thread
// left) with shutting_down, and so does read_async(); create_shard,
// delete_shard, truncate_before, apply_retention and commit_position return
// shutting_down; the blocking reads keep working until destruction.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/shared_buffer.h"
#include "base/strong_id.h"
#include "metrics/journal_metrics.h"

namespace robust::storage {

using shard_id = strong_id<uint64_t, struct shard_id_tag>;

/// How hard an append is pushed to disk before its callback runs.
enum class durability {
    none,   // memtable only: lost on a process crash
    wal,    // in the write-ahead log (OS page cache): survives a process crash (default)
    fsync,  // WAL fsynced: survives power loss
};

/// "none", "wal" or "fsync": the names the config and topic records use.
constexpr std::string_view to_string(durability d) noexcept {
    switch (d) {
        case durability::none:
            return "none";
        case durability::fsync:
            return "fsync";
        case durability::wal:
            break;
    }
    return "wal";
}

struct record_header {
    std::string key;
    std::string value;
    friend bool operator==(const record_header&, const record_header&) = default;
};

struct record {
    int64_t offset = -1;       // assigned by the journal on append
    int64_t timestamp_ms = 0;  // producer time (ms since epoch); 0 = set to append time
    std::string key;
    std::vector<record_header> headers;
    shared_buffer value;
};

/// Retention of a shard; 0 means unlimited.
struct retention_policy {
    int64_t max_age_ms = 0;
    int64_t max_bytes = 0;
};

struct shard_options {
    retention_policy retention;
};

struct shard_info {
    shard_id id;
    std::string name;
    shard_options options;
    int64_t earliest = 0;     // first offset still stored
    int64_t next_offset = 0;  // offset the next append gets
    // Stored payload bytes: key + header keys and values + value of every
    // record in [earliest, next_offset). retention_policy::max_bytes counts
    // the same bytes, in both engines.
    int64_t bytes = 0;
};

/// One atomic append: records to `shard`, and for each record a pointer
/// record (see index_pointer) appended to every shard in `index_shards`.
/// Index shards give a session inbox or a mailbox a durable list of
/// references without copying payloads; both land in the same engine write.
struct append_request {
    shard_id shard;
    std::vector<record> records;
    std::vector<shard_id> index_shards;
    // Qualified: a member named like its type must not change the meaning of
    // the unqualified name inside the class (g++ rejects that).
    storage::durability durability = storage::durability::wal;
};

struct append_result {
    int64_t first_offset = 0;                  // offset of records[0] in `shard`
    std::vector<int64_t> index_first_offsets;  // per index shard, same order as the request
};

/// The value of a record in an index shard: where the real record is.
struct index_pointer {
    shard_id shard;
    int64_t offset = 0;
    /// 16 bytes: shard id (8 B big-endian) | offset (8 B big-endian).
    std::string encode() const;
    static result<index_pointer> decode(std::string_view bytes);
};

using append_callback = std::function<void(result<append_result>)>;
using read_callback = std::function<void(result<std::vector<record>>)>;

class journal {
public:
    virtual ~journal() = default;

    /// Returns the shard called `name`, creating it if absent (idempotent; the
    /// options of an existing shard are left as they are). Never waits for
    /// the disk: the new registry entry is written with the next batch, before
    /// any record of the shard. Errors: invalid_argument (empty name),
    /// io_error, shutting_down.
    virtual result<shard_id> create_shard(std::string_view name,
                                          const shard_options& opts = {}) = 0;
    /// Errors: not_found.
    virtual result<shard_id> find_shard(std::string_view name) const = 0;
    /// Removes the shard, its records and its committed positions; its id is
    /// never reused. Blocks until the deletion is written. Errors: not_found,
    /// io_error (the shard is gone from memory all the same, and the deletion
    /// is retried with the next write), shutting_down.
    virtual status delete_shard(shard_id id) = 0;
    /// Errors: not_found.
    virtual result<shard_info> describe_shard(shard_id id) const = 0;
    virtual std::vector<shard_info> list_shards() const = 0;

    /// Queues an append for the group-commit writer. `cb` runs once, on the
    /// writer thread, after the write has the requested durability. A
    /// record's `offset` is ignored; a zero timestamp becomes the append time.
    /// Errors to cb: not_found (unknown shard or index shard: nothing of the
    /// request is written), shutting_down, io_error (nothing of the batch is
    /// written; offsets are not consumed).
    virtual void append(append_request req, append_callback cb) = 0;

    /// Records with offset >= from, at most max_records, stopping before
    /// max_bytes of values is passed (but always at least one record if any).
    /// Offsets below earliest() are skipped. Blocking. Errors: not_found, io_error,
    /// corruption (a stored record failed to decode).
    virtual result<std::vector<record>> read(shard_id id, int64_t from, size_t max_records,
                                             size_t max_bytes) const = 0;
    /// read() on a reader pool thread; cb runs there.
    virtual void read_async(shard_id id, int64_t from, size_t max_records, size_t max_bytes,
                            read_callback cb) const = 0;

    /// First stored offset / the offset the next append gets. Errors: not_found.
    virtual result<int64_t> earliest(shard_id id) const = 0;
    virtual result<int64_t> next_offset(shard_id id) const = 0;
    /// Smallest offset whose timestamp >= ts_ms; next_offset() if none. Errors: not_found.
    virtual result<int64_t> offset_for_time(shard_id id, int64_t ts_ms) const = 0;
    /// Deletes records below `offset` (clamped to next_offset()); blocks until
    /// written. Errors: not_found, io_error, shutting_down.
    virtual status truncate_before(shard_id id, int64_t offset) = 0;
    /// Applies every shard's retention policy now (also runs periodically).
    /// Age: drops records before offset_for_time(now - max_age_ms). Size:
    /// drops the oldest records until bytes <= max_bytes. Returns the first
    /// error met; the other shards are still processed.
    virtual status apply_retention() = 0;

    /// Consumer positions (Kafka groups, session inbox cursors) are kernel
    /// state: `group` names the consumer, the value is the next offset to read.
    /// Cheap enough for an I/O thread: it updates memory and the writer puts
    /// the latest value into its next batch. The last call wins (a consumer
    /// may seek back); a later write never carries an older value.
    /// Errors: invalid_argument (empty group, negative offset), not_found,
    /// shutting_down.
    virtual status commit_position(std::string_view group, shard_id id, int64_t next_offset) = 0;
    /// Errors: not_found when nothing was committed.
    virtual result<int64_t> committed_position(std::string_view group, shard_id id) const = 0;

    /// Blocks until everything appended so far is durable (used at shutdown):
    /// waits for the queue, syncs the WAL, and flushes memtables if any
    /// durability=none write happened since the last flush. Errors: io_error.
    virtual status flush() = 0;
    /// Stops accepting appends (they fail with shutting_down), drains the
    /// queue, joins the threads. Idempotent.
    virtual void stop() = 0;
};

struct rocksdb_journal_options {
    std::string path;  // directory; created if missing
    size_t reader_threads = 2;
    int64_t retention_interval_ms = 60'000;
    size_t max_batch_requests = 4096;  // appends merged into one write at most
    // registry::journal(journal_engine::rocksdb): group commits, and the
    // store "journal" sizes at each scrape. Disabled by default; the registry
    // must outlive the journal.
    metrics::journal_metrics metrics;
};

/// The default engine. Errors: io_error (cannot open, naming the path in the
/// log), invalid_argument (empty path), corruption (unknown on-disk format).
result<std::unique_ptr<journal>> make_rocksdb_journal(const rocksdb_journal_options& opts);

struct memory_journal_options {
    size_t max_records_per_shard = 100'000;  // a bounded ring: oldest records drop
    size_t reader_threads = 1;
    int64_t retention_interval_ms = 60'000;  // 0: only apply_retention() applies policies
    // registry::journal(journal_engine::memory): batches of appends. Disabled
    // by default; the registry must outlive the journal.
    metrics::journal_metrics metrics;
};
/// For QoS 0 streams and tests; nothing survives the process.
std::unique_ptr<journal> make_memory_journal(const memory_journal_options& opts = {});

}  // namespace robust::storage
