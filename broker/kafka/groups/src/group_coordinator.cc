// The classic group membership protocol. Function names follow Apache Kafka's
// GroupCoordinator (handleJoinGroup, prepareRebalance, onCompleteJoin, ...)
// where they do the same job, so the two can be read side by side. Kafka's
// delayed operations (DelayedJoin, InitialDelayedJoin, DelayedHeartbeat,
// DelayedSync) are deadlines in detail::group and detail::member, fired by
// advance() in deadline order.

#include "kafka/groups/group_coordinator.h"

#include <algorithm>
#include <cstdio>
#include <deque>
#include <map>
#include <random>
#include <string>
#include <utility>

#include "base/assert.h"
#include "group.h"

namespace robust::kafka::groups {

using detail::group;
using detail::member;
using detail::no_deadline;

namespace {

join_result join_error(std::string member_id, error_code e) {
    join_result r;
    r.error = e;
    r.member_id = std::move(member_id);
    return r;
}

sync_result sync_error(error_code e) {
    sync_result r;
    r.error = e;
    return r;
}

// Kafka: JoinGroup, SyncGroup, Heartbeat and LeaveGroup need a non-empty
// group id; OffsetCommit, DescribeGroups and DeleteGroups accept "" for
// backwards compatibility.
bool valid_group_id(std::string_view id) {
    return !id.empty();
}

uint64_t seed_from(const coordinator_options& o) {
    if (o.member_id_seed != 0) return o.member_id_seed;
    std::random_device rd;
    return (static_cast<uint64_t>(rd()) << 32) ^ rd();
}

}  // namespace

struct group_coordinator::impl {
    explicit impl(coordinator_options o) : opts(o), rng(seed_from(o)) {}

    coordinator_options opts;
    std::map<std::string, group, std::less<>> groups;
    // Callbacks completed by the current call, run by run_callbacks() once
    // the state is consistent.
    std::deque<std::function<void()>> ready;
    bool running_callbacks = false;
    std::mt19937_64 rng;
    uint64_t rebalances_completed = 0;
    uint64_t rebalances_started = 0;
    uint64_t members_expired = 0;

    // ---- callbacks -------------------------------------------------------

    void answer(join_callback& cb, join_result r) {
        if (!cb) return;
        ready.emplace_back([f = std::move(cb), r = std::move(r)]() mutable { f(std::move(r)); });
        cb = nullptr;
    }

    void answer(sync_callback& cb, sync_result r) {
        if (!cb) return;
        ready.emplace_back([f = std::move(cb), r = std::move(r)]() mutable { f(std::move(r)); });
        cb = nullptr;
    }

    // Runs queued callbacks in completion order. A call made from inside a
    // callback only queues; this loop runs what it queued next.
    void run_callbacks() {
        if (running_callbacks) return;
        running_callbacks = true;
        struct reset {
            bool& flag;
            ~reset() { flag = false; }
        } guard{running_callbacks};
        while (!ready.empty()) {
            auto f = std::move(ready.front());
            ready.pop_front();
            f();
        }
    }

    // ---- helpers ---------------------------------------------------------

    group* find_group(std::string_view id) {
        auto it = groups.find(id);
        return it == groups.end() ? nullptr : &it->second;
    }

    // A group that never had a member (created by a join that failed, or
    // whose member_id_required members never came back) carries nothing
    // worth keeping.
    void forget_if_unused(std::string_view id) {
        auto it = groups.find(id);
        if (it == groups.end()) return;
        const group& g = it->second;
        if (g.state == group_state::empty && g.generation == 0 && g.members.empty() &&
            g.pending_members.empty()) {
            groups.erase(it);
        }
    }

    std::string generate_member_id(const group& g, std::string_view prefix) {
        for (;;) {
            // An RFC 4122 version 4 UUID, as Kafka's UUID.randomUUID().
            uint64_t hi = rng();
            uint64_t lo = rng();
            hi = (hi & 0xFFFFFFFFFFFF0FFFULL) | 0x0000000000004000ULL;
            lo = (lo & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;
            char buf[40];
            std::snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx",
                          static_cast<unsigned>(hi >> 32),
                          static_cast<unsigned>((hi >> 16) & 0xFFFF),
                          static_cast<unsigned>(hi & 0xFFFF), static_cast<unsigned>(lo >> 48),
                          static_cast<unsigned long long>(lo & 0xFFFFFFFFFFFFULL));
            std::string id;
            id.reserve(prefix.size() + 1 + 36);
            id.append(prefix).append("-").append(buf);
            if (g.find(id) == nullptr && !g.pending_members.contains(id)) return id;
        }
    }

