#pragma once
// Records Kafka clients produce to a bound topic (bindings.h), as MQTT
// messages (docs/kafka.md, "MQTT and Kafka on one topic"):
//   topic    the record's key when it is a topic name the binding's filter
//            matches; else the filter itself when it has no wildcard; else
//            the record has no MQTT topic and is not delivered
//   payload  the value (null: empty)
//   headers  read back as MQTT stores them (message_record.h): user
//            properties, and mqtt.qos, mqtt.content_type, ... when present
//   QoS      mqtt.qos when present, else 1 (the record is durable already)
//   retain   never: a Kafka record does not replace a retained message
//
// Pure functions: any thread.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/result.h"
#include "kafka/codec/record_batch.h"
#include "message.h"
#include "meta/model.h"
#include "storage/journal.h"

namespace robust::mqtt {

/// The client-facing MQTT topic of a Kafka record with `key`, or nullopt.
std::optional<std::string> mqtt_topic_for(const meta::topic_binding_record& b,
                                          const std::optional<std::string>& key);

/// One Kafka record as an MQTT message (topic scoped to the binding's
/// tenant), or nullptr when it maps to no MQTT topic.
message_ptr message_from_kafka(const meta::topic_binding_record& b,
                               const kafka::codec::batch_record& r, int64_t timestamp_ms);

/// The records at offsets >= `from` of a stored Kafka batch
/// (storage::record_format::kafka_batch), as (offset, message); records that
/// map to no MQTT topic come with a null message. Errors: the batch's
/// (malformed, corruption, unsupported compression, too_large).
result<std::vector<std::pair<int64_t, message_ptr>>> messages_of_batch(
    const storage::record& batch, const meta::topic_binding_record& b, int64_t from);

}  // namespace robust::mqtt
