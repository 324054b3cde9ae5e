#pragma once
// The typed metadata model: records, their keys, and their encodings.
//
// Key layout (all keys are '/'-separated; every variable part is escaped with
// escape_key_part, which turns '%' into "%25" and '/' into "%2F", so a part
// never contains '/' and one client's prefix never covers another client's
// keys: the prefix for client "a" is ".../a/" and client "a/b" is "a%2Fb"):
//
//   topic/<tenant>/<name>                        topic_record          JSON
//   mqtt/session/<tenant>/<client_id>            mqtt_session_record   JSON
//   mqtt/sub/<tenant>/<client_id>/<filter>       mqtt_subscription_record  JSON
//   mqtt/retained/<tenant>/<topic>               retained_record       framed, see below
//   topic-binding/<tenant>/<mqtt filter>         topic_binding_record  JSON
//
// The filter in a subscription key is the filter as the client sent it,
// including "$share/<group>/"; the topic in a retained key is the whole topic
// name as one part ("a/b" -> "a%2Fb"). The records repeat their key parts,
// so a value can be decoded without its key.
//
// Values: JSON objects with a format version {"v":1, ...}; every field is
// required (defaults are applied when building records, not when reading).
// Unknown fields are ignored so that a newer writer's extra fields do not
// break an older reader. Retained messages carry arbitrary binary payloads,
// so their value is framed instead of being pure JSON:
//
//   byte 0      frame version, 1 (later versions stay below 0x20, so a byte
//               like '{' is recognisably not a frame)
//   bytes 1..4  N, big-endian uint32: length of the JSON header
//   N bytes     JSON header: everything but the payload; binary properties
//               (correlation_data) are base64 there
//   the rest    the payload, raw
//
// Decoding never throws: any malformed value is errc::corruption; a newer
// format version is errc::unsupported. Encoding fails with invalid_argument
// only when a string that must be UTF-8 (everything but payload and
// correlation data) is not.
//
// Everything here is a pure function of its arguments: any thread.

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"
#include "meta/meta_store.h"

namespace robust::meta {

// ---- records ----------------------------------------------------------------

/// A topic: the unit every protocol publishes to and the journal stores.
struct topic_record {
    std::string tenant;
    std::string name;
    uint32_t partitions = 1;
    std::string storage = "rocksdb";  // journal engine: "rocksdb" | "memory"
    std::string durability = "wal";   // "none" | "wal" | "fsync"
    int64_t retention_ms = 0;         // 0: unlimited
    int64_t retention_bytes = 0;      // 0: unlimited
    int64_t created_ms = 0;
    // Recorded by an MQTT publish (the MQTT topic space): its messages live
    // in the shared "$mqtt/messages/<n>" shards, so it has no shards of its
    // own and is not a Kafka topic (topic_catalog leaves it out).
    bool mqtt = false;

    friend bool operator==(const topic_record&, const topic_record&) = default;
};

/// A persistent MQTT session (clean start = 0 or session expiry > 0).
struct mqtt_session_record {
    std::string tenant;
    std::string client_id;
    uint8_t protocol_version = 5;  // 3 (3.1), 4 (3.1.1) or 5
    uint32_t session_expiry_s = 0;
    int64_t disconnected_at_ms = 0;  // 0: connected now
    uint64_t inbox_shard = 0;        // the journal shard holding its queued messages
    std::string node;                // the node the client is (or was last) connected to

    friend bool operator==(const mqtt_session_record&, const mqtt_session_record&) = default;
};

/// One subscription of a persistent session, with its MQTT 5 options.
struct mqtt_subscription_record {
    std::string tenant;
    std::string client_id;
    std::string filter;  // as sent, including "$share/<group>/" or "$queue/"
    uint8_t qos = 0;
    bool no_local = false;
    bool retain_as_published = false;
    uint8_t retain_handling = 0;
    uint32_t subscription_id = 0;  // 0: none

    friend bool operator==(const mqtt_subscription_record&,
                           const mqtt_subscription_record&) = default;
};

/// The MQTT 5 PUBLISH properties a retained message is re-sent with.
struct retained_properties {
    std::optional<uint8_t> payload_format_indicator;
    std::optional<std::string> content_type;
    std::optional<std::string> response_topic;
    std::optional<std::string> correlation_data;                       // binary
    std::vector<std::pair<std::string, std::string>> user_properties;  // order kept

