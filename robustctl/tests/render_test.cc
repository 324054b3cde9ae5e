// Table and JSON rendering of admin API answers; timestamps are checked in
// fixed time zones.

#include "render.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>

namespace robust::ctl {
namespace {

class RobustctlRender : public ::testing::Test {
protected:
    void SetUp() override {
        const char* tz = std::getenv("TZ");
        if (tz) saved_tz_ = tz;
        set_tz("UTC");
    }
    void TearDown() override {
        if (saved_tz_) {
            setenv("TZ", saved_tz_->c_str(), 1);
        } else {
            unsetenv("TZ");
        }
        tzset();
    }
    static void set_tz(const char* tz) {
        setenv("TZ", tz, 1);
        tzset();
    }
    std::optional<std::string> saved_tz_;
};

admin_call view(view_kind v) {
    admin_call c;
    c.view = v;
    return c;
}

TEST_F(RobustctlRender, TimestampsAreIsoLocalTime) {
    EXPECT_EQ(format_timestamp_ms(1'700'000'000'123), "2023-11-14T22:13:20Z");
    set_tz("CET-1CEST,M3.5.0,M10.5.0/3");
    EXPECT_EQ(format_timestamp_ms(1'700'000'000'000), "2023-11-14T23:13:20+01:00");
    EXPECT_EQ(format_timestamp_ms(1'690'000'000'000), "2023-07-22T06:26:40+02:00");
    set_tz("<-0330>3:30");
    EXPECT_EQ(format_timestamp_ms(1'700'000'000'000), "2023-11-14T18:43:20-03:30");
}

TEST_F(RobustctlRender, FieldsByNameAndType) {
    EXPECT_EQ(format_field("created_ms", json(1'700'000'000'000)), "2023-11-14T22:13:20Z");
    EXPECT_EQ(format_field("created_ms", json(0)), "-");
    EXPECT_EQ(format_field("expires_ms", json(0)), "never");
    EXPECT_EQ(format_field("retention_ms", json(604'800'000)), "7d");
    EXPECT_EQ(format_field("retention_ms", json(0)), "-");
    EXPECT_EQ(format_field("uptime_s", json(3723)), "1h2m3s");
    EXPECT_EQ(format_field("superuser", json(true)), "yes");
    EXPECT_EQ(format_field("retained", json(false)), "no");
    EXPECT_EQ(format_field("protocol_version", json(4)), "3.1.1");
    EXPECT_EQ(format_field("protocol_version", json(5)), "5");
    EXPECT_EQ(format_field("roles", json::array({"meta", "broker"})), "meta,broker");
    EXPECT_EQ(format_field("reason", json(nullptr)), "-");
    EXPECT_EQ(format_field("priority", json(10)), "10");
    EXPECT_EQ(format_field("user_properties", json::parse(R"({"k":"v"})")), R"({"k":"v"})");
    EXPECT_EQ(field_header("created_ms"), "CREATED");
    EXPECT_EQ(field_header("client_id"), "CLIENT_ID");
}

TEST_F(RobustctlRender, ListTableWithPageLine) {
    const std::string body = R"({"items":[
        {"tenant":"default","username":"admin","superuser":true,"created_ms":1700000000000},
        {"tenant":"acme","username":"bob","superuser":false,"created_ms":0}],
        "page":1,"limit":2,"total":5})";
    auto r = render_success(view(view_kind::list), body, output_format::table);
    EXPECT_EQ(r.exit, 0);
    EXPECT_EQ(r.out,
              "TENANT   USERNAME  SUPERUSER  CREATED\n"
              "default  admin     yes        2023-11-14T22:13:20Z\n"
              "acme     bob       no         -\n"
              "page 1 of 3, 5 items\n");
}

