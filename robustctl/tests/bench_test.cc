// robustctl bench mqtt: option parsing and its usage errors, the latency
// histogram's percentile math, the progress line, the payload timestamp, topic patterns and
// the report's JSON shape. No sockets.

#include <gtest/gtest.h>

#include <algorithm>

#include <array>

#include <random>

#include "bench_progress.h"
#include "bench_report.h"
#include "invocation.h"
#include "latency_histogram.h"

namespace robust::ctl {
namespace {

using mqtt::codec::protocol_version;
using mqtt::codec::qos_level;

parse_outcome parse(std::vector<std::string> args) {
    args.insert(args.begin(), "robustctl");
    parse_context ctx;
    ctx.env = [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
    return parse_command_line(args, ctx);
}

bench_options bench(std::vector<std::string> args) {
    auto p = parse(std::move(args));
    EXPECT_TRUE(p.inv.has_value()) << "exit " << p.exit << ": " << p.err;
    if (!p.inv) return {};
    auto* o = std::get_if<bench_options>(&p.inv->action);
    EXPECT_NE(o, nullptr);
    return o ? *o : bench_options{};
}

// The usage error's text (exit 2 checked).
std::string usage_error(std::vector<std::string> args) {
    auto p = parse(std::move(args));
    EXPECT_FALSE(p.inv.has_value());
    EXPECT_EQ(p.exit, 2);
    return p.err;
}

// -- options -----------------------------------------------------------------------

TEST(BenchOptions, PubsubDefaultsAndEveryOption) {
    const auto d = bench({"bench", "mqtt", "pubsub"});
    EXPECT_EQ(d.mode, bench_mode::pubsub);
    EXPECT_EQ(d.mqtt.host, "127.0.0.1");
    EXPECT_EQ(d.mqtt.port, 1883);
    EXPECT_EQ(d.mqtt.version, protocol_version::v5);
    EXPECT_EQ(d.publishers, 1u);
    EXPECT_EQ(d.subscribers, 1u);
    EXPECT_EQ(d.topic, "bench/%i");
    EXPECT_EQ(d.size, 64u);
    EXPECT_EQ(d.duration_ms, 10'000);
    EXPECT_EQ(d.count, 0u);
    EXPECT_GE(d.threads, 1u);
    EXPECT_FALSE(d.pid);

    const auto o = bench({"bench",     "mqtt",
                          "pubsub",    "-h",
                          "b.example", "-p",
                          "1999",      "-V",
                          "4",         "-q",
                          "2",         "-c",
                          "10",        "--subscribers",
                          "3",         "-t",
                          "t/%i",      "--filter",
                          "t/#",       "-s",
                          "1024",      "-r",
                          "500",       "--duration",
                          "1m",        "--threads",
                          "3",         "--inflight",
                          "7",         "-u",
                          "bob",       "-P",
                          "pw",        "-k",
                          "5",         "--pid",
                          "42",        "--client-prefix",
                          "x-",        "--connect-rate",
                          "100"});
    EXPECT_EQ(o.mqtt.host, "b.example");
    EXPECT_EQ(o.mqtt.port, 1999);
    EXPECT_EQ(o.mqtt.version, protocol_version::v3_1_1);
    EXPECT_EQ(o.mqtt.qos, qos_level::exactly_once);
    EXPECT_EQ(o.publishers, 10u);
    EXPECT_EQ(o.subscribers, 3u);
    EXPECT_EQ(o.topic, "t/%i");
    EXPECT_EQ(o.filter, "t/#");
    EXPECT_EQ(o.size, 1024u);
    EXPECT_EQ(o.rate, 500u);
    EXPECT_EQ(o.duration_ms, 60'000);
    EXPECT_EQ(o.threads, 3u);
    EXPECT_EQ(o.inflight, 7u);
    EXPECT_EQ(o.mqtt.username, "bob");
    EXPECT_EQ(o.mqtt.password, "pw");
    EXPECT_EQ(o.mqtt.keepalive_s, 5);
    EXPECT_EQ(o.pid, 42);
    EXPECT_EQ(o.mqtt.client_id, "x-");
    EXPECT_EQ(o.connect_rate, 100u);
}

TEST(BenchOptions, ModesVersionsAndTls) {
    const auto c = bench({"bench", "mqtt", "conn"});
    EXPECT_EQ(c.mode, bench_mode::conn);
    EXPECT_EQ(c.connections, 100u);
    EXPECT_EQ(bench({"bench", "mqtt", "conn", "-c", "5000"}).connections, 5000u);
    EXPECT_EQ(bench({"bench", "mqtt", "pub", "-c", "4"}).publishers, 4u);
    EXPECT_EQ(bench({"bench", "mqtt", "sub", "-c", "4"}).subscribers, 4u);
    EXPECT_EQ(bench({"bench", "mqtt", "pub", "--count", "9"}).count, 9u);
    EXPECT_EQ(bench({"bench", "mqtt", "pub", "-V", "3"}).mqtt.version, protocol_version::v3_1);
    EXPECT_EQ(bench({"bench", "mqtt", "pub", "-V", "3.1.1"}).mqtt.version,
              protocol_version::v3_1_1);
    const auto t = bench({"bench", "mqtt", "conn", "--tls"});
    EXPECT_TRUE(t.mqtt.tls.enabled);
    EXPECT_EQ(t.mqtt.port, 1885);
    EXPECT_EQ(bench({"bench", "mqtt", "conn", "--source", "127.0.0.2,127.0.0.3"}).source_addresses,
              (std::vector<std::string>{"127.0.0.2", "127.0.0.3"}));
    EXPECT_TRUE(bench({"bench", "mqtt", "conn"}).source_addresses.empty());
    const auto r = bench({"bench", "mqtt", "pub", "--retain", "-t", "r/%i/%n", "--topics", "1000"});
    EXPECT_TRUE(r.retain);
    EXPECT_EQ(r.topics, 1000u);
    // --output is the global option, after the command too.
    auto p = parse({"bench", "mqtt", "conn", "--output", "json"});
    ASSERT_TRUE(p.inv);
    EXPECT_EQ(p.inv->global.output, output_format::json_text);
}

TEST(BenchOptions, UsageErrorsNameTheFlag) {
    EXPECT_NE(usage_error({"bench", "mqtt", "pubsub", "--duration", "10"}).find("--duration"),
              std::string::npos);
    EXPECT_NE(usage_error({"bench", "mqtt", "pubsub", "--duration", "0"}).find("--duration"),
              std::string::npos);
    const auto both = usage_error({"bench", "mqtt", "pub", "--duration", "1s", "--count", "5"});
    EXPECT_NE(both.find("--count"), std::string::npos);
    EXPECT_NE(both.find("--duration"), std::string::npos);
    EXPECT_NE(usage_error({"bench", "mqtt", "pub", "-q", "3"}).find("--qos"), std::string::npos);
    EXPECT_NE(usage_error({"bench", "mqtt", "pub", "-V", "6"}).find("--protocol"),
              std::string::npos);
    EXPECT_NE(usage_error({"bench", "mqtt", "conn", "-c", "0"}).find("--clients"),
              std::string::npos);
    EXPECT_NE(usage_error({"bench", "mqtt", "pub", "-t", "a/#"}).find("--topic"),
              std::string::npos);
    EXPECT_NE(usage_error({"bench", "mqtt", "pub", "-t", ""}).find("--topic"), std::string::npos);
    EXPECT_NE(usage_error({"bench", "mqtt", "pub", "--threads", "0"}).find("--threads"),
              std::string::npos);
    EXPECT_NE(usage_error({"bench", "mqtt", "pub", "--inflight", "0"}).find("--inflight"),
              std::string::npos);
    EXPECT_NE(usage_error({"bench", "mqtt", "pub", "-V", "4", "-P", "x"}).find("--password"),
              std::string::npos);
    EXPECT_NE(usage_error({"bench", "mqtt", "conn", "--size", "8"}).find("--size"),
              std::string::npos);  // conn has no payloads
    EXPECT_NE(usage_error({"bench", "mqtt", "conn", "--source", "localhost"}).find("--source"),
              std::string::npos);
    EXPECT_NE(usage_error({"bench", "mqtt", "pub", "--topics", "5"}).find("%n"), std::string::npos);
    EXPECT_NE(usage_error({"bench", "mqtt", "pub", "-t", "a/%n"}).find("--topics"),
              std::string::npos);
    EXPECT_EQ(parse({"bench", "mqtt", "pubsub", "--retain"}).exit, 2);  // pub only
    EXPECT_EQ(parse({"bench", "mqtt"}).exit, 2);                        // a mode is required
}

TEST(BenchOptions, SubscribersMayUseWildcards) {
    EXPECT_EQ(bench({"bench", "mqtt", "sub", "-t", "a/#"}).topic, "a/#");
    EXPECT_EQ(bench({"bench", "mqtt", "pubsub", "--filter", "bench/+"}).filter, "bench/+");
}

// -- histogram ---------------------------------------------------------------------

TEST(ProgressPrinter, PrintsTotalsAndRatesOnceASecond) {
    using namespace std::chrono_literals;
    char* text = nullptr;
    size_t size = 0;
    std::FILE* err = open_memstream(&text, &size);
    ASSERT_NE(err, nullptr);
    const auto t0 = progress_printer::clock::time_point{} + 100s;
    progress_printer p(err, t0);
    EXPECT_FALSE(p.due(t0 + 999ms));
    EXPECT_TRUE(p.due(t0 + 1s));
    p.print("connecting", {{"connected", 500, true}, {"failed", 2}}, t0 + 1s);
    EXPECT_FALSE(p.due(t0 + 1500ms));
    // A figure seen before gets the rate of its change; a new one counts from 0.
    p.print("publishing", {{"connected", 700, true}, {"sent", 300, true}, {"errors", 1}}, t0 + 3s);
    std::fclose(err);
    EXPECT_EQ(std::string(text, size),
              "[   1.0s] connecting: connected 500 (500/s), failed 2\n"
              "[   3.0s] publishing: connected 700 (100/s), sent 300 (150/s), errors 1\n");
    std::free(text);
}

TEST(LatencyHistogram, ExactBelow128AndContiguousBuckets) {
    for (uint64_t v = 0; v < 128; ++v) {
        EXPECT_EQ(latency_histogram::index_of(v), v);
        EXPECT_EQ(latency_histogram::highest_in(v), v);
    }
    // Every bucket starts right after the previous one ends.
    for (size_t i = 1; i + 1 < latency_histogram::bucket_count; ++i) {
        const uint64_t next_low = latency_histogram::highest_in(i) + 1;
        ASSERT_EQ(latency_histogram::index_of(next_low), i + 1) << i;
        ASSERT_EQ(latency_histogram::index_of(latency_histogram::highest_in(i)), i) << i;
    }
    EXPECT_EQ(latency_histogram::index_of(UINT64_MAX), latency_histogram::bucket_count - 1);
    EXPECT_EQ(latency_histogram::highest_in(latency_histogram::bucket_count - 1), UINT64_MAX);
}

TEST(LatencyHistogram, PercentilesOfOneToTenThousand) {
    latency_histogram h;
    for (uint64_t v = 1; v <= 10'000; ++v) h.record(v);
    EXPECT_EQ(h.count(), 10'000u);
    EXPECT_EQ(h.min(), 1u);
    EXPECT_EQ(h.max(), 10'000u);
    EXPECT_DOUBLE_EQ(h.mean(), 5000.5);
    // The true percentiles are 5000, 9000, 9900, 9990; a bucket's upper
    // bound is at most 1/128 above.
    auto near = [](uint64_t got, double want) {
        EXPECT_GE(static_cast<double>(got), want);
        EXPECT_LE(static_cast<double>(got), want * (1.0 + 1.0 / 128));
    };
    near(h.percentile(50), 5000);
    near(h.percentile(90), 9000);
    near(h.percentile(99), 9900);
    near(h.percentile(99.9), 9990);
    EXPECT_EQ(h.percentile(100), 10'000u);
    EXPECT_EQ(h.percentile(0), 1u);
}

TEST(LatencyHistogram, SmallCountsEmptyAndMerge) {
    latency_histogram empty;
    EXPECT_EQ(empty.percentile(50), 0u);
    EXPECT_EQ(empty.min(), 0u);
    EXPECT_EQ(empty.mean(), 0.0);

    latency_histogram a, b;
    a.record(10);
    a.record(20);
    b.record(1'000'000);
    a.merge(b);
    EXPECT_EQ(a.count(), 3u);
    EXPECT_EQ(a.percentile(50), 20u);         // rank 2 of 3
    EXPECT_EQ(a.percentile(66), 20u);         // ceil(1.98) = 2
    EXPECT_EQ(a.percentile(67), 1'000'000u);  // capped by max
    EXPECT_EQ(a.min(), 10u);
    EXPECT_EQ(a.max(), 1'000'000u);
}

TEST(LatencyHistogram, RelativeErrorBoundOnRandomValues) {
    std::mt19937_64 rng(7);
    for (int i = 0; i < 100'000; ++i) {
        const uint64_t v = rng() >> (rng() % 64);
        const uint64_t hi = latency_histogram::highest_in(latency_histogram::index_of(v));
        ASSERT_GE(hi, v);
        ASSERT_LE(static_cast<double>(hi - v), static_cast<double>(v) / 128.0 + 1.0) << v;
    }
}

// -- payload stamp and topics -------------------------------------------------------

TEST(BenchPayload, StampRoundTripsLittleEndian) {
    const uint64_t ns = 0x0102030405060708ull;
    auto p = make_bench_payload(16, ns);
    ASSERT_EQ(p.size(), 16u);
    EXPECT_EQ(static_cast<unsigned char>(p[0]), 0x08);
    EXPECT_EQ(static_cast<unsigned char>(p[7]), 0x01);
    EXPECT_EQ(p.substr(8), std::string(8, 'x'));
    EXPECT_EQ(read_bench_stamp(p), ns);
    EXPECT_EQ(read_bench_stamp(make_bench_payload(8, UINT64_MAX)), UINT64_MAX);
    stamp_bench_payload(p, 42);
    EXPECT_EQ(read_bench_stamp(p), 42u);
}

TEST(BenchPayload, IncompressibleIsDeterministicAndSpread) {
    const auto a = make_incompressible_payload(4099, 1);
    ASSERT_EQ(a.size(), 4099u);
    EXPECT_EQ(a, make_incompressible_payload(4099, 1));
    EXPECT_NE(a, make_incompressible_payload(4099, 2));
    // Every byte value shows up, none dominates: nothing for LZ4 to match.
    std::array<int, 256> counts{};
    for (char c : a) ++counts[static_cast<unsigned char>(c)];
    EXPECT_EQ(std::count(counts.begin(), counts.end(), 0), 0);
    EXPECT_LT(*std::max_element(counts.begin(), counts.end()), 40);
    EXPECT_EQ(make_incompressible_payload(0, 5), "");
}

TEST(BenchPayload, TooSmallForAStamp) {
    EXPECT_EQ(make_bench_payload(7, 99), std::string(7, 'x'));
    EXPECT_EQ(read_bench_stamp("1234567"), std::nullopt);
    EXPECT_EQ(make_bench_payload(0, 99), "");
}

TEST(BenchTopics, ExpandAndMatch) {
    EXPECT_EQ(expand_topic("bench/%i", 7), "bench/7");
    EXPECT_EQ(expand_topic("a/%i/b/%i", 12), "a/12/b/12");
    EXPECT_EQ(expand_topic("fixed", 3), "fixed");
    EXPECT_EQ(expand_topic("50%", 3), "50%");
    EXPECT_TRUE(topic_matches("a/b", "a/b"));
    EXPECT_FALSE(topic_matches("a/b", "a/c"));
    EXPECT_TRUE(topic_matches("a/+", "a/b"));
    EXPECT_FALSE(topic_matches("a/+", "a/b/c"));
    EXPECT_FALSE(topic_matches("a/+", "a"));
    EXPECT_TRUE(topic_matches("a/#", "a"));
    EXPECT_TRUE(topic_matches("a/#", "a/b/c"));
    EXPECT_TRUE(topic_matches("#", "x/y"));
    EXPECT_FALSE(topic_matches("#", "$SYS/x"));
    EXPECT_FALSE(topic_matches("a", "a/b"));
    EXPECT_FALSE(topic_matches("a/b/c", "a/b"));
    EXPECT_TRUE(topic_matches("+/+", "/x"));
}

TEST(BenchRss, ParsesVmRss) {
    EXPECT_EQ(parse_vm_rss_kb("Name:\tx\nVmPeak:\t 9 kB\nVmRSS:\t   12345 kB\n"), 12345u);
    EXPECT_EQ(parse_vm_rss_kb("Name:\tx\n"), std::nullopt);
}

// -- report ------------------------------------------------------------------------

TEST(BenchReport, PubsubJsonShape) {
    bench_result r;
    r.options.mode = bench_mode::pubsub;
    r.options.mqtt.qos = qos_level::at_least_once;
    r.options.size = 100;
    r.mode_name = "pubsub";
    r.connections_requested = 2;
    r.connected = 2;
    r.connect_elapsed_s = 0.5;
    r.elapsed_s = 2.0;
    r.receive_elapsed_s = 2.0;
    r.sent = 1000;
    r.acked = 1000;
    r.received = 990;
    r.expected = 1000;
    for (uint64_t v = 1; v <= 100; ++v) r.latency_ns.record(v * 1000);
    const auto j = bench_report_json(r);
    for (const char* key :
         {"mode",       "broker",       "config", "connections", "connect_latency_us",
          "elapsed_s",  "sent",         "acked",  "refused",     "received",
          "expected",   "lost",         "errors", "first_error", "throughput",
          "latency_us", "latency_note", "pings",  "pongs",       "broker_rss_kb"}) {
        EXPECT_TRUE(j.contains(key)) << key;
    }
    EXPECT_EQ(j["mode"], "pubsub");
    EXPECT_EQ(j["config"]["qos"], 1);
    EXPECT_EQ(j["lost"], 10);
    EXPECT_EQ(j["connections"]["rate_per_s"], 4.0);
    EXPECT_DOUBLE_EQ(j["throughput"]["sent_msgs_per_s"].get<double>(), 500.0);
    EXPECT_DOUBLE_EQ(j["throughput"]["sent_mb_per_s"].get<double>(), 0.05);
    EXPECT_DOUBLE_EQ(j["throughput"]["received_msgs_per_s"].get<double>(), 495.0);
    const auto& l = j["latency_us"];
    for (const char* key : {"count", "min", "mean", "p50", "p90", "p99", "p99_9", "max"}) {
        EXPECT_TRUE(l.contains(key)) << key;
    }
    EXPECT_EQ(l["count"], 100);
    EXPECT_NEAR(l["p50"].get<double>(), 50.0, 50.0 / 128 + 0.1);  // a bucket's upper bound
    EXPECT_DOUBLE_EQ(l["max"].get<double>(), 100.0);
    EXPECT_TRUE(j["latency_note"].is_null());
    EXPECT_TRUE(j["broker_rss_kb"].is_null());
    EXPECT_NE(bench_report_text(r).find("lost"), std::string::npos);
}

TEST(BenchReport, SmallPayloadSaysWhyNoLatency) {
    bench_result r;
    r.options.mode = bench_mode::pubsub;
    r.options.size = 4;
    r.mode_name = "pubsub";
    const auto j = bench_report_json(r);
    EXPECT_TRUE(j["latency_us"].is_null());
    EXPECT_NE(j["latency_note"].get<std::string>().find("--size 8"), std::string::npos);
    EXPECT_NE(bench_report_text(r).find("--size 8"), std::string::npos);
}

TEST(BenchReport, ConnWithRssPerConnection) {
    bench_result r;
    r.options.mode = bench_mode::conn;
    r.options.pid = 77;
    r.mode_name = "conn";
    r.connections_requested = 200;
    r.connected = 200;
    r.rss_before_kb = 10'000;
    r.rss_after_kb = 12'000;
    r.connect_latency_ns.record(250'000);
    const auto j = bench_report_json(r);
    EXPECT_EQ(j["broker_rss_kb"]["pid"], 77);
    EXPECT_EQ(j["broker_rss_kb"]["before"], 10'000);
    EXPECT_EQ(j["broker_rss_kb"]["after"], 12'000);
    EXPECT_DOUBLE_EQ(j["broker_rss_kb"]["per_connection"].get<double>(), 10.0);
    EXPECT_DOUBLE_EQ(j["connect_latency_us"]["p99"].get<double>(), 250.0);
    EXPECT_TRUE(j["lost"].is_null());
    EXPECT_NE(bench_report_text(r).find("per connection 10 "), std::string::npos);
}

}  // namespace
}  // namespace robust::ctl
