// service::authorize(): evaluation order, matching of resource, address,
// action and topic, subscription coverage, placeholders, the default policy
// and superusers.
#include <gtest/gtest.h>

#include "fixture.h"

namespace robust::auth {
namespace {

using testing::auth_fixture;
using testing::user;

acl_rule rule(std::string name, int32_t priority, std::string topic, acl_permission p,
              acl_action action = acl_action::all) {
    acl_rule r;
    r.name = std::move(name);
    r.priority = priority;
    r.topic = std::move(topic);
    r.permission = p;
    r.action = action;
    return r;
}

constexpr auto allow = acl_permission::allow;
constexpr auto deny = acl_permission::deny;

class AuthAcl : public auth_fixture {
protected:
    bool pub(const identity& who, std::string_view topic, bool retain = false) {
        return svc->authorize(who, access::publish, topic, retain);
    }
    bool sub(const identity& who, std::string_view filter) {
        return svc->authorize(who, access::subscribe, filter, false);
    }

    identity alice = user("default", "alice", "alice-phone", "10.0.0.1");
};

TEST_F(AuthAcl, DefaultPolicyWhenNothingMatches) {
    EXPECT_TRUE(pub(alice, "a/b"));
    EXPECT_TRUE(sub(alice, "#"));
    svc->set_acl_default(config::acl_permission::deny);
    EXPECT_EQ(svc->policy().acl_default, config::acl_permission::deny);
    EXPECT_FALSE(pub(alice, "a/b"));
    EXPECT_FALSE(sub(alice, "#"));
    add_rule(rule("only-x", 1, "x/#", allow));
    EXPECT_TRUE(pub(alice, "x/1"));
    EXPECT_FALSE(pub(alice, "y/1"));
}

TEST_F(AuthAcl, SuperuserBypassesRules) {
    svc->set_acl_default(config::acl_permission::deny);
    add_rule(rule("deny-all", 1, "#", deny));
    identity root = user("default", "root");
    root.superuser = true;
    EXPECT_TRUE(pub(root, "anything"));
    EXPECT_TRUE(sub(root, "#"));
    EXPECT_FALSE(pub(alice, "anything"));
}

TEST_F(AuthAcl, LowerPriorityFirstThenName) {
    add_rule(rule("b-allow", 10, "a/#", allow));
    add_rule(rule("z-deny", 20, "a/#", deny));
    EXPECT_TRUE(pub(alice, "a/1"));  // priority 10 decides
    add_rule(rule("early-deny", 5, "a/1", deny));
    EXPECT_FALSE(pub(alice, "a/1"));
    EXPECT_TRUE(pub(alice, "a/2"));
    // Equal priority: by name, "a-deny" before "b-allow".
    add_rule(rule("a-deny", 10, "a/2", deny));
    EXPECT_FALSE(pub(alice, "a/2"));
    auto rules = svc->list_acl("default");
    ASSERT_TRUE(rules.ok());
    ASSERT_EQ(rules->size(), 4u);
    EXPECT_EQ((*rules)[0].name, "early-deny");
    EXPECT_EQ((*rules)[1].name, "a-deny");
    EXPECT_EQ((*rules)[2].name, "b-allow");
    EXPECT_EQ((*rules)[3].name, "z-deny");
}

TEST_F(AuthAcl, DenyBeforeAllow) {
    svc->set_acl_default(config::acl_permission::deny);
    add_rule(rule("no-secrets", 1, "a/secret/#", deny));
    add_rule(rule("a-tree", 2, "a/#", allow));
    EXPECT_FALSE(pub(alice, "a/secret/x"));
    EXPECT_FALSE(pub(alice, "a/secret"));
    EXPECT_TRUE(pub(alice, "a/public/x"));
    EXPECT_TRUE(sub(alice, "a/public/#"));
    EXPECT_FALSE(sub(alice, "a/secret/+"));
    // A subscription that could receive a denied topic is refused as a whole.
    EXPECT_FALSE(sub(alice, "a/#"));
    EXPECT_FALSE(sub(alice, "a/+/x"));
}

TEST_F(AuthAcl, DenyOverlapKeepsWildcardSubscribersOut) {
    add_rule(rule("no-admin", 1, "admin/#", deny));
    add_rule(rule("all", 2, "#", allow));
    EXPECT_FALSE(sub(alice, "#"));
    EXPECT_FALSE(sub(alice, "+/config"));
    EXPECT_TRUE(sub(alice, "user/#"));
    EXPECT_TRUE(pub(alice, "user/x"));
}

TEST_F(AuthAcl, ResourceTypes) {
    svc->set_acl_default(config::acl_permission::deny);
    acl_rule by_client = rule("by-client", 1, "c/#", allow);
    by_client.resource_type = acl_resource::client_id;
    by_client.resource_name = "alice-phone";
    add_rule(by_client);
    acl_rule by_user = rule("by-user", 2, "u/#", allow);
    by_user.resource_type = acl_resource::username;
    by_user.resource_name = "alice";
    add_rule(by_user);

    EXPECT_TRUE(pub(alice, "c/1"));
    EXPECT_TRUE(pub(alice, "u/1"));
    identity bob = user("default", "bob", "bob-phone");
    EXPECT_FALSE(pub(bob, "c/1"));
    EXPECT_FALSE(pub(bob, "u/1"));
    identity alice_laptop = user("default", "alice", "alice-laptop");
    EXPECT_FALSE(pub(alice_laptop, "c/1"));
    EXPECT_TRUE(pub(alice_laptop, "u/1"));
    identity anon = user("default", "", "alice-phone");
    EXPECT_TRUE(pub(anon, "c/1"));
    EXPECT_FALSE(pub(anon, "u/1"));
}

TEST_F(AuthAcl, RulesBelongToTheirTenant) {
    ASSERT_TRUE(svc->create_tenant("acme", "").ok());
    acl_rule r = rule("deny-all", 1, "#", deny);
    r.tenant = "acme";
    add_rule(r);
    EXPECT_TRUE(pub(alice, "x"));
    EXPECT_FALSE(pub(user("acme", "alice"), "x"));
}

TEST_F(AuthAcl, Placeholders) {
    svc->set_acl_default(config::acl_permission::deny);
    add_rule(rule("own-tree", 1, "users/${username}/#", allow));
    add_rule(rule("own-device", 2, "devices/${clientid}/up", allow, acl_action::publish));
    EXPECT_TRUE(pub(alice, "users/alice/x"));
    EXPECT_TRUE(sub(alice, "users/alice/#"));
    EXPECT_FALSE(pub(alice, "users/bob/x"));
    EXPECT_FALSE(sub(alice, "users/+/x"));
    EXPECT_TRUE(pub(alice, "devices/alice-phone/up"));
    EXPECT_FALSE(pub(alice, "devices/other/up"));
    // No user name: a ${username} rule does not apply.
    identity anon = user("default", "", "dev1");
    EXPECT_FALSE(pub(anon, "users//x"));
    EXPECT_TRUE(pub(anon, "devices/dev1/up"));
    // A value with wildcard characters stays literal, so it widens nothing.
    identity plus = user("default", "+", "#");
    EXPECT_FALSE(sub(plus, "users/+/#"));
    EXPECT_FALSE(pub(plus, "users/bob/x"));
    EXPECT_FALSE(pub(plus, "devices/x/up"));
}

TEST_F(AuthAcl, PlaceholderValuesAreNotSubstitutedAgain) {
    svc->set_acl_default(config::acl_permission::deny);
    add_rule(rule("pair", 1, "p/${username}/${clientid}", allow));
    identity tricky = user("default", "${clientid}", "c1");
    EXPECT_FALSE(pub(tricky, "p/c1/c1"));
    EXPECT_TRUE(pub(tricky, "p/${clientid}/c1"));
}

TEST_F(AuthAcl, DenyPlaceholderWithWildcardValueDeniesNothingExtra) {
    add_rule(rule("no-own-debug", 1, "debug/${clientid}", deny));
    identity odd = user("default", "u", "+");
    EXPECT_TRUE(pub(odd, "debug/x"));  // "+" is not a wildcard here
    identity dev = user("default", "u", "x");
    EXPECT_FALSE(pub(dev, "debug/x"));
}

TEST_F(AuthAcl, AddressesAndNetworks) {
    svc->set_acl_default(config::acl_permission::deny);
    acl_rule lan = rule("lan", 1, "#", allow);
    lan.ip = "10.0.0.0/8";
    add_rule(lan);
    acl_rule v6 = rule("v6", 2, "#", allow);
    v6.ip = "fd00::/8";
    add_rule(v6);
    acl_rule one = rule("one", 3, "#", allow);
    one.ip = "203.0.113.7";
    add_rule(one);
    EXPECT_TRUE(pub(user("default", "a", "c", "10.20.30.40"), "t"));
    EXPECT_TRUE(pub(user("default", "a", "c", "::ffff:10.20.30.40"), "t"));
    EXPECT_TRUE(pub(user("default", "a", "c", "fd12::1"), "t"));
    EXPECT_TRUE(pub(user("default", "a", "c", "203.0.113.7"), "t"));
    EXPECT_FALSE(pub(user("default", "a", "c", "203.0.113.8"), "t"));
    EXPECT_FALSE(pub(user("default", "a", "c", "11.0.0.1"), "t"));
    EXPECT_FALSE(pub(user("default", "a", "c", "fe80::1"), "t"));
    EXPECT_FALSE(pub(user("default", "a", "c", ""), "t"));  // unknown address
}

TEST_F(AuthAcl, RetainRulesLimitRetainedPublishesOnly) {
    add_rule(rule("no-retain", 1, "#", deny, acl_action::retain));
    EXPECT_TRUE(pub(alice, "a", /*retain=*/false));
    EXPECT_FALSE(pub(alice, "a", /*retain=*/true));
    EXPECT_TRUE(sub(alice, "a"));
}

TEST_F(AuthAcl, RetainAllowAloneDoesNotAllowPlainPublish) {
    svc->set_acl_default(config::acl_permission::deny);
    add_rule(rule("retain-status", 1, "status/#", allow, acl_action::retain));
    EXPECT_TRUE(pub(alice, "status/x", true));
    EXPECT_FALSE(pub(alice, "status/x", false));
    EXPECT_FALSE(sub(alice, "status/#"));
}

TEST_F(AuthAcl, PublishAndSubscribeActions) {
    svc->set_acl_default(config::acl_permission::deny);
    add_rule(rule("pub", 1, "in/#", allow, acl_action::publish));
    add_rule(rule("sub", 2, "out/#", allow, acl_action::subscribe));
    EXPECT_TRUE(pub(alice, "in/1"));
    EXPECT_TRUE(pub(alice, "in/1", /*retain=*/true));  // publish rules cover retained ones
    EXPECT_FALSE(sub(alice, "in/1"));
    EXPECT_TRUE(sub(alice, "out/1"));
    EXPECT_FALSE(pub(alice, "out/1"));
}

TEST_F(AuthAcl, SubscriptionMustBeCovered) {
    svc->set_acl_default(config::acl_permission::deny);
    add_rule(rule("a-tree", 1, "a/#", allow));
    add_rule(rule("b-level", 2, "b/+", allow));
    EXPECT_TRUE(sub(alice, "a/b/+"));
    EXPECT_TRUE(sub(alice, "a/#"));
    EXPECT_TRUE(sub(alice, "a"));
    EXPECT_FALSE(sub(alice, "#"));
    EXPECT_FALSE(sub(alice, "+/b"));
    EXPECT_TRUE(sub(alice, "b/x"));
    EXPECT_TRUE(sub(alice, "b/+"));
    EXPECT_FALSE(sub(alice, "b/#"));
    EXPECT_FALSE(sub(alice, "b/x/y"));
}

TEST_F(AuthAcl, SharedSubscriptionsAreCheckedByTheirFilter) {
    svc->set_acl_default(config::acl_permission::deny);
    add_rule(rule("a-tree", 1, "a/#", allow));
    EXPECT_TRUE(sub(alice, "$share/g/a/b"));
    EXPECT_TRUE(sub(alice, "$share/workers/a/#"));
    EXPECT_TRUE(sub(alice, "$queue/a/jobs"));
    EXPECT_FALSE(sub(alice, "$share/g/b/c"));
    EXPECT_FALSE(sub(alice, "$share/a/b"));  // no filter after the group: invalid
}

TEST_F(AuthAcl, DeniesAreCounted) {
    add_rule(rule("no", 1, "x/#", deny));
    EXPECT_FALSE(pub(alice, "x/1"));
    EXPECT_FALSE(pub(alice, "x/2"));
    EXPECT_FALSE(sub(alice, "x/#"));
    EXPECT_TRUE(pub(alice, "y"));
    const auto s = svc->stats();
    EXPECT_EQ(s.publish_denied, 2u);
    EXPECT_EQ(s.subscribe_denied, 1u);
}

TEST_F(AuthAcl, RulesSurviveARestart) {
    add_rule(rule("no", 1, "x/#", deny));
    restart();
    EXPECT_FALSE(pub(alice, "x/1"));
    EXPECT_TRUE(pub(alice, "y/1"));
}

}  // namespace
}  // namespace robust::auth
