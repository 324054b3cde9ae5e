// Every robustmq_* metric family, with its help text and labels: the one place
// metrics are defined (docs/metrics.md documents each one; a test keeps the
// two in step). Conventions: counters end in _total, values are in base units
// (seconds, bytes), labels are lower_snake_case.

#include <string>

#include "base/assert.h"
#include "families.h"

namespace robust::metrics::detail {
namespace {

// robustmq_journal_append_latency_seconds: 50 us (a WAL write to the page
// cache) up to 1 s (an fsync on a busy disk).
const prometheus::Histogram::BucketBoundaries latency_buckets = {
    0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0};
// robustmq_journal_batch_records: powers of two from 1 to 4096
// (rocksdb_journal_options::max_batch_requests).
const prometheus::Histogram::BucketBoundaries batch_buckets = {1,   2,   4,   8,    16,   32,  64,
                                                               128, 256, 512, 1024, 2048, 4096};

constexpr const char* engine_label(size_t e) {
    return static_cast<journal_engine>(e) == journal_engine::rocksdb ? "rocksdb" : "memory";
}

}  // namespace

families::families(prometheus::Registry& r) {
    auto note = [&](const char* name, const char* help, prometheus::MetricType type) {
        // prometheus-cpp 1.0 writes help text unescaped.
        const std::string h(help);
        BROKER_ASSERT(h.find_first_of("\\\n") == std::string::npos, "bad help text of " << name);
        all.push_back({name, h, type});
    };
    auto gauge = [&](const char* name, const char* help) -> prometheus::Family<prometheus::Gauge>& {
        note(name, help, prometheus::MetricType::Gauge);
        return prometheus::BuildGauge().Name(name).Help(help).Register(r);
    };
    auto counter = [&](const char* name,
                       const char* help) -> prometheus::Family<prometheus::Counter>& {
        note(name, help, prometheus::MetricType::Counter);
        return prometheus::BuildCounter().Name(name).Help(help).Register(r);
    };
    auto histogram = [&](const char* name,
                         const char* help) -> prometheus::Family<prometheus::Histogram>& {
        note(name, help, prometheus::MetricType::Histogram);
        return prometheus::BuildHistogram().Name(name).Help(help).Register(r);
    };
    const prometheus::Labels mqtt = {{"protocol", "mqtt"}};
    auto with = [](prometheus::Labels l, const char* key, std::string value) {
        l.emplace(key, std::move(value));
        return l;
    };

    // ---- MQTT ---------------------------------------------------------------
    connections = &gauge("robustmq_connections", "Live client connections by listener.");
    mqtt_sessions = &gauge("robustmq_sessions",
                           "Sessions held by the broker, connected or persistent and offline.")
                         .Add(mqtt);
    mqtt_subscriptions =
        &gauge("robustmq_subscriptions", "Subscriptions of all sessions.").Add(mqtt);
    shared_groups =
        &gauge("robustmq_shared_groups", "Shared subscription groups ($share/<group>/...).")
             .Add(mqtt);
    retained_messages = &gauge("robustmq_retained_messages", "Retained messages stored.").Add(mqtt);
    topics =
        &gauge("robustmq_topics", "Topics published to at least once (recorded in the meta store).")
             .Add(mqtt);

    auto& received = counter("robustmq_messages_received_total",
                             "Application messages received from clients (PUBLISH in) by QoS.");
    auto& sent = counter("robustmq_messages_sent_total",
                         "Application messages sent to clients (PUBLISH out) by QoS.");
    for (size_t q = 0; q < mqtt_qos_levels; ++q) {
        messages_received[q] =
            cumulative_counter(received.Add(with(mqtt, "qos", std::to_string(q))));
        messages_sent[q] = cumulative_counter(sent.Add(with(mqtt, "qos", std::to_string(q))));
    }
    bytes_received = cumulative_counter(
        counter("robustmq_bytes_received_total", "Bytes read from client connections.").Add(mqtt));
    bytes_sent = cumulative_counter(
        counter("robustmq_bytes_sent_total", "Bytes written to client connections.").Add(mqtt));

    auto& dropped = counter("robustmq_messages_dropped_total",
                            "Messages not delivered, by reason (no_subscriber, queue_full, "
                            "expired, acl_denied, too_large).");
    for (size_t d = 0; d < drop_reasons; ++d) {
        messages_dropped[d] = cumulative_counter(
            dropped.Add(with(mqtt, "reason", std::string(to_string(static_cast<drop_reason>(d))))));
    }

    auto& packets_in = counter("robustmq_packets_received_total",
                               "Control packets received, by lower-case packet type.");
    auto& packets_out =
        counter("robustmq_packets_sent_total", "Control packets sent, by lower-case packet type.");
    for (size_t t = 1; t < mqtt_packet_types; ++t) {
        const std::string type(mqtt_packet_type_name(t));
        packets_received[t] = cumulative_counter(packets_in.Add(with(mqtt, "type", type)));
        packets_sent[t] = cumulative_counter(packets_out.Add(with(mqtt, "type", type)));
    }

    connections_accepted = cumulative_counter(
        counter("robustmq_connections_accepted_total", "Connections accepted (successful CONNACK).")
            .Add(mqtt));
    connections_refused = cumulative_counter(
        counter("robustmq_connections_refused_total",
                "Connections refused: a CONNACK with a failure reason code was sent.")
            .Add(mqtt));

    // ---- auth ---------------------------------------------------------------
    auto& auth = counter("robustmq_auth_total",
                         "Authentication attempts by result (accepted, bad_credentials, "
                         "not_authorized, banned).");
    auth_accepted = cumulative_counter(auth.Add({{"result", "accepted"}}));
    auth_bad_credentials = cumulative_counter(auth.Add({{"result", "bad_credentials"}}));
    auth_not_authorized = cumulative_counter(auth.Add({{"result", "not_authorized"}}));
    auth_banned = cumulative_counter(auth.Add({{"result", "banned"}}));
    auto& acl = counter("robustmq_acl_denied_total", "Publishes and subscriptions denied by ACL.");
    acl_publish_denied = cumulative_counter(acl.Add({{"action", "publish"}}));
    acl_subscribe_denied = cumulative_counter(acl.Add({{"action", "subscribe"}}));

    // ---- Kafka --------------------------------------------------------------
    kafka_requests = &counter("robustmq_kafka_requests_total", "Kafka requests received by API.");
    kafka_errors = &counter("robustmq_kafka_errors_total",
                            "Kafka error codes answered, by API and error (per partition where "
                            "the API answers per partition).");
    kafka_produce_bytes = cumulative_counter(
        counter("robustmq_kafka_produce_bytes_total",
                "Record batch bytes appended by Kafka producers (as sent, compressed or not).")
            .Add({}));
    kafka_produce_records = cumulative_counter(
        counter("robustmq_kafka_produce_records_total", "Records appended by Kafka producers.")
            .Add({}));
    kafka_fetch_bytes = cumulative_counter(
        counter("robustmq_kafka_fetch_bytes_total", "Record bytes returned to Kafka fetches.")
            .Add({}));
    kafka_rebalances = cumulative_counter(
        counter("robustmq_kafka_group_rebalances_total",
                "Consumer-group rebalances completed (the leader's assignment handed out).")
            .Add({}));
    kafka_groups = &gauge("robustmq_kafka_groups", "Consumer groups by state.");
    kafka_group_members =
        &gauge("robustmq_kafka_group_members", "Members of all consumer groups.").Add({});
    kafka_lag = &gauge("robustmq_kafka_consumer_group_lag",
                       "Records a consumer group is behind: the partitions' next offsets minus "
                       "its committed offsets, summed over the partitions it committed.");

    // ---- storage ------------------------------------------------------------
    auto& latency = histogram("robustmq_journal_append_latency_seconds",
                              "Group-commit write latency: from the journal writer taking a batch "
                              "off its queue until it is written with the requested durability.");
    auto& batch = histogram("robustmq_journal_batch_records",
                            "Records written per group commit (index pointer records excluded).");
    auto& appends = counter("robustmq_journal_appends_total",
                            "Append requests written by the journal (each one or more records).");
    auto& records = counter("robustmq_journal_appended_records_total",
                            "Records written by the journal (index pointer records excluded).");
    auto& bytes = counter("robustmq_journal_appended_bytes_total",
                          "Payload bytes written by the journal: record keys, headers and values.");
    auto& failed = counter("robustmq_journal_failed_appends_total",
                           "Append requests failed with io_error because their write failed.");
    for (size_t e = 0; e < journal_engines; ++e) {
        const prometheus::Labels l = {{"engine", engine_label(e)}};
        journal[e].append_latency = &latency.Add(l, latency_buckets);
        journal[e].batch_records = &batch.Add(l, batch_buckets);
        journal[e].appends = &appends.Add(l);
        journal[e].appended_records = &records.Add(l);
        journal[e].appended_bytes = &bytes.Add(l);
        journal[e].failed_appends = &failed.Add(l);
    }
    storage_size =
        &gauge("robustmq_storage_size_bytes", "Size of a RocksDB store: SST files plus memtables.");
    storage_pending_compaction =
        &gauge("robustmq_storage_pending_compaction_bytes",
               "RocksDB estimate of the bytes compaction still has to rewrite.");
    disk_available =
        &gauge("robustmq_storage_disk_available_bytes",
               "Bytes the broker may still write on the data directory's file system.");
    disk_size = &gauge("robustmq_storage_disk_size_bytes",
                       "Size of the data directory's file system, in bytes.");

    // ---- process ------------------------------------------------------------
    process_cpu = cumulative_counter(counter("robustmq_process_cpu_seconds_total",
                                             "User and system CPU time used by the process.")
                                         .Add({}));
    process_resident_memory =
        &gauge("robustmq_process_resident_memory_bytes", "Resident set size.").Add({});
    process_virtual_memory =
        &gauge("robustmq_process_virtual_memory_bytes", "Virtual memory size.").Add({});
    process_open_fds = &gauge("robustmq_process_open_fds", "Open file descriptors.").Add({});
    process_max_fds =
        &gauge("robustmq_process_max_fds", "Limit of open file descriptors (RLIMIT_NOFILE).")
             .Add({});
    process_start_time = &gauge("robustmq_process_start_time_seconds",
                                "Start time of the process since the Unix epoch, in seconds.")
                              .Add({});
    process_threads = &gauge("robustmq_process_threads", "Threads of the process.").Add({});

    // ---- build --------------------------------------------------------------
    gauge("robustmq_build_info", "Always 1; the labels say which build is running.")
        .Add({{"version", ROBUSTMQ_VERSION}})
        .Set(1);
    uptime = &gauge("robustmq_uptime_seconds", "Seconds since the broker started.").Add({});
}

}  // namespace robust::metrics::detail
