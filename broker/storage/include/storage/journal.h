#pragma once
// The journal: the storage kernel every protocol writes to and reads from.
//
// A shard is an append-only sequence of records with dense offsets starting
// at 0. A topic partition (Kafka), an MQTT topic, an AMQP queue and a
// session's inbox are all shards. A stored record usually covers one offset;
// a Kafka record batch is stored as received, as one record covering the
// offsets of all the records inside it (record::offset_count), so produce
// and fetch never re-encode batches. Offsets stay dense either way.
//
// Appends from every connection are funnelled into one group-commit writer
// thread, which turns everything queued into one atomic engine write and then
// runs the callbacks and the append observers.
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
// delete_shard, truncate_before, apply_retention, commit_position and
// delete_positions return shutting_down; the blocking reads keep working
// until destruction, and observers are never called again.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
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

/// The inverse of to_string(durability); nullopt for any other text.
constexpr std::optional<durability> parse_durability(std::string_view name) noexcept {
    for (auto d : {durability::none, durability::wal, durability::fsync}) {
        if (to_string(d) == name) return d;
    }
    return std::nullopt;
}

struct record_header {
    std::string key;
    std::string value;
    friend bool operator==(const record_header&, const record_header&) = default;
};

/// What a stored record's value is. The journal never looks inside a value:
/// the format tells readers how to interpret it.
enum class record_format : uint8_t {
    single = 0,       // one message: key, headers and value as given
    kafka_batch = 1,  // value = a Kafka RecordBatch v2 exactly as the producer sent it
};

/// One stored record. A kafka_batch record covers offset_count offsets,
/// [offset, last_offset()]. Its bytes are stored unchanged, so the batch's own
/// base offset field is whatever the producer sent: whoever serves the batch
/// sets it to `offset`. Its timestamp_ms is the batch's max timestamp (so
/// retention and offset_for_time see the newest record in it); key and
/// headers are usually empty.
struct record {
    int64_t offset = -1;       // assigned by the journal on append (the base offset)
    int64_t timestamp_ms = 0;  // producer time (ms since epoch); 0 = set to append time
    std::string key;
    std::vector<record_header> headers;
    shared_buffer value;
    record_format format = record_format::single;
    uint32_t offset_count = 1;  // offsets this record covers; >= 1 (append rejects 0)

    int64_t last_offset() const { return offset + offset_count - 1; }
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
    int64_t earliest = 0;     // first offset still readable (may lie inside a stored batch)
    int64_t next_offset = 0;  // offset the next append gets
    // Stored payload bytes: key + header keys and values + value of every
    // stored record (a batch straddling `earliest` counts whole).
    // retention_policy::max_bytes counts the same bytes, in both engines.
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
    int64_t first_offset = 0;                  // (base) offset of records[0] in `shard`
    std::vector<int64_t> index_first_offsets;  // per index shard, same order as the request
};

/// The value of a record in an index shard: where the real record is (its
/// base offset, for a record covering several offsets).
struct index_pointer {
    shard_id shard;
    int64_t offset = 0;
    /// 16 bytes: shard id (8 B big-endian) | offset (8 B big-endian).
    std::string encode() const;
    static result<index_pointer> decode(std::string_view bytes);
};

using append_callback = std::function<void(result<append_result>)>;
using read_callback = std::function<void(result<std::vector<record>>)>;

/// A committed consumer position (see journal::list_positions).
struct position_entry {
    std::string group;
    shard_id shard;
    int64_t next_offset = 0;
};

