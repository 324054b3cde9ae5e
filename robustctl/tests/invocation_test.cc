// Command line -> request: every area and verb of robustctl, checked without
// a server (method, path, query, body, and how the answer is shown).

#include "invocation.h"

#include <gtest/gtest.h>

#include <map>

namespace robust::ctl {
namespace {

using mqtt::codec::protocol_version;
using mqtt::codec::qos_level;

constexpr int64_t now_ms = 1'700'000'000'000;

parse_outcome parse(std::vector<std::string> args,
                    std::map<std::string, std::string> env_vars = {}) {
    args.insert(args.begin(), "robustctl");
    parse_context ctx;
    ctx.env = [env_vars](const std::string& k) -> std::optional<std::string> {
        auto it = env_vars.find(k);
        if (it == env_vars.end()) return std::nullopt;
        return it->second;
    };
    ctx.now_ms = now_ms;
    return parse_command_line(args, ctx);
}

admin_call call(std::vector<std::string> args) {
    auto p = parse(std::move(args));
    EXPECT_TRUE(p.inv.has_value()) << "exit " << p.exit << ": " << p.err;
    if (!p.inv) return {};
    auto* c = std::get_if<admin_call>(&p.inv->action);
    EXPECT_NE(c, nullptr);
    return c ? *c : admin_call{};
}

int usage_exit(std::vector<std::string> args) {
    auto p = parse(std::move(args));
    EXPECT_FALSE(p.inv.has_value());
    return p.exit;
}

// -- cluster, config ----------------------------------------------------------

TEST(RobustctlInvocation, Cluster) {
    auto info = call({"cluster", "info"});
    EXPECT_EQ(info.req.method, "GET");
    EXPECT_EQ(info.req.target(), "/api/v1/cluster");
    EXPECT_EQ(info.view, view_kind::cluster);
    EXPECT_EQ(call({"cluster", "overview"}).req.target(), "/api/v1/overview");
    EXPECT_EQ(call({"cluster", "overview"}).view, view_kind::overview);
    EXPECT_EQ(call({"cluster", "history"}).req.target(), "/api/v1/overview/history");
    auto h = call({"cluster", "history", "--minutes", "15"});
    EXPECT_EQ(h.req.target(), "/api/v1/overview/history?minutes=15");
    EXPECT_EQ(h.view, view_kind::history);
    EXPECT_EQ(usage_exit({"cluster", "history", "--minutes", "0"}), 2);
}

TEST(RobustctlInvocation, ConfigGetAndSet) {
    auto g = call({"config", "get"});
    EXPECT_EQ(g.req.method, "GET");
    EXPECT_EQ(g.req.target(), "/api/v1/config");
    EXPECT_EQ(g.view, view_kind::config);
    EXPECT_EQ(g.config_key, "");
    EXPECT_EQ(call({"config", "get", "mqtt.max_inflight"}).config_key, "mqtt.max_inflight");

    auto s = call({"config", "set", "mqtt.max_inflight=64", "auth.anonymous=deny",
                   "http.public_metrics=false", "x.list=[1,2]", "x.quoted=\"5\""});
    EXPECT_EQ(s.req.method, "PATCH");
    EXPECT_EQ(s.req.target(), "/api/v1/config");
    ASSERT_TRUE(s.req.body);
    EXPECT_EQ(s.req.body->dump(),
              R"({"mqtt.max_inflight":64,"auth.anonymous":"deny","http.public_metrics":false,)"
              R"("x.list":[1,2],"x.quoted":"5"})");
    EXPECT_EQ(usage_exit({"config", "set", "no-equals-sign"}), 2);
    EXPECT_EQ(usage_exit({"config", "set", "=value"}), 2);
    EXPECT_EQ(usage_exit({"config", "set"}), 2);
}

TEST(RobustctlInvocation, ParseAssignment) {
    EXPECT_EQ(parse_assignment("a.b=1")->second, json(1));
    EXPECT_EQ(parse_assignment("a.b=1.5")->second, json(1.5));
    EXPECT_EQ(parse_assignment("a.b=true")->second, json(true));
    EXPECT_EQ(parse_assignment("a.b=")->second, json(""));
    EXPECT_EQ(parse_assignment("a.b=x=y")->second, json("x=y"));
    EXPECT_EQ(parse_assignment("a.b=10m")->second, json("10m"));
    EXPECT_EQ(parse_assignment("a.b=1")->first, "a.b");
    EXPECT_FALSE(parse_assignment("a.b"));
}

// -- tenant, user --------------------------------------------------------------

TEST(RobustctlInvocation, Tenant) {
    auto l = call({"tenant", "list"});
    EXPECT_EQ(l.req.target(), "/api/v1/tenants");
    EXPECT_EQ(l.view, view_kind::list);
    auto c = call({"tenant", "create", "acme", "--description", "Acme Inc."});
    EXPECT_EQ(c.req.method, "POST");
    EXPECT_EQ(c.req.target(), "/api/v1/tenants");
    EXPECT_EQ(c.req.body->dump(), R"({"name":"acme","description":"Acme Inc."})");
    EXPECT_EQ(call({"tenant", "create", "acme"}).req.body->dump(), R"({"name":"acme"})");
    auto d = call({"tenant", "delete", "acme"});
    EXPECT_EQ(d.req.method, "DELETE");
    EXPECT_EQ(d.req.target(), "/api/v1/tenants/acme");
    EXPECT_EQ(d.view, view_kind::done);
    EXPECT_EQ(d.done_message, "tenant acme deleted");
    EXPECT_EQ(usage_exit({"tenant", "create"}), 2);
}

TEST(RobustctlInvocation, ListOptions) {
    auto l =
        call({"user", "list", "--page", "2", "--limit", "10", "--name", "al", "--tenant", "acme"});
    EXPECT_EQ(l.req.target(), "/api/v1/users?page=2&limit=10&name=al&tenant=acme");
    EXPECT_EQ(l.view, view_kind::list);
    EXPECT_EQ(usage_exit({"user", "list", "--limit", "1001"}), 2);
    EXPECT_EQ(usage_exit({"user", "list", "--limit", "0"}), 2);
    EXPECT_EQ(usage_exit({"user", "list", "--page", "0"}), 2);
    EXPECT_EQ(usage_exit({"user", "list", "--page", "x"}), 2);
    EXPECT_EQ(call({"user", "list", "--name", "a b&c"}).req.target(),
              "/api/v1/users?name=a%20b%26c");
}

TEST(RobustctlInvocation, User) {
    auto c =
        call({"user", "create", "alice", "--password", "pw1", "--superuser", "--tenant", "acme"});
    EXPECT_EQ(c.req.method, "POST");
    EXPECT_EQ(c.req.target(), "/api/v1/users");
    EXPECT_EQ(c.req.body->dump(),
              R"({"tenant":"acme","username":"alice","password":"pw1","superuser":true})");
    EXPECT_EQ(call({"user", "create", "bob", "--password", "x"}).req.body->dump(),
              R"({"username":"bob","password":"x","superuser":false})");
    EXPECT_EQ(usage_exit({"user", "create", "bob"}), 2);  // no password

    auto g = call({"user", "get", "alice", "--tenant", "acme"});
    EXPECT_EQ(g.req.method, "GET");
    EXPECT_EQ(g.req.target(), "/api/v1/users/alice?tenant=acme");
    EXPECT_EQ(g.view, view_kind::item);
    EXPECT_EQ(call({"user", "get", "alice"}).req.target(), "/api/v1/users/alice");

    auto u = call({"user", "update", "alice", "--password", "new"});
    EXPECT_EQ(u.req.method, "PATCH");
    EXPECT_EQ(u.req.target(), "/api/v1/users/alice");
    EXPECT_EQ(u.req.body->dump(), R"({"password":"new"})");
    EXPECT_EQ(call({"user", "update", "alice", "--superuser"}).req.body->dump(),
              R"({"superuser":true})");
    EXPECT_EQ(call({"user", "update", "alice", "--no-superuser", "--tenant", "t"}).req.body->dump(),
              R"({"superuser":false})");
    EXPECT_EQ(usage_exit({"user", "update", "alice"}), 2);  // nothing to change

    auto d = call({"user", "delete", "alice", "--tenant", "acme"});
    EXPECT_EQ(d.req.method, "DELETE");
    EXPECT_EQ(d.req.target(), "/api/v1/users/alice?tenant=acme");
    EXPECT_EQ(d.done_message, "user alice deleted");
}

TEST(RobustctlInvocation, UserPasswordVersusAdminPassword) {
    // --password before the area is the admin's; after `user create` it is
    // the new user's.
    auto p = parse({"--user", "admin", "--password", "adminpw", "user", "create", "bob",
                    "--password", "bobpw"});
    ASSERT_TRUE(p.inv);
    EXPECT_EQ(p.inv->global.creds.password, "adminpw");
    EXPECT_EQ(p.inv->global.creds.user, "admin");
    EXPECT_EQ(std::get<admin_call>(p.inv->action).req.body->at("password"), "bobpw");
    // Global options after the command reach the top level (fallthrough).
    auto q = parse({"user", "list", "--user", "admin", "--password", "pw", "-o", "json"});
    ASSERT_TRUE(q.inv);
    EXPECT_EQ(q.inv->global.creds.password, "pw");
    EXPECT_EQ(q.inv->global.output, output_format::json_text);
}

// -- acl, blacklist --------------------------------------------------------------

TEST(RobustctlInvocation, Acl) {
    EXPECT_EQ(call({"acl", "list", "--tenant", "t"}).req.target(), "/api/v1/acls?tenant=t");
    auto c = call({"acl",     "create",          "--name",   "deny-secret",     "--priority",
                   "10",      "--resource-type", "username", "--resource-name", "bob",
                   "--topic", "secret/#",        "--ip",     "10.0.0.0/8",      "--action",
                   "publish", "--permission",    "deny",     "--tenant",        "acme"});
    EXPECT_EQ(c.req.method, "POST");
    EXPECT_EQ(c.req.target(), "/api/v1/acls");
    EXPECT_EQ(c.req.body->dump(),
              R"({"tenant":"acme","name":"deny-secret","priority":10,"resource_type":"username",)"
              R"("resource_name":"bob","topic":"secret/#","ip":"10.0.0.0/8","action":"publish",)"
              R"("permission":"deny"})");
    // Only what is given is sent; the server applies its defaults.
    EXPECT_EQ(call({"acl", "create", "--name", "r"}).req.body->dump(), R"({"name":"r"})");
    EXPECT_EQ(usage_exit({"acl", "create"}), 2);
    EXPECT_EQ(usage_exit({"acl", "create", "--name", "r", "--action", "read"}), 2);
    EXPECT_EQ(usage_exit({"acl", "create", "--name", "r", "--permission", "maybe"}), 2);
    EXPECT_EQ(usage_exit({"acl", "create", "--name", "r", "--resource-type", "ip"}), 2);

    auto d = call({"acl", "delete", "deny-secret"});
    EXPECT_EQ(d.req.method, "DELETE");
    EXPECT_EQ(d.req.target(), "/api/v1/acls/deny-secret");

    auto k = call({"acl", "check", "--client-id", "c1", "--username", "bob", "--ip", "10.1.2.3",
                   "--action", "publish", "--topic", "secret/x", "--retain", "--tenant", "acme"});
    EXPECT_EQ(k.req.method, "POST");
    EXPECT_EQ(k.req.target(), "/api/v1/acls/check");
    EXPECT_EQ(k.view, view_kind::acl_check);
    EXPECT_EQ(k.req.body->dump(),
              R"({"tenant":"acme","username":"bob","client_id":"c1","ip":"10.1.2.3",)"
              R"("action":"publish","topic":"secret/x","retain":true})");
    EXPECT_EQ(call({"acl", "check", "--client-id", "c", "--action", "subscribe", "--topic", "#"})
                  .req.body->dump(),
              R"({"client_id":"c","action":"subscribe","topic":"#"})");
    EXPECT_EQ(usage_exit({"acl", "check", "--client-id", "c", "--topic", "t"}), 2);
    EXPECT_EQ(usage_exit({"acl", "check", "--client-id", "c", "--action", "all", "--topic", "t"}),
              2);
}

TEST(RobustctlInvocation, Blacklist) {
    EXPECT_EQ(call({"blacklist", "list"}).req.target(), "/api/v1/blacklist");
    auto a = call({"blacklist", "add", "--type", "client_id", "--value", "bad", "--expires", "10m",
                   "--reason", "flooding"});
    EXPECT_EQ(a.req.method, "POST");
    EXPECT_EQ(a.req.target(), "/api/v1/blacklist");
    EXPECT_EQ(a.req.body->dump(), R"({"type":"client_id","value":"bad","expires_ms":1700000600000,)"
                                  R"("reason":"flooding"})");
    EXPECT_EQ(call({"blacklist", "add", "--type", "ip", "--value", "1.2.3.4"}).req.body->dump(),
              R"({"type":"ip","value":"1.2.3.4","expires_ms":0})");
    EXPECT_EQ(
        call({"blacklist", "add", "--type", "cidr", "--value", "10.0.0.0/8", "--expires", "0"})
            .req.body->at("expires_ms"),
        0);
    EXPECT_EQ(call({"blacklist", "add", "--type", "ip", "--value", "x", "--expires", "7d"})
                  .req.body->at("expires_ms"),
              now_ms + 7 * 86'400'000LL);
    EXPECT_EQ(usage_exit({"blacklist", "add", "--type", "ip", "--value", "x", "--expires", "10"}),
              2);
    EXPECT_EQ(usage_exit({"blacklist", "add", "--type", "host", "--value", "x"}), 2);
    EXPECT_EQ(usage_exit({"blacklist", "add", "--type", "ip"}), 2);

    auto d = call({"blacklist", "delete", "client_id_regex", "^bad/.*$"});
    EXPECT_EQ(d.req.method, "DELETE");
    EXPECT_EQ(d.req.target(), "/api/v1/blacklist/client_id_regex/%5Ebad%2F.%2A%24");
    EXPECT_EQ(call({"blacklist", "delete", "cidr", "10.0.0.0/8"}).req.target(),
              "/api/v1/blacklist/cidr/10.0.0.0%2F8");
}

// -- topic, retained, session, client, subscription, publish ----------------------

TEST(RobustctlInvocation, Topic) {
    EXPECT_EQ(call({"topic", "list", "--name", "sensors"}).req.target(),
              "/api/v1/topics?name=sensors");
    auto c = call({"topic", "create", "sensors/temp", "--partitions", "3", "--storage", "memory",
                   "--durability", "fsync", "--retention", "7d", "--retention-bytes", "1000000",
                   "--tenant", "acme"});
    EXPECT_EQ(c.req.method, "POST");
    EXPECT_EQ(c.req.target(), "/api/v1/topics");
    EXPECT_EQ(c.req.body->dump(),
              R"({"tenant":"acme","name":"sensors/temp","partitions":3,"storage":"memory",)"
              R"("durability":"fsync","retention_ms":604800000,"retention_bytes":1000000})");
    EXPECT_EQ(call({"topic", "create", "t"}).req.body->dump(), R"({"name":"t"})");
    EXPECT_EQ(usage_exit({"topic", "create", "t", "--retention", "forever"}), 2);
    EXPECT_EQ(usage_exit({"topic", "create", "t", "--partitions", "0"}), 2);

    // '/' in a topic name stays inside one path segment.
    auto g = call({"topic", "get", "sensors/temp"});
    EXPECT_EQ(g.req.method, "GET");
    EXPECT_EQ(g.req.target(), "/api/v1/topics/sensors%2Ftemp");
    auto d = call({"topic", "delete", "a/b c", "--tenant", "acme"});
    EXPECT_EQ(d.req.method, "DELETE");
    EXPECT_EQ(d.req.target(), "/api/v1/topics/a%2Fb%20c?tenant=acme");
}

TEST(RobustctlInvocation, Group) {
    auto l = call({"group", "list", "--tenant", "acme", "--name", "bill"});
    EXPECT_EQ(l.req.method, "GET");
    EXPECT_EQ(l.req.target(), "/api/v1/kafka/groups?name=bill&tenant=acme");
    EXPECT_EQ(l.view, view_kind::list);
    auto d = call({"group", "describe", "billing/eu"});
    EXPECT_EQ(d.req.method, "GET");
    EXPECT_EQ(d.req.target(), "/api/v1/kafka/groups/billing%2Feu");
    EXPECT_EQ(d.view, view_kind::group);
    auto del = call({"group", "delete", "billing", "--tenant", "acme"});
    EXPECT_EQ(del.req.method, "DELETE");
    EXPECT_EQ(del.req.target(), "/api/v1/kafka/groups/billing?tenant=acme");
    EXPECT_EQ(del.view, view_kind::done);
    EXPECT_EQ(del.done_message, "consumer group billing deleted");
}

TEST(RobustctlInvocation, GroupResetOffsets) {
    auto e = call({"group", "reset-offsets", "billing", "--topic", "orders", "--to-earliest"});
    EXPECT_EQ(e.req.method, "POST");
    EXPECT_EQ(e.req.target(), "/api/v1/kafka/groups/billing/offsets");
    EXPECT_EQ(e.view, view_kind::offsets);
    EXPECT_EQ(e.req.body->dump(), R"({"to":"earliest","topics":[{"topic":"orders"}]})");

    auto o = call({"group", "reset-offsets", "billing", "--topic", "orders:0,2,5-7", "--topic",
                   "audit", "--to-offset", "42", "--dry-run", "--tenant", "acme"});
    EXPECT_EQ(o.req.target(), "/api/v1/kafka/groups/billing/offsets?tenant=acme");
    EXPECT_EQ(o.req.body->dump(),
              R"({"to":"offset","offset":42,"topics":[{"topic":"orders","partitions":[0,2,5,6,7]},)"
              R"({"topic":"audit"}],"dry_run":true})");

    EXPECT_EQ(call({"group", "reset-offsets", "g", "--all-topics", "--to-latest"}).req.body->dump(),
              R"({"to":"latest"})");
    EXPECT_EQ(call({"group", "reset-offsets", "g", "--all-topics", "--to-datetime",
                    "2023-11-14T22:13:20Z"})
                  .req.body->dump(),
              R"({"to":"timestamp","timestamp_ms":1700000000000})");
    EXPECT_EQ(
        call({"group", "reset-offsets", "g", "--all-topics", "--to-datetime", "1700000000123"})
            .req.body->dump(),
        R"({"to":"timestamp","timestamp_ms":1700000000123})");
}

TEST(RobustctlInvocation, GroupResetOffsetsUsageErrorsNameTheFlag) {
    auto err = [](std::vector<std::string> args) {
        args.insert(args.begin(), {"group", "reset-offsets", "g"});
        auto p = parse(std::move(args));
        EXPECT_FALSE(p.inv.has_value());
        EXPECT_EQ(p.exit, 2);
        return p.err;
    };
    EXPECT_NE(err({"--topic", "t"}).find("exactly one of --to-earliest"), std::string::npos);
    EXPECT_NE(err({"--topic", "t", "--to-earliest", "--to-latest"}).find("(got several)"),
              std::string::npos);
    EXPECT_NE(err({"--to-earliest"}).find("--topic TOPIC[:PARTITIONS]"), std::string::npos);
    EXPECT_NE(err({"--topic", "t", "--all-topics", "--to-earliest"}).find("not both"),
              std::string::npos);
    EXPECT_NE(err({"--topic", "t:1,x", "--to-earliest"}).find("--topic: bad partition list"),
              std::string::npos);
    EXPECT_NE(err({"--topic", "t:3-1", "--to-earliest"}).find("e.g. orders:0,2,5-7"),
              std::string::npos);
    EXPECT_NE(err({"--topic", ":1", "--to-earliest"}).find("--topic: missing topic name"),
              std::string::npos);
    EXPECT_NE(err({"--topic", "t", "--to-offset", "-1"}).find("--to-offset"), std::string::npos);
    EXPECT_NE(err({"--topic", "t", "--to-datetime", "yesterday"}).find("--to-datetime"),
              std::string::npos);
    EXPECT_EQ(usage_exit({"group", "reset-offsets", "--topic", "t", "--to-earliest"}), 2);
}

TEST(RobustctlInvocation, Retained) {
    EXPECT_EQ(call({"retained", "list", "--filter", "sensors/+/temp", "--limit", "5"}).req.target(),
              "/api/v1/retained?limit=5&filter=sensors%2F%2B%2Ftemp");
    EXPECT_EQ(call({"retained", "get", "a/b"}).req.target(), "/api/v1/retained/a%2Fb");
    auto d = call({"retained", "delete", "a/b"});
    EXPECT_EQ(d.req.method, "DELETE");
    EXPECT_EQ(d.req.target(), "/api/v1/retained/a%2Fb");
}

TEST(RobustctlInvocation, SessionAndClient) {
    EXPECT_EQ(call({"session", "list"}).req.target(), "/api/v1/sessions");
    EXPECT_EQ(call({"session", "get", "c 1"}).req.target(), "/api/v1/sessions/c%201");
    auto sd = call({"session", "delete", "c1"});
    EXPECT_EQ(sd.req.method, "DELETE");
    EXPECT_EQ(sd.req.target(), "/api/v1/sessions/c1");
    EXPECT_EQ(call({"client", "list", "--name", "sensor"}).req.target(),
              "/api/v1/clients?name=sensor");
    EXPECT_EQ(call({"client", "get", "c1", "--tenant", "t"}).req.target(),
              "/api/v1/clients/c1?tenant=t");
    auto k = call({"client", "kick", "c1"});
    EXPECT_EQ(k.req.method, "DELETE");
    EXPECT_EQ(k.req.target(), "/api/v1/clients/c1");
    EXPECT_EQ(k.done_message, "client c1 disconnected");
}

TEST(RobustctlInvocation, Subscription) {
    auto l = call({"subscription", "list", "--client-id", "c1", "--page", "1"});
    EXPECT_EQ(l.req.method, "GET");
    EXPECT_EQ(l.req.target(), "/api/v1/subscriptions?page=1&client_id=c1");
    EXPECT_EQ(l.view, view_kind::list);
}

TEST(RobustctlInvocation, Publish) {
    auto p = call({"publish", "--topic", "a/b", "--payload", "hello", "--qos", "1", "--retain"});
    EXPECT_EQ(p.req.method, "POST");
    EXPECT_EQ(p.req.target(), "/api/v1/publish");
    EXPECT_EQ(p.req.body->dump(), R"({"topic":"a/b","payload":"hello","qos":1,"retain":true})");
    auto b = call({"publish", "--topic", "t", "--payload", "AAE=", "--base64", "--content-type",
                   "application/octet-stream", "--user-property", "k=v", "--user-property", "x=1=2",
                   "--tenant", "acme"});
    EXPECT_EQ(b.req.body->dump(),
              R"({"tenant":"acme","topic":"t","payload":"AAE=","payload_encoding":"base64",)"
              R"("qos":0,"retain":false,"user_properties":{"k":"v","x":"1=2"},)"
              R"("content_type":"application/octet-stream"})");
    EXPECT_EQ(usage_exit({"publish", "--topic", "t", "--qos", "3"}), 2);
    EXPECT_EQ(usage_exit({"publish", "--payload", "x"}), 2);
    EXPECT_EQ(usage_exit({"publish", "--topic", "t", "--user-property", "novalue"}), 2);
}

TEST(RobustctlInvocation, LoginAndHealth) {
    auto l = call({"login"});
    EXPECT_EQ(l.req.method, "POST");
    EXPECT_EQ(l.req.target(), "/api/v1/login");
    EXPECT_FALSE(l.req.send_credentials);
    EXPECT_EQ(l.view, view_kind::login);
    EXPECT_EQ(call({"health"}).req.target(), "/health/ready");
    EXPECT_EQ(call({"health", "live"}).req.target(), "/health/live");
    EXPECT_EQ(call({"health", "ready"}).view, view_kind::health);
    EXPECT_EQ(usage_exit({"health", "dead"}), 2);
}

// -- global options -----------------------------------------------------------------

TEST(RobustctlInvocation, ServerFromFlagEnvOrDefault) {
    auto d = parse({"cluster", "info"});
    EXPECT_EQ(d.inv->global.server.display(), "http://127.0.0.1:58080");
    auto e = parse({"cluster", "info"}, {{"ROBUSTMQ_SERVER", "https://broker.example:9443"}});
    EXPECT_EQ(e.inv->global.server.display(), "https://broker.example:9443");
    auto f = parse({"--server", "http://10.0.0.5:8080", "cluster", "info"},
                   {{"ROBUSTMQ_SERVER", "https://ignored:1"}});
    EXPECT_EQ(f.inv->global.server.display(), "http://10.0.0.5:8080");
    EXPECT_EQ(usage_exit({"--server", "ftp://x", "cluster", "info"}), 2);
}

TEST(RobustctlInvocation, CredentialsAndOutputFlags) {
    auto p = parse({"--token", "tok", "--data-dir", "/d", "--output", "json", "user", "list"});
    ASSERT_TRUE(p.inv);
    EXPECT_EQ(p.inv->global.creds.token, "tok");
    EXPECT_EQ(p.inv->global.creds.data_dir, "/d");
    EXPECT_FALSE(p.inv->global.creds.user);
    EXPECT_EQ(p.inv->global.output, output_format::json_text);
    EXPECT_EQ(parse({"user", "list"}).inv->global.output, output_format::table);
    EXPECT_EQ(usage_exit({"--output", "yaml", "user", "list"}), 2);
}

TEST(RobustctlInvocation, UsageErrorsAndHelp) {
    EXPECT_EQ(usage_exit({}), 2);
    EXPECT_EQ(usage_exit({"user"}), 2);
    EXPECT_EQ(usage_exit({"user", "frobnicate"}), 2);
    EXPECT_EQ(usage_exit({"nosuch"}), 2);
    auto bad = parse({"user", "get"});
    EXPECT_EQ(bad.exit, 2);
    EXPECT_NE(bad.err.find("error: "), std::string::npos);
    EXPECT_NE(bad.err.find("--help"), std::string::npos);

    auto help = parse({"--help"});
    EXPECT_FALSE(help.inv);
    EXPECT_EQ(help.exit, 0);
    EXPECT_NE(help.out.find("blacklist"), std::string::npos);
    auto area_help = parse({"acl", "--help"});
    EXPECT_EQ(area_help.exit, 0);
    EXPECT_NE(area_help.out.find("check"), std::string::npos);
    auto verb_help = parse({"mqtt", "sub", "--help"});
    EXPECT_EQ(verb_help.exit, 0);
    EXPECT_NE(verb_help.out.find("--timeout"), std::string::npos);
}

// -- mqtt pub / sub -------------------------------------------------------------------

TEST(RobustctlInvocation, MqttPub) {
    auto p = parse({"mqtt", "pub", "-h", "broker", "-p", "1999",       "-t", "a/b", "-m",
                    "hi",   "-q",  "2",  "-r",     "-V", "3.1.1",      "-i", "me",  "-u",
                    "bob",  "-P",  "pw", "-k",     "5",  "--no-clean", "-C", "3"});
    ASSERT_TRUE(p.inv) << p.err;
    const auto& o = std::get<mqtt_pub_options>(p.inv->action);
    EXPECT_EQ(o.host, "broker");
    EXPECT_EQ(o.port, 1999);
    EXPECT_EQ(o.topic, "a/b");
    EXPECT_EQ(o.message, "hi");
    EXPECT_EQ(o.qos, qos_level::exactly_once);
    EXPECT_TRUE(o.retain);
    EXPECT_EQ(o.version, protocol_version::v3_1_1);
    EXPECT_EQ(o.client_id, "me");
    EXPECT_EQ(o.username, "bob");
    EXPECT_EQ(o.password, "pw");
    EXPECT_EQ(o.keepalive_s, 5);
    EXPECT_FALSE(o.clean);
    EXPECT_EQ(o.count, 3u);
    EXPECT_FALSE(o.tls.enabled);

    auto d = parse({"mqtt", "pub", "-t", "t", "-m", ""});
    ASSERT_TRUE(d.inv);
    const auto& dflt = std::get<mqtt_pub_options>(d.inv->action);
    EXPECT_EQ(dflt.host, "127.0.0.1");
    EXPECT_EQ(dflt.port, 1883);
    EXPECT_EQ(dflt.version, protocol_version::v5);
    EXPECT_EQ(dflt.qos, qos_level::at_most_once);
    EXPECT_TRUE(dflt.clean);
    EXPECT_EQ(dflt.count, 1u);
    EXPECT_FALSE(dflt.username);

    auto s = parse({"mqtt", "pub", "-t", "t", "--stdin-lines", "--session-expiry", "60"});
    ASSERT_TRUE(s.inv);
    EXPECT_TRUE(std::get<mqtt_pub_options>(s.inv->action).stdin_lines);
    EXPECT_EQ(std::get<mqtt_pub_options>(s.inv->action).session_expiry_s, 60u);

    EXPECT_EQ(usage_exit({"mqtt", "pub", "-t", "t"}), 2);  // no message
    EXPECT_EQ(usage_exit({"mqtt", "pub", "-m", "x"}), 2);  // no topic
    EXPECT_EQ(usage_exit({"mqtt", "pub", "-t", "t", "-m", "x", "--stdin-lines"}), 2);
    EXPECT_EQ(usage_exit({"mqtt", "pub", "-t", "t", "--stdin-lines", "-C", "2"}), 2);
    EXPECT_EQ(usage_exit({"mqtt", "pub", "-t", "t", "-m", "x", "-q", "3"}), 2);
    EXPECT_EQ(usage_exit({"mqtt", "pub", "-t", "t", "-m", "x", "-V", "4"}), 2);
    EXPECT_EQ(
        usage_exit({"mqtt", "pub", "-t", "t", "-m", "x", "-V", "3.1.1", "--session-expiry", "5"}),
        2);
    EXPECT_EQ(usage_exit({"mqtt", "pub", "-t", "t", "-m", "x", "-C", "0"}), 2);
}

TEST(RobustctlInvocation, MqttSubAndTls) {
    auto p = parse({"mqtt", "sub", "-t", "a/#", "-t", "b/+", "-C", "10", "-v", "--timeout", "2.5",
                    "-q", "1", "--insecure"});
    ASSERT_TRUE(p.inv) << p.err;
    const auto& o = std::get<mqtt_sub_options>(p.inv->action);
    EXPECT_EQ(o.topics, (std::vector<std::string>{"a/#", "b/+"}));
    EXPECT_EQ(o.count, 10u);
    EXPECT_TRUE(o.verbose);
    EXPECT_EQ(o.timeout_s, 2.5);
    EXPECT_EQ(o.qos, qos_level::at_least_once);
    EXPECT_TRUE(o.tls.enabled);
    EXPECT_TRUE(o.tls.insecure);
    EXPECT_EQ(o.port, 1885);  // the broker's MQTT/TLS port by default

    auto plain = parse({"mqtt", "sub", "-t", "x"});
    ASSERT_TRUE(plain.inv);
    EXPECT_FALSE(std::get<mqtt_sub_options>(plain.inv->action).timeout_s);
    EXPECT_EQ(std::get<mqtt_sub_options>(plain.inv->action).count, 0u);

    EXPECT_EQ(usage_exit({"mqtt", "sub"}), 2);
    EXPECT_EQ(usage_exit({"mqtt", "sub", "-t", "x", "--cafile", "/no/such/file.pem"}), 2);
    EXPECT_EQ(usage_exit({"mqtt", "sub", "-t", "x", "--timeout", "-1"}), 2);
}

}  // namespace
}  // namespace robust::ctl