    void refresh_session(group& g, member& m, int64_t now) {
        m.deadline_ms = now + m.session_timeout_ms;
        g.schedule(m.deadline_ms);
    }

    join_result current_generation(const group& g, const std::string& member_id) const {
        join_result r;
        r.generation_id = g.generation;
        r.protocol_type = g.protocol_type;
        r.protocol_name = g.protocol_name;
        r.leader_id = g.leader;
        r.member_id = member_id;
        return r;
    }

    // Kafka's validateCurrentMember: an instance id must map to this member
    // id; without one the member id must be known.
    static error_code validate_current_member(const group& g, std::string_view member_id,
                                              std::optional<std::string_view> instance_id) {
        if (instance_id) {
            auto it = g.static_members.find(*instance_id);
            if (it == g.static_members.end()) return error_code::unknown_member_id;
            if (it->second != member_id) return error_code::fenced_instance_id;
            return error_code::none;
        }
        return g.find(member_id) ? error_code::none : error_code::unknown_member_id;
    }

    static std::optional<std::string_view> view(const std::optional<std::string>& s) {
        if (!s) return std::nullopt;
        return std::string_view(*s);
    }

    // ---- membership changes ---------------------------------------------

    // Kafka's GroupMetadata.remove: answers whatever the member was waiting
    // for with `error`, and elects the earliest remaining member as leader if
    // it led. Does not start a rebalance.
    void remove_member(group& g, std::string member_id, error_code error) {
        auto it = g.members.find(member_id);
        if (it == g.members.end()) return;
        member& m = it->second;
        answer(m.join_cb, join_error("", error));
        answer(m.sync_cb, sync_error(error));
        if (m.instance_id) {
            auto s = g.static_members.find(*m.instance_id);
            if (s != g.static_members.end() && s->second == member_id) g.static_members.erase(s);
        }
        g.members.erase(it);
        g.pending_members.erase(member_id);
        g.pending_sync.erase(member_id);
        if (g.pending_sync.empty()) g.sync_deadline = no_deadline;
        if (g.leader == member_id) g.leader = g.first_member_id();
    }

    // Kafka's removeMemberAndUpdateGroup.
    void remove_member_and_update_group(group& g, std::string member_id, int64_t now) {
        remove_member(g, std::move(member_id), error_code::unknown_member_id);
        switch (g.state) {
            case group_state::stable:
            case group_state::completing_rebalance:
                maybe_prepare_rebalance(g, now);
                break;
            case group_state::preparing_rebalance:
                try_complete_join(g, now);
                break;
            case group_state::empty:
            case group_state::dead:
                break;
        }
    }

    void add_member_and_rebalance(group& g, const std::string& member_id, const join_request& req,
                                  int64_t now, join_callback cb) {
        member m;
        m.id = member_id;
        m.instance_id = req.group_instance_id;
        m.client_id = req.client_id;
        m.client_host = req.client_host;
        m.protocol_type = req.protocol_type;
        m.protocols = req.protocols;
        m.session_timeout_ms = req.session_timeout_ms;
        m.rebalance_timeout_ms = req.rebalance_timeout_ms;
        m.seq = g.next_seq++;
        m.is_new = true;
        m.join_cb = std::move(cb);
        // The session does not apply to a member that has never completed a
        // join (it cannot heartbeat); this bounds a dead client's stay.
        m.deadline_ms = now + opts.new_member_join_timeout_ms;
        g.schedule(m.deadline_ms);

        // Lets the initial delay be extended (InitialDelayedJoin).
        if (g.state == group_state::preparing_rebalance && g.generation == 0) {
            g.new_member_added = true;
        }
        if (g.members.empty()) g.protocol_type = req.protocol_type;
        if (g.leader.empty()) g.leader = member_id;
        if (req.group_instance_id) g.static_members[*req.group_instance_id] = member_id;
        g.pending_members.erase(member_id);
        g.members.emplace(member_id, std::move(m));
        maybe_prepare_rebalance(g, now);
    }

    // Kafka's GroupMetadata.updateMember. A join already waiting for this
    // member is superseded: Kafka drops it, we answer it so no request is
    // left hanging.
    void update_member(member& m, const join_request& req, join_callback cb) {
        m.protocols = req.protocols;
        m.rebalance_timeout_ms = req.rebalance_timeout_ms;
        m.session_timeout_ms = req.session_timeout_ms;
        answer(m.join_cb, join_error(m.id, error_code::rebalance_in_progress));
        m.join_cb = std::move(cb);
    }

