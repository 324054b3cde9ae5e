// Kafka data-path and topic-administration messages: ApiVersions, Metadata,
// Produce, Fetch, ListOffsets, InitProducerId, CreateTopics, DeleteTopics,
// CreatePartitions, DeleteRecords, DescribeConfigs. Byte vectors written
// from the protocol guide / Apache Kafka message schemas, round trips at
// every supported version, truncated input and oversized counts.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "base/errc.h"
#include "kafka/codec/api.h"
#include "kafka/codec/messages/api_versions.h"
#include "kafka/codec/messages/create_partitions.h"
#include "kafka/codec/messages/create_topics.h"
#include "kafka/codec/messages/delete_records.h"
#include "kafka/codec/messages/delete_topics.h"
#include "kafka/codec/messages/describe_configs.h"
#include "kafka/codec/messages/fetch.h"
#include "kafka/codec/messages/init_producer_id.h"
#include "kafka/codec/messages/list_offsets.h"
#include "kafka/codec/messages/metadata.h"
#include "kafka/codec/messages/produce.h"
#include "kafka/codec/wire.h"
#include "test_util.h"

namespace robust::kafka::codec {
namespace {

using test::hex;
using test::span_of;
using test::wire;

// ---- helpers ------------------------------------------------------------------

template <class T, class Enc>
std::string encode(api_key k, int16_t v, const T& value, Enc enc) {
    writer w(is_flexible(k, v));
    enc(w, value, v);
    return w.take();
}

template <class Dec>
auto decode_ok(const std::string& bytes, int16_t v, Dec dec) {
    auto r = dec(span_of(bytes), v);
    using T = std::decay_t<decltype(*r)>;
    EXPECT_TRUE(r.has_value()) << "v" << v << ": " << (r ? "" : r.error().message());
    return r ? *r : T{};
}

template <class F>
void for_each_version(api_key k, F&& f) {
    const api_support* a = find_api(static_cast<int16_t>(k));
    ASSERT_NE(a, nullptr);
    for (int16_t v = a->min_version; v <= a->max_version; ++v) {
        SCOPED_TRACE(std::string(a->name) + " v" + std::to_string(v));
        f(v);
    }
}

/// decode(encode(value)) == value, and encoding the result gives the same bytes.
template <class T, class Enc, class Dec>
void expect_round_trip(api_key k, int16_t v, const T& value, Enc enc, Dec dec) {
    std::string bytes = encode(k, v, value, enc);
    auto decoded = dec(span_of(bytes), v);
    ASSERT_TRUE(decoded.has_value()) << decoded.error().message();
    EXPECT_TRUE(*decoded == value);
    EXPECT_EQ(hex(encode(k, v, *decoded, enc)), hex(bytes));
}

/// Every strict prefix of a valid body fails with malformed or too_large.
template <class T, class Enc, class Dec>
void expect_every_prefix_fails(api_key k, int16_t v, const T& value, Enc enc, Dec dec) {
    std::string bytes = encode(k, v, value, enc);
    for (size_t n = 0; n < bytes.size(); ++n) {
        std::string prefix = bytes.substr(0, n);
        auto r = dec(span_of(prefix), v);
        ASSERT_FALSE(r.has_value()) << "prefix of " << n << " of " << bytes.size() << " bytes";
        EXPECT_TRUE(r.error() == make_error_code(errc::malformed) ||
                    r.error() == make_error_code(errc::too_large))
            << r.error().message();
    }
}

const uuid some_uuid{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

// ---- samples per version: only fields the version carries differ from their
// defaults, so that decode(encode(x)) == x ------------------------------------

api_versions_request sample_api_versions_request(int16_t v) {
    api_versions_request r;
    if (v >= 3) {
        r.client_software_name = "librdkafka";
        r.client_software_version = "2.0.2";
    }
    return r;
}

api_versions_response sample_api_versions_response(int16_t v) {
    api_versions_response r;
    r.api_keys = supported_api_versions();
    if (v >= 1) r.throttle_time_ms = 5;
    if (v >= 3) {
        r.supported_features = {{"metadata.version", 1, 7}};
        r.finalized_features_epoch = 9;
        r.finalized_features = {{"metadata.version", 7, 1}};
        r.zk_migration_ready = true;
    }
    return r;
}

metadata_request sample_metadata_request(int16_t v) {
    metadata_request r;
    r.topics.emplace();
    r.topics->push_back({v >= 10 ? some_uuid : uuid{}, "a"});
    if (v >= 10) r.topics->push_back({some_uuid, std::nullopt});
    if (v >= 4) r.allow_auto_topic_creation = false;
    if (v >= 8 && v <= 10) r.include_cluster_authorized_operations = true;
    if (v >= 8) r.include_topic_authorized_operations = true;
    return r;
}

metadata_request sample_metadata_request_all(int16_t v) {
    metadata_request r = sample_metadata_request(v);
    r.topics.reset();
    return r;
}

metadata_response sample_metadata_response(int16_t v) {
    metadata_response r;
    if (v >= 3) r.throttle_time_ms = 7;
    r.brokers.push_back({1, "h1", 9092, v >= 1 ? std::optional<std::string>("r1") : std::nullopt});
    r.brokers.push_back({2, "h2", 9093, std::nullopt});
    if (v >= 2) r.cluster_id = "cid";
    if (v >= 1) r.controller_id = 1;
    metadata_response_topic a;
    a.name = "a";
    if (v >= 10) a.topic_id = some_uuid;
    if (v >= 1) a.is_internal = true;
    metadata_response_partition p;
    p.partition_index = 0;
    p.leader_id = 1;
    if (v >= 7) p.leader_epoch = 3;
    p.replica_nodes = {1, 2};
    p.isr_nodes = {1};
    if (v >= 5) p.offline_replicas = {2};
    a.partitions.push_back(p);
    p.partition_index = 1;
    p.error_code = error_code::leader_not_available;
    a.partitions.push_back(p);
    if (v >= 8) a.topic_authorized_operations = 0x0f;
    r.topics.push_back(a);
    metadata_response_topic b;
    b.error_code = error_code::unknown_topic_or_partition;
    b.name = v >= 12 ? std::nullopt : std::optional<std::string>("b");
    r.topics.push_back(b);
    if (v >= 8 && v <= 10) r.cluster_authorized_operations = 0x1f;
    return r;
}

produce_request sample_produce_request(int16_t v) {
    produce_request r;
    if (v >= 3) r.transactional_id = "tx";
    r.acks = -1;
    r.timeout_ms = 1000;
    r.topic_data.push_back({"a", {{0, std::string_view("batch0")}, {1, std::nullopt}}});
    r.topic_data.push_back({"b", {}});
    return r;
}

produce_response sample_produce_response(int16_t v) {
    produce_response r;
    produce_response_partition p0;
    p0.index = 0;
    p0.base_offset = 10;
    if (v >= 2) p0.log_append_time_ms = 123;
    if (v >= 5) p0.log_start_offset = 2;
    if (v >= 8) {
        p0.record_errors = {{1, "bad"}, {2, std::nullopt}};
        p0.error_message = "msg";
    }
    produce_response_partition p1;
    p1.index = 1;
    p1.error_code = error_code::corrupt_message;
    r.responses.push_back({"a", {p0, p1}});
    if (v >= 1) r.throttle_time_ms = 3;
    return r;
}

fetch_request sample_fetch_request(int16_t v) {
    fetch_request r;
    if (v >= 12) r.cluster_id = "cid";
    r.max_wait_ms = 500;
    r.min_bytes = 1;
    r.max_bytes = 1 << 20;
    r.isolation_level = 1;
    if (v >= 7) {
        r.session_id = 12;
        r.session_epoch = 3;
    }
    fetch_request_partition p;
    p.partition = 0;
    if (v >= 9) p.current_leader_epoch = 4;
    p.fetch_offset = 100;
    if (v >= 12) p.last_fetched_epoch = 2;
    if (v >= 5) p.log_start_offset = 0;
    p.partition_max_bytes = 1 << 16;
    r.topics.push_back({"a", {p}});
    if (v >= 7) r.forgotten_topics_data.push_back({"b", {1, 2}});
    if (v >= 11) r.rack_id = "rack";
    return r;
}

fetch_response sample_fetch_response(int16_t v) {
    fetch_response r;
    r.throttle_time_ms = 1;
    if (v >= 7) r.session_id = 12;
    fetch_response_partition p0;
    p0.partition_index = 0;
    p0.high_watermark = 200;
    p0.last_stable_offset = 200;
    if (v >= 5) p0.log_start_offset = 0;
    if (v >= 12) {
        p0.diverging_epoch = fetch_epoch_end_offset{1, 50};
        p0.current_leader = fetch_leader_id_and_epoch{1, 2};
        p0.snapshot_id = fetch_snapshot_id{10, 1};
    }
    p0.aborted_transactions = std::vector<fetch_aborted_transaction>{{7, 100}};
    if (v >= 11) p0.preferred_read_replica = 2;
    p0.records = "record batches";
    fetch_response_partition p1;
    p1.partition_index = 1;
    p1.error_code = error_code::offset_out_of_range;
    p1.aborted_transactions.reset();
    r.responses.push_back({"a", {p0, p1}});
    return r;
}

list_offsets_request sample_list_offsets_request(int16_t v) {
    list_offsets_request r;
    if (v >= 2) r.isolation_level = 1;
    list_offsets_request_partition p0{0, -1, list_offsets_latest};
    list_offsets_request_partition p1{1, -1, 1700000000000};
    if (v >= 4) p0.current_leader_epoch = p1.current_leader_epoch = 5;
    r.topics.push_back({"a", {p0, p1}});
    return r;
}

list_offsets_response sample_list_offsets_response(int16_t v) {
    list_offsets_response r;
    if (v >= 2) r.throttle_time_ms = 4;
    list_offsets_response_partition p0;
    p0.timestamp = -1;
    p0.offset = 42;
    if (v >= 4) p0.leader_epoch = 5;
    list_offsets_response_partition p1;
    p1.partition_index = 1;
    p1.error_code = error_code::not_leader_or_follower;
    r.topics.push_back({"a", {p0, p1}});
    return r;
}

init_producer_id_request sample_init_producer_id_request(int16_t v) {
    init_producer_id_request r;
    r.transactional_id = v % 2 == 0 ? std::optional<std::string>("tx") : std::nullopt;
    r.transaction_timeout_ms = 60000;
    if (v >= 3) {
        r.producer_id = 5;
        r.producer_epoch = 1;
    }
    return r;
}

init_producer_id_response sample_init_producer_id_response(int16_t) {
    init_producer_id_response r;
    r.throttle_time_ms = 2;
    r.producer_id = 1000;
    r.producer_epoch = 3;
    return r;
}

create_topics_request sample_create_topics_request(int16_t v) {
    create_topics_request r;
    r.topics.push_back({"a", 3, 1, {}, {{"retention.ms", "1000"}, {"x", std::nullopt}}});
    r.topics.push_back({"b", -1, -1, {{0, {1, 2}}, {1, {2, 1}}}, {}});
    r.timeout_ms = 30000;
    if (v >= 1) r.validate_only = true;
    return r;
}

create_topics_response sample_create_topics_response(int16_t v) {
    create_topics_response r;
    if (v >= 2) r.throttle_time_ms = 5;
    create_topics_response_topic a;
    a.name = "a";
    if (v >= 7) a.topic_id = some_uuid;
    if (v >= 5) {
        a.num_partitions = 3;
        a.replication_factor = 1;
        a.configs = std::vector<create_topics_result_config>{
            {"retention.ms", "1000", false, 5, false}, {"secret", std::nullopt, true, 1, true}};
    }
    r.topics.push_back(a);
    create_topics_response_topic b;
    b.name = "b";
    b.error_code = error_code::topic_already_exists;
    if (v >= 1) b.error_message = "exists";
    if (v >= 5) {
        b.topic_config_error_code = error_code::topic_authorization_failed;
        b.configs.reset();
    }
    r.topics.push_back(b);
    return r;
}

delete_topics_request sample_delete_topics_request(int16_t) {
    return {{"a", "b"}, 1000};
}

delete_topics_response sample_delete_topics_response(int16_t v) {
    delete_topics_response r;
    if (v >= 1) r.throttle_time_ms = 2;
    r.responses.push_back({"a", error_code::none, std::nullopt});
    r.responses.push_back({"b", error_code::unknown_topic_or_partition,
                           v >= 5 ? std::optional<std::string>("no such topic") : std::nullopt});
    return r;
}

create_partitions_request sample_create_partitions_request(int16_t v) {
    create_partitions_request r;
    r.topics.push_back({"a", 6, std::nullopt});
    r.topics.push_back({"b", 3, std::vector<create_partitions_assignment>{{{1, 2}}, {{2, 1}}}});
    r.timeout_ms = 1000;
    r.validate_only = v % 2 == 1;
    return r;
}

create_partitions_response sample_create_partitions_response(int16_t) {
    create_partitions_response r;
    r.throttle_time_ms = 1;
    r.results.push_back({"a", error_code::none, std::nullopt});
    r.results.push_back({"b", error_code::invalid_partitions, "too few"});
    return r;
}

delete_records_request sample_delete_records_request(int16_t) {
    delete_records_request r;
    r.topics.push_back({"a", {{0, 100}, {1, -1}}});
    r.timeout_ms = 1000;
    return r;
}

delete_records_response sample_delete_records_response(int16_t) {
    delete_records_response r;
    r.throttle_time_ms = 1;
    r.topics.push_back(
        {"a", {{0, 100, error_code::none}, {1, 0, error_code::offset_out_of_range}}});
    return r;
}

describe_configs_request sample_describe_configs_request(int16_t v) {
    describe_configs_request r;
    r.resources.push_back({config_resource_topic, "a", std::nullopt});
    r.resources.push_back({config_resource_broker, "0", std::vector<std::string>{"log.dirs"}});
    if (v >= 1) r.include_synonyms = true;
    if (v >= 3) r.include_documentation = true;
    return r;
}

describe_configs_response sample_describe_configs_response(int16_t v) {
    describe_configs_response r;
    r.throttle_time_ms = 1;
    describe_configs_entry e;
    e.name = "retention.ms";
    e.value = "1000";
    if (v == 0) e.is_default = true;
    if (v >= 1) {
        e.config_source = 5;
        e.synonyms = {{"log.retention.ms", "1000", 5}, {"x", std::nullopt, 4}};
    }
    if (v >= 3) {
        e.config_type = 5;
        e.documentation = "How long to keep records.";
    }
    describe_configs_entry secret;
    secret.name = "password";
    secret.read_only = true;
    secret.is_sensitive = true;
    r.results.push_back({error_code::none, std::nullopt, config_resource_topic, "a", {e, secret}});
    r.results.push_back(
        {error_code::unknown_topic_or_partition, "no such topic", config_resource_topic, "b", {}});
    return r;
}

/// Calls visit(key, sample, encode, decode) for every request sample above.
template <class Visit>
void for_each_request_sample(Visit&& visit) {
    visit(api_key::api_versions, sample_api_versions_request, encode_api_versions_request,
          decode_api_versions_request);
    visit(api_key::metadata, sample_metadata_request, encode_metadata_request,
          decode_metadata_request);
    visit(api_key::produce, sample_produce_request, encode_produce_request, decode_produce_request);
    visit(api_key::fetch, sample_fetch_request, encode_fetch_request, decode_fetch_request);
    visit(api_key::list_offsets, sample_list_offsets_request, encode_list_offsets_request,
          decode_list_offsets_request);
    visit(api_key::init_producer_id, sample_init_producer_id_request,
          encode_init_producer_id_request, decode_init_producer_id_request);
    visit(api_key::create_topics, sample_create_topics_request, encode_create_topics_request,
          decode_create_topics_request);
    visit(api_key::delete_topics, sample_delete_topics_request, encode_delete_topics_request,
          decode_delete_topics_request);
    visit(api_key::create_partitions, sample_create_partitions_request,
          encode_create_partitions_request, decode_create_partitions_request);
    visit(api_key::delete_records, sample_delete_records_request, encode_delete_records_request,
          decode_delete_records_request);
    visit(api_key::describe_configs, sample_describe_configs_request,
          encode_describe_configs_request, decode_describe_configs_request);
}

/// Calls visit(key, sample, encode, decode) for every response sample above.
template <class Visit>
void for_each_response_sample(Visit&& visit) {
    visit(api_key::api_versions, sample_api_versions_response, encode_api_versions_response,
          decode_api_versions_response);
    visit(api_key::metadata, sample_metadata_response, encode_metadata_response,
          decode_metadata_response);
    visit(api_key::produce, sample_produce_response, encode_produce_response,
          decode_produce_response);
    visit(api_key::fetch, sample_fetch_response, encode_fetch_response, decode_fetch_response);
    visit(api_key::list_offsets, sample_list_offsets_response, encode_list_offsets_response,
          decode_list_offsets_response);
    visit(api_key::init_producer_id, sample_init_producer_id_response,
          encode_init_producer_id_response, decode_init_producer_id_response);
    visit(api_key::create_topics, sample_create_topics_response, encode_create_topics_response,
          decode_create_topics_response);
    visit(api_key::delete_topics, sample_delete_topics_response, encode_delete_topics_response,
          decode_delete_topics_response);
    visit(api_key::create_partitions, sample_create_partitions_response,
          encode_create_partitions_response, decode_create_partitions_response);
    visit(api_key::delete_records, sample_delete_records_response, encode_delete_records_response,
          decode_delete_records_response);
    visit(api_key::describe_configs, sample_describe_configs_response,
          encode_describe_configs_response, decode_describe_configs_response);
}

/// Both of the above.
template <class Visit>
void for_each_sample(Visit&& visit) {
    for_each_request_sample(visit);
    for_each_response_sample(visit);
}

// ---- ApiVersions ----------------------------------------------------------------

TEST(KafkaApiVersionsCodec, V0RequestIsEmpty) {
    EXPECT_EQ(encode(api_key::api_versions, 0, api_versions_request{}, encode_api_versions_request),
              "");
    EXPECT_EQ(decode_ok("", 0, decode_api_versions_request), api_versions_request{});
}

const std::string api_versions_v3_request = wire({
    0x0b, 'l', 'i', 'b', 'r', 'd', 'k', 'a', 'f', 'k', 'a',  // client_software_name "librdkafka"
    0x06, '2', '.', '0', '.', '2',                           // client_software_version "2.0.2"
    0x00,                                                    // no tagged fields
});

TEST(KafkaApiVersionsCodec, V3Request) {
    api_versions_request expected{"librdkafka", "2.0.2"};
    EXPECT_EQ(decode_ok(api_versions_v3_request, 3, decode_api_versions_request), expected);
    EXPECT_EQ(hex(encode(api_key::api_versions, 3, expected, encode_api_versions_request)),
              hex(api_versions_v3_request));
}

const std::string api_versions_v0_response = wire({
    0x00, 0x00,              // error_code NONE
    0x00, 0x00, 0x00, 0x02,  // api_keys: 2 (classic INT32 count)
    0x00, 0x00,              //   api_key 0 (Produce)
    0x00, 0x03,              //   min_version 3
    0x00, 0x09,              //   max_version 9
    0x00, 0x12,              //   api_key 18 (ApiVersions)
    0x00, 0x00,              //   min_version 0
    0x00, 0x03,              //   max_version 3
});

const std::string api_versions_v3_response = wire({
    0x00, 0x00,              // error_code NONE
    0x03,                    // api_keys: 2 (compact: count + 1)
    0x00, 0x00,              //   api_key 0 (Produce)
    0x00, 0x03,              //   min_version 3
    0x00, 0x09,              //   max_version 9
    0x00,                    //   no tagged fields
    0x00, 0x12,              //   api_key 18 (ApiVersions)
    0x00, 0x00,              //   min_version 0
    0x00, 0x03,              //   max_version 3
    0x00,                    //   no tagged fields
    0x00, 0x00, 0x00, 0x00,  // throttle_time_ms 0
    0x00,                    // no tagged fields (all at their defaults)
});

api_versions_response two_keys() {
    api_versions_response r;
    r.api_keys = {{0, 3, 9}, {18, 0, 3}};
    return r;
}

TEST(KafkaApiVersionsCodec, V0Response) {
    EXPECT_EQ(hex(encode(api_key::api_versions, 0, two_keys(), encode_api_versions_response)),
              hex(api_versions_v0_response));
    EXPECT_EQ(decode_ok(api_versions_v0_response, 0, decode_api_versions_response), two_keys());
}

TEST(KafkaApiVersionsCodec, V3ResponseIsFlexible) {
    EXPECT_EQ(hex(encode(api_key::api_versions, 3, two_keys(), encode_api_versions_response)),
              hex(api_versions_v3_response));
    EXPECT_EQ(decode_ok(api_versions_v3_response, 3, decode_api_versions_response), two_keys());
}

TEST(KafkaApiVersionsCodec, V3ResponseTaggedFields) {
    api_versions_response r;
    r.finalized_features_epoch = 5;
    r.zk_migration_ready = true;
    const std::string expected = wire({
        0x00, 0x00,                                // error_code NONE
        0x01,                                      // api_keys: 0
        0x00, 0x00, 0x00, 0x00,                    // throttle_time_ms 0
        0x02,                                      // 2 tagged fields
        0x01, 0x08, 0,    0,    0, 0, 0, 0, 0, 5,  //   tag 1, 8 bytes: epoch 5
        0x03, 0x01, 0x01,                          //   tag 3, 1 byte: zk ready
    });
    EXPECT_EQ(hex(encode(api_key::api_versions, 3, r, encode_api_versions_response)),
              hex(expected));
    EXPECT_EQ(decode_ok(expected, 3, decode_api_versions_response), r);
}

TEST(KafkaApiVersionsCodec, ResponseHeaderStaysV0ForV3) {
    writer w(true);
    write_response_header(w, api_key::api_versions, 3, 7);
    EXPECT_EQ(hex(w.buffer()), hex(wire({0x00, 0x00, 0x00, 0x07})));  // no tagged fields
}

TEST(KafkaApiVersionsCodec, AdvertisesTheApiTable) {
    auto keys = supported_api_versions();
    ASSERT_EQ(keys.size(), supported_apis().size());
    for (size_t i = 0; i < keys.size(); ++i) {
        EXPECT_EQ(keys[i].api_key, static_cast<int16_t>(supported_apis()[i].key));
        EXPECT_EQ(keys[i].min_version, supported_apis()[i].min_version);
        EXPECT_EQ(keys[i].max_version, supported_apis()[i].max_version);
    }
}

TEST(KafkaApiVersionsCodec, FallbackForUnsupportedVersionIsV0) {
    // KIP-511: a v4+ ApiVersions request is answered with a v0 body carrying
    // UNSUPPORTED_VERSION and our ranges, under response header v0.
    std::string msg = encode_api_versions_fallback_response(0x01020304);
    auto size = frame_size(span_of(msg));
    ASSERT_TRUE(size.has_value());
    ASSERT_EQ(static_cast<size_t>(*size), msg.size() - 4);
    EXPECT_EQ(hex(msg.substr(4, 6)), hex(wire({
                                         0x01, 0x02, 0x03, 0x04,  // correlation_id
                                         0x00, 0x23,              // error_code 35
                                     })));
    std::string body = msg.substr(8);
    api_versions_response expected;
    expected.error_code = error_code::unsupported_version;
    expected.api_keys = supported_api_versions();
    EXPECT_EQ(decode_ok(body, 0, decode_api_versions_response), expected);
    EXPECT_EQ(body, encode(api_key::api_versions, 0, expected, encode_api_versions_response));
}

// ---- Metadata ---------------------------------------------------------------------

const std::string metadata_v1_request = wire({
    0x00, 0x00, 0x00, 0x01,  // topics: 1
    0x00, 0x02, 't', '1',    //   name "t1"
});

TEST(KafkaMetadataCodec, V1Request) {
    metadata_request expected;
    expected.topics = std::vector<metadata_request_topic>{{uuid{}, "t1"}};
    EXPECT_EQ(decode_ok(metadata_v1_request, 1, decode_metadata_request), expected);
    EXPECT_EQ(hex(encode(api_key::metadata, 1, expected, encode_metadata_request)),
              hex(metadata_v1_request));
}

TEST(KafkaMetadataCodec, AllTopicsIsNullFromV1AndEmptyInV0) {
    const std::string null_topics = wire({0xff, 0xff, 0xff, 0xff});  // topics: null
    const std::string no_topics = wire({0x00, 0x00, 0x00, 0x00});    // topics: 0
    EXPECT_EQ(decode_ok(null_topics, 1, decode_metadata_request).topics, std::nullopt);
    EXPECT_EQ(decode_ok(no_topics, 0, decode_metadata_request).topics, std::nullopt);
    EXPECT_EQ(decode_ok(no_topics, 1, decode_metadata_request).topics,
              std::vector<metadata_request_topic>{});
    metadata_request all;
    EXPECT_EQ(encode(api_key::metadata, 1, all, encode_metadata_request), null_topics);
    EXPECT_EQ(encode(api_key::metadata, 0, all, encode_metadata_request), no_topics);
    // v0 has no null array.
    auto r = decode_metadata_request(span_of(null_topics), 0);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error(), make_error_code(errc::malformed));
}

const std::string metadata_v9_request = wire({
    0x02,            // topics: 1 (compact)
    0x03, 't', '1',  //   name "t1"
    0x00,            //   no tagged fields
    0x01,            // allow_auto_topic_creation true
    0x00,            // include_cluster_authorized_operations false
    0x00,            // include_topic_authorized_operations false
    0x00,            // no tagged fields
});

TEST(KafkaMetadataCodec, V9RequestIsFlexible) {
    metadata_request expected;
    expected.topics = std::vector<metadata_request_topic>{{uuid{}, "t1"}};
    EXPECT_EQ(decode_ok(metadata_v9_request, 9, decode_metadata_request), expected);
    EXPECT_EQ(hex(encode(api_key::metadata, 9, expected, encode_metadata_request)),
              hex(metadata_v9_request));
}

TEST(KafkaMetadataCodec, V12RequestHasTopicIdsAndNullableNames) {
    const std::string v12 = wire({
        0x03,                                                          // topics: 2
        0,    0,   0,   0, 0, 0, 0, 0, 0, 0,  0,  0,  0,  0,  0,  0,   //   topic_id zero
        0x03, 't', '1',                                                //   name "t1"
        0x00,                                                          //   no tagged fields
        1,    2,   3,   4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,  //   topic_id 01..10
        0x00,                                                          //   name null
        0x00,                                                          //   no tagged fields
        0x01,  // allow_auto_topic_creation true
        0x01,  // include_topic_authorized_operations
        0x00,  // no tagged fields
    });
    metadata_request expected;
    expected.topics =
        std::vector<metadata_request_topic>{{uuid{}, "t1"}, {some_uuid, std::nullopt}};
    expected.include_topic_authorized_operations = true;
    EXPECT_EQ(decode_ok(v12, 12, decode_metadata_request), expected);
    EXPECT_EQ(hex(encode(api_key::metadata, 12, expected, encode_metadata_request)), hex(v12));
}

TEST(KafkaMetadataCodec, UnknownTaggedFieldsAreSkipped) {
    std::string with_tag = metadata_v9_request;
    with_tag.back() = 0x01;                      // 1 tagged field
    with_tag += wire({0x2a, 0x02, 0xbe, 0xef});  //   tag 42, 2 bytes
    metadata_request expected;
    expected.topics = std::vector<metadata_request_topic>{{uuid{}, "t1"}};
    EXPECT_EQ(decode_ok(with_tag, 9, decode_metadata_request), expected);
}

const std::string metadata_v1_response = wire({
    0x00, 0x00, 0x00, 0x01,  // brokers: 1
    0x00, 0x00, 0x00, 0x01,  //   node_id 1
    0x00, 0x01, 'h',         //   host "h"
    0x00, 0x00, 0x23, 0x84,  //   port 9092
    0xff, 0xff,              //   rack null
    0x00, 0x00, 0x00, 0x01,  // controller_id 1
    0x00, 0x00, 0x00, 0x01,  // topics: 1
    0x00, 0x00,              //   error_code NONE
    0x00, 0x02, 't',  '1',   //   name "t1"
    0x00,                    //   is_internal false
    0x00, 0x00, 0x00, 0x01,  //   partitions: 1
    0x00, 0x00,              //     error_code NONE
    0x00, 0x00, 0x00, 0x00,  //     partition_index 0
    0x00, 0x00, 0x00, 0x01,  //     leader_id 1
    0x00, 0x00, 0x00, 0x01,  //     replica_nodes: 1
    0x00, 0x00, 0x00, 0x01,  //       1
    0x00, 0x00, 0x00, 0x01,  //     isr_nodes: 1
    0x00, 0x00, 0x00, 0x01,  //       1
});

metadata_response one_broker_one_topic() {
    metadata_response r;
    r.brokers.push_back({1, "h", 9092, std::nullopt});
    r.controller_id = 1;
    metadata_response_topic t;
    t.name = "t1";
    metadata_response_partition p;
    p.leader_id = 1;
    p.replica_nodes = {1};
    p.isr_nodes = {1};
    t.partitions.push_back(p);
    r.topics.push_back(t);
    return r;
}

TEST(KafkaMetadataCodec, V1Response) {
    EXPECT_EQ(hex(encode(api_key::metadata, 1, one_broker_one_topic(), encode_metadata_response)),
              hex(metadata_v1_response));
    EXPECT_EQ(decode_ok(metadata_v1_response, 1, decode_metadata_response), one_broker_one_topic());
}

const std::string metadata_v9_response = wire({
    0x00, 0x00, 0x00, 0x00,        // throttle_time_ms 0
    0x02,                          // brokers: 1
    0x00, 0x00, 0x00, 0x01,        //   node_id 1
    0x02, 'h',                     //   host "h"
    0x00, 0x00, 0x23, 0x84,        //   port 9092
    0x00,                          //   rack null
    0x00,                          //   no tagged fields
    0x02, 'c',                     // cluster_id "c"
    0x00, 0x00, 0x00, 0x01,        // controller_id 1
    0x02,                          // topics: 1
    0x00, 0x00,                    //   error_code NONE
    0x03, 't',  '1',               //   name "t1"
    0x00,                          //   is_internal false
    0x02,                          //   partitions: 1
    0x00, 0x00,                    //     error_code NONE
    0x00, 0x00, 0x00, 0x00,        //     partition_index 0
    0x00, 0x00, 0x00, 0x01,        //     leader_id 1
    0xff, 0xff, 0xff, 0xff,        //     leader_epoch -1
    0x02, 0x00, 0x00, 0x00, 0x01,  //     replica_nodes [1]
    0x02, 0x00, 0x00, 0x00, 0x01,  //     isr_nodes [1]
    0x01,                          //     offline_replicas []
    0x00,                          //     no tagged fields
    0x80, 0x00, 0x00, 0x00,        //   topic_authorized_operations omitted (INT32_MIN)
    0x00,                          //   no tagged fields
    0x80, 0x00, 0x00, 0x00,        // cluster_authorized_operations omitted (v8-10)
    0x00,                          // no tagged fields
});

TEST(KafkaMetadataCodec, V9ResponseIsFlexible) {
    metadata_response r = one_broker_one_topic();
    r.cluster_id = "c";
    EXPECT_EQ(hex(encode(api_key::metadata, 9, r, encode_metadata_response)),
              hex(metadata_v9_response));
    EXPECT_EQ(decode_ok(metadata_v9_response, 9, decode_metadata_response), r);
}

// ---- Produce ------------------------------------------------------------------------

const std::string produce_v3_request = wire({
    0xff, 0xff,              // transactional_id null
    0xff, 0xff,              // acks -1
    0x00, 0x00, 0x75, 0x30,  // timeout_ms 30000
    0x00, 0x00, 0x00, 0x01,  // topic_data: 1
    0x00, 0x01, 't',         //   name "t"
    0x00, 0x00, 0x00, 0x01,  //   partition_data: 1
    0x00, 0x00, 0x00, 0x02,  //     index 2
    0x00, 0x00, 0x00, 0x02,  //     records: 2 bytes (stand-in for a RecordBatch)
    'R',  'B',
});

produce_request produce_one_batch(std::optional<std::string> txn, int16_t acks, int32_t timeout) {
    produce_request r;
    r.transactional_id = std::move(txn);
    r.acks = acks;
    r.timeout_ms = timeout;
    r.topic_data.push_back({"t", {{2, std::string_view("RB")}}});
    return r;
}

TEST(KafkaProduceCodec, V3Request) {
    auto expected = produce_one_batch(std::nullopt, -1, 30000);
    EXPECT_EQ(decode_ok(produce_v3_request, 3, decode_produce_request), expected);
    EXPECT_EQ(hex(encode(api_key::produce, 3, expected, encode_produce_request)),
              hex(produce_v3_request));
}

TEST(KafkaProduceCodec, RecordsAreAViewIntoTheBody) {
    auto r = decode_produce_request(span_of(produce_v3_request), 3);
    ASSERT_TRUE(r.has_value());
    std::string_view records = *r->topic_data[0].partition_data[0].records;
    EXPECT_EQ(records.data(), produce_v3_request.data() + produce_v3_request.size() - 2);
}

const std::string produce_v9_request = wire({
    0x03, 't',  'x',         // transactional_id "tx" (compact)
    0x00, 0x01,              // acks 1
    0x00, 0x00, 0x03, 0xe8,  // timeout_ms 1000
    0x02,                    // topic_data: 1
    0x02, 't',               //   name "t"
    0x02,                    //   partition_data: 1
    0x00, 0x00, 0x00, 0x02,  //     index 2
    0x03, 'R',  'B',         //     records: 2 bytes (compact)
    0x00,                    //     no tagged fields
    0x00,                    //   no tagged fields
    0x00,                    // no tagged fields
});

TEST(KafkaProduceCodec, V9RequestIsFlexible) {
    auto expected = produce_one_batch("tx", 1, 1000);
    EXPECT_EQ(decode_ok(produce_v9_request, 9, decode_produce_request), expected);
    EXPECT_EQ(hex(encode(api_key::produce, 9, expected, encode_produce_request)),
              hex(produce_v9_request));
}

TEST(KafkaProduceCodec, NullRecordsDecodeAsNullopt) {
    std::string null_records = produce_v3_request.substr(0, produce_v3_request.size() - 6) +
                               wire({0xff, 0xff, 0xff, 0xff});  // records null
    auto r = decode_ok(null_records, 3, decode_produce_request);
    ASSERT_EQ(r.topic_data.size(), 1u);
    EXPECT_EQ(r.topic_data[0].partition_data[0].records, std::nullopt);
}

produce_response produce_one_result() {
    produce_response r;
    produce_response_partition p;
    p.index = 2;
    p.base_offset = 42;
    p.log_start_offset = 0;
    r.responses.push_back({"t", {p}});
    return r;
}

TEST(KafkaProduceCodec, V3Response) {
    const std::string v3 = wire({
        0x00, 0x00, 0x00, 0x01,                          // responses: 1
        0x00, 0x01, 't',                                 //   name "t"
        0x00, 0x00, 0x00, 0x01,                          //   partition_responses: 1
        0x00, 0x00, 0x00, 0x02,                          //     index 2
        0x00, 0x00,                                      //     error_code NONE
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2a,  //     base_offset 42
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,  //     log_append_time_ms -1
        0x00, 0x00, 0x00, 0x00,                          // throttle_time_ms 0
    });
    produce_response expected = produce_one_result();
    EXPECT_EQ(hex(encode(api_key::produce, 3, expected, encode_produce_response)), hex(v3));
    expected.responses[0].partition_responses[0].log_start_offset = -1;  // not in v3
    EXPECT_EQ(decode_ok(v3, 3, decode_produce_response), expected);
}

TEST(KafkaProduceCodec, V9Response) {
    const std::string v9 = wire({
        0x02,                                            // responses: 1
        0x02, 't',                                       //   name "t"
        0x02,                                            //   partition_responses: 1
        0x00, 0x00, 0x00, 0x02,                          //     index 2
        0x00, 0x00,                                      //     error_code NONE
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2a,  //     base_offset 42
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,  //     log_append_time_ms -1
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //     log_start_offset 0
        0x01,                                            //     record_errors: 0
        0x00,                                            //     error_message null
        0x00,                                            //     no tagged fields
        0x00,                                            //   no tagged fields
        0x00, 0x00, 0x00, 0x00,                          // throttle_time_ms 0
        0x00,                                            // no tagged fields
    });
    EXPECT_EQ(hex(encode(api_key::produce, 9, produce_one_result(), encode_produce_response)),
              hex(v9));
    EXPECT_EQ(decode_ok(v9, 9, decode_produce_response), produce_one_result());
}

// ---- Fetch ----------------------------------------------------------------------------

const std::string fetch_v4_request = wire({
    0xff, 0xff, 0xff, 0xff,                          // replica_id -1
    0x00, 0x00, 0x01, 0xf4,                          // max_wait_ms 500
    0x00, 0x00, 0x00, 0x01,                          // min_bytes 1
    0x03, 0x20, 0x00, 0x00,                          // max_bytes 52428800
    0x00,                                            // isolation_level read_uncommitted
    0x00, 0x00, 0x00, 0x01,                          // topics: 1
    0x00, 0x01, 't',                                 //   topic "t"
    0x00, 0x00, 0x00, 0x01,                          //   partitions: 1
    0x00, 0x00, 0x00, 0x00,                          //     partition 0
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05,  //     fetch_offset 5
    0x00, 0x10, 0x00, 0x00,                          //     partition_max_bytes 1048576
});

fetch_request fetch_one_partition() {
    fetch_request r;
    r.max_wait_ms = 500;
    r.min_bytes = 1;
    r.max_bytes = 52428800;
    fetch_request_partition p;
    p.fetch_offset = 5;
    p.partition_max_bytes = 1048576;
    r.topics.push_back({"t", {p}});
    return r;
}

TEST(KafkaFetchCodec, V4Request) {
    EXPECT_EQ(decode_ok(fetch_v4_request, 4, decode_fetch_request), fetch_one_partition());
    EXPECT_EQ(hex(encode(api_key::fetch, 4, fetch_one_partition(), encode_fetch_request)),
              hex(fetch_v4_request));
}

const std::string fetch_v12_request = wire({
    0xff, 0xff, 0xff, 0xff,                          // replica_id -1
    0x00, 0x00, 0x01, 0xf4,                          // max_wait_ms 500
    0x00, 0x00, 0x00, 0x01,                          // min_bytes 1
    0x03, 0x20, 0x00, 0x00,                          // max_bytes 52428800
    0x00,                                            // isolation_level read_uncommitted
    0x00, 0x00, 0x00, 0x00,                          // session_id 0
    0xff, 0xff, 0xff, 0xff,                          // session_epoch -1
    0x02,                                            // topics: 1
    0x02, 't',                                       //   topic "t"
    0x02,                                            //   partitions: 1
    0x00, 0x00, 0x00, 0x00,                          //     partition 0
    0xff, 0xff, 0xff, 0xff,                          //     current_leader_epoch -1
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05,  //     fetch_offset 5
    0xff, 0xff, 0xff, 0xff,                          //     last_fetched_epoch -1
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,  //     log_start_offset -1
    0x00, 0x10, 0x00, 0x00,                          //     partition_max_bytes 1048576
    0x00,                                            //     no tagged fields
    0x00,                                            //   no tagged fields
    0x01,                                            // forgotten_topics_data: 0
    0x01,                                            // rack_id ""
    0x01,                                            // 1 tagged field
    0x00, 0x02, 0x02, 'c',                           //   tag 0 (cluster_id), 2 bytes: "c"
});

TEST(KafkaFetchCodec, V12RequestIsFlexibleWithClusterIdTag) {
    fetch_request expected = fetch_one_partition();
    expected.cluster_id = "c";
    EXPECT_EQ(decode_ok(fetch_v12_request, 12, decode_fetch_request), expected);
    EXPECT_EQ(hex(encode(api_key::fetch, 12, expected, encode_fetch_request)),
              hex(fetch_v12_request));
}

fetch_response fetch_empty_result() {
    fetch_response r;
    fetch_response_partition p;
    p.high_watermark = 10;
    p.last_stable_offset = 10;
    p.log_start_offset = 0;
    r.responses.push_back({"t", {p}});
    return r;
}

const std::string fetch_v4_response = wire({
    0x00, 0x00, 0x00, 0x00,                          // throttle_time_ms 0
    0x00, 0x00, 0x00, 0x01,                          // responses: 1
    0x00, 0x01, 't',                                 //   topic "t"
    0x00, 0x00, 0x00, 0x01,                          //   partitions: 1
    0x00, 0x00, 0x00, 0x00,                          //     partition_index 0
    0x00, 0x00,                                      //     error_code NONE
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0a,  //     high_watermark 10
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0a,  //     last_stable_offset 10
    0x00, 0x00, 0x00, 0x00,                          //     aborted_transactions: 0 (not null)
    0x00, 0x00, 0x00, 0x00,                          //     records: 0 bytes (never null)
});

TEST(KafkaFetchCodec, V4ResponseWritesEmptyRecordsNotNull) {
    EXPECT_EQ(hex(encode(api_key::fetch, 4, fetch_empty_result(), encode_fetch_response)),
              hex(fetch_v4_response));
    fetch_response expected = fetch_empty_result();
    expected.responses[0].partitions[0].log_start_offset = -1;  // not in v4
    EXPECT_EQ(decode_ok(fetch_v4_response, 4, decode_fetch_response), expected);
}

TEST(KafkaFetchCodec, NullRecordsDecodeAsEmpty) {
    std::string null_records = fetch_v4_response.substr(0, fetch_v4_response.size() - 8) +
                               wire({
                                   0xff, 0xff, 0xff, 0xff,  // aborted_transactions null
                                   0xff, 0xff, 0xff, 0xff,  // records null
                               });
    auto r = decode_ok(null_records, 4, decode_fetch_response);
    ASSERT_EQ(r.responses.size(), 1u);
    EXPECT_EQ(r.responses[0].partitions[0].records, "");
    EXPECT_EQ(r.responses[0].partitions[0].aborted_transactions, std::nullopt);
}

const std::string fetch_v12_response = wire({
    0x00, 0x00, 0x00, 0x00,                          // throttle_time_ms 0
    0x00, 0x00,                                      // error_code NONE
    0x00, 0x00, 0x00, 0x00,                          // session_id 0
    0x02,                                            // responses: 1
    0x02, 't',                                       //   topic "t"
    0x02,                                            //   partitions: 1
    0x00, 0x00, 0x00, 0x00,                          //     partition_index 0
    0x00, 0x00,                                      //     error_code NONE
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0a,  //     high_watermark 10
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0a,  //     last_stable_offset 10
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //     log_start_offset 0
    0x01,                                            //     aborted_transactions: 0
    0xff, 0xff, 0xff, 0xff,                          //     preferred_read_replica -1
    0x01,                                            //     records: 0 bytes (0x00 = null)
    0x00,                                            //     no tagged fields
    0x00,                                            //   no tagged fields
    0x00,                                            // no tagged fields
});

TEST(KafkaFetchCodec, V12ResponseIsFlexibleAndRecordsNotNull) {
    EXPECT_EQ(hex(encode(api_key::fetch, 12, fetch_empty_result(), encode_fetch_response)),
              hex(fetch_v12_response));
    EXPECT_EQ(decode_ok(fetch_v12_response, 12, decode_fetch_response), fetch_empty_result());
}

TEST(KafkaFetchCodec, V12ResponseCurrentLeaderTag) {
    fetch_response r = fetch_empty_result();
    r.responses[0].partitions[0].current_leader = fetch_leader_id_and_epoch{1, 2};
    std::string expected = fetch_v12_response;
    // Replace the partition's empty tag section (third byte from the end).
    expected.replace(expected.size() - 3, 1,
                     wire({
                         0x01,                    // 1 tagged field
                         0x01, 0x09,              //   tag 1 (current_leader), 9 bytes
                         0x00, 0x00, 0x00, 0x01,  //     leader_id 1
                         0x00, 0x00, 0x00, 0x02,  //     leader_epoch 2
                         0x00,                    //     no tagged fields
                     }));
    EXPECT_EQ(hex(encode(api_key::fetch, 12, r, encode_fetch_response)), hex(expected));
    EXPECT_EQ(decode_ok(expected, 12, decode_fetch_response), r);
}

// ---- ListOffsets --------------------------------------------------------------------

TEST(KafkaListOffsetsCodec, V1) {
    const std::string request = wire({
        0xff, 0xff, 0xff, 0xff,                          // replica_id -1
        0x00, 0x00, 0x00, 0x01,                          // topics: 1
        0x00, 0x01, 't',                                 //   name "t"
        0x00, 0x00, 0x00, 0x01,                          //   partitions: 1
        0x00, 0x00, 0x00, 0x00,                          //     partition_index 0
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe,  //     timestamp -2 (earliest)
    });
    list_offsets_request req;
    req.topics.push_back({"t", {{0, -1, list_offsets_earliest}}});
    EXPECT_EQ(decode_ok(request, 1, decode_list_offsets_request), req);
    EXPECT_EQ(hex(encode(api_key::list_offsets, 1, req, encode_list_offsets_request)),
              hex(request));

    const std::string response = wire({
        0x00, 0x00, 0x00, 0x01,                          // topics: 1
        0x00, 0x01, 't',                                 //   name "t"
        0x00, 0x00, 0x00, 0x01,                          //   partitions: 1
        0x00, 0x00, 0x00, 0x00,                          //     partition_index 0
        0x00, 0x00,                                      //     error_code NONE
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,  //     timestamp -1
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07,  //     offset 7
    });
    list_offsets_response resp;
    resp.topics.push_back({"t", {{0, error_code::none, -1, 7, -1}}});
    EXPECT_EQ(decode_ok(response, 1, decode_list_offsets_response), resp);
    EXPECT_EQ(hex(encode(api_key::list_offsets, 1, resp, encode_list_offsets_response)),
              hex(response));
}

TEST(KafkaListOffsetsCodec, V6IsFlexible) {
    const std::string request = wire({
        0xff, 0xff, 0xff, 0xff,                          // replica_id -1
        0x01,                                            // isolation_level read_committed
        0x02,                                            // topics: 1
        0x02, 't',                                       //   name "t"
        0x02,                                            //   partitions: 1
        0x00, 0x00, 0x00, 0x00,                          //     partition_index 0
        0x00, 0x00, 0x00, 0x03,                          //     current_leader_epoch 3
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,  //     timestamp -1 (latest)
        0x00,                                            //     no tagged fields
        0x00,                                            //   no tagged fields
        0x00,                                            // no tagged fields
    });
    list_offsets_request req;
    req.isolation_level = 1;
    req.topics.push_back({"t", {{0, 3, list_offsets_latest}}});
    EXPECT_EQ(decode_ok(request, 6, decode_list_offsets_request), req);
    EXPECT_EQ(hex(encode(api_key::list_offsets, 6, req, encode_list_offsets_request)),
              hex(request));

    const std::string response = wire({
        0x00, 0x00, 0x00, 0x00,                          // throttle_time_ms 0
        0x02,                                            // topics: 1
        0x02, 't',                                       //   name "t"
        0x02,                                            //   partitions: 1
        0x00, 0x00, 0x00, 0x00,                          //     partition_index 0
        0x00, 0x00,                                      //     error_code NONE
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,  //     timestamp -1
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07,  //     offset 7
        0x00, 0x00, 0x00, 0x03,                          //     leader_epoch 3
        0x00,                                            //     no tagged fields
        0x00,                                            //   no tagged fields
        0x00,                                            // no tagged fields
    });
    list_offsets_response resp;
    resp.topics.push_back({"t", {{0, error_code::none, -1, 7, 3}}});
    EXPECT_EQ(decode_ok(response, 6, decode_list_offsets_response), resp);
    EXPECT_EQ(hex(encode(api_key::list_offsets, 6, resp, encode_list_offsets_response)),
              hex(response));
}

// ---- CreateTopics ---------------------------------------------------------------------

TEST(KafkaCreateTopicsCodec, V0) {
    const std::string request = wire({
        0x00, 0x00, 0x00, 0x01,  // topics: 1
        0x00, 0x01, 't',         //   name "t"
        0x00, 0x00, 0x00, 0x03,  //   num_partitions 3
        0x00, 0x01,              //   replication_factor 1
        0x00, 0x00, 0x00, 0x00,  //   assignments: 0
        0x00, 0x00, 0x00, 0x01,  //   configs: 1
        0x00, 0x02, 'k',  '1',   //     name "k1"
        0x00, 0x02, 'v',  '1',   //     value "v1"
        0x00, 0x00, 0x75, 0x30,  // timeout_ms 30000
    });
    create_topics_request req;
    req.topics.push_back({"t", 3, 1, {}, {{"k1", "v1"}}});
    req.timeout_ms = 30000;
    EXPECT_EQ(decode_ok(request, 0, decode_create_topics_request), req);
    EXPECT_EQ(hex(encode(api_key::create_topics, 0, req, encode_create_topics_request)),
              hex(request));

    const std::string response = wire({
        0x00, 0x00, 0x00, 0x01,  // topics: 1
        0x00, 0x01, 't',         //   name "t"
        0x00, 0x24,              //   error_code TOPIC_ALREADY_EXISTS
    });
    create_topics_response resp;
    create_topics_response_topic t;
    t.name = "t";
    t.error_code = error_code::topic_already_exists;
    resp.topics.push_back(t);
    EXPECT_EQ(decode_ok(response, 0, decode_create_topics_response), resp);
    EXPECT_EQ(hex(encode(api_key::create_topics, 0, resp, encode_create_topics_response)),
              hex(response));
}

TEST(KafkaCreateTopicsCodec, V5IsFlexibleAndDescribesTheTopic) {
    const std::string request = wire({
        0x02,                    // topics: 1
        0x02, 't',               //   name "t"
        0x00, 0x00, 0x00, 0x03,  //   num_partitions 3
        0x00, 0x01,              //   replication_factor 1
        0x01,                    //   assignments: 0
        0x02,                    //   configs: 1
        0x03, 'k',  '1',         //     name "k1"
        0x00,                    //     value null
        0x00,                    //     no tagged fields
        0x00,                    //   no tagged fields
        0x00, 0x00, 0x75, 0x30,  // timeout_ms 30000
        0x01,                    // validate_only true
        0x00,                    // no tagged fields
    });
    create_topics_request req;
    req.topics.push_back({"t", 3, 1, {}, {{"k1", std::nullopt}}});
    req.timeout_ms = 30000;
    req.validate_only = true;
    EXPECT_EQ(decode_ok(request, 5, decode_create_topics_request), req);
    EXPECT_EQ(hex(encode(api_key::create_topics, 5, req, encode_create_topics_request)),
              hex(request));

    const std::string response = wire({
        0x00, 0x00, 0x00, 0x00,  // throttle_time_ms 0
        0x02,                    // topics: 1
        0x02, 't',               //   name "t"
        0x00, 0x00,              //   error_code NONE
        0x00,                    //   error_message null
        0x00, 0x00, 0x00, 0x03,  //   num_partitions 3
        0x00, 0x01,              //   replication_factor 1
        0x02,                    //   configs: 1
        0x03, 'k',  '1',         //     name "k1"
        0x03, 'v',  '1',         //     value "v1"
        0x00,                    //     read_only false
        0x05,                    //     config_source DEFAULT_CONFIG
        0x00,                    //     is_sensitive false
        0x00,                    //     no tagged fields
        0x00,                    //   no tagged fields (topic_config_error_code NONE)
        0x00,                    // no tagged fields
    });
    create_topics_response resp;
    create_topics_response_topic t;
    t.name = "t";
    t.num_partitions = 3;
    t.replication_factor = 1;
    t.configs = std::vector<create_topics_result_config>{{"k1", "v1", false, 5, false}};
    resp.topics.push_back(t);
    EXPECT_EQ(decode_ok(response, 5, decode_create_topics_response), resp);
    EXPECT_EQ(hex(encode(api_key::create_topics, 5, resp, encode_create_topics_response)),
              hex(response));
}

// ---- every API, every version ----------------------------------------------------------

TEST(KafkaDataRoundTrip, ApiVersions) {
    for_each_version(api_key::api_versions, [](int16_t v) {
        expect_round_trip(api_key::api_versions, v, sample_api_versions_request(v),
                          encode_api_versions_request, decode_api_versions_request);
        expect_round_trip(api_key::api_versions, v, sample_api_versions_response(v),
                          encode_api_versions_response, decode_api_versions_response);
    });
}

TEST(KafkaDataRoundTrip, Metadata) {
    for_each_version(api_key::metadata, [](int16_t v) {
        expect_round_trip(api_key::metadata, v, sample_metadata_request(v), encode_metadata_request,
                          decode_metadata_request);
        expect_round_trip(api_key::metadata, v, sample_metadata_request_all(v),
                          encode_metadata_request, decode_metadata_request);
        expect_round_trip(api_key::metadata, v, sample_metadata_response(v),
                          encode_metadata_response, decode_metadata_response);
    });
}

TEST(KafkaDataRoundTrip, Produce) {
    for_each_version(api_key::produce, [](int16_t v) {
        expect_round_trip(api_key::produce, v, sample_produce_request(v), encode_produce_request,
                          decode_produce_request);
        expect_round_trip(api_key::produce, v, sample_produce_response(v), encode_produce_response,
                          decode_produce_response);
    });
}

TEST(KafkaDataRoundTrip, Fetch) {
    for_each_version(api_key::fetch, [](int16_t v) {
        expect_round_trip(api_key::fetch, v, sample_fetch_request(v), encode_fetch_request,
                          decode_fetch_request);
        expect_round_trip(api_key::fetch, v, sample_fetch_response(v), encode_fetch_response,
                          decode_fetch_response);
    });
}

TEST(KafkaDataRoundTrip, ListOffsets) {
    for_each_version(api_key::list_offsets, [](int16_t v) {
        expect_round_trip(api_key::list_offsets, v, sample_list_offsets_request(v),
                          encode_list_offsets_request, decode_list_offsets_request);
        expect_round_trip(api_key::list_offsets, v, sample_list_offsets_response(v),
                          encode_list_offsets_response, decode_list_offsets_response);
    });
}

TEST(KafkaDataRoundTrip, InitProducerId) {
    for_each_version(api_key::init_producer_id, [](int16_t v) {
        expect_round_trip(api_key::init_producer_id, v, sample_init_producer_id_request(v),
                          encode_init_producer_id_request, decode_init_producer_id_request);
        expect_round_trip(api_key::init_producer_id, v, sample_init_producer_id_response(v),
                          encode_init_producer_id_response, decode_init_producer_id_response);
    });
}

TEST(KafkaDataRoundTrip, CreateTopics) {
    for_each_version(api_key::create_topics, [](int16_t v) {
        expect_round_trip(api_key::create_topics, v, sample_create_topics_request(v),
                          encode_create_topics_request, decode_create_topics_request);
        expect_round_trip(api_key::create_topics, v, sample_create_topics_response(v),
                          encode_create_topics_response, decode_create_topics_response);
    });
}

TEST(KafkaDataRoundTrip, DeleteTopics) {
    for_each_version(api_key::delete_topics, [](int16_t v) {
        expect_round_trip(api_key::delete_topics, v, sample_delete_topics_request(v),
                          encode_delete_topics_request, decode_delete_topics_request);
        expect_round_trip(api_key::delete_topics, v, sample_delete_topics_response(v),
                          encode_delete_topics_response, decode_delete_topics_response);
    });
}

TEST(KafkaDataRoundTrip, CreatePartitions) {
    for_each_version(api_key::create_partitions, [](int16_t v) {
        expect_round_trip(api_key::create_partitions, v, sample_create_partitions_request(v),
                          encode_create_partitions_request, decode_create_partitions_request);
        expect_round_trip(api_key::create_partitions, v, sample_create_partitions_response(v),
                          encode_create_partitions_response, decode_create_partitions_response);
    });
}

TEST(KafkaDataRoundTrip, DeleteRecords) {
    for_each_version(api_key::delete_records, [](int16_t v) {
        expect_round_trip(api_key::delete_records, v, sample_delete_records_request(v),
                          encode_delete_records_request, decode_delete_records_request);
        expect_round_trip(api_key::delete_records, v, sample_delete_records_response(v),
                          encode_delete_records_response, decode_delete_records_response);
    });
}

TEST(KafkaDataRoundTrip, DescribeConfigs) {
    for_each_version(api_key::describe_configs, [](int16_t v) {
        expect_round_trip(api_key::describe_configs, v, sample_describe_configs_request(v),
                          encode_describe_configs_request, decode_describe_configs_request);
        expect_round_trip(api_key::describe_configs, v, sample_describe_configs_response(v),
                          encode_describe_configs_response, decode_describe_configs_response);
    });
}

// ---- hostile input ---------------------------------------------------------------------

TEST(KafkaDataMalformed, EveryPrefixOfEveryMessageFails) {
    for_each_sample([](api_key k, auto sample, auto enc, auto dec) {
        for_each_version(k,
                         [&](int16_t v) { expect_every_prefix_fails(k, v, sample(v), enc, dec); });
    });
}

TEST(KafkaDataMalformed, HugeArrayCountIsTooLargeBeforeAllocating) {
    // Produce v3: a topic count of 2^31-1 in a 12-byte body.
    const std::string classic = wire({
        0xff, 0xff,              // transactional_id null
        0x00, 0x01,              // acks 1
        0x00, 0x00, 0x03, 0xe8,  // timeout_ms 1000
        0x7f, 0xff, 0xff, 0xff,  // topic_data: 2147483647
    });
    auto r = decode_produce_request(span_of(classic), 3);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error(), make_error_code(errc::too_large));

