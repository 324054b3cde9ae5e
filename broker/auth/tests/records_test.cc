// White-box tests of src/records.h: keys and the stored JSON values.
#include "records.h"

#include <gtest/gtest.h>

#include "base/errc.h"

namespace robust::auth::detail {
namespace {

TEST(AuthRecords, KeysEscapeTheirParts) {
    EXPECT_EQ(tenant_key("acme"), "auth/tenant/acme");
    EXPECT_EQ(user_key("acme", "a/b%c"), "auth/user/acme/a%2Fb%25c");
    EXPECT_EQ(users_of("acme"), "auth/user/acme/");
    EXPECT_EQ(acl_key("default", "r1"), "auth/acl/default/r1");
    EXPECT_EQ(blacklist_key(blacklist_type::cidr, "10.0.0.0/8"),
              "auth/blacklist/cidr/10.0.0.0%2F8");

    auto k = parse_key("auth/user/acme/a%2Fb%25c");
    EXPECT_EQ(k.kind, key_kind::user);
    EXPECT_EQ(k.first, "acme");
    EXPECT_EQ(k.second, "a/b%c");
    EXPECT_EQ(parse_key("auth/token_key").kind, key_kind::token_key);
    EXPECT_EQ(parse_key("auth/tenant/x").kind, key_kind::tenant);
    EXPECT_EQ(parse_key("auth/blacklist/ip/1.2.3.4").kind, key_kind::blacklist);
    EXPECT_EQ(parse_key("auth/user/acme").kind, key_kind::unknown);
    EXPECT_EQ(parse_key("auth/user/acme/%zz").kind, key_kind::unknown);
    EXPECT_EQ(parse_key("auth/other/a/b").kind, key_kind::unknown);
    EXPECT_EQ(parse_key("topic/a/b").kind, key_kind::unknown);
}

TEST(AuthRecords, RoundTrips) {
    acl_rule r;
    r.tenant = "acme";
    r.name = "r1";
    r.priority = -5;
    r.resource_type = acl_resource::client_id;
    r.resource_name = "c1";
    r.topic = "a/${clientid}/#";
    r.ip = "10.0.0.0/8";
    r.action = acl_action::retain;
    r.permission = acl_permission::deny;
    r.created_ms = 42;
    auto enc = encode(r);
    ASSERT_TRUE(enc.has_value());
    auto dec = decode_acl(*enc);
    ASSERT_TRUE(dec.has_value());
    EXPECT_EQ(dec->name, "r1");
    EXPECT_EQ(dec->priority, -5);
    EXPECT_EQ(dec->resource_type, acl_resource::client_id);
    EXPECT_EQ(dec->resource_name, "c1");
    EXPECT_EQ(dec->topic, "a/${clientid}/#");
    EXPECT_EQ(dec->ip, "10.0.0.0/8");
    EXPECT_EQ(dec->action, acl_action::retain);
    EXPECT_EQ(dec->permission, acl_permission::deny);
    EXPECT_EQ(dec->created_ms, 42);

    user_record u{user_info{"acme", "alice", true, 7}, "$pbkdf2-sha256$i=1$x$y"};
    auto ue = decode_user(*encode(u));
    ASSERT_TRUE(ue.has_value());
    EXPECT_EQ(ue->info.username, "alice");
    EXPECT_TRUE(ue->info.superuser);
    EXPECT_EQ(ue->password_hash, u.password_hash);

    blacklist_entry b{blacklist_type::username_regex, "^bot", 99, "spam", 3};
    auto be = decode_blacklist(*encode(b));
    ASSERT_TRUE(be.has_value());
    EXPECT_EQ(be->type, blacklist_type::username_regex);
    EXPECT_EQ(be->value, "^bot");
    EXPECT_EQ(be->expires_ms, 99);
    EXPECT_EQ(be->reason, "spam");

    auto te = decode_tenant(*encode(tenant_info{"acme", "Acme Corp", 5}));
    ASSERT_TRUE(te.has_value());
    EXPECT_EQ(te->description, "Acme Corp");
}

TEST(AuthRecords, DecodeIsDefensive) {
    const auto corruption = make_error_code(errc::corruption);
    EXPECT_EQ(decode_tenant("not json").error(), corruption);
    EXPECT_EQ(decode_tenant("[]").error(), corruption);
    EXPECT_EQ(decode_tenant(R"({"v":1,"name":"a","created_ms":1})").error(), corruption);
    EXPECT_EQ(decode_tenant(R"({"v":1,"name":5,"description":"","created_ms":1})").error(),
              corruption);
    EXPECT_EQ(decode_tenant(R"({"v":2,"name":"a","description":"","created_ms":1})").error(),
              make_error_code(errc::unsupported));
    // Unknown fields are ignored.
    EXPECT_TRUE(
        decode_tenant(R"({"v":1,"name":"a","description":"","created_ms":1,"x":[]})").has_value());
    // Unknown enum names are corrupt.
    blacklist_entry b{blacklist_type::ip, "1.2.3.4", 0, "", 0};
    std::string v = *encode(b);
    v.replace(v.find("\"ip\""), 4, "\"mac\"");
    EXPECT_EQ(decode_blacklist(v).error(), corruption);
}

TEST(AuthRecords, EncodeRefusesNonUtf8) {
    EXPECT_EQ(encode(tenant_info{"a", "\xff", 0}).error(), make_error_code(errc::invalid_argument));
}

}  // namespace
}  // namespace robust::auth::detail
