// robustctl bench kafka: option parsing and its usage errors, the pure
// helpers (host:port, acks, compression, partition round robin and
// assignment, the --rate schedule, the SASL PLAIN token), the client
// session's request framing and response matching byte by byte, and the
// report's JSON shape. No sockets.

#include <gtest/gtest.h>

#include <set>

#include "base/shared_buffer.h"
#include "invocation.h"
#include "kafka/codec/messages/metadata.h"
#include "kafka/codec/messages/produce.h"
#include "kafka_bench_report.h"
#include "kafka_session.h"

namespace robust::ctl {
namespace {

namespace kc = kafka::codec;

parse_outcome parse(std::vector<std::string> args) {
    args.insert(args.begin(), "robustctl");
    parse_context ctx;
    ctx.env = [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
    return parse_command_line(args, ctx);
}

kafka_bench_options kbench(std::vector<std::string> args) {
    auto p = parse(std::move(args));
    EXPECT_TRUE(p.inv.has_value()) << "exit " << p.exit << ": " << p.err;
    if (!p.inv) return {};
    auto* o = std::get_if<kafka_bench_options>(&p.inv->action);
    EXPECT_NE(o, nullptr);
    return o ? *o : kafka_bench_options{};
}

std::string usage_error(std::vector<std::string> args) {
    auto p = parse(std::move(args));
    EXPECT_FALSE(p.inv.has_value());
    EXPECT_EQ(p.exit, 2);
    return p.err;
}

std::string bytes(std::initializer_list<int> b) {
    std::string s;
    for (int v : b) s.push_back(static_cast<char>(v));
    return s;
}

// -- options -----------------------------------------------------------------------

TEST(KafkaBenchOptions, ProduceDefaults) {
    const auto d = kbench({"bench", "kafka", "produce"});
    EXPECT_EQ(d.mode, kafka_bench_mode::produce);
    EXPECT_EQ(d.host, "127.0.0.1");
    EXPECT_EQ(d.port, 9092);
    EXPECT_EQ(d.topic, "bench");
    EXPECT_FALSE(d.partitions);
    EXPECT_EQ(d.clients, 1u);
    EXPECT_EQ(d.threads, 1u);  // -c 1
    EXPECT_EQ(d.acks, 1);
    EXPECT_EQ(d.size, 1024u);
    EXPECT_EQ(d.batch, 100u);
    EXPECT_EQ(d.compression, kc::compression_type::none);
    EXPECT_EQ(d.inflight, 5u);
    EXPECT_EQ(d.rate, 0u);
    EXPECT_EQ(d.duration_ms, 10'000);
    EXPECT_EQ(d.count, 0u);
    EXPECT_FALSE(d.username);
    EXPECT_FALSE(d.password);
}

TEST(KafkaBenchOptions, ProduceEveryOption) {
    const auto o = kbench({"bench",
                           "kafka",
                           "produce",
                           "--bootstrap",
                           "k.example:19092",
                           "-t",
                           "load",
                           "--partitions",
                           "6",
                           "-c",
                           "4",
                           "--threads",
                           "2",
                           "--acks",
                           "all",
                           "-s",
                           "100",
                           "--batch",
                           "50",
                           "--compression",
                           "lz4",
                           "--inflight",
                           "9",
                           "-r",
                           "1000",
                           "--count",
                           "777",
                           "-u",
                           "bob",
                           "-P",
                           "pw"});
    EXPECT_EQ(o.host, "k.example");
    EXPECT_EQ(o.port, 19092);
    EXPECT_EQ(o.topic, "load");
    EXPECT_EQ(o.partitions, 6u);
    EXPECT_EQ(o.clients, 4u);
    EXPECT_EQ(o.threads, 2u);
    EXPECT_EQ(o.acks, -1);
    EXPECT_EQ(o.size, 100u);
    EXPECT_EQ(o.batch, 50u);
    EXPECT_EQ(o.compression, kc::compression_type::lz4);
    EXPECT_EQ(o.inflight, 9u);
    EXPECT_EQ(o.rate, 1000u);
    EXPECT_EQ(o.count, 777u);
    EXPECT_EQ(o.username, "bob");
    EXPECT_EQ(o.password, "pw");
    EXPECT_EQ(kbench({"bench", "kafka", "produce", "--acks", "0"}).acks, 0);
    EXPECT_EQ(kbench({"bench", "kafka", "produce", "--acks=-1"}).acks, -1);
    EXPECT_EQ(kbench({"bench", "kafka", "produce", "--compression", "zstd"}).compression,
              kc::compression_type::zstd);
    EXPECT_EQ(kbench({"bench", "kafka", "produce", "--duration", "2s"}).duration_ms, 2000);
}

TEST(KafkaBenchOptions, ConsumeOptions) {
    const auto d = kbench({"bench", "kafka", "consume"});
    EXPECT_EQ(d.mode, kafka_bench_mode::consume);
    EXPECT_EQ(d.from, kafka_start_offset::earliest);
    EXPECT_EQ(d.fetch_max_bytes, 1024u * 1024u);
    EXPECT_EQ(d.max_wait_ms, 100u);
    const auto o =
        kbench({"bench", "kafka", "consume", "--from", "latest", "--fetch-max-bytes", "65536",
                "--max-wait-ms", "5", "--count", "10", "-c", "3", "--bootstrap", "[::1]:9093"});
    EXPECT_EQ(o.from, kafka_start_offset::latest);
    EXPECT_EQ(o.fetch_max_bytes, 65536u);
    EXPECT_EQ(o.max_wait_ms, 5u);
    EXPECT_EQ(o.count, 10u);
    EXPECT_EQ(o.clients, 3u);
    EXPECT_EQ(o.host, "::1");
    EXPECT_EQ(o.port, 9093);
    // --output is the global option, after the command too.
    auto p = parse({"bench", "kafka", "consume", "-o", "json"});
    ASSERT_TRUE(p.inv);
    EXPECT_EQ(p.inv->global.output, output_format::json_text);
}

TEST(KafkaBenchOptions, UsageErrorsNameTheFlag) {
    auto has = [](const std::string& err, const char* flag) {
        return err.find(flag) != std::string::npos;
    };
    EXPECT_TRUE(has(usage_error({"bench", "kafka", "produce", "--acks", "2"}), "--acks"));
    EXPECT_TRUE(has(usage_error({"bench", "kafka", "produce", "--compression", "brotli"}),
                    "--compression"));
    const auto both =
        usage_error({"bench", "kafka", "produce", "--count", "5", "--duration", "1s"});
    EXPECT_TRUE(has(both, "--count") && has(both, "--duration"));
    EXPECT_TRUE(has(usage_error({"bench", "kafka", "produce", "--batch", "0"}), "--batch"));
    EXPECT_TRUE(has(usage_error({"bench", "kafka", "produce", "--inflight", "0"}), "--inflight"));
    EXPECT_TRUE(has(usage_error({"bench", "kafka", "produce", "-c", "0"}), "--clients"));
    EXPECT_TRUE(
        has(usage_error({"bench", "kafka", "produce", "--partitions", "0"}), "--partitions"));
    EXPECT_TRUE(has(usage_error({"bench", "kafka", "produce", "--duration", "x"}), "--duration"));
    EXPECT_TRUE(has(usage_error({"bench", "kafka", "produce", "-t", ""}), "--topic"));
    EXPECT_TRUE(has(usage_error({"bench", "kafka", "produce", "-u", "bob"}), "--password"));
    EXPECT_TRUE(
        has(usage_error({"bench", "kafka", "produce", "--bootstrap", "h:0"}), "--bootstrap"));
    EXPECT_TRUE(has(usage_error({"bench", "kafka", "consume", "--from", "middle"}), "--from"));
    // Produce options are not consume options, and the reverse.
    EXPECT_TRUE(has(usage_error({"bench", "kafka", "consume", "--acks", "1"}), "--acks"));
    EXPECT_TRUE(has(usage_error({"bench", "kafka", "produce", "--from", "latest"}), "--from"));
    EXPECT_EQ(parse({"bench", "kafka"}).exit, 2);  // a mode is required
}

// -- pure helpers ------------------------------------------------------------------

TEST(KafkaBenchHelpers, HostPort) {
    using hp = std::pair<std::string, uint16_t>;
    EXPECT_EQ(parse_host_port("a:1", 9092), hp("a", 1));
    EXPECT_EQ(parse_host_port("a", 9092), hp("a", 9092));
    EXPECT_EQ(parse_host_port("[::1]", 9092), hp("::1", 9092));
    EXPECT_EQ(parse_host_port("[fe80::1]:65535", 9092), hp("fe80::1", 65535));
    for (const char* bad :
         {"", ":9092", "a:", "a:0", "a:65536", "a:9x", "::1", "[::1", "[::1]x", "[]:1"}) {
        EXPECT_FALSE(parse_host_port(bad, 9092)) << bad;
    }
}

TEST(KafkaBenchHelpers, AcksAndCompression) {
    EXPECT_EQ(parse_acks("all"), -1);
    EXPECT_EQ(parse_acks("-1"), -1);
    EXPECT_EQ(parse_acks("0"), 0);
    EXPECT_EQ(parse_acks("1"), 1);
    EXPECT_FALSE(parse_acks("2"));
    EXPECT_EQ(parse_compression("snappy"), kc::compression_type::snappy);
    EXPECT_EQ(parse_compression("gzip"), kc::compression_type::gzip);
    EXPECT_FALSE(parse_compression("lz5"));
}

TEST(KafkaBenchHelpers, ProducePartitionsRoundRobinFromEachClientsOwnStart) {
    std::vector<int32_t> seen;
    for (uint64_t b = 0; b < 7; ++b) seen.push_back(produce_partition(0, b, 3));
    EXPECT_EQ(seen, (std::vector<int32_t>{0, 1, 2, 0, 1, 2, 0}));
    EXPECT_EQ(produce_partition(1, 0, 3), 1);
    EXPECT_EQ(produce_partition(5, 0, 3), 2);
    EXPECT_EQ(produce_partition(5, 1, 3), 0);
    EXPECT_EQ(produce_partition(7, 1'000'000, 1), 0);
    // Each client spreads evenly: every partition once per `partitions` batches.
    for (uint32_t c = 0; c < 4; ++c) {
        std::set<int32_t> round;
        for (uint64_t b = 10; b < 15; ++b) round.insert(produce_partition(c, b, 5));
        EXPECT_EQ(round.size(), 5u);
    }
}

TEST(KafkaBenchHelpers, ConsumePartitionsAreDisjointAndComplete) {
    EXPECT_EQ(consume_partitions(0, 1, 3), (std::vector<int32_t>{0, 1, 2}));
    EXPECT_EQ(consume_partitions(0, 2, 5), (std::vector<int32_t>{0, 2, 4}));
    EXPECT_EQ(consume_partitions(1, 2, 5), (std::vector<int32_t>{1, 3}));
    EXPECT_TRUE(consume_partitions(3, 4, 2).empty());
    std::multiset<int32_t> all;
    for (uint32_t c = 0; c < 3; ++c) {
        for (int32_t p : consume_partitions(c, 3, 10)) all.insert(p);
    }
    EXPECT_EQ(all.size(), 10u);
    EXPECT_EQ(std::set<int32_t>(all.begin(), all.end()).size(), 10u);
}

TEST(KafkaBenchHelpers, BatchSizesAndRateSchedule) {
    EXPECT_EQ(next_batch_records(100, 0, 0), 100u);
    EXPECT_EQ(next_batch_records(100, 250, 300), 50u);
    EXPECT_EQ(next_batch_records(100, 300, 300), 0u);
    // 1000 records/s: a batch of 100 after 0 sent is due when record 99 is
    // (99 ms after the start); the next one at 199 ms.
    EXPECT_EQ(batch_due_ns(1'000, 0, 100, 1000), 1'000 + 99'000'000);
    EXPECT_EQ(batch_due_ns(0, 100, 100, 1000), 199'000'000);
    EXPECT_EQ(batch_due_ns(0, 0, 1, 10), 0);  // the first record at the start
}

TEST(KafkaBenchHelpers, SaslPlainToken) {
    EXPECT_EQ(sasl_plain_token("bob", "pw"), bytes({0, 'b', 'o', 'b', 0, 'p', 'w'}));
}

// -- session -----------------------------------------------------------------------

TEST(RobustctlKafkaSession, FramesARequestWithHeaderV1) {
    kafka_session s("cl");
    kc::metadata_request req;
    req.topics = std::vector<kc::metadata_request_topic>{{{}, "t"}};
    req.allow_auto_topic_creation = false;
    const int32_t id = s.request(kc::api_key::metadata, 5,
                                 [&req](kc::writer& w) { kc::encode_metadata_request(w, req, 5); });
    EXPECT_EQ(id, 1);
    EXPECT_EQ(s.awaiting(), 1u);
    EXPECT_EQ(s.take_output(), bytes({
                                   0, 0, 0,   20,   // size
                                   0, 3,            // api key 3 Metadata
                                   0, 5,            // version 5
                                   0, 0, 0,   1,    // correlation id 1
                                   0, 2, 'c', 'l',  // client id
                                   0, 0, 0,   1,    // topics: 1
                                   0, 1, 't',       // name
                                   0,               // allow_auto_topic_creation false
                               }));
    EXPECT_EQ(s.take_output(), "");
}

TEST(RobustctlKafkaSession, FlexibleRequestHasTaggedFieldsInTheHeader) {
    kafka_session s("x");
    s.request(kc::api_key::metadata, 9, [](kc::writer&) {});
    EXPECT_EQ(s.take_output(), bytes({0, 0, 0, 12, 0, 3, 0, 9, 0, 0, 0, 1, 0, 1, 'x', 0}));
}

TEST(RobustctlKafkaSession, MatchesPipelinedResponsesInOrderAcrossReads) {
    kafka_session s("x");
    s.request(kc::api_key::produce, 7, [](kc::writer& w) { w.i8(1); });
    s.request(
        kc::api_key::produce, 7, [](kc::writer&) {}, /*expect_response=*/false);  // acks 0
    s.request(kc::api_key::metadata, 9, [](kc::writer& w) { w.i8(2); });
    EXPECT_EQ(s.awaiting(), 2u);
    const std::string in = bytes({
        0, 0, 0, 6, 0, 0, 0, 1, 'a', 'b',  // correlation id 1, body "ab"
        0, 0, 0, 6, 0, 0, 0, 3, 0,   'c',  // correlation id 3, no tags, body "c"
    });
    std::vector<kafka_response> out;
    ASSERT_TRUE(s.receive(as_bytes(std::string_view(in).substr(0, 7)), out).has_value());
    EXPECT_TRUE(out.empty());
    ASSERT_TRUE(s.receive(as_bytes(std::string_view(in).substr(7)), out).has_value());
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out[0].key, kc::api_key::produce);
    EXPECT_EQ(out[0].correlation_id, 1);
    EXPECT_EQ(
        std::string(reinterpret_cast<const char*>(out[0].body().data()), out[0].body().size()),
        "ab");
    EXPECT_EQ(out[1].key, kc::api_key::metadata);
    EXPECT_EQ(out[1].correlation_id, 3);
    EXPECT_EQ(out[1].body().size(), 1u);
    EXPECT_EQ(s.awaiting(), 0u);
}

TEST(RobustctlKafkaSession, RefusesUnexpectedOrMismatchedOrHugeResponses) {
    std::vector<kafka_response> out;
    {
        kafka_session s("x");
        EXPECT_EQ(s.receive(as_bytes(bytes({0, 0, 0, 4, 0, 0, 0, 1})), out).error(),
                  make_error_code(errc::protocol_error));  // nothing awaited
    }
    {
        kafka_session s("x");
        s.request(kc::api_key::produce, 7, [](kc::writer&) {});
        EXPECT_EQ(s.receive(as_bytes(bytes({0, 0, 0, 4, 0, 0, 0, 9})), out).error(),
                  make_error_code(errc::protocol_error));  // correlation id 9, not 1
    }
    {
        kafka_session s("x", 100);
        s.request(kc::api_key::produce, 7, [](kc::writer&) {});
        EXPECT_EQ(s.receive(as_bytes(bytes({0, 0, 0, 101})), out).error(),
                  make_error_code(errc::too_large));
        kafka_session t("x");
        t.request(kc::api_key::produce, 7, [](kc::writer&) {});
        EXPECT_EQ(t.receive(as_bytes(bytes({0xFF, 0, 0, 0})), out).error(),
                  make_error_code(errc::malformed));
        kafka_session u("x");
        u.request(kc::api_key::produce, 7, [](kc::writer&) {});
        EXPECT_EQ(u.receive(as_bytes(bytes({0, 0, 0, 2, 0, 0})), out).error(),
                  make_error_code(errc::malformed));  // shorter than a correlation id
    }
}

TEST(RobustctlKafkaSession, DecodesARealProduceResponseBody) {
    kc::produce_response resp;
    kc::produce_response_partition p;
    p.index = 2;
    p.error_code = kc::error_code::not_leader_or_follower;
    resp.responses.push_back({"t", {p}});
    kc::writer w(false);
    w.i32(1);  // correlation id
    kc::encode_produce_response(w, resp, 7);
    kafka_session s("x");
    s.request(kc::api_key::produce, 7, [](kc::writer&) {});
    std::vector<kafka_response> out;
    ASSERT_TRUE(s.receive(as_bytes(kc::frame(w.take())), out).has_value());
    ASSERT_EQ(out.size(), 1u);
    auto decoded = kc::decode_produce_response(out[0].body(), 7);
    ASSERT_TRUE(decoded.has_value());
    EXPECT_EQ(decoded->responses[0].partition_responses[0].error_code,
              kc::error_code::not_leader_or_follower);
}

// -- report ------------------------------------------------------------------------

const char* const report_keys[] = {"mode",        "broker",       "topic",       "config",
                                   "connections", "elapsed_s",    "requests",    "sent",
                                   "acked",       "failed",       "consumed",    "bytes",
                                   "errors",      "error_codes",  "first_error", "throughput",
                                   "latency_us",  "latency_note", "stopped_by"};

TEST(KafkaBenchReport, ProduceJsonShape) {
    kafka_bench_result r;
    r.options.acks = -1;
    r.options.size = 1000;
    r.options.compression = kc::compression_type::lz4;
    r.options.count = 500;
    r.partitions = 3;
    r.topic_created = true;
    r.connections_requested = 1;
    r.connected = 1;
    r.elapsed_s = 2.0;
    r.requests = 10;
    r.sent = 1000;
    r.acked = 900;
    r.failed = 100;
    r.errors = 1;
    r.error_codes["NOT_LEADER_OR_FOLLOWER"] = 1;
    r.first_error = "client 0: Produce to bench-1: NOT_LEADER_OR_FOLLOWER (6)";
    r.stopped_by = "count";
    for (uint64_t v = 1; v <= 100; ++v) r.latency_ns.record(v * 1000);
    const auto j = kafka_bench_report_json(r);
    for (const char* key : report_keys) EXPECT_TRUE(j.contains(key)) << key;
    EXPECT_EQ(j["mode"], "produce");
    EXPECT_EQ(j["broker"]["bootstrap"], "127.0.0.1:9092");
    EXPECT_TRUE(j["broker"]["sasl_user"].is_null());
    EXPECT_EQ(j["topic"]["partitions"], 3);
    EXPECT_EQ(j["topic"]["created"], true);
    EXPECT_EQ(j["config"]["acks"], -1);
    EXPECT_EQ(j["config"]["compression"], "lz4");
    EXPECT_EQ(j["config"]["count"], 500);
    EXPECT_TRUE(j["config"]["duration_s"].is_null());
    EXPECT_TRUE(j["config"]["from"].is_null());
    EXPECT_EQ(j["acked"], 900);
    EXPECT_EQ(j["failed"], 100);
    EXPECT_TRUE(j["consumed"].is_null());
    EXPECT_EQ(j["bytes"], 900'000);
    EXPECT_EQ(j["error_codes"]["NOT_LEADER_OR_FOLLOWER"], 1);
    EXPECT_DOUBLE_EQ(j["throughput"]["records_per_s"].get<double>(), 450.0);  // acked / s
    EXPECT_DOUBLE_EQ(j["throughput"]["mb_per_s"].get<double>(), 0.45);
    EXPECT_EQ(j["latency_us"]["count"], 100);
    EXPECT_DOUBLE_EQ(j["latency_us"]["max"].get<double>(), 100.0);
    EXPECT_TRUE(j["latency_note"].is_null());
    const std::string text = kafka_bench_report_text(r);
    EXPECT_NE(text.find("acks all, lz4"), std::string::npos) << text;
    EXPECT_NE(text.find("NOT_LEADER_OR_FOLLOWER 1"), std::string::npos) << text;
    EXPECT_NE(text.find("produce latency us"), std::string::npos) << text;
}

TEST(KafkaBenchReport, AcksZeroCountsSentAndHasNoLatency) {
    kafka_bench_result r;
    r.options.acks = 0;
    r.options.size = 10;
    r.elapsed_s = 1.0;
    r.sent = 300;
    const auto j = kafka_bench_report_json(r);
    EXPECT_TRUE(j["acked"].is_null());
    EXPECT_TRUE(j["failed"].is_null());
    EXPECT_DOUBLE_EQ(j["throughput"]["records_per_s"].get<double>(), 300.0);
    EXPECT_TRUE(j["latency_us"].is_null());
    EXPECT_NE(j["latency_note"].get<std::string>().find("acks=0"), std::string::npos);
    EXPECT_TRUE(j["error_codes"].is_object());
    EXPECT_TRUE(j["error_codes"].empty());
}

TEST(KafkaBenchReport, ConsumeJsonShape) {
    kafka_bench_result r;
    r.options.mode = kafka_bench_mode::consume;
    r.options.username = "bob";
    r.partitions = 2;
    r.elapsed_s = 0.5;
    r.requests = 4;
    r.consumed = 300;
    r.consumed_bytes = 3'000'000;
    r.stopped_by = "idle";
    const auto j = kafka_bench_report_json(r);
    for (const char* key : report_keys) EXPECT_TRUE(j.contains(key)) << key;
    EXPECT_EQ(j["mode"], "consume");
    EXPECT_EQ(j["broker"]["sasl_user"], "bob");
    EXPECT_EQ(j["config"]["from"], "earliest");
    EXPECT_EQ(j["config"]["fetch_max_bytes"], 1024 * 1024);
    EXPECT_TRUE(j["config"]["acks"].is_null());
    EXPECT_TRUE(j["sent"].is_null());
    EXPECT_TRUE(j["acked"].is_null());
    EXPECT_EQ(j["consumed"], 300);
    EXPECT_EQ(j["bytes"], 3'000'000);
    EXPECT_DOUBLE_EQ(j["throughput"]["records_per_s"].get<double>(), 600.0);
    EXPECT_DOUBLE_EQ(j["throughput"]["mb_per_s"].get<double>(), 6.0);
    EXPECT_TRUE(j["latency_us"].is_null());
    EXPECT_NE(j["latency_note"].get<std::string>().find("no latency"), std::string::npos);
    EXPECT_EQ(j["stopped_by"], "idle");
    EXPECT_NE(kafka_bench_report_text(r).find("consumed"), std::string::npos);
}

}  // namespace
}  // namespace robust::ctl
