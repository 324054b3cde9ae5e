#include "rocksdb_journal.h"

#include <rocksdb/cache.h>
#include <rocksdb/convenience.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <future>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <shared_mutex>
#include <span>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "base/clock.h"
#include "base/errc.h"
#include "codec.h"
#include "task_pool.h"

namespace robust::storage {
namespace {

// A time index sample is written every this many records or bytes of a shard,
// whichever comes first: offset_for_time() and retention then read at most
// about this much of the records column family past an index seek.
constexpr int64_t sample_every_records = 64;
constexpr int64_t sample_every_bytes = 64 * 1024;
// Caps one WriteBatch (besides max_batch_requests) so a burst of large
// records cannot make one write, and the callbacks waiting on it, huge.
constexpr int64_t max_batch_bytes = 32 << 20;

constexpr char meta_format_version = 1;

enum cf_slot : size_t { cf_records = 0, cf_indexes = 1, cf_meta = 2 };

// Registry and bookkeeping keys in the meta column family.
const std::string meta_version_key = "v";
const std::string next_id_key = "s";

std::string name_key(std::string_view name) {
    std::string k = "n";
    k.append(name);
    return k;
}
std::string id_key(shard_id id) {
    std::string k = "i";
    detail::append_u64_be(k, id.value());
    return k;
}
std::string earliest_key(shard_id id) {
    std::string k = "e";
    detail::append_u64_be(k, id.value());
    return k;
}
std::string positions_prefix(shard_id id) {
    std::string k = "p";
    detail::append_u64_be(k, id.value());
    return k;
}
std::string position_key(shard_id id, std::string_view group) {
    std::string k = positions_prefix(id);
    k.append(group);
    return k;
}
std::string u64_value(uint64_t v) {
    std::string s;
    detail::append_u64_be(s, v);
    return s;
}
// The smallest key greater than `k` and every key that starts with `k`'s
// bytes plus more: the exclusive end of a DeleteRange that must include `k`
// but nothing written after it.
std::string successor(std::string k) {
    k.push_back('\0');
    return k;
}

errc to_errc(const rocksdb::Status& st) {
    return st.IsCorruption() ? errc::corruption : errc::io_error;
}

durability stronger(durability a, durability b) {
    return static_cast<int>(a) >= static_cast<int>(b) ? a : b;
}

/// The RocksDB engine.
///
/// On-disk format (format version 1, stored under meta key "v"). Integers are
/// 8-byte big-endian unless said otherwise, so keys sort numerically.
///
/// Column family `records`: key = shard id | LAST offset the record covers.
/// A record covering one offset (every record but a stored Kafka batch) has
/// last = base, so its key is its offset. Keying by the last offset makes
/// read(from) one forward Seek(shard | from): it lands on the first record
/// whose last offset is >= from, i.e. the batch containing `from`. The base
/// offset is last - offset_count + 1, from the value. Value = one record:
///   1 byte    value version: 1, or 2 when format != single or
///             offset_count != 1 (plain records stay version 1, as written
///             before version 2 existed; both are read)
///   version 2 only:
///     1 byte  record_format (0 single, 1 kafka_batch)
///     varint  offset_count (>= 1, < 2^32)
///   varint    timestamp_ms, zigzag-encoded (a batch's max timestamp)
///   varint    key length, then the key bytes
///   varint    header count, then for each header: varint key length, key
///             bytes, varint value length, value bytes
///   the rest  the value bytes (no length: it runs to the end)
/// Varints are unsigned LEB128. The offset is not repeated in the value.
///
/// Column family `indexes`: the sparse time index. Key = shard id |
/// max timestamp (sign bit flipped so negative times sort first) | offset,
/// where offset is the last offset of the sampled record; value = cumulative
/// payload bytes of the shard's records from offset 0 through that record. A
/// sample is written after a record once 64 offsets or 64 KiB of a shard have
/// passed since the previous one; "max timestamp" is the largest timestamp of
/// any record up to and including the sampled one. Running maxima never
/// decrease, so within a shard the samples sort by offset as well as by time.
/// Hence offset_for_time(t) seeks the first sample with max >= t (the answer
/// is at or before it), steps back one sample (every record up to it is older
/// than t) and scans the at most 64 records in between. The byte counts let
/// size retention find its cut the same way. Samples of records deleted by a
/// truncation are deleted with them.
///
/// Column family `meta`:
///   "v"                     1 byte: the format version
///   "s"                     the next shard id to hand out (ids start at 1)
///   "n" name                shard id | retention max_age_ms | max_bytes
///   "i" shard id            the shard's name
///   "e" shard id            earliest offset | cumulative bytes of the records
///                           wholly below it (a batch straddling earliest is
///                           still stored and not counted here); absent
///                           until the first truncation
///   "p" shard id group      the group's committed next offset
/// Positions are keyed shard first (not group first) so that deleting a shard
/// drops all its positions with one range delete; listing or deleting one
/// group's positions scans them all (rare admin and coordinator paths).
///
/// The meta format version stays 1 with value version 2: plain records are
/// keyed and encoded as before, so older journals open unchanged, while an
/// older build reading a version-2 value fails with corruption.
///
/// Truncation deletes the records whose last offset is below the new
/// earliest: earliest is logical and may lie inside a stored batch, which
/// reads then return whole. The next offset of a shard is not stored: open()
/// seeks the shard's last record (its last offset + 1). Everything a batch
/// changes (records, index samples, registry entries, positions, truncations)
/// goes into one WriteBatch, so a crash never leaves a record without its
/// shard's registry entry or its index sample.
///
/// Threading: see journal.h. Internally, one writer thread owns the write
/// path; registry_mu_ guards the shard maps and the published (committed)
/// shard state; q_mu_ guards the queue; positions_mu_ guards uncommitted
/// positions; truncate_mu_ serialises truncations; observers_mu_ guards the
/// observer list. Lock order: truncate_mu_, registry_mu_, q_mu_;
/// positions_mu_ and observers_mu_ are never held with another.
class rocksdb_journal final : public journal {
public:
    static result<std::unique_ptr<journal>> open(const rocksdb_journal_options& opts,
                                                 rocksdb::Env* env);

    ~rocksdb_journal() override {
        // First: once reset() returns no scrape reads the DB any more.
        storage_source_.reset();
        stop();
        for (auto* h : handles_) ignore_status(db_->DestroyColumnFamilyHandle(h));
        // Close() flushes memtables holding durability=none writes
        // (avoid_flush_during_shutdown is false), so a clean stop keeps them.
        ignore_status(db_->Close());
    }

    result<shard_id> create_shard(std::string_view name, const shard_options& opts) override;
    result<shard_id> find_shard(std::string_view name) const override;
    status delete_shard(shard_id id) override;
    result<shard_info> describe_shard(shard_id id) const override;
    std::vector<shard_info> list_shards() const override;
    void append(append_request req, append_callback cb) override;
    result<std::vector<record>> read(shard_id id, int64_t from, size_t max_records,
                                     size_t max_bytes) const override;
    void read_async(shard_id id, int64_t from, size_t max_records, size_t max_bytes,
                    read_callback cb) const override;
    result<int64_t> earliest(shard_id id) const override;
    result<int64_t> next_offset(shard_id id) const override;
    result<int64_t> offset_for_time(shard_id id, int64_t ts_ms) const override;
    status truncate_before(shard_id id, int64_t offset) override;
    status apply_retention() override;
    status commit_position(std::string_view group, shard_id id, int64_t next) override;
    result<int64_t> committed_position(std::string_view group, shard_id id) const override;
    std::vector<position_entry> list_positions(std::string_view group_prefix) const override;
    status delete_positions(std::string_view group) override;
    void add_append_observer(append_observer obs) override;
    status flush() override;
    void stop() override;

private:
    // What only the writer thread touches (and open(), before it starts).
    struct writer_state {
        int64_t next = 0;
        int64_t cum_bytes = 0;
        int64_t max_ts = std::numeric_limits<int64_t>::min();
        int64_t last_sample = -1;  // last offset of the last sampled record
        int64_t cum_at_sample = 0;
    };

