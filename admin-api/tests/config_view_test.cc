#include "config_view.h"

#include <gtest/gtest.h>

#include <set>

namespace robust::admin::detail {
namespace {

TEST(AdminConfigView, ShowsExactlyTheAcceptedKeys) {
    const auto j = config_json(config::server_config{});
    std::set<std::string> shown;
    for (const auto& [section, keys] : j.items()) {
        for (const auto& [key, value] : keys.items()) shown.insert(section + "." + key);
    }
    const auto accepted = config::config_keys();
    EXPECT_EQ(shown, std::set<std::string>(accepted.begin(), accepted.end()));
}

TEST(AdminConfigView, ValuesAsConfigured) {
    config::server_config c;
    c.mqtt.tcp_port = 1999;
    c.log.level = config::log_level::debug;
    c.tls.key_file = "/etc/robustmq/key.pem";
    c.auth.anonymous = config::anonymous_access::deny;
    const auto j = config_json(c);
    EXPECT_EQ(j["mqtt"]["tcp_port"], 1999);
    EXPECT_EQ(j["log"]["level"], "debug");
    EXPECT_EQ(j["tls"]["key_file"], "/etc/robustmq/key.pem");
    EXPECT_EQ(j["auth"]["anonymous"], "deny");
    EXPECT_EQ(j["http"]["port"], 58080);
}

TEST(AdminConfigView, PatchChangesRuntimeKeys) {
    config::server_config c;
    auto err =
        apply_patch(c, nlohmann::json::parse(R"({"log.level":"warn","auth.anonymous":"deny",)"
                                             R"("auth.acl_default":"deny"})"));
    EXPECT_FALSE(err);
    EXPECT_EQ(c.log.level, config::log_level::warn);
    EXPECT_EQ(c.auth.anonymous, config::anonymous_access::deny);
    EXPECT_EQ(c.auth.acl_default, config::acl_permission::deny);
}

TEST(AdminConfigView, PatchIsAllOrNothing) {
    config::server_config c;
    auto err = apply_patch(
        c, nlohmann::json::parse(R"({"auth.anonymous":"deny","mqtt.max_inflight":10})"));
    ASSERT_TRUE(err);
    EXPECT_EQ(err->field, "mqtt.max_inflight");
    EXPECT_EQ(err->message, "not changeable at runtime; edit the config file and restart");
    EXPECT_EQ(c.auth.anonymous, config::anonymous_access::loopback) << "nothing applied";
}

TEST(AdminConfigView, PatchErrorsNameTheKey) {
    config::server_config c;
    EXPECT_EQ(apply_patch(c, nlohmann::json::parse(R"({"mqtt.nope":1})"))->field, "mqtt.nope");
    EXPECT_EQ(apply_patch(c, nlohmann::json::parse(R"({"log.level":"loud"})"))->field, "log.level");
    EXPECT_EQ(apply_patch(c, nlohmann::json::parse(R"({"auth.anonymous":1})"))->field,
              "auth.anonymous");
    EXPECT_EQ(apply_patch(c, nlohmann::json::object())->field, "body");
}

TEST(AdminConfigView, RuntimeKeysAreKnownKeys) {
    const auto accepted = config::config_keys();
    for (const auto& k : runtime_changeable_keys()) {
        EXPECT_NE(std::find(accepted.begin(), accepted.end(), k), accepted.end()) << k;
    }
}

}  // namespace
}  // namespace robust::admin::detail