    void update_member_and_rebalance(group& g, member& m, const join_request& req, int64_t now,
                                     join_callback cb) {
        update_member(m, req, std::move(cb));
        maybe_prepare_rebalance(g, now);
    }

    // Kafka's replaceStaticMember: the new process of a static instance takes
    // over the member (its assignment, its place as leader); whatever the old
    // one was waiting for is fenced.
    member& replace_static_member(group& g, const std::string& instance_id, std::string old_id,
                                  const std::string& new_id) {
        auto node = g.members.extract(old_id);
        BROKER_ASSERT(!node.empty(), "static member " << instance_id << " maps to unknown member "
                                                      << old_id << " in group " << g.id);
        member& m = node.mapped();
        answer(m.join_cb, join_error(old_id, error_code::fenced_instance_id));
        answer(m.sync_cb, sync_error(error_code::fenced_instance_id));
        m.id = new_id;
        node.key() = new_id;
        auto inserted = g.members.insert(std::move(node));
        if (g.leader == old_id) g.leader = new_id;
        g.static_members[instance_id] = new_id;
        if (g.pending_sync.erase(old_id) > 0) g.pending_sync.insert(new_id);
        return inserted.position->second;
    }

    void update_static_member_and_rebalance(group& g, std::string old_id, const std::string& new_id,
                                            const join_request& req, int64_t now,
                                            join_callback cb) {
        const std::string old_leader = g.leader;
        member& m = replace_static_member(g, *req.group_instance_id, std::move(old_id), new_id);
        update_member(m, req, std::move(cb));
        refresh_session(g, m, now);

        switch (g.state) {
            case group_state::stable: {
                // A restart that does not change the group's protocol needs
                // no rebalance: the member keeps its assignment.
                std::string next = g.select_protocol();
                if (g.protocol_name && *g.protocol_name == next) {
                    join_result r = current_generation(g, new_id);
                    if (req.api_version >= 9) {
                        // KIP-814: the leader learns it leads (to keep
                        // watching metadata) but must not reassign.
                        bool is_leader = g.leader == new_id;
                        r.skip_assignment = is_leader;
                        if (is_leader) r.members = g.member_metadata();
                    } else {
                        // Older clients: report the previous leader id, so a
                        // restarted leader does not run a pointless
                        // assignment that a Stable group would ignore.
                        r.leader_id = old_leader;
                    }
                    answer(m.join_cb, std::move(r));
                } else {
                    maybe_prepare_rebalance(g, now);
                }
                break;
            }
            case group_state::completing_rebalance:
                // The leader may be assigning to the old member id.
                prepare_rebalance(g, now);
                break;
            case group_state::preparing_rebalance:
                break;  // waits for the join phase with the others
            case group_state::empty:
            case group_state::dead:
                BROKER_ASSERT(
                    false, "group " << g.id << " has static members but is " << to_string(g.state));
        }
    }

    // ---- rebalance -------------------------------------------------------

    void maybe_prepare_rebalance(group& g, int64_t now) {
        if (g.state == group_state::stable || g.state == group_state::completing_rebalance ||
            g.state == group_state::empty) {
            prepare_rebalance(g, now);
        }
    }

    void prepare_rebalance(group& g, int64_t now) {
        // Members waiting for an assignment must rejoin instead.
        if (g.state == group_state::completing_rebalance) {
            reset_and_propagate_assignment_error(g, error_code::rebalance_in_progress, now);
        }
        g.pending_sync.clear();
        g.sync_deadline = no_deadline;

        const int64_t rebalance_timeout = g.rebalance_timeout_ms();
        if (g.state == group_state::empty) {
            const int64_t delay = opts.group_initial_rebalance_delay_ms;
            g.initial_delay = true;
            g.initial_delay_ms = delay;
            g.initial_remaining_ms = std::max<int64_t>(rebalance_timeout - delay, 0);
            g.join_deadline = now + delay;
        } else {
            g.initial_delay = false;
            g.join_deadline = now + rebalance_timeout;
        }
        g.state = group_state::preparing_rebalance;
        g.schedule(g.join_deadline);
        ++rebalances_started;
        try_complete_join(g, now);
    }

    // Kafka's DelayedJoin.tryComplete (an InitialDelayedJoin never completes
    // early).
    void try_complete_join(group& g, int64_t now) {
        if (g.state == group_state::preparing_rebalance && !g.initial_delay &&
            g.all_members_joined()) {
            on_complete_join(g, now);
        }
    }

