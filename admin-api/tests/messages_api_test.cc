// GET /api/v1/messages (the message browser) and the dashboard served at `/`,
// over HTTP against the real services (admin_fixture.h).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <future>

#include "admin_fixture.h"
#include "base/base64.h"
#include "meta/topics.h"

namespace robust::admin::test {
namespace {

class AdminMessages : public admin_fixture {};

TEST_F(AdminMessages, BrowsesWhatMqttPublishesStored) {
    // QoS 1 is journaled (in the shared MQTT shards); QoS 0 never is.
    ASSERT_EQ(
        post("/api/v1/publish", {{"topic", "browse/a"}, {"payload", "zero"}, {"qos", 0}}).status,
        200);
    ASSERT_EQ(
        post("/api/v1/publish", {{"topic", "browse/a"}, {"payload", "{\"t\":21.5}"}, {"qos", 1}})
            .status,
        200);
    ASSERT_EQ(post("/api/v1/publish", {{"topic", "browse/a"},
                                       {"payload", base64::encode(std::string("\x00\xff", 2))},
                                       {"payload_encoding", "base64"},
                                       {"qos", 1}})
                  .status,
              200);
    ASSERT_EQ(
        post("/api/v1/publish", {{"topic", "browse/b"}, {"payload", "other"}, {"qos", 1}}).status,
        200);
    auto r = get("/api/v1/messages?topic=browse%2Fa");
    ASSERT_EQ(r.status, 200) << r.body;
    auto j = r.json();
    EXPECT_EQ(j["topic"], "browse/a");
    EXPECT_EQ(j["tenant"], "default");
    EXPECT_EQ(j["mqtt"], true);
    EXPECT_TRUE(j["shard"].get<std::string>().starts_with("$mqtt/messages/")) << j.dump();
    ASSERT_EQ(j["messages"].size(), 2u) << j.dump();
    const auto& text = j["messages"][0];
    EXPECT_EQ(text["payload"], "{\"t\":21.5}");
    EXPECT_EQ(text["payload_encoding"], "text");
    EXPECT_EQ(text["key"], "browse/a");
    EXPECT_EQ(text["size"], 10);
    EXPECT_GT(text["timestamp_ms"].get<int64_t>(), 0);
    const auto& bin = j["messages"][1];
    EXPECT_EQ(bin["payload_encoding"], "base64");
    EXPECT_EQ(base64::decode(bin["payload"].get<std::string>()).value(),
              std::string("\x00\xff", 2));
    EXPECT_GT(bin["offset"].get<int64_t>(), text["offset"].get<int64_t>());
    // limit 1: the newest; from the first one's offset: the first.
    auto newest = get("/api/v1/messages?topic=browse%2Fa&limit=1").json();
    ASSERT_EQ(newest["messages"].size(), 1u);
    EXPECT_EQ(newest["messages"][0]["payload_encoding"], "base64");
    auto first = get("/api/v1/messages?topic=browse%2Fa&limit=1&offset=" +
                     std::to_string(text["offset"].get<int64_t>()))
                     .json();
    ASSERT_EQ(first["messages"].size(), 1u);
    EXPECT_EQ(first["messages"][0]["payload_encoding"], "text");
}

TEST_F(AdminMessages, BrowsesAKernelTopicPartition) {
    ASSERT_EQ(post("/api/v1/topics", {{"name", "orders"}, {"partitions", 2}}).status, 201);
    auto id = journal_->find_shard(meta::topic_shard_name("default", "orders", 1)).value();
    storage::append_request req;
    req.shard = id;
    for (int i = 0; i < 3; ++i) {
        storage::record rec;
        rec.key = "order-" + std::to_string(i);
        rec.value = shared_buffer("amount " + std::to_string(i));
        rec.headers.push_back({"source", "test"});
        req.records.push_back(std::move(rec));
    }
    std::promise<bool> done;
    journal_->append(std::move(req), [&done](result<storage::append_result> res) {
        done.set_value(res.has_value());
    });
    ASSERT_TRUE(done.get_future().get());

    auto p1 = get("/api/v1/messages?topic=orders&partition=1&offset=1&limit=5");
    ASSERT_EQ(p1.status, 200) << p1.body;
    auto j = p1.json();
    EXPECT_EQ(j["mqtt"], false);
    EXPECT_EQ(j["partition"], 1);
    EXPECT_EQ(j["earliest_offset"], 0);
    EXPECT_EQ(j["next_offset"], 3);
    ASSERT_EQ(j["messages"].size(), 2u);
    EXPECT_EQ(j["messages"][0]["offset"], 1);
    EXPECT_EQ(j["messages"][0]["key"], "order-1");
    EXPECT_EQ(j["messages"][0]["payload"], "amount 1");
    EXPECT_EQ(j["messages"][0]["headers"][0]["key"], "source");
    EXPECT_EQ(j["messages"][0]["headers"][0]["value"], "test");
    auto p0 = get("/api/v1/messages?topic=orders").json();
    EXPECT_EQ(p0["partition"], 0);
    EXPECT_TRUE(p0["messages"].empty());
}

TEST_F(AdminMessages, BadQueriesNameTheirField) {
    ASSERT_EQ(post("/api/v1/topics", {{"name", "t1"}}).status, 201);
    EXPECT_EQ(get("/api/v1/messages").field(), "topic");
    EXPECT_EQ(get("/api/v1/messages?topic=t1&partition=1").field(), "partition");
    EXPECT_EQ(get("/api/v1/messages?topic=t1&partition=x").field(), "partition");
    EXPECT_EQ(get("/api/v1/messages?topic=t1&offset=-1").field(), "offset");
    EXPECT_EQ(get("/api/v1/messages?topic=t1&limit=0").field(), "limit");
    EXPECT_EQ(get("/api/v1/messages?topic=t1&limit=501").field(), "limit");
    auto nf = get("/api/v1/messages?topic=nope");
    EXPECT_EQ(nf.status, 404);
    EXPECT_EQ(nf.json()["error"]["code"], "not_found");
    EXPECT_EQ(call("GET", "/api/v1/messages?topic=t1", "").status, 401);
}

// ---- the dashboard at / ---------------------------------------------------------------

class AdminDashboard : public admin_fixture {
protected:
    void customize(config::server_config& c) override {
        site_ = std::filesystem::path(c.node.data_dir) / "site";
        std::filesystem::create_directories(site_ / "assets");
        std::ofstream(site_ / "index.html") << "<!doctype html><title>RobustMQ</title>";
        std::ofstream(site_ / "assets" / "app-1a2b.js") << "export const x = 1;";
        c.http.dashboard_dir = site_.string();
    }
    std::filesystem::path site_;
};

TEST_F(AdminDashboard, ServesTheAppBesideTheApi) {
    auto root = call("GET", "/", "");
    ASSERT_EQ(root.status, 200);
    EXPECT_EQ(root.header("Content-Type"), "text/html; charset=utf-8");
    EXPECT_EQ(root.header("Cache-Control"), "no-cache");
    EXPECT_NE(root.body.find("<title>RobustMQ</title>"), std::string::npos);
    // Client-side routes get the app, without credentials.
    auto route = call("GET", "/topics/orders%2Feu", "");
    EXPECT_EQ(route.status, 200);
    EXPECT_EQ(route.body, root.body);
    auto js = call("GET", "/assets/app-1a2b.js", "");
    EXPECT_EQ(js.status, 200);
    EXPECT_EQ(js.header("Content-Type"), "text/javascript; charset=utf-8");
    EXPECT_EQ(js.header("Cache-Control"), "public, max-age=31536000, immutable");
    EXPECT_EQ(call("GET", "/assets/missing-1.js", "").status, 404);
    // The API's paths are untouched.
    auto nf = get("/api/v1/nothing");
    EXPECT_EQ(nf.status, 404);
    EXPECT_EQ(nf.json()["error"]["code"], "not_found");
    EXPECT_EQ(call("GET", "/api/v1/users", "").status, 401);
    EXPECT_EQ(call("GET", "/health/live", "").status, 200);
    EXPECT_EQ(call("GET", "/api/v1/users", admin_bearer()).header("Cache-Control"), "no-store");
    // Other methods on app paths are the API's (404 JSON), never the app.
    auto post_page = call("POST", "/topics", admin_bearer(), "{}");
    EXPECT_EQ(post_page.status, 404);
    EXPECT_EQ(post_page.json()["error"]["code"], "not_found");
}

class AdminNoDashboard : public admin_fixture {
protected:
    void customize(config::server_config& c) override {
        c.http.dashboard_dir = (std::filesystem::path(c.node.data_dir) / "no-such-dir").string();
    }
};

TEST_F(AdminNoDashboard, RootSaysHowToBuildIt) {
    auto root = call("GET", "/", "");
    EXPECT_EQ(root.status, 404);
    EXPECT_EQ(root.header("Content-Type"), "text/html; charset=utf-8");
    EXPECT_NE(root.body.find("cmake --build build --target dashboard"), std::string::npos);
    EXPECT_NE(root.body.find("no-such-dir"), std::string::npos);
    EXPECT_EQ(call("GET", "/health/live", "").status, 200);
}

}  // namespace
}  // namespace robust::admin::test
