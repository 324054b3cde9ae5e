// The registry: every family in the scrape, well-formed output, counters fed
// from cumulative samples, labels, sources, the journal handle.

#include "metrics/registry.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <set>
#include <thread>

#include "exposition.h"

namespace robust::metrics {
namespace {

using test::exposition;
using test::parse_exposition;

exposition scrape(registry& r) {
    auto e = parse_exposition(r.scrape());
    for (const auto& err : e.errors) ADD_FAILURE() << err;
    return e;
}

double value_of(const exposition& e, std::string_view name, const test::label_set& labels = {}) {
    auto v = e.value(name, labels);
    EXPECT_TRUE(v.has_value()) << name << " missing";
    return v.value_or(-1);
}

test::label_set mqtt(std::initializer_list<std::pair<const std::string, std::string>> extra = {}) {
    test::label_set l = {{"protocol", "mqtt"}};
    l.insert(extra);
    return l;
}

// A sample where every field has a distinct value, so a mix-up shows.
mqtt_sample distinct_sample(uint64_t base) {
    mqtt_sample s;
    s.connections_by_listener = {{"mqtt-tcp", base + 1}, {"mqtt-ws", base + 2}};
    s.sessions = base + 3;
    s.subscriptions = base + 4;
    s.shared_groups = base + 5;
    s.retained = base + 6;
    s.topics = base + 7;
    for (size_t q = 0; q < 3; ++q) {
        s.messages_in[q] = base + 10 + q;
        s.messages_out[q] = base + 20 + q;
    }
    s.bytes_in = base + 30;
    s.bytes_out = base + 31;
    for (size_t t = 0; t < 16; ++t) {
        s.packets_in[t] = base + 100 + t;
        s.packets_out[t] = base + 200 + t;
    }
    for (size_t r = 0; r < s.dropped.size(); ++r) s.dropped[r] = base + 40 + r;
    s.connections_accepted = base + 50;
    s.connections_refused = base + 51;
    return s;
}

TEST(MetricsRegistry, EveryFamilyHasHelpAndTypeWithoutSources) {
    registry r;
    const auto e = scrape(r);
    const auto names = r.metric_names();
    EXPECT_GE(names.size(), 30u);
    for (const auto& name : names) {
        EXPECT_TRUE(e.types.contains(name)) << name << " has no # TYPE";
        EXPECT_TRUE(e.help.contains(name)) << name << " has no # HELP";
        EXPECT_FALSE(e.help.count(name) && e.help.at(name).empty()) << name << " empty help";
    }
    // And nothing undeclared: the scrape has exactly the declared families.
    std::set<std::string> declared(names.begin(), names.end());
    for (const auto& [family, type] : e.types) EXPECT_TRUE(declared.contains(family)) << family;
    EXPECT_EQ(e.types.size(), names.size());
}

TEST(MetricsRegistry, NamesAreSortedUniquePrefixedAndFollowConventions) {
    registry r;
    const auto names = r.metric_names();
    EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
    EXPECT_EQ(std::set<std::string>(names.begin(), names.end()).size(), names.size());
    const auto e = scrape(r);
    for (const auto& name : names) {
        EXPECT_TRUE(name.starts_with("robustmq_")) << name;
        const bool total = name.ends_with("_total");
        EXPECT_EQ(total, e.types.at(name) == "counter") << name << ": _total iff counter";
    }
}

TEST(MetricsRegistry, ScrapeWithEverySourceIsWellFormed) {
    registry r;
    r.set_mqtt_source([] {
        auto s = distinct_sample(0);
        // A listener name that needs escaping in a label value.
        s.connections_by_listener.emplace_back("odd \"name\" \\ here", 9);
        return s;
    });
    r.set_auth_source([] { return auth_sample{1, 2, 3, 4, 5, 6}; });
    auto reg = r.add_storage_source("journal", [] { return storage_sample{100, 7}; });
    r.journal(journal_engine::rocksdb).observe_commit(std::chrono::microseconds(300), 2, 3, 40);
    const auto text = r.scrape();
    const auto e = parse_exposition(text);
    EXPECT_TRUE(e.errors.empty()) << text;
    for (const auto& err : e.errors) ADD_FAILURE() << err;
    EXPECT_EQ(value_of(e, "robustmq_connections", mqtt({{"listener", "odd \"name\" \\ here"}})), 9);
}

TEST(MetricsRegistry, ParserRejectsMalformedExposition) {
    // The format check above must have teeth.
    EXPECT_FALSE(parse_exposition("x 1\n").errors.empty());  // no TYPE
    EXPECT_FALSE(parse_exposition("# TYPE x gauge\nx{a=\"1} 1\n").errors.empty());
    EXPECT_FALSE(parse_exposition("# TYPE x gauge\nx{a=\"1\"}1\n").errors.empty());
    EXPECT_FALSE(parse_exposition("# TYPE x gauge\nx one\n").errors.empty());
    EXPECT_FALSE(parse_exposition("# TYPE x gauge\nx 1\nx 2\n").errors.empty());
    EXPECT_FALSE(parse_exposition("# TYPE x gauge\n# TYPE x counter\n").errors.empty());
    EXPECT_FALSE(parse_exposition("# TYPE x gauge").errors.empty());  // no final newline
    EXPECT_FALSE(parse_exposition("# TYPE h histogram\nh_bucket 1\n").errors.empty());
    EXPECT_FALSE(parse_exposition("# TYPE x gauge\nx{a=\"\\t\"} 1\n").errors.empty());
    EXPECT_TRUE(
        parse_exposition("# HELP x h\n# TYPE x gauge\nx{a=\"\\\"\"} +Inf\n").errors.empty());
}

TEST(MetricsRegistry, GaugesFollowTheSample) {
    registry r;
    mqtt_sample s = distinct_sample(0);
    r.set_mqtt_source([&s] { return s; });
    auto e = scrape(r);
    EXPECT_EQ(value_of(e, "robustmq_connections", mqtt({{"listener", "mqtt-tcp"}})), 1);
    EXPECT_EQ(value_of(e, "robustmq_connections", mqtt({{"listener", "mqtt-ws"}})), 2);
    EXPECT_EQ(value_of(e, "robustmq_sessions", mqtt()), 3);
    EXPECT_EQ(value_of(e, "robustmq_subscriptions", mqtt()), 4);
    EXPECT_EQ(value_of(e, "robustmq_shared_groups", mqtt()), 5);
    EXPECT_EQ(value_of(e, "robustmq_retained_messages", mqtt()), 6);
    EXPECT_EQ(value_of(e, "robustmq_topics", mqtt()), 7);

    // Gauges go down as well; a listener that is gone loses its series.
    s.connections_by_listener = {{"mqtt-tcp", 0}};
    s.sessions = 1;
    e = scrape(r);
    EXPECT_EQ(value_of(e, "robustmq_connections", mqtt({{"listener", "mqtt-tcp"}})), 0);
    EXPECT_FALSE(e.value("robustmq_connections", mqtt({{"listener", "mqtt-ws"}})).has_value());
    EXPECT_EQ(value_of(e, "robustmq_sessions", mqtt()), 1);
}

TEST(MetricsRegistry, EveryQosPacketTypeAndReasonHasItsOwnSeries) {
    registry r;
    r.set_mqtt_source([] { return distinct_sample(1000); });
    const auto e = scrape(r);
    for (size_t q = 0; q < 3; ++q) {
        const auto qos = mqtt({{"qos", std::to_string(q)}});
        EXPECT_EQ(value_of(e, "robustmq_messages_received_total", qos), 1010 + q);
        EXPECT_EQ(value_of(e, "robustmq_messages_sent_total", qos), 1020 + q);
    }
    EXPECT_EQ(e.series("robustmq_messages_received_total").size(), 3u);
    const std::vector<std::string> types = {"connect",  "connack",     "publish",  "puback",
                                            "pubrec",   "pubrel",      "pubcomp",  "subscribe",
                                            "suback",   "unsubscribe", "unsuback", "pingreq",
                                            "pingresp", "disconnect",  "auth"};
    for (size_t t = 1; t <= 15; ++t) {
        const auto type = mqtt({{"type", types[t - 1]}});
        EXPECT_EQ(value_of(e, "robustmq_packets_received_total", type), 1100 + t) << types[t - 1];
        EXPECT_EQ(value_of(e, "robustmq_packets_sent_total", type), 1200 + t) << types[t - 1];
    }
    // Packet type 0 is reserved and never reported.
    EXPECT_EQ(e.series("robustmq_packets_received_total").size(), 15u);
    const std::vector<std::string> reasons = {"no_subscriber", "queue_full", "expired",
                                              "acl_denied", "too_large"};
    for (size_t i = 0; i < reasons.size(); ++i) {
        EXPECT_EQ(value_of(e, "robustmq_messages_dropped_total", mqtt({{"reason", reasons[i]}})),
                  1040 + i);
    }
    EXPECT_EQ(e.series("robustmq_messages_dropped_total").size(), reasons.size());
    EXPECT_EQ(value_of(e, "robustmq_bytes_received_total", mqtt()), 1030);
    EXPECT_EQ(value_of(e, "robustmq_bytes_sent_total", mqtt()), 1031);
    EXPECT_EQ(value_of(e, "robustmq_connections_accepted_total", mqtt()), 1050);
    EXPECT_EQ(value_of(e, "robustmq_connections_refused_total", mqtt()), 1051);
}

TEST(MetricsRegistry, CountersAdvanceByTheDeltaBetweenScrapes) {
    registry r;
    mqtt_sample s;
    r.set_mqtt_source([&s] { return s; });
    const auto qos1 = mqtt({{"qos", "1"}});
    EXPECT_EQ(value_of(scrape(r), "robustmq_messages_received_total", qos1), 0);
    s.messages_in[1] = 5;
    EXPECT_EQ(value_of(scrape(r), "robustmq_messages_received_total", qos1), 5);
    // No change: no increment.
    EXPECT_EQ(value_of(scrape(r), "robustmq_messages_received_total", qos1), 5);
    s.messages_in[1] = 12;
    s.bytes_in = 1 << 20;
    const auto e = scrape(r);
    EXPECT_EQ(value_of(e, "robustmq_messages_received_total", qos1), 12);
    EXPECT_EQ(value_of(e, "robustmq_bytes_received_total", mqtt()), 1 << 20);
    EXPECT_EQ(value_of(e, "robustmq_messages_received_total", mqtt({{"qos", "0"}})), 0);
}

TEST(MetricsRegistry, CountersNeverGoBackwardsWhenTheSourceResets) {
    // A sample that goes down means its source restarted from zero: the
    // counter adds the new value instead of going back.
    registry r;
    auth_sample a;
    r.set_auth_source([&a] { return a; });
    const test::label_set accepted = {{"result", "accepted"}};
    a.accepted = 10;
    EXPECT_EQ(value_of(scrape(r), "robustmq_auth_total", accepted), 10);
    a.accepted = 3;  // restarted, and counted 3 since
    EXPECT_EQ(value_of(scrape(r), "robustmq_auth_total", accepted), 13);
    a.accepted = 4;  // deltas again from the new base
    EXPECT_EQ(value_of(scrape(r), "robustmq_auth_total", accepted), 14);
    a.accepted = 0;
    EXPECT_EQ(value_of(scrape(r), "robustmq_auth_total", accepted), 14);
}

TEST(MetricsRegistry, ANewSourceCountsFromZero) {
    registry r;
    r.set_mqtt_source([] {
        mqtt_sample s;
        s.bytes_out = 100;
        return s;
    });
    EXPECT_EQ(value_of(scrape(r), "robustmq_bytes_sent_total", mqtt()), 100);
    // A new broker that has already sent 150 bytes by the first scrape:
    // all 150 are new, even though 150 > 100.
    r.set_mqtt_source([] {
        mqtt_sample s;
        s.bytes_out = 150;
        return s;
    });
    EXPECT_EQ(value_of(scrape(r), "robustmq_bytes_sent_total", mqtt()), 250);
    // Unset: the counters keep their values.
    r.set_mqtt_source({});
    EXPECT_EQ(value_of(scrape(r), "robustmq_bytes_sent_total", mqtt()), 250);
}

TEST(MetricsRegistry, AuthSampleMapsToResultsAndActions) {
    registry r;
    r.set_auth_source([] { return auth_sample{1, 2, 3, 4, 5, 6}; });
    const auto e = scrape(r);
    EXPECT_EQ(value_of(e, "robustmq_auth_total", {{"result", "accepted"}}), 1);
    EXPECT_EQ(value_of(e, "robustmq_auth_total", {{"result", "bad_credentials"}}), 2);
    EXPECT_EQ(value_of(e, "robustmq_auth_total", {{"result", "not_authorized"}}), 3);
    EXPECT_EQ(value_of(e, "robustmq_auth_total", {{"result", "banned"}}), 4);
    EXPECT_EQ(value_of(e, "robustmq_acl_denied_total", {{"action", "publish"}}), 5);
    EXPECT_EQ(value_of(e, "robustmq_acl_denied_total", {{"action", "subscribe"}}), 6);
}

TEST(MetricsRegistry, StorageSourcesAreSummedByStoreAndLeaveOnReset) {
    registry r;
    auto j1 = r.add_storage_source("journal", [] { return storage_sample{1000, 10}; });
    auto j2 = r.add_storage_source("journal", [] { return storage_sample{500, 5}; });
    auto meta = r.add_storage_source("meta", [] { return storage_sample{42, 0}; });
    auto e = scrape(r);
    EXPECT_EQ(value_of(e, "robustmq_storage_size_bytes", {{"store", "journal"}}), 1500);
    EXPECT_EQ(value_of(e, "robustmq_storage_pending_compaction_bytes", {{"store", "journal"}}), 15);
    EXPECT_EQ(value_of(e, "robustmq_storage_size_bytes", {{"store", "meta"}}), 42);

    j2.reset();
    EXPECT_FALSE(j2.active());
    e = scrape(r);
    EXPECT_EQ(value_of(e, "robustmq_storage_size_bytes", {{"store", "journal"}}), 1000);

    // Moving keeps the registration; destroying the last one drops the series.
    source_registration moved = std::move(meta);
    EXPECT_TRUE(moved.active());
    EXPECT_FALSE(meta.active());  // NOLINT(bugprone-use-after-move): tests the moved-from state
    EXPECT_EQ(value_of(scrape(r), "robustmq_storage_size_bytes", {{"store", "meta"}}), 42);
    moved = source_registration();
    e = scrape(r);
    EXPECT_FALSE(e.value("robustmq_storage_size_bytes", {{"store", "meta"}}).has_value());
    EXPECT_TRUE(e.types.contains("robustmq_storage_size_bytes"));
}

TEST(MetricsRegistry, DiskSeriesDescribeTheDataDirectoryOnceItIsSet) {
    registry r;
    auto e = scrape(r);
    // No series before the directory is known (a 0 would look like a full disk).
    EXPECT_FALSE(e.value("robustmq_storage_disk_available_bytes").has_value());
    EXPECT_TRUE(e.types.contains("robustmq_storage_disk_available_bytes"));

    const auto dir = std::filesystem::temp_directory_path();
    r.set_data_dir(dir.string());
    e = scrape(r);
    const auto space = std::filesystem::space(dir);
    const double size = value_of(e, "robustmq_storage_disk_size_bytes");
    const double available = value_of(e, "robustmq_storage_disk_available_bytes");
    EXPECT_EQ(size, static_cast<double>(space.capacity));
    EXPECT_GT(available, 0);
    EXPECT_LE(available, size);
}

TEST(MetricsRegistry, JournalHandleRecordsCommitsPerEngine) {
    registry r;
    const auto rocks = r.journal(journal_engine::rocksdb);
    ASSERT_TRUE(rocks.enabled());
    rocks.observe_commit(std::chrono::microseconds(40), 3, 7, 700);       // below 50 us
    rocks.observe_commit(std::chrono::milliseconds(2), 1, 1, 10);         // in (1 ms, 2.5 ms]
    rocks.observe_commit(std::chrono::milliseconds(1500), 100, 4000, 1);  // above 1 s
    rocks.count_failed_write(4);
    r.journal(journal_engine::memory).observe_commit(std::chrono::microseconds(1), 1, 1, 1);

    const auto e = scrape(r);
    const test::label_set rl = {{"engine", "rocksdb"}};
    EXPECT_EQ(value_of(e, "robustmq_journal_appends_total", rl), 104);
    EXPECT_EQ(value_of(e, "robustmq_journal_appended_records_total", rl), 4008);
    EXPECT_EQ(value_of(e, "robustmq_journal_appended_bytes_total", rl), 711);
    EXPECT_EQ(value_of(e, "robustmq_journal_failed_appends_total", rl), 4);
    EXPECT_EQ(value_of(e, "robustmq_journal_appends_total", {{"engine", "memory"}}), 1);

    auto bucket = [&](const char* name, const char* le) {
        return value_of(e, name, {{"engine", "rocksdb"}, {"le", le}});
    };
    const char* latency = "robustmq_journal_append_latency_seconds_bucket";
    EXPECT_EQ(bucket(latency, "5e-05"), 1);
    EXPECT_EQ(bucket(latency, "0.001"), 1);
    EXPECT_EQ(bucket(latency, "0.0025"), 2);
    EXPECT_EQ(bucket(latency, "1"), 2);
    EXPECT_EQ(bucket(latency, "+Inf"), 3);
    EXPECT_EQ(value_of(e, "robustmq_journal_append_latency_seconds_count", rl), 3);
    EXPECT_NEAR(value_of(e, "robustmq_journal_append_latency_seconds_sum", rl), 1.50204, 1e-9);
    const char* batch = "robustmq_journal_batch_records_bucket";
    EXPECT_EQ(bucket(batch, "1"), 1);
    EXPECT_EQ(bucket(batch, "8"), 2);
    EXPECT_EQ(bucket(batch, "4096"), 3);
    EXPECT_EQ(value_of(e, "robustmq_journal_batch_records_sum", rl), 4008);
    // The latency buckets run from 50 us to 1 s, the batch buckets 1..4096.
    EXPECT_EQ(e.series(latency).size(), 2 * 15u);  // 14 bounds + Inf, two engines
    EXPECT_EQ(e.series(batch).size(), 2 * 14u);    // 13 bounds + Inf
}

TEST(MetricsRegistry, DisabledJournalHandleDoesNothing) {
    const journal_metrics off;
    EXPECT_FALSE(off.enabled());
    off.observe_commit(std::chrono::milliseconds(1), 1, 1, 1);
    off.count_failed_write(1);
    auto reg = off.add_storage_source("journal", [] { return storage_sample{1, 1}; });
    EXPECT_FALSE(reg.active());
}

TEST(MetricsRegistry, BuildInfoAndUptime) {
    registry r;
    auto e = scrape(r);
    EXPECT_EQ(value_of(e, "robustmq_build_info", {{"version", ROBUSTMQ_VERSION}}), 1);
    const double first = value_of(e, "robustmq_uptime_seconds");
    EXPECT_GE(first, 0);
    EXPECT_LT(first, 60);
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(5);
    while (std::chrono::steady_clock::now() < until) {
    }
    EXPECT_GT(value_of(scrape(r), "robustmq_uptime_seconds"), first);
}

TEST(MetricsRegistry, ConcurrentScrapesCommitsAndSources) {
    registry r;
    std::atomic<uint64_t> published{0};
    r.set_mqtt_source([&published] {
        mqtt_sample s;
        s.messages_in[0] = published.load();
        return s;
    });
    const auto handle = r.journal(journal_engine::rocksdb);
    std::atomic<bool> done{false};
    std::thread writer([&] {
        for (int i = 0; i < 2000; ++i) {
            handle.observe_commit(std::chrono::microseconds(100), 1, 2, 3);
            published.fetch_add(1);
        }
        done = true;
    });
    std::thread sources([&] {
        while (!done) {
            auto reg = r.add_storage_source("journal", [] { return storage_sample{1, 1}; });
        }
    });
    double last = 0;
    while (!done) {
        const auto e = scrape(r);
        const double v = value_of(e, "robustmq_messages_received_total", mqtt({{"qos", "0"}}));
        EXPECT_GE(v, last);  // monotonic under concurrency
        last = v;
    }
    writer.join();
    sources.join();
    const auto e = scrape(r);
    EXPECT_EQ(value_of(e, "robustmq_messages_received_total", mqtt({{"qos", "0"}})), 2000);
    EXPECT_EQ(value_of(e, "robustmq_journal_appended_records_total", {{"engine", "rocksdb"}}),
              4000);
}

TEST(MetricsRegistry, KafkaSampleFollowsItsLabels) {
    registry r;
    kafka_sample k;
    k.connections_by_listener = {{"kafka", 2}};
    k.requests = {{"Produce", 5}, {"Fetch", 7}};
    k.errors = {{"Produce", "UNKNOWN_TOPIC_OR_PARTITION", 1}};
    k.produce_bytes = 1000;
    k.produce_records = 10;
    k.fetch_bytes = 900;
    k.rebalances = 3;
    k.groups_by_state = {{"Stable", 1}, {"Empty", 2}};
    k.group_members = 4;
    k.lags = {{"default", "g1", 12}};
    r.set_kafka_source([&k] { return k; });
    auto e = scrape(r);
    EXPECT_EQ(value_of(e, "robustmq_connections", {{"protocol", "kafka"}, {"listener", "kafka"}}),
              2);
    EXPECT_EQ(value_of(e, "robustmq_kafka_requests_total", {{"api", "Fetch"}}), 7);
    EXPECT_EQ(value_of(e, "robustmq_kafka_errors_total",
                       {{"api", "Produce"}, {"error", "UNKNOWN_TOPIC_OR_PARTITION"}}),
              1);
    EXPECT_EQ(value_of(e, "robustmq_kafka_produce_bytes_total"), 1000);
    EXPECT_EQ(value_of(e, "robustmq_kafka_produce_records_total"), 10);
    EXPECT_EQ(value_of(e, "robustmq_kafka_fetch_bytes_total"), 900);
    EXPECT_EQ(value_of(e, "robustmq_kafka_group_rebalances_total"), 3);
    EXPECT_EQ(value_of(e, "robustmq_kafka_groups", {{"state", "Empty"}}), 2);
    EXPECT_EQ(value_of(e, "robustmq_kafka_group_members"), 4);
    EXPECT_EQ(
        value_of(e, "robustmq_kafka_consumer_group_lag", {{"tenant", "default"}, {"group", "g1"}}),
        12);

    // A group that is gone loses its series; counters keep advancing by deltas.
    k.lags.clear();
    k.requests = {{"Produce", 6}, {"Fetch", 7}};
    e = scrape(r);
    EXPECT_FALSE(
        e.value("robustmq_kafka_consumer_group_lag", {{"tenant", "default"}, {"group", "g1"}})
            .has_value());
    EXPECT_EQ(value_of(e, "robustmq_kafka_requests_total", {{"api", "Produce"}}), 6);
    // MQTT samples do not remove the Kafka listener's series, and the other way round.
    r.set_mqtt_source([] {
        mqtt_sample m;
        m.connections_by_listener = {{"mqtt-tcp", 1}};
        return m;
    });
    e = scrape(r);
    EXPECT_EQ(value_of(e, "robustmq_connections", {{"protocol", "kafka"}, {"listener", "kafka"}}),
              2);
    EXPECT_EQ(value_of(e, "robustmq_connections", mqtt({{"listener", "mqtt-tcp"}})), 1);
}

}  // namespace
}  // namespace robust::metrics