    // The join phase's deadline passed.
    void on_join_deadline(group& g, int64_t now) {
        if (g.initial_delay && g.new_member_added && g.initial_remaining_ms != 0) {
            // Members are still arriving in generation 0: wait another delay,
            // never beyond the rebalance timeout.
            g.new_member_added = false;
            const int64_t delay =
                std::min<int64_t>(opts.group_initial_rebalance_delay_ms, g.initial_remaining_ms);
            g.initial_remaining_ms =
                std::max<int64_t>(g.initial_remaining_ms - g.initial_delay_ms, 0);
            g.initial_delay_ms = delay;
            g.join_deadline = now + delay;
            g.schedule(g.join_deadline);
            return;
        }
        on_complete_join(g, now);
    }

    // Kafka's maybeElectNewJoinedLeader: keep the leader if it rejoined, else
    // take the earliest member that did.
    static bool elect_joined_leader(group& g) {
        const member* leader = g.find(g.leader);
        if (leader != nullptr && leader->awaiting_join()) return true;
        for (const member* m : g.ordered()) {
            if (m->awaiting_join()) {
                g.leader = m->id;
                return true;
            }
        }
        return false;
    }

    void on_complete_join(group& g, int64_t now) {
        g.join_deadline = no_deadline;
        g.initial_delay = false;

        // Dynamic members that did not rejoin are gone; static ones stay
        // until their session expires (KIP-345).
        std::vector<std::string> gone;
        for (const auto& [id, m] : g.members) {
            if (!m.awaiting_join() && !m.instance_id) gone.push_back(id);
        }
        for (auto& id : gone) remove_member(g, std::move(id), error_code::unknown_member_id);

        if (!g.members.empty() && !elect_joined_leader(g)) {
            // Only absent static members are left: wait for them (or for
            // their sessions to expire) another rebalance timeout.
            g.join_deadline = now + g.rebalance_timeout_ms();
            g.schedule(g.join_deadline);
            return;
        }

        ++g.generation;
        if (g.members.empty()) {
            g.protocol_name.reset();
            g.state = group_state::empty;
            return;
        }
        g.protocol_name = g.select_protocol();
        g.state = group_state::completing_rebalance;

        const std::vector<join_member> metadata = g.member_metadata();
        for (member* m : g.ordered()) {
            if (m->awaiting_join()) {
                join_result r = current_generation(g, m->id);
                if (m->id == g.leader) r.members = metadata;
                answer(m->join_cb, std::move(r));
            }
            m->is_new = false;
            refresh_session(g, *m, now);
            g.pending_sync.insert(m->id);
        }
        // Kafka's DelayedSync: members must sync within the rebalance timeout.
        g.sync_deadline = now + g.rebalance_timeout_ms();
        g.schedule(g.sync_deadline);
    }

    void on_sync_deadline(group& g, int64_t now) {
        g.sync_deadline = no_deadline;
        if (g.pending_sync.empty()) return;
        if (g.state != group_state::completing_rebalance && g.state != group_state::stable) {
            g.pending_sync.clear();
            return;
        }
        std::vector<std::string> late(g.pending_sync.begin(), g.pending_sync.end());
        for (auto& id : late) remove_member(g, std::move(id), error_code::unknown_member_id);
        prepare_rebalance(g, now);
    }

    void reset_and_propagate_assignment_error(group& g, error_code error, int64_t now) {
        for (member* m : g.ordered()) {
            m->assignment.clear();
            if (m->awaiting_sync()) {
                answer(m->sync_cb, sync_error(error));
                refresh_session(g, *m, now);
            }
        }
    }

    void set_and_propagate_assignment(group& g, detail::string_map<std::string>& assignments,
                                      int64_t now) {
        for (member* m : g.ordered()) {
            auto it = assignments.find(m->id);
            m->assignment = it == assignments.end() ? std::string() : std::move(it->second);
            if (m->awaiting_sync()) {
                sync_result r;
                r.protocol_type = g.protocol_type;
                r.protocol_name = g.protocol_name;
                r.assignment = m->assignment;
                answer(m->sync_cb, std::move(r));
                refresh_session(g, *m, now);
            }
        }
    }

    void remove_pending_sync(group& g, const std::string& member_id) {
        g.pending_sync.erase(member_id);
        if (g.pending_sync.empty()) g.sync_deadline = no_deadline;
    }

    // ---- deadlines -------------------------------------------------------

