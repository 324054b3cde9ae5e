// The behavioural contract of journal.h, run against every engine.

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <set>
#include <span>
#include <thread>
#include <tuple>

#include "base/clock.h"
#include "base/errc.h"
#include "storage/journal.h"
#include "test_util.h"

namespace robust::storage {
namespace {

using test::append_sync;
using test::completion_counter;
using test::make_batch;
using test::make_record;
using test::make_request;

struct memory_engine {
    std::unique_ptr<journal> open(int64_t retention_interval_ms = 0) {
        memory_journal_options o;
        o.max_records_per_shard = 1'000'000;
        o.retention_interval_ms = retention_interval_ms;
        return make_memory_journal(o);
    }
};

struct rocksdb_engine {
    test::temp_dir dir;
    std::unique_ptr<journal> open(int64_t retention_interval_ms = 0) {
        rocksdb_journal_options o;
        o.path = dir.path();
        o.retention_interval_ms = retention_interval_ms;
        auto j = make_rocksdb_journal(o);
        EXPECT_TRUE(j.has_value());
        return j ? std::move(j).value() : nullptr;
    }
};

struct engine_names {
    template <class T>
    static std::string GetName(int) {
        return std::is_same_v<T, memory_engine> ? "memory" : "rocksdb";
    }
};

template <class Engine>
class Journal : public ::testing::Test {
protected:
    void SetUp() override {
        j_ = engine_.open();
        ASSERT_NE(j_, nullptr);
    }
    void TearDown() override {
        if (j_) j_->stop();
        j_.reset();
    }

    shard_id create(std::string_view name, shard_options opts = {}) {
        auto id = j_->create_shard(name, opts);
        EXPECT_TRUE(id.has_value());
        return id ? *id : shard_id();
    }

    int64_t append_values(shard_id id, const std::vector<std::string>& values, int64_t ts = 0) {
        std::vector<record> recs;
        for (const auto& v : values) recs.push_back(make_record(v, ts));
        auto r = append_sync(*j_, make_request(id, std::move(recs)));
        EXPECT_TRUE(r.has_value());
        return r ? r->first_offset : -1;
    }

    std::vector<record> read_all(shard_id id, int64_t from = 0) {
        auto r = j_->read(id, from, SIZE_MAX, SIZE_MAX);
        EXPECT_TRUE(r.has_value());
        return r ? *r : std::vector<record>{};
    }

    Engine engine_;
    std::unique_ptr<journal> j_;
};

using engines = ::testing::Types<memory_engine, rocksdb_engine>;
TYPED_TEST_SUITE(Journal, engines, engine_names);

TYPED_TEST(Journal, AppendsGetDenseOffsetsAndReadBack) {
    auto id = this->create("orders");
    const int64_t before = now_unix_ms();
    auto r1 = append_sync(*this->j_, make_request(id, {make_record("a", 1000, "k1")}));
    ASSERT_TRUE(r1.has_value());
    EXPECT_EQ(r1->first_offset, 0);
    auto r2 = append_sync(
        *this->j_, make_request(id, {make_record("b", 2000, "", {{"h1", "v1"}, {"h2", ""}}),
                                     make_record("", 0), make_record(std::string(5000, 'x'))}));
    ASSERT_TRUE(r2.has_value());
    EXPECT_EQ(r2->first_offset, 1);
    EXPECT_TRUE(r2->index_first_offsets.empty());
    EXPECT_EQ(this->append_values(id, {"d", "e"}), 4);

    auto recs = this->read_all(id);
    ASSERT_EQ(recs.size(), 6u);
    for (size_t i = 0; i < recs.size(); ++i) EXPECT_EQ(recs[i].offset, static_cast<int64_t>(i));
    EXPECT_EQ(recs[0].key, "k1");
    EXPECT_EQ(recs[0].value.str(), "a");
    EXPECT_EQ(recs[0].timestamp_ms, 1000);
    EXPECT_EQ(recs[1].headers, (std::vector<record_header>{{"h1", "v1"}, {"h2", ""}}));
    EXPECT_EQ(recs[1].timestamp_ms, 2000);
    EXPECT_TRUE(recs[2].value.empty());
    EXPECT_GE(recs[2].timestamp_ms, before);  // 0 became the append time
    EXPECT_LE(recs[2].timestamp_ms, now_unix_ms());
    EXPECT_EQ(recs[3].value.str(), std::string(5000, 'x'));
    EXPECT_EQ(recs[5].value.str(), "e");
    EXPECT_EQ(*this->j_->next_offset(id), 6);
    EXPECT_EQ(*this->j_->earliest(id), 0);
}

TYPED_TEST(Journal, EmptyAppendSucceedsWithoutConsumingOffsets) {
    auto id = this->create("s");
    auto r = append_sync(*this->j_, make_request(id, {}));
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->first_offset, 0);
    EXPECT_EQ(*this->j_->next_offset(id), 0);
}

TYPED_TEST(Journal, CallbacksRunOnAJournalThread) {
    auto id = this->create("s");
    auto p = std::make_shared<std::promise<std::thread::id>>();
    auto f = p->get_future();
    this->j_->append(make_request(id, {make_record("x")}),
                     [p](result<append_result>) { p->set_value(std::this_thread::get_id()); });
    EXPECT_NE(f.get(), std::this_thread::get_id());

    auto q = std::make_shared<std::promise<std::pair<std::thread::id, size_t>>>();
    auto g = q->get_future();
    this->j_->read_async(id, 0, 10, SIZE_MAX, [q](result<std::vector<record>> r) {
        q->set_value({std::this_thread::get_id(), r ? r->size() : 999});
    });
    auto [tid, n] = g.get();
    EXPECT_NE(tid, std::this_thread::get_id());
    EXPECT_EQ(n, 1u);
}

TYPED_TEST(Journal, ManyConcurrentAppendersGetDenseOffsetsAndNoLostCallback) {
    constexpr int threads = 6;
    constexpr int appends_per_thread = 300;
    const shard_id shards[2] = {this->create("a"), this->create("b")};
    completion_counter counter(threads * appends_per_thread);
    std::mutex mu;
    // shard index -> first offset -> (count, values)
    std::map<int64_t, std::vector<std::string>> got[2];
    std::atomic<int> failures{0};

    std::vector<std::thread> producers;
    for (int t = 0; t < threads; ++t) {
        producers.emplace_back([&, t] {
            for (int i = 0; i < appends_per_thread; ++i) {
                const int s = (t + i) % 2;
                const int n = 1 + (i % 4);
                std::vector<record> recs;
                std::vector<std::string> values;
                for (int k = 0; k < n; ++k) {
                    values.push_back("t" + std::to_string(t) + "-" + std::to_string(i) + "-" +
                                     std::to_string(k));
                    recs.push_back(make_record(values.back()));
                }
                const auto d =
                    i % 50 == 0 ? durability::fsync : (i % 2 ? durability::none : durability::wal);
                this->j_->append(make_request(shards[s], std::move(recs), d),
                                 [&, s, values](result<append_result> r) {
                                     if (r) {
                                         std::lock_guard lk(mu);
                                         got[s][r->first_offset] = values;
                                     } else {
                                         ++failures;
                                     }
                                     counter.done();
                                 });
            }
        });
    }
    for (auto& p : producers) p.join();
    counter.wait();
    EXPECT_EQ(failures.load(), 0);

    for (int s = 0; s < 2; ++s) {
        int64_t expect = 0;
        for (const auto& [first, values] : got[s]) {
            ASSERT_EQ(first, expect) << "gap or overlap in shard " << s;
            expect += static_cast<int64_t>(values.size());
        }
        EXPECT_EQ(*this->j_->next_offset(shards[s]), expect);
        auto recs = this->read_all(shards[s]);
        ASSERT_EQ(static_cast<int64_t>(recs.size()), expect);
        for (const auto& [first, values] : got[s]) {
            for (size_t k = 0; k < values.size(); ++k) {
                EXPECT_EQ(recs[static_cast<size_t>(first) + k].value.str(), values[k]);
            }
        }
    }
}

TYPED_TEST(Journal, StopDrainsQueuedAppends) {
    auto id = this->create("s");
    constexpr int n = 2000;
    std::atomic<int> ok{0};
    for (int i = 0; i < n; ++i) {
        this->j_->append(make_request(id, {make_record("v" + std::to_string(i))}),
                         [&](result<append_result> r) { ok += r ? 1 : 0; });
    }
    this->j_->stop();
    EXPECT_EQ(ok.load(), n);  // every callback has run by the time stop() returns
    EXPECT_EQ(*this->j_->next_offset(id), n);
}

TYPED_TEST(Journal, IndexShardsPointAtTheirRecords) {
    auto topic = this->create("topic");
    auto inbox1 = this->create("inbox-1");
    auto inbox2 = this->create("inbox-2");
    this->append_values(topic, {"before"});
    this->append_values(inbox2, {"own record"});
    auto r =
        append_sync(*this->j_, make_request(topic, {make_record("m1", 111), make_record("m2", 222)},
                                            durability::wal, {inbox1, inbox2}));
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->first_offset, 1);
    EXPECT_EQ(r->index_first_offsets, (std::vector<int64_t>{0, 1}));

