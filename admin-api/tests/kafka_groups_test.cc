// The Kafka consumer-group routes (/api/v1/kafka/groups...) over HTTP against
// the real Kafka server in-process: groups known only by committed offsets
// (journal positions, as after a restart), a live member that joined and
// synced over the Kafka wire, lag, reset and delete with Kafka's rules.

#include <future>

#include "admin_fixture.h"
#include "kafka/codec/api.h"
#include "kafka/codec/consumer_protocol.h"
#include "kafka/codec/messages/join_group.h"
#include "kafka/codec/messages/sync_group.h"
#include "kafka/server.h"
#include "kafka_client.h"
#include "meta/topics.h"

namespace robust::admin::test {
namespace {

namespace kc = kafka::codec;

class AdminKafkaGroups : public admin_fixture {
protected:
    void customize(config::server_config& cfg) override {
        cfg.kafka.group_initial_rebalance_delay_ms = 0;
    }

    /// Creates topic `name` with `partitions` partitions and waits until the
    /// Kafka server's catalog has it.
    void make_topic(const std::string& name, int partitions,
                    const std::string& tenant = "default") {
        auto r = post("/api/v1/topics",
                      {{"tenant", tenant}, {"name", name}, {"partitions", partitions}});
        ASSERT_EQ(r.status, 201) << r.body;
        ASSERT_TRUE(eventually([&] {
            kafka::offset_reset_request probe;
            probe.tenant = tenant;
            probe.group_id = "probe";
            probe.topics = {{name, {}}};
            probe.dry_run = true;
            return kafka_->reset_offsets(probe).ok();
        }));
    }

    storage::shard_id shard(const std::string& topic, uint32_t p,
                            const std::string& tenant = "default") {
        auto id = journal_->find_shard(meta::topic_shard_name(tenant, topic, p));
        EXPECT_TRUE(id.has_value());
        return id.value_or(storage::shard_id(0));
    }

    /// Appends `n` single records to partition `p` of `topic`.
    void append(const std::string& topic, uint32_t p, int n) {
        storage::append_request req;
        req.shard = shard(topic, p);
        for (int i = 0; i < n; ++i) {
            storage::record r;
            r.value = shared_buffer(std::string("v") + std::to_string(i));
            req.records.push_back(std::move(r));
        }
        std::promise<bool> done;
        journal_->append(std::move(req),
                         [&](result<storage::append_result> r) { done.set_value(r.has_value()); });
        ASSERT_TRUE(done.get_future().get());
    }

    void commit(const std::string& group, const std::string& topic, uint32_t p, int64_t offset,
                const std::string& tenant = "default") {
        ASSERT_TRUE(
            journal_
                ->commit_position("kafka/" + tenant + "/" + group, shard(topic, p, tenant), offset)
                .has_value());
    }

    std::optional<int64_t> committed(const std::string& group, const std::string& topic,
                                     uint32_t p) {
        auto c = journal_->committed_position("kafka/default/" + group, shard(topic, p));
        if (!c) return std::nullopt;
        return *c;
    }

