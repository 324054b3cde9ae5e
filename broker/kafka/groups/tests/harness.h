#pragma once
// Test helpers for group_coordinator: probes that record callback answers,
// request builders with sensible defaults, and a fixture whose clock the test
// moves by hand (no sleeps).

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "kafka/groups/group_coordinator.h"

namespace robust::kafka::groups::test {

/// Records every answer given to one callback (there must be at most one).
template <class Result>
class probe {
public:
    std::function<void(Result)> cb() {
        return [results = results_](Result r) { results->push_back(std::move(r)); };
    }
    bool done() const { return !results_->empty(); }
    std::size_t calls() const { return results_->size(); }
    /// The answer; fails the test (and returns a default) if there is none.
    Result get() const {
        EXPECT_EQ(results_->size(), 1U) << "callback should have run exactly once";
        return results_->empty() ? Result{} : results_->back();
    }

private:
    std::shared_ptr<std::vector<Result>> results_ = std::make_shared<std::vector<Result>>();
};

using join_probe = probe<join_result>;
using sync_probe = probe<sync_result>;

inline constexpr int32_t session_ms = 10000;
inline constexpr int32_t rebalance_ms = 30000;

/// A consumer's JoinGroup for group "g" supporting "range" with metadata
/// "<client>-meta".
inline join_request join_req(const std::string& client, std::string member_id = "",
                             int16_t version = 3) {
    join_request r;
    r.group_id = "g";
    r.member_id = std::move(member_id);
    r.protocol_type = "consumer";
    r.protocols = {{"range", client + "-meta"}};
    r.session_timeout_ms = session_ms;
    r.rebalance_timeout_ms = rebalance_ms;
    r.client_id = client;
    r.client_host = "/127.0.0.1";
    r.api_version = version;
    return r;
}

inline sync_request sync_req(const std::string& member_id, int32_t generation,
                             std::vector<member_assignment> assignments = {}) {
    sync_request r;
    r.group_id = "g";
    r.member_id = member_id;
    r.generation_id = generation;
    r.assignments = std::move(assignments);
    return r;
}

inline coordinator_options test_options() {
    coordinator_options o;
    o.group_min_session_timeout_ms = 1000;
    o.group_max_session_timeout_ms = 60000;
    o.group_initial_rebalance_delay_ms = 0;
    o.member_id_seed = 42;
    return o;
}

class coordinator_test : public ::testing::Test {
protected:
    explicit coordinator_test(coordinator_options o = test_options()) : coord_(o) {}

    /// Sends a join that must be answered before join() returns.
    join_result join_now(join_request r) {
        join_probe p;
        coord_.join(std::move(r), now_, p.cb());
        EXPECT_TRUE(p.done()) << "join should have been answered at once";
        return p.get();
    }
    /// Sends a join that may wait.
    join_probe join_later(join_request r) {
        join_probe p;
        coord_.join(std::move(r), now_, p.cb());
        return p;
    }
    sync_result sync_now(sync_request r) {
        sync_probe p;
        coord_.sync(std::move(r), now_, p.cb());
        EXPECT_TRUE(p.done()) << "sync should have been answered at once";
        return p.get();
    }
    sync_probe sync_later(sync_request r) {
        sync_probe p;
        coord_.sync(std::move(r), now_, p.cb());
        return p;
    }
    error_code heartbeat(const std::string& member_id, int32_t generation,
                         std::optional<std::string_view> instance = std::nullopt) {
        return coord_.heartbeat("g", generation, member_id, instance, now_);
    }
    void advance_to(int64_t t) {
        now_ = t;
        coord_.tick(now_);
    }
    group_state state() const { return coord_.describe("g").state; }

    /// A single dynamic member joins an empty group and syncs: Stable,
    /// generation 1. Returns its member id.
    std::string form_single(const std::string& client = "c1") {
        auto j = join_now(join_req(client));
        EXPECT_EQ(j.error, error_code::none);
        auto s = sync_now(sync_req(j.member_id, j.generation_id, {{j.member_id, "A1"}}));
        EXPECT_EQ(s.error, error_code::none);
        return j.member_id;
    }

    /// Two dynamic members form a Stable group of generation 2 (the second
    /// join rebalances generation 1). Returns {leader, follower}.
    std::pair<std::string, std::string> form_pair() {
        std::string a = form_single("c1");
        auto jb = join_later(join_req("c2"));
        EXPECT_FALSE(jb.done());
        EXPECT_EQ(heartbeat(a, 1), error_code::rebalance_in_progress);
        auto ja = join_now(join_req("c1", a));
        EXPECT_TRUE(jb.done());
        std::string b = jb.get().member_id;
        EXPECT_EQ(ja.generation_id, 2);
        auto sb = sync_later(sync_req(b, 2));
        auto sa = sync_now(sync_req(a, 2, {{a, "A2"}, {b, "B2"}}));
        EXPECT_TRUE(sb.done());
        EXPECT_EQ(state(), group_state::stable);
        return {a, b};
    }

    group_coordinator coord_;
    int64_t now_ = 1000;
};

}  // namespace robust::kafka::groups::test