    for (auto [inbox, from] : {std::pair{inbox1, int64_t{0}}, std::pair{inbox2, int64_t{1}}}) {
        auto ptrs = this->read_all(inbox, from);
        ASSERT_EQ(ptrs.size(), 2u);
        for (size_t i = 0; i < 2; ++i) {
            auto p = index_pointer::decode(ptrs[i].value.view());
            ASSERT_TRUE(p.has_value());
            EXPECT_EQ(p->shard, topic);
            EXPECT_EQ(p->offset, 1 + static_cast<int64_t>(i));
            auto target = this->j_->read(p->shard, p->offset, 1, SIZE_MAX);
            ASSERT_TRUE(target.has_value());
            ASSERT_EQ(target->size(), 1u);
            EXPECT_EQ((*target)[0].value.str(), i == 0 ? "m1" : "m2");
            EXPECT_EQ(ptrs[i].timestamp_ms, (*target)[0].timestamp_ms);
        }
    }
}

TYPED_TEST(Journal, AppendWithAnUnknownShardWritesNothing) {
    auto topic = this->create("topic");
    auto inbox = this->create("inbox");
    auto r = append_sync(*this->j_, make_request(topic, {make_record("m")}, durability::wal,
                                                 {inbox, shard_id(424242)}));
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error(), errc::not_found);
    EXPECT_EQ(*this->j_->next_offset(topic), 0);
    EXPECT_EQ(*this->j_->next_offset(inbox), 0);

    auto r2 = append_sync(*this->j_, make_request(shard_id(424242), {make_record("m")}));
    ASSERT_FALSE(r2.has_value());
    EXPECT_EQ(r2.error(), errc::not_found);
    EXPECT_EQ(this->append_values(topic, {"next"}), 0);
}

