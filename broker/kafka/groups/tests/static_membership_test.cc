// Static membership (KIP-345): a restarted instance takes over its member
// without a rebalance, stale processes are fenced, and static members leave
// only by session expiry or an explicit LeaveGroup. KIP-814 skip assignment.

#include <string>
#include <vector>

#include "harness.h"

namespace robust::kafka::groups::test {
namespace {

join_request static_req(const std::string& client, const std::string& instance,
                        std::string member_id = "", int16_t version = 5) {
    auto r = join_req(client, std::move(member_id), version);
    r.group_instance_id = instance;
    return r;
}

class StaticMembership : public coordinator_test {
protected:
    /// Static members c1 ("ia", leader) and c2 ("ib"), Stable at generation
    /// 2 with assignments "A2" and "B2".
    void form_static_pair() {
        auto ja = join_now(static_req("c1", "ia"));
        a_ = ja.member_id;
        EXPECT_EQ(a_.rfind("ia-", 0), 0U) << "static ids start with the instance id";
        sync_now(sync_req(a_, 1, {{a_, "A1"}}));
        auto jb = join_later(static_req("c2", "ib"));
        join_now(static_req("c1", "ia", a_));
        b_ = jb.get().member_id;
        auto sb = sync_later(with_instance(sync_req(b_, 2), "ib"));
        sync_now(with_instance(sync_req(a_, 2, {{a_, "A2"}, {b_, "B2"}}), "ia"));
        EXPECT_EQ(sb.get().assignment, "B2");
        EXPECT_EQ(state(), group_state::stable);
    }
    static sync_request with_instance(sync_request r, const std::string& instance) {
        r.group_instance_id = instance;
        return r;
    }
    std::string a_;
    std::string b_;
};

TEST_F(StaticMembership, RestartKeepsAssignmentWithoutRebalance) {
    form_static_pair();
    auto jb = join_now(static_req("c2", "ib"));  // c2 restarted: no member id
    EXPECT_EQ(jb.error, error_code::none);
    EXPECT_NE(jb.member_id, b_);
    EXPECT_EQ(jb.generation_id, 2);
    EXPECT_EQ(jb.leader_id, a_);
    EXPECT_TRUE(jb.members.empty());
    EXPECT_EQ(state(), group_state::stable);
    EXPECT_EQ(heartbeat(a_, 2, "ia"), error_code::none) << "no rebalance";

    auto s = sync_now(with_instance(sync_req(jb.member_id, 2), "ib"));
    EXPECT_EQ(s.assignment, "B2");

    // The old process is fenced.
    EXPECT_EQ(heartbeat(b_, 2, "ib"), error_code::fenced_instance_id);
    EXPECT_EQ(heartbeat(b_, 2), error_code::unknown_member_id);
    EXPECT_EQ(join_now(static_req("c2", "ib", b_)).error, error_code::fenced_instance_id);
    EXPECT_EQ(sync_now(with_instance(sync_req(b_, 2), "ib")).error, error_code::fenced_instance_id);
    EXPECT_EQ(coord_.validate_offset_commit("g", 2, b_, "ib", now_),
              error_code::fenced_instance_id);
    EXPECT_EQ(coord_.leave("g", {{b_, "ib"}}, now_).members,
              std::vector<error_code>{error_code::fenced_instance_id});
    EXPECT_EQ(heartbeat(jb.member_id, 2, "ib"), error_code::none);
    // An instance id nobody holds.
    EXPECT_EQ(heartbeat(jb.member_id, 2, "ic"), error_code::unknown_member_id);
}

TEST_F(StaticMembership, RestartedLeaderBeforeV9IsToldTheOldLeaderId) {
    form_static_pair();
    auto ja = join_now(static_req("c1", "ia"));
    EXPECT_EQ(ja.error, error_code::none);
    EXPECT_EQ(ja.leader_id, a_) << "so the new process does not run the assignor";
    EXPECT_NE(ja.member_id, a_);
    EXPECT_FALSE(ja.skip_assignment);
    EXPECT_TRUE(ja.members.empty());
    // It still leads: its next join forces a rebalance.
    auto again = join_later(static_req("c1", "ia", ja.member_id));
    EXPECT_FALSE(again.done());
    EXPECT_EQ(state(), group_state::preparing_rebalance);
}

TEST_F(StaticMembership, RestartedLeaderFromV9SkipsAssignment) {
    form_static_pair();
    auto ja = join_now(static_req("c1", "ia", "", 9));
    EXPECT_EQ(ja.error, error_code::none);
    EXPECT_EQ(ja.leader_id, ja.member_id);
    EXPECT_TRUE(ja.skip_assignment);
    ASSERT_EQ(ja.members.size(), 2U);
    EXPECT_EQ(ja.members[0].member_id, ja.member_id);
    EXPECT_EQ(ja.members[0].group_instance_id, "ia");
    EXPECT_EQ(ja.members[1].member_id, b_);
    EXPECT_EQ(state(), group_state::stable);
    EXPECT_EQ(sync_now(with_instance(sync_req(ja.member_id, 2), "ia")).assignment, "A2");
}

TEST_F(StaticMembership, RestartDuringCompletingRebalanceForcesRebalance) {
    form_static_pair();
    auto jc = join_later(join_req("c3"));
    join_later(static_req("c1", "ia", a_));
    join_now(static_req("c2", "ib", b_));
    ASSERT_TRUE(jc.done());
    EXPECT_EQ(state(), group_state::completing_rebalance);
    auto sb = sync_later(with_instance(sync_req(b_, 3), "ib"));
    EXPECT_FALSE(sb.done());

    auto jb = join_later(static_req("c2", "ib"));  // restart before the leader synced
    ASSERT_TRUE(sb.done());
    EXPECT_EQ(sb.get().error, error_code::fenced_instance_id);
    EXPECT_FALSE(jb.done());
    EXPECT_EQ(state(), group_state::preparing_rebalance);

    auto ja = join_later(static_req("c1", "ia", a_));
    join_now(join_req("c3", jc.get().member_id));
    ASSERT_TRUE(jb.done());
    EXPECT_EQ(jb.get().generation_id, 4);
    EXPECT_EQ(ja.get().members.size(), 3U);
}

TEST_F(StaticMembership, RestartWhileWaitingToJoinFencesTheOldJoin) {
    form_static_pair();
    auto jc = join_later(join_req("c3"));  // rebalance: everyone must rejoin
    auto stale = join_later(static_req("c2", "ib", b_));
    EXPECT_FALSE(stale.done());
    auto fresh = join_later(static_req("c2", "ib"));  // the same instance, restarted
    ASSERT_TRUE(stale.done());
    EXPECT_EQ(stale.get().error, error_code::fenced_instance_id);
    EXPECT_EQ(stale.get().member_id, b_);
    EXPECT_FALSE(fresh.done());
    auto ja = join_later(static_req("c1", "ia", a_));
    ASSERT_TRUE(fresh.done());
    ASSERT_TRUE(ja.done());
    EXPECT_EQ(fresh.get().generation_id, 3);
    ASSERT_EQ(ja.get().members.size(), 3U);
    EXPECT_EQ(ja.get().members[1].member_id, fresh.get().member_id) << "keeps its place";
    EXPECT_EQ(ja.get().members[2].member_id, jc.get().member_id);
}

TEST_F(StaticMembership, AbsentStaticMemberSurvivesTheRebalanceTimeout) {
    form_static_pair();
    advance_to(2000);
    auto jc = join_later(join_req("c3"));  // join phase ends by 32000
    auto ja = join_later(static_req("c1", "ia", a_));
    for (int64_t t = 7000; t <= 27000; t += 5000) {
        advance_to(t);
        EXPECT_EQ(heartbeat(b_, 2, "ib"), error_code::rebalance_in_progress);
    }
    advance_to(32000);
    ASSERT_TRUE(ja.done());
    EXPECT_EQ(ja.get().generation_id, 3);
    EXPECT_EQ(ja.get().members.size(), 3U) << "static members are not dropped by the join phase";
    EXPECT_EQ(heartbeat(b_, 2, "ib"), error_code::illegal_generation);
    // It can still come back into generation 3 by rejoining.
    auto jb = join_now(static_req("c2", "ib", b_));
    EXPECT_EQ(jb.error, error_code::none);
    EXPECT_EQ(jb.generation_id, 3);
}

TEST_F(StaticMembership, JoinPhaseWaitsWhileOnlyAbsentStaticMembersRemain) {
    form_static_pair();
    auto r = coord_.leave("g", {{a_, "ia"}}, now_);  // a leaves; b is silent
    EXPECT_EQ(r.members, std::vector<error_code>{error_code::none});
    EXPECT_EQ(state(), group_state::preparing_rebalance);
    for (int64_t t = 10000; t <= 28000; t += 9000) {
        advance_to(t);
        EXPECT_EQ(heartbeat(b_, 2, "ib"), error_code::rebalance_in_progress);
    }
    advance_to(1000 + rebalance_ms);  // nobody rejoined: keep waiting
    EXPECT_EQ(state(), group_state::preparing_rebalance);
    advance_to(28000 + session_ms - 1);
    EXPECT_EQ(state(), group_state::preparing_rebalance);
    advance_to(28000 + session_ms);  // b's session ends: the group empties
    EXPECT_EQ(state(), group_state::empty);
}

TEST_F(StaticMembership, SessionExpiryReleasesTheInstanceId) {
    form_static_pair();
    advance_to(6000);
    EXPECT_EQ(heartbeat(a_, 2, "ia"), error_code::none);
    advance_to(11000);  // b expires
    EXPECT_EQ(state(), group_state::preparing_rebalance);
    EXPECT_EQ(join_now(static_req("c2", "ib", b_)).error, error_code::unknown_member_id);
    // A fresh start with the instance id joins as a new member.
    auto jb = join_later(static_req("c2", "ib"));
    join_now(static_req("c1", "ia", a_));
    ASSERT_TRUE(jb.done());
    EXPECT_EQ(jb.get().generation_id, 3);
}

TEST_F(StaticMembership, LeaveByInstanceIdAlone) {
    form_static_pair();
    auto r = coord_.leave("g", {{"", "ib"}, {"", "nobody"}, {"", std::nullopt}}, now_);
    EXPECT_EQ(r.error, error_code::none);
    EXPECT_EQ(r.members, (std::vector<error_code>{error_code::none, error_code::unknown_member_id,
                                                  error_code::unknown_member_id}));
    EXPECT_EQ(state(), group_state::preparing_rebalance);
    auto ja = join_now(static_req("c1", "ia", a_));
    EXPECT_EQ(ja.members.size(), 1U);
}

TEST_F(StaticMembership, RestartThatChangesTheGroupProtocolRebalances) {
    auto both = [](const std::string& client, const std::string& instance,
                   std::vector<std::string> names, std::string member_id = "") {
        auto r = static_req(client, instance, std::move(member_id));
        r.protocols.clear();
        for (auto& n : names) r.protocols.push_back({n, client + "-" + n});
        return r;
    };
    auto ja = join_now(both("c1", "ia", {"range", "roundrobin"}));
    a_ = ja.member_id;
    auto jb = join_later(both("c2", "ib", {"range", "roundrobin"}));
    join_now(both("c1", "ia", {"range", "roundrobin"}, a_));
    b_ = jb.get().member_id;
    EXPECT_EQ(jb.get().protocol_name, "range");
    sync_now(sync_req(a_, 2, {{a_, "A"}, {b_, "B"}}));

    // Prefers roundrobin now: one vote each, the tie keeps range.
    auto same = join_now(both("c2", "ib", {"roundrobin", "range"}));
    EXPECT_EQ(same.generation_id, 2);
    EXPECT_EQ(state(), group_state::stable);

    // Supports only roundrobin: range can no longer be chosen.
    auto changed = join_later(both("c2", "ib", {"roundrobin"}));
    EXPECT_FALSE(changed.done());
    EXPECT_EQ(state(), group_state::preparing_rebalance);
    join_now(both("c1", "ia", {"range", "roundrobin"}, a_));
    ASSERT_TRUE(changed.done());
    EXPECT_EQ(changed.get().protocol_name, "roundrobin");
}

}  // namespace
}  // namespace robust::kafka::groups::test
