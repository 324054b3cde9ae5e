#include "meta/topic_bindings.h"

#include "base/errc.h"
#include "meta/repositories.h"
#include "meta/topics.h"
#include "router/topic.h"

namespace robust::meta {

std::optional<binding_problem> check_binding(const topic_binding_record& b,
                                             std::span<const topic_binding_record> existing) {
    const std::string_view f = b.mqtt_filter;
    if (!router::is_valid_topic_filter(f)) {
        return binding_problem{"mqtt_filter",
                               "\"" + b.mqtt_filter +
                                   "\" is not a valid MQTT topic filter (use '+' and '#' as "
                                   "whole levels, '#' last)"};
    }
    if (router::is_shared_filter(f) || f.starts_with("$tenant/") || f == "$tenant") {
        return binding_problem{"mqtt_filter",
                               "a binding names plain topics: no $share/, $queue/ or $tenant/"};
    }
    if (!valid_kafka_topic_name(b.kafka_topic)) {
        return binding_problem{"kafka_topic", "\"" + b.kafka_topic +
                                                  "\" is not a valid Kafka topic name "
                                                  "(1-249 characters of a-z A-Z 0-9 . _ -)"};
    }
    for (const auto& e : existing) {
        if (e.tenant != b.tenant) continue;
        if (e.mqtt_filter == b.mqtt_filter) {
            if (e.kafka_topic == b.kafka_topic) continue;
            return binding_problem{"mqtt_filter", "\"" + b.mqtt_filter +
                                                      "\" is already bound to Kafka topic \"" +
                                                      e.kafka_topic + "\"; unbind it first"};
        }
        if (router::filters_overlap(e.mqtt_filter, b.mqtt_filter)) {
            return binding_problem{"mqtt_filter", "\"" + b.mqtt_filter + "\" overlaps \"" +
                                                      e.mqtt_filter + "\" (bound to \"" +
                                                      e.kafka_topic +
                                                      "\"): an MQTT topic may be bound to one "
                                                      "Kafka topic only"};
        }
    }
    return std::nullopt;
}

result<std::vector<topic_binding_record>> list_bindings(meta_store& store,
                                                        std::string_view tenant) {
    const std::string prefix = tenant.empty() ? std::string(keys::topic_bindings)
                                              : join_key(keys::topic_bindings, {tenant, ""});
    auto rows = store.scan(prefix);
    if (!rows) return rows.error();
    std::vector<topic_binding_record> out;
    out.reserve(rows->size());
    for (const auto& row : *rows) {
        auto r = decode_topic_binding_record(row.second);
        if (!r) return r.error();
        out.push_back(std::move(*r));
    }
    return out;
}

status create_binding(meta_store& store, storage::journal& journal, const topic_binding_record& b,
                      const topic_record& topic) {
    if (auto s = create_topic(store, journal, topic);
        !s && s.error() != make_error_code(errc::already_exists)) {
        return s;
    }
    auto value = encode(b);
    if (!value) return value.error();
    const std::string key = key_of(b);
    auto created = store.compare_and_set(key, std::nullopt, *value);
    if (!created) return created.error();
    if (*created) return {};
    // Already there: the same binding again is not an error.
    auto current = store.get(key);
    if (!current) return current.error();
    if (*current) {
        auto r = decode_topic_binding_record(**current);
        if (r && r->kafka_topic == b.kafka_topic) return {};
    }
    return errc::already_exists;
}

status delete_binding(meta_store& store, std::string_view tenant, std::string_view mqtt_filter) {
    const std::string key = keys::topic_binding(tenant, mqtt_filter);
    auto current = store.get(key);
    if (!current) return current.error();
    if (!*current) return errc::not_found;
    return store.erase(key);
}

}  // namespace robust::meta
