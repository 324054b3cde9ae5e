// DescribeGroups, ListGroups, DeleteGroups, the OffsetCommit membership
// check, counters and member ids.

#include <set>
#include <string>
#include <vector>

#include "harness.h"

namespace robust::kafka::groups::test {
namespace {

class Admin : public coordinator_test {};

TEST(GroupState, KafkaNames) {
    EXPECT_EQ(to_string(group_state::empty), "Empty");
    EXPECT_EQ(to_string(group_state::preparing_rebalance), "PreparingRebalance");
    EXPECT_EQ(to_string(group_state::completing_rebalance), "CompletingRebalance");
    EXPECT_EQ(to_string(group_state::stable), "Stable");
    EXPECT_EQ(to_string(group_state::dead), "Dead");
}

TEST_F(Admin, DescribeUnknownGroupIsDead) {
    auto d = coord_.describe("nope");
    EXPECT_EQ(d.error, error_code::none);
    EXPECT_EQ(d.group_id, "nope");
    EXPECT_EQ(d.state, group_state::dead);
    EXPECT_EQ(d.protocol_type, "");
    EXPECT_TRUE(d.members.empty());
    EXPECT_FALSE(coord_.exists("nope"));
}

TEST_F(Admin, DescribeReportsMetadataAndAssignmentOnlyWhenStable) {
    auto [a, b] = form_pair();
    auto d = coord_.describe("g");
    EXPECT_EQ(d.state, group_state::stable);
    EXPECT_EQ(d.protocol_type, "consumer");
    EXPECT_EQ(d.protocol_name, "range");
    EXPECT_EQ(d.generation_id, 2);
    ASSERT_EQ(d.members.size(), 2U);
    EXPECT_EQ(d.members[0].member_id, a);
    EXPECT_EQ(d.members[0].client_id, "c1");
    EXPECT_EQ(d.members[0].client_host, "/127.0.0.1");
    EXPECT_EQ(d.members[0].metadata, "c1-meta");
    EXPECT_EQ(d.members[0].assignment, "A2");
    EXPECT_EQ(d.members[1].member_id, b);
    EXPECT_EQ(d.members[1].assignment, "B2");
    EXPECT_FALSE(d.members[1].group_instance_id.has_value());

    auto jc = join_later(join_req("c3"));
    d = coord_.describe("g");
    EXPECT_EQ(d.state, group_state::preparing_rebalance);
    EXPECT_EQ(d.protocol_name, "");
    ASSERT_EQ(d.members.size(), 3U);
    EXPECT_EQ(d.members[0].metadata, "");
    EXPECT_EQ(d.members[0].assignment, "");
}

TEST_F(Admin, ListShowsEveryGroupWithItsState) {
    form_single();
    auto other = join_req("c9");
    other.group_id = "another";
    other.protocol_type = "connect";
    join_probe p;
    coord_.join(other, now_, p.cb());
    auto groups = coord_.list();
    ASSERT_EQ(groups.size(), 2U);
    EXPECT_EQ(groups[0].group_id, "another");
    EXPECT_EQ(groups[0].protocol_type, "connect");
    EXPECT_EQ(groups[0].state, group_state::completing_rebalance);
    EXPECT_EQ(groups[1].group_id, "g");
    EXPECT_EQ(groups[1].state, group_state::stable);
}

TEST_F(Admin, DeleteOnlyEmptyGroups) {
    EXPECT_EQ(coord_.delete_group("g"), error_code::group_id_not_found);
    std::string a = form_single();
    EXPECT_EQ(coord_.delete_group("g"), error_code::non_empty_group);
    auto jb = join_later(join_req("c2"));
    EXPECT_EQ(coord_.delete_group("g"), error_code::non_empty_group);  // PreparingRebalance
    coord_.leave("g", {{a, std::nullopt}}, now_);
    ASSERT_TRUE(jb.done());
    coord_.leave("g", {{jb.get().member_id, std::nullopt}}, now_);
    EXPECT_EQ(state(), group_state::empty);
    EXPECT_TRUE(coord_.exists("g"));
    EXPECT_EQ(coord_.delete_group("g"), error_code::none);
    EXPECT_FALSE(coord_.exists("g"));
    EXPECT_EQ(coord_.describe("g").state, group_state::dead);
    EXPECT_EQ(coord_.delete_group("g"), error_code::group_id_not_found);
    EXPECT_TRUE(coord_.list().empty());

    // A deleted group starts over at generation 1.
    EXPECT_EQ(join_now(join_req("c1")).generation_id, 1);
}

TEST_F(Admin, OffsetCommitValidation) {
    auto check = [&](int32_t generation, std::string_view member,
                     std::optional<std::string_view> instance = std::nullopt,
                     std::string_view group = "g") {
        return coord_.validate_offset_commit(group, generation, member, instance, now_);
    };
    // Simple (standalone) commits need no group; a generation does.
    EXPECT_EQ(check(-1, ""), error_code::none);
    EXPECT_EQ(check(-1, "", std::nullopt, ""), error_code::none);
    EXPECT_EQ(check(3, "someone"), error_code::illegal_generation);
    EXPECT_FALSE(coord_.exists("g")) << "a commit creates no group";

    std::string a = form_single();
    EXPECT_EQ(check(-1, ""), error_code::unknown_member_id) << "group has members";
    EXPECT_EQ(check(1, a), error_code::none);
    EXPECT_EQ(check(1, "ghost"), error_code::unknown_member_id);
    EXPECT_EQ(check(-1, a), error_code::illegal_generation);
    EXPECT_EQ(check(1, a, "unknown-instance"), error_code::unknown_member_id);

    auto jb = join_later(join_req("c2"));
    EXPECT_EQ(check(1, a), error_code::none) << "PreparingRebalance still commits";
    join_now(join_req("c1", a));
    EXPECT_EQ(state(), group_state::completing_rebalance);
    EXPECT_EQ(check(2, a), error_code::rebalance_in_progress);
    EXPECT_EQ(check(1, a), error_code::illegal_generation);

    coord_.leave("g", {{a, std::nullopt}, {jb.get().member_id, std::nullopt}}, now_);
    EXPECT_EQ(state(), group_state::empty);
    EXPECT_EQ(check(-1, ""), error_code::none);
    EXPECT_EQ(check(-1, "old-member"), error_code::none) << "Empty: any generation -1 commit";
    EXPECT_EQ(check(2, a), error_code::unknown_member_id);
}

TEST_F(Admin, OffsetCommitKeepsTheSessionAlive) {
    std::string a = form_single();  // session ends at 11000 without a sign of life
    advance_to(8000);
    EXPECT_EQ(coord_.validate_offset_commit("g", 1, a, std::nullopt, now_), error_code::none);
    advance_to(17999);
    EXPECT_EQ(state(), group_state::stable);
    advance_to(18000);  // the last member is gone: the group empties at once
    EXPECT_EQ(state(), group_state::empty);
    EXPECT_EQ(coord_.stats().members_expired, 1U);
}

TEST_F(Admin, Counters) {
    auto [a, b] = form_pair();
    auto s = coord_.stats();
    EXPECT_EQ(s.rebalances_started, 2U);
    EXPECT_EQ(s.rebalances_completed, 2U);
    EXPECT_EQ(s.groups, 1U);
    EXPECT_EQ(s.members, 2U);
    EXPECT_EQ(s.groups_by_state[static_cast<std::size_t>(group_state::stable)], 1U);
    EXPECT_EQ(s.members_expired, 0U);

    join_now(join_req("x", "", 4));  // a pending member of "g"
    auto solo = join_req("c9");
    solo.group_id = "solo";
    join_probe p;
    coord_.join(solo, now_, p.cb());
    s = coord_.stats();
    EXPECT_EQ(s.groups, 2U);
    EXPECT_EQ(s.members, 3U);
    EXPECT_EQ(s.pending_members, 1U);
    EXPECT_EQ(s.groups_by_state[static_cast<std::size_t>(group_state::completing_rebalance)], 1U);
    EXPECT_EQ(s.rebalances_completed, 2U) << "solo's leader has not synced";
}

TEST_F(Admin, MemberIdsAreClientIdPlusAUuid) {
    std::set<std::string> ids;
    for (int i = 0; i < 50; ++i) {
        auto r = join_now(join_req("client", "", 4));
        ASSERT_EQ(r.error, error_code::member_id_required);
        const std::string& id = r.member_id;
        ASSERT_EQ(id.size(), std::string("client-").size() + 36) << id;
        std::string uuid = id.substr(7);
        EXPECT_EQ(uuid[8], '-');
        EXPECT_EQ(uuid[13], '-');
        EXPECT_EQ(uuid[14], '4') << "version 4";
        EXPECT_EQ(uuid[18], '-');
        EXPECT_NE(std::string("89ab").find(uuid[19]), std::string::npos) << "RFC 4122 variant";
        EXPECT_EQ(uuid[23], '-');
        ids.insert(id);
    }
    EXPECT_EQ(ids.size(), 50U);

    // The same seed gives the same ids (reproducible tests).
    group_coordinator one(test_options());
    group_coordinator two(test_options());
    join_probe p;
    join_probe q;
    one.join(join_req("client", "", 4), 0, p.cb());
    two.join(join_req("client", "", 4), 0, q.cb());
    EXPECT_EQ(p.get().member_id, q.get().member_id);
    EXPECT_EQ(ids.count(p.get().member_id), 1U);
}

TEST_F(Admin, EmptyCallbacksAreAllowed) {
    coord_.join(join_req("c1"), now_, nullptr);
    EXPECT_EQ(state(), group_state::completing_rebalance);
    auto d = coord_.describe("g");
    ASSERT_EQ(d.members.size(), 1U);
    coord_.sync(sync_req(d.members[0].member_id, 1, {{d.members[0].member_id, "A"}}), now_,
                nullptr);
    EXPECT_EQ(state(), group_state::stable);
}

}  // namespace
}  // namespace robust::kafka::groups::test
