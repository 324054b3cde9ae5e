// RocksDB engine only: what survives a reopen, a SIGKILL, and a failing disk.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/file_system.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <mutex>
#include <semaphore>
#include <span>
#include <thread>

#include "base/errc.h"
#include "codec.h"
#include "metrics/registry.h"
#include "rocksdb_journal.h"
#include "storage/journal.h"
#include "test_util.h"

namespace robust::storage {
namespace {

using test::append_sync;
using test::make_batch;
using test::make_record;
using test::make_request;
using test::temp_dir;

std::unique_ptr<journal> open_at(const std::string& path) {
    rocksdb_journal_options o;
    o.path = path;
    o.retention_interval_ms = 0;
    auto j = make_rocksdb_journal(o);
    EXPECT_TRUE(j.has_value()) << (j ? "" : j.error().message());
    return j ? std::move(j).value() : nullptr;
}

TEST(RocksdbJournal, ReopenAfterCleanStopKeepsEverything) {
    temp_dir dir;
    std::vector<shard_info> shards_before;
    std::map<uint64_t, std::vector<record>> records_before;
    shard_id topic;
    shard_id inbox;
    {
        auto j = open_at(dir.path());
        ASSERT_NE(j, nullptr);
        shard_options opts;
        opts.retention = {3'600'000, 1 << 30};
        topic = *j->create_shard("topic", opts);
        inbox = *j->create_shard("inbox");
        auto scratch = *j->create_shard("scratch");
        for (int i = 0; i < 300; ++i) {
            const auto d = static_cast<durability>(i % 3);  // none, wal and fsync
            auto r = append_sync(
                *j, make_request(
                        topic,
                        {make_record("v" + std::to_string(i), 1000 + i, "k",
                                     {{"h", std::to_string(i)}})},
                        d, i % 10 == 0 ? std::vector<shard_id>{inbox} : std::vector<shard_id>{}));
            ASSERT_TRUE(r.has_value());
        }
        ASSERT_TRUE(append_sync(*j, make_request(scratch, {make_record("s")})).has_value());
        ASSERT_TRUE(j->truncate_before(topic, 70).has_value());
        ASSERT_TRUE(j->delete_shard(scratch).has_value());
        ASSERT_TRUE(j->commit_position("consumer", topic, 123).has_value());
        ASSERT_TRUE(j->commit_position("reader", inbox, 7).has_value());
        shards_before = j->list_shards();
        for (auto id : {topic, inbox}) records_before[id.value()] = *j->read(id, 0, 1000, SIZE_MAX);
        j->stop();
    }

    auto j = open_at(dir.path());
    ASSERT_NE(j, nullptr);
    auto shards_after = j->list_shards();
    ASSERT_EQ(shards_after.size(), shards_before.size());
    for (size_t i = 0; i < shards_after.size(); ++i) {
        const auto& a = shards_after[i];
        const auto& b = shards_before[i];
        EXPECT_EQ(a.id, b.id);
        EXPECT_EQ(a.name, b.name);
        EXPECT_EQ(a.options.retention.max_age_ms, b.options.retention.max_age_ms);
        EXPECT_EQ(a.options.retention.max_bytes, b.options.retention.max_bytes);
        EXPECT_EQ(a.earliest, b.earliest);
        EXPECT_EQ(a.next_offset, b.next_offset);
        EXPECT_EQ(a.bytes, b.bytes);
    }
    EXPECT_EQ(*j->earliest(topic), 70);
    EXPECT_EQ(j->find_shard("scratch").error(), errc::not_found);
    for (auto id : {topic, inbox}) {
        auto recs = *j->read(id, 0, 1000, SIZE_MAX);
        const auto& before = records_before[id.value()];
        ASSERT_EQ(recs.size(), before.size());
        for (size_t i = 0; i < recs.size(); ++i) {
            EXPECT_EQ(recs[i].offset, before[i].offset);
            EXPECT_EQ(recs[i].timestamp_ms, before[i].timestamp_ms);
            EXPECT_EQ(recs[i].key, before[i].key);
            EXPECT_EQ(recs[i].headers, before[i].headers);
            EXPECT_EQ(recs[i].value, before[i].value);
        }
    }
    EXPECT_EQ(*j->committed_position("consumer", topic), 123);
    EXPECT_EQ(*j->committed_position("reader", inbox), 7);
    EXPECT_EQ(*j->offset_for_time(topic, 1000), 70);
    EXPECT_EQ(*j->offset_for_time(topic, 1150), 150);
    EXPECT_EQ(*j->offset_for_time(topic, 5000), 300);

    // Offsets, index samples and ids continue where they were.
    EXPECT_EQ(append_sync(*j, make_request(topic, {make_record("next", 2000)}))->first_offset, 300);
    EXPECT_EQ(*j->offset_for_time(topic, 1500), 300);
    auto fresh = *j->create_shard("fresh");
    for (const auto& s : shards_before) EXPECT_GT(fresh.value(), s.id.value());
    EXPECT_GT(fresh.value(), shards_before.back().id.value() + 1);  // "scratch"'s id is not reused
}

void expect_same_records(const std::vector<record>& a, const std::vector<record>& b) {
    ASSERT_EQ(a.size(), b.size());
    for (size_t i = 0; i < a.size(); ++i) {
        EXPECT_EQ(a[i].offset, b[i].offset) << i;
        EXPECT_EQ(a[i].offset_count, b[i].offset_count) << i;
        EXPECT_EQ(a[i].format, b[i].format) << i;
        EXPECT_EQ(a[i].timestamp_ms, b[i].timestamp_ms) << i;
        EXPECT_EQ(a[i].key, b[i].key) << i;
        EXPECT_EQ(a[i].headers, b[i].headers) << i;
        EXPECT_EQ(a[i].value, b[i].value) << i;
    }
}

TEST(RocksdbJournal, ReopenWithBatchesRecoversOffsetsBytesAndIndex) {
    temp_dir dir;
    std::vector<shard_info> before;
    std::map<uint64_t, std::vector<record>> records_before;
    std::map<int64_t, int64_t> time_answers;
    shard_id topic;
    shard_id tail_only;
    shard_id cut_inside;
    int64_t cut = 0;
    {
        auto j = open_at(dir.path());
        ASSERT_NE(j, nullptr);
        topic = *j->create_shard("topic");
        tail_only = *j->create_shard("tail-only");
        cut_inside = *j->create_shard("cut-inside");
        // Singles and batches across many index samples (offset- and
        // byte-triggered), ending in a batch.
        for (int i = 0; i < 200; ++i) {
            std::vector<record> recs;
            recs.push_back(make_record("s" + std::to_string(i), 1000 + i * 10));
            recs.push_back(make_batch(i % 25 == 0 ? std::string(70'000, 'B') : "batch",
                                      static_cast<uint32_t>(1 + i % 70), 1005 + i * 10));
            ASSERT_TRUE(append_sync(*j, make_request(topic, std::move(recs),
                                                     static_cast<durability>(i % 3)))
                            .has_value());
        }
        ASSERT_TRUE(append_sync(*j, make_request(tail_only, {make_batch("only", 42)})).has_value());
        ASSERT_TRUE(
            append_sync(*j, make_request(cut_inside, {make_record("a"), make_batch("b", 9)}))
                .has_value());
        // Earliest inside a batch, in a shard with samples and in one without.
        const auto mid = (*j->read(topic, 0, SIZE_MAX, SIZE_MAX))[201];  // i = 100: 31 offsets
        ASSERT_EQ(mid.offset_count, 31u);
        cut = mid.offset + 5;
        ASSERT_TRUE(j->truncate_before(topic, cut).has_value());
        ASSERT_TRUE(j->truncate_before(cut_inside, 5).has_value());
        before = j->list_shards();
        for (auto id : {topic, tail_only, cut_inside}) {
            records_before[id.value()] = *j->read(id, 0, SIZE_MAX, SIZE_MAX);
        }
        for (int64_t ts = 900; ts <= 3100; ts += 7)
            time_answers[ts] = *j->offset_for_time(topic, ts);
        j->stop();
    }

    auto j = open_at(dir.path());
    ASSERT_NE(j, nullptr);
    auto after = j->list_shards();
    ASSERT_EQ(after.size(), before.size());
    for (size_t i = 0; i < after.size(); ++i) {
        EXPECT_EQ(after[i].earliest, before[i].earliest) << after[i].name;
        EXPECT_EQ(after[i].next_offset, before[i].next_offset) << after[i].name;
        EXPECT_EQ(after[i].bytes, before[i].bytes) << after[i].name;
    }
    EXPECT_EQ(*j->earliest(topic), cut);
    EXPECT_EQ(records_before[topic.value()].front().offset, cut - 5);
    EXPECT_EQ(*j->next_offset(tail_only), 42);
    EXPECT_EQ(*j->earliest(cut_inside), 5);
    EXPECT_EQ(j->describe_shard(cut_inside)->bytes, 1);
    for (auto id : {topic, tail_only, cut_inside}) {
        expect_same_records(*j->read(id, 0, SIZE_MAX, SIZE_MAX), records_before[id.value()]);
    }
    for (const auto& [ts, answer] : time_answers) {
        ASSERT_EQ(*j->offset_for_time(topic, ts), answer) << "ts " << ts;
    }
    // Offsets continue after the trailing batch's last offset.
    const int64_t topic_next = *j->next_offset(topic);
    EXPECT_EQ(records_before[topic.value()].back().last_offset() + 1, topic_next);
    EXPECT_EQ(append_sync(*j, make_request(topic, {make_record("next")}))->first_offset,
              topic_next);
    EXPECT_EQ(append_sync(*j, make_request(tail_only, {make_batch("more", 3)}))->first_offset, 42);
    EXPECT_EQ(append_sync(*j, make_request(cut_inside, {make_record("c")}))->first_offset, 10);
}

TEST(RocksdbJournal, VersionOneRecordsWrittenByOlderBuildsStayReadable) {
    temp_dir dir;
    shard_id id;
    {
        auto j = open_at(dir.path());
        ASSERT_NE(j, nullptr);
        id = *j->create_shard("old");
        j->stop();
    }
    {
        // What a build that knew only version 1 values left behind: keys
        // shard | offset, values without format or offset count.
        std::vector<rocksdb::ColumnFamilyDescriptor> cfs = {{rocksdb::kDefaultColumnFamilyName, {}},
                                                            {"records", {}},
                                                            {"indexes", {}},
                                                            {"meta", {}}};
        std::vector<rocksdb::ColumnFamilyHandle*> handles;
        rocksdb::DB* raw = nullptr;
        ASSERT_TRUE(rocksdb::DB::Open(rocksdb::DBOptions(), dir.path(), cfs, &handles, &raw).ok());
        std::unique_ptr<rocksdb::DB> db(raw);
        const std::string v0 = {0x01, 0x14, 0x00, 0x00, 'o', 'n', 'e'};       // ts 10, "one"
        const std::string v1 = {0x01, 0x28, 0x01, 'k', 0x00, 't', 'w', 'o'};  // ts 20, key "k"
        ASSERT_TRUE(db->Put({}, handles[1], detail::record_key(id, 0), v0).ok());
        ASSERT_TRUE(db->Put({}, handles[1], detail::record_key(id, 1), v1).ok());
        for (auto* h : handles) ASSERT_TRUE(db->DestroyColumnFamilyHandle(h).ok());
        ASSERT_TRUE(db->Close().ok());
    }
    auto j = open_at(dir.path());
    ASSERT_NE(j, nullptr);
    EXPECT_EQ(*j->next_offset(id), 2);
    EXPECT_EQ(j->describe_shard(id)->bytes, 3 + 1 + 3);
    auto recs = *j->read(id, 1, SIZE_MAX, SIZE_MAX);
    ASSERT_EQ(recs.size(), 1u);
    EXPECT_EQ(recs[0].offset, 1);
    EXPECT_EQ(recs[0].format, record_format::single);
    EXPECT_EQ(recs[0].offset_count, 1u);
    EXPECT_EQ(recs[0].key, "k");
    EXPECT_EQ(recs[0].value.str(), "two");
    EXPECT_EQ(*j->offset_for_time(id, 15), 1);
    // New batches go after them, in the same key space.
    EXPECT_EQ(append_sync(*j, make_request(id, {make_batch("b", 4, 30)}))->first_offset, 2);
    EXPECT_EQ(append_sync(*j, make_request(id, {make_record("after", 40)}))->first_offset, 6);
    auto all = *j->read(id, 0, SIZE_MAX, SIZE_MAX);
    ASSERT_EQ(all.size(), 4u);
    EXPECT_EQ(all[0].value.str(), "one");
    EXPECT_EQ(all[2].offset, 2);
    EXPECT_EQ(all[2].last_offset(), 5);
    EXPECT_EQ(all[3].offset, 6);
}

TEST(RocksdbJournal, PositionListsAndDeletionsSurviveReopen) {
    temp_dir dir;
    shard_id a;
    shard_id b;
    {
        auto j = open_at(dir.path());
        ASSERT_NE(j, nullptr);
        a = *j->create_shard("a");
        b = *j->create_shard("b");
        ASSERT_TRUE(j->commit_position("kafka/g1", a, 10).has_value());
        ASSERT_TRUE(j->commit_position("kafka/g1", b, 11).has_value());
        ASSERT_TRUE(j->commit_position("kafka/g2", a, 12).has_value());
        ASSERT_TRUE(j->commit_position("mqtt/s", b, 13).has_value());
        ASSERT_TRUE(j->flush().has_value());  // on disk
        // Deleted while maybe still pending, and committed while maybe pending.
        ASSERT_TRUE(j->commit_position("kafka/g3", a, 14).has_value());
        ASSERT_TRUE(j->delete_positions("kafka/g3").has_value());
        ASSERT_TRUE(j->delete_positions("kafka/g1").has_value());
        ASSERT_TRUE(j->commit_position("kafka/g2", b, 15).has_value());
        EXPECT_EQ(j->list_positions("kafka/").size(), 2u);
        j->stop();
    }
    auto j = open_at(dir.path());
    ASSERT_NE(j, nullptr);
    auto list = j->list_positions("");
    ASSERT_EQ(list.size(), 3u);
    EXPECT_EQ(list[0].group, "kafka/g2");
    EXPECT_EQ(list[0].shard, a);
    EXPECT_EQ(list[0].next_offset, 12);
    EXPECT_EQ(list[1].group, "kafka/g2");
    EXPECT_EQ(list[1].shard, b);
    EXPECT_EQ(list[1].next_offset, 15);
    EXPECT_EQ(list[2].group, "mqtt/s");
    EXPECT_EQ(list[2].next_offset, 13);
    EXPECT_EQ(j->committed_position("kafka/g1", a).error(), errc::not_found);
    EXPECT_EQ(j->committed_position("kafka/g3", a).error(), errc::not_found);
}

TEST(RocksdbJournal, OpenFailsCleanly) {
    temp_dir dir;
    const std::string file = dir.path() + "/not-a-dir";
    std::ofstream(file) << "x";
    rocksdb_journal_options o;
    o.path = file + "/db";
    auto r = make_rocksdb_journal(o);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error(), errc::io_error);

    o.path.clear();
    EXPECT_EQ(make_rocksdb_journal(o).error(), errc::invalid_argument);

    auto first = open_at(dir.path() + "/db");
    ASSERT_NE(first, nullptr);
    o.path = dir.path() + "/db";
    EXPECT_EQ(make_rocksdb_journal(o).error(), errc::io_error);  // locked by `first`
}

// ---------------------------------------------------------------- SIGKILL

// What the child reports for each acknowledged append; written with one
// write(2) of less than PIPE_BUF bytes, so the parent never sees half of one.
struct ack {
    char shard_name[32];
    int64_t first_offset;
    uint32_t producer;
    uint32_t seq;
    uint32_t count;
};

std::string crash_value(uint32_t producer, uint32_t seq, uint32_t k) {
    std::string v = "p" + std::to_string(producer) + "-s" + std::to_string(seq) + "-k" +
                    std::to_string(k) + "-";
    v.append(40 + (seq * 7 + k) % 200, static_cast<char>('a' + (seq + k) % 26));
    return v;
}

// How many offsets record k of append `seq` covers: a third are single
// records, the rest Kafka batches, so many shards end in a batch when killed.
uint32_t crash_offsets(uint32_t seq, uint32_t k) {
    return (seq + k) % 3 == 0 ? 1 : 2 + (seq * 7 + k) % 5;
}

// The child side of AcknowledgedAppendsSurviveSigkill, in a fresh process:
// the parent re-executes this binary to run only this test. (A plain fork
// would copy a process whose RocksDB background threads do not exist in the
// child.) Several producers append with durability=wal, some to shards
// created just before, and report every acknowledgement through the pipe.
constexpr int crash_pipe_fd = 100;
constexpr const char* crash_dir_env = "JOURNAL_CRASH_DIR";

TEST(RocksdbJournalCrashChild, DISABLED_AppendUntilKilled) {
    const char* dir = std::getenv(crash_dir_env);
    if (dir == nullptr) GTEST_SKIP() << "run by AcknowledgedAppendsSurviveSigkill only";
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive a failed parent
    rocksdb_journal_options o;
    o.path = dir;
    o.retention_interval_ms = 0;
    auto opened = make_rocksdb_journal(o);
    if (!opened) ::_exit(3);
    auto j = std::move(opened).value();
    constexpr uint32_t producers = 3;
    std::vector<std::thread> threads;
    for (uint32_t p = 0; p < producers; ++p) {
        threads.emplace_back([&j, p] {
            std::counting_semaphore<64> inflight(64);
            for (uint32_t seq = 0;; ++seq) {
                std::string name = "fixed-" + std::to_string(seq % 2);
                if (seq % 16 == 0) name = "dyn-" + std::to_string(p) + "-" + std::to_string(seq);
                auto id = j->create_shard(name);
                if (!id) ::_exit(4);
                const uint32_t count = 1 + seq % 3;
                std::vector<record> recs;
                for (uint32_t k = 0; k < count; ++k) {
                    const uint32_t n = crash_offsets(seq, k);
                    recs.push_back(n == 1 ? make_record(crash_value(p, seq, k))
                                          : make_batch(crash_value(p, seq, k), n));
                }
                inflight.acquire();
                j->append(make_request(*id, std::move(recs), durability::wal),
                          [&inflight, name, p, seq, count](result<append_result> r) {
                              if (!r) ::_exit(5);
                              ack a{};
                              std::memcpy(a.shard_name, name.data(), name.size());
                              a.first_offset = r->first_offset;
                              a.producer = p;
                              a.seq = seq;
                              a.count = count;
                              if (::write(crash_pipe_fd, &a, sizeof a) != sizeof a) ::_exit(6);
                              inflight.release();
                          });
            }
        });
    }
    for (auto& t : threads) t.join();
    ::_exit(0);
}

TEST(RocksdbJournal, AcknowledgedAppendsSurviveSigkill) {
    static_assert(sizeof(ack) < PIPE_BUF);
    temp_dir dir;
    int fds[2];
    ASSERT_EQ(::pipe2(fds, O_CLOEXEC), 0);
    // Everything the child needs is prepared before fork(): between fork and
    // exec only async-signal-safe calls are allowed.
    std::string self = "/proc/self/exe";
    std::string filter = "--gtest_filter=RocksdbJournalCrashChild.DISABLED_AppendUntilKilled";
    std::string also_disabled = "--gtest_also_run_disabled_tests";
    std::string env_dir = std::string(crash_dir_env) + "=" + dir.path();
    char* child_argv[] = {self.data(), filter.data(), also_disabled.data(), nullptr};
    std::vector<char*> child_env = {env_dir.data()};
    for (char** e = environ; *e != nullptr; ++e) child_env.push_back(*e);
    child_env.push_back(nullptr);
    const int devnull = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
    ASSERT_GE(devnull, 0);
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        // dup2 clears close-on-exec on the copies the child keeps.
        if (::dup2(fds[1], crash_pipe_fd) < 0 || ::dup2(devnull, STDOUT_FILENO) < 0) ::_exit(126);
        ::execve(self.c_str(), child_argv, child_env.data());
        ::_exit(127);
    }
    ::close(devnull);
    ::close(fds[1]);
    struct reaper {
        pid_t pid;
        ~reaper() {
            if (pid > 0) {
                ::kill(pid, SIGKILL);
                ::waitpid(pid, nullptr, 0);
            }
        }
    } guard{child};