    struct shard_state {
        shard_id id;
        std::string name;
        shard_options options;
        // Guarded by registry_mu_: the committed state readers see.
        int64_t earliest = 0;             // logical: may lie inside a stored batch
        int64_t next = 0;                 // every offset below is written
        int64_t cum_bytes = 0;            // payload bytes ever appended below `next`
        int64_t cum_before_earliest = 0;  // bytes of the records wholly below earliest
        bool deleted = false;
        // Writer thread only.
        writer_state w;
        bool touched = false;  // in the batch being built
    };
    using shard_ptr = std::shared_ptr<shard_state>;

    struct mutation {
        enum class kind { put, erase, erase_range };
        kind k;
        cf_slot cf;
        std::string key;
        std::string value;  // put: the value; erase_range: the exclusive end
    };

    struct op {
        enum class kind { append, mutate, truncate };
        kind k = kind::append;
        append_request req;
        append_callback cb;
        int64_t approx_bytes = 0;
        std::vector<mutation> mutations;   // mutate, truncate
        std::function<void(status)> done;  // mutate, truncate; may be empty
        shard_ptr shard;                   // truncate
        int64_t offset = 0;                // truncate: the new earliest
        int64_t cum_before = 0;            // truncate: bytes below it
        // Filled by the writer.
        std::vector<shard_ptr> targets;  // append: shard, then index shards
        std::error_code error;
        append_result res;
        bool active = false;  // truncate: not a no-op
    };

    struct pending_position {
        int64_t value = 0;
        uint64_t version = 0;
        bool dirty = false;
    };
    struct position_write {
        std::string key;
        int64_t value;
        uint64_t version;
    };

    struct snapshot_t {
        shard_ptr shard;
        int64_t earliest = 0;
        int64_t next = 0;
        int64_t cum_bytes = 0;
        int64_t cum_before_earliest = 0;
    };

    struct cut {
        int64_t offset = 0;      // the new earliest
        int64_t cum_before = 0;  // bytes of the records wholly below it
        std::string index_end;   // exclusive end of the index samples to drop; empty: none
    };

    rocksdb_journal(const rocksdb_journal_options& opts, std::unique_ptr<rocksdb::DB> db,
                    std::vector<rocksdb::ColumnFamilyHandle*> handles)
        : opts_(opts), db_(std::move(db)), handles_(std::move(handles)) {}

    static void ignore_status(const rocksdb::Status& st) { st.PermitUncheckedError(); }

    rocksdb::ColumnFamilyHandle* cf(cf_slot slot) const { return handles_[slot + 1]; }

    status recover();
    status recover_shard(shard_state& s);
    void start();
    void writer_loop();
    void process(std::vector<op>& batch);
    void add_record(rocksdb::WriteBatch& wb, shard_state& s, int64_t ts, std::string_view key,
                    const std::vector<record_header>& headers, std::string_view value,
                    record_format format, uint32_t offset_count, int64_t payload);
    void notify_observers(std::span<const shard_progress> progress);
    void apply(rocksdb::WriteBatch& wb, const mutation& m);
    void retention_loop();
    metrics::storage_sample sample_storage() const;

    result<snapshot_t> snapshot(shard_id id) const;
    result<cut> locate_cut(const snapshot_t& s, int64_t stop_offset, int64_t stop_cum) const;
    status submit_truncate(const snapshot_t& s, const cut& c);
    status submit(op o);
    bool stopping() const {
        std::lock_guard lk(q_mu_);
        return stopping_;
    }

    const rocksdb_journal_options opts_;
    std::unique_ptr<rocksdb::DB> db_;
    std::vector<rocksdb::ColumnFamilyHandle*> handles_;  // default, records, indexes, meta

    mutable std::shared_mutex registry_mu_;
    std::unordered_map<shard_id, shard_ptr> shards_;
    std::map<std::string, shard_id, std::less<>> names_;
    uint64_t next_id_ = 1;

    mutable std::mutex q_mu_;
    std::condition_variable q_cv_;
    std::condition_variable done_cv_;
    std::condition_variable stop_cv_;
    std::deque<op> queue_;
    bool stopping_ = false;
    bool positions_pending_ = false;
    bool writer_exited_ = false;
    uint64_t queued_ops_ = 0;
    uint64_t completed_ops_ = 0;

    mutable std::mutex positions_mu_;
    std::unordered_map<std::string, pending_position> positions_;  // not yet on disk
    std::vector<std::string> dirty_positions_;
    uint64_t position_version_ = 0;

    std::mutex truncate_mu_;

    // Copied on write: the writer takes the pointer under the lock and calls
    // the observers without it.
    std::mutex observers_mu_;
    std::shared_ptr<const std::vector<append_observer>> observers_;

    // Writer thread only.
    std::vector<mutation> retry_;  // registry changes of a failed batch, rewritten first
    bool need_resume_ = false;
    std::string key_buf_;
    std::string value_buf_;

    std::atomic<bool> unpersisted_{false};  // a durability=none write since the last flush()

    std::mutex stop_mu_;
    std::thread writer_;
    std::thread retention_;
    std::unique_ptr<detail::task_pool> readers_;