    friend bool operator==(const retained_properties&, const retained_properties&) = default;
};

/// The retained message of one topic.
struct retained_record {
    std::string tenant;
    std::string topic;
    std::string payload;  // binary
    uint8_t qos = 0;
    int64_t stored_ms = 0;
    uint32_t message_expiry_s = 0;  // 0: never expires
    retained_properties properties;

    friend bool operator==(const retained_record&, const retained_record&) = default;
};

/// An MQTT topic filter bound to a Kafka topic of the same tenant: MQTT
/// publishes matching the filter are stored in the Kafka topic, and records
/// produced to it reach MQTT subscribers (docs/kafka.md, "MQTT and Kafka").
struct topic_binding_record {
    std::string tenant;
    std::string mqtt_filter;
    std::string kafka_topic;
    int64_t created_ms = 0;

    friend bool operator==(const topic_binding_record&, const topic_binding_record&) = default;
};

// ---- keys ---------------------------------------------------------------------

/// '%' -> "%25", '/' -> "%2F"; every other byte unchanged.
std::string escape_key_part(std::string_view part);
/// The inverse. Errors: corruption (a '%' not followed by "25" or "2F").
result<std::string> unescape_key_part(std::string_view part);
/// `prefix` followed by the escaped parts joined with '/'
/// (join_key("auth/user/", {"t", "a/b"}) == "auth/user/t/a%2Fb").
std::string join_key(std::string_view prefix, std::initializer_list<std::string_view> parts);
/// Splits a key at '/' and unescapes each part
/// ("mqtt/sub/t/a%2Fb/x" -> {"mqtt","sub","t","a/b","x"}). Errors: corruption.
result<std::vector<std::string>> split_key(std::string_view key);

namespace keys {

inline constexpr std::string_view topics = "topic/";
inline constexpr std::string_view mqtt_sessions = "mqtt/session/";
inline constexpr std::string_view mqtt_subscriptions = "mqtt/sub/";
inline constexpr std::string_view mqtt_retained = "mqtt/retained/";
inline constexpr std::string_view topic_bindings = "topic-binding/";

std::string topic(std::string_view tenant, std::string_view name);
/// Prefix of every topic of one tenant.
std::string topics_of(std::string_view tenant);

std::string mqtt_session(std::string_view tenant, std::string_view client_id);
std::string mqtt_sessions_of(std::string_view tenant);

std::string mqtt_subscription(std::string_view tenant, std::string_view client_id,
                              std::string_view filter);
/// Prefix of every subscription of one client.
std::string mqtt_subscriptions_of(std::string_view tenant, std::string_view client_id);

std::string mqtt_retained_message(std::string_view tenant, std::string_view topic);
std::string mqtt_retained_of(std::string_view tenant);

std::string topic_binding(std::string_view tenant, std::string_view mqtt_filter);

}  // namespace keys

/// The key a record is stored under.
std::string key_of(const topic_record& r);
std::string key_of(const mqtt_session_record& r);
std::string key_of(const mqtt_subscription_record& r);
std::string key_of(const retained_record& r);
std::string key_of(const topic_binding_record& r);

// ---- values -------------------------------------------------------------------

/// Errors: invalid_argument (a text field is not valid UTF-8); for a
/// retained record also too_large (JSON header over 4 GiB).
result<std::string> encode(const topic_record& r);
result<std::string> encode(const mqtt_session_record& r);
result<std::string> encode(const mqtt_subscription_record& r);
result<std::string> encode(const retained_record& r);
result<std::string> encode(const topic_binding_record& r);

/// Errors: corruption (malformed value), unsupported (newer format version).
result<topic_record> decode_topic_record(std::string_view value);
result<mqtt_session_record> decode_mqtt_session_record(std::string_view value);
result<mqtt_subscription_record> decode_mqtt_subscription_record(std::string_view value);
result<retained_record> decode_retained_record(std::string_view value);
result<topic_binding_record> decode_topic_binding_record(std::string_view value);

/// A put of the record under its key, for write() / apply_async() batches
/// (an I/O thread persists through apply_async, never through a repo).
/// Errors: as encode().
template <class Record>
result<mutation> put_mutation(const Record& r) {
    auto value = encode(r);
    if (!value.has_value()) return value.error();
    return mutation{key_of(r), std::move(*value)};
}

/// A delete of `key`, for batches.
inline mutation erase_mutation(std::string key) {
    return mutation{std::move(key), std::nullopt};
}

}  // namespace robust::meta
