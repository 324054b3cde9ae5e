#include "kafka_records.h"

#include "message_record.h"
#include "router/topic.h"
#include "tenant_scope.h"

namespace robust::mqtt {

std::optional<std::string> mqtt_topic_for(const meta::topic_binding_record& b,
                                          const std::optional<std::string>& key) {
    if (key && router::is_valid_topic_name(*key) && !is_reserved_topic(*key) &&
        router::topic_matches(b.mqtt_filter, *key)) {
        return *key;
    }
    if (b.mqtt_filter.find_first_of("+#") == std::string::npos) return b.mqtt_filter;
    return std::nullopt;
}

message_ptr message_from_kafka(const meta::topic_binding_record& b,
                               const kafka::codec::batch_record& r, int64_t timestamp_ms) {
    auto topic = mqtt_topic_for(b, r.key);
    if (!topic) return nullptr;
    storage::record rec;
    rec.timestamp_ms = timestamp_ms;
    rec.value = shared_buffer(r.value.value_or(std::string()));
    bool has_qos = false;
    rec.headers.reserve(r.headers.size());
    for (const auto& h : r.headers) {
        has_qos = has_qos || h.key == "mqtt.qos";
        rec.headers.push_back({h.key, h.value.value_or(std::string())});
    }
    auto parsed = from_record(rec);
    // A reserved header that does not parse: the record is still delivered,
    // with its payload, as QoS 1 and without the MQTT metadata.
    auto m = parsed ? std::make_shared<message>(**parsed) : std::make_shared<message>();
    if (!parsed) {
        m->payload = rec.value;
        m->timestamp_ms = timestamp_ms;
        has_qos = false;
    }
    m->topic = scoped_topic(b.tenant, *topic);
    if (!has_qos) m->qos = qos_level::at_least_once;
    m->retain = false;
    return m;
}

result<std::vector<std::pair<int64_t, message_ptr>>> messages_of_batch(
    const storage::record& batch, const meta::topic_binding_record& b, int64_t from) {
    namespace kc = kafka::codec;
    const kc::batch_limits limits;
    auto batches = kc::split_fetched_batches(batch.value.view(), limits);
    if (!batches) return batches.error();
    std::vector<std::pair<int64_t, message_ptr>> out;
    for (const auto& v : *batches) {
        auto records = kc::decode_records(v, limits);
        if (!records) return records.error();
        // The stored batch's own base offset field is the producer's; the
        // journal's offset of the record is the truth.
        for (const auto& r : *records) {
            const int64_t offset = batch.offset + r.offset_delta;
            if (offset < from) continue;
            const int64_t ts = v.header.ts_type() == kc::timestamp_type::log_append_time
                                   ? v.header.max_timestamp
                                   : v.header.base_timestamp + r.timestamp_delta;
            out.emplace_back(offset, message_from_kafka(b, r, ts));
        }
    }
    return out;
}

}  // namespace robust::mqtt
