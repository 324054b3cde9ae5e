#pragma once
// The classic (pre-KIP-848) Kafka consumer-group membership protocol as a
// Sans-I/O state machine: JoinGroup, SyncGroup, Heartbeat, LeaveGroup, the
// membership check of OffsetCommit, DescribeGroups, ListGroups and
// DeleteGroups, with the rules of Apache Kafka's GroupCoordinator (static
// membership, KIP-345; member id required, KIP-394; skip assignment, KIP-814).

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "kafka/groups/types.h"

namespace robust::kafka::groups {

/// Keeps every group this broker coordinates: members, generation, leader,
/// chosen protocol, assignments and the timers of the protocol (sessions,
/// rebalance timeouts, the initial rebalance delay, pending members and
/// pending syncs).
///
/// Owner and time: created by the Kafka server, which owns it for the life of
/// the broker. It does no I/O, has no threads and reads no clock: every call
/// that can change state takes `now_ms`, a monotonic time in milliseconds
/// (a steady clock, never wall time), and the owner calls tick() periodically
/// (e.g. every 100 ms) so that deadlines fire even when no request arrives.
/// A deadline fires at the first call whose now_ms reaches it; each call first
/// fires the due deadlines of the group it touches, so a request sees the
/// group as Kafka's timers would have left it.
///
/// Threading: not thread-safe. All calls must be serialised by the owner (one
/// thread, or a mutex held around each call). Nothing blocks.
///
/// Callbacks: join() and sync() answer through a callback because the answer
/// may wait for other members (the rest of the group rejoining, the leader's
/// assignment). A callback runs exactly once, always from inside a non-const
/// call on this object (any call that fires deadlines may complete one, so
/// heartbeat and validate_offset_commit too; possibly the very call that
/// registered it) but only after that call has finished changing state, so a
/// callback may call back into the coordinator. A call made from inside a
/// callback returns before its own callbacks run; they run right after the
/// current one, before the outermost call returns. Callbacks must not throw
/// and must not destroy the coordinator. An empty std::function is allowed
/// (the member still counts as waiting) and is simply not called.
class group_coordinator {
public:
    explicit group_coordinator(coordinator_options options = {});
    ~group_coordinator();
    group_coordinator(const group_coordinator&) = delete;
    group_coordinator& operator=(const group_coordinator&) = delete;

    /// JoinGroup. A new member (empty member_id) creates the group if needed.
    /// `cb` gets, immediately:
    ///   invalid_group_id (empty group id), invalid_session_timeout,
    ///   unknown_member_id (member id given but unknown; group unknown; static
    ///   instance id not known), fenced_instance_id (instance id mapped to
    ///   another member id), inconsistent_group_protocol (protocol type
    ///   differs from the group's, or no protocol common to all members),
    ///   group_max_size_reached, member_id_required (api_version >= 4, new
    ///   dynamic member: result.member_id is the id to rejoin with within the
    ///   session timeout);
    ///   or none with the current generation when nothing changes (a follower
    ///   rejoining a Stable group with the same metadata, any member
    ///   rejoining a CompletingRebalance group with the same metadata, a known
    ///   static member restarting in a Stable group without changing the
    ///   chosen protocol).
    /// Otherwise the group goes to PreparingRebalance and `cb` runs when the
    /// join phase completes: when every member has rejoined (and no
    /// member_id_required member is outstanding), or when the rebalance
    /// timeout (largest of the members') or the initial rebalance delay
    /// expires. Dynamic members that did not rejoin by then are removed;
    /// static ones stay until their session expires. The result carries the
    /// new generation, the chosen protocol and the leader; the leader also
    /// gets every member's metadata. A waiting join is instead answered with
    /// unknown_member_id if its member is removed (leave, session expiry),
    /// fenced_instance_id if another process takes over its static instance
    /// id, or rebalance_in_progress if the same member sends another join.
    void join(join_request request, int64_t now_ms, join_callback cb);

