#pragma once
// How an MQTT message is stored as a journal record — the format Kafka
// consumers of a bound topic will see (docs/mqtt.md "Storage"):
//   key      the MQTT topic name
//   value    the payload, unchanged
//   headers  MQTT 5 user properties in order, as (name, value); and the
//            MQTT metadata under reserved names: mqtt.qos ("0".."2"),
//            mqtt.retain ("1"), mqtt.payload_format ("1"),
//            mqtt.content_type, mqtt.response_topic, mqtt.correlation_data,
//            mqtt.expiry_at_ms (absolute, ms since epoch). A user property
//            whose name starts with "mqtt." is stored as "mqtt.user.<name>".

#include "message.h"
#include "storage/journal.h"

namespace robust::mqtt {

storage::record to_record(const message& m, int64_t now_ms);
/// Errors: corruption when a reserved header does not parse.
result<message_ptr> from_record(const storage::record& r);

}  // namespace robust::mqtt