    std::vector<ack> acks;
    auto read_ack = [&]() -> bool {
        ack a{};
        size_t got = 0;
        while (got < sizeof a) {
            const ssize_t n = ::read(fds[0], reinterpret_cast<char*>(&a) + got, sizeof a - got);
            if (n == 0) return false;
            if (n < 0) {
                if (errno == EINTR) continue;
                return false;
            }
            got += static_cast<size_t>(n);
        }
        acks.push_back(a);
        return true;
    };
    // Kill it in full flight: well after shards are being created and
    // appended to from every producer.
    size_t dynamic = 0;
    while (acks.size() < 3000 || dynamic < 30) {
        ASSERT_TRUE(read_ack()) << "child died early after " << acks.size() << " acks";
        if (std::strncmp(acks.back().shard_name, "dyn-", 4) == 0) ++dynamic;
    }
    ASSERT_EQ(::kill(child, SIGKILL), 0);
    int wstatus = 0;
    ASSERT_EQ(::waitpid(child, &wstatus, 0), child);
    guard.pid = 0;
    ASSERT_TRUE(WIFSIGNALED(wstatus) && WTERMSIG(wstatus) == SIGKILL) << wstatus;
    while (read_ack()) {
    }  // acks still in the pipe were acknowledged too
    ::close(fds[0]);

