// The topic-binding routes (/api/v1/topic-bindings) over HTTP against the
// real kernel in-process: create (the Kafka topic is made), validation with
// the field named, conflicts, listing per tenant, and delete.

#include "admin_fixture.h"
#include "meta/topics.h"

namespace robust::admin::test {
namespace {

class AdminTopicBindings : public admin_fixture {};

TEST_F(AdminTopicBindings, BindListUnbind) {
    auto r = post("/api/v1/topic-bindings",
                  {{"mqtt_filter", "sensors/#"}, {"kafka_topic", "sensors"}, {"partitions", 4}});
    ASSERT_EQ(r.status, 201) << r.body;
    EXPECT_EQ(r.json()["tenant"], "default");
    EXPECT_EQ(r.json()["mqtt_filter"], "sensors/#");
    EXPECT_EQ(r.json()["kafka_topic"], "sensors");
    EXPECT_GT(r.json()["created_ms"].get<int64_t>(), 0);
    // The Kafka topic exists with the partitions asked for.
    auto topic = get("/api/v1/topics/sensors");
    ASSERT_EQ(topic.status, 200) << topic.body;
    EXPECT_EQ(topic.json()["partitions"], 4);
    EXPECT_TRUE(journal_->find_shard(meta::topic_shard_name("default", "sensors", 3)).has_value());

    // The same binding again is fine; the filter to another topic is a conflict.
    EXPECT_EQ(
        post("/api/v1/topic-bindings", {{"mqtt_filter", "sensors/#"}, {"kafka_topic", "sensors"}})
            .status,
        201);
    auto conflict =
        post("/api/v1/topic-bindings", {{"mqtt_filter", "sensors/#"}, {"kafka_topic", "other"}});
    EXPECT_EQ(conflict.status, 409) << conflict.body;

    auto list = get("/api/v1/topic-bindings");
    ASSERT_EQ(list.status, 200) << list.body;
    ASSERT_EQ(list.json()["total"], 1);
    EXPECT_EQ(list.json()["items"][0]["kafka_topic"], "sensors");

    // The filter is the last path segment, percent-encoded ('/' and '#').
    EXPECT_EQ(del("/api/v1/topic-bindings/sensors%2F%23").status, 204);
    EXPECT_EQ(del("/api/v1/topic-bindings/sensors%2F%23").status, 404);
    EXPECT_EQ(get("/api/v1/topic-bindings").json()["total"], 0);
    // Unbinding keeps the Kafka topic.
    EXPECT_EQ(get("/api/v1/topics/sensors").status, 200);
}

TEST_F(AdminTopicBindings, BadBindingsNameTheField) {
    struct bad {
        nlohmann::json body;
        std::string field;
    };
    const std::vector<bad> cases = {
        {{{"mqtt_filter", "a/#/b"}, {"kafka_topic", "k"}}, "mqtt_filter"},
        {{{"mqtt_filter", "$share/g/a"}, {"kafka_topic", "k"}}, "mqtt_filter"},
        {{{"mqtt_filter", "a/#"}, {"kafka_topic", "bad/name"}}, "kafka_topic"},
        {{{"kafka_topic", "k"}}, "mqtt_filter"},
        {{{"mqtt_filter", "a/#"}, {"kafka_topic", "k"}, {"tenant", "nope"}}, "tenant"},
        {{{"mqtt_filter", "a/#"}, {"kafka_topic", "k"}, {"partitions", 0}}, "partitions"},
    };
    for (const auto& c : cases) {
        auto r = post("/api/v1/topic-bindings", c.body);
        EXPECT_EQ(r.status, 400) << c.body.dump() << " -> " << r.body;
        EXPECT_EQ(r.field(), c.field) << r.body;
    }
    // Overlapping filters: refused, naming the binding overlapped.
    ASSERT_EQ(post("/api/v1/topic-bindings", {{"mqtt_filter", "plant/#"}, {"kafka_topic", "plant"}})
                  .status,
              201);
    auto overlap =
        post("/api/v1/topic-bindings", {{"mqtt_filter", "plant/+/temp"}, {"kafka_topic", "temps"}});
    EXPECT_EQ(overlap.status, 400) << overlap.body;
    EXPECT_NE(overlap.body.find("plant/#"), std::string::npos) << overlap.body;
}

TEST_F(AdminTopicBindings, NeedsAnAdmin) {
    auto r =
        call("POST", "/api/v1/topic-bindings", "", R"({"mqtt_filter":"x/#","kafka_topic":"x"})");
    EXPECT_EQ(r.status, 401) << r.body;
    EXPECT_EQ(call("GET", "/api/v1/topic-bindings", "").status, 401);
}

}  // namespace
}  // namespace robust::admin::test
