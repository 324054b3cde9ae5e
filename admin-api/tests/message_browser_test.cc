#include "message_browser.h"

#include <gtest/gtest.h>

#include <future>
#include <memory>

#include "base/errc.h"
#include "kafka/codec/record_batch.h"

namespace robust::admin::detail {
namespace {

using storage::record;

class MessageBrowser : public ::testing::Test {
protected:
    void SetUp() override { journal_ = storage::make_memory_journal(); }
    void TearDown() override { journal_->stop(); }

    storage::shard_id shard(const std::string& name) {
        return journal_->create_shard(name).value();
    }

    void append(storage::shard_id id, std::vector<record> records) {
        storage::append_request req;
        req.shard = id;
        req.records = std::move(records);
        std::promise<bool> done;
        journal_->append(std::move(req), [&done](result<storage::append_result> r) {
            done.set_value(r.has_value());
        });
        ASSERT_TRUE(done.get_future().get());
    }

    static record single(std::string key, std::string value, int64_t ts = 1000) {
        record r;
        r.key = std::move(key);
        r.value = shared_buffer(std::move(value));
        r.timestamp_ms = ts;
        r.headers.push_back({"mqtt.qos", "1"});
        return r;
    }

    /// A Kafka batch of `n` records "v0".."v<n-1>", keys "k<i>", stored as one
    /// journal record covering n offsets.
    static record batch(int n, int64_t base_ts = 5000) {
        std::vector<kafka::codec::batch_record> rs;
        for (int i = 0; i < n; ++i) {
            kafka::codec::batch_record b;
            b.offset_delta = i;
            b.timestamp_delta = i;
            b.key = "k" + std::to_string(i);
            b.value = "v" + std::to_string(i);
            b.headers.push_back({"h", std::nullopt});
            rs.push_back(std::move(b));
        }
        kafka::codec::batch_build_options o;
        o.base_timestamp = base_ts;
        o.base_offset = 777;  // the producer's: the journal's offset wins
        record r;
        r.format = storage::record_format::kafka_batch;
        r.offset_count = static_cast<uint32_t>(n);
        r.value = shared_buffer(kafka::codec::build_batch(rs, o));
        r.timestamp_ms = base_ts + n - 1;
        return r;
    }