    // Fires every deadline of `g` that is due at `now`, earliest first (on a
    // tie: pending members, sessions, the join phase, the sync deadline), then
    // recomputes g.next_check exactly.
    void advance(group& g, int64_t now) {
        if (g.next_check > now) return;
        enum class due { none, pending_member, session, join, sync };
        for (;;) {
            due kind = due::none;
            int64_t at = no_deadline;
            std::string who;
            for (const auto& [id, deadline] : g.pending_members) {
                if (deadline <= now && deadline < at) {
                    kind = due::pending_member;
                    at = deadline;
                    who = id;
                }
            }
            for (const auto& [id, m] : g.members) {
                if (m.session_applies() && m.deadline_ms <= now && m.deadline_ms < at) {
                    kind = due::session;
                    at = m.deadline_ms;
                    who = id;
                }
            }
            if (g.state == group_state::preparing_rebalance && g.join_deadline <= now &&
                g.join_deadline < at) {
                kind = due::join;
                at = g.join_deadline;
            }
            if (g.sync_deadline <= now && g.sync_deadline < at) {
                kind = due::sync;
                at = g.sync_deadline;
            }
            switch (kind) {
                case due::none:
                    recompute_next_check(g);
                    return;
                case due::pending_member:
                    g.pending_members.erase(who);
                    try_complete_join(g, now);
                    break;
                case due::session:
                    ++members_expired;
                    remove_member_and_update_group(g, std::move(who), now);
                    break;
                case due::join:
                    on_join_deadline(g, now);
                    break;
                case due::sync:
                    on_sync_deadline(g, now);
                    break;
            }
        }
    }

    static void recompute_next_check(group& g) {
        int64_t next = no_deadline;
        for (const auto& [id, deadline] : g.pending_members) next = std::min(next, deadline);
        for (const auto& [id, m] : g.members) {
            if (m.session_applies()) next = std::min(next, m.deadline_ms);
        }
        if (g.state == group_state::preparing_rebalance) next = std::min(next, g.join_deadline);
        next = std::min(next, g.sync_deadline);
        g.next_check = next;
    }

    // ---- requests --------------------------------------------------------

    // Kafka's acceptJoiningMember (group.max.size).
    bool accept_joining_member(const group& g, std::string_view member_id) const {
        if (opts.group_max_size <= 0) return true;
        const auto max = static_cast<std::size_t>(opts.group_max_size);
        switch (g.state) {
            case group_state::empty:
            case group_state::dead:
                return true;
            case group_state::preparing_rebalance: {
                // Counting the members that rejoined lets the group shrink
                // back under a lowered limit.
                const member* m = g.find(member_id);
                if (m != nullptr && m->awaiting_join()) return true;
                auto awaiting =
                    std::count_if(g.members.begin(), g.members.end(),
                                  [](const auto& kv) { return kv.second.awaiting_join(); });
                return static_cast<std::size_t>(awaiting) < max;
            }
            case group_state::completing_rebalance:
            case group_state::stable:
                return g.find(member_id) != nullptr || g.members.size() < max;
        }
        return true;
    }

    void join(join_request& req, int64_t now, join_callback cb) {
        if (!valid_group_id(req.group_id)) {
            return answer(cb, join_error(req.member_id, error_code::invalid_group_id));
        }
        if (req.session_timeout_ms < opts.group_min_session_timeout_ms ||
            req.session_timeout_ms > opts.group_max_session_timeout_ms) {
            return answer(cb, join_error(req.member_id, error_code::invalid_session_timeout));
        }
        if (req.api_version == 0 || req.rebalance_timeout_ms < 0) {
            req.rebalance_timeout_ms = req.session_timeout_ms;
        }
        const bool new_member = req.member_id.empty();
        group* g = find_group(req.group_id);
        if (g == nullptr) {
            // Only a new member creates a group.
            if (!new_member) {
                return answer(cb, join_error(req.member_id, error_code::unknown_member_id));
            }
            g = &groups.emplace(req.group_id, group{}).first->second;
            g->id = req.group_id;
        }
        advance(*g, now);

        if (!accept_joining_member(*g, req.member_id)) {
            if (!new_member) {
                remove_member(*g, req.member_id, error_code::group_max_size_reached);
                g->pending_members.erase(req.member_id);
            }
            answer(cb, join_error("", error_code::group_max_size_reached));
        } else if (new_member) {
            join_new_member(*g, req, now, std::move(cb));
        } else {
            join_current_member(*g, req, now, std::move(cb));
        }

        if (g->state == group_state::preparing_rebalance) try_complete_join(*g, now);
        advance(*g, now);  // e.g. an initial rebalance delay of 0
        forget_if_unused(req.group_id);
    }