    auto j = open_at(dir.path());
    ASSERT_NE(j, nullptr);
    for (const auto& a : acks) {
        const std::string name(a.shard_name, strnlen(a.shard_name, sizeof a.shard_name));
        auto id = j->find_shard(name);
        ASSERT_TRUE(id.has_value()) << "registry entry of " << name << " lost";
        auto recs = j->read(*id, a.first_offset, a.count, SIZE_MAX);
        ASSERT_TRUE(recs.has_value());
        ASSERT_EQ(recs->size(), a.count) << name << "@" << a.first_offset;
        int64_t offset = a.first_offset;
        for (uint32_t k = 0; k < a.count; ++k) {
            const auto& r = (*recs)[k];
            EXPECT_EQ(r.offset, offset);
            EXPECT_EQ(r.offset_count, crash_offsets(a.seq, k));
            EXPECT_EQ(r.format,
                      r.offset_count == 1 ? record_format::single : record_format::kafka_batch);
            ASSERT_EQ(r.value.str(), crash_value(a.producer, a.seq, k)) << name << "@" << offset;
            offset += r.offset_count;
        }
    }
    // Offsets stay dense after recovery: the next append follows the last
    // offset of the last record, batch or not.
    size_t ending_in_batch = 0;
    for (const auto& info : j->list_shards()) {
        // A shard created just before the kill may have no record yet.
        auto recs = *j->read(info.id, 0, SIZE_MAX, SIZE_MAX);
        int64_t expect = 0;
        for (const auto& r : recs) {
            ASSERT_EQ(r.offset, expect) << info.name;
            expect += r.offset_count;
        }
        EXPECT_EQ(info.next_offset, expect) << info.name;
        if (!recs.empty() && recs.back().offset_count > 1) ++ending_in_batch;
        EXPECT_EQ(append_sync(*j, make_request(info.id, {make_record("after")}))->first_offset,
                  expect)
            << info.name;
    }
    EXPECT_GT(ending_in_batch, 0u);
}

// ---------------------------------------------------------------- failing disk

// Fails every append to the WAL while `fail` is set.
class failing_wal_fs : public rocksdb::FileSystemWrapper {
public:
    explicit failing_wal_fs(const std::shared_ptr<rocksdb::FileSystem>& base)
        : FileSystemWrapper(base) {}
    const char* Name() const override { return "failing_wal_fs"; }