    // robustmq_storage_*{store="journal"}: read from the DB at each scrape.
    metrics::source_registration storage_source_;
};

// ---------------------------------------------------------------- opening

rocksdb::DBOptions db_options(rocksdb::Env* env) {
    rocksdb::DBOptions o;
    o.create_if_missing = true;
    o.create_missing_column_families = true;
    if (env != nullptr) o.env = env;
    // Sized for the 2-core boxes we ship on: one flush and one compaction.
    o.max_background_jobs = 2;
    // Our writer thread already merges every queued append into one
    // WriteBatch, so RocksDB sees a single writer: pipelining and concurrent
    // memtable inserts would only add hand-offs.
    o.enable_pipelined_write = false;
    o.allow_concurrent_memtable_write = false;
    // durability=wal promises the bytes are in the OS when the callback runs,
    // so RocksDB must write the WAL itself on every Write().
    o.manual_wal_flush = false;
    // durability=none writes skip the WAL; flushing all column families
    // together keeps records, index samples and registry entries consistent
    // with each other when such writes reach disk.
    o.atomic_flush = true;
    // Keep file deletion and memtable freeing off the writer thread.
    o.avoid_unnecessary_blocking_io = true;
    // Smooth page-cache writeback instead of stalls at fsync time.
    o.bytes_per_sync = 1 << 20;
    o.wal_bytes_per_sync = 1 << 20;
    o.max_total_wal_size = 256 << 20;
    o.keep_log_file_num = 4;
    o.max_log_file_size = 16 << 20;
    return o;
}

rocksdb::CompressionType fast_compression() {
    const auto supported = rocksdb::GetSupportedCompressions();
    for (auto c : {rocksdb::kLZ4Compression, rocksdb::kSnappyCompression}) {
        if (std::find(supported.begin(), supported.end(), c) != supported.end()) return c;
    }
    return rocksdb::kNoCompression;
}

std::vector<rocksdb::ColumnFamilyDescriptor> column_families() {
    // One block cache for all three: reads are mostly of recent records,
    // which are still in the memtable or the OS page cache, so a modest cache
    // for index blocks and hot data blocks is enough.
    auto cache = rocksdb::NewLRUCache(32 << 20);
    auto table = [&](size_t block_size, bool bloom) {
        rocksdb::BlockBasedTableOptions t;
        t.block_cache = cache;
        t.block_size = block_size;
        t.cache_index_and_filter_blocks = true;
        t.pin_l0_filter_and_index_blocks_in_cache = true;
        // Records and index samples are only ever scanned by range (Seek
        // within a shard), where whole-key bloom filters do not help; meta
        // gets point lookups (positions) and keeps one.
        if (bloom) t.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
        return std::shared_ptr<rocksdb::TableFactory>(rocksdb::NewBlockBasedTableFactory(t));
    };

    // Records: the bulk of the bytes. All shards share this one column family,
    // so a million shards cost keys, not files. Larger blocks compress better
    // and suit sequential reads; LZ4 is cheap enough for the write path.
    rocksdb::ColumnFamilyOptions records;
    records.write_buffer_size = 64 << 20;
    records.max_write_buffer_number = 3;
    records.compression = fast_compression();
    records.level_compaction_dynamic_level_bytes = true;
    records.target_file_size_base = 64 << 20;
    records.max_bytes_for_level_base = 256 << 20;
    records.table_factory = table(16 * 1024, false);

    rocksdb::ColumnFamilyOptions indexes;
    indexes.write_buffer_size = 16 << 20;
    indexes.compression = fast_compression();
    indexes.level_compaction_dynamic_level_bytes = true;
    indexes.table_factory = table(4 * 1024, false);

    rocksdb::ColumnFamilyOptions meta;
    meta.write_buffer_size = 8 << 20;
    meta.level_compaction_dynamic_level_bytes = true;
    meta.table_factory = table(4 * 1024, true);

    return {{rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions()},
            {"records", records},
            {"indexes", indexes},
            {"meta", meta}};
}

result<std::unique_ptr<journal>> rocksdb_journal::open(const rocksdb_journal_options& opts,
                                                       rocksdb::Env* env) {
    if (opts.path.empty()) {
        spdlog::error("journal: no path given");
        return errc::invalid_argument;
    }
    std::error_code ec;
    std::filesystem::create_directories(opts.path, ec);
    if (ec) {
        spdlog::error("journal: cannot create {}: {}", opts.path, ec.message());
        return errc::io_error;
    }
    rocksdb::DB* raw = nullptr;
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    auto st = rocksdb::DB::Open(db_options(env), opts.path, column_families(), &handles, &raw);
    if (!st.ok()) {
        spdlog::error("journal: cannot open {}: {}", opts.path, st.ToString());
        return to_errc(st);
    }
    std::unique_ptr<rocksdb_journal> j(
        new rocksdb_journal(opts, std::unique_ptr<rocksdb::DB>(raw), std::move(handles)));
    if (auto r = j->recover(); !r) {
        spdlog::error("journal: cannot recover {}: {}", opts.path, r.error().message());
        return r.error();
    }
    j->start();
    return std::unique_ptr<journal>(std::move(j));
}

status rocksdb_journal::recover() {
    std::string v;
    auto st = db_->Get(rocksdb::ReadOptions(), cf(cf_meta), meta_version_key, &v);
    if (st.IsNotFound()) {
        rocksdb::WriteOptions wo;
        wo.sync = true;
        st = db_->Put(wo, cf(cf_meta), meta_version_key, std::string(1, meta_format_version));
        if (!st.ok()) return to_errc(st);
    } else if (!st.ok()) {
        return to_errc(st);
    } else if (v != std::string(1, meta_format_version)) {
        spdlog::error("journal: {} has unknown format version {}", opts_.path,
                      v.empty() ? -1 : int{v[0]});
        return errc::corruption;
    }

    st = db_->Get(rocksdb::ReadOptions(), cf(cf_meta), next_id_key, &v);
    if (st.ok() && v.size() == 8) {
        next_id_ = detail::load_u64_be(v.data());
    } else if (!st.IsNotFound()) {
        return st.ok() ? status(errc::corruption) : status(to_errc(st));
    }

    auto scan = [&](const std::string& prefix, auto&& fn) -> status {
        const std::string upper(1, static_cast<char>(prefix[0] + 1));
        rocksdb::Slice upper_slice(upper);
        rocksdb::ReadOptions ro;
        ro.iterate_upper_bound = &upper_slice;
        std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, cf(cf_meta)));
        for (it->Seek(prefix); it->Valid(); it->Next()) {
            if (auto r = fn(it->key().ToStringView().substr(1), it->value().ToStringView()); !r) {
                return r;
            }
        }
        return it->status().ok() ? status() : status(to_errc(it->status()));
    };

    auto r = scan("n", [&](std::string_view name, std::string_view value) -> status {
        if (value.size() != 24) return errc::corruption;
        auto s = std::make_shared<shard_state>();
        s->id = shard_id(detail::load_u64_be(value.data()));
        s->name = std::string(name);
        s->options.retention.max_age_ms =
            static_cast<int64_t>(detail::load_u64_be(value.data() + 8));
        s->options.retention.max_bytes =
            static_cast<int64_t>(detail::load_u64_be(value.data() + 16));
        next_id_ = std::max(next_id_, s->id.value() + 1);
        names_.emplace(s->name, s->id);
        shards_.emplace(s->id, std::move(s));
        return {};
    });
    if (!r) return r;
    r = scan("e", [&](std::string_view id, std::string_view value) -> status {
        if (id.size() != 8 || value.size() != 16) return errc::corruption;
        auto it = shards_.find(shard_id(detail::load_u64_be(id.data())));
        if (it == shards_.end()) return {};  // a deleted shard's leftover
        it->second->earliest = static_cast<int64_t>(detail::load_u64_be(value.data()));
        it->second->cum_before_earliest =
            static_cast<int64_t>(detail::load_u64_be(value.data() + 8));
        return {};
    });
    if (!r) return r;
    for (auto& [id, s] : shards_) {
        if (r = recover_shard(*s); !r) return r;
    }
    spdlog::info("journal: opened {} with {} shards", opts_.path, shards_.size());
    return {};
}

status rocksdb_journal::recover_shard(shard_state& s) {
    const std::string lower = detail::shard_prefix(s.id);
    const std::string upper = detail::shard_end_key(s.id);
    rocksdb::Slice lower_slice(lower);
    rocksdb::Slice upper_slice(upper);
    rocksdb::ReadOptions ro;
    ro.iterate_lower_bound = &lower_slice;
    ro.iterate_upper_bound = &upper_slice;

    writer_state w;
    w.next = s.earliest;
    w.cum_bytes = s.cum_before_earliest;
    w.last_sample = s.earliest - 1;
    w.cum_at_sample = s.cum_before_earliest;
    {
        std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, cf(cf_indexes)));
        it->SeekToLast();
        if (it->Valid()) {
            auto e = detail::parse_time_index(it->key().ToStringView(), it->value().ToStringView());
            if (!e) return e.error();
            w.max_ts = e->max_timestamp_ms;
            // Truncation deletes the samples of the records it deletes, so
            // the last sample is normally at or past earliest. Were it not,
            // its byte count would miss a batch straddling earliest: then the
            // scan below starts from earliest instead.
            if (e->offset + 1 > w.next) {
                w.next = e->offset + 1;
                w.cum_bytes = e->cumulative_bytes;
                w.last_sample = e->offset;
                w.cum_at_sample = e->cumulative_bytes;
            }
        }
        if (!it->status().ok()) return to_errc(it->status());
    }
    // At most one sample interval of records follows the last sample. Seeking
    // by offset lands on the record containing it (keys are last offsets):
    // from earliest, that is a batch straddling it, whose bytes
    // cum_before_earliest does not include.
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, cf(cf_records)));
    for (it->Seek(detail::record_key(s.id, w.next)); it->Valid(); it->Next()) {
        auto k = detail::parse_record_key(it->key().ToStringView());
        if (!k) return k.error();
        auto sum = detail::summarize_record_value(it->value().ToStringView());
        if (!sum) return sum.error();
        w.cum_bytes += sum->payload_bytes;
        w.max_ts = std::max(w.max_ts, sum->timestamp_ms);
        w.next = k->last_offset + 1;
    }
    if (!it->status().ok()) return to_errc(it->status());
    s.w = w;
    s.next = w.next;
    s.cum_bytes = w.cum_bytes;
    return {};
}