    std::unique_ptr<storage::journal> journal_;
};

TEST_F(MessageBrowser, NewestSingleRecordsByDefault) {
    auto id = shard("topic/default/t/0");
    for (int i = 0; i < 5; ++i) append(id, {single("t", "m" + std::to_string(i))});
    auto page = read_shard(*journal_, id, std::nullopt, 3).value();
    EXPECT_EQ(page.shard, "topic/default/t/0");
    EXPECT_EQ(page.earliest, 0);
    EXPECT_EQ(page.next_offset, 5);
    ASSERT_EQ(page.messages.size(), 3u);
    EXPECT_EQ(page.messages[0].offset, 2);
    EXPECT_EQ(page.messages[0].value, "m2");
    EXPECT_EQ(page.messages[2].offset, 4);
    EXPECT_EQ(page.messages[2].key, "t");
    ASSERT_EQ(page.messages[2].headers.size(), 1u);
    EXPECT_EQ(page.messages[2].headers[0].first, "mqtt.qos");
    EXPECT_EQ(page.messages[2].timestamp_ms, 1000);
}

TEST_F(MessageBrowser, FromAnOffsetAndClampedToEarliest) {
    auto id = shard("s");
    for (int i = 0; i < 5; ++i) append(id, {single("t", "m" + std::to_string(i))});
    auto page = read_shard(*journal_, id, 1, 2).value();
    ASSERT_EQ(page.messages.size(), 2u);
    EXPECT_EQ(page.messages[0].offset, 1);
    EXPECT_EQ(page.messages[1].offset, 2);
    ASSERT_TRUE(journal_->truncate_before(id, 3).has_value());
    page = read_shard(*journal_, id, 0, 10).value();
    EXPECT_EQ(page.earliest, 3);
    ASSERT_EQ(page.messages.size(), 2u);
    EXPECT_EQ(page.messages[0].offset, 3);
    // Past the end: nothing, no error.
    EXPECT_TRUE(read_shard(*journal_, id, 99, 10).value().messages.empty());
}

TEST_F(MessageBrowser, KafkaBatchesAreOpenedWithJournalOffsets) {
    auto id = shard("k");
    append(id, {single("x", "first")});  // offset 0
    append(id, {batch(4)});              // offsets 1..4
    append(id, {single("x", "last")});   // offset 5
    auto all = read_shard(*journal_, id, 0, 100).value();
    ASSERT_EQ(all.messages.size(), 6u);
    for (size_t i = 0; i < all.messages.size(); ++i) {
        EXPECT_EQ(all.messages[i].offset, static_cast<int64_t>(i));
    }
    EXPECT_EQ(all.messages[1].key, "k0");
    EXPECT_EQ(all.messages[1].value, "v0");
    EXPECT_EQ(all.messages[1].timestamp_ms, 5000);
    EXPECT_EQ(all.messages[4].value, "v3");
    EXPECT_EQ(all.messages[4].timestamp_ms, 5003);
    ASSERT_EQ(all.messages[4].headers.size(), 1u);
    EXPECT_FALSE(all.messages[4].headers[0].second.has_value());
    // Starting inside the batch skips its earlier records; the limit counts
    // messages, not stored records.
    auto mid = read_shard(*journal_, id, 3, 2).value();
    ASSERT_EQ(mid.messages.size(), 2u);
    EXPECT_EQ(mid.messages[0].offset, 3);
    EXPECT_EQ(mid.messages[0].value, "v2");
    EXPECT_EQ(mid.messages[1].offset, 4);
    // The newest two: the batch's last record and the single one after it.
    auto newest = read_shard(*journal_, id, std::nullopt, 2).value();
    ASSERT_EQ(newest.messages.size(), 2u);
    EXPECT_EQ(newest.messages[0].value, "v3");
    EXPECT_EQ(newest.messages[1].value, "last");
}

TEST_F(MessageBrowser, ACorruptBatchIsAnError) {
    auto id = shard("bad");
    record r;
    r.format = storage::record_format::kafka_batch;
    r.offset_count = 2;
    r.value = shared_buffer(std::string(80, '\x01'));
    append(id, {r});
    auto page = read_shard(*journal_, id, 0, 10);
    ASSERT_FALSE(page.has_value());
    EXPECT_EQ(page.error(), make_error_code(errc::corruption));
}

TEST_F(MessageBrowser, UnknownShardIsNotFound) {
    auto page = read_shard(*journal_, storage::shard_id(4242), std::nullopt, 10);
    ASSERT_FALSE(page.has_value());
    EXPECT_EQ(page.error(), make_error_code(errc::not_found));
}

TEST_F(MessageBrowser, MqttTopicsAreFilteredFromTheirSharedShard) {
    auto a = shard("$mqtt/messages/0");
    auto b = shard("$mqtt/messages/1");
    for (int i = 0; i < 6; ++i) {
        append(a, {single(i % 2 ? "sensors/1" : "noise", "a" + std::to_string(i))});
    }
    append(b, {single("sensors/1", "elsewhere")});  // another shard is never read
    auto page = read_shared_shard(*journal_, a, "sensors/1", std::nullopt, 10).value();
    EXPECT_EQ(page.shard, "$mqtt/messages/0");
    EXPECT_EQ(page.next_offset, 6);
    ASSERT_EQ(page.messages.size(), 3u);
    EXPECT_EQ(page.messages[0].offset, 1);
    EXPECT_EQ(page.messages[0].value, "a1");
    EXPECT_EQ(page.messages[2].offset, 5);
    // The newest `limit`, or the first `limit` from an offset.
    auto newest = read_shared_shard(*journal_, a, "sensors/1", std::nullopt, 1).value();
    ASSERT_EQ(newest.messages.size(), 1u);
    EXPECT_EQ(newest.messages[0].offset, 5);
    auto from = read_shared_shard(*journal_, a, "sensors/1", 2, 1).value();
    ASSERT_EQ(from.messages.size(), 1u);
    EXPECT_EQ(from.messages[0].offset, 3);
    // Only the window's newest records are searched.
    auto window = read_shared_shard(*journal_, a, "sensors/1", std::nullopt, 10, 2).value();
    ASSERT_EQ(window.messages.size(), 1u);
    EXPECT_EQ(window.messages[0].offset, 5);
    // A topic with no stored message: an empty page.
    EXPECT_TRUE(
        read_shared_shard(*journal_, a, "quiet", std::nullopt, 10).value().messages.empty());
    EXPECT_FALSE(read_shared_shard(*journal_, storage::shard_id(999), "x", std::nullopt, 10));
}

}  // namespace
}  // namespace robust::admin::detail
