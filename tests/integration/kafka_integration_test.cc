// The Kafka server in a whole in-process robust-server, driven by our own
// codec over real sockets: framing, the data path (produce, fetch, long
// poll, offsets by time), idempotence, and that a bad request closes only
// its own connection. Third-party clients are in tests/e2e/test_20_kafka.py.
#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "kafka/codec/messages/api_versions.h"
#include "kafka/codec/messages/delete_records.h"
#include "kafka/codec/messages/fetch.h"
#include "kafka/codec/messages/list_offsets.h"
#include "kafka/codec/messages/metadata.h"
#include "kafka/codec/messages/offset_commit.h"
#include "kafka/codec/messages/offset_fetch.h"
#include "kafka/codec/messages/produce.h"
#include "kafka/codec/record_batch.h"
#include "kafka_client.h"
#include "server_fixture.h"

namespace robust::test {
namespace {

namespace kc = kafka::codec;
using kc::api_key;

class KafkaIntegration : public server_fixture {
protected:
    uint16_t kafka_port() const {
        for (const auto& l : server_->listeners()) {
            if (l.name == "kafka") return l.port;
        }
        throw std::runtime_error("no kafka listener");
    }

    kc::metadata_response metadata(kafka_client& c, const std::string& topic) {
        constexpr int16_t v = 9;
        c.send(api_key::metadata, v, [&](kc::writer& w) {
            kc::metadata_request r;
            r.topics = std::vector<kc::metadata_request_topic>{{{}, topic}};
            kc::encode_metadata_request(w, r, v);
        });
        auto body = c.receive(api_key::metadata, v);
        EXPECT_TRUE(body.has_value());
        auto resp = kc::decode_metadata_response(as_bytes(*body), v);
        EXPECT_TRUE(resp.has_value());
        return *resp;
    }

    kc::produce_response_partition produce(kafka_client& c, const std::string& topic,
                                           std::string batch) {
        constexpr int16_t v = 9;
        c.send(api_key::produce, v, [&](kc::writer& w) {
            kc::produce_request r;
            r.acks = -1;
            r.timeout_ms = 5000;
            r.topic_data.push_back({topic, {{0, std::string_view(batch)}}});
            kc::encode_produce_request(w, r, v);
        });
        auto body = c.receive(api_key::produce, v);
        if (!body) throw std::runtime_error("no produce response");
        auto resp = kc::decode_produce_response(as_bytes(*body), v);
        if (!resp) throw std::runtime_error("bad produce response");
        return resp->responses.at(0).partition_responses.at(0);
    }

    kc::fetch_response_partition fetch(kafka_client& c, const std::string& topic, int64_t offset,
                                       int32_t max_wait_ms = 0) {
        constexpr int16_t v = 12;
        c.send(api_key::fetch, v, [&](kc::writer& w) {
            kc::fetch_request r;
            r.max_wait_ms = max_wait_ms;
            r.min_bytes = 1;
            r.max_bytes = 1 << 20;
            kc::fetch_request_partition p;
            p.partition = 0;
            p.fetch_offset = offset;
            p.partition_max_bytes = 1 << 20;
            r.topics.push_back({topic, {p}});
            kc::encode_fetch_request(w, r, v);
        });
        auto body = c.receive(api_key::fetch, v, std::chrono::seconds(15));
        if (!body) throw std::runtime_error("no fetch response");
        auto resp = kc::decode_fetch_response(as_bytes(*body), v);
        if (!resp) throw std::runtime_error("bad fetch response");
        return resp->responses.at(0).partitions.at(0);
    }

    static std::string batch_of(std::initializer_list<std::string> values, int64_t ts = 1000,
                                int64_t producer_id = -1, int32_t sequence = -1) {
        std::vector<kc::batch_record> recs;
        int32_t i = 0;
        for (const auto& v : values) {
            kc::batch_record r;
            r.offset_delta = i;
            r.timestamp_delta = i * 10;
            r.key = "k" + std::to_string(i);
            r.value = v;
            r.headers.push_back({"h", std::string("x")});
            recs.push_back(std::move(r));
            ++i;
        }
        kc::batch_build_options o;
        o.base_timestamp = ts;
        o.producer_id = producer_id;
        o.producer_epoch = producer_id >= 0 ? 0 : -1;
        o.base_sequence = sequence;
        o.compression = kc::compression_type::lz4;
        return kc::build_batch(recs, o);
    }