void rocksdb_journal::start() {
    readers_ = std::make_unique<detail::task_pool>(opts_.reader_threads);
    writer_ = std::thread([this] { writer_loop(); });
    if (opts_.retention_interval_ms > 0) retention_ = std::thread([this] { retention_loop(); });
    storage_source_ =
        opts_.metrics.add_storage_source("journal", [this] { return sample_storage(); });
}

metrics::storage_sample rocksdb_journal::sample_storage() const {
    // Summed over the column families; a property RocksDB cannot give stays 0.
    auto property = [&](const std::string& name) {
        uint64_t v = 0;
        return db_->GetAggregatedIntProperty(name, &v) ? v : 0;
    };
    metrics::storage_sample s;
    s.size_bytes = property(rocksdb::DB::Properties::kTotalSstFilesSize) +
                   property(rocksdb::DB::Properties::kCurSizeAllMemTables);
    s.pending_compaction_bytes = property(rocksdb::DB::Properties::kEstimatePendingCompactionBytes);
    return s;
}

// ---------------------------------------------------------------- registry

result<shard_id> rocksdb_journal::create_shard(std::string_view name, const shard_options& opts) {
    if (name.empty()) return errc::invalid_argument;
    std::unique_lock reg(registry_mu_);
    if (auto it = names_.find(name); it != names_.end()) return it->second;
    // The registry entry rides in the writer's next batch (with at least WAL
    // durability), ahead of any append that can name the new id: no disk
    // write here, and records can never reach disk before their shard does.
    std::lock_guard q(q_mu_);
    if (stopping_) return errc::shutting_down;
    auto s = std::make_shared<shard_state>();
    s->id = shard_id(next_id_++);
    s->name = std::string(name);
    s->options = opts;
    op o;
    o.k = op::kind::mutate;
    std::string value = u64_value(s->id.value());
    detail::append_u64_be(value, static_cast<uint64_t>(opts.retention.max_age_ms));
    detail::append_u64_be(value, static_cast<uint64_t>(opts.retention.max_bytes));
    o.mutations.push_back({mutation::kind::put, cf_meta, name_key(name), std::move(value)});
    o.mutations.push_back({mutation::kind::put, cf_meta, id_key(s->id), s->name});
    o.mutations.push_back({mutation::kind::put, cf_meta, next_id_key, u64_value(next_id_)});
    const auto id = s->id;
    names_.emplace(s->name, id);
    shards_.emplace(id, std::move(s));
    queue_.push_back(std::move(o));
    ++queued_ops_;
    q_cv_.notify_one();
    return id;
}

result<shard_id> rocksdb_journal::find_shard(std::string_view name) const {
    std::shared_lock lk(registry_mu_);
    auto it = names_.find(name);
    if (it == names_.end()) return errc::not_found;
    return it->second;
}

status rocksdb_journal::delete_shard(shard_id id) {
    std::future<status> done;
    {
        std::unique_lock reg(registry_mu_);
        auto it = shards_.find(id);
        if (it == shards_.end()) return errc::not_found;
        std::lock_guard q(q_mu_);
        if (stopping_) return errc::shutting_down;
        auto& s = *it->second;
        // Appends the writer has not planned yet now fail with not_found, so
        // no record of this shard can be written after the range deletes.
        s.deleted = true;
        op o;
        o.k = op::kind::mutate;
        const auto lower = detail::shard_prefix(id);
        const auto upper = detail::shard_end_key(id);
        o.mutations.push_back({mutation::kind::erase_range, cf_records, lower, upper});
        o.mutations.push_back({mutation::kind::erase_range, cf_indexes, lower, upper});
        o.mutations.push_back({mutation::kind::erase, cf_meta, name_key(s.name), {}});
        o.mutations.push_back({mutation::kind::erase, cf_meta, id_key(id), {}});
        o.mutations.push_back({mutation::kind::erase, cf_meta, earliest_key(id), {}});
        o.mutations.push_back({mutation::kind::erase_range, cf_meta, positions_prefix(id),
                               positions_prefix(shard_id(id.value() + 1))});
        auto promise = std::make_shared<std::promise<status>>();
        done = promise->get_future();
        o.done = [promise](status st) { promise->set_value(st); };
        names_.erase(s.name);
        shards_.erase(it);
        queue_.push_back(std::move(o));
        ++queued_ops_;
        q_cv_.notify_one();
    }
    {
        std::lock_guard lk(positions_mu_);
        const auto prefix = positions_prefix(id);
        std::erase_if(positions_, [&](const auto& p) { return p.first.starts_with(prefix); });
    }
    return done.get();
}

result<shard_info> rocksdb_journal::describe_shard(shard_id id) const {
    std::shared_lock lk(registry_mu_);
    auto it = shards_.find(id);
    if (it == shards_.end()) return errc::not_found;
    const auto& s = *it->second;
    return shard_info{s.id,       s.name, s.options,
                      s.earliest, s.next, s.cum_bytes - s.cum_before_earliest};
}

std::vector<shard_info> rocksdb_journal::list_shards() const {
    std::shared_lock lk(registry_mu_);
    std::vector<shard_info> out;
    out.reserve(shards_.size());
    for (const auto& [id, s] : shards_) {
        out.push_back({s->id, s->name, s->options, s->earliest, s->next,
                       s->cum_bytes - s->cum_before_earliest});
    }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
    return out;
}

// ---------------------------------------------------------------- writes

void rocksdb_journal::append(append_request req, append_callback cb) {
    op o;
    for (const auto& r : req.records) o.approx_bytes += detail::record_payload_bytes(r);
    {
        std::lock_guard lk(q_mu_);
        if (!stopping_) {
            o.req = std::move(req);
            o.cb = std::move(cb);
            queue_.push_back(std::move(o));
            ++queued_ops_;
            q_cv_.notify_one();
            return;
        }
    }
    cb(errc::shutting_down);  // the writer is gone or going: nobody else will
}

status rocksdb_journal::submit(op o) {
    auto promise = std::make_shared<std::promise<status>>();
    auto done = promise->get_future();
    o.done = [promise](status st) { promise->set_value(st); };
    {
        std::lock_guard lk(q_mu_);
        if (stopping_) return errc::shutting_down;
        queue_.push_back(std::move(o));
        ++queued_ops_;
    }
    q_cv_.notify_one();
    return done.get();
}

void rocksdb_journal::writer_loop() {
    std::vector<op> batch;
    for (;;) {
        {
            std::unique_lock lk(q_mu_);
            q_cv_.wait(lk, [this] { return stopping_ || !queue_.empty() || positions_pending_; });
            if (queue_.empty() && !positions_pending_) break;  // stopping and drained
            int64_t bytes = 0;
            while (!queue_.empty() && batch.size() < opts_.max_batch_requests) {
                bytes += queue_.front().approx_bytes;
                if (!batch.empty() && bytes > max_batch_bytes) break;
                batch.push_back(std::move(queue_.front()));
                queue_.pop_front();
            }
            positions_pending_ = false;
        }
        process(batch);
        {
            std::lock_guard lk(q_mu_);
            completed_ops_ += batch.size();
        }
        done_cv_.notify_all();
        batch.clear();
    }
    if (!retry_.empty()) {
        spdlog::error("journal: {}: {} registry changes could not be written before stop",
                      opts_.path, retry_.size());
    }
    {
        std::lock_guard lk(q_mu_);
        writer_exited_ = true;
    }
    done_cv_.notify_all();
}