    /// SyncGroup. `cb` gets, immediately: invalid_group_id,
    /// unknown_member_id (unknown group or member), fenced_instance_id,
    /// illegal_generation, inconsistent_group_protocol (protocol type or name
    /// given and not the group's), rebalance_in_progress (the group is
    /// PreparingRebalance); or, in a Stable group, the member's assignment.
    /// In CompletingRebalance a follower waits for the leader; the leader's
    /// assignments (members it left out get empty ones, unknown member ids
    /// are ignored) make the group Stable and answer every waiting member.
    /// A waiting sync is answered with rebalance_in_progress if the group
    /// starts another rebalance first (or the same member syncs again),
    /// unknown_member_id if the member is removed, fenced_instance_id if its
    /// static instance id is taken over. A member that has not synced within
    /// the rebalance timeout after the join phase is removed.
    void sync(sync_request request, int64_t now_ms, sync_callback cb);

    /// Heartbeat; on success refreshes the member's session. Returns none
    /// (Stable or CompletingRebalance), rebalance_in_progress
    /// (PreparingRebalance: the member must rejoin), illegal_generation,
    /// unknown_member_id (unknown group or member), fenced_instance_id, or
    /// invalid_group_id.
    error_code heartbeat(std::string_view group_id, int32_t generation_id,
                         std::string_view member_id,
                         std::optional<std::string_view> group_instance_id, int64_t now_ms);

    /// LeaveGroup. Top-level error: invalid_group_id, else none. Per member:
    /// none (removed), unknown_member_id, fenced_instance_id. Members that
    /// leave are removed; the rest of the group rebalances (a group left
    /// without members becomes Empty). Waiting joins of the remaining members
    /// complete if everyone else has rejoined.
    leave_result leave(std::string_view group_id, const std::vector<member_identity>& members,
                       int64_t now_ms);

    /// The membership check of OffsetCommit (Kafka's validateOffsetCommit);
    /// storing the offsets is the caller's job. generation_id < 0 with no
    /// member id and no instance id is a "simple" commit (a consumer without
    /// group management, or the admin client): allowed when the group is
    /// unknown or Empty (nothing is created), unknown_member_id otherwise.
    /// Otherwise returns unknown_member_id, fenced_instance_id,
    /// illegal_generation (also for a generation >= 0 on an unknown group),
    /// rebalance_in_progress (CompletingRebalance), or none, which refreshes
    /// the member's session. An empty group id is allowed, as in Kafka.
    error_code validate_offset_commit(std::string_view group_id, int32_t generation_id,
                                      std::string_view member_id,
                                      std::optional<std::string_view> group_instance_id,
                                      int64_t now_ms);

    /// DescribeGroups for one group as of the last call (deadlines are not
    /// fired here). An unknown group is Dead with error none. Member metadata
    /// and assignments are only reported for a Stable group, as in Kafka.
    group_description describe(std::string_view group_id) const;

    /// ListGroups: every group this coordinator knows, ordered by id.
    std::vector<group_listing> list() const;

    /// DeleteGroups for one group: none (it was Empty and is gone; callers
    /// also delete its committed offsets), group_id_not_found (unknown),
    /// non_empty_group (it has members).
    error_code delete_group(std::string_view group_id);

    /// Whether the group is known here (it has or had members since it was
    /// last deleted). Groups that only have committed offsets are known to
    /// the server, which stores the offsets, not to the coordinator.
    bool exists(std::string_view group_id) const;

    /// Fires every due deadline: expires sessions of members (removing them
    /// and rebalancing the rest), completes join phases whose rebalance
    /// timeout or initial delay elapsed, removes members that did not sync in
    /// time, and forgets member_id_required members that did not rejoin.
    /// Runs the callbacks this completes.
    void tick(int64_t now_ms);

    coordinator_stats stats() const;
    const coordinator_options& options() const noexcept;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace robust::kafka::groups
