// The journal engines report to a metrics registry: one observation per group
// commit, counts of appends, records and payload bytes, and (RocksDB) the
// store's size at scrape time.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "codec.h"
#include "metrics/registry.h"
#include "storage/journal.h"
#include "test_util.h"

namespace robust::storage {
namespace {

using test::completion_counter;
using test::make_record;
using test::make_request;
using test::scraped_value;

double value_of(const std::string& scrape, const std::string& series) {
    auto v = scraped_value(scrape, series);
    EXPECT_TRUE(v.has_value()) << series << " not in the scrape";
    return v.value_or(-1);
}

struct appended {
    uint64_t records = 0;
    uint64_t bytes = 0;
};

// `n` appends of 3 records each, queued back to back so that the writer can
// merge them; every 10th also writes index pointers to `inbox`, which the
// metrics must not count as records. Waits for every callback.
appended append_many(journal& j, shard_id topic, shard_id inbox, int n) {
    appended out;
    completion_counter done(static_cast<size_t>(n));
    std::atomic<int> failed{0};
    for (int i = 0; i < n; ++i) {
        std::vector<record> recs;
        for (int k = 0; k < 3; ++k) {
            recs.push_back(
                make_record("value-" + std::to_string(i * 3 + k), 0, "key", {{"h", "v"}}));
            out.bytes += static_cast<uint64_t>(detail::record_payload_bytes(recs.back()));
            ++out.records;
        }
        j.append(make_request(topic, std::move(recs), durability::wal,
                              i % 10 == 0 ? std::vector<shard_id>{inbox} : std::vector<shard_id>{}),
                 [&](result<append_result> r) {
                     if (!r) ++failed;
                     done.done();
                 });
    }
    done.wait();
    EXPECT_EQ(failed.load(), 0);
    return out;
}

// What both engines must report after append_many(n).
void expect_commits(const std::string& scrape, const std::string& engine, int n,
                    const appended& a) {
    const std::string l = "{engine=\"" + engine + "\"}";
    EXPECT_EQ(value_of(scrape, "robustmq_journal_appends_total" + l), n);
    EXPECT_EQ(value_of(scrape, "robustmq_journal_appended_records_total" + l), a.records);
    EXPECT_EQ(value_of(scrape, "robustmq_journal_appended_bytes_total" + l), a.bytes);
    EXPECT_EQ(value_of(scrape, "robustmq_journal_failed_appends_total" + l), 0);

    // One latency and one batch-size observation per group commit.
    const double commits = value_of(scrape, "robustmq_journal_batch_records_count" + l);
    EXPECT_GE(commits, 1);
    EXPECT_LE(commits, n);
    EXPECT_EQ(value_of(scrape, "robustmq_journal_append_latency_seconds_count" + l), commits);
    EXPECT_EQ(value_of(scrape, "robustmq_journal_batch_records_sum" + l), a.records);
    EXPECT_GT(value_of(scrape, "robustmq_journal_append_latency_seconds_sum" + l), 0);
    EXPECT_EQ(value_of(scrape, "robustmq_journal_append_latency_seconds_bucket{engine=\"" + engine +
                                   "\",le=\"+Inf\"}"),
              commits);
    // Every commit holds at least one append of 3 records.
    EXPECT_EQ(value_of(scrape,
                       "robustmq_journal_batch_records_bucket{engine=\"" + engine + "\",le=\"2\"}"),
              0);
}

TEST(JournalMetrics, RocksdbJournalReportsGroupCommitsAndStoreSize) {
    metrics::registry reg;  // outlives the journal
    test::temp_dir dir;
    rocksdb_journal_options o;
    o.path = dir.path();
    o.retention_interval_ms = 0;
    o.metrics = reg.journal(metrics::journal_engine::rocksdb);
    auto opened = make_rocksdb_journal(o);
    ASSERT_TRUE(opened.has_value());
    auto j = std::move(opened).value();
    const auto topic = *j->create_shard("topic");
    const auto inbox = *j->create_shard("inbox");

    constexpr int n = 200;
    const auto a = append_many(*j, topic, inbox, n);
    // A request for an unknown shard writes nothing and is not counted.
    auto missing = test::append_sync(*j, make_request(shard_id(999), {make_record("x")}));
    ASSERT_FALSE(missing.has_value());

    auto scrape = reg.scrape();
    expect_commits(scrape, "rocksdb", n, a);
    EXPECT_EQ(value_of(scrape, "robustmq_journal_appends_total{engine=\"memory\"}"), 0);
    // The records are in the memtables now.
    const double in_memtables = value_of(scrape, "robustmq_storage_size_bytes{store=\"journal\"}");
    EXPECT_GE(in_memtables, static_cast<double>(a.bytes));
    EXPECT_GE(value_of(scrape, "robustmq_storage_pending_compaction_bytes{store=\"journal\"}"), 0);

    // durability=none forces flush() to write SST files: still counted.
    ASSERT_TRUE(test::append_sync(*j, make_request(topic, {make_record("z")}, durability::none))
                    .has_value());
    ASSERT_TRUE(j->flush().has_value());
    scrape = reg.scrape();
    EXPECT_GT(value_of(scrape, "robustmq_storage_size_bytes{store=\"journal\"}"), 0);
    EXPECT_EQ(value_of(scrape, "robustmq_journal_appends_total{engine=\"rocksdb\"}"), n + 1);

    // A closed journal is no longer asked: its store leaves the scrape.
    j.reset();
    scrape = reg.scrape();
    EXPECT_FALSE(scraped_value(scrape, "robustmq_storage_size_bytes{store=\"journal\"}"));
    EXPECT_EQ(value_of(scrape, "robustmq_journal_appends_total{engine=\"rocksdb\"}"), n + 1);
}

TEST(JournalMetrics, MemoryJournalReportsGroupCommits) {
    metrics::registry reg;
    memory_journal_options o;
    o.retention_interval_ms = 0;
    o.metrics = reg.journal(metrics::journal_engine::memory);
    auto j = make_memory_journal(o);
    const auto topic = *j->create_shard("topic");
    const auto inbox = *j->create_shard("inbox");

    constexpr int n = 50;
    const auto a = append_many(*j, topic, inbox, n);
    auto missing = test::append_sync(*j, make_request(shard_id(999), {make_record("x")}));
    ASSERT_FALSE(missing.has_value());

    const auto scrape = reg.scrape();
    expect_commits(scrape, "memory", n, a);
    EXPECT_EQ(value_of(scrape, "robustmq_journal_appends_total{engine=\"rocksdb\"}"), 0);
    // The memory engine has no RocksDB store to report.
    EXPECT_FALSE(scraped_value(scrape, "robustmq_storage_size_bytes{store=\"journal\"}"));
}

TEST(JournalMetrics, WithoutARegistryNothingIsRecorded) {
    metrics::registry reg;
    test::temp_dir dir;
    rocksdb_journal_options o;
    o.path = dir.path();
    o.retention_interval_ms = 0;  // o.metrics left disabled
    auto j = std::move(make_rocksdb_journal(o)).value();
    const auto topic = *j->create_shard("topic");
    ASSERT_TRUE(test::append_sync(*j, make_request(topic, {make_record("x")})).has_value());
    const auto scrape = reg.scrape();
    EXPECT_EQ(value_of(scrape, "robustmq_journal_appends_total{engine=\"rocksdb\"}"), 0);
    EXPECT_FALSE(scraped_value(scrape, "robustmq_storage_size_bytes{store=\"journal\"}"));
}

}  // namespace
}  // namespace robust::storage
