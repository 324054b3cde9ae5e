// JoinGroup / SyncGroup / Heartbeat: forming a group, KIP-394, the initial
// rebalance delay, protocol election and request validation.

#include <string>
#include <vector>

#include "harness.h"

namespace robust::kafka::groups::test {
namespace {

class JoinSync : public coordinator_test {};

TEST_F(JoinSync, SingleMemberJoinSyncHeartbeat) {
    auto j = join_now(join_req("c1"));
    EXPECT_EQ(j.error, error_code::none);
    EXPECT_EQ(j.generation_id, 1);
    EXPECT_EQ(j.member_id.rfind("c1-", 0), 0U) << j.member_id;
    EXPECT_EQ(j.leader_id, j.member_id);
    EXPECT_EQ(j.protocol_type, "consumer");
    EXPECT_EQ(j.protocol_name, "range");
    EXPECT_FALSE(j.skip_assignment);
    ASSERT_EQ(j.members.size(), 1U);
    EXPECT_EQ(j.members[0], (join_member{j.member_id, std::nullopt, "c1-meta"}));
    EXPECT_EQ(state(), group_state::completing_rebalance);

    // Kafka answers heartbeats during CompletingRebalance with none.
    EXPECT_EQ(heartbeat(j.member_id, 1), error_code::none);

    auto s = sync_now(sync_req(j.member_id, 1, {{j.member_id, "A1"}}));
    EXPECT_EQ(s.error, error_code::none);
    EXPECT_EQ(s.assignment, "A1");
    EXPECT_EQ(s.protocol_type, "consumer");
    EXPECT_EQ(s.protocol_name, "range");
    EXPECT_EQ(state(), group_state::stable);
    EXPECT_EQ(heartbeat(j.member_id, 1), error_code::none);

    // A sync in a Stable group returns the member's assignment again.
    EXPECT_EQ(sync_now(sync_req(j.member_id, 1)).assignment, "A1");
}

TEST_F(JoinSync, MemberIdRequiredForNewDynamicMembersFromV4) {
    auto first = join_now(join_req("c1", "", 4));
    EXPECT_EQ(first.error, error_code::member_id_required);
    EXPECT_EQ(first.member_id.rfind("c1-", 0), 0U);
    EXPECT_EQ(first.generation_id, -1);
    EXPECT_FALSE(first.protocol_name.has_value());
    EXPECT_TRUE(coord_.exists("g"));
    EXPECT_EQ(state(), group_state::empty);
    EXPECT_EQ(coord_.stats().pending_members, 1U);

    auto second = join_now(join_req("c1", first.member_id, 4));
    EXPECT_EQ(second.error, error_code::none);
    EXPECT_EQ(second.member_id, first.member_id);
    EXPECT_EQ(second.generation_id, 1);
    EXPECT_EQ(second.leader_id, first.member_id);
    EXPECT_EQ(coord_.stats().pending_members, 0U);
}

TEST_F(JoinSync, PendingMemberIdExpiresAfterSessionTimeout) {
    auto first = join_now(join_req("c1", "", 4));
    ASSERT_EQ(first.error, error_code::member_id_required);
    advance_to(now_ + session_ms - 1);
    EXPECT_EQ(coord_.stats().pending_members, 1U);
    advance_to(now_ + 1);
    EXPECT_EQ(coord_.stats().pending_members, 0U);
    // The group never had a member: nothing is kept.
    EXPECT_FALSE(coord_.exists("g"));
    EXPECT_EQ(join_now(join_req("c1", first.member_id, 4)).error, error_code::unknown_member_id);
}

TEST_F(JoinSync, PendingMemberHoldsBackTheJoinPhaseUntilItExpires) {
    std::string a = form_single();
    auto b_id = join_now(join_req("c2", "", 4));
    ASSERT_EQ(b_id.error, error_code::member_id_required);
    EXPECT_EQ(state(), group_state::stable);  // a pending member does not rebalance

    auto jb = join_later(join_req("c2", b_id.member_id, 4));
    EXPECT_EQ(state(), group_state::preparing_rebalance);
    auto c_id = join_now(join_req("c3", "", 4));
    ASSERT_EQ(c_id.error, error_code::member_id_required);
    auto ja = join_later(join_req("c1", a, 4));
    EXPECT_FALSE(ja.done()) << "c3 was handed an id and may still join";
    EXPECT_FALSE(jb.done());

    advance_to(now_ + session_ms);  // c3 never came back
    ASSERT_TRUE(ja.done());
    ASSERT_TRUE(jb.done());
    EXPECT_EQ(ja.get().generation_id, 2);
    EXPECT_EQ(ja.get().members.size(), 2U);
}

TEST_F(JoinSync, FollowerWaitsForLeaderAssignment) {
    auto [a, b] = form_pair();
    // form_pair checked the wait; check what everyone got, then rebalance
    // with a leader that leaves a member out and names a stranger.
    auto d = coord_.describe("g");
    ASSERT_EQ(d.members.size(), 2U);
    EXPECT_EQ(d.members[0].assignment, "A2");
    EXPECT_EQ(d.members[1].assignment, "B2");

    auto ja = join_later(join_req("c1", a));  // a leader's join forces a rebalance
    EXPECT_FALSE(ja.done());
    EXPECT_EQ(heartbeat(b, 2), error_code::rebalance_in_progress);
    auto jb = join_now(join_req("c2", b));
    ASSERT_TRUE(ja.done());
    EXPECT_EQ(ja.get().generation_id, 3);
    EXPECT_EQ(ja.get().leader_id, a);
    EXPECT_EQ(jb.leader_id, a);
    EXPECT_TRUE(jb.members.empty()) << "only the leader gets the member list";

    auto sb = sync_later(sync_req(b, 3));
    EXPECT_FALSE(sb.done());
    auto sa = sync_now(sync_req(a, 3, {{a, "A3"}, {"stranger", "X"}}));
    EXPECT_EQ(sa.assignment, "A3");
    ASSERT_TRUE(sb.done());
    EXPECT_EQ(sb.get().error, error_code::none);
    EXPECT_EQ(sb.get().assignment, "") << "members the leader left out get an empty assignment";
    EXPECT_EQ(coord_.describe("g").members.size(), 2U);
}

TEST_F(JoinSync, StableFollowerRejoiningWithSameMetadataGetsCurrentGeneration) {
    auto [a, b] = form_pair();
    auto jb = join_now(join_req("c2", b));
    EXPECT_EQ(jb.error, error_code::none);
    EXPECT_EQ(jb.generation_id, 2);
    EXPECT_EQ(jb.leader_id, a);
    EXPECT_EQ(state(), group_state::stable);

    // Changed metadata forces a rebalance.
    auto changed = join_req("c2", b);
    changed.protocols[0].metadata = "new-subscription";
    auto jb2 = join_later(changed);
    EXPECT_FALSE(jb2.done());
    EXPECT_EQ(state(), group_state::preparing_rebalance);
}

TEST_F(JoinSync, SyncDuringPreparingRebalanceIsRefused) {
    auto [a, b] = form_pair();
    auto jc = join_later(join_req("c3"));
    EXPECT_EQ(state(), group_state::preparing_rebalance);
    EXPECT_EQ(sync_now(sync_req(b, 2)).error, error_code::rebalance_in_progress);
    EXPECT_EQ(sync_now(sync_req(a, 2, {{a, "x"}})).error, error_code::rebalance_in_progress);
}

TEST_F(JoinSync, WaitingSyncIsAnsweredWhenTheGroupRebalancesAgain) {
    std::string a = form_single();
    auto jb = join_later(join_req("c2"));
    auto ja = join_now(join_req("c1", a));
    ASSERT_TRUE(jb.done());
    std::string b = jb.get().member_id;
    auto sb = sync_later(sync_req(b, 2));
    EXPECT_FALSE(sb.done());

    auto jc = join_later(join_req("c3"));  // before the leader synced
    ASSERT_TRUE(sb.done());
    EXPECT_EQ(sb.get().error, error_code::rebalance_in_progress);
    EXPECT_FALSE(sb.get().protocol_name.has_value());
    EXPECT_EQ(state(), group_state::preparing_rebalance);
}

TEST_F(JoinSync, SecondSyncFromTheSameMemberSupersedesTheFirst) {
    std::string a = form_single();
    auto jb = join_later(join_req("c2"));
    join_now(join_req("c1", a));
    std::string b = jb.get().member_id;
    auto first = sync_later(sync_req(b, 2));
    auto second = sync_later(sync_req(b, 2));
    ASSERT_TRUE(first.done());
    EXPECT_EQ(first.get().error, error_code::rebalance_in_progress);
    EXPECT_FALSE(second.done());
    sync_now(sync_req(a, 2, {{b, "B"}}));
    ASSERT_TRUE(second.done());
    EXPECT_EQ(second.get().assignment, "B");
    EXPECT_EQ(first.calls(), 1U);
}

TEST_F(JoinSync, IllegalGenerationOnSyncHeartbeatAndCommit) {
    std::string a = form_single();
    EXPECT_EQ(heartbeat(a, 0), error_code::illegal_generation);
    EXPECT_EQ(heartbeat(a, 2), error_code::illegal_generation);
    EXPECT_EQ(sync_now(sync_req(a, 5)).error, error_code::illegal_generation);
    EXPECT_EQ(coord_.validate_offset_commit("g", 7, a, std::nullopt, now_),
              error_code::illegal_generation);
    EXPECT_EQ(heartbeat(a, 1), error_code::none);
}

TEST_F(JoinSync, SyncChecksProtocolTypeAndName) {
    auto j = join_now(join_req("c1"));
    auto bad_type = sync_req(j.member_id, 1);
    bad_type.protocol_type = "connect";
    EXPECT_EQ(sync_now(bad_type).error, error_code::inconsistent_group_protocol);
    auto bad_name = sync_req(j.member_id, 1);
    bad_name.protocol_name = "roundrobin";
    EXPECT_EQ(sync_now(bad_name).error, error_code::inconsistent_group_protocol);
    auto good = sync_req(j.member_id, 1, {{j.member_id, "A"}});
    good.protocol_type = "consumer";
    good.protocol_name = "range";
    EXPECT_EQ(sync_now(good).assignment, "A");
}

TEST_F(JoinSync, InvalidRequests) {
    auto no_group = join_req("c1");
    no_group.group_id = "";
    EXPECT_EQ(join_now(no_group).error, error_code::invalid_group_id);

    auto too_short = join_req("c1");
    too_short.session_timeout_ms = 999;
    EXPECT_EQ(join_now(too_short).error, error_code::invalid_session_timeout);
    auto too_long = join_req("c1");
    too_long.session_timeout_ms = 60001;
    EXPECT_EQ(join_now(too_long).error, error_code::invalid_session_timeout);

    // A member id for a group that does not exist.
    EXPECT_EQ(join_now(join_req("c1", "ghost")).error, error_code::unknown_member_id);
    EXPECT_FALSE(coord_.exists("g"));

    std::string a = form_single();
    EXPECT_EQ(join_now(join_req("c1", "ghost")).error, error_code::unknown_member_id);

    auto s = sync_req(a, 1);
    s.group_id = "";
    EXPECT_EQ(sync_now(s).error, error_code::invalid_group_id);
    s.group_id = "other";
    EXPECT_EQ(sync_now(s).error, error_code::unknown_member_id);
    EXPECT_EQ(sync_now(sync_req("ghost", 1)).error, error_code::unknown_member_id);
    EXPECT_EQ(coord_.heartbeat("", 1, a, std::nullopt, now_), error_code::invalid_group_id);
    EXPECT_EQ(coord_.heartbeat("other", 1, a, std::nullopt, now_), error_code::unknown_member_id);
    EXPECT_EQ(heartbeat("ghost", 1), error_code::unknown_member_id);
    EXPECT_EQ(coord_.leave("", {{a, std::nullopt}}, now_).error, error_code::invalid_group_id);
    EXPECT_EQ(state(), group_state::stable);
}

TEST_F(JoinSync, JoinGroupV0UsesTheSessionTimeoutAsRebalanceTimeout) {
    auto v0 = [](const std::string& client, std::string member_id = "") {
        auto r = join_req(client, std::move(member_id), 0);
        r.rebalance_timeout_ms = -1;  // v0 has no such field
        r.session_timeout_ms = 5000;
        return r;
    };
    auto ja = join_now(v0("c1"));
    std::string a = ja.member_id;
    sync_now(sync_req(a, 1, {{a, "A"}}));
    auto jb = join_later(v0("c2"));  // rebalance timeout: 5000
    advance_to(now_ + 2500);
    EXPECT_EQ(heartbeat(a, 1), error_code::rebalance_in_progress);  // alive, never rejoins
    advance_to(now_ + 2499);
    EXPECT_FALSE(jb.done());
    advance_to(now_ + 1);
    ASSERT_TRUE(jb.done());
    EXPECT_EQ(jb.get().generation_id, 2);
    EXPECT_EQ(jb.get().members.size(), 1U);
    EXPECT_EQ(heartbeat(a, 1), error_code::unknown_member_id);
}

// ---- protocol election ------------------------------------------------------

class ProtocolElection : public coordinator_test {
protected:
    static coordinator_options delayed() {
        auto o = test_options();
        o.group_initial_rebalance_delay_ms = 100;
        return o;
    }
    ProtocolElection() : coordinator_test(delayed()) {}

