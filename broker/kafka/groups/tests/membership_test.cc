// Members coming and going: rebalances of a Stable group, session expiry,
// rebalance and sync timeouts, LeaveGroup, group.max.size, and callbacks that
// call back into the coordinator.

#include <string>
#include <vector>

#include "harness.h"

namespace robust::kafka::groups::test {
namespace {

class Membership : public coordinator_test {};

TEST_F(Membership, NewMemberMakesEveryoneRejoin) {
    auto [a, b] = form_pair();
    auto jc = join_later(join_req("c3"));
    EXPECT_FALSE(jc.done());
    EXPECT_EQ(heartbeat(a, 2), error_code::rebalance_in_progress);
    EXPECT_EQ(heartbeat(b, 2), error_code::rebalance_in_progress);
    // Commits are still accepted while the group prepares.
    EXPECT_EQ(coord_.validate_offset_commit("g", 2, a, std::nullopt, now_), error_code::none);

    auto ja = join_later(join_req("c1", a));
    EXPECT_FALSE(ja.done());
    auto jb = join_later(join_req("c2", b));
    ASSERT_TRUE(ja.done());
    ASSERT_TRUE(jb.done());
    ASSERT_TRUE(jc.done());
    EXPECT_EQ(ja.get().generation_id, 3);
    EXPECT_EQ(jc.get().generation_id, 3);
    EXPECT_EQ(jc.get().leader_id, a) << "the leader that rejoined stays leader";
    ASSERT_EQ(ja.get().members.size(), 3U);
    EXPECT_EQ(ja.get().members[0].member_id, a);
    EXPECT_EQ(ja.get().members[1].member_id, b);
    EXPECT_EQ(ja.get().members[2].member_id, jc.get().member_id);
    EXPECT_EQ(heartbeat(a, 3), error_code::none);
}

TEST_F(Membership, SessionExpiryRemovesTheMemberAndRebalances) {
    auto [a, b] = form_pair();  // both synced at t=1000: sessions end at 11000
    advance_to(6000);
    EXPECT_EQ(heartbeat(a, 2), error_code::none);  // a lives until 16000
    advance_to(10999);
    EXPECT_EQ(state(), group_state::stable);
    advance_to(11000);
    EXPECT_EQ(state(), group_state::preparing_rebalance);
    EXPECT_EQ(coord_.stats().members_expired, 1U);
    EXPECT_EQ(heartbeat(a, 2), error_code::rebalance_in_progress);
    EXPECT_EQ(heartbeat(b, 2), error_code::unknown_member_id);

    auto ja = join_now(join_req("c1", a));
    EXPECT_EQ(ja.generation_id, 3);
    ASSERT_EQ(ja.members.size(), 1U);
    EXPECT_EQ(ja.members[0].member_id, a);
}

TEST_F(Membership, LeaderExpiryHandsLeadershipToTheNextMember) {
    auto [a, b] = form_pair();
    advance_to(6000);
    EXPECT_EQ(heartbeat(b, 2), error_code::none);
    advance_to(11000);  // a expires
    auto jb = join_now(join_req("c2", b));
    EXPECT_EQ(jb.leader_id, b);
    EXPECT_EQ(jb.members.size(), 1U);
}

TEST_F(Membership, RebalanceTimeoutRemovesMemberThatNeverRejoins) {
    auto [a, b] = form_pair();
    advance_to(2000);
    auto jc = join_later(join_req("c3"));  // join phase ends by 32000
    auto ja = join_later(join_req("c1", a));
    for (int64_t t = 7000; t <= 27000; t += 5000) {
        advance_to(t);
        // b keeps its session alive but ignores the request to rejoin.
        EXPECT_EQ(heartbeat(b, 2), error_code::rebalance_in_progress);
    }
    advance_to(31999);
    EXPECT_FALSE(ja.done());
    advance_to(32000);
    ASSERT_TRUE(ja.done());
    ASSERT_TRUE(jc.done());
    EXPECT_EQ(ja.get().generation_id, 3);
    EXPECT_EQ(ja.get().members.size(), 2U);
    EXPECT_EQ(heartbeat(b, 2), error_code::unknown_member_id);
    EXPECT_EQ(coord_.describe("g").members.size(), 2U);
}

TEST_F(Membership, LeaveRebalancesTheRestAndLastLeaveEmptiesTheGroup) {
    auto [a, b] = form_pair();
    auto r = coord_.leave("g", {{b, std::nullopt}}, now_);
    EXPECT_EQ(r.error, error_code::none);
    EXPECT_EQ(r.members, std::vector<error_code>{error_code::none});
    EXPECT_EQ(state(), group_state::preparing_rebalance);
    EXPECT_EQ(heartbeat(a, 2), error_code::rebalance_in_progress);
    auto ja = join_now(join_req("c1", a));
    EXPECT_EQ(ja.generation_id, 3);
    EXPECT_EQ(ja.members.size(), 1U);
    sync_now(sync_req(a, 3, {{a, "A"}}));

    r = coord_.leave("g", {{b, std::nullopt}}, now_);
    EXPECT_EQ(r.error, error_code::none);
    EXPECT_EQ(r.members, std::vector<error_code>{error_code::unknown_member_id});

    r = coord_.leave("g", {{a, std::nullopt}}, now_);
    EXPECT_EQ(r.members, std::vector<error_code>{error_code::none});
    auto d = coord_.describe("g");
    EXPECT_EQ(d.state, group_state::empty);
    EXPECT_EQ(d.generation_id, 4) << "emptying the group ends a generation, as in Kafka";
    EXPECT_EQ(d.protocol_type, "consumer");
    EXPECT_TRUE(coord_.exists("g"));

    r = coord_.leave("nope", {{a, std::nullopt}, {b, std::nullopt}}, now_);
    EXPECT_EQ(r.error, error_code::none);
    EXPECT_EQ(r.members.size(), 2U);
    EXPECT_EQ(r.members[1], error_code::unknown_member_id);
}

TEST_F(Membership, LeaveCompletesTheJoinPhaseWhenEveryoneElseHasRejoined) {
    auto [a, b] = form_pair();
    auto jc = join_later(join_req("c3"));
    auto ja = join_later(join_req("c1", a));
    EXPECT_FALSE(ja.done());
    coord_.leave("g", {{b, std::nullopt}}, now_);
    ASSERT_TRUE(ja.done());
    ASSERT_TRUE(jc.done());
    EXPECT_EQ(ja.get().members.size(), 2U);
}

TEST_F(Membership, RemovedMembersWaitingJoinGetsUnknownMemberId) {
    auto [a, b] = form_pair();
    auto id = join_now(join_req("c3", "", 4));
    ASSERT_EQ(id.error, error_code::member_id_required);
    auto jc = join_later(join_req("c3", id.member_id, 4));
    EXPECT_FALSE(jc.done());
    auto r = coord_.leave("g", {{id.member_id, std::nullopt}}, now_);
    EXPECT_EQ(r.members, std::vector<error_code>{error_code::none});
    ASSERT_TRUE(jc.done());
    EXPECT_EQ(jc.get().error, error_code::unknown_member_id);
    EXPECT_EQ(jc.get().member_id, "");
}

TEST_F(Membership, PendingMemberCanLeave) {
    std::string a = form_single();
    auto id = join_now(join_req("c2", "", 4));
    auto r = coord_.leave("g", {{id.member_id, std::nullopt}}, now_);
    EXPECT_EQ(r.members, std::vector<error_code>{error_code::none});
    EXPECT_EQ(coord_.stats().pending_members, 0U);
    EXPECT_EQ(join_now(join_req("c2", id.member_id, 4)).error, error_code::unknown_member_id);
}

TEST_F(Membership, RepeatedJoinWhileWaitingSupersedesTheFirst) {
    auto [a, b] = form_pair();
    auto first = join_later(join_req("c1", a));
    auto second = join_later(join_req("c1", a));
    ASSERT_TRUE(first.done());
    EXPECT_EQ(first.get().error, error_code::rebalance_in_progress);
    EXPECT_FALSE(second.done());
    join_now(join_req("c2", b));
    ASSERT_TRUE(second.done());
    EXPECT_EQ(second.get().generation_id, 3);
}

TEST_F(Membership, MemberThatNeverSyncsIsRemoved) {
    std::string a = form_single();
    auto jb = join_later(join_req("c2"));
    join_now(join_req("c1", a));  // generation 2 at t=1000: syncs due by 31000
    std::string b = jb.get().member_id;
    sync_now(sync_req(a, 2, {{a, "A"}, {b, "B"}}));
    EXPECT_EQ(state(), group_state::stable);
    for (int64_t t = 6000; t <= 26000; t += 5000) {
        advance_to(t);
        EXPECT_EQ(heartbeat(a, 2), error_code::none);
        EXPECT_EQ(heartbeat(b, 2), error_code::none);
    }
    advance_to(31000);
    EXPECT_EQ(state(), group_state::preparing_rebalance);
    EXPECT_EQ(heartbeat(b, 2), error_code::unknown_member_id);
    EXPECT_EQ(heartbeat(a, 2), error_code::rebalance_in_progress);
}

class NewMemberTimeout : public coordinator_test {
protected:
    static coordinator_options short_timeout() {
        auto o = test_options();
        o.new_member_join_timeout_ms = 5000;
        return o;
    }
    NewMemberTimeout() : coordinator_test(short_timeout()) {}
};

TEST_F(NewMemberTimeout, NewMemberWaitingTooLongIsRemoved) {
    auto [a, b] = form_pair();
    auto jc = join_later(join_req("c3"));  // t=1000, expires at 6000 if still waiting
    advance_to(5000);
    EXPECT_EQ(heartbeat(a, 2), error_code::rebalance_in_progress);
    EXPECT_EQ(heartbeat(b, 2), error_code::rebalance_in_progress);
    advance_to(6000);
    ASSERT_TRUE(jc.done());
    EXPECT_EQ(jc.get().error, error_code::unknown_member_id);
    EXPECT_EQ(coord_.stats().members_expired, 1U);

    join_later(join_req("c1", a));
    auto jb = join_now(join_req("c2", b));
    EXPECT_EQ(jb.generation_id, 3);
    EXPECT_EQ(coord_.describe("g").members.size(), 2U);
}

class MaxSize : public coordinator_test {
protected:
    static coordinator_options two() {
        auto o = test_options();
        o.group_max_size = 2;
        return o;
    }
    MaxSize() : coordinator_test(two()) {}
};

TEST_F(MaxSize, NewMemberBeyondTheLimitIsRefused) {
    auto [a, b] = form_pair();
    auto r = join_now(join_req("c3"));
    EXPECT_EQ(r.error, error_code::group_max_size_reached);
    EXPECT_EQ(r.member_id, "");
    EXPECT_EQ(state(), group_state::stable);
}

TEST_F(MaxSize, DuringARebalanceTheLastToRejoinIsDropped) {
    // Kafka counts members that have rejoined, so a member that is slow to
    // rejoin may lose its place to a new one.
    auto [a, b] = form_pair();
    auto ja = join_later(join_req("c1", a));  // leader rejoins: rebalance
    auto jc = join_later(join_req("c3"));     // 1 has rejoined < 2: accepted
    EXPECT_FALSE(jc.done());
    auto jb = join_now(join_req("c2", b));
    EXPECT_EQ(jb.error, error_code::group_max_size_reached);
    ASSERT_TRUE(ja.done());
    EXPECT_EQ(ja.get().generation_id, 3);
    ASSERT_EQ(ja.get().members.size(), 2U);
    EXPECT_EQ(ja.get().members[1].member_id, jc.get().member_id);
}

TEST_F(Membership, CallbacksMayCallBackIntoTheCoordinator) {
    std::vector<std::string> log;
    group_coordinator* c = &coord_;
    const int64_t t = now_;
    coord_.join(join_req("c1"), t, [&, c, t](join_result j) {
        log.push_back("join");
        // The leader syncs from inside its join callback; the sync callback
        // heartbeats and leaves.
        c->sync(sync_req(j.member_id, j.generation_id, {{j.member_id, "A"}}), t,
                [&, c, t, id = j.member_id](sync_result s) {
                    log.push_back("sync:" + s.assignment);
                    EXPECT_EQ(c->heartbeat("g", 1, id, std::nullopt, t), error_code::none);
                    auto r = c->leave("g", {{id, std::nullopt}}, t);
                    EXPECT_EQ(r.members, std::vector<error_code>{error_code::none});
                    log.push_back("left");
                });
        log.push_back("join-end");
    });
    EXPECT_EQ(log, (std::vector<std::string>{"join", "join-end", "sync:A", "left"}));
    EXPECT_EQ(state(), group_state::empty);
}

TEST_F(Membership, CallbacksCompletedByTickMayRejoin) {
    auto [a, b] = form_pair();
    auto jc = join_later(join_req("c3"));
    join_probe ja;
    sync_probe sa;
    bool rejoined = false;
    coord_.join(join_req("c1", a), now_, [&](join_result r) {
        // Completed by the tick below, without the silent follower b: a
        // syncs, then joins again (a leader's join starts a rebalance).
        EXPECT_EQ(r.generation_id, 3);
        coord_.sync(sync_req(a, 3, {{a, "A"}}), now_, sa.cb());
        EXPECT_FALSE(sa.done()) << "runs after this callback returns";
        coord_.join(join_req("c1", a), now_, ja.cb());
        rejoined = true;
    });
    advance_to(now_ + rebalance_ms);
    EXPECT_TRUE(rejoined);
    ASSERT_TRUE(sa.done());
    EXPECT_EQ(sa.get().assignment, "A");
    EXPECT_FALSE(ja.done()) << "c3 must rejoin for generation 4";
    EXPECT_EQ(state(), group_state::preparing_rebalance);
    join_now(join_req("c3", jc.get().member_id));
    ASSERT_TRUE(ja.done());
    EXPECT_EQ(ja.get().generation_id, 4);
}

}  // namespace
}  // namespace robust::kafka::groups::test
