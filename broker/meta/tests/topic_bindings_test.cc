#include "meta/topic_bindings.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "base/errc.h"
#include "meta/topic_catalog.h"
#include "meta/topics.h"

namespace robust::meta {
namespace {

topic_binding_record binding(std::string filter, std::string kafka,
                             std::string tenant = "default") {
    return topic_binding_record{std::move(tenant), std::move(filter), std::move(kafka), 1};
}

topic_record topic_for(const topic_binding_record& b, uint32_t partitions = 3) {
    topic_record t;
    t.tenant = b.tenant;
    t.name = b.kafka_topic;
    t.partitions = partitions;
    return t;
}

TEST(TopicBindingCheck, AcceptsPlainAndWildcardFilters) {
    EXPECT_FALSE(check_binding(binding("sensors/#", "sensors"), {}));
    EXPECT_FALSE(check_binding(binding("factory/+/temp", "temps"), {}));
    EXPECT_FALSE(check_binding(binding("a", "a.b_c-1"), {}));
}

TEST(TopicBindingCheck, NamesTheBadField) {
    struct bad {
        topic_binding_record b;
        std::string field;
    };
    const std::vector<bad> cases = {
        {binding("sensors/#/x", "s"), "mqtt_filter"},  // '#' not last
        {binding("", "s"), "mqtt_filter"},             // empty
        {binding("$share/g/sensors/#", "s"), "mqtt_filter"},
        {binding("$queue/sensors", "s"), "mqtt_filter"},
        {binding("$tenant/acme/x", "s"), "mqtt_filter"},
        {binding("sensors/#", "has/slash"), "kafka_topic"},
        {binding("sensors/#", ".."), "kafka_topic"},
        {binding("sensors/#", std::string(250, 'a')), "kafka_topic"},
    };
    for (const auto& c : cases) {
        auto p = check_binding(c.b, {});
        ASSERT_TRUE(p) << c.b.mqtt_filter << " -> " << c.b.kafka_topic;
        EXPECT_EQ(p->field, c.field) << p->message;
        EXPECT_FALSE(p->message.empty());
    }
}

TEST(TopicBindingCheck, OneKafkaTopicPerMqttTopic) {
    const std::vector<topic_binding_record> existing = {binding("sensors/#", "sensors")};
    // Same binding again: fine (idempotent).
    EXPECT_FALSE(check_binding(binding("sensors/#", "sensors"), existing));
    // The same filter to another topic, or a filter sharing topics: refused.
    auto again = check_binding(binding("sensors/#", "other"), existing);
    ASSERT_TRUE(again);
    EXPECT_NE(again->message.find("already bound"), std::string::npos) << again->message;
    auto overlap = check_binding(binding("sensors/+/temp", "temps"), existing);
    ASSERT_TRUE(overlap);
    EXPECT_NE(overlap->message.find("overlaps"), std::string::npos) << overlap->message;
    // Disjoint filters and other tenants' filters do not collide.
    EXPECT_FALSE(check_binding(binding("factory/#", "factory"), existing));
    EXPECT_FALSE(check_binding(binding("sensors/#", "other", "acme"), existing));
}

TEST(TopicBindings, CreateListDeleteAndTheKafkaTopicIsMade) {
    auto store = make_memory_meta_store();
    auto journal = storage::make_memory_journal();
    const auto b = binding("sensors/#", "sensors");
    ASSERT_TRUE(create_binding(*store, *journal, b, topic_for(b)));
    // The Kafka topic exists with its shards.
    EXPECT_TRUE(journal->find_shard(topic_shard_name("default", "sensors", 2)).has_value());
    // Idempotent; another topic for the same filter is refused.
    EXPECT_TRUE(create_binding(*store, *journal, b, topic_for(b)));
    auto other = binding("sensors/#", "other");
    EXPECT_EQ(create_binding(*store, *journal, other, topic_for(other)).error(),
              make_error_code(errc::already_exists));

    const auto b2 = binding("x/y", "xy", "acme");
    ASSERT_TRUE(create_binding(*store, *journal, b2, topic_for(b2, 1)));
    auto all = list_bindings(*store, "");
    ASSERT_TRUE(all);
    ASSERT_EQ(all->size(), 2u);
    auto acme = list_bindings(*store, "acme");
    ASSERT_TRUE(acme);
    ASSERT_EQ(acme->size(), 1u);
    EXPECT_EQ(acme->front(), b2);

    ASSERT_TRUE(delete_binding(*store, "default", "sensors/#"));
    EXPECT_EQ(delete_binding(*store, "default", "sensors/#").error(),
              make_error_code(errc::not_found));
    // Unbinding keeps the Kafka topic and its data.
    EXPECT_TRUE(journal->find_shard(topic_shard_name("default", "sensors", 0)).has_value());
    EXPECT_EQ(list_bindings(*store, "")->size(), 1u);
}

TEST(TopicBindings, AnExistingKafkaTopicIsKept) {
    auto store = make_memory_meta_store();
    auto journal = storage::make_memory_journal();
    const auto b = binding("orders/#", "orders");
    ASSERT_TRUE(create_topic(*store, *journal, topic_for(b, 5)));
    ASSERT_TRUE(create_binding(*store, *journal, b, topic_for(b, 1)));
    topic_catalog catalog(*store, *journal);
    ASSERT_TRUE(catalog.start());
    auto t = catalog.find("default", "orders");
    ASSERT_TRUE(t);
    EXPECT_EQ(t->shards.size(), 5u);
}

TEST(TopicCatalog, LeavesOutMqttTopicsUntilOneBecomesAKafkaTopic) {
    auto store = make_memory_meta_store();
    auto journal = storage::make_memory_journal();
    topic_catalog catalog(*store, *journal);
    ASSERT_TRUE(catalog.start());
    topic_record m;
    m.tenant = "default";
    m.name = "orders";
    m.mqtt = true;
    ASSERT_TRUE(store->put(key_of(m), *encode(m)));
    EXPECT_FALSE(catalog.find("default", "orders"));
    EXPECT_TRUE(journal->list_shards().empty());  // no shard for an MQTT topic
    // Creating the Kafka topic replaces the MQTT record; a real topic is kept.
    topic_record k;
    k.tenant = "default";
    k.name = "orders";
    k.partitions = 3;
    ASSERT_TRUE(create_topic(*store, *journal, k));
    auto e = catalog.find("default", "orders");
    ASSERT_TRUE(e);
    EXPECT_EQ(e->shards.size(), 3u);
    EXPECT_EQ(create_topic(*store, *journal, k).error(), errc::already_exists);
    catalog.stop();
}

TEST(TopicCatalog, FollowsChangesAndTellsTheListener) {
    auto store = make_memory_meta_store();
    auto journal = storage::make_memory_journal();
    topic_catalog catalog(*store, *journal);
    int changes = 0;
    catalog.on_change([&] { ++changes; });
    ASSERT_TRUE(catalog.start());
    const int after_start = changes;
    topic_record t;
    t.tenant = "default";
    t.name = "grow";
    t.partitions = 1;
    ASSERT_TRUE(create_topic(*store, *journal, t));
    ASSERT_TRUE(add_partitions(*store, *journal, "default", "grow", 4));
    auto e = catalog.find("default", "grow");
    ASSERT_TRUE(e);
    EXPECT_EQ(e->shards.size(), 4u);
    EXPECT_EQ(catalog.list("default").size(), 1u);
    ASSERT_TRUE(delete_topic(*store, *journal, "default", "grow"));
    EXPECT_FALSE(catalog.find("default", "grow"));
    EXPECT_GE(changes - after_start, 3);
    catalog.stop();
}

}  // namespace
}  // namespace robust::meta