    static join_request with(const std::string& client, std::vector<std::string> names) {
        auto r = join_req(client);
        r.protocols.clear();
        for (auto& n : names) r.protocols.push_back({n, client + "-" + n});
        return r;
    }

    /// Everyone joins within the initial delay; returns the leader's answer.
    join_result form(std::vector<join_request> reqs) {
        std::vector<join_probe> probes;
        for (auto& r : reqs) probes.push_back(join_later(r));
        advance_to(now_ + 100);
        advance_to(now_ + 100);
        for (auto& p : probes) EXPECT_TRUE(p.done());
        return probes.front().get();
    }
};

TEST_F(ProtocolElection, MostVotesAmongCommonProtocolsWins) {
    auto leader = form({with("c1", {"range", "roundrobin"}), with("c2", {"roundrobin", "range"}),
                        with("c3", {"roundrobin", "range", "sticky"})});
    EXPECT_EQ(leader.protocol_name, "roundrobin");
    ASSERT_EQ(leader.members.size(), 3U);
    EXPECT_EQ(leader.members[0].metadata, "c1-roundrobin");
    EXPECT_EQ(leader.members[2].metadata, "c3-roundrobin");
}

TEST_F(ProtocolElection, OnlyProtocolsEveryMemberSupportsAreCandidates) {
    // c1 prefers sticky, which c2 lacks: c1's vote goes to range.
    auto leader = form({with("c1", {"sticky", "range"}), with("c2", {"roundrobin", "range"})});
    EXPECT_EQ(leader.protocol_name, "range");
}

TEST_F(ProtocolElection, TieGoesToTheEarliestMembersPreference) {
    auto leader = form({with("c1", {"range", "roundrobin"}), with("c2", {"roundrobin", "range"})});
    EXPECT_EQ(leader.protocol_name, "range");
}

TEST_F(ProtocolElection, InconsistentProtocols) {
    form({with("c1", {"range", "roundrobin"})});
    EXPECT_EQ(state(), group_state::completing_rebalance);

    auto other_type = with("c2", {"range"});
    other_type.protocol_type = "connect";
    auto r = join_now(other_type);
    EXPECT_EQ(r.error, error_code::inconsistent_group_protocol);
    EXPECT_EQ(r.member_id, "");
    EXPECT_EQ(join_now(with("c2", {"sticky"})).error, error_code::inconsistent_group_protocol);
    EXPECT_EQ(state(), group_state::completing_rebalance);

    // A new group needs a protocol type and at least one protocol, and is not
    // created when the join fails.
    auto none = with("c3", {});
    none.group_id = "h";
    EXPECT_EQ(join_now(none).error, error_code::inconsistent_group_protocol);
    auto untyped = with("c3", {"range"});
    untyped.group_id = "h";
    untyped.protocol_type = "";
    EXPECT_EQ(join_now(untyped).error, error_code::inconsistent_group_protocol);
    EXPECT_FALSE(coord_.exists("h"));
}

TEST_F(ProtocolElection, ALoneMemberCannotSwitchToAnUnsharedProtocol) {
    // As in Kafka, support is checked against the current members, the
    // joining member's old protocols included.
    auto leader = form({with("c1", {"range"})});
    auto switched = with("c1", {"roundrobin"});
    switched.member_id = leader.member_id;
    EXPECT_EQ(join_now(switched).error, error_code::inconsistent_group_protocol);
}

// ---- initial rebalance delay -------------------------------------------------

class InitialDelay : public coordinator_test {
protected:
    static coordinator_options delayed() {
        auto o = test_options();
        o.group_initial_rebalance_delay_ms = 3000;
        return o;
    }
    InitialDelay() : coordinator_test(delayed()) {}
};

TEST_F(InitialDelay, NewGroupWaitsAndExtendsWhileMembersArrive) {
    auto ja = join_later(join_req("c1"));  // t=1000: completes at 4000 at the earliest
    EXPECT_EQ(state(), group_state::preparing_rebalance);
    now_ = 1100;
    auto jb = join_later(join_req("c2"));
    advance_to(3999);
    EXPECT_FALSE(ja.done());
    advance_to(4000);  // c2 arrived meanwhile: wait one more delay
    EXPECT_FALSE(ja.done());
    advance_to(6999);
    EXPECT_FALSE(ja.done());
    advance_to(7000);
    ASSERT_TRUE(ja.done());
    ASSERT_TRUE(jb.done());
    auto leader = ja.get();
    EXPECT_EQ(leader.generation_id, 1);
    EXPECT_EQ(leader.leader_id, leader.member_id);
    ASSERT_EQ(leader.members.size(), 2U);
    EXPECT_EQ(leader.members[0].member_id, leader.member_id);
    EXPECT_EQ(leader.members[1].member_id, jb.get().member_id);
    EXPECT_EQ(jb.get().leader_id, leader.member_id);

    // The delay applies only when leaving Empty: a later rebalance completes
    // as soon as everyone has rejoined.
    std::string a = leader.member_id;
    std::string b = jb.get().member_id;
    sync_now(sync_req(a, 1, {{a, "A"}, {b, "B"}}));
    auto jc = join_later(join_req("c3"));
    join_later(join_req("c1", a));
    join_later(join_req("c2", b));
    ASSERT_TRUE(jc.done());
    EXPECT_EQ(jc.get().generation_id, 2);
}

TEST_F(InitialDelay, ExtensionsStopAtTheRebalanceTimeout) {
    auto first = join_req("c1");
    first.rebalance_timeout_ms = 5000;  // delay 3000 + at most 2000 more
    auto ja = join_later(first);
    now_ = 1500;
    join_later(join_req("c2"));
    advance_to(4000);
    EXPECT_FALSE(ja.done());
    now_ = 5000;
    auto jc = join_later(join_req("c3"));
    advance_to(5999);
    EXPECT_FALSE(ja.done());
    advance_to(6000);  // 5000 after the first join, despite c3
    ASSERT_TRUE(ja.done());
    EXPECT_EQ(ja.get().members.size(), 3U);
}

TEST_F(InitialDelay, JoinsCompleteOnlyWhenTheDelayExpires) {
    auto ja = join_later(join_req("c1"));
    // Everyone known has joined, but an initial delay never completes early.
    EXPECT_FALSE(ja.done());
    advance_to(now_ + 3000);
    EXPECT_TRUE(ja.done());
}

}  // namespace
}  // namespace robust::kafka::groups::test