TYPED_TEST(Journal, ReadHonoursLimits) {
    auto id = this->create("s");
    std::vector<std::string> values;
    for (int i = 0; i < 10; ++i) values.push_back(std::string(100, static_cast<char>('a' + i)));
    this->append_values(id, values);

    auto by_count = this->j_->read(id, 0, 3, SIZE_MAX);
    ASSERT_TRUE(by_count.has_value());
    EXPECT_EQ(by_count->size(), 3u);
    auto by_bytes = this->j_->read(id, 2, SIZE_MAX, 250);
    ASSERT_TRUE(by_bytes.has_value());
    ASSERT_EQ(by_bytes->size(), 2u);
    EXPECT_EQ((*by_bytes)[0].offset, 2);
    auto exact = this->j_->read(id, 0, SIZE_MAX, 300);
    ASSERT_TRUE(exact.has_value());
    EXPECT_EQ(exact->size(), 3u);
    auto at_least_one = this->j_->read(id, 4, SIZE_MAX, 10);
    ASSERT_TRUE(at_least_one.has_value());
    ASSERT_EQ(at_least_one->size(), 1u);
    EXPECT_EQ((*at_least_one)[0].offset, 4);
    auto none = this->j_->read(id, 0, 0, SIZE_MAX);
    ASSERT_TRUE(none.has_value());
    EXPECT_TRUE(none->empty());
    auto past_end = this->j_->read(id, 10, 5, SIZE_MAX);
    ASSERT_TRUE(past_end.has_value());
    EXPECT_TRUE(past_end->empty());
    auto tail = this->j_->read(id, 7, 100, SIZE_MAX);
    ASSERT_TRUE(tail.has_value());
    ASSERT_EQ(tail->size(), 3u);
    EXPECT_EQ(tail->back().offset, 9);
    auto unknown = this->j_->read(shard_id(999), 0, 1, 1);
    ASSERT_FALSE(unknown.has_value());
    EXPECT_EQ(unknown.error(), errc::not_found);
}

// The smallest stored base offset with timestamp >= ts (raised to earliest),
// from the records themselves.
int64_t brute_force_offset_for_time(const std::vector<record>& recs, int64_t earliest, int64_t next,
                                    int64_t ts) {
    for (const auto& r : recs) {
        if (r.timestamp_ms >= ts) return std::max(r.offset, earliest);
    }
    return next;
}

