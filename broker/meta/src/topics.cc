#include "meta/topics.h"

#include <vector>

#include "base/errc.h"
#include "meta/repositories.h"

namespace robust::meta {

bool valid_kafka_topic_name(std::string_view name) noexcept {
    if (name.empty() || name.size() > 249 || name == "." || name == "..") return false;
    for (char c : name) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
        if (!ok) return false;
    }
    return true;
}

std::string topic_shard_name(std::string_view tenant, std::string_view name, uint32_t partition) {
    return "topic/" + escape_key_part(tenant) + "/" + escape_key_part(name) + "/" +
           std::to_string(partition);
}

storage::shard_options topic_shard_options(const topic_record& t) {
    storage::shard_options o;
    o.retention.max_age_ms = t.retention_ms;
    o.retention.max_bytes = t.retention_bytes;
    return o;
}

status create_topic(meta_store& store, storage::journal& journal, const topic_record& t) {
    if (t.partitions == 0) return errc::invalid_argument;
    auto value = encode(t);
    if (!value.has_value()) return value.error();
    // A name only MQTT publishes have recorded (record.mqtt) may still become
    // a real topic: that record is replaced, anything else is kept.
    std::optional<std::string> expected;
    auto current = store.get(key_of(t));
    if (!current.has_value()) return current.error();
    if (*current) {
        auto existing = decode_topic_record(**current);
        if (!existing.has_value() || !existing->mqtt) return errc::already_exists;
        expected = *current;
    }
    auto created = store.compare_and_set(key_of(t), expected, *value);
    if (!created.has_value()) return created.error();
    if (!*created) return errc::already_exists;
    const storage::shard_options opts = topic_shard_options(t);
    std::vector<storage::shard_id> shards;
    for (uint32_t p = 0; p < t.partitions; ++p) {
        auto id = journal.create_shard(topic_shard_name(t.tenant, t.name, p), opts);
        if (!id.has_value()) {
            for (auto s : shards) ignore_result(journal.delete_shard(s));
            ignore_result(store.erase(key_of(t)));
            return id.error();
        }
        shards.push_back(*id);
    }
    return {};
}

status delete_topic(meta_store& store, storage::journal& journal, std::string_view tenant,
                    std::string_view name) {
    topic_repo repo(store);
    auto t = repo.get(tenant, name);
    if (!t.has_value()) return t.error();
    if (!*t) return errc::not_found;
    for (uint32_t p = 0; p < (*t)->partitions; ++p) {
        auto id = journal.find_shard(topic_shard_name(tenant, name, p));
        if (!id.has_value()) continue;
        if (auto s = journal.delete_shard(*id);
            !s.has_value() && s.error() != make_error_code(errc::not_found)) {
            return s;
        }
    }
    return repo.erase(tenant, name);
}

status add_partitions(meta_store& store, storage::journal& journal, std::string_view tenant,
                      std::string_view name, uint32_t partitions) {
    topic_repo repo(store);
    auto t = repo.get(tenant, name);
    if (!t.has_value()) return t.error();
    if (!*t) return errc::not_found;
    topic_record r = **t;
    if (partitions <= r.partitions) return errc::invalid_argument;
    const storage::shard_options opts = topic_shard_options(r);
    for (uint32_t p = r.partitions; p < partitions; ++p) {
        auto id = journal.create_shard(topic_shard_name(tenant, name, p), opts);
        if (!id.has_value()) return id.error();
    }
    r.partitions = partitions;
    return repo.put(r);
}

}  // namespace robust::meta