    // Kafka's doNewMemberJoinGroup.
    void join_new_member(group& g, const join_request& req, int64_t now, join_callback cb) {
        if (!g.supports_protocols(req.protocol_type, req.protocols)) {
            return answer(cb, join_error("", error_code::inconsistent_group_protocol));
        }
        std::string new_id =
            generate_member_id(g, req.group_instance_id ? *req.group_instance_id : req.client_id);
        if (req.group_instance_id) {
            auto known = g.static_members.find(*req.group_instance_id);
            if (known != g.static_members.end()) {
                update_static_member_and_rebalance(g, known->second, new_id, req, now,
                                                   std::move(cb));
            } else {
                add_member_and_rebalance(g, new_id, req, now, std::move(cb));
            }
        } else if (req.api_version >= 4) {
            // KIP-394: hand out the id first, so a client that times out and
            // retries does not leave a ghost member behind.
            const int64_t deadline = now + req.session_timeout_ms;
            g.pending_members[new_id] = deadline;
            g.schedule(deadline);
            answer(cb, join_error(std::move(new_id), error_code::member_id_required));
        } else {
            add_member_and_rebalance(g, new_id, req, now, std::move(cb));
        }
    }

    // Kafka's doCurrentMemberJoinGroup.
    void join_current_member(group& g, const join_request& req, int64_t now, join_callback cb) {
        if (!g.supports_protocols(req.protocol_type, req.protocols)) {
            return answer(cb, join_error(req.member_id, error_code::inconsistent_group_protocol));
        }
        if (!req.group_instance_id && g.pending_members.contains(req.member_id)) {
            return add_member_and_rebalance(g, req.member_id, req, now, std::move(cb));
        }
        if (auto e = validate_current_member(g, req.member_id, view(req.group_instance_id));
            e != error_code::none) {
            return answer(cb, join_error(req.member_id, e));
        }
        member& m = *g.find(req.member_id);
        switch (g.state) {
            case group_state::preparing_rebalance:
                update_member_and_rebalance(g, m, req, now, std::move(cb));
                break;
            case group_state::completing_rebalance:
                if (m.protocols == req.protocols) {
                    // Probably a retry after a lost response: same answer.
                    join_result r = current_generation(g, m.id);
                    if (m.id == g.leader) r.members = g.member_metadata();
                    answer(cb, std::move(r));
                } else {
                    update_member_and_rebalance(g, m, req, now, std::move(cb));
                }
                break;
            case group_state::stable:
                // A leader's join forces a rebalance: it is how a consumer
                // reacts to metadata changes its followers cannot see.
                if (m.id == g.leader || m.protocols != req.protocols) {
                    update_member_and_rebalance(g, m, req, now, std::move(cb));
                } else {
                    answer(cb, current_generation(g, m.id));
                }
                break;
            case group_state::empty:
            case group_state::dead:
                answer(cb, join_error(req.member_id, error_code::unknown_member_id));
                break;
        }
    }

    void sync(sync_request& req, int64_t now, sync_callback cb) {
        if (!valid_group_id(req.group_id)) {
            return answer(cb, sync_error(error_code::invalid_group_id));
        }
        group* g = find_group(req.group_id);
        if (g == nullptr) return answer(cb, sync_error(error_code::unknown_member_id));
        advance(*g, now);
        do_sync(*g, req, now, std::move(cb));
        advance(*g, now);
    }

    void do_sync(group& g, sync_request& req, int64_t now, sync_callback cb) {
        if (auto e = validate_current_member(g, req.member_id, view(req.group_instance_id));
            e != error_code::none) {
            return answer(cb, sync_error(e));
        }
        if (req.generation_id != g.generation) {
            return answer(cb, sync_error(error_code::illegal_generation));
        }
        if ((req.protocol_type && g.protocol_type != req.protocol_type) ||
            (req.protocol_name && g.protocol_name != req.protocol_name)) {
            return answer(cb, sync_error(error_code::inconsistent_group_protocol));
        }
        member& m = *g.find(req.member_id);
        switch (g.state) {
            case group_state::empty:
            case group_state::dead:
                answer(cb, sync_error(error_code::unknown_member_id));
                break;
            case group_state::preparing_rebalance:
                answer(cb, sync_error(error_code::rebalance_in_progress));
                break;
            case group_state::completing_rebalance: {
                answer(m.sync_cb, sync_error(error_code::rebalance_in_progress));  // superseded
                m.sync_cb = std::move(cb);
                remove_pending_sync(g, m.id);
                if (m.id == g.leader) {
                    detail::string_map<std::string> by_member;
                    for (auto& a : req.assignments) {
                        by_member[a.member_id] = std::move(a.assignment);
                    }
                    set_and_propagate_assignment(g, by_member, now);
                    g.state = group_state::stable;
                    ++rebalances_completed;
                }
                break;
            }
            case group_state::stable: {
                remove_pending_sync(g, m.id);
                sync_result r;
                r.protocol_type = g.protocol_type;
                r.protocol_name = g.protocol_name;
                r.assignment = m.assignment;
                answer(cb, std::move(r));
                refresh_session(g, m, now);
                break;
            }
        }
    }