    // Fetch v12: a compact partition count of 2^32-2.
    std::string flexible = fetch_v12_request.substr(0, 28) +
                           wire({0xff, 0xff, 0xff, 0xff, 0x0f});  // partitions: 4294967294
    auto f = decode_fetch_request(span_of(flexible), 12);
    ASSERT_FALSE(f.has_value());
    EXPECT_EQ(f.error(), make_error_code(errc::too_large));

    // Metadata v1: replica_nodes with a count that exceeds the bytes left.
    std::string replicas = metadata_v1_response.substr(0, metadata_v1_response.size() - 16) +
                           wire({0x00, 0x10, 0x00, 0x00});  // replica_nodes: 1048576
    auto m = decode_metadata_response(span_of(replicas), 1);
    ASSERT_FALSE(m.has_value());
    EXPECT_EQ(m.error(), make_error_code(errc::too_large));
}

TEST(KafkaDataMalformed, NullWhereTheSchemaForbidsItIsMalformed) {
    // Produce v3 topic_data is not nullable.
    const std::string null_topics = wire({
        0xff, 0xff,              // transactional_id null
        0x00, 0x01,              // acks 1
        0x00, 0x00, 0x03, 0xe8,  // timeout_ms 1000
        0xff, 0xff, 0xff, 0xff,  // topic_data: null
    });
    auto r = decode_produce_request(span_of(null_topics), 3);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error(), make_error_code(errc::malformed));

