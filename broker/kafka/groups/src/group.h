#pragma once
// The state of one group and its members (Kafka's GroupMetadata and
// MemberMetadata), and the pure rules over it: protocol support, protocol
// election, leader choice. Owned by group_coordinator::impl; same thread.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "kafka/groups/types.h"

namespace robust::kafka::groups::detail {

inline constexpr int64_t no_deadline = std::numeric_limits<int64_t>::max();

/// Lets string-keyed maps be searched with a string_view (no allocation).
struct string_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
        return std::hash<std::string_view>{}(s);
    }
};
template <class Value>
using string_map = std::unordered_map<std::string, Value, string_hash, std::equal_to<>>;
using string_set = std::unordered_set<std::string, string_hash, std::equal_to<>>;

struct member {
    std::string id;
    std::optional<std::string> instance_id;
    std::string client_id;
    std::string client_host;
    std::string protocol_type;
    std::vector<member_protocol> protocols;
    int32_t session_timeout_ms = 0;
    int32_t rebalance_timeout_ms = 0;
    std::string assignment;
    /// Join order within the group: the leader is the earliest member, and
    /// member lists are reported in this order.
    uint64_t seq = 0;
    /// Added by a join whose join phase has not completed yet: expires after
    /// new_member_join_timeout_ms even while it waits (Kafka's isNew).
    bool is_new = false;
    /// Set while the member's JoinGroup / SyncGroup waits for an answer.
    join_callback join_cb;
    sync_callback sync_cb;
    /// Heartbeat deadline (session timeout after the last sign of life, or
    /// the new-member join timeout).
    int64_t deadline_ms = no_deadline;

    bool awaiting_join() const noexcept { return static_cast<bool>(join_cb); }
    bool awaiting_sync() const noexcept { return static_cast<bool>(sync_cb); }
    /// Whether the session deadline applies now (Kafka's
    /// hasSatisfiedHeartbeat): a member waiting in a join or sync cannot
    /// heartbeat, so only new members expire while waiting.
    bool session_applies() const noexcept {
        return is_new || (!awaiting_join() && !awaiting_sync());
    }
    bool supports(std::string_view protocol) const noexcept;
    /// The member's metadata for `protocol` (empty if it does not support it).
    std::string_view metadata_for(std::string_view protocol) const noexcept;
    /// The first of the member's protocols among `candidates` (Kafka's vote).
    std::string_view vote(const std::vector<std::string_view>& candidates) const noexcept;
};

struct group {
    std::string id;
    group_state state = group_state::empty;
    std::optional<std::string> protocol_type;  ///< set by the first member to join
    std::optional<std::string> protocol_name;  ///< chosen at the end of a join phase
    int32_t generation = 0;
    std::string leader;  ///< empty when there are no members
    string_map<member> members;
    string_map<std::string> static_members;  ///< instance id -> member id
    /// member_id_required members (KIP-394) -> deadline to rejoin by.
    string_map<int64_t> pending_members;
    /// Members that have not sent SyncGroup since the last join phase.
    string_set pending_sync;
    uint64_t next_seq = 0;

    /// PreparingRebalance: when the join phase completes anyway.
    int64_t join_deadline = no_deadline;
    /// The join phase is Kafka's InitialDelayedJoin: it never completes
    /// early, and each expiry extends it while new members keep arriving.
    bool initial_delay = false;
    int64_t initial_delay_ms = 0;
    int64_t initial_remaining_ms = 0;
    /// A new member joined during generation 0's initial delay.
    bool new_member_added = false;
    /// When members still in pending_sync are removed.
    int64_t sync_deadline = no_deadline;
    /// A lower bound of every deadline above; tick() skips the group until
    /// then.
    int64_t next_check = no_deadline;

    member* find(std::string_view member_id);
    const member* find(std::string_view member_id) const;
    /// Members in join order.
    std::vector<member*> ordered();
    std::vector<const member*> ordered() const;
    /// Largest rebalance timeout of the members (0 without members).
    int32_t rebalance_timeout_ms() const;
    /// Kafka's supportsProtocols: an Empty group takes any non-empty protocol
    /// type and list; otherwise the type must match and one of `protocols`
    /// must be supported by every current member.
    bool supports_protocols(std::string_view type,
                            const std::vector<member_protocol>& protocols) const;
    /// Protocols every member supports, in the earliest member's order.
    std::vector<std::string_view> candidate_protocols() const;
    /// Kafka's selectProtocol: each member votes for its first candidate; the
    /// most votes wins; ties go to the candidate the earliest member prefers.
    /// Requires members.
    std::string select_protocol() const;
    /// The leader's view of the members for the chosen protocol.
    std::vector<join_member> member_metadata() const;
    /// Every member has a join waiting and no member_id_required member is
    /// outstanding (Kafka's hasAllMembersJoined).
    bool all_members_joined() const;
    /// The earliest member, or empty.
    std::string first_member_id() const;
    void schedule(int64_t deadline) {
        if (deadline < next_check) next_check = deadline;
    }
};

}  // namespace robust::kafka::groups::detail
