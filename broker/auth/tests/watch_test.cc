// Changes made to the meta store by someone else (another node in a
// cluster) reach the cache through the watch; generation() moves with every
// change and decision_cache follows it.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "fixture.h"
#include "meta/model.h"

namespace robust::auth {
namespace {

using testing::auth_fixture;
using testing::login;
using testing::user;

/// A second service over the same store stands for another node: its writes
/// reach the first one only through the store's watch.
class AuthWatch : public auth_fixture {
protected:
    void SetUp() override {
        auth_fixture::SetUp();
        other = std::make_unique<service>(*store, cfg);
        ASSERT_TRUE(other->start().has_value());
    }
    void TearDown() override {
        other->stop();
        other.reset();
        auth_fixture::TearDown();
    }
    std::unique_ptr<service> other;
    identity alice = user("default", "alice");
};

TEST_F(AuthWatch, RawStoreWriteIsSeenByAuthorize) {
    EXPECT_TRUE(svc->authorize(alice, access::publish, "x/1", false));
    const uint64_t before = svc->generation();
    // Exactly what another node's service would have written.
    ASSERT_TRUE(store
                    ->put("auth/acl/default/deny-x",
                          R"({"v":1,"tenant":"default","name":"deny-x","priority":1,)"
                          R"("resource_type":"all","resource_name":"","topic":"x/#","ip":"",)"
                          R"("action":"all","permission":"deny","created_ms":1})")
                    .has_value());
    EXPECT_GT(svc->generation(), before);
    EXPECT_FALSE(svc->authorize(alice, access::publish, "x/1", false));
    EXPECT_TRUE(svc->authorize(alice, access::publish, "y/1", false));
    ASSERT_TRUE(store->erase("auth/acl/default/deny-x").has_value());
    EXPECT_TRUE(svc->authorize(alice, access::publish, "x/1", false));
}

TEST_F(AuthWatch, AnotherServicesWritesArrive) {
    ASSERT_TRUE(other->create_tenant("acme", "").ok());
    ASSERT_TRUE(other->create_user("acme", "bob", "bob-password", false).ok());
    EXPECT_TRUE(svc->authenticate(login("acme@bob", "bob-password")).who.has_value());
    ASSERT_TRUE(other->create_blacklist({blacklist_type::username, "acme@bob", 0, "", 0}).ok());
    EXPECT_EQ(svc->authenticate(login("acme@bob", "bob-password")).refusal,
              connect_refusal::banned);
    ASSERT_TRUE(other->delete_blacklist(blacklist_type::username, "acme@bob").ok());
    ASSERT_TRUE(other->update_user("acme", "bob", "bob-password-2", std::nullopt).ok());
    // The remembered password is checked against the hash it was verified with.
    EXPECT_FALSE(svc->authenticate(login("acme@bob", "bob-password")).who.has_value());
    EXPECT_TRUE(svc->authenticate(login("acme@bob", "bob-password-2")).who.has_value());
    ASSERT_TRUE(other->delete_user("acme", "bob").ok());
    EXPECT_FALSE(svc->get_user("acme", "bob").ok());
}

TEST_F(AuthWatch, BatchedWritesFromElsewhereArrive) {
    auto r = meta::mutation{"auth/tenant/t1", R"({"v":1,"name":"t1","description":"",)"
                                              R"("created_ms":1})"};
    auto r2 = meta::mutation{"auth/tenant/t2", R"({"v":1,"name":"t2","description":"",)"
                                               R"("created_ms":1})"};
    ASSERT_TRUE(store->write({r, r2}).has_value());
    EXPECT_EQ(svc->list_tenants()->size(), 3u);
    EXPECT_EQ(other->list_tenants()->size(), 3u);
}

TEST_F(AuthWatch, EveryChangeBumpsTheGeneration) {
    uint64_t g = svc->generation();
    auto moved = [&] {
        const uint64_t now = svc->generation();
        const bool m = now > g;
        g = now;
        return m;
    };
    ASSERT_TRUE(svc->create_tenant("acme", "").ok());
    EXPECT_TRUE(moved());
    add_user("acme", "a", "password1");
    EXPECT_TRUE(moved());
    acl_rule rule;
    rule.name = "r";
    add_rule(rule);
    EXPECT_TRUE(moved());
    ban(blacklist_type::client_id, "x");
    EXPECT_TRUE(moved());
    svc->set_acl_default(config::acl_permission::deny);
    EXPECT_TRUE(moved());
    ASSERT_TRUE(other->delete_acl("default", "r").ok());  // elsewhere
    EXPECT_TRUE(moved());
    EXPECT_FALSE(moved());  // nothing happened
    // A refused change changes nothing.
    EXPECT_FALSE(svc->create_tenant("acme", "").ok());
    EXPECT_FALSE(moved());
}

TEST_F(AuthWatch, DecisionCacheFollowsTheGeneration) {
    decision_cache cache;
    EXPECT_TRUE(cache.authorize(*svc, alice, access::publish, "x/1", false));
    EXPECT_EQ(cache.size(), 1u);
    EXPECT_TRUE(cache.authorize(*svc, alice, access::publish, "x/1", false));
    EXPECT_EQ(cache.size(), 1u);
    EXPECT_TRUE(cache.authorize(*svc, alice, access::publish, "x/1", true));  // retain differs
    EXPECT_TRUE(cache.authorize(*svc, alice, access::subscribe, "x/1", false));
    EXPECT_EQ(cache.size(), 3u);

    acl_rule deny;
    deny.name = "deny-x";
    deny.topic = "x/#";
    deny.permission = acl_permission::deny;
    ASSERT_TRUE(other->create_acl(deny).ok());  // on "another node"
    EXPECT_FALSE(cache.authorize(*svc, alice, access::publish, "x/1", false));
    EXPECT_EQ(cache.size(), 1u);  // started over
    EXPECT_FALSE(cache.authorize(*svc, alice, access::publish, "x/1", false));
    EXPECT_EQ(svc->stats().publish_denied, 2u);  // cached denials count too

    svc->set_acl_default(config::acl_permission::deny);
    EXPECT_FALSE(cache.authorize(*svc, alice, access::publish, "y/1", false));
}

TEST_F(AuthWatch, DecisionCacheIsBounded) {
    decision_cache cache(4);
    for (int i = 0; i < 10; ++i) {
        EXPECT_TRUE(cache.authorize(*svc, alice, access::publish, "t/" + std::to_string(i), false));
        EXPECT_LE(cache.size(), 4u);
    }
    cache.clear();
    EXPECT_EQ(cache.size(), 0u);
}

TEST_F(AuthWatch, StoppedServiceNoLongerFollows) {
    svc->stop();
    const uint64_t g = svc->generation();
    ASSERT_TRUE(other->create_tenant("late", "").ok());
    EXPECT_EQ(svc->generation(), g);
    EXPECT_EQ(svc->list_tenants()->size(), 1u);
}

// Readers on other threads while two "nodes" write: meant for the TSan
// build as much as for its assertions.
TEST_F(AuthWatch, ReadersRunWhileOthersWrite) {
    add_user("default", "alice", "password1");
    const std::string token = svc->issue_token(*svc->get_user("default", "alice"), 3600);
    std::atomic<bool> done{false};
    std::atomic<int> token_failures{0};
    std::atomic<uint64_t> reads{0};
    auto reader = [&] {
        decision_cache cache;
        while (!done.load()) {
            (void)cache.authorize(*svc, alice, access::publish, "x/1", false);
            (void)svc->authorize(alice, access::subscribe, "x/#", false);
            if (!svc->verify_token(token)) token_failures.fetch_add(1);
            reads.fetch_add(1);
        }
    };
    std::thread r1(reader);
    std::thread r2(reader);
    // On a loaded machine the readers may not have run yet: the writes below
    // must overlap reading, so start them once reading has begun.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (reads.load() == 0 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::yield();
    }
    const uint64_t reads_before_writes = reads.load();
    acl_rule deny;
    deny.name = "deny-x";
    deny.topic = "x/#";
    deny.permission = acl_permission::deny;
    for (int i = 0; i < 100; ++i) {
        service& writer = i % 2 == 0 ? *svc : *other;
        ASSERT_TRUE(writer.create_acl(deny).ok());
        ASSERT_TRUE(writer.delete_acl("default", "deny-x").ok());
    }
    ASSERT_TRUE(other->create_acl(deny).ok());
    done.store(true);
    r1.join();
    r2.join();
    EXPECT_GT(reads_before_writes, 0u);
    EXPECT_EQ(token_failures.load(), 0);
    EXPECT_FALSE(svc->authorize(alice, access::publish, "x/1", false));
    EXPECT_FALSE(other->authorize(alice, access::publish, "x/1", false));
}

}  // namespace
}  // namespace robust::auth
