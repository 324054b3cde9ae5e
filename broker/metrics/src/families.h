#pragma once
// Internal: the prometheus objects behind every robustmq_* family, created in
// src/definitions.cc. Nothing here leaves the metrics module.

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/metric_type.h>
#include <prometheus/registry.h>

#include <array>
#include <cstddef>
#include <string>
#include <vector>

#include "metrics/journal_metrics.h"
#include "metrics/samples.h"

namespace robust::metrics::detail {

/// A prometheus::Counter fed from a cumulative value read at scrape time
/// (prometheus::Counter has no Set()). The one place that turns "total so
/// far" into counter increments.
///
/// Owned by `families`; advance() and rebase() run under the registry's
/// scrape lock only.
class cumulative_counter {
public:
    cumulative_counter() = default;
    explicit cumulative_counter(prometheus::Counter& c) noexcept : counter_(&c) {}

    /// Moves the counter to the source's value `now`: by the difference since
    /// the last call, or, when `now` went down (the source restarted from
    /// zero), by `now` itself. So the counter never goes backwards and loses
    /// only what the old source counted after the previous scrape.
    void advance(double now) noexcept {
        const double delta = now >= last_ ? now - last_ : now;
        if (delta > 0) counter_->Increment(delta);
        last_ = now;
    }
    /// A new source counts from zero: its first value is added whole.
    void rebase() noexcept { last_ = 0; }

    double value() const { return counter_->Value(); }

private:
    prometheus::Counter* counter_ = nullptr;
    double last_ = 0;
};

/// The journal series of one engine; written by its writer thread through
/// journal_metrics (prometheus objects are thread-safe).
struct journal_series {
    prometheus::Histogram* append_latency = nullptr;
    prometheus::Histogram* batch_records = nullptr;
    prometheus::Counter* appends = nullptr;
    prometheus::Counter* appended_records = nullptr;
    prometheus::Counter* appended_bytes = nullptr;
    prometheus::Counter* failed_appends = nullptr;
};

struct family_info {
    std::string name;
    std::string help;
    prometheus::MetricType type;
};

inline constexpr size_t mqtt_qos_levels = 3;
inline constexpr size_t mqtt_packet_types = 16;  // index 0 unused
inline constexpr size_t drop_reasons = static_cast<size_t>(drop_reason::count_);
inline constexpr size_t journal_engines = static_cast<size_t>(journal_engine::count_);

/// Every family and the series whose labels are known up front. Series whose
/// labels come from the sources (listeners, stores) are added at scrape.
/// Created once by the registry; the cumulative counters and the gauges set
/// from samples are touched under the scrape lock only.
struct families {
    explicit families(prometheus::Registry& r);

    std::vector<family_info> all;  // definition order

    // MQTT (set_mqtt_source).
    prometheus::Family<prometheus::Gauge>* connections = nullptr;  // {protocol, listener}
    prometheus::Gauge* mqtt_sessions = nullptr;
    prometheus::Gauge* mqtt_subscriptions = nullptr;
    prometheus::Gauge* shared_groups = nullptr;
    prometheus::Gauge* retained_messages = nullptr;
    prometheus::Gauge* topics = nullptr;
    std::array<cumulative_counter, mqtt_qos_levels> messages_received;
    std::array<cumulative_counter, mqtt_qos_levels> messages_sent;
    cumulative_counter bytes_received;
    cumulative_counter bytes_sent;
    std::array<cumulative_counter, mqtt_packet_types> packets_received;  // [0] unused
    std::array<cumulative_counter, mqtt_packet_types> packets_sent;      // [0] unused
    std::array<cumulative_counter, drop_reasons> messages_dropped;
    cumulative_counter connections_accepted;
    cumulative_counter connections_refused;

    // Auth (set_auth_source).
    cumulative_counter auth_accepted;
    cumulative_counter auth_bad_credentials;
    cumulative_counter auth_not_authorized;
    cumulative_counter auth_banned;
    cumulative_counter acl_publish_denied;
    cumulative_counter acl_subscribe_denied;

    // Kafka (set_kafka_source): label sets come and go with the sample.
    prometheus::Family<prometheus::Counter>* kafka_requests = nullptr;  // {api}
    prometheus::Family<prometheus::Counter>* kafka_errors = nullptr;    // {api, error}
    cumulative_counter kafka_produce_bytes;
    cumulative_counter kafka_produce_records;
    cumulative_counter kafka_fetch_bytes;
    cumulative_counter kafka_rebalances;
    prometheus::Family<prometheus::Gauge>* kafka_groups = nullptr;  // {state}
    prometheus::Gauge* kafka_group_members = nullptr;
    prometheus::Family<prometheus::Gauge>* kafka_lag = nullptr;  // {tenant, group}

    // Storage.
    std::array<journal_series, journal_engines> journal;
    prometheus::Family<prometheus::Gauge>* storage_size = nullptr;                // {store}
    prometheus::Family<prometheus::Gauge>* storage_pending_compaction = nullptr;  // {store}
    // The file system of the data directory (one series once it is known).
    prometheus::Family<prometheus::Gauge>* disk_available = nullptr;
    prometheus::Family<prometheus::Gauge>* disk_size = nullptr;

    // Process (read from /proc at scrape).
    cumulative_counter process_cpu;
    prometheus::Gauge* process_resident_memory = nullptr;
    prometheus::Gauge* process_virtual_memory = nullptr;
    prometheus::Gauge* process_open_fds = nullptr;
    prometheus::Gauge* process_max_fds = nullptr;
    prometheus::Gauge* process_start_time = nullptr;
    prometheus::Gauge* process_threads = nullptr;

    // Build and uptime.
    prometheus::Gauge* uptime = nullptr;
};

}  // namespace robust::metrics::detail
