#pragma once
// Values exchanged with the consumer-group coordinator (group_coordinator.h):
// options, requests, results and counters. Plain data: any thread may build,
// copy or read them. Bytes the coordinator never looks into (protocol
// metadata, assignments) are carried as std::string.

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kafka/codec/error_code.h"

namespace robust::kafka::groups {

using codec::error_code;

/// Broker-wide limits and delays, named after Kafka's broker settings
/// (`group.min.session.timeout.ms`, ...) with Kafka's defaults.
struct coordinator_options {
    /// A JoinGroup whose session timeout lies outside
    /// [group_min_session_timeout_ms, group_max_session_timeout_ms] is
    /// refused with invalid_session_timeout.
    int32_t group_min_session_timeout_ms = 6000;
    int32_t group_max_session_timeout_ms = 1800000;
    /// How long a group going from Empty to PreparingRebalance waits for more
    /// members before completing its first join phase, extended by the same
    /// delay (up to the rebalance timeout) while new members keep arriving in
    /// generation 0 (`group.initial.rebalance.delay.ms`).
    int32_t group_initial_rebalance_delay_ms = 3000;
    /// Most members a group may have; 0 = unlimited. A join beyond it gets
    /// group_max_size_reached (`group.max.size`).
    int32_t group_max_size = 0;
    /// How long a member that has joined but never completed a join phase is
    /// kept (Kafka's NewMemberJoinTimeoutMs): its socket is muted while its
    /// JoinGroup waits, so a dead client would otherwise linger.
    int32_t new_member_join_timeout_ms = 300000;
    /// Seed of the generator for member id suffixes; 0 = std::random_device.
    /// Tests set it to get reproducible ids.
    uint64_t member_id_seed = 0;
};

/// Group states of the classic protocol (Kafka's GroupState).
enum class group_state : uint8_t {
    empty,                 ///< no members (offsets may still be committed)
    preparing_rebalance,   ///< waiting for members to (re)join
    completing_rebalance,  ///< joined; waiting for the leader's assignment
    stable,                ///< assignment handed out
    dead,                  ///< unknown or deleted group (never stored)
};
inline constexpr std::size_t group_state_count = 5;

/// Kafka's name of a state: "Empty", "PreparingRebalance",
/// "CompletingRebalance", "Stable", "Dead" (DescribeGroups, ListGroups).
std::string_view to_string(group_state s) noexcept;

/// One protocol a member supports (e.g. a consumer's partition assignor
/// "range"/"cooperative-sticky") with its metadata, opaque bytes passed
/// through to the leader, which runs the assignor.
struct member_protocol {
    std::string name;
    std::string metadata;
    bool operator==(const member_protocol&) const = default;
};

/// A JoinGroup request, already decoded.
struct join_request {
    std::string group_id;
    std::string member_id;  ///< empty for a member joining for the first time
    std::optional<std::string> group_instance_id;  ///< set for static members (KIP-345)
    std::string protocol_type;                     ///< e.g. "consumer", "connect"
    std::vector<member_protocol> protocols;        ///< in the member's order of preference
    int32_t session_timeout_ms = 0;
    /// Rebalance timeout; JoinGroup v0 has none: pass api_version 0 or a
    /// negative value and the session timeout is used, as Kafka does.
    int32_t rebalance_timeout_ms = -1;
    std::string client_id;
    std::string client_host;
    /// JoinGroup version: >= 4 makes a new dynamic member fetch its id first
    /// (KIP-394); >= 9 lets a rejoining static leader skip the assignment.
    int16_t api_version = 0;
};

/// A member as the leader sees it in its JoinGroup response.
struct join_member {
    std::string member_id;
    std::optional<std::string> group_instance_id;
    std::string metadata;  ///< the member's metadata for the chosen protocol
    bool operator==(const join_member&) const = default;
};

/// A JoinGroup response. On error only `error` and `member_id` are
/// meaningful (member_id is the one to use next: the generated id for
/// member_id_required, empty when the member must start over).
struct join_result {
    error_code error = error_code::none;
    int32_t generation_id = -1;
    std::optional<std::string> protocol_type;  ///< nullopt on error (null on the wire)
    std::optional<std::string> protocol_name;  ///< nullopt on error (null on the wire)
    std::string leader_id;
    std::string member_id;
    std::vector<join_member> members;  ///< only for the leader, else empty
    /// JoinGroup v9+: a static leader rejoining a Stable group is told it is
    /// the leader but must not run the assignor (KIP-814).
    bool skip_assignment = false;
};

/// One member's assignment in the leader's SyncGroup request.
struct member_assignment {
    std::string member_id;
    std::string assignment;
};

/// A SyncGroup request, already decoded.
struct sync_request {
    std::string group_id;
    int32_t generation_id = -1;
    std::string member_id;
    std::optional<std::string> group_instance_id;
    std::optional<std::string> protocol_type;    ///< v5+: checked against the group's
    std::optional<std::string> protocol_name;    ///< v5+: checked against the group's
    std::vector<member_assignment> assignments;  ///< only the leader sends them
};

/// A SyncGroup response.
struct sync_result {
    error_code error = error_code::none;
    std::optional<std::string> protocol_type;  ///< nullopt on error
    std::optional<std::string> protocol_name;  ///< nullopt on error
    std::string assignment;
};

using join_callback = std::function<void(join_result)>;
using sync_callback = std::function<void(sync_result)>;

/// A member named in a LeaveGroup request (v3+ may name several; an empty
/// member_id with an instance id removes that static member, KIP-345).
struct member_identity {
    std::string member_id;
    std::optional<std::string> group_instance_id;
};

/// A LeaveGroup response: a top-level error, and one error per member in
/// request order (empty when the top-level error is set).
struct leave_result {
    error_code error = error_code::none;
    std::vector<error_code> members;
};

struct member_description {
    std::string member_id;
    std::optional<std::string> group_instance_id;
    std::string client_id;
    std::string client_host;
    std::string metadata;    ///< of the chosen protocol; empty unless Stable
    std::string assignment;  ///< empty unless Stable
};

/// DescribeGroups for one group. An unknown group is reported as Dead with
/// error none (DescribeGroups v0-v5; v6+ answers group_id_not_found, which
/// the request handler decides from `state == dead`).
struct group_description {
    error_code error = error_code::none;
    std::string group_id;
    group_state state = group_state::dead;
    std::string protocol_type;
    std::string protocol_name;  ///< empty unless Stable
    /// Not on the wire; for the admin API and robustctl.
    int32_t generation_id = 0;
    std::vector<member_description> members;  ///< in join order
};

/// ListGroups for one group.
struct group_listing {
    std::string group_id;
    std::string protocol_type;
    group_state state = group_state::empty;
};

/// Counters and gauges for metrics (metrics/ defines the names).
struct coordinator_stats {
    /// Rebalances finished: the leader's assignment was received and the
    /// group became Stable (Kafka's group-completed-rebalance count).
    uint64_t rebalances_completed = 0;
    /// Transitions into PreparingRebalance.
    uint64_t rebalances_started = 0;
    /// Members removed because their session (or new-member join) timed out.
    uint64_t members_expired = 0;
    std::size_t groups = 0;
    std::size_t members = 0;
    /// Dynamic members told member_id_required that have not rejoined yet.
    std::size_t pending_members = 0;
    /// Indexed by group_state (dead is always 0).
    std::array<std::size_t, group_state_count> groups_by_state{};
};

}  // namespace robust::kafka::groups