    /// One consumer joins `group` over the Kafka wire, becomes leader and
    /// assigns itself `orders` partitions 0 and 1. Returns its member id.
    std::string join_as_consumer(robust::test::kafka_client& c, const std::string& group) {
        kc::join_group_request j;
        j.group_id = group;
        j.session_timeout_ms = 30'000;
        j.rebalance_timeout_ms = 30'000;
        j.protocol_type = "consumer";
        j.protocols = {{"range", std::string("\0\0\0\0\0\0", 6)}};
        c.send(kc::api_key::join_group, 3,
               [&](kc::writer& w) { kc::encode_join_group_request(w, j, 3); });
        auto body = c.receive(kc::api_key::join_group, 3);
        EXPECT_TRUE(body.has_value());
        if (!body) return {};
        auto jr = kc::decode_join_group_response(
            std::span(reinterpret_cast<const std::byte*>(body->data()), body->size()), 3);
        EXPECT_TRUE(jr.has_value());
        if (!jr) return {};
        EXPECT_EQ(jr->error_code, kc::error_code::none);
        kc::consumer_assignment a;
        a.version = 1;
        a.assigned_partitions = {{"orders", {0, 1}}};
        kc::sync_group_request s;
        s.group_id = group;
        s.generation_id = jr->generation_id;
        s.member_id = jr->member_id;
        kc::sync_group_request_assignment mine;
        mine.member_id = jr->member_id;
        mine.assignment = kc::encode_consumer_assignment(a);
        s.assignments.push_back(std::move(mine));
        c.send(kc::api_key::sync_group, 2,
               [&](kc::writer& w) { kc::encode_sync_group_request(w, s, 2); });
        auto sync = c.receive(kc::api_key::sync_group, 2);
        EXPECT_TRUE(sync.has_value());
        if (!sync) return {};
        auto sr = kc::decode_sync_group_response(
            std::span(reinterpret_cast<const std::byte*>(sync->data()), sync->size()), 2);
        EXPECT_TRUE(sr.has_value());
        if (sr) {
            EXPECT_EQ(sr->error_code, kc::error_code::none);
        }
        return jr->member_id;
    }
};

TEST_F(AdminKafkaGroups, GroupsKnownOnlyByOffsetsAreListedEmptyWithTheirLag) {
    make_topic("orders", 2);
    append("orders", 0, 10);
    append("orders", 1, 4);
    commit("billing", "orders", 0, 3);  // lag 7
    commit("billing", "orders", 1, 4);  // lag 0
    commit("audit", "orders", 0, 10);   // lag 0
    ASSERT_EQ(post("/api/v1/tenants", {{"name", "acme"}}).status, 201);
    make_topic("orders", 1, "acme");
    commit("billing", "orders", 0, 0, "acme");

    auto l = get("/api/v1/kafka/groups?tenant=default");
    ASSERT_EQ(l.status, 200) << l.body;
    auto j = l.json();
    EXPECT_EQ(j["total"], 2);
    ASSERT_EQ(j["items"].size(), 2u);
    EXPECT_EQ(j["items"][0]["group"], "audit");
    EXPECT_EQ(j["items"][0]["lag"], 0);
    EXPECT_EQ(j["items"][1]["group"], "billing");
    EXPECT_EQ(j["items"][1]["tenant"], "default");
    EXPECT_EQ(j["items"][1]["state"], "Empty");
    EXPECT_EQ(j["items"][1]["protocol_type"], "consumer");
    EXPECT_EQ(j["items"][1]["members"], 0);
    EXPECT_EQ(j["items"][1]["lag"], 7);

    // Every tenant, the name filter, pagination.
    EXPECT_EQ(get("/api/v1/kafka/groups").json()["total"], 3);
    auto acme = get("/api/v1/kafka/groups?tenant=acme").json();
    ASSERT_EQ(acme["items"].size(), 1u);
    EXPECT_EQ(acme["items"][0]["tenant"], "acme");
    EXPECT_EQ(get("/api/v1/kafka/groups?name=bill").json()["total"], 2);
    auto page = get("/api/v1/kafka/groups?limit=1&page=2&tenant=default").json();
    EXPECT_EQ(page["items"][0]["group"], "billing");
    EXPECT_EQ(get("/api/v1/kafka/groups?limit=0").status, 400);

    auto d = get("/api/v1/kafka/groups/billing");
    ASSERT_EQ(d.status, 200) << d.body;
    auto dj = d.json();
    EXPECT_EQ(dj["state"], "Empty");
    EXPECT_EQ(dj["lag"], 7);
    EXPECT_TRUE(dj["members"].empty());
    ASSERT_EQ(dj["offsets"].size(), 2u);
    EXPECT_EQ(dj["offsets"][0]["topic"], "orders");
    EXPECT_EQ(dj["offsets"][0]["partition"], 0);
    EXPECT_EQ(dj["offsets"][0]["committed_offset"], 3);
    EXPECT_EQ(dj["offsets"][0]["log_start_offset"], 0);
    EXPECT_EQ(dj["offsets"][0]["log_end_offset"], 10);
    EXPECT_EQ(dj["offsets"][0]["lag"], 7);
    EXPECT_EQ(dj["offsets"][0]["member_id"], "");
    EXPECT_EQ(dj["offsets"][1]["lag"], 0);
    EXPECT_EQ(get("/api/v1/kafka/groups/billing?tenant=acme").json()["offsets"].size(), 1u);

    auto missing = get("/api/v1/kafka/groups/nope");
    EXPECT_EQ(missing.status, 404);
    EXPECT_EQ(missing.json()["error"]["code"], "not_found");
    EXPECT_EQ(get("/api/v1/kafka/groups/%24tenant%2Fx").status, 400);
}

TEST_F(AdminKafkaGroups, ResetOffsetsDryRunEarliestLatestOffsetAndTime) {
    make_topic("orders", 2);
    append("orders", 0, 10);
    append("orders", 1, 5);
    commit("billing", "orders", 0, 8);

    const std::string path = "/api/v1/kafka/groups/billing/offsets";
    auto dry = post(path, {{"to", "earliest"}, {"dry_run", true}});
    ASSERT_EQ(dry.status, 200) << dry.body;
    auto dj = dry.json();
    EXPECT_EQ(dj["dry_run"], true);
    ASSERT_EQ(dj["partitions"].size(), 1u);  // no topics: what the group committed on
    EXPECT_EQ(dj["partitions"][0]["previous_offset"], 8);
    EXPECT_EQ(dj["partitions"][0]["new_offset"], 0);
    EXPECT_EQ(committed("billing", "orders", 0), 8);  // nothing changed

    auto all = post(path, {{"to", "earliest"}, {"topics", {{{"topic", "orders"}}}}});
    ASSERT_EQ(all.status, 200) << all.body;
    ASSERT_EQ(all.json()["partitions"].size(), 2u);
    EXPECT_EQ(all.json()["partitions"][1]["previous_offset"], nullptr);
    EXPECT_EQ(committed("billing", "orders", 0), 0);
    EXPECT_EQ(committed("billing", "orders", 1), 0);

    auto latest =
        post(path, {{"to", "latest"}, {"topics", {{{"topic", "orders"}, {"partitions", {1}}}}}});
    ASSERT_EQ(latest.status, 200) << latest.body;
    EXPECT_EQ(committed("billing", "orders", 1), 5);
    EXPECT_EQ(committed("billing", "orders", 0), 0);

    // Clamped to the log end, as kafka-consumer-groups.sh does.
    auto offset = post(path, {{"to", "offset"}, {"offset", 100}});
    ASSERT_EQ(offset.status, 200) << offset.body;
    EXPECT_EQ(committed("billing", "orders", 0), 10);
    EXPECT_EQ(committed("billing", "orders", 1), 5);
    ASSERT_EQ(post(path, {{"to", "offset"}, {"offset", 4}}).status, 200);
    EXPECT_EQ(committed("billing", "orders", 0), 4);

    // Every record is older than now + 1 h: the log end.
    auto later = post(path, {{"to", "timestamp"}, {"timestamp_ms", now_unix_ms() + 3'600'000}});
    ASSERT_EQ(later.status, 200) << later.body;
    EXPECT_EQ(committed("billing", "orders", 0), 10);
    ASSERT_EQ(post(path, {{"to", "timestamp"}, {"timestamp_ms", 0}}).status, 200);
    EXPECT_EQ(committed("billing", "orders", 0), 0);

    // A group that does not exist yet gets the offsets.
    auto fresh = post("/api/v1/kafka/groups/newcomer/offsets",
                      {{"to", "latest"}, {"topics", {{{"topic", "orders"}}}}});
    ASSERT_EQ(fresh.status, 200) << fresh.body;
    EXPECT_EQ(committed("newcomer", "orders", 0), 10);
    EXPECT_EQ(get("/api/v1/kafka/groups/newcomer").status, 200);
}

TEST_F(AdminKafkaGroups, ResetOffsetsNamesWhatIsWrong) {
    make_topic("orders", 2);
    const std::string path = "/api/v1/kafka/groups/g/offsets";
    auto no_topic = post(path, {{"to", "earliest"}, {"topics", {{{"topic", "nope"}}}}});
    EXPECT_EQ(no_topic.status, 400);
    EXPECT_EQ(no_topic.field(), "topics");
    EXPECT_NE(no_topic.body.find("nope"), std::string::npos);
    auto no_part =
        post(path, {{"to", "earliest"}, {"topics", {{{"topic", "orders"}, {"partitions", {7}}}}}});
    EXPECT_EQ(no_part.status, 400);
    EXPECT_NE(no_part.body.find("no partition 7"), std::string::npos);
    auto nothing = post(path, {{"to", "earliest"}});
    EXPECT_EQ(nothing.status, 400);
    EXPECT_NE(nothing.body.find("no committed offsets"), std::string::npos);
    EXPECT_EQ(post(path, {{"to", "somewhere"}}).field(), "to");
    EXPECT_EQ(post(path, nlohmann::json::object()).field(), "to");
    EXPECT_EQ(post(path, {{"to", "offset"}}).field(), "offset");
    EXPECT_EQ(post(path, {{"to", "offset"}, {"offset", -1}}).field(), "offset");
    EXPECT_EQ(post(path, {{"to", "timestamp"}}).field(), "timestamp_ms");
    EXPECT_EQ(post(path, {{"to", "earliest"}, {"offset", 3}}).field(), "offset");
    EXPECT_EQ(post(path, {{"to", "earliest"}, {"topics", "orders"}}).field(), "topics");
    EXPECT_EQ(
        post(path, {{"to", "earliest"}, {"topics", {{{"topic", "orders"}, {"partitions", {-1}}}}}})
            .field(),
        "topics");
    EXPECT_EQ(post(path, {{"to", "earliest"}, {"everything", true}}).field(), "everything");
}

TEST_F(AdminKafkaGroups, DeleteOnlyWithoutMembersAndWithItsOffsets) {
    make_topic("orders", 2);
    append("orders", 0, 3);
    commit("billing", "orders", 0, 2);
    EXPECT_EQ(del("/api/v1/kafka/groups/billing").status, 204);
    EXPECT_FALSE(committed("billing", "orders", 0).has_value());
    EXPECT_EQ(get("/api/v1/kafka/groups/billing").status, 404);
    EXPECT_EQ(del("/api/v1/kafka/groups/billing").status, 404);
    EXPECT_EQ(get("/api/v1/kafka/groups?tenant=default").json()["total"], 0);
}

TEST_F(AdminKafkaGroups, ALiveMemberIsShownWithItsAssignmentAndBlocksDeleteAndReset) {
    make_topic("orders", 3);
    append("orders", 0, 6);
    commit("live", "orders", 0, 2);
    robust::test::kafka_client c(kafka_port_);
    const std::string member = join_as_consumer(c, "live");
    ASSERT_FALSE(member.empty());

    auto l = get("/api/v1/kafka/groups?name=live").json();
    ASSERT_EQ(l["items"].size(), 1u);
    EXPECT_EQ(l["items"][0]["state"], "Stable");
    EXPECT_EQ(l["items"][0]["protocol"], "range");
    EXPECT_EQ(l["items"][0]["members"], 1);
    EXPECT_EQ(l["items"][0]["lag"], 4);

    auto d = get("/api/v1/kafka/groups/live");
    ASSERT_EQ(d.status, 200) << d.body;
    auto j = d.json();
    EXPECT_EQ(j["state"], "Stable");
    EXPECT_GE(j["generation"], 1);
    ASSERT_EQ(j["members"].size(), 1u);
    EXPECT_EQ(j["members"][0]["member_id"], member);
    EXPECT_EQ(j["members"][0]["client_id"], "it-client");
    EXPECT_EQ(j["members"][0]["client_host"], "/127.0.0.1");
    EXPECT_EQ(j["members"][0]["group_instance_id"], nullptr);
    EXPECT_EQ(j["members"][0]["assignment"],
              nlohmann::json::parse(R"([{"topic":"orders","partitions":[0,1]}])"));
    // Partition 0 committed and owned; partition 1 owned, nothing committed.
    ASSERT_EQ(j["offsets"].size(), 2u);
    EXPECT_EQ(j["offsets"][0]["committed_offset"], 2);
    EXPECT_EQ(j["offsets"][0]["lag"], 4);
    EXPECT_EQ(j["offsets"][0]["member_id"], member);
    EXPECT_EQ(j["offsets"][1]["partition"], 1);
    EXPECT_EQ(j["offsets"][1]["committed_offset"], nullptr);
    EXPECT_EQ(j["offsets"][1]["lag"], nullptr);
    EXPECT_EQ(j["offsets"][1]["member_id"], member);

    auto refused = del("/api/v1/kafka/groups/live");
    EXPECT_EQ(refused.status, 409);
    EXPECT_EQ(refused.json()["error"]["code"], "conflict");
    EXPECT_NE(refused.body.find("1 active member"), std::string::npos);
    auto reset = post("/api/v1/kafka/groups/live/offsets", {{"to", "earliest"}, {"dry_run", true}});
    EXPECT_EQ(reset.status, 409);
    EXPECT_NE(reset.body.find("stop its consumers first"), std::string::npos);
    EXPECT_EQ(committed("live", "orders", 0), 2);
}

TEST_F(AdminKafkaGroups, NeedCredentialsAndAKafkaServer) {
    EXPECT_EQ(call("GET", "/api/v1/kafka/groups", "").status, 401);
    EXPECT_EQ(call("DELETE", "/api/v1/kafka/groups/g", "").status, 401);
    EXPECT_EQ(call("POST", "/api/v1/kafka/groups/g/offsets", "", "{}").status, 401);
    EXPECT_EQ(call("PATCH", "/api/v1/kafka/groups/g", admin_bearer(), "{}").status, 405);

    server_->stop();
    kafka_in_api_ = false;
    start_server();
    auto r = get("/api/v1/kafka/groups");
    EXPECT_EQ(r.status, 503);
    EXPECT_EQ(r.json()["error"]["code"], "unavailable");
    EXPECT_EQ(get("/api/v1/kafka/groups/g").status, 503);
    EXPECT_EQ(post("/api/v1/kafka/groups/g/offsets", {{"to", "earliest"}}).status, 503);
}

}  // namespace
}  // namespace robust::admin::test
