#include "meta/repositories.h"

#include <spdlog/spdlog.h>

#include <cstdint>
#include <utility>

namespace robust::meta {
namespace {

template <class Record>
status put_record(meta_store& store, const Record& r) {
    auto m = put_mutation(r);
    if (!m.has_value()) return m.error();
    return store.put(m->key, *m->value);
}

template <class Record>
result<Record> decode_logged(std::string_view key, std::string_view value,
                             result<Record> (*decode)(std::string_view)) {
    auto r = decode(value);
    if (!r.has_value()) {
        spdlog::error("meta: cannot decode the value of '{}': {}", key, r.error().message());
    }
    return r;
}

template <class Record>
result<std::optional<Record>> get_record(const meta_store& store, const std::string& key,
                                         result<Record> (*decode)(std::string_view)) {
    auto value = store.get(key);
    if (!value.has_value()) return value.error();
    if (!value->has_value()) return std::optional<Record>();
    auto r = decode_logged(key, **value, decode);
    if (!r.has_value()) return r.error();
    return std::optional<Record>(std::move(*r));
}

template <class Record>
result<page<Record>> list_records(const meta_store& store, std::string_view prefix, size_t limit,
                                  std::string_view cursor,
                                  result<Record> (*decode)(std::string_view)) {
    auto rows = store.scan(prefix, limit, cursor);
    if (!rows.has_value()) return rows.error();
    page<Record> out;
    out.items.reserve(rows->size());
    for (const auto& [key, value] : *rows) {
        auto r = decode_logged(key, value, decode);
        if (!r.has_value()) return r.error();
        out.items.push_back(std::move(*r));
    }
    if (limit > 0 && rows->size() == limit) out.next_cursor = rows->back().first;
    return out;
}

}  // namespace

// ---- topic_repo ---------------------------------------------------------------

status topic_repo::put(const topic_record& r) {
    return put_record(store_, r);
}

result<std::optional<topic_record>> topic_repo::get(std::string_view tenant,
                                                    std::string_view name) const {
    return get_record(store_, keys::topic(tenant, name), &decode_topic_record);
}

status topic_repo::erase(std::string_view tenant, std::string_view name) {
    return store_.erase(keys::topic(tenant, name));
}

result<page<topic_record>> topic_repo::list_by_tenant(std::string_view tenant, size_t limit,
                                                      std::string_view cursor) const {
    return list_records(store_, keys::topics_of(tenant), limit, cursor, &decode_topic_record);
}

result<page<topic_record>> topic_repo::list_all(size_t limit, std::string_view cursor) const {
    return list_records(store_, keys::topics, limit, cursor, &decode_topic_record);
}

// ---- mqtt_session_repo ----------------------------------------------------------

status mqtt_session_repo::put(const mqtt_session_record& r) {
    return put_record(store_, r);
}

result<std::optional<mqtt_session_record>> mqtt_session_repo::get(
    std::string_view tenant, std::string_view client_id) const {
    return get_record(store_, keys::mqtt_session(tenant, client_id), &decode_mqtt_session_record);
}

status mqtt_session_repo::erase(std::string_view tenant, std::string_view client_id) {
    return store_.erase(keys::mqtt_session(tenant, client_id));
}

result<page<mqtt_session_record>> mqtt_session_repo::list_by_tenant(std::string_view tenant,
                                                                    size_t limit,
                                                                    std::string_view cursor) const {
    return list_records(store_, keys::mqtt_sessions_of(tenant), limit, cursor,
                        &decode_mqtt_session_record);
}

result<page<mqtt_session_record>> mqtt_session_repo::list_all(size_t limit,
                                                              std::string_view cursor) const {
    return list_records(store_, keys::mqtt_sessions, limit, cursor, &decode_mqtt_session_record);
}

status mqtt_session_repo::put_subscription(const mqtt_subscription_record& r) {
    return put_record(store_, r);
}

status mqtt_session_repo::erase_subscription(std::string_view tenant, std::string_view client_id,
                                             std::string_view filter) {
    return store_.erase(keys::mqtt_subscription(tenant, client_id, filter));
}

result<std::vector<mqtt_subscription_record>> mqtt_session_repo::list_for_client(
    std::string_view tenant, std::string_view client_id) const {
    auto p = list_records(store_, keys::mqtt_subscriptions_of(tenant, client_id), SIZE_MAX, {},
                          &decode_mqtt_subscription_record);
    if (!p.has_value()) return p.error();
    return std::move(p->items);
}

result<page<mqtt_subscription_record>> mqtt_session_repo::list_all_subscriptions(
    size_t limit, std::string_view cursor) const {
    return list_records(store_, keys::mqtt_subscriptions, limit, cursor,
                        &decode_mqtt_subscription_record);
}

result<std::vector<mutation>> mqtt_session_repo::subscription_erasures(
    std::string_view tenant, std::string_view client_id) const {
    auto rows = store_.scan(keys::mqtt_subscriptions_of(tenant, client_id));
    if (!rows.has_value()) return rows.error();
    std::vector<mutation> batch;
    batch.reserve(rows->size() + 1);
    for (auto& [key, value] : *rows) batch.push_back(erase_mutation(std::move(key)));
    return batch;
}

status mqtt_session_repo::erase_all_for_client(std::string_view tenant,
                                               std::string_view client_id) {
    auto batch = subscription_erasures(tenant, client_id);
    if (!batch.has_value()) return batch.error();
    return store_.write(std::move(*batch));
}

status mqtt_session_repo::erase_with_subscriptions(std::string_view tenant,
                                                   std::string_view client_id) {
    auto batch = subscription_erasures(tenant, client_id);
    if (!batch.has_value()) return batch.error();
    batch->push_back(erase_mutation(keys::mqtt_session(tenant, client_id)));
    return store_.write(std::move(*batch));
}

// ---- retained_repo --------------------------------------------------------------

status retained_repo::put(const retained_record& r) {
    return put_record(store_, r);
}

result<std::optional<retained_record>> retained_repo::get(std::string_view tenant,
                                                          std::string_view topic) const {
    return get_record(store_, keys::mqtt_retained_message(tenant, topic), &decode_retained_record);
}

status retained_repo::erase(std::string_view tenant, std::string_view topic) {
    return store_.erase(keys::mqtt_retained_message(tenant, topic));
}

result<page<retained_record>> retained_repo::list_by_tenant(std::string_view tenant, size_t limit,
                                                            std::string_view cursor) const {
    return list_records(store_, keys::mqtt_retained_of(tenant), limit, cursor,
                        &decode_retained_record);
}

result<page<retained_record>> retained_repo::list_all(size_t limit, std::string_view cursor) const {
    return list_records(store_, keys::mqtt_retained, limit, cursor, &decode_retained_record);
}

}  // namespace robust::meta