    rocksdb::IOStatus NewWritableFile(const std::string& f, const rocksdb::FileOptions& o,
                                      std::unique_ptr<rocksdb::FSWritableFile>* r,
                                      rocksdb::IODebugContext* dbg) override {
        auto st = target()->NewWritableFile(f, o, r, dbg);
        if (st.ok() && f.ends_with(".log")) *r = std::make_unique<file>(std::move(*r), this);
        return st;
    }

    std::atomic<bool> fail{false};

private:
    class file : public rocksdb::FSWritableFileOwnerWrapper {
    public:
        file(std::unique_ptr<rocksdb::FSWritableFile> f, failing_wal_fs* fs)
            : FSWritableFileOwnerWrapper(std::move(f)), fs_(fs) {}
        rocksdb::IOStatus Append(const rocksdb::Slice& d, const rocksdb::IOOptions& o,
                                 rocksdb::IODebugContext* dbg) override {
            if (fs_->fail) return rocksdb::IOStatus::IOError("injected WAL failure");
            return FSWritableFileOwnerWrapper::Append(d, o, dbg);
        }
        rocksdb::IOStatus Append(const rocksdb::Slice& d, const rocksdb::IOOptions& o,
                                 const rocksdb::DataVerificationInfo& v,
                                 rocksdb::IODebugContext* dbg) override {
            if (fs_->fail) return rocksdb::IOStatus::IOError("injected WAL failure");
            return FSWritableFileOwnerWrapper::Append(d, o, v, dbg);
        }

