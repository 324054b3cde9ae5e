// service::authenticate(): blacklist, certificate, anonymous policy, tenant
// selection and passwords, each refusal and each way in.
#include <gtest/gtest.h>

#include "base/clock.h"
#include "fixture.h"

namespace robust::auth {
namespace {

using testing::auth_fixture;
using testing::login;

class AuthAuthenticate : public auth_fixture {
protected:
    void SetUp() override {
        auth_fixture::SetUp();
        ASSERT_TRUE(svc->create_tenant("acme", "Acme").ok());
        add_user("default", "alice", "default-pw");
        add_user("acme", "alice", "acme-pw-1");
        add_user("default", "root", "root-pass", /*superuser=*/true);
    }

    connect_refusal refusal_of(const credentials& c) {
        auto a = svc->authenticate(c);
        EXPECT_FALSE(a.who.has_value()) << "accepted";
        return a.refusal;
    }

    identity accepted(const credentials& c) {
        auto a = svc->authenticate(c);
        EXPECT_TRUE(a.who.has_value()) << "refused: " << a.reason;
        return a.who.value_or(identity{});
    }
};

TEST_F(AuthAuthenticate, AnonymousLoopbackIsTheDefault) {
    EXPECT_EQ(svc->policy().anonymous, config::anonymous_access::loopback);
    EXPECT_EQ(refusal_of(login(std::nullopt, std::nullopt, "c1", "10.0.0.1")),
              connect_refusal::not_authorized);
    EXPECT_EQ(refusal_of(login(std::nullopt, std::nullopt, "c1", "::2")),
              connect_refusal::not_authorized);
    for (const char* ip : {"127.0.0.1", "127.9.8.7", "::1", "::ffff:127.0.0.1"}) {
        identity who = accepted(login(std::nullopt, std::nullopt, "c1", ip));
        EXPECT_TRUE(who.anonymous) << ip;
        EXPECT_EQ(who.tenant, "default");
        EXPECT_EQ(who.username, "");
        EXPECT_EQ(who.peer_ip, ip);
        EXPECT_FALSE(who.superuser);
    }
    // An empty user name is no user name.
    EXPECT_TRUE(accepted(login("", std::nullopt, "c1", "127.0.0.1")).anonymous);
}

TEST_F(AuthAuthenticate, AnonymousAllowAndDeny) {
    svc->set_anonymous(config::anonymous_access::allow);
    EXPECT_TRUE(accepted(login(std::nullopt, std::nullopt, "c1", "203.0.113.9")).anonymous);
    svc->set_anonymous(config::anonymous_access::deny);
    EXPECT_EQ(refusal_of(login(std::nullopt, std::nullopt, "c1", "127.0.0.1")),
              connect_refusal::not_authorized);
    EXPECT_EQ(refusal_of(login(std::nullopt, std::nullopt, "c1", "::1")),
              connect_refusal::not_authorized);
}

TEST_F(AuthAuthenticate, AnonymousInANamedTenant) {
    svc->set_anonymous(config::anonymous_access::allow);
    auto c = login(std::nullopt, std::nullopt);
    c.tenant = "acme";
    EXPECT_EQ(accepted(c).tenant, "acme");
    c.tenant = "nope";
    EXPECT_EQ(refusal_of(c), connect_refusal::not_authorized);
}

TEST_F(AuthAuthenticate, UserAndPassword) {
    identity who = accepted(login("alice", "default-pw", "phone", "10.1.1.1"));
    EXPECT_EQ(who.tenant, "default");
    EXPECT_EQ(who.username, "alice");
    EXPECT_EQ(who.client_id, "phone");
    EXPECT_EQ(who.peer_ip, "10.1.1.1");
    EXPECT_FALSE(who.anonymous);
    EXPECT_FALSE(who.superuser);
    EXPECT_TRUE(accepted(login("root", "root-pass")).superuser);
}

TEST_F(AuthAuthenticate, BadCredentials) {
    EXPECT_EQ(refusal_of(login("alice", "wrong-pw")), connect_refusal::bad_credentials);
    EXPECT_EQ(refusal_of(login("alice", std::nullopt)), connect_refusal::bad_credentials);
    EXPECT_EQ(refusal_of(login("alice", "")), connect_refusal::bad_credentials);
    EXPECT_EQ(refusal_of(login("nobody", "default-pw")), connect_refusal::bad_credentials);
    auto a = svc->authenticate(login("alice", "wrong-pw"));
    EXPECT_EQ(a.reason.find("wrong-pw"), std::string::npos);  // never the password
}

TEST_F(AuthAuthenticate, TenantFromUserNameOrProperty) {
    identity who = accepted(login("acme@alice", "acme-pw-1"));
    EXPECT_EQ(who.tenant, "acme");
    EXPECT_EQ(who.username, "alice");
    // Each tenant's alice has her own password.
    EXPECT_EQ(refusal_of(login("acme@alice", "default-pw")), connect_refusal::bad_credentials);
    EXPECT_EQ(refusal_of(login("alice", "acme-pw-1")), connect_refusal::bad_credentials);

    auto c = login("alice", "acme-pw-1");
    c.tenant = "acme";
    EXPECT_EQ(accepted(c).tenant, "acme");
    // "tenant@" in the user name wins over the property.
    c = login("default@alice", "default-pw");
    c.tenant = "acme";
    EXPECT_EQ(accepted(c).tenant, "default");
}

TEST_F(AuthAuthenticate, UnknownTenantIsNotAuthorized) {
    EXPECT_EQ(refusal_of(login("nope@alice", "default-pw")), connect_refusal::not_authorized);
    EXPECT_EQ(refusal_of(login("@alice", "default-pw")), connect_refusal::not_authorized);
    auto c = login("alice", "default-pw");
    c.tenant = "nope";
    EXPECT_EQ(refusal_of(c), connect_refusal::not_authorized);
}

TEST_F(AuthAuthenticate, CertificateCommonName) {
    auto c = login(std::nullopt, std::nullopt);
    c.certificate_cn = "sensor-7";  // not a stored user: still accepted, no password
    identity who = accepted(c);
    EXPECT_EQ(who.username, "sensor-7");
    EXPECT_EQ(who.tenant, "default");
    EXPECT_FALSE(who.anonymous);
    EXPECT_FALSE(who.superuser);

    c.certificate_cn = "root";  // a stored superuser keeps the flag
    EXPECT_TRUE(accepted(c).superuser);

    c.certificate_cn = "acme@alice";
    c.username = "ignored";  // the CN is the user name
    c.password = "wrong";
    who = accepted(c);
    EXPECT_EQ(who.tenant, "acme");
    EXPECT_EQ(who.username, "alice");

    c.certificate_cn = "nope@alice";
    EXPECT_EQ(refusal_of(c), connect_refusal::not_authorized);
    c.certificate_cn = "";
    EXPECT_EQ(refusal_of(c), connect_refusal::bad_credentials);
}

TEST_F(AuthAuthenticate, RememberedPasswordIsForgottenOnChange) {
    EXPECT_TRUE(accepted(login("alice", "default-pw")).username == "alice");
    EXPECT_TRUE(accepted(login("alice", "default-pw")).username == "alice");  // remembered
    EXPECT_EQ(refusal_of(login("alice", "default-px")), connect_refusal::bad_credentials);
    ASSERT_TRUE(svc->update_user("default", "alice", "new-password", std::nullopt).ok());
    EXPECT_EQ(refusal_of(login("alice", "default-pw")), connect_refusal::bad_credentials);
    EXPECT_EQ(accepted(login("alice", "new-password")).username, "alice");
    ASSERT_TRUE(svc->delete_user("default", "alice").ok());
    EXPECT_EQ(refusal_of(login("alice", "new-password")), connect_refusal::bad_credentials);
}

TEST_F(AuthAuthenticate, CheckPassword) {
    auto u = svc->check_password("acme", "alice", "acme-pw-1");
    ASSERT_TRUE(u.has_value());
    EXPECT_EQ(u->tenant, "acme");
    EXPECT_FALSE(svc->check_password("acme", "alice", "default-pw").has_value());
    EXPECT_FALSE(svc->check_password("acme", "bob", "acme-pw-1").has_value());
}

TEST_F(AuthAuthenticate, Counters) {
    svc->set_anonymous(config::anonymous_access::deny);
    (void)svc->authenticate(login("alice", "default-pw"));
    (void)svc->authenticate(login("alice", "bad-password"));
    (void)svc->authenticate(login(std::nullopt, std::nullopt));
    ban(blacklist_type::client_id, "evil");
    (void)svc->authenticate(login("alice", "default-pw", "evil"));
    const auto s = svc->stats();
    EXPECT_EQ(s.accepted, 1u);
    EXPECT_EQ(s.bad_credentials, 1u);
    EXPECT_EQ(s.not_authorized, 1u);
    EXPECT_EQ(s.banned, 1u);
}

// ---- the blacklist ------------------------------------------------------------------

class AuthBlacklist : public AuthAuthenticate {
protected:
    /// Banned although the password is right, with the entry type in the reason.
    void expect_banned(const credentials& c, std::string_view type) {
        auto a = svc->authenticate(c);
        ASSERT_FALSE(a.who.has_value());
        EXPECT_EQ(a.refusal, connect_refusal::banned);
        EXPECT_NE(a.reason.find(std::string("banned by ") + std::string(type) + " entry"),
                  std::string::npos)
            << a.reason;
        EXPECT_TRUE(svc->banned(c).has_value());
    }
    void expect_not_banned(const credentials& c) {
        EXPECT_FALSE(svc->banned(c).has_value());
        EXPECT_TRUE(svc->authenticate(c).who.has_value());
    }
};

TEST_F(AuthBlacklist, ClientId) {
    ban(blacklist_type::client_id, "bad-client");
    expect_banned(login("alice", "default-pw", "bad-client"), "client_id");
    expect_not_banned(login("alice", "default-pw", "bad-client2"));
}

TEST_F(AuthBlacklist, UsernameAsSent) {
    ban(blacklist_type::username, "acme@alice");
    expect_banned(login("acme@alice", "acme-pw-1"), "username");
    expect_not_banned(login("alice", "default-pw"));
    auto cert = login(std::nullopt, std::nullopt);
    cert.certificate_cn = "acme@alice";
    expect_banned(cert, "username");
}

TEST_F(AuthBlacklist, IpNormalised) {
    ban(blacklist_type::ip, "fd00:0::0001");
    expect_banned(login("alice", "default-pw", "c1", "fd00::1"), "ip");
    expect_not_banned(login("alice", "default-pw", "c1", "fd00::2"));
    ban(blacklist_type::ip, "10.9.9.9");
    expect_banned(login("alice", "default-pw", "c1", "::ffff:10.9.9.9"), "ip");
}

TEST_F(AuthBlacklist, Cidr) {
    ban(blacklist_type::cidr, "192.168.0.0/16");
    ban(blacklist_type::cidr, "2001:db8::/32");
    expect_banned(login("alice", "default-pw", "c1", "192.168.44.1"), "cidr");
    expect_banned(login("alice", "default-pw", "c1", "2001:db8:1::5"), "cidr");
    expect_not_banned(login("alice", "default-pw", "c1", "192.169.0.1"));
    expect_not_banned(login("alice", "default-pw", "c1", "2001:db9::1"));
}

TEST_F(AuthBlacklist, Regexes) {
    ban(blacklist_type::client_id_regex, "^bot-[0-9]+$");
    ban(blacklist_type::username_regex, "^acme@");
    expect_banned(login("alice", "default-pw", "bot-17"), "client_id_regex");
    expect_not_banned(login("alice", "default-pw", "bot-x"));
    expect_banned(login("acme@alice", "acme-pw-1", "c9"), "username_regex");
    expect_not_banned(login("alice", "default-pw", "c9"));
    // Too long to run through std::regex safely: refused while a regex ban exists.
    expect_banned(login("alice", "default-pw", std::string(600, 'a')), "client_id_regex");
}

TEST_F(AuthBlacklist, ExpiredEntriesAreIgnored) {
    ban(blacklist_type::client_id, "old", now_unix_ms() - 1000);
    ban(blacklist_type::client_id, "current", now_unix_ms() + 3'600'000);
    expect_not_banned(login("alice", "default-pw", "old"));
    expect_banned(login("alice", "default-pw", "current"), "client_id");
    // An expired ban may be replaced; a live one may not.
    EXPECT_TRUE(svc->create_blacklist({blacklist_type::client_id, "old", 0, "again", 0}).ok());
    expect_banned(login("alice", "default-pw", "old"), "client_id");
    auto again = svc->create_blacklist({blacklist_type::client_id, "current", 0, "", 0});
    ASSERT_FALSE(again.ok());
    EXPECT_EQ(again.error().code, make_error_code(errc::already_exists));
}

TEST_F(AuthBlacklist, BanBeatsAnonymousAccess) {
    svc->set_anonymous(config::anonymous_access::allow);
    ban(blacklist_type::ip, "127.0.0.1");
    expect_banned(login(std::nullopt, std::nullopt, "c1", "127.0.0.1"), "ip");
}

TEST_F(AuthBlacklist, DeleteLiftsTheBan) {
    ban(blacklist_type::cidr, "10.0.0.0/8");
    expect_banned(login("alice", "default-pw"), "cidr");
    EXPECT_TRUE(svc->delete_blacklist(blacklist_type::cidr, "10.1.0.0/8").ok());  // canonical
    expect_not_banned(login("alice", "default-pw"));
    EXPECT_EQ(svc->delete_blacklist(blacklist_type::cidr, "10.0.0.0/8").error().code,
              make_error_code(errc::not_found));
}

}  // namespace
}  // namespace robust::auth