    // A negative count other than -1.
    std::string negative = null_topics;
    negative[11] = static_cast<char>(0xfe);  // topic_data: -2
    auto n = decode_produce_request(span_of(negative), 3);
    ASSERT_FALSE(n.has_value());
    EXPECT_EQ(n.error(), make_error_code(errc::malformed));
}

TEST(KafkaDataMalformed, TaggedFieldLongerThanTheBodyIsMalformed) {
    std::string bad = fetch_v12_request;
    bad[bad.size() - 3] = 0x10;  // cluster_id tag claims 16 bytes
    auto r = decode_fetch_request(span_of(bad), 12);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error(), make_error_code(errc::malformed));
}

TEST(KafkaDataMalformed, UnsupportedVersionIsRefused) {
    auto p = decode_produce_request(span_of(produce_v3_request), 10);
    ASSERT_FALSE(p.has_value());
    EXPECT_EQ(p.error(), make_error_code(errc::unsupported));
    auto f = decode_fetch_request(span_of(fetch_v12_request), 13);
    ASSERT_FALSE(f.has_value());
    EXPECT_EQ(f.error(), make_error_code(errc::unsupported));
    auto a = decode_api_versions_request(span_of(api_versions_v3_request), 4);
    ASSERT_FALSE(a.has_value());
    EXPECT_EQ(a.error(), make_error_code(errc::unsupported));
}