TEST_F(RobustctlRender, NamesFirstTimestampsLastWhateverTheServerOrder) {
    // The server may send fields sorted by name.
    auto r = render_success(view(view_kind::list), R"({"items":[
        {"created_ms":1700000000000,"description":"d","name":"acme"}],"total":1})",
                            output_format::table);
    EXPECT_EQ(r.out,
              "NAME  DESCRIPTION  CREATED\n"
              "acme  d            2023-11-14T22:13:20Z\n"
              "page 1 of 1, 1 item\n");
    auto item = render_success(view(view_kind::item),
                               R"({"created_ms":0,"superuser":false,"tenant":"t","username":"u"})",
                               output_format::table);
    EXPECT_EQ(item.out,
              "KEY        VALUE\n"
              "tenant     t\n"
              "username   u\n"
              "superuser  no\n"
              "created    -\n");
}

TEST_F(RobustctlRender, EmptyListAndSingularTotal) {
    auto r = render_success(view(view_kind::list), R"({"items":[],"page":1,"limit":50,"total":0})",
                            output_format::table);
    EXPECT_EQ(r.out, "(no items)\npage 1 of 1, 0 items\n");
    auto one = render_success(view(view_kind::list),
                              R"({"items":[{"name":"x"}],"page":1,"limit":50,"total":1})",
                              output_format::table);
    EXPECT_EQ(one.out, "NAME\nx\npage 1 of 1, 1 item\n");
}

TEST_F(RobustctlRender, LongPayloadsAreCutInLists) {
    const std::string payload(100, 'p');
    auto r = render_success(
        view(view_kind::list),
        R"({"items":[{"topic":"t","payload":")" + payload + R"("}],"page":1,"limit":50,"total":1})",
        output_format::table);
    EXPECT_NE(r.out.find(std::string(57, 'p') + "...\n"), std::string::npos) << r.out;
    auto item = render_success(view(view_kind::item), R"({"payload":")" + payload + R"("})",
                               output_format::table);
    EXPECT_NE(item.out.find(payload), std::string::npos);
}

TEST_F(RobustctlRender, ItemAsKeyValueWithNestedTables) {
    auto r = render_success(view(view_kind::item), R"({"name":"a/b","partitions":2,
        "retained":true,"shards":[{"partition":0,"records":5},{"partition":1,"records":7}]})",
                            output_format::table);
    EXPECT_EQ(r.out,
              "KEY         VALUE\n"
              "name        a/b\n"
              "partitions  2\n"
              "retained    yes\n"
              "\nshards:\n"
              "PARTITION  RECORDS\n"
              "0          5\n"
              "1          7\n");
}

TEST_F(RobustctlRender, ClusterOverviewAndHistory) {
    auto c = render_success(view(view_kind::cluster), R"({"cluster":"robustmq","nodes":[
        {"id":1,"address":"127.0.0.1:1228","roles":["meta","broker"],"uptime_s":61}]})",
                            output_format::table);
    EXPECT_EQ(c.out,
              "cluster: robustmq\n"
              "ID  ADDRESS         ROLES        UPTIME_S\n"
              "1   127.0.0.1:1228  meta,broker  1m1s\n");
    auto o = render_success(view(view_kind::overview), R"({"connections":3,
        "rates":{"messages_in":1.5},"listeners":[{"name":"mqtt-tcp","port":1883}]})",
                            output_format::table);
    EXPECT_EQ(o.out,
              "KEY                VALUE\n"
              "connections        3\n"
              "rates.messages_in  1.5\n"
              "\nlisteners:\n"
              "NAME      PORT\n"
              "mqtt-tcp  1883\n");
    auto h = render_success(view(view_kind::history), R"({"interval_s":10,"points":[
        {"time_ms":1700000000000,"connections":2}]})",
                            output_format::table);
    EXPECT_EQ(h.out,
              "interval: 10s\n"
              "TIME                  CONNECTIONS\n"
              "2023-11-14T22:13:20Z  2\n");
}

