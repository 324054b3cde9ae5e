// Admin tokens: issued for a user, refused when tampered with, expired,
// revoked by a password change or deletion, and still valid for a new
// service over the same store (the key is stored, not per process).
#include <gtest/gtest.h>

#include <limits>

#include "fixture.h"

namespace robust::auth {
namespace {

using testing::auth_fixture;

class AuthToken : public auth_fixture {
protected:
    void SetUp() override {
        auth_fixture::SetUp();
        add_user("default", "admin", "admin-secret", true);
        admin = *svc->get_user("default", "admin");
    }
    user_info admin;
};

TEST_F(AuthToken, ValidTokenNamesItsUser) {
    const std::string token = svc->issue_token(admin, 3600);
    ASSERT_FALSE(token.empty());
    EXPECT_EQ(token.find_first_of("+/="), std::string::npos);  // base64url, no padding
    auto subject = svc->verify_token(token);
    ASSERT_TRUE(subject.has_value());
    EXPECT_EQ(subject->tenant, "default");
    EXPECT_EQ(subject->username, "admin");
    EXPECT_GT(subject->expires_ms, 0);
}

TEST_F(AuthToken, TamperedTokensAreRefused) {
    const std::string token = svc->issue_token(admin, 3600);
    const size_t dot = token.find('.');
    ASSERT_NE(dot, std::string::npos);
    for (size_t i : {size_t{0}, dot / 2, dot + 1, token.size() - 2}) {
        std::string forged = token;
        forged[i] = forged[i] == 'A' ? 'B' : 'A';
        EXPECT_FALSE(svc->verify_token(forged).has_value()) << "byte " << i;
    }
    // Another user's payload with the admin's signature.
    add_user("default", "bob", "bob-password");
    const std::string bob = svc->issue_token(*svc->get_user("default", "bob"), 3600);
    const std::string spliced = bob.substr(0, bob.find('.')) + token.substr(dot);
    EXPECT_FALSE(svc->verify_token(spliced).has_value());
    EXPECT_TRUE(svc->verify_token(bob).has_value());
    for (const char* junk : {"", ".", "abc", "abc.", ".abc", "a.b.c", "!!!.???"}) {
        EXPECT_FALSE(svc->verify_token(junk).has_value()) << junk;
    }
}

TEST_F(AuthToken, ExpiredTokensAreRefused) {
    EXPECT_FALSE(svc->verify_token(svc->issue_token(admin, -1)).has_value());
    EXPECT_FALSE(svc->verify_token(svc->issue_token(admin, 0)).has_value());
    // An absurd lifetime saturates instead of overflowing into the past.
    EXPECT_TRUE(svc->verify_token(svc->issue_token(admin, std::numeric_limits<int64_t>::max()))
                    .has_value());
}

TEST_F(AuthToken, PasswordChangeRevokes) {
    const std::string token = svc->issue_token(admin, 3600);
    ASSERT_TRUE(svc->update_user("default", "admin", std::nullopt, true).ok());
    EXPECT_TRUE(svc->verify_token(token).has_value());  // only the flag changed
    ASSERT_TRUE(svc->update_user("default", "admin", "new-admin-secret", std::nullopt).ok());
    EXPECT_FALSE(svc->verify_token(token).has_value());
    EXPECT_TRUE(svc->verify_token(svc->issue_token(admin, 3600)).has_value());
}

TEST_F(AuthToken, DeletionRevokes) {
    const std::string token = svc->issue_token(admin, 3600);
    ASSERT_TRUE(svc->delete_user("default", "admin").ok());
    EXPECT_FALSE(svc->verify_token(token).has_value());
    EXPECT_TRUE(svc->issue_token(admin, 3600).empty());  // no such user any more
    // Recreated with the same password: a new salt, so the old token stays dead.
    add_user("default", "admin", "admin-secret", true);
    EXPECT_FALSE(svc->verify_token(token).has_value());
}

TEST_F(AuthToken, KeySurvivesANewServiceOverTheSameStore) {
    const std::string token = svc->issue_token(admin, 3600);
    auto key = store->get("auth/token_key");
    ASSERT_TRUE(key.has_value() && key->has_value());
    EXPECT_EQ((*key)->size(), 64u);
    restart();
    EXPECT_TRUE(svc->verify_token(token).has_value());
    EXPECT_EQ(*store->get("auth/token_key"), *key);

    // A different store has a different key.
    auto other_store = meta::make_memory_meta_store();
    service other(*other_store, testing::fast_config());
    ASSERT_TRUE(other.start().has_value());
    ASSERT_TRUE(other.create_user("default", "admin", "admin-secret", true).ok());
    EXPECT_FALSE(other.verify_token(token).has_value());
    other.stop();
    other_store->stop();
}

}  // namespace
}  // namespace robust::auth
