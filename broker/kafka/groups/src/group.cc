#include "group.h"

#include <algorithm>
#include <map>

namespace robust::kafka::groups {

std::string_view to_string(group_state s) noexcept {
    switch (s) {
        case group_state::empty:
            return "Empty";
        case group_state::preparing_rebalance:
            return "PreparingRebalance";
        case group_state::completing_rebalance:
            return "CompletingRebalance";
        case group_state::stable:
            return "Stable";
        case group_state::dead:
            return "Dead";
    }
    return "Dead";
}

namespace detail {

bool member::supports(std::string_view protocol) const noexcept {
    return std::any_of(protocols.begin(), protocols.end(),
                       [&](const member_protocol& p) { return p.name == protocol; });
}

std::string_view member::metadata_for(std::string_view protocol) const noexcept {
    for (const auto& p : protocols) {
        if (p.name == protocol) return p.metadata;
    }
    return {};
}

std::string_view member::vote(const std::vector<std::string_view>& candidates) const noexcept {
    for (const auto& p : protocols) {
        if (std::find(candidates.begin(), candidates.end(), p.name) != candidates.end()) {
            return p.name;
        }
    }
    return {};
}

member* group::find(std::string_view member_id) {
    auto it = members.find(member_id);
    return it == members.end() ? nullptr : &it->second;
}

const member* group::find(std::string_view member_id) const {
    auto it = members.find(member_id);
    return it == members.end() ? nullptr : &it->second;
}

std::vector<member*> group::ordered() {
    std::vector<member*> out;
    out.reserve(members.size());
    for (auto& [member_id, m] : members) out.push_back(&m);
    std::sort(out.begin(), out.end(),
              [](const member* a, const member* b) { return a->seq < b->seq; });
    return out;
}

std::vector<const member*> group::ordered() const {
    std::vector<const member*> out;
    out.reserve(members.size());
    for (const auto& [member_id, m] : members) out.push_back(&m);
    std::sort(out.begin(), out.end(),
              [](const member* a, const member* b) { return a->seq < b->seq; });
    return out;
}

int32_t group::rebalance_timeout_ms() const {
    int32_t out = 0;
    for (const auto& [member_id, m] : members) out = std::max(out, m.rebalance_timeout_ms);
    return out;
}

std::vector<std::string_view> group::candidate_protocols() const {
    std::vector<std::string_view> out;
    auto order = ordered();
    if (order.empty()) return out;
    for (const auto& p : order.front()->protocols) {
        if (std::find(out.begin(), out.end(), p.name) != out.end()) continue;
        bool everyone = std::all_of(order.begin() + 1, order.end(),
                                    [&](const member* m) { return m->supports(p.name); });
        if (everyone) out.push_back(p.name);
    }
    return out;
}

bool group::supports_protocols(std::string_view type,
                               const std::vector<member_protocol>& protocols) const {
    if (members.empty()) return !type.empty() && !protocols.empty();
    if (!protocol_type || *protocol_type != type) return false;
    auto candidates = candidate_protocols();
    return std::any_of(protocols.begin(), protocols.end(), [&](const member_protocol& p) {
        return std::find(candidates.begin(), candidates.end(), p.name) != candidates.end();
    });
}

std::string group::select_protocol() const {
    auto candidates = candidate_protocols();
    if (candidates.empty()) {
        // Unreachable while every join is checked by supports_protocols; keep
        // the earliest member's favourite rather than fail.
        auto order = ordered();
        if (order.empty() || order.front()->protocols.empty()) return {};
        return order.front()->protocols.front().name;
    }
    std::map<std::string_view, size_t> votes;
    for (const auto& [member_id, m] : members) ++votes[m.vote(candidates)];
    std::string_view best = candidates.front();
    size_t best_votes = 0;
    for (auto c : candidates) {  // candidates are in the tie-break order
        if (votes[c] > best_votes) {
            best = c;
            best_votes = votes[c];
        }
    }
    return std::string(best);
}

std::vector<join_member> group::member_metadata() const {
    std::vector<join_member> out;
    out.reserve(members.size());
    std::string_view protocol = protocol_name ? std::string_view(*protocol_name) : "";
    for (const member* m : ordered()) {
        out.push_back({m->id, m->instance_id, std::string(m->metadata_for(protocol))});
    }
    return out;
}

bool group::all_members_joined() const {
    if (!pending_members.empty()) return false;
    return std::all_of(members.begin(), members.end(),
                       [](const auto& kv) { return kv.second.awaiting_join(); });
}

std::string group::first_member_id() const {
    const member* first = nullptr;
    for (const auto& [member_id, m] : members) {
        if (first == nullptr || m.seq < first->seq) first = &m;
    }
    return first ? first->id : std::string();
}

}  // namespace detail
}  // namespace robust::kafka::groups