TEST_F(RobustctlRender, ConfigFilteredBySectionOrKey) {
    const std::string body = R"({"config":{"mqtt":{"max_inflight":32,"bind":"0.0.0.0"},
        "auth":{"anonymous":"loopback"}},"runtime_changeable":["mqtt.max_inflight"]})";
    auto all = render_success(view(view_kind::config), body, output_format::table);
    EXPECT_EQ(all.out,
              "KEY                VALUE     RUNTIME_CHANGEABLE\n"
              "mqtt.max_inflight  32        yes\n"
              "mqtt.bind          0.0.0.0   no\n"
              "auth.anonymous     loopback  no\n");
    admin_call section = view(view_kind::config);
    section.config_key = "mqtt";
    EXPECT_EQ(render_success(section, body, output_format::table).out,
              "KEY                VALUE    RUNTIME_CHANGEABLE\n"
              "mqtt.max_inflight  32       yes\n"
              "mqtt.bind          0.0.0.0  no\n");
    admin_call missing = view(view_kind::config);
    missing.config_key = "mqt";  // a prefix of a section is not a section
    auto m = render_success(missing, body, output_format::table);
    EXPECT_EQ(m.exit, 1);
    EXPECT_EQ(m.out, "");
    EXPECT_NE(m.err.find("no configuration key matches 'mqt'"), std::string::npos);

    // config set shows the keys it set.
    admin_call set = view(view_kind::config);
    set.req.method = "PATCH";
    set.req.body = json{{"mqtt.max_inflight", 32}};
    EXPECT_EQ(render_success(set, body, output_format::table).out,
              "KEY                VALUE  RUNTIME_CHANGEABLE\n"
              "mqtt.max_inflight  32     yes\n");
}

TEST_F(RobustctlRender, KafkaGroupLikeKafkaConsumerGroups) {
    const std::string body = R"({"tenant":"default","group":"billing","state":"Stable",
        "protocol_type":"consumer","protocol":"range","members":[
          {"member_id":"m-1","group_instance_id":null,"client_id":"c1","client_host":"10.0.0.7",
           "assignment":[{"topic":"orders","partitions":[0,1]},{"topic":"audit","partitions":[2]}]}],
        "lag":7,"generation":3,"offsets":[
          {"topic":"orders","partition":0,"committed_offset":5,"log_start_offset":0,
           "log_end_offset":12,"lag":7,"member_id":"m-1","metadata":""},
          {"topic":"orders","partition":1,"committed_offset":null,"log_start_offset":0,
           "log_end_offset":0,"lag":null,"member_id":"m-1","metadata":""},
          {"topic":"old","partition":0,"committed_offset":3,"log_start_offset":0,
           "log_end_offset":3,"lag":0,"member_id":"","metadata":"x"}]})";
    auto r = render_success(view(view_kind::group), body, output_format::table);
    EXPECT_EQ(r.out,
              "KEY            VALUE\n"
              "group          billing\n"
              "tenant         default\n"
              "state          Stable\n"
              "protocol_type  consumer\n"
              "protocol       range\n"
              "generation     3\n"
              "members        1\n"
              "lag            7\n"
              "\nmembers:\n"
              "MEMBER-ID  INSTANCE-ID  CLIENT-ID  HOST      ASSIGNMENT\n"
              "m-1        -            c1         10.0.0.7  orders:0,1 audit:2\n"
              "\noffsets:\n"
              "TOPIC   PARTITION  CURRENT-OFFSET  LOG-END-OFFSET  LAG  CONSUMER-ID  HOST      "
              "CLIENT-ID\n"
              "orders  0          5               12              7    m-1          10.0.0.7  c1\n"
              "orders  1          -               0               -    m-1          10.0.0.7  c1\n"
              "old     0          3               3               0    -            -         -\n");
    auto empty = render_success(view(view_kind::group),
                                R"({"group":"g","state":"Empty","members":[],"offsets":[]})",
                                output_format::table);
    EXPECT_NE(empty.out.find("members: none"), std::string::npos);
    EXPECT_NE(empty.out.find("offsets: none committed"), std::string::npos);
}