TYPED_TEST(Journal, OffsetForTimeFindsTheFirstRecordAtOrAfter) {
    auto id = this->create("s");
    EXPECT_EQ(*this->j_->offset_for_time(id, 12345), 0);  // empty: next_offset
    // Mostly rising timestamps with stragglers and repeats, across many index
    // samples, plus some in big records so byte-based sampling kicks in.
    std::vector<record> recs;
    for (int i = 0; i < 700; ++i) {
        int64_t ts = 1'000'000 + i * 10;
        if (i % 7 == 3) ts -= 500;                       // late record
        if (i % 11 == 5) ts = 1'000'000 + (i - 1) * 10;  // repeat
        recs.push_back(make_record(i % 50 == 0 ? std::string(70'000, 'b') : "v", ts));
    }
    recs.push_back(make_record("neg", -5));
    ASSERT_TRUE(append_sync(*this->j_, make_request(id, std::move(recs))).has_value());

    auto stored = this->read_all(id);
    const int64_t next = *this->j_->next_offset(id);
    for (int64_t ts = 999'000; ts <= 1'008'000; ts += 37) {
        ASSERT_EQ(*this->j_->offset_for_time(id, ts),
                  brute_force_offset_for_time(stored, 0, next, ts))
            << "ts " << ts;
    }
    EXPECT_EQ(*this->j_->offset_for_time(id, -10), 0);
    EXPECT_EQ(*this->j_->offset_for_time(id, 1'000'000), 0);
    EXPECT_EQ(*this->j_->offset_for_time(id, 9'000'000), next);

    // Still exact once the front is gone.
    ASSERT_TRUE(this->j_->truncate_before(id, 333).has_value());
    stored = this->read_all(id);
    for (int64_t ts = 999'000; ts <= 1'008'000; ts += 41) {
        ASSERT_EQ(*this->j_->offset_for_time(id, ts),
                  brute_force_offset_for_time(stored, 333, next, ts))
            << "ts " << ts;
    }
    EXPECT_EQ(this->j_->offset_for_time(shard_id(999), 0).error(), errc::not_found);
}

TYPED_TEST(Journal, TruncateBeforeDropsOldRecords) {
    auto id = this->create("s");
    std::vector<std::string> values;
    for (int i = 0; i < 100; ++i) values.push_back("value-" + std::to_string(i));
    this->append_values(id, values);
    const auto bytes_before = this->j_->describe_shard(id)->bytes;

    ASSERT_TRUE(this->j_->truncate_before(id, 40).has_value());
    EXPECT_EQ(*this->j_->earliest(id), 40);
    auto recs = this->read_all(id);
    ASSERT_EQ(recs.size(), 60u);
    EXPECT_EQ(recs.front().offset, 40);
    EXPECT_EQ(recs.front().value.str(), "value-40");
    int64_t expected_bytes = 0;
    for (int i = 40; i < 100; ++i) expected_bytes += static_cast<int64_t>(values[i].size());
    EXPECT_EQ(this->j_->describe_shard(id)->bytes, expected_bytes);
    EXPECT_LT(expected_bytes, bytes_before);

    ASSERT_TRUE(this->j_->truncate_before(id, 30).has_value());  // never moves back
    EXPECT_EQ(*this->j_->earliest(id), 40);
    ASSERT_TRUE(this->j_->truncate_before(id, 1000).has_value());  // clamped to next_offset
    EXPECT_EQ(*this->j_->earliest(id), 100);
    EXPECT_TRUE(this->read_all(id).empty());
    EXPECT_EQ(this->j_->describe_shard(id)->bytes, 0);
    EXPECT_EQ(*this->j_->offset_for_time(id, 0), 100);
    EXPECT_EQ(this->append_values(id, {"after"}), 100);
    EXPECT_EQ(this->read_all(id).front().value.str(), "after");
    EXPECT_EQ(this->j_->truncate_before(shard_id(999), 1).error(), errc::not_found);
}

TYPED_TEST(Journal, RetentionByAgeDropsOldRecords) {
    shard_options opts;
    opts.retention.max_age_ms = 60 * 60 * 1000;
    auto id = this->create("aged", opts);
    auto keep = this->create("unlimited");
    const int64_t now = now_unix_ms();
    std::vector<std::string> values(50, "x");
    this->append_values(id, values, now - 3 * 60 * 60 * 1000);
    this->append_values(keep, values, now - 3 * 60 * 60 * 1000);
    this->append_values(id, values, now);

    ASSERT_TRUE(this->j_->apply_retention().has_value());
    EXPECT_EQ(*this->j_->earliest(id), 50);
    EXPECT_EQ(this->read_all(id).size(), 50u);
    EXPECT_EQ(*this->j_->earliest(keep), 0);
}

TYPED_TEST(Journal, RetentionBySizeKeepsTheNewestBytes) {
    shard_options opts;
    opts.retention.max_bytes = 2550;
    auto id = this->create("sized", opts);
    for (int i = 0; i < 100; ++i) this->append_values(id, {std::string(100, 'z')});
    EXPECT_EQ(this->j_->describe_shard(id)->bytes, 10'000);

    ASSERT_TRUE(this->j_->apply_retention().has_value());
    EXPECT_EQ(*this->j_->earliest(id), 75);
    EXPECT_EQ(this->j_->describe_shard(id)->bytes, 2500);
    EXPECT_EQ(this->read_all(id).size(), 25u);

    ASSERT_TRUE(this->j_->apply_retention().has_value());  // already within bounds
    EXPECT_EQ(*this->j_->earliest(id), 75);
}

TYPED_TEST(Journal, RetentionRunsPeriodically) {
    this->j_->stop();
    this->j_.reset();
    this->j_ = this->engine_.open(/*retention_interval_ms=*/5);
    shard_options opts;
    opts.retention.max_bytes = 10;
    auto id = this->create("sized", opts);
    this->append_values(id, {"0123456789", "0123456789"});
    // Waiting for a timer: poll the observable effect, with a generous deadline.
    const auto deadline = steady_clock::now() + std::chrono::seconds(20);
    while (*this->j_->earliest(id) != 1 && steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    EXPECT_EQ(*this->j_->earliest(id), 1);
}

TYPED_TEST(Journal, PositionsCommitReadBackAndNeverGoBackwards) {
    auto id = this->create("s");
    auto other = this->create("t");
    EXPECT_EQ(this->j_->committed_position("g", id).error(), errc::not_found);
    ASSERT_TRUE(this->j_->commit_position("g", id, 5).has_value());
    EXPECT_EQ(*this->j_->committed_position("g", id), 5);
    EXPECT_EQ(this->j_->committed_position("g", other).error(), errc::not_found);
    EXPECT_EQ(this->j_->committed_position("h", id).error(), errc::not_found);
    EXPECT_EQ(this->j_->commit_position("", id, 1).error(), errc::invalid_argument);
    EXPECT_EQ(this->j_->commit_position("g", id, -1).error(), errc::invalid_argument);
    EXPECT_EQ(this->j_->commit_position("g", shard_id(999), 1).error(), errc::not_found);

    // Several threads each commit a rising sequence for their own group while
    // appends keep the writer busy; every read sees the latest commit.
    constexpr int threads = 4;
    constexpr int commits = 500;
    std::atomic<int> stale{0};
    std::vector<std::thread> ts;
    for (int t = 0; t < threads; ++t) {
        ts.emplace_back([&, t] {
            const std::string group = "group-" + std::to_string(t);
            for (int i = 1; i <= commits; ++i) {
                if (!this->j_->commit_position(group, id, i)) ++stale;
                auto got = this->j_->committed_position(group, id);
                if (!got || *got != i) ++stale;
                if (i % 50 == 0)
                    this->j_->append(make_request(id, {make_record("x")}), [](auto) {});
            }
        });
    }
    for (auto& t : ts) t.join();
    EXPECT_EQ(stale.load(), 0);
    ASSERT_TRUE(this->j_->flush().has_value());
    for (int t = 0; t < threads; ++t) {
        EXPECT_EQ(*this->j_->committed_position("group-" + std::to_string(t), id), commits);
    }
    // A consumer may seek back: the last commit wins.
    ASSERT_TRUE(this->j_->commit_position("g", id, 2).has_value());
    ASSERT_TRUE(this->j_->flush().has_value());
    EXPECT_EQ(*this->j_->committed_position("g", id), 2);
}

TYPED_TEST(Journal, CreateShardIsIdempotent) {
    shard_options opts;
    opts.retention.max_age_ms = 1234;
    auto a = this->create("orders", opts);
    auto b = this->create("orders", shard_options{});
    EXPECT_EQ(a, b);
    EXPECT_NE(a.value(), 0u);
    auto c = this->create("payments");
    EXPECT_NE(a, c);
    EXPECT_EQ(*this->j_->find_shard("orders"), a);
    EXPECT_EQ(this->j_->find_shard("nope").error(), errc::not_found);
    EXPECT_EQ(this->j_->create_shard("").error(), errc::invalid_argument);

    auto list = this->j_->list_shards();
    ASSERT_EQ(list.size(), 2u);
    EXPECT_EQ(list[0].name, "orders");
    EXPECT_EQ(list[0].options.retention.max_age_ms, 1234);  // the first create's options
    EXPECT_EQ(list[1].name, "payments");
    auto info = this->j_->describe_shard(a);
    ASSERT_TRUE(info.has_value());
    EXPECT_EQ(info->id, a);
    EXPECT_EQ(info->next_offset, 0);
    EXPECT_EQ(info->bytes, 0);
    EXPECT_EQ(this->j_->describe_shard(shard_id(999)).error(), errc::not_found);
}

TYPED_TEST(Journal, AppendRightAfterCreateShard) {
    // Creation never waits for the disk; the registry entry must still be
    // there before (or with) the records.
    for (int i = 0; i < 50; ++i) {
        auto id = this->create("fresh-" + std::to_string(i));
        EXPECT_EQ(this->append_values(id, {"first"}), 0);
    }
    EXPECT_EQ(this->j_->list_shards().size(), 50u);
}

TYPED_TEST(Journal, DeleteShardRemovesEverything) {
    auto id = this->create("doomed");
    auto keep = this->create("kept");
    this->append_values(id, {"a", "b", "c"});
    this->append_values(keep, {"a"});
    ASSERT_TRUE(this->j_->commit_position("g", id, 2).has_value());
    ASSERT_TRUE(this->j_->delete_shard(id).has_value());

    EXPECT_EQ(this->j_->find_shard("doomed").error(), errc::not_found);
    EXPECT_EQ(this->j_->describe_shard(id).error(), errc::not_found);
    EXPECT_EQ(this->j_->read(id, 0, 10, SIZE_MAX).error(), errc::not_found);
    EXPECT_EQ(this->j_->next_offset(id).error(), errc::not_found);
    EXPECT_EQ(this->j_->earliest(id).error(), errc::not_found);
    EXPECT_EQ(this->j_->committed_position("g", id).error(), errc::not_found);
    EXPECT_EQ(this->j_->delete_shard(id).error(), errc::not_found);
    auto r = append_sync(*this->j_, make_request(id, {make_record("late")}));
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error(), errc::not_found);
    EXPECT_EQ(this->j_->list_shards().size(), 1u);

    auto again = this->create("doomed");
    EXPECT_NE(again, id);
    EXPECT_EQ(*this->j_->next_offset(again), 0);
    EXPECT_TRUE(this->read_all(again).empty());
    EXPECT_EQ(this->j_->committed_position("g", again).error(), errc::not_found);
    EXPECT_EQ(this->read_all(keep).size(), 1u);
}

// ---------------------------------------------------------------- batches

// Offsets and counts of stored records, for compact expectations.
std::vector<std::pair<int64_t, uint32_t>> spans(const std::vector<record>& recs) {
    std::vector<std::pair<int64_t, uint32_t>> out;
    for (const auto& r : recs) out.emplace_back(r.offset, r.offset_count);
    return out;
}
using span_list = std::vector<std::pair<int64_t, uint32_t>>;

TYPED_TEST(Journal, BatchesCoverDenseOffsetsBetweenSingleRecords) {
    auto id = this->create("topic");
    auto inbox = this->create("inbox");
    // Offsets: a=0, batch 1..5, b=6; then batch 7..9; then c=10.
    auto r1 = append_sync(
        *this->j_,
        make_request(id, {make_record("a", 100), make_batch("B1", 5, 200), make_record("b", 300)},
                     durability::wal, {inbox}));
    ASSERT_TRUE(r1.has_value());
    EXPECT_EQ(r1->first_offset, 0);
    EXPECT_EQ(r1->index_first_offsets, std::vector<int64_t>{0});
    auto r2 = append_sync(*this->j_, make_request(id, {make_batch("B2", 3, 400)}));
    ASSERT_TRUE(r2.has_value());
    EXPECT_EQ(r2->first_offset, 7);
    EXPECT_EQ(this->append_values(id, {"c"}, 500), 10);
    EXPECT_EQ(*this->j_->next_offset(id), 11);
    EXPECT_EQ(*this->j_->next_offset(inbox), 3);  // one pointer per stored record
    // A batch counts its payload like any record.
    EXPECT_EQ(this->j_->describe_shard(id)->bytes, 1 + 2 + 1 + 2 + 1);

    auto all = this->read_all(id);
    EXPECT_EQ(spans(all), (span_list{{0, 1}, {1, 5}, {6, 1}, {7, 3}, {10, 1}}));
    ASSERT_EQ(all.size(), 5u);
    EXPECT_EQ(all[1].format, record_format::kafka_batch);
    EXPECT_EQ(all[1].last_offset(), 5);
    EXPECT_EQ(all[1].value.str(), "B1");
    EXPECT_EQ(all[1].timestamp_ms, 200);
    EXPECT_EQ(all[2].format, record_format::single);
    EXPECT_EQ(all[3].value.str(), "B2");

    // Reading from inside a batch returns the whole batch, base offset first.
    EXPECT_EQ(spans(this->read_all(id, 3)), (span_list{{1, 5}, {6, 1}, {7, 3}, {10, 1}}));
    EXPECT_EQ(spans(this->read_all(id, 5)), (span_list{{1, 5}, {6, 1}, {7, 3}, {10, 1}}));
    EXPECT_EQ(spans(this->read_all(id, 6)), (span_list{{6, 1}, {7, 3}, {10, 1}}));
    EXPECT_EQ(spans(this->read_all(id, 9)), (span_list{{7, 3}, {10, 1}}));
    EXPECT_TRUE(this->read_all(id, 11).empty());
    // max_records counts stored records, not offsets.
    EXPECT_EQ(spans(*this->j_->read(id, 2, 2, SIZE_MAX)), (span_list{{1, 5}, {6, 1}}));
    EXPECT_EQ(spans(*this->j_->read(id, 8, 1, SIZE_MAX)), (span_list{{7, 3}}));
    // max_bytes counts values; a batch is one value.
    EXPECT_EQ(spans(*this->j_->read(id, 1, SIZE_MAX, 3)), (span_list{{1, 5}, {6, 1}}));

    // Index pointers name each stored record's base offset.
    auto ptrs = this->read_all(inbox);
    ASSERT_EQ(ptrs.size(), 3u);
    std::vector<int64_t> targets;
    for (const auto& p : ptrs) targets.push_back(index_pointer::decode(p.value.view())->offset);
    EXPECT_EQ(targets, (std::vector<int64_t>{0, 1, 6}));
}

TYPED_TEST(Journal, OffsetCountZeroIsRejectedAndWritesNothing) {
    auto id = this->create("topic");
    auto inbox = this->create("inbox");
    this->append_values(id, {"first"});
    record zero = make_batch("bad", 1);
    zero.offset_count = 0;
    auto r = append_sync(*this->j_, make_request(id, {make_record("ok"), std::move(zero)},
                                                 durability::wal, {inbox}));
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error(), errc::invalid_argument);
    EXPECT_EQ(*this->j_->next_offset(id), 1);
    EXPECT_EQ(*this->j_->next_offset(inbox), 0);
    EXPECT_EQ(this->read_all(id).size(), 1u);
    EXPECT_EQ(this->j_->describe_shard(id)->bytes, 5);
    // The journal goes on: the next append gets the next offset.
    EXPECT_EQ(this->append_values(id, {"second"}), 1);
}

TYPED_TEST(Journal, TruncateInsideABatchKeepsItAndMovesEarliestExactly) {
    auto id = this->create("s");
    // single 0, batch 1..10, single 11, batch 12..14
    ASSERT_TRUE(
        append_sync(*this->j_, make_request(id, {make_record("a"), make_batch("0123456789", 10),
                                                 make_record("b"), make_batch("xyz", 3)}))
            .has_value());
    ASSERT_EQ(this->j_->describe_shard(id)->bytes, 15);

    ASSERT_TRUE(this->j_->truncate_before(id, 4).has_value());
    EXPECT_EQ(*this->j_->earliest(id), 4);
    EXPECT_EQ(this->j_->describe_shard(id)->bytes, 14);  // "a" went, the batch stays whole
    EXPECT_EQ(spans(this->read_all(id)), (span_list{{1, 10}, {11, 1}, {12, 3}}));
    EXPECT_EQ(spans(this->read_all(id, 2)), (span_list{{1, 10}, {11, 1}, {12, 3}}));

    // Further inside the same batch: still kept, earliest moves on.
    ASSERT_TRUE(this->j_->truncate_before(id, 10).has_value());
    EXPECT_EQ(*this->j_->earliest(id), 10);
    EXPECT_EQ(this->j_->describe_shard(id)->bytes, 14);
    EXPECT_EQ(spans(this->read_all(id)), (span_list{{1, 10}, {11, 1}, {12, 3}}));
    ASSERT_TRUE(this->j_->truncate_before(id, 6).has_value());  // never back
    EXPECT_EQ(*this->j_->earliest(id), 10);

    // Past the batch's last offset: gone.
    ASSERT_TRUE(this->j_->truncate_before(id, 11).has_value());
    EXPECT_EQ(*this->j_->earliest(id), 11);
    EXPECT_EQ(this->j_->describe_shard(id)->bytes, 4);
    EXPECT_EQ(spans(this->read_all(id)), (span_list{{11, 1}, {12, 3}}));

    ASSERT_TRUE(this->j_->truncate_before(id, 13).has_value());
    EXPECT_EQ(*this->j_->earliest(id), 13);
    EXPECT_EQ(spans(this->read_all(id)), (span_list{{12, 3}}));
    EXPECT_EQ(this->j_->describe_shard(id)->bytes, 3);
    ASSERT_TRUE(this->j_->truncate_before(id, 100).has_value());  // clamped to next_offset
    EXPECT_EQ(*this->j_->earliest(id), 15);
    EXPECT_TRUE(this->read_all(id).empty());
    EXPECT_EQ(this->j_->describe_shard(id)->bytes, 0);
    EXPECT_EQ(append_sync(*this->j_, make_request(id, {make_batch("n", 2)}))->first_offset, 15);
}

TYPED_TEST(Journal, RetentionBySizeDropsWholeBatches) {
    shard_options opts;
    opts.retention.max_bytes = 250;
    auto id = this->create("sized", opts);
    // Four batches of 10 offsets and 100 bytes: 0..9, 10..19, 20..29, 30..39.
    for (int i = 0; i < 4; ++i) {
        ASSERT_TRUE(
            append_sync(*this->j_, make_request(id, {make_batch(std::string(100, 'b'), 10)}))
                .has_value());
    }
    ASSERT_TRUE(this->j_->apply_retention().has_value());
    EXPECT_EQ(*this->j_->earliest(id), 20);  // the first kept batch's base offset
    EXPECT_EQ(this->j_->describe_shard(id)->bytes, 200);
    EXPECT_EQ(spans(this->read_all(id)), (span_list{{20, 10}, {30, 10}}));

    // Earliest inside a batch: retention still cuts whole records, after it.
    ASSERT_TRUE(this->j_->truncate_before(id, 25).has_value());
    EXPECT_EQ(this->j_->describe_shard(id)->bytes, 200);
    for (int i = 0; i < 3; ++i) this->append_values(id, {std::string(20, 's')});  // 40, 41, 42
    ASSERT_TRUE(this->j_->apply_retention().has_value());
    EXPECT_EQ(*this->j_->earliest(id), 30);
    EXPECT_EQ(this->j_->describe_shard(id)->bytes, 160);
    EXPECT_EQ(spans(this->read_all(id)), (span_list{{30, 10}, {40, 1}, {41, 1}, {42, 1}}));
}

TYPED_TEST(Journal, RetentionByAgeDropsWholeBatches) {
    shard_options opts;
    opts.retention.max_age_ms = 60 * 60 * 1000;
    auto id = this->create("aged", opts);
    const int64_t now = now_unix_ms();
    const int64_t old = now - 3 * 60 * 60 * 1000;
    ASSERT_TRUE(append_sync(*this->j_,
                            make_request(id, {make_batch("old", 10, old), make_record("old", old),
                                              make_batch("new", 10, now), make_record("new", now)}))
                    .has_value());
    ASSERT_TRUE(this->j_->apply_retention().has_value());
    EXPECT_EQ(*this->j_->earliest(id), 11);
    EXPECT_EQ(spans(this->read_all(id)), (span_list{{11, 10}, {21, 1}}));
    EXPECT_EQ(this->j_->describe_shard(id)->bytes, 6);

    // An earliest inside a kept batch is larger than its base: it stays.
    ASSERT_TRUE(this->j_->truncate_before(id, 15).has_value());
    ASSERT_TRUE(this->j_->apply_retention().has_value());
    EXPECT_EQ(*this->j_->earliest(id), 15);
    EXPECT_EQ(spans(this->read_all(id)), (span_list{{11, 10}, {21, 1}}));
}

TYPED_TEST(Journal, OffsetForTimeAnswersWithBaseOffsetsOfBatches) {
    auto id = this->create("s");
    // Batches of varying size (some past the 64-offset sampling interval)
    // between single records, with late and repeated max timestamps.
    std::vector<record> recs;
    for (int i = 0; i < 400; ++i) {
        int64_t ts = 1'000'000 + i * 10;
        if (i % 7 == 3) ts -= 500;
        if (i % 5 == 0) {
            recs.push_back(make_record("single", ts));
        } else {
            recs.push_back(make_batch(i % 40 == 1 ? std::string(70'000, 'b') : "batch",
                                      static_cast<uint32_t>(1 + (i * 13) % 90), ts));
        }
    }
    ASSERT_TRUE(append_sync(*this->j_, make_request(id, std::move(recs))).has_value());
    auto stored = this->read_all(id);
    ASSERT_EQ(stored.size(), 400u);
    const int64_t next = *this->j_->next_offset(id);
    EXPECT_EQ(stored.back().last_offset() + 1, next);
    for (int64_t ts = 999'000; ts <= 1'005'000; ts += 23) {
        ASSERT_EQ(*this->j_->offset_for_time(id, ts),
                  brute_force_offset_for_time(stored, 0, next, ts))
            << "ts " << ts;
    }
    // Earliest inside a batch: that batch answers earliest, not its base.
    const auto& mid = stored[201];
    ASSERT_GT(mid.offset_count, 1u);
    const int64_t inside = mid.offset + 1;
    ASSERT_TRUE(this->j_->truncate_before(id, inside).has_value());
    stored = this->read_all(id);
    ASSERT_EQ(stored.front().offset, mid.offset);
    EXPECT_EQ(*this->j_->offset_for_time(id, mid.timestamp_ms), inside);
    for (int64_t ts = 999'000; ts <= 1'005'000; ts += 29) {
        ASSERT_EQ(*this->j_->offset_for_time(id, ts),
                  brute_force_offset_for_time(stored, inside, next, ts))
            << "ts " << ts;
    }
}

TYPED_TEST(Journal, ABatchOfManyOffsetsIsOneStoredRecord) {
    auto id = this->create("s");
    ASSERT_TRUE(
        append_sync(*this->j_, make_request(id, {make_batch(std::string(10, 'x'), 100'000)}))
            .has_value());
    EXPECT_EQ(*this->j_->next_offset(id), 100'000);
    EXPECT_EQ(this->j_->describe_shard(id)->bytes, 10);
    EXPECT_EQ(spans(this->read_all(id, 99'999)), (span_list{{0, 100'000}}));
}

TEST(Durability, NamesRoundTripAndOthersAreRejected) {
    for (auto d : {durability::none, durability::wal, durability::fsync}) {
        EXPECT_EQ(parse_durability(to_string(d)), d);
    }
    EXPECT_EQ(parse_durability("WAL"), std::nullopt);
    EXPECT_EQ(parse_durability(""), std::nullopt);
    EXPECT_EQ(parse_durability("sync"), std::nullopt);
}

TEST(MemoryJournal, RingBoundCountsStoredRecords) {
    memory_journal_options o;
    o.max_records_per_shard = 3;
    o.retention_interval_ms = 0;
    auto j = make_memory_journal(o);
    auto id = *j->create_shard("s");
    ASSERT_TRUE(append_sync(*j, make_request(id, {make_batch("b", 10), make_record("s"),
                                                  make_batch("c", 5), make_record("t")}))
                    .has_value());
    EXPECT_EQ(*j->next_offset(id), 17);
    EXPECT_EQ(*j->earliest(id), 10);  // the dropped batch took its 10 offsets with it
    EXPECT_EQ(spans(*j->read(id, 0, SIZE_MAX, SIZE_MAX)), (span_list{{10, 1}, {11, 5}, {16, 1}}));
    EXPECT_EQ(j->describe_shard(id)->bytes, 3);
}

// ---------------------------------------------------------------- positions

TYPED_TEST(Journal, ListAndDeletePositions) {
    auto a = this->create("a");
    auto b = this->create("b");
    EXPECT_TRUE(this->j_->list_positions("").empty());
    ASSERT_TRUE(this->j_->commit_position("g1", b, 7).has_value());
    ASSERT_TRUE(this->j_->commit_position("g1", a, 3).has_value());
    ASSERT_TRUE(this->j_->commit_position("g10", a, 4).has_value());
    ASSERT_TRUE(this->j_->commit_position("g2", a, 5).has_value());
    ASSERT_TRUE(this->j_->commit_position("other", b, 6).has_value());
    ASSERT_TRUE(this->j_->flush().has_value());
    ASSERT_TRUE(this->j_->commit_position("g1", b, 8).has_value());  // pending, maybe

    auto key = [](const std::vector<position_entry>& v) {
        std::vector<std::tuple<std::string, uint64_t, int64_t>> out;
        for (const auto& p : v) out.emplace_back(p.group, p.shard.value(), p.next_offset);
        return out;
    };
    using list = std::vector<std::tuple<std::string, uint64_t, int64_t>>;
    EXPECT_EQ(key(this->j_->list_positions("")), (list{{"g1", a.value(), 3},
                                                       {"g1", b.value(), 8},
                                                       {"g10", a.value(), 4},
                                                       {"g2", a.value(), 5},
                                                       {"other", b.value(), 6}}));
    EXPECT_EQ(key(this->j_->list_positions("g1")),
              (list{{"g1", a.value(), 3}, {"g1", b.value(), 8}, {"g10", a.value(), 4}}));
    EXPECT_TRUE(this->j_->list_positions("zzz").empty());

    ASSERT_TRUE(this->j_->delete_positions("g1").has_value());
    EXPECT_EQ(this->j_->committed_position("g1", a).error(), errc::not_found);
    EXPECT_EQ(this->j_->committed_position("g1", b).error(), errc::not_found);
    EXPECT_EQ(*this->j_->committed_position("g10", a), 4);
    EXPECT_EQ(key(this->j_->list_positions("g1")), (list{{"g10", a.value(), 4}}));
    ASSERT_TRUE(this->j_->delete_positions("nobody").has_value());
    EXPECT_EQ(this->j_->delete_positions("").error(), errc::invalid_argument);

    // A deleted group can commit again.
    ASSERT_TRUE(this->j_->commit_position("g1", a, 9).has_value());
    EXPECT_EQ(*this->j_->committed_position("g1", a), 9);
    // Deleting a shard removes its positions from the list too.
    ASSERT_TRUE(this->j_->delete_shard(b).has_value());
    EXPECT_EQ(key(this->j_->list_positions("")),
              (list{{"g1", a.value(), 9}, {"g10", a.value(), 4}, {"g2", a.value(), 5}}));
}

// ---------------------------------------------------------------- observers

// Records every observer call.
class observer_log {
public:
    append_observer observer() {
        return [this](std::span<const shard_progress> p) {
            std::lock_guard lk(mu_);
            calls_.emplace_back();
            for (const auto& e : p) calls_.back().emplace_back(e.shard.value(), e.next_offset);
            threads_.insert(std::this_thread::get_id());
        };
    }
    std::vector<std::vector<std::pair<uint64_t, int64_t>>> calls() {
        std::lock_guard lk(mu_);
        return calls_;
    }
    std::set<std::thread::id> threads() {
        std::lock_guard lk(mu_);
        return threads_;
    }

private:
    std::mutex mu_;
    std::vector<std::vector<std::pair<uint64_t, int64_t>>> calls_;
    std::set<std::thread::id> threads_;
};

TYPED_TEST(Journal, ObserversHearOfEveryCommitWithTheShardsThatGrew) {
    auto a = this->create("a");
    auto b = this->create("b");
    auto inbox = this->create("inbox");
    this->append_values(a, {"before any observer"});
    // An observer added while a batch is in flight may hear of it: settle first.
    ASSERT_TRUE(this->j_->flush().has_value());
    observer_log first;
    observer_log second;
    this->j_->add_append_observer(first.observer());
    this->j_->add_append_observer(second.observer());

    // flush() returns once every queued batch is done, observers included.
    this->append_values(a, {"x", "y"});
    ASSERT_TRUE(this->j_->flush().has_value());
    ASSERT_TRUE(
        append_sync(*this->j_, make_request(b, {make_batch("B", 10)}, durability::wal, {inbox}))
            .has_value());
    ASSERT_TRUE(this->j_->flush().has_value());
    // Failed and empty appends, and batches without appends, tell nothing.
    EXPECT_FALSE(
        append_sync(*this->j_, make_request(shard_id(999), {make_record("x")})).has_value());
    record zero = make_record("x");
    zero.offset_count = 0;
    EXPECT_FALSE(append_sync(*this->j_, make_request(a, {std::move(zero)})).has_value());
    EXPECT_TRUE(append_sync(*this->j_, make_request(a, {})).has_value());
    ASSERT_TRUE(this->j_->commit_position("g", a, 1).has_value());
    ASSERT_TRUE(this->j_->flush().has_value());

    using calls = std::vector<std::vector<std::pair<uint64_t, int64_t>>>;
    const calls expected{{{a.value(), 3}}, {{b.value(), 10}, {inbox.value(), 1}}};
    EXPECT_EQ(first.calls(), expected);
    EXPECT_EQ(second.calls(), expected);
    ASSERT_EQ(first.threads().size(), 1u);
    EXPECT_NE(*first.threads().begin(), std::this_thread::get_id());

    // Under concurrent appends: per shard, rising next offsets that end at
    // the shard's next offset, never two entries for one shard in a call.
    observer_log busy;
    this->j_->add_append_observer(busy.observer());
    constexpr int n = 400;
    completion_counter counter(n);
    std::vector<std::thread> producers;
    for (int t = 0; t < 4; ++t) {
        producers.emplace_back([&, t] {
            for (int i = 0; i < n / 4; ++i) {
                auto req = i % 3 == 0 ? make_request(b, {make_batch("B", 1 + i % 5)})
                                      : make_request(t % 2 ? a : b, {make_record("v")});
                this->j_->append(std::move(req), [&](result<append_result>) { counter.done(); });
            }
        });
    }
    for (auto& p : producers) p.join();
    counter.wait();
    ASSERT_TRUE(this->j_->flush().has_value());
    std::map<uint64_t, int64_t> last;
    for (const auto& call : busy.calls()) {
        std::set<uint64_t> seen;
        for (const auto& [shard, next] : call) {
            EXPECT_TRUE(seen.insert(shard).second) << "shard twice in one call";
            EXPECT_GT(next, last[shard]);
            last[shard] = next;
        }
    }
    EXPECT_EQ(last[a.value()], *this->j_->next_offset(a));
    EXPECT_EQ(last[b.value()], *this->j_->next_offset(b));
}

TYPED_TEST(Journal, AppendAfterStopFailsWithShuttingDown) {
    auto id = this->create("s");
    this->append_values(id, {"a"});
    this->j_->stop();
    this->j_->stop();  // idempotent
    auto r = append_sync(*this->j_, make_request(id, {make_record("late")}));
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error(), errc::shutting_down);
    EXPECT_EQ(this->j_->create_shard("new").error(), errc::shutting_down);
    EXPECT_EQ(this->j_->commit_position("g", id, 1).error(), errc::shutting_down);
    EXPECT_EQ(this->j_->truncate_before(id, 1).error(), errc::shutting_down);
    EXPECT_EQ(this->j_->delete_shard(id).error(), errc::shutting_down);
    EXPECT_EQ(this->j_->delete_positions("g").error(), errc::shutting_down);
    auto p = std::make_shared<std::promise<std::error_code>>();
    this->j_->read_async(id, 0, 1, 1, [p](result<std::vector<record>> res) {
        p->set_value(res ? std::error_code() : res.error());
    });
    EXPECT_EQ(p->get_future().get(), errc::shutting_down);
    // Blocking reads keep working until destruction.
    EXPECT_EQ(this->read_all(id).size(), 1u);
    EXPECT_TRUE(this->j_->flush().has_value());
}

}  // namespace
}  // namespace robust::storage
