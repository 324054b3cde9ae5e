#pragma once
// Kernel topics: a topic record in the meta store plus one journal shard per
// partition. Every protocol and the admin API create, grow and delete topics
// through these functions, so a topic made by one is complete for all.
//
// Shard naming: partition p of topic (tenant, name) is the journal shard
// "topic/<tenant>/<name>/<p>", tenant and name escaped as in meta keys
// (escape_key_part), so "orders/eu" in tenant default, partition 2, is
// "topic/default/orders%2Feu/2".
//
// Threading: the functions block on the meta store and the journal: call
// them from a pool thread, never from an I/O thread.

#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"
#include "meta/meta_store.h"
#include "meta/model.h"
#include "storage/journal.h"

namespace robust::meta {

std::string topic_shard_name(std::string_view tenant, std::string_view name, uint32_t partition);

/// Kafka's topic name rule: 1..249 characters of [a-zA-Z0-9._-], and not
/// "." or "..".
bool valid_kafka_topic_name(std::string_view name) noexcept;

/// The journal options of a topic's shards (its retention).
storage::shard_options topic_shard_options(const topic_record& t);

/// Stores `t` if no topic of that tenant and name exists (atomically: of two
/// concurrent creates one gets already_exists), then creates its shards. If
/// a shard cannot be created the record and the shards made so far are
/// removed again. Errors: already_exists, invalid_argument (not UTF-8, zero
/// partitions), the store's and the journal's errors.
status create_topic(meta_store& store, storage::journal& journal, const topic_record& t);

/// Deletes the shards of every partition, then the record; absent shards are
/// skipped, so a repeated call finishes an interrupted one. Errors:
/// not_found (no such topic), the store's and the journal's errors.
status delete_topic(meta_store& store, storage::journal& journal, std::string_view tenant,
                    std::string_view name);

/// Grows a topic to `partitions` partitions (shards first, then the
/// record). Errors: not_found, invalid_argument (not more than it has), the
/// store's and the journal's errors.
status add_partitions(meta_store& store, storage::journal& journal, std::string_view tenant,
                      std::string_view name, uint32_t partitions);

}  // namespace robust::meta
