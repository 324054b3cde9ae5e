// The admin API end to end in one process: every route over real HTTP, with
// a real MQTT client for the MQTT routes (tests/integration/test_client.h).

#include <map>
#include <set>

#include "admin_fixture.h"
#include "api.h"
#include "meta/topics.h"
#include "test_client.h"

namespace robust::admin::test {
namespace {

using nlohmann::json;
namespace codec = mqtt::codec;

class AdminApi : public admin_fixture {};

// ---- authentication ------------------------------------------------------------

TEST_F(AdminApi, HealthAndMetricsArePublicByDefault) {
    auto live = call("GET", "/health/live", "");
    EXPECT_EQ(live.status, 200);
    EXPECT_EQ(live.json(), json({{"status", "ok"}}));

    auto ready = call("GET", "/health/ready", "");
    EXPECT_EQ(ready.status, 200);
    EXPECT_EQ(ready.json()["status"], "ready");
    ready_ = false;
    auto starting = call("GET", "/health/ready", "");
    EXPECT_EQ(starting.status, 503);
    EXPECT_EQ(starting.json()["status"], "starting");

    auto m = call("GET", "/metrics", "");
    EXPECT_EQ(m.status, 200);
    EXPECT_NE(m.header("Content-Type").find("text/plain; version=0.0.4"), std::string::npos);
    EXPECT_NE(m.body.find("# TYPE robustmq_"), std::string::npos);
}

TEST_F(AdminApi, EveryOtherRouteNeedsCredentialsEvenFromLoopback) {
    for (const auto& r : detail::routes) {
        if (r.access != detail::route_access::admin) continue;
        std::string path(r.pattern);
        for (auto p = path.find('{'); p != std::string::npos; p = path.find('{')) {
            path.replace(p, path.find('}', p) - p + 1, "x");
        }
        auto a = call(std::string(r.method), path, "", "{}");
        EXPECT_EQ(a.status, 401) << r.method << " " << path;
        EXPECT_EQ(a.header("WWW-Authenticate"), "Bearer realm=\"robustmq\"") << path;
        EXPECT_EQ(a.json()["error"]["code"], "unauthorized");
    }
}

TEST_F(AdminApi, LoginGivesAWorkingBearerToken) {
    auto login = call("POST", "/api/v1/login", "",
                      json{{"username", "admin"}, {"password", admin_password_}}.dump());
    ASSERT_EQ(login.status, 200) << login.body;
    const auto j = login.json();
    EXPECT_EQ(j["username"], "admin");
    const int64_t ttl_ms = int64_t(cfg_.http.token_ttl_s) * 1000;
    EXPECT_NEAR(double(j["expires_at_ms"].get<int64_t>()), double(now_unix_ms() + ttl_ms), 60e3);
    auto users = call("GET", "/api/v1/users", "Bearer " + j["token"].get<std::string>());
    EXPECT_EQ(users.status, 200) << users.body;
    // Lower-case scheme names work too (RFC 7235: case-insensitive).
    auto lower = call("GET", "/api/v1/users", "bearer " + j["token"].get<std::string>());
    EXPECT_EQ(lower.status, 200);
}

TEST_F(AdminApi, BadCredentialsAre401) {
    auto wrong = call("POST", "/api/v1/login", "",
                      json{{"username", "admin"}, {"password", "wrong-password"}}.dump());
    EXPECT_EQ(wrong.status, 401);
    EXPECT_EQ(wrong.header("WWW-Authenticate"), "Bearer realm=\"robustmq\"");
    auto nobody = call("POST", "/api/v1/login", "",
                       json{{"username", "nobody"}, {"password", "whatever1"}}.dump());
    EXPECT_EQ(nobody.status, 401);

    EXPECT_EQ(call("GET", "/api/v1/users", "").status, 401);
    EXPECT_EQ(call("GET", "/api/v1/users", "Bearer not-a-token").status, 401);
    EXPECT_EQ(call("GET", "/api/v1/users", "Bearer " + admin_bearer().substr(7) + "x").status, 401);
    EXPECT_EQ(call("GET", "/api/v1/users", basic("admin", "wrong-password")).status, 401);
    EXPECT_EQ(call("GET", "/api/v1/users", "Basic !!!").status, 401);
    EXPECT_EQ(call("GET", "/api/v1/users", "Digest abc").status, 401);
    EXPECT_EQ(call("GET", "/api/v1/users", admin_basic()).status, 200);
}

TEST_F(AdminApi, OnlySuperusersOfTenantDefault) {
    secrets_.push_back("bob-password-1");
    secrets_.push_back("carol-password-1");
    ASSERT_EQ(post("/api/v1/users", {{"username", "bob"}, {"password", "bob-password-1"}}).status,
              201);
    ASSERT_EQ(post("/api/v1/tenants", {{"name", "acme"}}).status, 201);
    ASSERT_EQ(post("/api/v1/users", {{"tenant", "acme"},
                                     {"username", "carol"},
                                     {"password", "carol-password-1"},
                                     {"superuser", true}})
                  .status,
              201);

    auto bob = call("GET", "/api/v1/users", basic("bob", "bob-password-1"));
    EXPECT_EQ(bob.status, 403);
    EXPECT_EQ(bob.json()["error"]["code"], "forbidden");
    EXPECT_EQ(call("POST", "/api/v1/login", "",
                   json{{"username", "bob"}, {"password", "bob-password-1"}}.dump())
                  .status,
              403);
    // A superuser of another tenant is not an admin of the node.
    EXPECT_EQ(call("GET", "/api/v1/users", basic("acme@carol", "carol-password-1")).status, 403);

    // Promoted to superuser: allowed.
    ASSERT_EQ(patch("/api/v1/users/bob", {{"superuser", true}}).status, 200);
    EXPECT_EQ(call("GET", "/api/v1/users", basic("bob", "bob-password-1")).status, 200);
    // A token stops working when its user is demoted.
    auto login = call("POST", "/api/v1/login", "",
                      json{{"username", "bob"}, {"password", "bob-password-1"}}.dump());
    ASSERT_EQ(login.status, 200);
    const std::string bob_token = "Bearer " + login.json()["token"].get<std::string>();
    EXPECT_EQ(call("GET", "/api/v1/cluster", bob_token).status, 200);
    ASSERT_EQ(patch("/api/v1/users/bob", {{"superuser", false}}).status, 200);
    EXPECT_EQ(call("GET", "/api/v1/cluster", bob_token).status, 403);
}

TEST_F(AdminApi, ExpiredAndRevokedTokensAre401) {
    auto admin = auth_->get_user("default", "admin");
    ASSERT_TRUE(admin.ok());
    const std::string expired = auth_->issue_token(*admin, -1);
    ASSERT_FALSE(expired.empty());
    auto a = call("GET", "/api/v1/users", "Bearer " + expired);
    EXPECT_EQ(a.status, 401);
    EXPECT_EQ(a.header("WWW-Authenticate"), "Bearer realm=\"robustmq\"");

    // A password change revokes the tokens issued before it.
    const std::string token = admin_bearer();
    EXPECT_EQ(call("GET", "/api/v1/users", token).status, 200);
    secrets_.push_back("a-new-admin-password");
    ASSERT_EQ(call("PATCH", "/api/v1/users/admin", token,
                   json{{"password", "a-new-admin-password"}}.dump())
                  .status,
              200);
    EXPECT_EQ(call("GET", "/api/v1/users", token).status, 401);
    EXPECT_EQ(call("GET", "/api/v1/users", basic("admin", "a-new-admin-password")).status, 200);
}

TEST_F(AdminApi, TooManyFailuresFromOneAddressGive429) {
    const std::string token = admin_bearer();  // before the address is blocked
    for (uint32_t i = 0; i < cfg_.http.login_failures_per_minute; ++i) {
        const auto a =
            i % 2 == 0
                ? call(
                      "POST", "/api/v1/login", "",
                      json{{"username", "admin"}, {"password", "guess" + std::to_string(i)}}.dump())
                : call("GET", "/api/v1/users", basic("admin", "guess" + std::to_string(i)));
        EXPECT_EQ(a.status, 401) << i;
    }
    auto blocked = call("POST", "/api/v1/login", "",
                        json{{"username", "admin"}, {"password", admin_password_}}.dump());
    EXPECT_EQ(blocked.status, 429) << "even the right password is refused while blocked";
    EXPECT_EQ(blocked.json()["error"]["code"], "too_many_requests");
    const int retry_after = std::stoi(blocked.header("Retry-After"));
    EXPECT_GE(retry_after, 1);
    EXPECT_LE(retry_after, 60);
    EXPECT_EQ(call("GET", "/api/v1/users", admin_basic()).status, 429);
    // An already issued token keeps working: the limit is on password guesses.
    EXPECT_EQ(call("GET", "/api/v1/users", token).status, 200);
}

// ---- routing and request errors ---------------------------------------------------

TEST_F(AdminApi, UnknownRoutesMethodsAndBadBodies) {
    auto nf = get("/api/v1/nothing");
    EXPECT_EQ(nf.status, 404);
    EXPECT_EQ(nf.json()["error"]["code"], "not_found");

    auto wrong = call("PUT", "/api/v1/users", admin_bearer(), "{}");
    EXPECT_EQ(wrong.status, 405);
    EXPECT_EQ(wrong.header("Allow"), "GET, POST");

    auto bad_json = call("POST", "/api/v1/users", admin_bearer(), "{\"username\":");
    EXPECT_EQ(bad_json.status, 400);
    EXPECT_EQ(bad_json.field(), "body");
    auto not_object = call("POST", "/api/v1/users", admin_bearer(), "[]");
    EXPECT_EQ(not_object.field(), "body");
    auto unknown = post("/api/v1/users", {{"username", "x"}, {"pasword", "12345678"}});
    EXPECT_EQ(unknown.status, 400);
    EXPECT_EQ(unknown.field(), "pasword");
    auto type = post("/api/v1/users", {{"username", 5}, {"password", "12345678"}});
    EXPECT_EQ(type.field(), "username");

    const std::string huge(2 * 1024 * 1024, 'x');
    auto too_big = call("POST", "/api/v1/users", admin_bearer(), huge);
    EXPECT_EQ(too_big.status, 413);
    EXPECT_EQ(too_big.json()["error"]["code"], "payload_too_large");

    auto page = get("/api/v1/users?limit=5000");
    EXPECT_EQ(page.status, 400);
    EXPECT_EQ(page.field(), "limit");
    EXPECT_EQ(get("/api/v1/users?page=0").field(), "page");
}

// ---- cluster, overview, config ------------------------------------------------------

TEST_F(AdminApi, ClusterShowsThisNode) {
    auto c = get("/api/v1/cluster");
    ASSERT_EQ(c.status, 200);
    const auto j = c.json();
    EXPECT_EQ(j["cluster"], "robustmq");
    ASSERT_EQ(j["nodes"].size(), 1u);
    const auto& n = j["nodes"][0];
    EXPECT_EQ(n["id"], cfg_.node.id);
    EXPECT_EQ(n["address"], "127.0.0.1:" + std::to_string(server_->port()));
    EXPECT_EQ(n["roles"], json::parse(R"(["meta","broker","journal"])"));
    EXPECT_EQ(n["status"], "running");
    EXPECT_GE(n["uptime_s"].get<int64_t>(), 4);
    EXPECT_FALSE(n["version"].get<std::string>().empty());
}

TEST_F(AdminApi, OverviewCountsAndHistory) {
    ASSERT_EQ(post("/api/v1/users", {{"username", "u1"}, {"password", "password-u1"}}).status, 201);
    secrets_.push_back("password-u1");
    ASSERT_EQ(post("/api/v1/acls", {{"name", "r1"}}).status, 201);
    ASSERT_EQ(post("/api/v1/blacklist", {{"type", "client_id"}, {"value", "evil"}}).status, 201);
    ASSERT_EQ(post("/api/v1/topics", {{"name", "t1"}}).status, 201);

    robust::test::test_client c(mqtt_port_);
    ASSERT_EQ(c.connect("overview-client").reason_code, 0);
    ASSERT_EQ(c.subscribe("o/#", codec::qos_level::at_least_once).reason_codes.size(), 1u);
    c.publish("o/x", "12345", codec::qos_level::at_most_once);
    EXPECT_EQ(c.receive_publish().payload.view(), "12345");

    // The first publish to o/x records it as a kernel topic (asynchronously).
    ASSERT_TRUE(eventually([&] { return get("/api/v1/overview").json()["topics"] == 2; }));
    auto o = get("/api/v1/overview");
    ASSERT_EQ(o.status, 200) << o.body;
    auto j = o.json();
    EXPECT_EQ(j["node_id"], cfg_.node.id);
    EXPECT_EQ(j["connections"], 1);
    EXPECT_EQ(j["sessions"], 1);
    EXPECT_EQ(j["subscriptions"], 1);
    EXPECT_EQ(j["users"], 2);  // admin and u1
    EXPECT_EQ(j["acl_rules"], 1);
    EXPECT_EQ(j["blacklist"], 1);
    EXPECT_GE(j["totals"]["messages_in"].get<int64_t>(), 1);
    EXPECT_GE(j["totals"]["messages_out"].get<int64_t>(), 1);
    EXPECT_TRUE(j["rates"].contains("bytes_in"));
    std::set<std::string> listeners;
    for (const auto& l : j["listeners"]) listeners.insert(l["name"].get<std::string>());
    EXPECT_EQ(listeners, (std::set<std::string>{"mqtt-tcp", "http"}));

    // The sampler runs every 50 ms in this test: points appear, oldest first.
    ASSERT_TRUE(
        eventually([&] { return get("/api/v1/overview/history").json()["points"].size() >= 2; }));
    auto h = get("/api/v1/overview/history?minutes=5").json();
    EXPECT_EQ(h["interval_s"], 1);  // 50 ms here, reported in whole seconds (at least 1)
    const auto& pts = h["points"];
    for (size_t i = 1; i < pts.size(); ++i) {
        EXPECT_LE(pts[i - 1]["time_ms"].get<int64_t>(), pts[i]["time_ms"].get<int64_t>());
    }
    EXPECT_EQ(pts.back()["connections"], 1);
    EXPECT_TRUE(pts.back().contains("messages_dropped_rate"));
    EXPECT_EQ(get("/api/v1/overview/history?minutes=0").field(), "minutes");
}

TEST_F(AdminApi, ConfigShowsEveryKeyAndPatchesTheRuntimeSubset) {
    auto g = get("/api/v1/config");
    ASSERT_EQ(g.status, 200);
    auto j = g.json();
    std::set<std::string> shown;
    for (const auto& [section, keys] : j["config"].items()) {
        for (const auto& [key, value] : keys.items()) shown.insert(section + "." + key);
    }
    const auto keys = config::config_keys();
    EXPECT_EQ(shown, std::set<std::string>(keys.begin(), keys.end()));
    EXPECT_EQ(j["runtime_changeable"],
              json::parse(R"(["log.level","auth.anonymous","auth.acl_default"])"));
    EXPECT_EQ(j["config"]["auth"]["anonymous"], "allow");

    auto p = patch("/api/v1/config", {{"auth.anonymous", "deny"}, {"log.level", "warn"}});
    ASSERT_EQ(p.status, 200) << p.body;
    EXPECT_EQ(p.json()["config"]["auth"]["anonymous"], "deny");
    EXPECT_EQ(p.json()["config"]["log"]["level"], "warn");
    EXPECT_EQ(auth_->policy().anonymous, config::anonymous_access::deny);
    EXPECT_EQ(spdlog::get_level(), spdlog::level::warn);
    // An anonymous MQTT client is refused now (0x87 Not authorized).
    robust::test::test_client anon(mqtt_port_);
    EXPECT_EQ(anon.connect("anon-client").reason_code, 0x87);

    auto fixed = patch("/api/v1/config", {{"mqtt.max_inflight", 10}});
    EXPECT_EQ(fixed.status, 400);
    EXPECT_EQ(fixed.field(), "mqtt.max_inflight");
    EXPECT_NE(fixed.json()["error"]["message"].get<std::string>().find(
                  "not changeable at runtime; edit the config file and restart"),
              std::string::npos);
    EXPECT_EQ(patch("/api/v1/config", {{"nope.key", 1}}).field(), "nope.key");
    EXPECT_EQ(patch("/api/v1/config", {{"auth.acl_default", "maybe"}}).field(), "auth.acl_default");
    // All or nothing: nothing of a rejected patch is applied.
    EXPECT_EQ(patch("/api/v1/config", {{"auth.anonymous", "allow"}, {"http.port", 1}}).status, 400);
    EXPECT_EQ(auth_->policy().anonymous, config::anonymous_access::deny);
}

// ---- tenants, users ------------------------------------------------------------------

TEST_F(AdminApi, Tenants) {
    auto c = post("/api/v1/tenants", {{"name", "acme"}, {"description", "Acme Corp"}});
    ASSERT_EQ(c.status, 201) << c.body;
    EXPECT_EQ(c.json()["name"], "acme");
    EXPECT_EQ(c.json()["description"], "Acme Corp");
    EXPECT_GT(c.json()["created_ms"].get<int64_t>(), 0);
    EXPECT_EQ(post("/api/v1/tenants", {{"name", "acme"}}).status, 409);
    EXPECT_EQ(post("/api/v1/tenants", {{"description", "x"}}).field(), "name");
    EXPECT_EQ(post("/api/v1/tenants", {{"name", ""}}).field(), "name");

    auto list = get("/api/v1/tenants").json();
    EXPECT_EQ(list["total"], 2);  // default and acme
    EXPECT_EQ(get("/api/v1/tenants?name=cm").json()["total"], 1);

    EXPECT_EQ(del("/api/v1/tenants/default").status, 409);
    secrets_.push_back("password-dave");
    ASSERT_EQ(post("/api/v1/users",
                   {{"tenant", "acme"}, {"username", "dave"}, {"password", "password-dave"}})
                  .status,
              201);
    EXPECT_EQ(del("/api/v1/tenants/acme").status, 409) << "still has users";
    EXPECT_EQ(del("/api/v1/users/dave?tenant=acme").status, 204);
    EXPECT_EQ(del("/api/v1/tenants/acme").status, 204);
    EXPECT_EQ(del("/api/v1/tenants/acme").status, 404);
}

TEST_F(AdminApi, UsersCrudPaginationAndFilters) {
    for (int i = 0; i < 12; ++i) {
        const std::string pw = "password-" + std::to_string(i);
        secrets_.push_back(pw);
        auto c =
            post("/api/v1/users", {{"username", "user" + std::to_string(i)}, {"password", pw}});
        ASSERT_EQ(c.status, 201) << c.body;
        EXPECT_EQ(c.json(), json({{"tenant", "default"},
                                  {"username", "user" + std::to_string(i)},
                                  {"superuser", false},
                                  {"created_ms", c.json()["created_ms"]}}));
    }
    auto page = get("/api/v1/users?page=2&limit=5").json();
    EXPECT_EQ(page["total"], 13);
    EXPECT_EQ(page["page"], 2);
    EXPECT_EQ(page["limit"], 5);
    EXPECT_EQ(page["items"].size(), 5u);
    EXPECT_EQ(get("/api/v1/users?page=3&limit=5").json()["items"].size(), 3u);
    EXPECT_EQ(get("/api/v1/users?page=9&limit=5").json()["items"].size(), 0u);
    auto filtered = get("/api/v1/users?name=user1").json();  // user1, user10, user11
    EXPECT_EQ(filtered["total"], 3);
    EXPECT_EQ(get("/api/v1/users?tenant=default").json()["total"], 13);

    auto one = get("/api/v1/users/user3");
    EXPECT_EQ(one.status, 200);
    EXPECT_EQ(one.json()["username"], "user3");
    EXPECT_EQ(get("/api/v1/users/nobody").status, 404);
    EXPECT_EQ(get("/api/v1/users/user3?tenant=nope").status, 404);

    EXPECT_EQ(post("/api/v1/users", {{"username", "user3"}, {"password", "password-x"}}).status,
              409);
    EXPECT_EQ(post("/api/v1/users", {{"username", "a@b"}, {"password", "password-x"}}).field(),
              "username");
    EXPECT_EQ(post("/api/v1/users", {{"username", "shorty"}, {"password", "short"}}).field(),
              "password");
    EXPECT_EQ(post("/api/v1/users", {{"username", "nopw"}}).field(), "password");
    EXPECT_EQ(
        post("/api/v1/users", {{"tenant", "nope"}, {"username", "x"}, {"password", "password-x"}})
            .field(),
        "tenant");

    auto up = patch("/api/v1/users/user3", {{"superuser", true}});
    EXPECT_EQ(up.status, 200);
    EXPECT_EQ(up.json()["superuser"], true);
    EXPECT_EQ(patch("/api/v1/users/user3", {{"password", "short"}}).field(), "password");
    EXPECT_EQ(patch("/api/v1/users/nobody", {{"superuser", true}}).status, 404);
    EXPECT_EQ(patch("/api/v1/users/user3", {{"superuser", "yes"}}).field(), "superuser");

    EXPECT_EQ(del("/api/v1/users/user3").status, 204);
    EXPECT_EQ(del("/api/v1/users/user3").status, 404);
    EXPECT_EQ(get("/api/v1/users").json()["total"], 12);

    // Never a password or hash in any answer.
    for (const auto& u : get("/api/v1/users?limit=1000").json()["items"]) {
        EXPECT_EQ(u.size(), 4u) << u.dump();
        EXPECT_FALSE(u.contains("password"));
        EXPECT_FALSE(u.contains("hash"));
    }
    for (const auto& b : bodies_) EXPECT_EQ(b.find("pbkdf2"), std::string::npos);
}

// ---- ACL, blacklist ---------------------------------------------------------------------

TEST_F(AdminApi, AclRules) {
    auto deny = post("/api/v1/acls", {{"name", "deny-secret"},
                                      {"priority", 10},
                                      {"topic", "secret/#"},
                                      {"action", "publish"},
                                      {"permission", "deny"}});
    ASSERT_EQ(deny.status, 201) << deny.body;
    EXPECT_EQ(deny.json()["resource_type"], "all");
    EXPECT_EQ(deny.json()["ip"], "");
    auto allow = post("/api/v1/acls", {{"name", "a-default"}});
    ASSERT_EQ(allow.status, 201);
    EXPECT_EQ(allow.json()["priority"], 1000);
    EXPECT_EQ(allow.json()["topic"], "#");
    EXPECT_EQ(allow.json()["action"], "all");
    EXPECT_EQ(allow.json()["permission"], "allow");
    EXPECT_EQ(post("/api/v1/acls", {{"name", "a-default"}}).status, 409);
    EXPECT_EQ(post("/api/v1/acls", {{"priority", 1}}).field(), "name");
    EXPECT_EQ(post("/api/v1/acls", {{"name", "x"}, {"topic", "a/#/b"}}).field(), "topic");
    EXPECT_EQ(post("/api/v1/acls", {{"name", "x"}, {"ip", "not-an-ip"}}).field(), "ip");
    EXPECT_EQ(post("/api/v1/acls", {{"name", "x"}, {"action", "dance"}}).field(), "action");
    EXPECT_EQ(post("/api/v1/acls", {{"name", "x"}, {"permission", "maybe"}}).field(), "permission");
    EXPECT_EQ(post("/api/v1/acls", {{"name", "x"}, {"resource_type", "planet"}}).field(),
              "resource_type");

    auto list = get("/api/v1/acls").json();
    ASSERT_EQ(list["total"], 2);
    EXPECT_EQ(list["items"][0]["name"], "deny-secret") << "sorted by priority first";
    EXPECT_EQ(get("/api/v1/acls?name=secret").json()["total"], 1);

    auto denied = post("/api/v1/acls/check",
                       {{"client_id", "c1"}, {"action", "publish"}, {"topic", "secret/x"}});
    ASSERT_EQ(denied.status, 200) << denied.body;
    EXPECT_EQ(denied.json(), json({{"allowed", false}, {"superuser", false}}));
    auto allowed = post("/api/v1/acls/check",
                        {{"client_id", "c1"}, {"action", "subscribe"}, {"topic", "secret/x"}});
    EXPECT_EQ(allowed.json()["allowed"], true);
    auto super = post(
        "/api/v1/acls/check",
        {{"username", "admin"}, {"client_id", "c1"}, {"action", "publish"}, {"topic", "secret/x"}});
    EXPECT_EQ(super.json(), json({{"allowed", true}, {"superuser", true}}));
    EXPECT_EQ(
        post("/api/v1/acls/check", {{"client_id", "c1"}, {"action", "x"}, {"topic", "t"}}).field(),
        "action");
    EXPECT_EQ(post("/api/v1/acls/check", {{"action", "publish"}, {"topic", "t"}}).field(),
              "client_id");
    // Rules by user name apply to names without an account too.
    ASSERT_EQ(post("/api/v1/acls", {{"name", "ghost-deny"},
                                    {"priority", 1},
                                    {"resource_type", "username"},
                                    {"resource_name", "ghost"},
                                    {"permission", "deny"}})
                  .status,
              201);
    auto ghost =
        post("/api/v1/acls/check",
             {{"username", "ghost"}, {"client_id", "c1"}, {"action", "publish"}, {"topic", "t"}});
    ASSERT_EQ(ghost.status, 200) << ghost.body;
    EXPECT_EQ(ghost.json(), json({{"allowed", false}, {"superuser", false}}));
    EXPECT_EQ(del("/api/v1/acls/ghost-deny").status, 204);

    EXPECT_EQ(del("/api/v1/acls/deny-secret").status, 204);
    EXPECT_EQ(del("/api/v1/acls/deny-secret").status, 404);
    EXPECT_EQ(post("/api/v1/acls/check",
                   {{"client_id", "c1"}, {"action", "publish"}, {"topic", "secret/x"}})
                  .json()["allowed"],
              true);
}

TEST_F(AdminApi, Blacklist) {
    auto c = post("/api/v1/blacklist",
                  {{"type", "cidr"}, {"value", "10.0.0.0/8"}, {"reason", "lab network"}});
    ASSERT_EQ(c.status, 201) << c.body;
    EXPECT_EQ(c.json()["type"], "cidr");
    EXPECT_EQ(c.json()["expires_ms"], 0);
    EXPECT_EQ(c.json()["reason"], "lab network");
    EXPECT_EQ(post("/api/v1/blacklist", {{"type", "cidr"}, {"value", "10.0.0.0/8"}}).status, 409);
    EXPECT_EQ(post("/api/v1/blacklist", {{"type", "planet"}, {"value", "x"}}).field(), "type");
    EXPECT_EQ(post("/api/v1/blacklist", {{"type", "ip"}, {"value", "not-an-ip"}}).field(), "value");
    EXPECT_EQ(post("/api/v1/blacklist", {{"type", "ip"}}).field(), "value");
    ASSERT_EQ(post("/api/v1/blacklist", {{"type", "client_id"}, {"value", "bad-client"}}).status,
              201);

    EXPECT_EQ(get("/api/v1/blacklist").json()["total"], 2);
    EXPECT_EQ(get("/api/v1/blacklist?name=10.0").json()["total"], 1);

    // A banned client id cannot connect.
    robust::test::test_client banned(mqtt_port_);
    EXPECT_NE(banned.connect("bad-client").reason_code, 0);

    EXPECT_EQ(del("/api/v1/blacklist/cidr/10.0.0.0%2F8").status, 204);
    EXPECT_EQ(del("/api/v1/blacklist/cidr/10.0.0.0%2F8").status, 404);
    EXPECT_EQ(del("/api/v1/blacklist/planet/x").field(), "type");
    EXPECT_EQ(get("/api/v1/blacklist").json()["total"], 1);
}

// ---- topics --------------------------------------------------------------------------------

TEST_F(AdminApi, TopicsWithShards) {
    auto c = post("/api/v1/topics", {{"name", "orders/eu"},
                                     {"partitions", 3},
                                     {"retention_ms", 60000},
                                     {"durability", "fsync"}});
    ASSERT_EQ(c.status, 201) << c.body;
    EXPECT_EQ(c.json()["tenant"], "default");
    EXPECT_EQ(c.json()["partitions"], 3);
    EXPECT_EQ(c.json()["storage"], "rocksdb");
    EXPECT_EQ(c.json()["durability"], "fsync");
    EXPECT_EQ(c.json()["retained"], false);
    EXPECT_EQ(post("/api/v1/topics", {{"name", "orders/eu"}}).status, 409);
    EXPECT_EQ(post("/api/v1/topics", {{"partitions", 1}}).field(), "name");
    EXPECT_EQ(post("/api/v1/topics", {{"name", "a/+"}}).field(), "name");
    EXPECT_EQ(post("/api/v1/topics", {{"name", "x"}, {"partitions", 0}}).field(), "partitions");
    EXPECT_EQ(post("/api/v1/topics", {{"name", "x"}, {"storage", "floppy"}}).field(), "storage");
    EXPECT_EQ(post("/api/v1/topics", {{"name", "x"}, {"durability", "maybe"}}).field(),
              "durability");
    EXPECT_EQ(post("/api/v1/topics", {{"name", "x"}, {"retention_ms", -1}}).field(),
              "retention_ms");
    EXPECT_EQ(post("/api/v1/topics", {{"name", "x"}, {"tenant", "nope"}}).field(), "tenant");
    ASSERT_EQ(post("/api/v1/topics", {{"name", "metrics"}}).status, 201);

    // The shards exist in the journal under the documented names.
    for (uint32_t p = 0; p < 3; ++p) {
        EXPECT_TRUE(
            journal_->find_shard(meta::topic_shard_name("default", "orders/eu", p)).has_value())
            << p;
    }
    EXPECT_EQ(meta::topic_shard_name("default", "orders/eu", 2), "topic/default/orders%2Feu/2");
    auto shard = journal_->find_shard("topic/default/orders%2Feu/1");
    ASSERT_TRUE(shard.has_value());
    storage::append_request req;
    req.shard = *shard;
    for (int i = 0; i < 4; ++i) {
        storage::record r;
        r.value = shared_buffer(std::string("v") + std::to_string(i));
        req.records.push_back(std::move(r));
    }
    std::promise<bool> appended;
    journal_->append(std::move(req),
                     [&](result<storage::append_result> r) { appended.set_value(r.has_value()); });
    ASSERT_TRUE(appended.get_future().get());

    auto d = get("/api/v1/topics/orders%2Feu");
    ASSERT_EQ(d.status, 200) << d.body;
    auto dj = d.json();
    EXPECT_EQ(dj["name"], "orders/eu");
    ASSERT_EQ(dj["shards"].size(), 3u);
    EXPECT_EQ(dj["shards"][1]["partition"], 1);
    EXPECT_EQ(dj["shards"][1]["shard"], shard->value());
    EXPECT_EQ(dj["shards"][1]["earliest_offset"], 0);
    EXPECT_EQ(dj["shards"][1]["next_offset"], 4);
    EXPECT_EQ(dj["shards"][1]["records"], 4);
    EXPECT_EQ(dj["shards"][0]["records"], 0);
    EXPECT_EQ(get("/api/v1/topics/nope").status, 404);

    EXPECT_EQ(get("/api/v1/topics").json()["total"], 2);
    auto f = get("/api/v1/topics?name=orders").json();
    ASSERT_EQ(f["total"], 1);
    EXPECT_EQ(f["items"][0]["name"], "orders/eu");

    EXPECT_EQ(del("/api/v1/topics/orders%2Feu").status, 204);
    EXPECT_EQ(del("/api/v1/topics/orders%2Feu").status, 404);
    for (uint32_t p = 0; p < 3; ++p) {
        EXPECT_FALSE(
            journal_->find_shard(meta::topic_shard_name("default", "orders/eu", p)).has_value());
    }
    EXPECT_EQ(get("/api/v1/topics").json()["total"], 1);
}

// ---- MQTT: clients, sessions, subscriptions, publish, retained ----------------------------

TEST_F(AdminApi, ClientsSessionsSubscriptionsAndKick) {
    robust::test::test_client c(mqtt_port_);
    ASSERT_EQ(c.connect("dev/1", false, 3600).reason_code, 0);
    ASSERT_EQ(c.subscribe("sensors/+/temp", codec::qos_level::at_least_once).reason_codes.at(0), 1);
    robust::test::test_client other(mqtt_port_);
    ASSERT_EQ(other.connect("other-client").reason_code, 0);

    auto clients = get("/api/v1/clients").json();
    EXPECT_EQ(clients["total"], 2);
    auto one = get("/api/v1/clients/dev%2F1");
    ASSERT_EQ(one.status, 200) << one.body;
    auto cj = one.json();
    EXPECT_EQ(cj["client_id"], "dev/1");
    EXPECT_EQ(cj["tenant"], "default");
    EXPECT_EQ(cj["listener"], "mqtt-tcp");
    EXPECT_EQ(cj["protocol_version"], 5);
    EXPECT_EQ(cj["clean_start"], false);
    EXPECT_EQ(cj["subscriptions"], 1);
    EXPECT_NE(cj["peer"].get<std::string>().find("127.0.0.1:"), std::string::npos);
    EXPECT_EQ(get("/api/v1/clients?name=dev").json()["total"], 1);

    auto subs = get("/api/v1/subscriptions?client_id=dev%2F1").json();
    ASSERT_EQ(subs["total"], 1);
    EXPECT_EQ(subs["items"][0]["filter"], "sensors/+/temp");
    EXPECT_EQ(subs["items"][0]["qos"], 1);
    EXPECT_EQ(get("/api/v1/subscriptions?client_id=other-client").json()["total"], 0);

    auto sessions = get("/api/v1/sessions").json();
    EXPECT_EQ(sessions["total"], 2);
    auto s = get("/api/v1/sessions/dev%2F1").json();
    EXPECT_EQ(s["connected"], true);
    EXPECT_EQ(s["persistent"], true);
    EXPECT_EQ(s["expiry_interval_s"], 3600);

    // Kick: the client sees DISCONNECT 0x98 and the connection closes; the
    // persistent session stays.
    EXPECT_EQ(del("/api/v1/clients/dev%2F1").status, 204);
    auto d = c.expect<codec::disconnect>();
    EXPECT_EQ(d.reason_code, 0x98);
    EXPECT_FALSE(c.receive(std::chrono::seconds(2)));
    EXPECT_TRUE(c.closed());
    ASSERT_TRUE(eventually([&] { return get("/api/v1/clients/dev%2F1").status == 404; }));
    EXPECT_EQ(del("/api/v1/clients/dev%2F1").status, 404);
    auto offline = get("/api/v1/sessions/dev%2F1");
    ASSERT_EQ(offline.status, 200);
    EXPECT_EQ(offline.json()["connected"], false);
    EXPECT_GT(offline.json()["disconnected_at_ms"].get<int64_t>(), 0);

    EXPECT_EQ(del("/api/v1/sessions/dev%2F1").status, 204);
    EXPECT_EQ(get("/api/v1/sessions/dev%2F1").status, 404);
    EXPECT_EQ(del("/api/v1/sessions/dev%2F1").status, 404);
    EXPECT_EQ(get("/api/v1/subscriptions?client_id=dev%2F1").json()["total"], 0);
}

TEST_F(AdminApi, PublishAndRetained) {
    robust::test::test_client c(mqtt_port_);
    ASSERT_EQ(c.connect("listener-1").reason_code, 0);
    c.subscribe("news/#", codec::qos_level::at_least_once);

    auto p = post("/api/v1/publish", {{"topic", "news/today"},
                                      {"payload", "hello"},
                                      {"qos", 1},
                                      {"user_properties", {{"k", "v"}}},
                                      {"content_type", "text/plain"}});
    ASSERT_EQ(p.status, 200) << p.body;
    EXPECT_EQ(p.json(), json({{"published", true}}));
    auto m = c.receive_publish();
    EXPECT_EQ(m.topic, "news/today");
    EXPECT_EQ(m.payload.view(), "hello");
    EXPECT_EQ(m.qos, codec::qos_level::at_least_once);

    const std::string binary("\x00\xff\x10\x80", 4);
    auto b = post("/api/v1/publish", {{"topic", "news/bin"},
                                      {"payload", base64::encode(binary)},
                                      {"payload_encoding", "base64"},
                                      {"retain", true}});
    ASSERT_EQ(b.status, 200) << b.body;
    EXPECT_EQ(c.receive_publish().payload.view(), binary);
    ASSERT_EQ(
        post("/api/v1/publish", {{"topic", "news/text"}, {"payload", "grüße"}, {"retain", true}})
            .status,
        200);
    EXPECT_EQ(c.receive_publish().payload.view(), "grüße");

    EXPECT_EQ(post("/api/v1/publish", {{"payload", "x"}}).field(), "topic");
    EXPECT_EQ(post("/api/v1/publish", {{"topic", "a/#"}}).field(), "topic");
    EXPECT_EQ(post("/api/v1/publish", {{"topic", "a"}, {"qos", 3}}).field(), "qos");
    EXPECT_EQ(
        post("/api/v1/publish", {{"topic", "a"}, {"payload", "!!"}, {"payload_encoding", "base64"}})
            .field(),
        "payload");
    EXPECT_EQ(post("/api/v1/publish", {{"topic", "a"}, {"payload_encoding", "hex"}}).field(),
              "payload_encoding");
    EXPECT_EQ(post("/api/v1/publish", {{"topic", "a"}, {"user_properties", {{"k", 1}}}}).field(),
              "user_properties");
    EXPECT_EQ(post("/api/v1/publish", {{"topic", "a"}, {"tenant", "nope"}}).field(), "tenant");

    auto list = get("/api/v1/retained").json();
    ASSERT_EQ(list["total"], 2);
    auto bin = get("/api/v1/retained/news%2Fbin");
    ASSERT_EQ(bin.status, 200) << bin.body;
    EXPECT_EQ(bin.json()["payload_encoding"], "base64");
    EXPECT_EQ(base64::decode(bin.json()["payload"].get<std::string>()).value(), binary);
    EXPECT_EQ(bin.json()["topic"], "news/bin");
    auto text = get("/api/v1/retained/news%2Ftext").json();
    EXPECT_EQ(text["payload_encoding"], "text");
    EXPECT_EQ(text["payload"], "grüße");
    EXPECT_EQ(get("/api/v1/retained?name=bin").json()["total"], 1);
    EXPECT_EQ(get("/api/v1/retained?filter=news%2F%2B").json()["total"], 2);
    EXPECT_EQ(get("/api/v1/retained?filter=other%2F%23").json()["total"], 0);

    // MQTT topics are kernel topics too (recorded by their first publish);
    // the list marks those with a retained message. A name only MQTT has
    // recorded may be made a topic with partitions of its own, once.
    EXPECT_EQ(post("/api/v1/topics", {{"name", "news/bin"}}).status, 201);
    EXPECT_EQ(post("/api/v1/topics", {{"name", "news/bin"}}).status, 409);
    auto topics = get("/api/v1/topics?name=news").json();
    ASSERT_EQ(topics["total"], 3) << topics.dump();
    std::map<std::string, bool> retained;
    for (const auto& t : topics["items"]) retained[t["name"]] = t["retained"];
    EXPECT_EQ(retained, (std::map<std::string, bool>{
                            {"news/bin", true}, {"news/text", true}, {"news/today", false}}));

    EXPECT_EQ(del("/api/v1/retained/news%2Fbin").status, 204);
    EXPECT_EQ(get("/api/v1/retained/news%2Fbin").status, 404);
    EXPECT_EQ(del("/api/v1/retained/news%2Fbin").status, 404);
    EXPECT_EQ(get("/api/v1/retained").json()["total"], 1);
    // A new subscriber gets only the retained message that is left.
    robust::test::test_client late(mqtt_port_);
    ASSERT_EQ(late.connect("late").reason_code, 0);
    late.subscribe("news/#", codec::qos_level::at_most_once);
    EXPECT_EQ(late.receive_publish().topic, "news/text");
    EXPECT_FALSE(late.receive(std::chrono::milliseconds(300)));
}

// ---- without a broker ----------------------------------------------------------------------

TEST_F(AdminApi, MqttRoutesAre503WithoutABroker) {
    server_->stop();
    server_.reset();
    context ctx{.config = cfg_,
                .auth = *auth_,
                .mqtt = nullptr,
                .meta = *meta_,
                .journal = *journal_,
                .metrics = *metrics_};
    auto s = server::start(ctx, "127.0.0.1", 0);
    ASSERT_TRUE(s.has_value());
    server_ = std::move(*s);
    EXPECT_EQ(get("/api/v1/clients").status, 503);
    EXPECT_EQ(get("/api/v1/clients").json()["error"]["code"], "unavailable");
    EXPECT_EQ(post("/api/v1/publish", {{"topic", "t"}}).status, 503);
    auto o = get("/api/v1/overview");
    EXPECT_EQ(o.status, 200);
    EXPECT_EQ(o.json()["connections"], 0);
}

// ---- lifecycle ---------------------------------------------------------------------------------

TEST_F(AdminApi, LogsTheBoundListenerAndStopsIdempotently) {
    const std::string expected =
        "listener http bound to 127.0.0.1:" + std::to_string(server_->port());
    bool found = false;
    for (const auto& l : log_lines()) found = found || l.find(expected) != std::string::npos;
    EXPECT_TRUE(found);
    const uint16_t port = server_->port();
    server_->stop();
    server_->stop();
    httplib::Client c("127.0.0.1", port);
    EXPECT_FALSE(c.Get("/health/live"));
}

TEST_F(AdminApi, StopDoesNotWaitLongForIdleKeepAliveClients) {
    httplib::Client keep("127.0.0.1", server_->port());
    keep.set_keep_alive(true);
    auto r = keep.Get("/health/live");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    const auto started = std::chrono::steady_clock::now();
    server_->stop();
    const auto took = std::chrono::steady_clock::now() - started;
    EXPECT_LT(took, std::chrono::seconds(4)) << "bounded by keep_alive_timeout_s (2 s)";
}

TEST_F(AdminApi, BindFailureIsAnError) {
    context ctx{.config = cfg_,
                .auth = *auth_,
                .mqtt = broker_.get(),
                .meta = *meta_,
                .journal = *journal_,
                .metrics = *metrics_};
    auto clash = server::start(ctx, "127.0.0.1", server_->port());
    ASSERT_FALSE(clash.has_value());
    EXPECT_EQ(clash.error(), make_error_code(errc::io_error));
    EXPECT_FALSE(server::start(ctx, "127.0.0.1", -1).has_value());
}

class AdminApiPrivate : public admin_fixture {
    void customize(config::server_config& c) override {
        c.http.public_health = false;
        c.http.public_metrics = false;
    }
};

TEST_F(AdminApiPrivate, HealthAndMetricsCanRequireAuth) {
    EXPECT_EQ(call("GET", "/health/live", "").status, 401);
    EXPECT_EQ(call("GET", "/health/ready", "").status, 401);
    EXPECT_EQ(call("GET", "/metrics", "").status, 401);
    EXPECT_EQ(call("GET", "/health/live", admin_basic()).status, 200);
    EXPECT_EQ(call("GET", "/metrics", admin_bearer()).status, 200);
}

}  // namespace
}  // namespace robust::admin::test
