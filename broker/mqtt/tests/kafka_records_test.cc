// Kafka records of a bound topic as MQTT messages (docs/kafka.md, "MQTT and
// Kafka on one topic").

#include "kafka_records.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "kafka/codec/record_batch.h"

namespace robust::mqtt {
namespace {

namespace kc = kafka::codec;

meta::topic_binding_record binding(std::string filter, std::string tenant = "default") {
    return meta::topic_binding_record{std::move(tenant), std::move(filter), "sensors", 1};
}

kc::batch_record kafka_record(std::optional<std::string> key, std::string value,
                              std::vector<kc::record_header> headers = {}, int32_t delta = 0) {
    kc::batch_record r;
    r.key = std::move(key);
    r.value = std::move(value);
    r.headers = std::move(headers);
    r.offset_delta = delta;
    r.timestamp_delta = delta;
    return r;
}

TEST(MqttKafkaRecords, TopicIsTheKeyWhenTheFilterMatchesIt) {
    const auto b = binding("sensors/#");
    EXPECT_EQ(mqtt_topic_for(b, std::string("sensors/room1/temp")), "sensors/room1/temp");
    // Not matched, not a topic name, null, reserved: no MQTT topic for a
    // wildcard filter.
    EXPECT_EQ(mqtt_topic_for(b, std::string("other/x")), std::nullopt);
    EXPECT_EQ(mqtt_topic_for(b, std::string("sensors/+")), std::nullopt);
    EXPECT_EQ(mqtt_topic_for(b, std::nullopt), std::nullopt);
    EXPECT_EQ(mqtt_topic_for(binding("#"), std::string("$tenant/acme/x")), std::nullopt);
}

TEST(MqttKafkaRecords, AFilterWithoutWildcardsIsTheTopicOfEveryRecord) {
    const auto b = binding("orders/new");
    EXPECT_EQ(mqtt_topic_for(b, std::string("order-42")), "orders/new");
    EXPECT_EQ(mqtt_topic_for(b, std::nullopt), "orders/new");
    EXPECT_EQ(mqtt_topic_for(b, std::string("orders/new")), "orders/new");
}

TEST(MqttKafkaRecords, HeadersBecomePropertiesAndQosDefaultsToOne) {
    const auto b = binding("sensors/#", "acme");
    auto m = message_from_kafka(
        b, kafka_record("sensors/a", "21.5", {{"unit", "C"}, {"mqtt.content_type", "text/plain"}}),
        1000);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->topic, "$tenant/acme/sensors/a");  // scoped to the binding's tenant
    EXPECT_EQ(m->payload.view(), "21.5");
    EXPECT_EQ(m->qos, qos_level::at_least_once);
    EXPECT_FALSE(m->retain);
    EXPECT_EQ(m->timestamp_ms, 1000);
    ASSERT_EQ(m->props.user_properties.size(), 1u);
    EXPECT_EQ(m->props.user_properties[0].key, "unit");
    EXPECT_EQ(m->props.content_type, "text/plain");

    // mqtt.qos is honoured; mqtt.retain is not (a Kafka record never
    // replaces a retained message); a null value is an empty payload.
    auto q0 = message_from_kafka(
        b, kafka_record("sensors/b", "", {{"mqtt.qos", "0"}, {"mqtt.retain", "1"}}), 0);
    ASSERT_TRUE(q0);
    EXPECT_EQ(q0->qos, qos_level::at_most_once);
    EXPECT_FALSE(q0->retain);
    auto null_value = kafka_record("sensors/c", "");
    null_value.value.reset();
    auto n = message_from_kafka(b, null_value, 0);
    ASSERT_TRUE(n);
    EXPECT_TRUE(n->payload.view().empty());

    // A reserved header that does not parse: still delivered, as QoS 1.
    auto bad = message_from_kafka(b, kafka_record("sensors/d", "x", {{"mqtt.qos", "9"}}), 0);
    ASSERT_TRUE(bad);
    EXPECT_EQ(bad->qos, qos_level::at_least_once);
    EXPECT_EQ(bad->payload.view(), "x");

    EXPECT_FALSE(message_from_kafka(b, kafka_record("elsewhere", "x"), 0));
}

TEST(MqttKafkaRecords, ABatchExpandsFromAnOffsetWithJournalOffsets) {
    std::vector<kc::batch_record> records = {
        kafka_record("sensors/a", "0", {}, 0),
        kafka_record("unmapped", "1", {}, 1),
        kafka_record("sensors/c", "2", {}, 2),
    };
    kc::batch_build_options o;
    o.compression = kc::compression_type::lz4;
    o.base_offset = 0;  // as the producer sent it: the journal's offset wins
    o.base_timestamp = 5000;
    storage::record stored;
    stored.format = storage::record_format::kafka_batch;
    stored.offset = 40;
    stored.offset_count = 3;
    stored.value = shared_buffer(kc::build_batch(records, o));

    auto all = messages_of_batch(stored, binding("sensors/#"), 40);
    ASSERT_TRUE(all) << all.error().message();
    ASSERT_EQ(all->size(), 3u);
    EXPECT_EQ((*all)[0].first, 40);
    ASSERT_TRUE((*all)[0].second);
    EXPECT_EQ((*all)[0].second->topic, "sensors/a");
    EXPECT_EQ((*all)[0].second->timestamp_ms, 5000);
    EXPECT_EQ((*all)[1].first, 41);
    EXPECT_FALSE((*all)[1].second);  // no MQTT topic
    EXPECT_EQ((*all)[2].first, 42);
    EXPECT_EQ((*all)[2].second->payload.view(), "2");
    EXPECT_EQ((*all)[2].second->timestamp_ms, 5002);

    auto tail = messages_of_batch(stored, binding("sensors/#"), 42);
    ASSERT_TRUE(tail);
    ASSERT_EQ(tail->size(), 1u);
    EXPECT_EQ(tail->front().first, 42);

    storage::record broken = stored;
    std::string bytes(stored.value.view());
    bytes[bytes.size() - 1] ^= 0x5a;
    broken.value = shared_buffer(std::move(bytes));
    EXPECT_FALSE(messages_of_batch(broken, binding("sensors/#"), 40));
}

}  // namespace
}  // namespace robust::mqtt
