#pragma once
// Topic bindings: an MQTT topic filter of a tenant bound to a Kafka topic of
// the same tenant (docs/kafka.md, "MQTT and Kafka on one topic"). MQTT
// publishes whose topic matches the filter are stored in the Kafka topic's
// partitions, and records Kafka clients produce to it reach the MQTT
// subscribers. Checked, stored and removed here for the admin API and for
// main (topic.bindings in the config); the MQTT broker watches them.
//
// Threading: the functions block on the meta store and the journal: call
// them from a pool thread, never from an I/O thread.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "meta/meta_store.h"
#include "meta/model.h"
#include "storage/journal.h"

namespace robust::meta {

/// Why a binding cannot be made, for a 400 answer or a config error.
struct binding_problem {
    std::string field;  // "mqtt_filter" or "kafka_topic"
    std::string message;
};

/// Checks `b` against the rules and the tenant's `existing` bindings:
///   - mqtt_filter is a valid MQTT topic filter, not shared ($share/,
///     $queue/), not in the reserved "$tenant/" namespace, and shares no
///     topic with another binding's filter (each MQTT topic maps to at most
///     one Kafka topic);
///   - kafka_topic is a valid Kafka topic name.
/// A binding of the same filter to the same Kafka topic is fine (idempotent).
std::optional<binding_problem> check_binding(const topic_binding_record& b,
                                             std::span<const topic_binding_record> existing);

/// The bindings of `tenant` (every tenant when empty), by (tenant, filter).
/// Errors: the store's; corruption for an unreadable record.
result<std::vector<topic_binding_record>> list_bindings(meta_store& store, std::string_view tenant);

/// Creates `topic` (the Kafka topic named by the binding, with the caller's
/// defaults) unless a topic of that name exists, then stores the binding if
/// no binding of that filter exists. Call check_binding() first.
/// Errors: already_exists (the filter is bound to another Kafka topic), the
/// store's and create_topic's.
status create_binding(meta_store& store, storage::journal& journal, const topic_binding_record& b,
                      const topic_record& topic);

/// Errors: not_found, the store's.
status delete_binding(meta_store& store, std::string_view tenant, std::string_view mqtt_filter);

}  // namespace robust::meta
