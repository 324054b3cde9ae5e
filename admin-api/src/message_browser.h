#pragma once
// The message browser behind GET /api/v1/messages: recent records of a
// topic, read from the journal through storage::journal only, and turned
// into messages (one per offset). Two kinds of topics:
//   - kernel topics (made by the admin API or a Kafka client, or bound to
//     MQTT): partition p is its own shard; a stored Kafka record batch is
//     opened (kafka::codec) and each record inside it becomes a message with
//     its own offset, key, headers and timestamp;
//   - topics only MQTT recorded: their QoS 1/2 messages share a shard
//     "$mqtt/messages/<n>" with other topics (keyed by the scoped topic
//     name; the broker says which shard), so the browser scans the newest
//     `scan_window` records of that shard and keeps the ones of this topic.
//     QoS 0 messages are never stored, so they are never shown.
//
// Pure functions over a journal: any thread, but they block on the journal
// (call them from the admin server's pool, never from an I/O thread).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"
#include "storage/journal.h"

namespace robust::admin::detail {

/// One message as the browser shows it. `key`/`value` are absent for Kafka
/// null keys/values; header values likewise.
struct browsed_message {
    int64_t offset = 0;
    int64_t timestamp_ms = 0;
    std::optional<std::string> key;
    std::vector<std::pair<std::string, std::optional<std::string>>> headers;
    std::optional<std::string> value;
};

struct browse_page {
    std::string shard;     // the shard read ("" when none was found)
    int64_t earliest = 0;  // first readable offset of that shard
    int64_t next_offset = 0;
    std::vector<browsed_message> messages;  // in offset order
};

/// Largest page; larger limits are the caller's 400.
inline constexpr size_t max_browse_limit = 500;
/// Records of each shared MQTT shard looked at for one MQTT topic.
inline constexpr int64_t default_scan_window = 10'000;

/// Up to `limit` messages of shard `id` starting at offset `from`, or, when
/// `from` is empty, the newest `limit` ones. `from` below earliest starts at
/// earliest. Errors: not_found (no such shard), the journal's io_error and
/// corruption; a Kafka batch that cannot be decoded is corruption.
result<browse_page> read_shard(const storage::journal& journal, storage::shard_id id,
                               std::optional<int64_t> from, size_t limit);

/// The messages keyed `key` in shard `id`, one of the shards shared by MQTT
/// topics ("$mqtt/messages/<n>", mqtt::broker::message_location_of): the
/// newest `limit`, or, when `from` is given, the first `limit` at or after
/// offset `from`; only the last `scan_window` records of the shard are
/// looked at. Errors: as read_shard().
result<browse_page> read_shared_shard(const storage::journal& journal, storage::shard_id id,
                                      std::string_view key, std::optional<int64_t> from,
                                      size_t limit, int64_t scan_window = default_scan_window);

}  // namespace robust::admin::detail
