#pragma once
// What the registry pulls from the services at scrape time: plain structs,
// no prometheus types. A protocol keeps its own plain or atomic counters on
// its hot paths and copies them into one of these when the registry asks
// (registry::set_mqtt_source, set_auth_source, add_storage_source).
//
// "cumulative" fields count from the start of the source and never go down
// while it lives; the registry turns them into Prometheus counters by adding
// the difference since the previous scrape. Every other field is a current
// value (a gauge).

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace robust::metrics {

/// Why a message was not delivered (label `reason` of robustmq_messages_dropped_total).
enum class drop_reason : uint8_t {
    no_subscriber,
    queue_full,
    expired,
    acl_denied,
    too_large,
    count_
};

/// The label value of a drop reason: "no_subscriber", "queue_full", ...
constexpr std::string_view to_string(drop_reason r) noexcept {
    switch (r) {
        case drop_reason::no_subscriber:
            return "no_subscriber";
        case drop_reason::queue_full:
            return "queue_full";
        case drop_reason::expired:
            return "expired";
        case drop_reason::acl_denied:
            return "acl_denied";
        case drop_reason::too_large:
            return "too_large";
        case drop_reason::count_:
            break;
    }
    return "unknown";
}

/// The label value of an MQTT control packet type (1..15): "connect", ...,
/// "auth"; empty for 0 and anything above 15.
constexpr std::string_view mqtt_packet_type_name(size_t type) noexcept {
    constexpr std::array<std::string_view, 16> names = {
        "",        "connect",  "connack",    "publish", "puback",      "pubrec",
        "pubrel",  "pubcomp",  "subscribe",  "suback",  "unsubscribe", "unsuback",
        "pingreq", "pingresp", "disconnect", "auth"};
    return type < names.size() ? names[type] : std::string_view();
}

/// Filled by the MQTT broker when the registry asks.
struct mqtt_sample {
    std::vector<std::pair<std::string, uint64_t>> connections_by_listener;  // "mqtt-tcp" -> live
    uint64_t sessions = 0, subscriptions = 0, shared_groups = 0, retained = 0, topics = 0;
    std::array<uint64_t, 3> messages_in{}, messages_out{};  // by QoS, cumulative
    uint64_t bytes_in = 0, bytes_out = 0;                   // cumulative
    // By MQTT control packet type 1..15 (index 0 is unused), cumulative.
    std::array<uint64_t, 16> packets_in{}, packets_out{};
    std::array<uint64_t, static_cast<size_t>(drop_reason::count_)> dropped{};  // cumulative
    // Cumulative; refused: a CONNACK with a failure code was sent.
    uint64_t connections_accepted = 0, connections_refused = 0;
};

/// Filled by the Kafka server when the registry asks.
struct kafka_sample {
    std::vector<std::pair<std::string, uint64_t>> connections_by_listener;  // "kafka" -> live
    std::vector<std::pair<std::string, uint64_t>> requests;  // API name ("Produce") -> cumulative
    struct error_count {
        std::string api;     // "Produce"
        std::string error;   // the protocol's name, "UNKNOWN_TOPIC_OR_PARTITION"
        uint64_t count = 0;  // cumulative
    };
    std::vector<error_count> errors;
    uint64_t produce_bytes = 0, produce_records = 0, fetch_bytes = 0;  // cumulative
    uint64_t rebalances = 0;                                           // cumulative
    std::vector<std::pair<std::string, uint64_t>> groups_by_state;     // "Stable" -> groups
    uint64_t group_members = 0;
    struct group_lag {
        std::string tenant, group;
        int64_t lag = 0;  // records behind, summed over the partitions it committed
    };
    std::vector<group_lag> lags;
};

/// Filled by the auth service when the registry asks; all cumulative.
struct auth_sample {
    uint64_t accepted = 0, bad_credentials = 0, not_authorized = 0, banned = 0;
    uint64_t publish_denied = 0, subscribe_denied = 0;
};

/// A RocksDB store (the journal, the meta store): current values.
struct storage_sample {
    uint64_t size_bytes = 0;                // SST files + memtables
    uint64_t pending_compaction_bytes = 0;  // RocksDB's estimate of bytes compaction must rewrite
};

}  // namespace robust::metrics