void rocksdb_journal::apply(rocksdb::WriteBatch& wb, const mutation& m) {
    rocksdb::Status st;
    switch (m.k) {
        case mutation::kind::put:
            st = wb.Put(cf(m.cf), m.key, m.value);
            break;
        case mutation::kind::erase:
            st = wb.Delete(cf(m.cf), m.key);
            break;
        case mutation::kind::erase_range:
            st = wb.DeleteRange(cf(m.cf), m.key, m.value);
            break;
    }
    // WriteBatch only fails on size overflow (> 4 GiB), which the batch caps rule out.
    BROKER_ASSERT(st.ok(), "WriteBatch mutation failed: " << st.ToString());
}

void rocksdb_journal::add_record(rocksdb::WriteBatch& wb, shard_state& s, int64_t ts,
                                 std::string_view key, const std::vector<record_header>& headers,
                                 std::string_view value, record_format format,
                                 uint32_t offset_count, int64_t payload) {
    // Keyed by the last offset it covers (see the format above).
    const int64_t last = s.w.next + offset_count - 1;
    s.w.next = last + 1;
    key_buf_.clear();
    detail::append_record_key(key_buf_, s.id, last);
    value_buf_.clear();
    detail::encode_record_value(ts, key, headers, value, format, offset_count, value_buf_);
    auto st = wb.Put(cf(cf_records), key_buf_, value_buf_);
    BROKER_ASSERT(st.ok(), "WriteBatch put failed: " << st.ToString());
    s.w.cum_bytes += payload;
    s.w.max_ts = std::max(s.w.max_ts, ts);
    if (last - s.w.last_sample >= sample_every_records ||
        s.w.cum_bytes - s.w.cum_at_sample >= sample_every_bytes) {
        st = wb.Put(cf(cf_indexes), detail::time_index_key(s.id, s.w.max_ts, last),
                    u64_value(static_cast<uint64_t>(s.w.cum_bytes)));
        BROKER_ASSERT(st.ok(), "WriteBatch put failed: " << st.ToString());
        s.w.last_sample = last;
        s.w.cum_at_sample = s.w.cum_bytes;
    }
}

void rocksdb_journal::process(std::vector<op>& batch) {
    const bool metered = opts_.metrics.enabled();
    const auto taken = metered ? steady_clock::now() : steady_clock::time_point();
    // Every batch carries the dirty positions, so ones left over from a
    // failed write go out with the next batch of any kind.
    std::vector<position_write> positions;
    {
        std::lock_guard lk(positions_mu_);
        for (auto& key : dirty_positions_) {
            auto it = positions_.find(key);
            if (it == positions_.end() || !it->second.dirty) continue;
            it->second.dirty = false;
            positions.push_back({std::move(key), it->second.value, it->second.version});
        }
        dirty_positions_.clear();
    }

    // Plan: resolve shards under the registry lock; nothing here touches disk.
    durability d = durability::none;
    bool registry_change = !retry_.empty() || !positions.empty();
    {
        std::shared_lock lk(registry_mu_);
        auto find = [&](shard_id id) -> shard_ptr {
            auto it = shards_.find(id);
            return it == shards_.end() ? nullptr : it->second;
        };
        // A position of a shard deleted meanwhile is dropped: its range
        // delete may already be on disk.
        std::erase_if(positions, [&](const position_write& p) {
            return !find(shard_id(detail::load_u64_be(p.key.data() + 1)));
        });
        registry_change = registry_change || !positions.empty();
        for (auto& o : batch) {
            switch (o.k) {
                case op::kind::append: {
                    auto s = find(o.req.shard);
                    if (!s) {
                        o.error = errc::not_found;
                        break;
                    }
                    o.targets.push_back(std::move(s));
                    for (auto id : o.req.index_shards) {
                        auto idx = find(id);
                        if (!idx) {
                            o.error = errc::not_found;
                            o.targets.clear();
                            break;
                        }
                        o.targets.push_back(std::move(idx));
                    }
                    if (!o.error &&
                        std::any_of(o.req.records.begin(), o.req.records.end(),
                                    [](const record& r) { return r.offset_count == 0; })) {
                        o.error = errc::invalid_argument;
                        o.targets.clear();
                    }
                    if (!o.error) d = stronger(d, o.req.durability);
                    break;
                }
                case op::kind::mutate:
                    registry_change = true;
                    break;
                case op::kind::truncate:
                    if (o.shard->deleted) {
                        o.error = errc::not_found;
                    } else if (o.offset > o.shard->earliest) {
                        o.active = true;
                        registry_change = true;
                    }
                    break;
            }
        }
    }
    // A registry entry or position lost in a crash while later WAL-logged
    // records survive would break recovery: never write them without the WAL.
    if (registry_change) d = stronger(d, durability::wal);

    // Build the one WriteBatch, in queue order.
    rocksdb::WriteBatch wb;
    std::vector<std::pair<shard_state*, writer_state>> touched;
    auto touch = [&](shard_state& s) {
        if (!s.touched) {
            s.touched = true;
            touched.emplace_back(&s, s.w);
        }
    };
    for (const auto& m : retry_) apply(wb, m);
    for (const auto& p : positions) {
        auto st = wb.Put(cf(cf_meta), p.key, u64_value(static_cast<uint64_t>(p.value)));
        BROKER_ASSERT(st.ok(), "WriteBatch put failed: " << st.ToString());
    }
    const int64_t now = now_unix_ms();
    static const std::vector<record_header> no_headers;
    uint64_t appends = 0;  // for the metrics: requests, records, payload bytes
    uint64_t records = 0;
    uint64_t payload = 0;
    for (auto& o : batch) {
        if (o.error) continue;
        if (o.k == op::kind::append) {
            ++appends;
            records += o.req.records.size();
            payload += static_cast<uint64_t>(o.approx_bytes);
            auto& main = *o.targets.front();
            for (auto& t : o.targets) touch(*t);
            o.res.first_offset = main.w.next;
            o.res.index_first_offsets.reserve(o.targets.size() - 1);
            for (size_t i = 1; i < o.targets.size(); ++i) {
                o.res.index_first_offsets.push_back(o.targets[i]->w.next);
            }
            for (auto& r : o.req.records) {
                if (r.timestamp_ms == 0) r.timestamp_ms = now;
                const index_pointer ptr{main.id, main.w.next};
                add_record(wb, main, r.timestamp_ms, r.key, r.headers, r.value.view(), r.format,
                           r.offset_count, detail::record_payload_bytes(r));
                if (o.targets.size() > 1) {
                    const auto bytes = ptr.encode();
                    for (size_t i = 1; i < o.targets.size(); ++i) {
                        add_record(wb, *o.targets[i], r.timestamp_ms, {}, no_headers, bytes,
                                   record_format::single, 1, static_cast<int64_t>(bytes.size()));
                    }
                }
            }
        } else if (o.k == op::kind::mutate || o.active) {
            for (const auto& m : o.mutations) apply(wb, m);
        }
    }

    rocksdb::Status st;
    if (wb.Count() > 0) {
        if (need_resume_) {
            // A failed write leaves RocksDB in a background-error state;
            // try to leave it before writing again.
            auto rs = db_->Resume();
            if (!rs.ok()) spdlog::warn("journal: {}: resume failed: {}", opts_.path, rs.ToString());
            need_resume_ = false;
        }
        rocksdb::WriteOptions wo;
        wo.disableWAL = d == durability::none;
        wo.sync = d == durability::fsync;
        st = db_->Write(wo, &wb);
    }
    if (metered && appends > 0) {
        if (st.ok()) {
            opts_.metrics.observe_commit(steady_clock::now() - taken, appends, records, payload);
        } else {
            opts_.metrics.count_failed_write(appends);
        }
    }

    std::vector<shard_progress> progress;  // for the observers
    if (st.ok()) {
        if (d == durability::none && wb.Count() > 0) unpersisted_ = true;
        retry_.clear();
        std::unique_lock lk(registry_mu_);
        for (auto& [s, saved] : touched) {
            s->next = s->w.next;
            s->cum_bytes = s->w.cum_bytes;
            // Touched by an empty append only: nothing to tell.
            if (s->w.next != saved.next) progress.push_back({s->id, s->w.next});
        }
        for (auto& o : batch) {
            if (o.k == op::kind::truncate && o.active) {
                o.shard->earliest = o.offset;
                o.shard->cum_before_earliest = o.cum_before;
            }
        }
    } else {
        spdlog::error("journal: {}: write of {} requests failed: {}", opts_.path, batch.size(),
                      st.ToString());
        need_resume_ = true;
        for (auto& [s, saved] : touched) s->w = saved;
        // Registry changes already happened in memory: keep them for the next
        // batch so the disk catches up before any record that depends on them.
        for (auto& o : batch) {
            if (o.k == op::kind::mutate) {
                retry_.insert(retry_.end(), o.mutations.begin(), o.mutations.end());
            }
        }
    }
    for (auto& [s, saved] : touched) s->touched = false;

    if (!positions.empty()) {
        std::lock_guard lk(positions_mu_);
        for (auto& p : positions) {
            auto it = positions_.find(p.key);
            if (it == positions_.end()) continue;
            if (st.ok()) {
                // On disk now, unless committed again meanwhile.
                if (it->second.version == p.version && !it->second.dirty) positions_.erase(it);
            } else if (!it->second.dirty) {
                it->second.dirty = true;
                dirty_positions_.push_back(std::move(p.key));
            }
        }
    }

    const std::error_code write_error = st.ok() ? std::error_code() : make_error_code(to_errc(st));
    for (auto& o : batch) {
        const std::error_code ec = o.error                                    ? o.error
                                   : (o.k == op::kind::truncate && !o.active) ? std::error_code()
                                                                              : write_error;
        if (o.k == op::kind::append) {
            if (ec) {
                o.cb(ec);
            } else {
                o.cb(std::move(o.res));
            }
        } else if (o.done) {
            o.done(ec ? status(ec) : status());
        }
    }
    if (!progress.empty()) {
        std::sort(progress.begin(), progress.end(),
                  [](const auto& a, const auto& b) { return a.shard < b.shard; });
        notify_observers(progress);
    }
}

