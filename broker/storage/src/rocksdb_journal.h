#pragma once
// Internal entry point of the RocksDB engine, for tests that need to put a
// fault-injecting rocksdb::Env under it. Everyone else calls
// make_rocksdb_journal(). The on-disk format is described at the top of the
// rocksdb_journal class in rocksdb_journal.cc.

#include <memory>

#include "base/result.h"
#include "storage/journal.h"

namespace rocksdb {
class Env;
}  // namespace rocksdb

namespace robust::storage::detail {

/// make_rocksdb_journal() with `env` (not owned; must outlive the journal)
/// instead of the default environment; nullptr means the default.
result<std::unique_ptr<journal>> open_rocksdb_journal(const rocksdb_journal_options& opts,
                                                      rocksdb::Env* env);

}  // namespace robust::storage::detail
