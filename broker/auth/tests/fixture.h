#pragma once
// A started auth::service over a fresh in-memory meta store, with the
// cheapest allowed KDF (1000 rounds) so tests stay fast.

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>

#include "auth/service.h"
#include "meta/meta_store.h"

namespace robust::auth::testing {

inline config::auth_config fast_config() {
    config::auth_config c;
    c.password_iterations = 1000;
    return c;
}

inline credentials login(std::optional<std::string> username, std::optional<std::string> password,
                         std::string client_id = "c1", std::string peer_ip = "10.0.0.1") {
    credentials c;
    c.username = std::move(username);
    c.password = std::move(password);
    c.client_id = std::move(client_id);
    c.peer_ip = std::move(peer_ip);
    return c;
}

inline identity user(std::string tenant, std::string username, std::string client_id = "c1",
                     std::string peer_ip = "10.0.0.1") {
    identity who;
    who.tenant = std::move(tenant);
    who.username = std::move(username);
    who.client_id = std::move(client_id);
    who.peer_ip = std::move(peer_ip);
    who.anonymous = who.username.empty();
    return who;
}

class auth_fixture : public ::testing::Test {
protected:
    void SetUp() override { restart(); }

    void TearDown() override {
        if (svc) svc->stop();
        svc.reset();
        store->stop();
    }

    /// A new service over the same store (as after a process restart).
    void restart() {
        if (svc) svc->stop();
        svc = std::make_unique<service>(*store, cfg);
        ASSERT_TRUE(svc->start().has_value());
    }

    void add_user(const std::string& tenant, const std::string& name, const std::string& password,
                  bool superuser = false) {
        auto u = svc->create_user(tenant, name, password, superuser);
        ASSERT_TRUE(u.ok()) << u.error().field << ": " << u.error().message;
    }

    void add_rule(acl_rule r) {
        auto created = svc->create_acl(std::move(r));
        ASSERT_TRUE(created.ok()) << created.error().field << ": " << created.error().message;
    }

    void ban(blacklist_type type, std::string value, int64_t expires_ms = 0) {
        auto b = svc->create_blacklist(blacklist_entry{type, std::move(value), expires_ms, "", 0});
        ASSERT_TRUE(b.ok()) << b.error().field << ": " << b.error().message;
    }

    config::auth_config cfg = fast_config();
    std::unique_ptr<meta::meta_store> store = meta::make_memory_meta_store();
    std::unique_ptr<service> svc;
};

}  // namespace robust::auth::testing