void rocksdb_journal::notify_observers(std::span<const shard_progress> progress) {
    std::shared_ptr<const std::vector<append_observer>> observers;
    {
        std::lock_guard lk(observers_mu_);
        observers = observers_;
    }
    if (!observers) return;
    for (const auto& obs : *observers) obs(progress);
}

void rocksdb_journal::add_append_observer(append_observer obs) {
    std::lock_guard lk(observers_mu_);
    auto next = observers_ ? std::make_shared<std::vector<append_observer>>(*observers_)
                           : std::make_shared<std::vector<append_observer>>();
    next->push_back(std::move(obs));
    observers_ = std::move(next);
}

// ---------------------------------------------------------------- reads

result<rocksdb_journal::snapshot_t> rocksdb_journal::snapshot(shard_id id) const {
    std::shared_lock lk(registry_mu_);
    auto it = shards_.find(id);
    if (it == shards_.end()) return errc::not_found;
    const auto& s = *it->second;
    return snapshot_t{it->second, s.earliest, s.next, s.cum_bytes, s.cum_before_earliest};
}

result<std::vector<record>> rocksdb_journal::read(shard_id id, int64_t from, size_t max_records,
                                                  size_t max_bytes) const {
    auto snap = snapshot(id);
    if (!snap) return snap.error();
    std::vector<record> out;
    const int64_t start = std::max(from, snap->earliest);
    if (max_records == 0 || start >= snap->next) return out;
    // Bounded by the committed next offset: a record written by a batch
    // whose callbacks have not run yet is not visible. Keys are last offsets,
    // so the seek lands on the record containing `start`.
    const std::string lower = detail::record_key(id, start);
    const std::string upper = detail::record_key(id, snap->next);
    rocksdb::Slice upper_slice(upper);
    rocksdb::ReadOptions ro;
    ro.iterate_upper_bound = &upper_slice;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, cf(cf_records)));
    size_t bytes = 0;
    for (it->Seek(lower); it->Valid() && out.size() < max_records; it->Next()) {
        auto k = detail::parse_record_key(it->key().ToStringView());
        if (!k) return k.error();
        auto r = detail::decode_record_value(it->value().ToStringView(), k->last_offset);
        if (!r) {
            spdlog::error("journal: {}: shard {} record ending at offset {} is corrupt", opts_.path,
                          id.value(), k->last_offset);
            return r.error();
        }
        if (!out.empty() && bytes + r->value.size() > max_bytes) break;
        bytes += r->value.size();
        out.push_back(std::move(*r));
    }
    if (!it->status().ok()) return to_errc(it->status());
    return out;
}

void rocksdb_journal::read_async(shard_id id, int64_t from, size_t max_records, size_t max_bytes,
                                 read_callback cb) const {
    auto shared_cb = std::make_shared<read_callback>(std::move(cb));
    const bool posted = readers_->post([this, id, from, max_records, max_bytes, shared_cb] {
        (*shared_cb)(read(id, from, max_records, max_bytes));
    });
    if (!posted) (*shared_cb)(errc::shutting_down);
}

result<int64_t> rocksdb_journal::earliest(shard_id id) const {
    auto snap = snapshot(id);
    if (!snap) return snap.error();
    return snap->earliest;
}

result<int64_t> rocksdb_journal::next_offset(shard_id id) const {
    auto snap = snapshot(id);
    if (!snap) return snap.error();
    return snap->next;
}

result<int64_t> rocksdb_journal::offset_for_time(shard_id id, int64_t ts_ms) const {
    auto snap = snapshot(id);
    if (!snap) return snap.error();
    if (snap->earliest >= snap->next) return snap->next;

    // Every record at or before the last sample whose running max is below
    // ts_ms is older than ts_ms; scanning starts right after it (sample
    // offsets are last offsets, so that is a record boundary).
    int64_t scan_from = snap->earliest;
    {
        const std::string lower = detail::shard_prefix(id);
        const std::string upper = detail::shard_end_key(id);
        rocksdb::Slice lower_slice(lower);
        rocksdb::Slice upper_slice(upper);
        rocksdb::ReadOptions ro;
        ro.iterate_lower_bound = &lower_slice;
        ro.iterate_upper_bound = &upper_slice;
        std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, cf(cf_indexes)));
        it->Seek(detail::time_index_key(id, ts_ms, 0));
        if (it->Valid()) {
            it->Prev();
        } else if (it->status().ok()) {
            it->SeekToLast();
        }
        if (it->Valid()) {
            auto e = detail::parse_time_index(it->key().ToStringView(), it->value().ToStringView());
            if (!e) return e.error();
            scan_from = std::max(scan_from, e->offset + 1);
        }
        if (!it->status().ok()) return to_errc(it->status());
    }

    // Normally this ends within one sample interval: the next sample's
    // running max is >= ts_ms. It runs on only when that max came from a
    // record that truncation has since removed.
    const std::string lower = detail::record_key(id, scan_from);
    const std::string upper = detail::record_key(id, snap->next);
    rocksdb::Slice upper_slice(upper);
    rocksdb::ReadOptions ro;
    ro.iterate_upper_bound = &upper_slice;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, cf(cf_records)));
    for (it->Seek(lower); it->Valid(); it->Next()) {
        auto sum = detail::summarize_record_value(it->value().ToStringView());
        if (!sum) return sum.error();
        if (sum->timestamp_ms >= ts_ms) {
            auto k = detail::parse_record_key(it->key().ToStringView());
            if (!k) return k.error();
            // The base offset; a batch straddling earliest answers earliest.
            return std::max(k->last_offset - (sum->offset_count - int64_t{1}), snap->earliest);
        }
    }
    if (!it->status().ok()) return to_errc(it->status());
    return snap->next;
}

