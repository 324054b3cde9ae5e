// Tenants, users, rules and bans as the admin API manages them: validation
// errors name the field, conflicts and missing records have their codes, and
// what is written is what is listed, after a restart too.
#include <gtest/gtest.h>

#include "base/errc.h"
#include "fixture.h"

namespace robust::auth {
namespace {

using testing::auth_fixture;

template <class T>
void expect_failure(const outcome<T>& o, errc code, std::string_view field) {
    ASSERT_FALSE(o.ok());
    EXPECT_EQ(o.error().code, make_error_code(code)) << o.error().message;
    EXPECT_EQ(o.error().field, field) << o.error().message;
    EXPECT_FALSE(o.error().message.empty());
}

using AuthManagement = auth_fixture;

TEST_F(AuthManagement, StartCreatesTheDefaultTenant) {
    auto tenants = svc->list_tenants();
    ASSERT_TRUE(tenants.ok());
    ASSERT_EQ(tenants->size(), 1u);
    EXPECT_EQ((*tenants)[0].name, "default");
    auto stored = store->get("auth/tenant/default");
    ASSERT_TRUE(stored.has_value() && stored->has_value());
    EXPECT_NE((*stored)->find("\"v\":1"), std::string::npos);
}

TEST_F(AuthManagement, Tenants) {
    auto t = svc->create_tenant("acme.eu-1", "Acme Europe");
    ASSERT_TRUE(t.ok());
    EXPECT_GT(t->created_ms, 0);
    expect_failure(svc->create_tenant("acme.eu-1", ""), errc::already_exists, "name");
    expect_failure(svc->create_tenant("", ""), errc::invalid_argument, "name");
    expect_failure(svc->create_tenant("a b", ""), errc::invalid_argument, "name");
    expect_failure(svc->create_tenant("a/b", ""), errc::invalid_argument, "name");
    expect_failure(svc->create_tenant(std::string(65, 'a'), ""), errc::invalid_argument, "name");
    EXPECT_TRUE(svc->create_tenant(std::string(64, 'a'), "").ok());
    expect_failure(svc->create_tenant("x", "\xff"), errc::invalid_argument, "description");
    EXPECT_EQ(svc->list_tenants()->size(), 3u);
}

TEST_F(AuthManagement, TenantDeleteRefusedWhileInUse) {
    ASSERT_TRUE(svc->create_tenant("acme", "").ok());
    add_user("acme", "alice", "password1");
    expect_failure(svc->delete_tenant("acme"), errc::protocol_error, "name");
    ASSERT_TRUE(svc->delete_user("acme", "alice").ok());
    acl_rule r;
    r.tenant = "acme";
    r.name = "r";
    add_rule(r);
    expect_failure(svc->delete_tenant("acme"), errc::protocol_error, "name");
    ASSERT_TRUE(svc->delete_acl("acme", "r").ok());
    EXPECT_TRUE(svc->delete_tenant("acme").ok());
    expect_failure(svc->delete_tenant("acme"), errc::not_found, "name");
    expect_failure(svc->delete_tenant("default"), errc::protocol_error, "name");
    EXPECT_EQ(svc->list_tenants()->size(), 1u);
}

TEST_F(AuthManagement, UserValidationNamesTheField) {
    expect_failure(svc->create_user("default", "", "password1", false), errc::invalid_argument,
                   "username");
    expect_failure(svc->create_user("default", "a@b", "password1", false), errc::invalid_argument,
                   "username");
    expect_failure(svc->create_user("default", "tab\there", "password1", false),
                   errc::invalid_argument, "username");
    expect_failure(svc->create_user("default", "c1\xc2\x85", "password1", false),
                   errc::invalid_argument, "username");  // C1 control (NEL)
    expect_failure(svc->create_user("default", "bad\xff", "password1", false),
                   errc::invalid_argument, "username");
    expect_failure(svc->create_user("default", std::string(257, 'u'), "password1", false),
                   errc::invalid_argument, "username");
    expect_failure(svc->create_user("default", "bob", "short", false), errc::invalid_argument,
                   "password");
    expect_failure(svc->create_user("default", "bob", std::string(1025, 'p'), false),
                   errc::invalid_argument, "password");
    expect_failure(svc->create_user("nope", "bob", "password1", false), errc::invalid_argument,
                   "tenant");
    // Names may hold '/' and '%' (keys are escaped) and any UTF-8.
    EXPECT_TRUE(svc->create_user("default", "a/b%2F", "password1", false).ok());
    EXPECT_TRUE(svc->create_user("default", "Zoë", "password1", false).ok());
    EXPECT_TRUE(svc->get_user("default", "a/b%2F").ok());
    EXPECT_FALSE(svc->get_user("default", "a").ok());
}

TEST_F(AuthManagement, Users) {
    ASSERT_TRUE(svc->create_tenant("acme", "").ok());
    auto u = svc->create_user("default", "alice", "password1", false);
    ASSERT_TRUE(u.ok());
    EXPECT_EQ(u->tenant, "default");
    EXPECT_FALSE(u->superuser);
    expect_failure(svc->create_user("default", "alice", "password2", true), errc::already_exists,
                   "username");
    add_user("acme", "alice", "password1");
    add_user("acme", "albert", "password1", true);

    EXPECT_EQ(svc->list_users("", "")->size(), 3u);
    EXPECT_EQ(svc->list_users("acme", "")->size(), 2u);
    auto filtered = svc->list_users("", "lic");
    ASSERT_TRUE(filtered.ok());
    ASSERT_EQ(filtered->size(), 2u);
    EXPECT_EQ((*filtered)[0].tenant, "acme");
    EXPECT_EQ((*filtered)[1].tenant, "default");
    expect_failure(svc->list_users("nope", ""), errc::not_found, "tenant");

    auto updated = svc->update_user("acme", "alice", std::nullopt, true);
    ASSERT_TRUE(updated.ok());
    EXPECT_TRUE(updated->superuser);
    EXPECT_TRUE(svc->get_user("acme", "alice")->superuser);
    EXPECT_TRUE(svc->check_password("acme", "alice", "password1").has_value());
    expect_failure(svc->update_user("acme", "alice", "short", std::nullopt), errc::invalid_argument,
                   "password");
    expect_failure(svc->update_user("acme", "nobody", std::nullopt, true), errc::not_found,
                   "username");
    expect_failure(svc->delete_user("acme", "nobody"), errc::not_found, "username");

    // The hash, never the password, is stored, and the API never shows it.
    auto raw = store->get("auth/user/acme/alice");
    ASSERT_TRUE(raw.has_value() && raw->has_value());
    EXPECT_EQ((*raw)->find("password1"), std::string::npos);
    EXPECT_NE((*raw)->find("$pbkdf2-sha256$i=1000$"), std::string::npos);

    restart();
    EXPECT_EQ(svc->list_users("", "")->size(), 3u);
    EXPECT_TRUE(svc->get_user("acme", "albert")->superuser);
    EXPECT_TRUE(svc->check_password("acme", "albert", "password1").has_value());
}

TEST_F(AuthManagement, EnsureAdmin) {
    auto first = svc->ensure_admin("admin", "admin-secret");
    ASSERT_TRUE(first.ok());
    EXPECT_TRUE(*first);
    EXPECT_TRUE(svc->get_user("default", "admin")->superuser);
    auto second = svc->ensure_admin("admin", "other-secret");
    ASSERT_TRUE(second.ok());
    EXPECT_FALSE(*second);
    EXPECT_TRUE(svc->check_password("default", "admin", "admin-secret").has_value());
    expect_failure(svc->ensure_admin("root", "short"), errc::invalid_argument, "password");
}

TEST_F(AuthManagement, EnsureAdminRecreatesAMissingDefaultTenant) {
    ASSERT_TRUE(store->erase("auth/tenant/default").has_value());  // e.g. a damaged store
    EXPECT_TRUE(svc->list_tenants()->empty());
    ASSERT_TRUE(svc->ensure_admin("admin", "admin-secret").ok());
    EXPECT_EQ(svc->list_tenants()->size(), 1u);
}

TEST_F(AuthManagement, AclValidationNamesTheField) {
    auto make = [](auto change) {
        acl_rule r;
        r.name = "r";
        change(r);
        return r;
    };
    expect_failure(svc->create_acl(make([](acl_rule& r) { r.name = ""; })), errc::invalid_argument,
                   "name");
    expect_failure(svc->create_acl(make([](acl_rule& r) { r.topic = "a/#/b"; })),
                   errc::invalid_argument, "topic");
    expect_failure(svc->create_acl(make([](acl_rule& r) { r.topic = ""; })), errc::invalid_argument,
                   "topic");
    expect_failure(svc->create_acl(make([](acl_rule& r) { r.topic = "a/${user}"; })),
                   errc::invalid_argument, "topic");
    expect_failure(svc->create_acl(make([](acl_rule& r) { r.topic = "$share/g/a"; })),
                   errc::invalid_argument, "topic");
    expect_failure(svc->create_acl(make([](acl_rule& r) { r.ip = "10.0.0.0/40"; })),
                   errc::invalid_argument, "ip");
    expect_failure(svc->create_acl(make([](acl_rule& r) { r.ip = "somehost"; })),
                   errc::invalid_argument, "ip");
    expect_failure(
        svc->create_acl(make([](acl_rule& r) { r.resource_type = acl_resource::client_id; })),
        errc::invalid_argument, "resource_name");
    expect_failure(svc->create_acl(make([](acl_rule& r) { r.resource_name = "x"; })),
                   errc::invalid_argument, "resource_name");
    expect_failure(svc->create_acl(make([](acl_rule& r) { r.tenant = "nope"; })),
                   errc::invalid_argument, "tenant");
    expect_failure(svc->create_acl(make([](acl_rule& r) { r.tenant = "bad tenant"; })),
                   errc::invalid_argument, "tenant");

    acl_rule ok = make([](acl_rule& r) {
        r.topic = "d/${clientid}/${username}/+";
        r.ip = "fd00::/8";
    });
    auto created = svc->create_acl(ok);
    ASSERT_TRUE(created.ok()) << created.error().message;
    EXPECT_GT(created->created_ms, 0);
    expect_failure(svc->create_acl(ok), errc::already_exists, "name");
    expect_failure(svc->delete_acl("default", "nope"), errc::not_found, "name");
    expect_failure(svc->list_acl("nope"), errc::not_found, "tenant");
    EXPECT_EQ(svc->list_acl("")->size(), 1u);
    EXPECT_TRUE(svc->delete_acl("default", "r").ok());
    EXPECT_TRUE(svc->list_acl("default")->empty());
}

TEST_F(AuthManagement, BlacklistValidationNamesTheField) {
    auto make = [](blacklist_type t, std::string v) { return blacklist_entry{t, v, 0, "", 0}; };
    expect_failure(svc->create_blacklist(make(blacklist_type::client_id, "")),
                   errc::invalid_argument, "value");
    expect_failure(svc->create_blacklist(make(blacklist_type::ip, "10.0.0.0/8")),
                   errc::invalid_argument, "value");
    expect_failure(svc->create_blacklist(make(blacklist_type::cidr, "10.0.0.1")),
                   errc::invalid_argument, "value");
    expect_failure(svc->create_blacklist(make(blacklist_type::client_id_regex, "a(b")),
                   errc::invalid_argument, "value");
    expect_failure(svc->create_blacklist(make(blacklist_type::username_regex, "[z-a]")),
                   errc::invalid_argument, "value");
    expect_failure(svc->create_blacklist(make(blacklist_type::client_id, std::string(1025, 'x'))),
                   errc::invalid_argument, "value");
    auto negative = make(blacklist_type::client_id, "x");
    negative.expires_ms = -1;
    expect_failure(svc->create_blacklist(negative), errc::invalid_argument, "expires_ms");

    auto ip = svc->create_blacklist(make(blacklist_type::ip, "::0001"));
    ASSERT_TRUE(ip.ok());
    EXPECT_EQ(ip->value, "::1");  // canonical
    expect_failure(svc->create_blacklist(make(blacklist_type::ip, "0::1")), errc::already_exists,
                   "value");
    auto list = svc->list_blacklist();
    ASSERT_TRUE(list.ok());
    ASSERT_EQ(list->size(), 1u);
    EXPECT_EQ((*list)[0].type, blacklist_type::ip);
    EXPECT_EQ((*list)[0].value, "::1");
    EXPECT_TRUE(svc->delete_blacklist(blacklist_type::ip, "0:0::1").ok());
    expect_failure(svc->delete_blacklist(blacklist_type::ip, "::1"), errc::not_found, "value");
}

TEST_F(AuthManagement, CorruptStoredValuesAreSkippedAtLoad) {
    add_user("default", "alice", "password1");
    ASSERT_TRUE(store->put("auth/user/default/mallory", "{not json").has_value());
    ASSERT_TRUE(store
                    ->put("auth/user/default/eve", R"({"v":1,"tenant":"default","username":"eve",)"
                                                   R"("password_hash":"plain","superuser":true,)"
                                                   R"("created_ms":1})")
                    .has_value());
    ASSERT_TRUE(store
                    ->put("auth/user/default/trent",  // the record names another user
                          R"({"v":1,"tenant":"default","username":"alice",)"
                          R"("password_hash":"x","superuser":true,"created_ms":1})")
                    .has_value());
    ASSERT_TRUE(store->put("auth/acl/default/bad", R"({"v":1})").has_value());
    ASSERT_TRUE(store
                    ->put("auth/blacklist/client_id_regex/(", R"({"v":1,"type":)"
                                                              R"("client_id_regex","value":"(",)"
                                                              R"("expires_ms":0,"reason":"",)"
                                                              R"("created_ms":1})")
                    .has_value());
    restart();
    auto users = svc->list_users("", "");
    ASSERT_TRUE(users.ok());
    ASSERT_EQ(users->size(), 1u);
    EXPECT_EQ((*users)[0].username, "alice");
    EXPECT_TRUE(svc->list_acl("")->empty());
    EXPECT_TRUE(svc->list_blacklist()->empty());
    EXPECT_TRUE(svc->check_password("default", "alice", "password1").has_value());
}

}  // namespace
}  // namespace robust::auth