/// A shard that received records in a group commit, and its new next offset.
struct shard_progress {
    shard_id shard;
    int64_t next_offset = 0;
};
/// Told about every successful group commit (journal::add_append_observer).
/// The span is only valid during the call.
using append_observer = std::function<void(std::span<const shard_progress>)>;

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
    /// record's `offset` is ignored: records[i] gets the offset after the
    /// last one of records[i - 1], so next_offset() advances by the sum of
    /// the offset_counts. A zero timestamp becomes the append time.
    /// Errors to cb: not_found (unknown shard or index shard), invalid_argument
    /// (a record with offset_count 0) — in both cases nothing of the request
    /// is written —, shutting_down, io_error (nothing of the batch is written;
    /// offsets are not consumed).
    virtual void append(append_request req, append_callback cb) = 0;

    /// Every stored record with last_offset() >= from, in offset order, at
    /// most max_records stored records (a batch counts as one), stopping
    /// before max_bytes of values is passed (but always at least one record if
    /// any). A batch containing `from` is returned whole, with its base
    /// offset: callers skip the offsets below `from` inside it. Records
    /// wholly below earliest() are skipped. Blocking. Errors: not_found,
    /// io_error, corruption (a stored record failed to decode).
    virtual result<std::vector<record>> read(shard_id id, int64_t from, size_t max_records,
                                             size_t max_bytes) const = 0;
    /// read() on a reader pool thread; cb runs there.
    virtual void read_async(shard_id id, int64_t from, size_t max_records, size_t max_bytes,
                            read_callback cb) const = 0;

    /// First readable offset (logical: it may lie inside a stored batch) /
    /// the offset the next append gets. Errors: not_found.
    virtual result<int64_t> earliest(shard_id id) const = 0;
    virtual result<int64_t> next_offset(shard_id id) const = 0;
    /// The smallest base offset of a stored record whose timestamp >= ts_ms,
    /// raised to earliest() (a batch straddling earliest() gives earliest());
    /// next_offset() if none. Stored-record granularity: the journal never
    /// looks inside a batch, so a Kafka reader refines the answer with the
    /// per-record timestamps in the batch it points at. Errors: not_found.
    virtual result<int64_t> offset_for_time(shard_id id, int64_t ts_ms) const = 0;
    /// Makes `offset` (clamped to next_offset()) the earliest offset and
    /// deletes the stored records wholly below it; a batch containing it
    /// stays stored (and counted in bytes) and read() still returns it whole.
    /// Never moves earliest back. Blocks until written.
    /// Errors: not_found, io_error, shutting_down.
    virtual status truncate_before(shard_id id, int64_t offset) = 0;
    /// Applies every shard's retention policy now (also runs periodically).
    /// Both drop whole stored records, and earliest becomes the first kept
    /// record's base offset (or stays where truncate_before put it, if that
    /// is larger). Age: drops records before offset_for_time(now -
    /// max_age_ms). Size: drops the oldest records until bytes <= max_bytes.
    /// Returns the first error met; the other shards are still processed.
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
    /// Every committed position whose group starts with `group_prefix` (all
    /// of them for an empty prefix), sorted by (group, shard); includes
    /// commits the writer has not written yet. Blocking (the RocksDB engine
    /// scans every stored position: meant for admin and group-coordinator
    /// paths, not per message). Errors are logged and end the scan early.
    virtual std::vector<position_entry> list_positions(std::string_view group_prefix) const = 0;
    /// Removes every committed position of exactly `group`, on every shard;
    /// blocks until written. Afterwards committed_position() returns
    /// not_found for it and list_positions() omits it, across reopens. A
    /// commit_position() racing with this call may or may not survive it.
    /// Errors: invalid_argument (empty group), shutting_down, io_error (the
    /// positions are gone from memory and the deletion is retried with the
    /// next write; until then committed_position() may still see the old
    /// values).
    virtual status delete_positions(std::string_view group) = 0;

    /// Registers `obs`, called after every successful group commit (after
    /// the append callbacks of that batch have run), once per commit, on the
    /// writer thread, with one entry per shard (index shards included) that
    /// received records in it, sorted by shard. Lets a Kafka fetch long-poll
    /// without polling. Observers must not block (post to your own thread)
    /// and must stay callable as long as the journal exists: there is no
    /// removal. May be called at any time, from any thread; an observer added
    /// while a batch is being written may or may not hear about that batch.
    virtual void add_append_observer(append_observer obs) = 0;

    /// Blocks until everything appended so far is durable (used at shutdown):
    /// waits for the queue (callbacks and observers of every batch queued so
    /// far have run when it returns), syncs the WAL, and flushes memtables if any
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
    // A bounded ring of stored records (a batch counts as one): the oldest drop.
    size_t max_records_per_shard = 100'000;
    size_t reader_threads = 1;
    int64_t retention_interval_ms = 60'000;  // 0: only apply_retention() applies policies
    // registry::journal(journal_engine::memory): batches of appends. Disabled
    // by default; the registry must outlive the journal.
    metrics::journal_metrics metrics;
};
/// For QoS 0 streams and tests; nothing survives the process.
std::unique_ptr<journal> make_memory_journal(const memory_journal_options& opts = {});

}  // namespace robust::storage