// ---------------------------------------------------------------- truncation

result<rocksdb_journal::cut> rocksdb_journal::locate_cut(const snapshot_t& s, int64_t stop_offset,
                                                         int64_t stop_cum) const {
    // The cut is the smallest offset o in [earliest, stop_offset] with
    // o == stop_offset or cum_before(o) >= stop_cum, where o is a record
    // boundary unless it is stop_offset or earliest (both may lie inside a
    // batch: that batch stays whole, and cum_before excludes it). A sample
    // (last offset x, cumulative bytes c) tells cum_before(x + 1) = c, so the
    // samples find the last interval to scan; the records in it give the
    // exact offset. Size retention passes stop_offset = next, so it only
    // ever cuts at record boundaries: whole records go.
    const shard_id id = s.shard->id;
    auto reached = [&](int64_t o, int64_t cum_before) {
        return o >= stop_offset || cum_before >= stop_cum;
    };
    std::optional<detail::time_index_entry> below;
    std::string below_key;
    std::optional<detail::time_index_entry> above;
    std::string above_key;
    {
        const std::string lower = detail::shard_prefix(id);
        const std::string upper = detail::shard_end_key(id);
        rocksdb::Slice lower_slice(lower);
        rocksdb::Slice upper_slice(upper);
        rocksdb::ReadOptions ro;
        ro.iterate_lower_bound = &lower_slice;
        ro.iterate_upper_bound = &upper_slice;
        std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, cf(cf_indexes)));
        for (it->Seek(lower); it->Valid(); it->Next()) {
            auto e = detail::parse_time_index(it->key().ToStringView(), it->value().ToStringView());
            if (!e) return e.error();
            if (!reached(e->offset + 1, e->cumulative_bytes)) {
                below = *e;
                below_key = it->key().ToString();
            } else {
                above = *e;
                above_key = it->key().ToString();
                break;
            }
        }
        if (!it->status().ok()) return to_errc(it->status());
    }

    int64_t o = s.earliest;
    int64_t cum = s.cum_before_earliest;
    if (below && below->offset + 1 > s.earliest) {
        o = below->offset + 1;
        cum = below->cumulative_bytes;
    }
    const std::string upper = detail::record_key(id, s.next);
    rocksdb::Slice upper_slice(upper);
    rocksdb::ReadOptions ro;
    ro.iterate_upper_bound = &upper_slice;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, cf(cf_records)));
    // Lands on the record containing o (keys are last offsets).
    it->Seek(detail::record_key(id, o));
    while (!reached(o, cum)) {
        if (!it->Valid()) {
            o = std::min(stop_offset, s.next);
            break;
        }
        auto k = detail::parse_record_key(it->key().ToStringView());
        if (!k) return k.error();
        auto sum = detail::summarize_record_value(it->value().ToStringView());
        if (!sum) return sum.error();
        const int64_t base = k->last_offset - (sum->offset_count - int64_t{1});
        if (base > o) {
            // A gap (durability=none records lost in a crash) holds no bytes.
            o = std::min(base, stop_offset);
            continue;
        }
        if (k->last_offset >= stop_offset) {
            // A batch containing stop_offset: it stays stored, uncounted.
            o = stop_offset;
            break;
        }
        cum += sum->payload_bytes;
        o = k->last_offset + 1;
        it->Next();
    }
    if (!it->status().ok()) return to_errc(it->status());

    cut c{o, cum, {}};
    if (above && above->offset < o) {
        c.index_end = successor(above_key);
    } else if (below) {
        c.index_end = successor(below_key);
    }
    return c;
}

status rocksdb_journal::submit_truncate(const snapshot_t& s, const cut& c) {
    if (c.offset <= s.earliest) return {};
    const shard_id id = s.shard->id;
    op o;
    o.k = op::kind::truncate;
    o.shard = s.shard;
    o.offset = c.offset;
    o.cum_before = c.cum_before;
    // Keys are last offsets: this deletes exactly the records wholly below
    // the cut and keeps a batch straddling it.
    o.mutations.push_back({mutation::kind::erase_range, cf_records, detail::shard_prefix(id),
                           detail::record_key(id, c.offset)});
    if (!c.index_end.empty()) {
        o.mutations.push_back(
            {mutation::kind::erase_range, cf_indexes, detail::shard_prefix(id), c.index_end});
    }
    std::string value = u64_value(static_cast<uint64_t>(c.offset));
    detail::append_u64_be(value, static_cast<uint64_t>(c.cum_before));
    o.mutations.push_back({mutation::kind::put, cf_meta, earliest_key(id), std::move(value)});
    return submit(std::move(o));
}

status rocksdb_journal::truncate_before(shard_id id, int64_t offset) {
    if (stopping()) return errc::shutting_down;
    std::lock_guard lk(truncate_mu_);
    auto snap = snapshot(id);
    if (!snap) return snap.error();
    const int64_t target = std::min(offset, snap->next);
    if (target <= snap->earliest) return {};
    auto c = locate_cut(*snap, target, std::numeric_limits<int64_t>::max());
    if (!c) return c.error();
    return submit_truncate(*snap, *c);
}

status rocksdb_journal::apply_retention() {
    if (stopping()) return errc::shutting_down;
    status first_error;
    auto note = [&](const status& st) {
        // A shard deleted meanwhile is not a retention failure.
        if (!st && st.error() != errc::not_found && first_error) first_error = st;
    };
    const int64_t now = now_unix_ms();
    for (const auto& info : list_shards()) {
        const auto& policy = info.options.retention;
        if (policy.max_age_ms > 0) {
            auto o = offset_for_time(info.id, now - policy.max_age_ms);
            if (o) {
                note(truncate_before(info.id, *o));
            } else {
                note(o.error());
            }
        }
        if (policy.max_bytes > 0) {
            std::lock_guard lk(truncate_mu_);
            auto snap = snapshot(info.id);
            if (!snap) {
                note(snap.error());
                continue;
            }
            if (snap->cum_bytes - snap->cum_before_earliest <= policy.max_bytes) continue;
            auto c = locate_cut(*snap, snap->next, snap->cum_bytes - policy.max_bytes);
            note(c ? submit_truncate(*snap, *c) : status(c.error()));
        }
    }
    return first_error;
}

void rocksdb_journal::retention_loop() {
    std::unique_lock lk(q_mu_);
    while (!stopping_) {
        if (stop_cv_.wait_for(lk, std::chrono::milliseconds(opts_.retention_interval_ms),
                              [this] { return stopping_; })) {
            break;
        }
        lk.unlock();
        if (auto st = apply_retention(); !st && st.error() != errc::shutting_down) {
            spdlog::warn("journal: {}: retention failed: {}", opts_.path, st.error().message());
        }
        lk.lock();
    }
}

// ---------------------------------------------------------------- positions