    static std::vector<std::pair<int64_t, std::string>> values_of(const std::string& records) {
        std::vector<std::pair<int64_t, std::string>> out;
        auto batches = kc::split_fetched_batches(records, {});
        EXPECT_TRUE(batches.has_value());
        for (const auto& b : *batches) {
            auto recs = kc::decode_records(b, {});
            EXPECT_TRUE(recs.has_value());
            for (const auto& r : *recs) {
                out.emplace_back(b.header.base_offset + r.offset_delta, r.value.value_or(""));
            }
        }
        return out;
    }
};

TEST_F(KafkaIntegration, ApiVersionsListsWhatWeImplementAndAnswersUnknownVersionsWithV0) {
    kafka_client c(kafka_port());
    c.send(api_key::api_versions, 3, [](kc::writer& w) {
        kc::encode_api_versions_request(w, {"it", "1.0"}, 3);
    });
    auto body = c.receive(api_key::api_versions, 3);
    ASSERT_TRUE(body.has_value());
    auto resp = kc::decode_api_versions_response(as_bytes(*body), 3);
    ASSERT_TRUE(resp.has_value());
    EXPECT_EQ(resp->error_code, kc::error_code::none);
    EXPECT_EQ(resp->api_keys.size(), kc::supported_apis().size());

    c.send(api_key::api_versions, 77, [](kc::writer&) {});
    auto fallback = c.receive(api_key::api_versions, 0);
    ASSERT_TRUE(fallback.has_value());
    auto v0 = kc::decode_api_versions_response(as_bytes(*fallback), 0);
    ASSERT_TRUE(v0.has_value());
    EXPECT_EQ(v0->error_code, kc::error_code::unsupported_version);
    EXPECT_FALSE(v0->api_keys.empty());
}

TEST_F(KafkaIntegration, MetadataCreatesTopicsAndRefusesIllegalNames) {
    kafka_client c(kafka_port());
    auto m = metadata(c, "orders");
    ASSERT_EQ(m.brokers.size(), 1u);
    EXPECT_EQ(m.brokers[0].port, kafka_port());
    EXPECT_EQ(m.brokers[0].host, "127.0.0.1");
    ASSERT_EQ(m.topics.size(), 1u);
    EXPECT_EQ(m.topics[0].error_code, kc::error_code::none);
    EXPECT_EQ(m.topics[0].partitions.size(), 1u);

    auto bad = metadata(c, "no/slashes");
    EXPECT_EQ(bad.topics.at(0).error_code, kc::error_code::invalid_topic_exception);
}

TEST_F(KafkaIntegration, ProducedBatchesAreFetchedWithTheirOffsets) {
    kafka_client c(kafka_port());
    metadata(c, "t");
    auto p1 = produce(c, "t", batch_of({"a", "b", "c"}));
    ASSERT_EQ(p1.error_code, kc::error_code::none);
    EXPECT_EQ(p1.base_offset, 0);
    auto p2 = produce(c, "t", batch_of({"d"}));
    EXPECT_EQ(p2.base_offset, 3);

    auto f = fetch(c, "t", 0);
    ASSERT_EQ(f.error_code, kc::error_code::none);
    EXPECT_EQ(f.high_watermark, 4);
    EXPECT_EQ(f.log_start_offset, 0);
    std::vector<std::pair<int64_t, std::string>> want = {{0, "a"}, {1, "b"}, {2, "c"}, {3, "d"}};
    EXPECT_EQ(values_of(f.records), want);

    // From inside a batch: the whole batch comes back (the client skips).
    auto mid = fetch(c, "t", 1);
    EXPECT_EQ(values_of(mid.records).front().first, 0);
    auto out = fetch(c, "t", 9);
    EXPECT_EQ(out.error_code, kc::error_code::offset_out_of_range);
    auto end = fetch(c, "t", 4);
    EXPECT_EQ(end.error_code, kc::error_code::none);
    EXPECT_TRUE(end.records.empty());
}

TEST_F(KafkaIntegration, ALongPollWakesUpWhenDataArrives) {
    kafka_client consumer(kafka_port());
    kafka_client producer(kafka_port());
    metadata(producer, "wait");
    const auto start = std::chrono::steady_clock::now();
    auto waiting = std::async(std::launch::async, [&] { return fetch(consumer, "wait", 0, 8000); });
    // The fetch is parked before the produce, or it finds the data at once:
    // either way it must return the record, long before its 8 s.
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    ASSERT_EQ(produce(producer, "wait", batch_of({"late"})).error_code, kc::error_code::none);
    auto f = waiting.get();
    const auto took = std::chrono::steady_clock::now() - start;
    EXPECT_LT(took, std::chrono::seconds(6));
    std::vector<std::pair<int64_t, std::string>> want = {{0, "late"}};
    EXPECT_EQ(values_of(f.records), want);
}

TEST_F(KafkaIntegration, AnIdempotentRetryIsNotStoredTwice) {
    kafka_client c(kafka_port());
    metadata(c, "idem");
    const std::string b0 = batch_of({"x", "y"}, 1000, 77, 0);
    auto first = produce(c, "idem", b0);
    auto retry = produce(c, "idem", b0);
    EXPECT_EQ(first.error_code, kc::error_code::none);
    EXPECT_EQ(retry.error_code, kc::error_code::none);
    EXPECT_EQ(retry.base_offset, first.base_offset);
    auto gap = produce(c, "idem", batch_of({"z"}, 1000, 77, 5));
    EXPECT_EQ(gap.error_code, kc::error_code::out_of_order_sequence_number);
    auto next = produce(c, "idem", batch_of({"z"}, 1000, 77, 2));
    EXPECT_EQ(next.error_code, kc::error_code::none);
    EXPECT_EQ(next.base_offset, 2);
    EXPECT_EQ(fetch(c, "idem", 0).high_watermark, 3);
}

TEST_F(KafkaIntegration, OffsetsByTimeFindTheRecordInsideABatch) {
    kafka_client c(kafka_port());
    metadata(c, "times");
    produce(c, "times", batch_of({"a", "b", "c"}, 1000));  // timestamps 1000, 1010, 1020
    produce(c, "times", batch_of({"d"}, 5000));
    constexpr int16_t v = 6;
    auto ask = [&](int64_t ts) {
        c.send(api_key::list_offsets, v, [&](kc::writer& w) {
            kc::list_offsets_request r;
            r.topics.push_back({"times", {{0, -1, ts}}});
            kc::encode_list_offsets_request(w, r, v);
        });
        auto body = c.receive(api_key::list_offsets, v);
        auto resp = kc::decode_list_offsets_response(as_bytes(*body), v);
        return resp->topics.at(0).partitions.at(0);
    };
    EXPECT_EQ(ask(1005).offset, 1);
    EXPECT_EQ(ask(1005).timestamp, 1010);
    EXPECT_EQ(ask(0).offset, 0);
    EXPECT_EQ(ask(4000).offset, 3);
    EXPECT_EQ(ask(9000).offset, -1);
    EXPECT_EQ(ask(kc::list_offsets_latest).offset, 4);
    EXPECT_EQ(ask(kc::list_offsets_earliest).offset, 0);
}

TEST_F(KafkaIntegration, AMalformedRequestClosesOnlyItsConnection) {
    kafka_client good(kafka_port());
    kafka_client bad(kafka_port());
    metadata(good, "m");
    // A Produce v9 whose body is cut short.
    bad.send(api_key::produce, 9, [](kc::writer& w) { w.i8(1); });
    EXPECT_TRUE(bad.wait_closed());
    EXPECT_EQ(metadata(good, "m").topics.at(0).error_code, kc::error_code::none);

    kafka_client huge(kafka_port());
    huge.send_raw(std::string("\x7f\xff\xff\xff", 4));  // a 2 GiB request
    EXPECT_TRUE(huge.wait_closed());
}

TEST_F(KafkaIntegration, RecordsSurviveARestart) {
    {
        kafka_client c(kafka_port());
        metadata(c, "durable");
        ASSERT_EQ(produce(c, "durable", batch_of({"keep"})).error_code, kc::error_code::none);
    }
    restart();
    kafka_client c(kafka_port());
    std::vector<std::pair<int64_t, std::string>> want = {{0, "keep"}};
    EXPECT_EQ(values_of(fetch(c, "durable", 0).records), want);
}

// kafkajs's admin resetOffsets commits -2 (earliest) or -1 (latest) for every
// partition; Kafka accepts any offset. The journal keeps positions >= 0, so the
// sentinels are resolved to the partition's start and end when committed.
TEST_F(KafkaIntegration, OffsetCommitResolvesTheEarliestAndLatestSentinels) {
    kafka_client c(kafka_port());
    metadata(c, "reset");
    produce(c, "reset", batch_of({"a", "b", "c"}));
    produce(c, "reset", batch_of({"d"}));
    {
        constexpr int16_t v = 2;
        c.send(api_key::delete_records, v, [&](kc::writer& w) {
            kc::delete_records_request r;
            r.topics.push_back({"reset", {{0, 3}}});  // the second batch starts at 3
            r.timeout_ms = 5000;
            kc::encode_delete_records_request(w, r, v);
        });
        auto body = c.receive(api_key::delete_records, v);
        ASSERT_TRUE(body.has_value());
        auto resp = kc::decode_delete_records_response(as_bytes(*body), v);
        ASSERT_TRUE(resp.has_value());
        ASSERT_EQ(resp->topics.at(0).partitions.at(0).low_watermark, 3);
    }
    auto commit = [&](int64_t offset) {
        constexpr int16_t v = 8;
        c.send(api_key::offset_commit, v, [&](kc::writer& w) {
            kc::offset_commit_request r;
            r.group_id = "resetter";  // no members: an admin commit (generation -1)
            kc::offset_commit_request_partition p;
            p.committed_offset = offset;
            r.topics.push_back({"reset", {p}});
            kc::encode_offset_commit_request(w, r, v);
        });
        auto body = c.receive(api_key::offset_commit, v);
        if (!body) throw std::runtime_error("no offset commit response");
        auto resp = kc::decode_offset_commit_response(as_bytes(*body), v);
        if (!resp) throw std::runtime_error("bad offset commit response");
        return resp->topics.at(0).partitions.at(0).error_code;
    };
    auto committed = [&] {
        constexpr int16_t v = 7;
        c.send(api_key::offset_fetch, v, [&](kc::writer& w) {
            kc::offset_fetch_request r;
            r.group_id = "resetter";
            r.topics = std::vector<kc::offset_fetch_request_topic>{{"reset", {0}}};
            kc::encode_offset_fetch_request(w, r, v);
        });
        auto body = c.receive(api_key::offset_fetch, v);
        if (!body) throw std::runtime_error("no offset fetch response");
        auto resp = kc::decode_offset_fetch_response(as_bytes(*body), v);
        if (!resp) throw std::runtime_error("bad offset fetch response");
        return resp->topics.at(0).partitions.at(0).committed_offset;
    };
    EXPECT_EQ(commit(kc::list_offsets_latest), kc::error_code::none);
    EXPECT_EQ(committed(), 4);
    EXPECT_EQ(commit(kc::list_offsets_earliest), kc::error_code::none);
    EXPECT_EQ(committed(), 3);
    EXPECT_EQ(commit(2), kc::error_code::none);  // below the log start: stored as given
    EXPECT_EQ(committed(), 2);
    // Any other negative offset is still refused, and the commit is unchanged.
    EXPECT_EQ(commit(-3), kc::error_code::invalid_commit_offset_size);
    EXPECT_EQ(committed(), 2);
}

}  // namespace
}  // namespace robust::test