TEST_F(RobustctlRender, OffsetResetPlan) {
    const std::string body = R"({"tenant":"default","group":"g","dry_run":true,"partitions":[
        {"topic":"t","partition":0,"previous_offset":7,"new_offset":0},
        {"topic":"t","partition":1,"previous_offset":null,"new_offset":0}]})";
    auto r = render_success(view(view_kind::offsets), body, output_format::table);
    EXPECT_EQ(r.out,
              "TOPIC  PARTITION  PREVIOUS-OFFSET  NEW-OFFSET\n"
              "t      0          7                0\n"
              "t      1          -                0\n"
              "dry run: offsets of group g not changed (run without --dry-run)\n");
    std::string done = body;
    done.replace(done.find("true"), 4, "false");
    EXPECT_EQ(render_success(view(view_kind::offsets), done, output_format::table)
                  .out.substr(r.out.find("dry run")),
              "offsets of group g reset on 2 partitions\n");
}

TEST_F(RobustctlRender, SmallViews) {
    EXPECT_EQ(render_success(view(view_kind::acl_check), R"({"allowed":true,"superuser":false})",
                             output_format::table)
                  .out,
              "allowed\n");
    EXPECT_EQ(render_success(view(view_kind::acl_check), R"({"allowed":false,"superuser":false})",
                             output_format::table)
                  .out,
              "denied\n");
    EXPECT_EQ(render_success(view(view_kind::acl_check), R"({"allowed":true,"superuser":true})",
                             output_format::table)
                  .out,
              "allowed (superuser)\n");
    admin_call done = view(view_kind::done);
    done.done_message = "user bob deleted";
    EXPECT_EQ(render_success(done, "", output_format::table).out, "user bob deleted\n");
    EXPECT_EQ(render_success(done, "", output_format::json_text).out, "");

    const std::string login =
        R"({"token":"TOKEN123","expires_at_ms":1700000000000,"username":"admin"})";
    auto table = render_success(view(view_kind::login), login, output_format::table);
    EXPECT_EQ(table.out.find("TOKEN123"), std::string::npos) << "the token only with json";
    EXPECT_NE(table.out.find("login ok: admin"), std::string::npos);
    EXPECT_NE(render_success(view(view_kind::login), login, output_format::json_text)
                  .out.find("TOKEN123"),
              std::string::npos);

    admin_call health = view(view_kind::health);
    health.req.path = "/health/ready";
    EXPECT_EQ(render_success(health, R"({"status":"ready"})", output_format::table).out,
              "ready: ready\n");
}

TEST_F(RobustctlRender, JsonIsTheServersJsonPrettyPrinted) {
    auto r = render_success(view(view_kind::list), R"({"items":[{"b":1,"a":true}],"total":1})",
                            output_format::json_text);
    EXPECT_EQ(r.out,
              "{\n"
              "  \"items\": [\n"
              "    {\n"
              "      \"b\": 1,\n"
              "      \"a\": true\n"
              "    }\n"
              "  ],\n"
              "  \"total\": 1\n"
              "}\n");
}

TEST_F(RobustctlRender, NonJsonBodyIsShownAsIs) {
    EXPECT_EQ(render_success(view(view_kind::item), "plain text", output_format::table).out,
              "plain text\n");
}

TEST_F(RobustctlRender, ErrorLines) {
    EXPECT_EQ(render_error(400,
                           R"({"error":{"code":"bad_request","message":"must not contain '@'",)"
                           R"("field":"username"}})",
                           ""),
              "error: 400 bad_request: username: must not contain '@'\n");
    EXPECT_EQ(render_error(404, R"({"error":{"code":"not_found","message":"no user bob"}})", ""),
              "error: 404 not_found: no user bob\n");
    EXPECT_EQ(
        render_error(429, R"({"error":{"code":"too_many_requests","message":"slow down"}})", "30"),
        "error: 429 too_many_requests: slow down (retry after 30 s)\n");
    EXPECT_EQ(render_error(502, "Bad Gateway\nmore", ""), "error: 502: Bad Gateway\n");
    EXPECT_EQ(render_error(500, "", ""), "error: 500\n");
}

}  // namespace
}  // namespace robust::ctl