status rocksdb_journal::commit_position(std::string_view group, shard_id id, int64_t next) {
    if (group.empty() || next < 0) return errc::invalid_argument;
    {
        std::shared_lock lk(registry_mu_);
        if (!shards_.contains(id)) return errc::not_found;
    }
    if (stopping()) return errc::shutting_down;
    // Only memory here: the writer puts the latest value of every dirty
    // position into its next batch, so a burst of commits costs one key write
    // and a later batch can never carry an older value than an earlier one.
    {
        std::lock_guard lk(positions_mu_);
        auto key = position_key(id, group);
        auto& e = positions_[key];
        e.value = next;
        e.version = ++position_version_;
        if (!e.dirty) {
            e.dirty = true;
            dirty_positions_.push_back(std::move(key));
        }
    }
    {
        std::lock_guard lk(q_mu_);
        positions_pending_ = true;
    }
    q_cv_.notify_one();
    return {};
}

result<int64_t> rocksdb_journal::committed_position(std::string_view group, shard_id id) const {
    {
        std::shared_lock lk(registry_mu_);
        if (!shards_.contains(id)) return errc::not_found;
    }
    const auto key = position_key(id, group);
    {
        std::lock_guard lk(positions_mu_);
        if (auto it = positions_.find(key); it != positions_.end()) return it->second.value;
    }
    // Not pending, so the latest value (if any) is on disk: entries leave
    // positions_ only after their write succeeded.
    std::string v;
    auto st = db_->Get(rocksdb::ReadOptions(), cf(cf_meta), key, &v);
    if (st.IsNotFound()) return errc::not_found;
    if (!st.ok()) return to_errc(st);
    if (v.size() != 8) return errc::corruption;
    return static_cast<int64_t>(detail::load_u64_be(v.data()));
}

std::vector<position_entry> rocksdb_journal::list_positions(std::string_view group_prefix) const {
    std::unordered_set<shard_id> live;
    {
        std::shared_lock lk(registry_mu_);
        for (const auto& [id, s] : shards_) live.insert(id);
    }
    // The iterator and the copy of the pending positions are taken under one
    // lock: a position that is not pending at that moment was written before
    // it (entries leave positions_ only after their write), so the iterator's
    // implicit snapshot sees it; a pending one is newer than the disk.
    std::map<std::string, int64_t> pending;
    std::unique_ptr<rocksdb::Iterator> it;
    const std::string lower = "p";
    const std::string upper = "q";
    rocksdb::Slice upper_slice(upper);
    rocksdb::ReadOptions ro;
    ro.iterate_upper_bound = &upper_slice;
    {
        std::lock_guard lk(positions_mu_);
        for (const auto& [key, e] : positions_) pending.emplace(key, e.value);
        it.reset(db_->NewIterator(ro, cf(cf_meta)));
    }
    // (group, shard) -> next offset.
    std::map<std::pair<std::string, shard_id>, int64_t> found;
    auto take = [&](std::string_view key, int64_t value) {
        if (key.size() < 10) return;  // "p" | shard | a non-empty group
        const shard_id shard(detail::load_u64_be(key.data() + 1));
        const std::string_view group = key.substr(9);
        // A deleted shard's positions may still be on disk until its range
        // delete is written.
        if (!group.starts_with(group_prefix) || !live.contains(shard)) return;
        found[{std::string(group), shard}] = value;
    };
    for (it->Seek(lower); it->Valid(); it->Next()) {
        const auto v = it->value().ToStringView();
        if (v.size() != 8) {
            spdlog::error("journal: {}: corrupt position {}", opts_.path, it->key().ToString(true));
            continue;
        }
        take(it->key().ToStringView(), static_cast<int64_t>(detail::load_u64_be(v.data())));
    }
    if (!it->status().ok()) {
        spdlog::error("journal: {}: listing positions failed: {}", opts_.path,
                      it->status().ToString());
    }
    for (const auto& [key, value] : pending) take(key, value);
    std::vector<position_entry> out;
    out.reserve(found.size());
    for (auto& [k, v] : found) out.push_back({k.first, k.second, v});
    return out;
}

status rocksdb_journal::delete_positions(std::string_view group) {
    if (group.empty()) return errc::invalid_argument;
    if (stopping()) return errc::shutting_down;
    // Keys are shard first, so one group's positions are scattered: collect
    // them from the pending ones and from disk. Both are taken under one
    // lock, as in list_positions(); a pending position being written right
    // now is among the collected keys, and this deletion is queued after
    // its write.
    std::set<std::string> keys;
    std::unique_ptr<rocksdb::Iterator> it;
    const std::string upper = "q";
    rocksdb::Slice upper_slice(upper);
    rocksdb::ReadOptions ro;
    ro.iterate_upper_bound = &upper_slice;
    auto of_group = [&](std::string_view key) {
        return key.size() == 9 + group.size() && key.substr(9) == group;
    };
    {
        std::lock_guard lk(positions_mu_);
        std::erase_if(positions_, [&](const auto& p) {
            if (!of_group(p.first)) return false;
            keys.insert(p.first);
            return true;
        });
        it.reset(db_->NewIterator(ro, cf(cf_meta)));
    }
    for (it->Seek("p"); it->Valid(); it->Next()) {
        if (of_group(it->key().ToStringView())) keys.insert(it->key().ToString());
    }
    status scanned;
    if (!it->status().ok()) {
        spdlog::error("journal: {}: scanning positions failed: {}", opts_.path,
                      it->status().ToString());
        scanned = to_errc(it->status());
    }
    if (keys.empty()) return scanned;
    op o;
    o.k = op::kind::mutate;
    for (const auto& k : keys) o.mutations.push_back({mutation::kind::erase, cf_meta, k, {}});
    auto written = submit(std::move(o));
    return scanned ? written : scanned;
}

// ---------------------------------------------------------------- lifecycle

status rocksdb_journal::flush() {
    {
        std::unique_lock lk(q_mu_);
        const uint64_t target = queued_ops_;
        done_cv_.wait(lk, [&] { return completed_ops_ >= target || writer_exited_; });
    }
    auto st = db_->FlushWAL(true);
    if (!st.ok()) {
        spdlog::error("journal: {}: WAL sync failed: {}", opts_.path, st.ToString());
        return to_errc(st);
    }
    // durability=none writes never reached the WAL: only a memtable flush
    // makes them durable.
    if (unpersisted_.exchange(false)) {
        rocksdb::FlushOptions fo;
        fo.wait = true;
        st = db_->Flush(fo, {cf(cf_records), cf(cf_indexes), cf(cf_meta)});
        if (!st.ok()) {
            unpersisted_ = true;
            spdlog::error("journal: {}: memtable flush failed: {}", opts_.path, st.ToString());
            return to_errc(st);
        }
    }
    return {};
}

void rocksdb_journal::stop() {
    std::lock_guard stop_lk(stop_mu_);
    {
        std::lock_guard lk(q_mu_);
        stopping_ = true;
    }
    q_cv_.notify_all();
    stop_cv_.notify_all();
    // Retention first: a truncation it is waiting on still needs the writer.
    if (retention_.joinable()) retention_.join();
    if (writer_.joinable()) writer_.join();
    if (readers_) readers_->stop();
}

}  // namespace

namespace detail {
result<std::unique_ptr<journal>> open_rocksdb_journal(const rocksdb_journal_options& opts,
                                                      rocksdb::Env* env) {
    return rocksdb_journal::open(opts, env);
}
}  // namespace detail

result<std::unique_ptr<journal>> make_rocksdb_journal(const rocksdb_journal_options& opts) {
    return detail::open_rocksdb_journal(opts, nullptr);
}

}  // namespace robust::storage