    error_code heartbeat(std::string_view group_id, int32_t generation_id,
                         std::string_view member_id, std::optional<std::string_view> instance_id,
                         int64_t now) {
        if (!valid_group_id(group_id)) return error_code::invalid_group_id;
        group* g = find_group(group_id);
        if (g == nullptr) return error_code::unknown_member_id;
        advance(*g, now);
        if (auto e = validate_current_member(*g, member_id, instance_id); e != error_code::none) {
            return e;
        }
        if (generation_id != g->generation) return error_code::illegal_generation;
        member& m = *g->find(member_id);
        switch (g->state) {
            case group_state::completing_rebalance:
            case group_state::stable:
                refresh_session(*g, m, now);
                return error_code::none;
            case group_state::preparing_rebalance:
                refresh_session(*g, m, now);
                return error_code::rebalance_in_progress;
            case group_state::empty:
            case group_state::dead:
                break;
        }
        return error_code::unknown_member_id;
    }

    leave_result leave(std::string_view group_id, const std::vector<member_identity>& who,
                       int64_t now) {
        leave_result out;
        if (!valid_group_id(group_id)) {
            out.error = error_code::invalid_group_id;
            return out;
        }
        group* g = find_group(group_id);
        if (g == nullptr) {
            out.members.assign(who.size(), error_code::unknown_member_id);
            return out;
        }
        advance(*g, now);
        for (const auto& w : who) out.members.push_back(leave_one(*g, w, now));
        advance(*g, now);
        forget_if_unused(group_id);
        return out;
    }

    error_code leave_one(group& g, const member_identity& w, int64_t now) {
        if (w.member_id.empty()) {
            // Administrative removal of a static member by instance id.
            if (w.group_instance_id) {
                auto s = g.static_members.find(*w.group_instance_id);
                if (s != g.static_members.end()) {
                    remove_member_and_update_group(g, s->second, now);
                    return error_code::none;
                }
            }
            return error_code::unknown_member_id;
        }
        if (auto p = g.pending_members.find(w.member_id); p != g.pending_members.end()) {
            g.pending_members.erase(p);
            try_complete_join(g, now);
            return error_code::none;
        }
        if (auto e = validate_current_member(g, w.member_id, view(w.group_instance_id));
            e != error_code::none) {
            return e;
        }
        remove_member_and_update_group(g, w.member_id, now);
        return error_code::none;
    }

    error_code validate_offset_commit(std::string_view group_id, int32_t generation_id,
                                      std::string_view member_id,
                                      std::optional<std::string_view> instance_id, int64_t now) {
        group* g = find_group(group_id);
        if (g == nullptr) {
            // No group management (or a stale generation of a forgotten group).
            return generation_id < 0 ? error_code::none : error_code::illegal_generation;
        }
        advance(*g, now);
        if (generation_id < 0 && g->state == group_state::empty) return error_code::none;
        if (generation_id < 0 && member_id.empty() && !instance_id) {
            // Only members may commit while the group has members.
            return g->state == group_state::empty ? error_code::none
                                                  : error_code::unknown_member_id;
        }
        if (auto e = validate_current_member(*g, member_id, instance_id); e != error_code::none) {
            return e;
        }
        if (generation_id != g->generation) return error_code::illegal_generation;
        member& m = *g->find(member_id);
        switch (g->state) {
            case group_state::stable:
            case group_state::preparing_rebalance:
                // Commits go on during PreparingRebalance: the heartbeat
                // tells the member to rejoin.
                refresh_session(*g, m, now);
                return error_code::none;
            case group_state::completing_rebalance:
                // The member knows the new generation but has no assignment.
                return error_code::rebalance_in_progress;
            case group_state::empty:
            case group_state::dead:
                break;
        }
        return error_code::unknown_member_id;
    }