TEST(KafkaDataMalformed, TrailingBytesAreIgnored) {
    std::string longer = produce_v3_request + "xyz";
    EXPECT_EQ(decode_ok(longer, 3, decode_produce_request),
              produce_one_batch(std::nullopt, -1, 30000));
}

// ---- fuzz corpus ------------------------------------------------------------------------

TEST(KafkaDataCorpus, WritesSeeds) {
    if (!test::writing_corpus()) {
        GTEST_SKIP() << "set KAFKA_CODEC_WRITE_CORPUS=1 to (re)write the seed corpus";
    }
    for_each_request_sample([](api_key k, auto sample, auto enc, auto) {
        for (int16_t v : test::oldest_and_newest(k)) {
            test::write_request_seed(k, v, "request", encode(k, v, sample(v), enc));
        }
    });
    for (int16_t v : test::oldest_and_newest(api_key::metadata)) {
        test::write_request_seed(
            api_key::metadata, v, "request_all_topics",
            encode(api_key::metadata, v, sample_metadata_request_all(v), encode_metadata_request));
    }
    for_each_response_sample([](api_key k, auto sample, auto enc, auto) {
        for (int16_t v : test::oldest_and_newest(k)) {
            test::write_request_seed(k, v, "response", encode(k, v, sample(v), enc));
        }
    });
}

}  // namespace
}  // namespace robust::kafka::codec
