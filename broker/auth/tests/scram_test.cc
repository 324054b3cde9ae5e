// SCRAM (auth/scram.h): the RFC 7677 SCRAM-SHA-256 example byte for byte, a
// SHA-512 round trip, and the messages a server must refuse.
#include "auth/scram.h"

#include <gtest/gtest.h>

#include "base/base64.h"
#include "base/errc.h"
#include "crypto.h"
#include "fixture.h"
#include "meta/meta_store.h"
#include "records.h"

namespace robust::auth::scram {
namespace {

const std::error_code malformed = make_error_code(errc::malformed);
const std::error_code unsupported = make_error_code(errc::unsupported);
const std::error_code protocol_error = make_error_code(errc::protocol_error);
const std::error_code not_authorized = make_error_code(errc::not_authorized);

// A client as RFC 5802 section 3 computes it.
struct test_client {
    test_client(mechanism mech, std::string pw) : m(mech), password(std::move(pw)) {}

    mechanism m;
    std::string password;
    std::string gs2 = "n,,";
    std::string bare;

    std::string first(const std::string& user, const std::string& nonce) {
        bare = "n=" + user + ",r=" + nonce;
        return gs2 + bare;
    }
    // client-final for server-first `sf`, with a proof for `password`.
    // `nonce_prefix` goes in front of the nonce echoed (as librdkafka does).
    std::string final(const std::string& sf, const std::string& nonce_prefix = "") {
        const auto d = m == mechanism::sha256 ? detail::digest::sha256 : detail::digest::sha512;
        const auto r = sf.substr(2, sf.find(',') - 2);
        const auto s_at = sf.find(",s=") + 3;
        const auto i_at = sf.find(",i=");
        const auto salt = *base64::decode(sf.substr(s_at, i_at - s_at));
        const auto iterations = static_cast<uint32_t>(std::stoul(sf.substr(i_at + 3)));
        const auto salted = *salted_password(m, password, salt, iterations);
        const std::string without = "c=" + base64::encode(gs2) + ",r=" + nonce_prefix + r;
        const std::string auth = bare + "," + sf + "," + without;
        const std::string client_key = detail::hmac(d, salted, "Client Key");
        const std::string sig = detail::hmac(d, detail::hash(d, client_key), auth);
        std::string proof = client_key;
        for (size_t i = 0; i < proof.size(); ++i) proof[i] = static_cast<char>(proof[i] ^ sig[i]);
        expected_server_final =
            "v=" + base64::encode(detail::hmac(d, detail::hmac(d, salted, "Server Key"), auth));
        return without + ",p=" + base64::encode(proof);
    }
    std::string expected_server_final;
};

credential credential_for(mechanism m, const std::string& password, const std::string& salt,
                          uint32_t iterations) {
    return derive(m, *salted_password(m, password, salt, iterations), salt, iterations);
}

TEST(Scram, Rfc7677Sha256Example) {
    // RFC 7677 section 3: user "user", password "pencil".
    const std::string salt = *base64::decode("W22ZaJ0SNY7soEsUEjb6gQ==");
    server_exchange ex(mechanism::sha256);
    auto first = ex.receive_first("n,,n=user,r=rOprNGfwEbeRWgbNEkqO");
    ASSERT_TRUE(first.has_value());
    EXPECT_EQ(first->username, "user");
    EXPECT_EQ(first->nonce, "rOprNGfwEbeRWgbNEkqO");
    EXPECT_EQ(ex.server_first(credential_for(mechanism::sha256, "pencil", salt, 4096),
                              "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"),
              "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
              "s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096");
    auto fin = ex.receive_final(
        "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
        "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=");
    ASSERT_TRUE(fin.has_value()) << fin.error().message();
    EXPECT_EQ(*fin, "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=");
}

TEST(Scram, Sha512RoundTrip) {
    test_client c{mechanism::sha512, "s3cret-pass"};
    server_exchange ex(mechanism::sha512);
    ASSERT_TRUE(ex.receive_first(c.first("alice", "abc123")).has_value());
    const auto sf =
        ex.server_first(credential_for(mechanism::sha512, "s3cret-pass", "saltsalt", 4096), "xyz");
    auto fin = ex.receive_final(c.final(sf));
    ASSERT_TRUE(fin.has_value()) << fin.error().message();
    EXPECT_EQ(*fin, c.expected_server_final);
    EXPECT_EQ(key_bytes(mechanism::sha512), 64u);
}

TEST(Scram, AcceptsLibrdkafkasRepeatedClientNonce) {
    // librdkafka 2.0 answers "r=<cnonce><cnonce><snonce>"; Kafka accepts a
    // nonce that ends with the server-first one.
    const auto cred = credential_for(mechanism::sha256, "pw", "saltsalt", 10);
    test_client c(mechanism::sha256, "pw");
    server_exchange ex(mechanism::sha256);
    ASSERT_TRUE(ex.receive_first(c.first("u", "abc")).has_value());
    auto sf = ex.server_first(cred, "srv");
    auto fin = ex.receive_final(c.final(sf, "abc"));
    ASSERT_TRUE(fin.has_value()) << fin.error().message();
    EXPECT_EQ(*fin, c.expected_server_final);
}

TEST(Scram, WrongPasswordFailsAtTheProof) {
    test_client c{mechanism::sha256, "wrong-password"};
    server_exchange ex(mechanism::sha256);
    ASSERT_TRUE(ex.receive_first(c.first("alice", "abc")).has_value());
    const auto sf =
        ex.server_first(credential_for(mechanism::sha256, "right", "saltsalt", 10), "x");
    EXPECT_EQ(ex.receive_final(c.final(sf)).error(), not_authorized);
    // One attempt per exchange.
    EXPECT_EQ(ex.receive_final(c.final(sf)).error(), protocol_error);
}

TEST(Scram, ChecksTheNonceAndTheChannelBinding) {
    const auto cred = credential_for(mechanism::sha256, "pw", "saltsalt", 10);
    {
        test_client c{mechanism::sha256, "pw"};
        server_exchange ex(mechanism::sha256);
        ASSERT_TRUE(ex.receive_first(c.first("u", "abc")).has_value());
        auto sf = ex.server_first(cred, "srv");
        // The client answers with another nonce.
        auto bad = c.final("r=abcOTHER" + sf.substr(sf.find(',')));
        EXPECT_EQ(ex.receive_final(bad).error(), protocol_error);
    }
    {
        test_client c{mechanism::sha256, "pw"};
        server_exchange ex(mechanism::sha256);
        ASSERT_TRUE(ex.receive_first(c.first("u", "abc")).has_value());
        auto sf = ex.server_first(cred, "srv");
        c.gs2 = "y,,";  // c= no longer repeats the gs2 header "n,,"
        EXPECT_EQ(ex.receive_final(c.final(sf)).error(), protocol_error);
    }
    {
        server_exchange ex(mechanism::sha256);
        EXPECT_EQ(ex.receive_final("c=biws,r=a,p=AAAA").error(), protocol_error);  // out of order
    }
}

TEST(Scram, ParsesUserNamesWithEscapes) {
    auto f = parse_client_first("n,,n=a=2Cb=3Dc@x,r=nonce");
    ASSERT_TRUE(f.has_value());
    EXPECT_EQ(f->username, "a,b=c@x");
    EXPECT_EQ(f->bare, "n=a=2Cb=3Dc@x,r=nonce");
    EXPECT_EQ(f->gs2_header, "n,,");
    EXPECT_EQ(parse_client_first("n,,n=a=2Xb,r=nonce").error(), malformed);
    EXPECT_EQ(parse_client_first("n,,n=a=,r=nonce").error(), malformed);
    EXPECT_EQ(parse_client_first("n,,n=,r=nonce").error(), malformed);
    // An authorization id must name the user.
    EXPECT_TRUE(parse_client_first("n,a=bob,n=bob,r=x").has_value());
    EXPECT_EQ(parse_client_first("n,a=root,n=bob,r=x").error(), malformed);
}

TEST(Scram, RefusesMalformedFirstMessages) {
    EXPECT_EQ(parse_client_first("").error(), malformed);
    EXPECT_EQ(parse_client_first("n,,").error(), malformed);
    EXPECT_EQ(parse_client_first("x,,n=u,r=a").error(), malformed);
    EXPECT_EQ(parse_client_first("n,,r=a,n=u").error(), malformed);  // out of order
    EXPECT_EQ(parse_client_first("n,,n=u").error(), malformed);      // no nonce
    EXPECT_EQ(parse_client_first("n,,n=u,r=").error(), malformed);   // empty nonce
    EXPECT_EQ(parse_client_first("n,,n=u,r=a b").error(), malformed);
    EXPECT_EQ(parse_client_first("n,,n=u,r=a\x01").error(), malformed);
    EXPECT_EQ(parse_client_first("p=tls-unique,,n=u,r=a").error(), unsupported);
    EXPECT_EQ(parse_client_first("n,,m=ext,n=u,r=a").error(), unsupported);
    EXPECT_EQ(parse_client_first("n,,n=u,r=a,tokenauth=true").error(), malformed);
    EXPECT_EQ(parse_client_first("n,,n=u,r=a,t=x").error(), unsupported);
}

TEST(Scram, RefusesMalformedFinalMessages) {
    EXPECT_EQ(parse_client_final("c=biws,r=abc").error(), malformed);         // no proof
    EXPECT_EQ(parse_client_final("r=abc,c=biws,p=AAAA").error(), malformed);  // order
    EXPECT_EQ(parse_client_final("c=biws,p=AAAA").error(), malformed);        // no nonce
    EXPECT_EQ(parse_client_final("c=bi!s,r=abc,p=AAAA").error(), malformed);  // base64
    EXPECT_EQ(parse_client_final("c=biws,r=abc,p=A!AA").error(), malformed);  // base64
    EXPECT_EQ(parse_client_final("c=biws,r=abc,p=").error(), malformed);      // empty proof
    EXPECT_EQ(parse_client_final("c=biws,r=abc,x=1,p=AAAA").error(), unsupported);
    auto ok = parse_client_final("c=biws,r=abc,p=AAAA");
    ASSERT_TRUE(ok.has_value());
    EXPECT_EQ(ok->channel_binding, "n,,");
    EXPECT_EQ(ok->without_proof, "c=biws,r=abc");
}

TEST(Scram, ProofOfTheWrongSizeFails) {
    server_exchange ex(mechanism::sha256);
    ASSERT_TRUE(ex.receive_first("n,,n=u,r=abc").has_value());
    ex.server_first(credential_for(mechanism::sha256, "pw", "saltsalt", 10), "s");
    EXPECT_EQ(ex.receive_final("c=biws,r=abcs,p=AAAA").error(), not_authorized);
}

TEST(Scram, MechanismNames) {
    EXPECT_EQ(parse_mechanism("SCRAM-SHA-256"), mechanism::sha256);
    EXPECT_EQ(parse_mechanism("SCRAM-SHA-512"), mechanism::sha512);
    EXPECT_FALSE(parse_mechanism("PLAIN").has_value());
    EXPECT_EQ(name(mechanism::sha512), "SCRAM-SHA-512");
    const auto n = random_nonce();
    EXPECT_EQ(n.size(), 32u);
    EXPECT_EQ(n.find(','), std::string::npos);
}

// ---- against the user store (auth::service) ---------------------------------

using testing::auth_fixture;
using testing::login;
using AuthScram = auth_fixture;

// A whole exchange against the service, as the Kafka handler runs it.
bool exchange(service& svc, mechanism m, const std::string& tenant, const std::string& user,
              const std::string& password) {
    test_client c{m, password};
    server_exchange ex(m);
    if (!ex.receive_first(c.first(user, "cnonce")).has_value()) return false;
    auto cred = svc.scram_lookup(tenant, user, m);
    auto fin = ex.receive_final(c.final(ex.server_first(cred.secret, random_nonce())));
    if (fin.has_value()) {
        EXPECT_EQ(*fin, c.expected_server_final);
    }
    return fin.has_value() && cred.usable;
}

TEST_F(AuthScram, BothMechanismsWorkForANewUser) {
    add_user("default", "alice", "password-1");
    EXPECT_TRUE(exchange(*svc, mechanism::sha256, "default", "alice", "password-1"));
    EXPECT_TRUE(exchange(*svc, mechanism::sha512, "default", "alice", "password-1"));
    EXPECT_FALSE(exchange(*svc, mechanism::sha256, "default", "alice", "password-2"));
    EXPECT_FALSE(exchange(*svc, mechanism::sha512, "default", "alice", "password-2"));
    // SCRAM-SHA-256's salt and rounds are those of the password hash.
    const auto c = svc->scram_lookup("default", "alice", mechanism::sha256);
    EXPECT_TRUE(c.usable);
    EXPECT_EQ(c.secret.iterations, 1000u);
    EXPECT_EQ(c.secret.salt.size(), detail::password_salt_bytes);
    EXPECT_FALSE(c.superuser);
    // ... and survive a restart (they are stored).
    restart();
    EXPECT_TRUE(exchange(*svc, mechanism::sha512, "default", "alice", "password-1"));
}

TEST_F(AuthScram, UnknownUsersGetAStableDecoy) {
    add_user("default", "alice", "password-1");
    const auto a = svc->scram_lookup("default", "nobody", mechanism::sha256);
    const auto b = svc->scram_lookup("default", "nobody", mechanism::sha256);
    const auto other = svc->scram_lookup("default", "nobody2", mechanism::sha256);
    const auto tenant = svc->scram_lookup("no-such-tenant", "alice", mechanism::sha512);
    EXPECT_FALSE(a.usable);
    EXPECT_FALSE(tenant.usable);
    EXPECT_EQ(a.secret.salt, b.secret.salt);
    EXPECT_NE(a.secret.salt, other.secret.salt);
    EXPECT_EQ(a.secret.salt.size(), detail::password_salt_bytes);
    EXPECT_EQ(tenant.secret.stored_key.size(), 64u);
    EXPECT_FALSE(exchange(*svc, mechanism::sha256, "default", "nobody", "password-1"));
}

TEST_F(AuthScram, OldRecordsHaveNoSha512UntilThePasswordIsSetAgain) {
    // A record as written before SCRAM-SHA-512: no "scram_sha512" field.
    detail::user_record old;
    old.info = user_info{"default", "bob", true, 1};
    old.password_hash = *detail::hash_password("password-1", 1000);
    ASSERT_TRUE(store->put(detail::user_key("default", "bob"), *detail::encode(old)).has_value());
    restart();
    EXPECT_TRUE(exchange(*svc, mechanism::sha256, "default", "bob", "password-1"));
    EXPECT_TRUE(svc->scram_lookup("default", "bob", mechanism::sha256).superuser);
    const auto c = svc->scram_lookup("default", "bob", mechanism::sha512);
    EXPECT_FALSE(c.usable);
    EXPECT_NE(c.reason.find("SCRAM-SHA-512"), std::string::npos);
    EXPECT_FALSE(exchange(*svc, mechanism::sha512, "default", "bob", "password-1"));
    // PLAIN still works from the old record.
    EXPECT_TRUE(svc->authenticate(login("bob", "password-1")).who.has_value());

    ASSERT_TRUE(svc->update_user("default", "bob", "password-2", std::nullopt).ok());
    EXPECT_TRUE(exchange(*svc, mechanism::sha512, "default", "bob", "password-2"));
}

TEST_F(AuthScram, AuthenticateScramChecksBansAndCounts) {
    add_user("default", "alice", "password-1", true);
    auto ok = svc->authenticate_scram(login("alice", std::nullopt), true);
    ASSERT_TRUE(ok.who.has_value());
    EXPECT_EQ(ok.who->username, "alice");
    EXPECT_TRUE(ok.who->superuser);
    EXPECT_FALSE(ok.who->anonymous);
    EXPECT_EQ(ok.who->peer_ip, "10.0.0.1");
    auto wrong = svc->authenticate_scram(login("alice", std::nullopt), false);
    EXPECT_FALSE(wrong.who.has_value());
    EXPECT_EQ(wrong.refusal, connect_refusal::bad_credentials);
    EXPECT_FALSE(svc->authenticate_scram(login("nobody", std::nullopt), true).who.has_value());
    EXPECT_EQ(svc->authenticate_scram(login("x@alice", std::nullopt), true).refusal,
              connect_refusal::not_authorized);
    ban(blacklist_type::username, "alice");
    EXPECT_EQ(svc->authenticate_scram(login("alice", std::nullopt), true).refusal,
              connect_refusal::banned);
    const auto s = svc->stats();
    EXPECT_EQ(s.accepted, 1u);
    EXPECT_EQ(s.bad_credentials, 2u);
    EXPECT_EQ(s.not_authorized, 1u);
    EXPECT_EQ(s.banned, 1u);
}

TEST_F(AuthScram, TenantsSelectTheUser) {
    ASSERT_TRUE(svc->create_tenant("acme", "").ok());
    add_user("acme", "alice", "password-acme");
    EXPECT_TRUE(exchange(*svc, mechanism::sha256, "acme", "alice", "password-acme"));
    EXPECT_FALSE(exchange(*svc, mechanism::sha256, "default", "alice", "password-acme"));
    auto a = svc->authenticate_scram(login("acme@alice", std::nullopt), true);
    ASSERT_TRUE(a.who.has_value());
    EXPECT_EQ(a.who->tenant, "acme");
}

TEST(AuthRecordsScram, OptionalSha512Field) {
    detail::user_record u{user_info{"acme", "alice", false, 7}, "$pbkdf2-sha256$i=1$x$y", ""};
    auto enc = *detail::encode(u);
    EXPECT_EQ(enc.find("scram_sha512"), std::string::npos);
    EXPECT_TRUE(detail::decode_user(enc)->scram_sha512.empty());
    u.scram_sha512 = "$pbkdf2-sha512$i=1$x$y";
    auto back = detail::decode_user(*detail::encode(u));
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(back->scram_sha512, u.scram_sha512);
}

}  // namespace
}  // namespace robust::auth::scram