    group_description describe(std::string_view group_id) const {
        group_description d;
        d.group_id = std::string(group_id);
        auto it = groups.find(group_id);
        if (it == groups.end()) return d;  // Dead
        const group& g = it->second;
        d.state = g.state;
        d.protocol_type = g.protocol_type.value_or("");
        d.generation_id = g.generation;
        const bool stable = g.state == group_state::stable;
        if (stable) d.protocol_name = g.protocol_name.value_or("");
        for (const member* m : g.ordered()) {
            member_description md;
            md.member_id = m->id;
            md.group_instance_id = m->instance_id;
            md.client_id = m->client_id;
            md.client_host = m->client_host;
            if (stable) {
                md.metadata = std::string(m->metadata_for(d.protocol_name));
                md.assignment = m->assignment;
            }
            d.members.push_back(std::move(md));
        }
        return d;
    }

    error_code delete_group(std::string_view group_id) {
        auto it = groups.find(group_id);
        if (it == groups.end()) return error_code::group_id_not_found;
        if (it->second.state != group_state::empty) return error_code::non_empty_group;
        groups.erase(it);
        return error_code::none;
    }

    void tick(int64_t now) {
        for (auto it = groups.begin(); it != groups.end();) {
            group& g = it->second;
            if (g.next_check <= now) {
                advance(g, now);
                if (g.state == group_state::empty && g.generation == 0 && g.members.empty() &&
                    g.pending_members.empty()) {
                    it = groups.erase(it);
                    continue;
                }
            }
            ++it;
        }
    }

    coordinator_stats stats() const {
        coordinator_stats s;
        s.rebalances_completed = rebalances_completed;
        s.rebalances_started = rebalances_started;
        s.members_expired = members_expired;
        s.groups = groups.size();
        for (const auto& [id, g] : groups) {
            s.members += g.members.size();
            s.pending_members += g.pending_members.size();
            ++s.groups_by_state[static_cast<std::size_t>(g.state)];
        }
        return s;
    }
};

group_coordinator::group_coordinator(coordinator_options options)
    : impl_(std::make_unique<impl>(options)) {}

group_coordinator::~group_coordinator() = default;

void group_coordinator::join(join_request request, int64_t now_ms, join_callback cb) {
    // A member without a callback must still count as waiting.
    if (!cb) cb = [](join_result) {};
    impl_->join(request, now_ms, std::move(cb));
    impl_->run_callbacks();
}

void group_coordinator::sync(sync_request request, int64_t now_ms, sync_callback cb) {
    if (!cb) cb = [](sync_result) {};
    impl_->sync(request, now_ms, std::move(cb));
    impl_->run_callbacks();
}

error_code group_coordinator::heartbeat(std::string_view group_id, int32_t generation_id,
                                        std::string_view member_id,
                                        std::optional<std::string_view> group_instance_id,
                                        int64_t now_ms) {
    auto e = impl_->heartbeat(group_id, generation_id, member_id, group_instance_id, now_ms);
    impl_->run_callbacks();
    return e;
}

leave_result group_coordinator::leave(std::string_view group_id,
                                      const std::vector<member_identity>& members, int64_t now_ms) {
    auto r = impl_->leave(group_id, members, now_ms);
    impl_->run_callbacks();
    return r;
}

error_code group_coordinator::validate_offset_commit(
    std::string_view group_id, int32_t generation_id, std::string_view member_id,
    std::optional<std::string_view> group_instance_id, int64_t now_ms) {
    auto e = impl_->validate_offset_commit(group_id, generation_id, member_id, group_instance_id,
                                           now_ms);
    impl_->run_callbacks();
    return e;
}

group_description group_coordinator::describe(std::string_view group_id) const {
    return impl_->describe(group_id);
}

std::vector<group_listing> group_coordinator::list() const {
    std::vector<group_listing> out;
    out.reserve(impl_->groups.size());
    for (const auto& [id, g] : impl_->groups) {
        out.push_back({id, g.protocol_type.value_or(""), g.state});
    }
    return out;
}

error_code group_coordinator::delete_group(std::string_view group_id) {
    auto e = impl_->delete_group(group_id);
    impl_->run_callbacks();
    return e;
}

bool group_coordinator::exists(std::string_view group_id) const {
    return impl_->groups.find(group_id) != impl_->groups.end();
}

void group_coordinator::tick(int64_t now_ms) {
    impl_->tick(now_ms);
    impl_->run_callbacks();
}

coordinator_stats group_coordinator::stats() const {
    return impl_->stats();
}

const coordinator_options& group_coordinator::options() const noexcept {
    return impl_->opts;
}

}  // namespace robust::kafka::groups