    private:
        failing_wal_fs* fs_;
    };
};

TEST(RocksdbJournal, FailedWriteFailsTheWholeBatchAndRollsBackOffsets) {
    temp_dir dir;
    auto fs = std::make_shared<failing_wal_fs>(rocksdb::FileSystem::Default());
    auto env = rocksdb::NewCompositeEnv(fs);
    metrics::registry reg;
    rocksdb_journal_options o;
    o.path = dir.path();
    o.retention_interval_ms = 0;
    o.metrics = reg.journal(metrics::journal_engine::rocksdb);
    const std::string failed_series = "robustmq_journal_failed_appends_total{engine=\"rocksdb\"}";
    const std::string appends_series = "robustmq_journal_appends_total{engine=\"rocksdb\"}";
    shard_id topic;
    // Outlive the journal: observers stay registered until it is destroyed.
    std::mutex observed_mu;
    std::vector<std::vector<std::pair<shard_id, int64_t>>> observed;
    {
        auto opened = detail::open_rocksdb_journal(o, env.get());
        ASSERT_TRUE(opened.has_value());
        auto j = std::move(opened).value();
        topic = *j->create_shard("topic");
        auto inbox = *j->create_shard("inbox");
        j->add_append_observer([&](std::span<const shard_progress> progress) {
            std::lock_guard lk(observed_mu);
            observed.emplace_back();
            for (const auto& p : progress) observed.back().emplace_back(p.shard, p.next_offset);
        });
        auto observed_calls = [&] {
            std::lock_guard lk(observed_mu);
            return observed;
        };
        ASSERT_TRUE(append_sync(*j, make_request(topic, {make_record("ok")})).has_value());
        ASSERT_TRUE(j->flush().has_value());  // the observers of that batch have run
        const std::vector<std::vector<std::pair<shard_id, int64_t>>> one_call{{{topic, 1}}};
        EXPECT_EQ(observed_calls(), one_call);

        fs->fail = true;
        // Queue several appends so that they share one failing batch.
        constexpr int n = 20;
        test::completion_counter counter(n);
        std::atomic<int> io_errors{0};
        for (int i = 0; i < n; ++i) {
            j->append(make_request(topic, {make_record("lost"), make_record("lost")},
                                   durability::wal, {inbox}),
                      [&](result<append_result> r) {
                          if (!r && r.error() == errc::io_error) ++io_errors;
                          counter.done();
                      });
        }
        counter.wait();
        EXPECT_EQ(io_errors.load(), n);
        // The metrics count failed appends apart from written ones.
        auto scrape = reg.scrape();
        EXPECT_EQ(test::scraped_value(scrape, failed_series), n);
        EXPECT_EQ(test::scraped_value(scrape, appends_series), 1);
        // Nothing of the failed batches is visible, and no offset was consumed.
        EXPECT_EQ(*j->next_offset(topic), 1);
        EXPECT_EQ(*j->next_offset(inbox), 0);
        EXPECT_EQ(j->describe_shard(topic)->bytes, 2);
        EXPECT_EQ(j->read(topic, 0, 100, SIZE_MAX)->size(), 1u);
        EXPECT_EQ(j->read(inbox, 0, 100, SIZE_MAX)->size(), 0u);

        // A failed WAL write is fatal to this RocksDB instance: appends keep
        // failing (never half-succeeding) until the journal is reopened.
        fs->fail = false;
        auto again = append_sync(*j, make_request(topic, {make_record("still failing")}));
        ASSERT_FALSE(again.has_value());
        EXPECT_EQ(again.error(), errc::io_error);
        // Failed batches tell the observers nothing. (The writer finished the
        // earlier batches, observers included, before taking this one.)
        EXPECT_EQ(observed_calls(), one_call);
        EXPECT_EQ(*j->next_offset(topic), 1);
        EXPECT_EQ(test::scraped_value(reg.scrape(), failed_series), n + 1);
        j->stop();
        EXPECT_EQ(observed_calls(), one_call);
    }

    auto reopened = detail::open_rocksdb_journal(o, env.get());
    ASSERT_TRUE(reopened.has_value());
    auto& j = *reopened;
    auto recs = *j->read(topic, 0, 100, SIZE_MAX);
    ASSERT_EQ(recs.size(), 1u);
    EXPECT_EQ(recs[0].value.str(), "ok");
    auto inbox = *j->find_shard("inbox");
    EXPECT_EQ(*j->next_offset(inbox), 0);
    // Offsets stay dense across the failure.
    auto r = append_sync(*j, make_request(topic, {make_record("after")}, durability::wal, {inbox}));
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->first_offset, 1);
    EXPECT_EQ(r->index_first_offsets, std::vector<int64_t>{0});
}

}  // namespace
}  // namespace robust::storage
