// The RocksDB meta store: one RocksDB instance in its own directory (not
// shared with the journal, so metadata is never stuck behind record writes
// or compactions), default column family, keys and values stored as given.
//
// Durability: every write goes through the WAL with sync=false, so an
// acknowledged metadata change survives a process crash (the WAL is in the OS
// page cache) but not necessarily a power loss. Metadata writes are rare and
// small; the journal, not meta, carries the fsync durability option.

#include <rocksdb/db.h>
#include <rocksdb/iterator.h>
#include <rocksdb/options.h>
#include <rocksdb/slice.h>
#include <rocksdb/write_batch.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <memory>
#include <string>

#include "base/errc.h"
#include "meta/meta_store.h"
#include "scan_range.h"
#include "store_base.h"

namespace robust::meta {
namespace {

rocksdb::Slice to_slice(std::string_view s) {
    return {s.data(), s.size()};
}

std::string_view to_view(const rocksdb::Slice& s) {
    return {s.data(), s.size()};
}

class rocksdb_meta_store final : public detail::store_base {
public:
    explicit rocksdb_meta_store(std::unique_ptr<rocksdb::DB> db) : db_(std::move(db)) {
        write_options_.sync = false;
        write_options_.disableWAL = false;
        start_writer();
    }

    ~rocksdb_meta_store() override {
        stop();
        if (auto s = db_->Close(); !s.ok()) {
            spdlog::warn("meta: closing RocksDB failed: {}", s.ToString());
        }
    }

private:
    result<std::optional<std::string>> engine_get(std::string_view key) const override {
        std::string value;
        const rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), to_slice(key), &value);
        if (s.IsNotFound()) return std::optional<std::string>();
        if (!s.ok()) return io_failure("get", s);
        return std::optional<std::string>(std::move(value));
    }

    result<std::vector<kv>> engine_scan(std::string_view prefix, size_t limit,
                                        std::string_view start_after) const override {
        std::vector<kv> out;
        std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
        for (it->Seek(to_slice(detail::scan_seek_key(prefix, start_after)));
             it->Valid() && out.size() < limit; it->Next()) {
            const std::string_view key = to_view(it->key());
            if (!key.starts_with(prefix)) break;
            if (!start_after.empty() && key <= start_after) continue;
            out.emplace_back(std::string(key), it->value().ToString());
        }
        if (!it->status().ok()) return io_failure("scan", it->status());
        return out;
    }

    status engine_write(const std::vector<mutation>& batch) override {
        rocksdb::WriteBatch wb;
        for (const auto& m : batch) {
            const rocksdb::Status s =
                m.value ? wb.Put(to_slice(m.key), to_slice(*m.value)) : wb.Delete(to_slice(m.key));
            if (!s.ok()) return io_failure("batch", s);
        }
        const rocksdb::Status s = db_->Write(write_options_, &wb);
        if (!s.ok()) return io_failure("write", s);
        return {};
    }

    static std::error_code io_failure(const char* what, const rocksdb::Status& s) {
        spdlog::error("meta: RocksDB {} failed: {}", what, s.ToString());
        return make_error_code(errc::io_error);
    }

    std::unique_ptr<rocksdb::DB> db_;
    rocksdb::WriteOptions write_options_;
};

}  // namespace

result<std::unique_ptr<meta_store>> make_rocksdb_meta_store(const std::string& path) {
    std::error_code ec;
    std::filesystem::create_directories(path, ec);
    if (ec) {
        spdlog::error("meta: cannot create directory {}: {}", path, ec.message());
        return errc::io_error;
    }
    rocksdb::Options options;
    options.create_if_missing = true;
    // Metadata is small: modest memtables and caches, few background threads.
    options.OptimizeForSmallDb();
    options.keep_log_file_num = 4;
    rocksdb::DB* raw = nullptr;
    const rocksdb::Status s = rocksdb::DB::Open(options, path, &raw);
    if (!s.ok()) {
        spdlog::error("meta: cannot open RocksDB at {}: {}", path, s.ToString());
        return errc::io_error;
    }
    return std::unique_ptr<meta_store>(
        std::make_unique<rocksdb_meta_store>(std::unique_ptr<rocksdb::DB>(raw)));
}

}  // namespace robust::meta
