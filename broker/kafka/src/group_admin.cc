// The admin API's view of consumer groups (kafka/server.h: list_groups,
// describe_group, delete_group, reset_offsets): the coordinator's live
// groups merged with the groups known only by their committed offsets
// (journal positions "kafka/<tenant>/<group>", group_service.h), and lag
// against each partition's log end offset.
#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "group_service.h"
#include "kafka/codec/consumer_protocol.h"
#include "kafka/server.h"
#include "meta/model.h"
#include "server_impl.h"

namespace robust::kafka {
namespace {

constexpr std::string_view tenant_prefix = "$tenant/";
constexpr std::string_view offsets_prefix = "kafka/";

struct group_name {
    std::string tenant;
    std::string group;
    auto operator<=>(const group_name&) const = default;
};

/// A coordinator group id (group_service::scoped_id) back to tenant and id.
std::optional<group_name> from_coordinator_id(std::string_view id) {
    if (!id.starts_with(tenant_prefix)) return group_name{"default", std::string(id)};
    const auto rest = id.substr(tenant_prefix.size());
    const auto slash = rest.find('/');
    if (slash == std::string_view::npos) return std::nullopt;
    auto tenant = meta::unescape_key_part(rest.substr(0, slash));
    if (!tenant) return std::nullopt;
    return group_name{*tenant, std::string(rest.substr(slash + 1))};
}

/// A journal position name (group_service::offsets_key) back to tenant and id.
std::optional<group_name> from_offsets_key(std::string_view key) {
    if (!key.starts_with(offsets_prefix)) return std::nullopt;
    const auto rest = key.substr(offsets_prefix.size());
    const auto slash = rest.find('/');
    if (slash == std::string_view::npos) return std::nullopt;
    auto tenant = meta::unescape_key_part(rest.substr(0, slash));
    if (!tenant) return std::nullopt;
    return group_name{*tenant, std::string(rest.substr(slash + 1))};
}

group_failure fail(errc e, std::string message) {
    return group_failure{make_error_code(e), std::move(message)};
}

std::string quoted(std::string_view s) {
    return "'" + std::string(s) + "'";
}

/// Where each shard of `tenant`'s Kafka topics belongs.
struct shard_place {
    std::string topic;
    int32_t partition = 0;
};
std::map<uint64_t, shard_place> shard_places(const catalog& topics, std::string_view tenant) {
    std::map<uint64_t, shard_place> out;
    for (const auto& t : topics.list(tenant)) {
        for (size_t p = 0; p < t->shards.size(); ++p) {
            out[t->shards[p].value()] = {t->record.name, static_cast<int32_t>(p)};
        }
    }
    return out;
}

int64_t lag_of(const storage::journal& j, storage::shard_id shard, int64_t committed) {
    auto next = j.next_offset(shard);
    return next ? std::max<int64_t>(0, *next - committed) : 0;
}

}  // namespace

std::vector<group_summary> server::list_groups(std::string_view tenant) const {
    server_impl& s = *impl_;
    std::map<group_name, group_summary> out;
    s.groups().with([&](groups::group_coordinator& c, int64_t) {
        for (const auto& g : c.list()) {
            auto name = from_coordinator_id(g.group_id);
            if (!name || (!tenant.empty() && name->tenant != tenant)) continue;
            const auto d = c.describe(g.group_id);
            group_summary sum;
            sum.tenant = name->tenant;
            sum.group_id = name->group;
            sum.state = std::string(groups::to_string(d.state));
            sum.protocol_type = d.protocol_type;
            sum.protocol = d.protocol_name;
            sum.members = d.members.size();
            out[*name] = std::move(sum);
        }
    });
    const std::string prefix =
        tenant.empty() ? std::string(offsets_prefix) : group_service::offsets_key(tenant, "");
    for (const auto& p : s.journal().list_positions(prefix)) {
        auto name = from_offsets_key(p.group);
        if (!name || name->group.empty()) continue;  // "" is allowed for commits only
        auto [it, fresh] = out.try_emplace(*name);
        if (fresh) {
            it->second.tenant = name->tenant;
            it->second.group_id = name->group;
            it->second.state = "Empty";
            it->second.protocol_type = "consumer";
        }
        it->second.lag += lag_of(s.journal(), p.shard, p.next_offset);
    }
    std::vector<group_summary> list;
    list.reserve(out.size());
    for (auto& [_, g] : out) list.push_back(std::move(g));
    return list;
}

group_outcome<group_detail> server::describe_group(std::string_view tenant,
                                                   std::string_view group) const {
    server_impl& s = *impl_;
    auto id = group_service::scoped_id(tenant, group);
    if (!id || group.empty()) {
        return fail(errc::invalid_argument, "group id " + quoted(group) + " is not allowed");
    }
    const auto d =
        s.groups().with([&](groups::group_coordinator& c, int64_t) { return c.describe(*id); });
    const std::string key = group_service::offsets_key(tenant, group);
    std::vector<storage::position_entry> positions;
    for (auto& p : s.journal().list_positions(key)) {
        if (p.group == key) positions.push_back(std::move(p));
    }
    if (d.state == groups::group_state::dead && positions.empty()) {
        return fail(errc::not_found,
                    "no consumer group " + quoted(group) + " in tenant " + std::string(tenant));
    }

    group_detail out;
    out.summary.tenant = std::string(tenant);
    out.summary.group_id = std::string(group);
    const bool live = d.state != groups::group_state::dead;
    out.summary.state = live ? std::string(groups::to_string(d.state)) : "Empty";
    out.summary.protocol_type = live ? d.protocol_type : "consumer";
    out.summary.protocol = d.protocol_name;
    out.summary.members = d.members.size();
    out.generation = d.generation_id;

    // (topic, partition) -> row; std::map keeps them sorted.
    std::map<std::pair<std::string, int32_t>, group_partition_offset> rows;
    auto row = [&](const std::string& topic, int32_t partition) -> group_partition_offset& {
        auto [it, fresh] = rows.try_emplace({topic, partition});
        if (fresh) {
            it->second.topic = topic;
            it->second.partition = partition;
        }
        return it->second;
    };
    for (const auto& m : d.members) {
        group_member gm;
        gm.member_id = m.member_id;
        gm.group_instance_id = m.group_instance_id;
        gm.client_id = m.client_id;
        gm.client_host = m.client_host;
        if (d.protocol_type == "consumer" && !m.assignment.empty()) {
            // A member's assignment we cannot read is shown as none: it is
            // the clients' business, not the broker's.
            if (auto a = codec::decode_consumer_assignment(m.assignment)) {
                for (auto& t : a->assigned_partitions) {
                    for (int32_t p : t.partitions) row(t.topic, p).member_id = m.member_id;
                    gm.assignment.push_back({std::move(t.topic), std::move(t.partitions)});
                }
            }
        }
        out.members.push_back(std::move(gm));
    }
    const auto places = shard_places(s.topics(), tenant);
    for (const auto& p : positions) {
        auto place = places.find(p.shard.value());
        if (place == places.end()) continue;  // a topic deleted meanwhile
        auto& r = row(place->second.topic, place->second.partition);
        r.committed_offset = p.next_offset;
        r.metadata = s.groups().metadata(key, p.shard).value_or("");
    }
    for (auto& [k, r] : rows) {
        auto entry = s.topics().find(tenant, r.topic);
        if (entry && r.partition >= 0 && static_cast<size_t>(r.partition) < entry->shards.size()) {
            const auto shard = entry->shards[static_cast<size_t>(r.partition)];
            r.log_start_offset = s.journal().earliest(shard).value_or(0);
            r.log_end_offset = s.journal().next_offset(shard).value_or(0);
        }
        if (r.committed_offset) {
            r.lag = std::max<int64_t>(0, r.log_end_offset - *r.committed_offset);
            out.summary.lag += *r.lag;
        }
        out.offsets.push_back(std::move(r));
    }
    return out;
}

std::optional<group_failure> server::delete_group(std::string_view tenant, std::string_view group) {
    server_impl& s = *impl_;
    auto id = group_service::scoped_id(tenant, group);
    if (!id || group.empty()) {
        return fail(errc::invalid_argument, "group id " + quoted(group) + " is not allowed");
    }
    const std::string key = group_service::offsets_key(tenant, group);
    const bool has_offsets = s.groups().has_offsets(tenant, group);
    size_t members = 0;
    const auto e = s.groups().with([&](groups::group_coordinator& c, int64_t) {
        members = c.describe(*id).members.size();
        return c.delete_group(*id);
    });
    if (e == codec::error_code::non_empty_group) {
        return fail(errc::protocol_error, "consumer group " + quoted(group) + " has " +
                                              std::to_string(members) +
                                              " active member(s); stop its consumers first");
    }
    if (e == codec::error_code::group_id_not_found && !has_offsets) {
        return fail(errc::not_found,
                    "no consumer group " + quoted(group) + " in tenant " + std::string(tenant));
    }
    if (has_offsets) {
        if (auto done = s.journal().delete_positions(key); !done) {
            return fail(errc::io_error,
                        "cannot delete the committed offsets: " + done.error().message());
        }
        s.groups().forget_metadata(key);
    }
    return std::nullopt;
}

group_outcome<std::vector<offset_reset_entry>> server::reset_offsets(
    const offset_reset_request& req) {
    server_impl& s = *impl_;
    auto id = group_service::scoped_id(req.tenant, req.group_id);
    if (!id || req.group_id.empty()) {
        return fail(errc::invalid_argument, "group id " + quoted(req.group_id) + " is not allowed");
    }
    if (req.to == reset_target::offset && req.value < 0) {
        return fail(errc::invalid_argument, "the offset must not be negative");
    }
    const std::string key = group_service::offsets_key(req.tenant, req.group_id);

    // The partitions selected, with their shards.
    struct target {
        std::string topic;
        int32_t partition;
        storage::shard_id shard;
    };
    std::vector<target> targets;
    if (req.topics.empty()) {
        const auto places = shard_places(s.topics(), req.tenant);
        for (const auto& p : s.journal().list_positions(key)) {
            if (p.group != key) continue;
            auto place = places.find(p.shard.value());
            if (place == places.end()) continue;
            targets.push_back({place->second.topic, place->second.partition, p.shard});
        }
        if (targets.empty()) {
            return fail(errc::invalid_argument,
                        "consumer group " + quoted(req.group_id) +
                            " has no committed offsets; name the topics to reset");
        }
    } else {
        std::set<std::pair<std::string, int32_t>> seen;
        for (const auto& sel : req.topics) {
            auto entry = s.topics().find(req.tenant, sel.topic);
            if (!entry) {
                return fail(errc::invalid_argument,
                            "no Kafka topic " + quoted(sel.topic) + " in tenant " + req.tenant);
            }
            std::vector<int32_t> parts = sel.partitions;
            if (parts.empty()) {
                for (size_t p = 0; p < entry->shards.size(); ++p) {
                    parts.push_back(static_cast<int32_t>(p));
                }
            }
            for (int32_t p : parts) {
                if (p < 0 || static_cast<size_t>(p) >= entry->shards.size()) {
                    return fail(errc::invalid_argument,
                                "topic " + quoted(sel.topic) + " has no partition " +
                                    std::to_string(p) + " (it has " +
                                    std::to_string(entry->shards.size()) + ")");
                }
                if (!seen.insert({sel.topic, p}).second) continue;
                targets.push_back({sel.topic, p, entry->shards[static_cast<size_t>(p)]});
            }
        }
    }
    std::sort(targets.begin(), targets.end(), [](const target& a, const target& b) {
        return std::tie(a.topic, a.partition) < std::tie(b.topic, b.partition);
    });

    std::vector<offset_reset_entry> plan;
    for (const auto& t : targets) {
        auto earliest = s.journal().earliest(t.shard);
        auto next = s.journal().next_offset(t.shard);
        if (!earliest || !next) {
            return fail(errc::invalid_argument, "topic " + quoted(t.topic) + " partition " +
                                                    std::to_string(t.partition) +
                                                    " is gone (deleted meanwhile?)");
        }
        offset_reset_entry e;
        e.topic = t.topic;
        e.partition = t.partition;
        if (auto prev = s.journal().committed_position(key, t.shard)) e.previous_offset = *prev;
        switch (req.to) {
            case reset_target::earliest:
                e.new_offset = *earliest;
                break;
            case reset_target::latest:
                e.new_offset = *next;
                break;
            case reset_target::offset:
                e.new_offset = std::clamp(req.value, *earliest, *next);
                break;
            case reset_target::timestamp:
                e.new_offset = s.journal().offset_for_time(t.shard, req.value).value_or(*next);
                break;
        }
        plan.push_back(std::move(e));
    }

    // The membership check and the commits under the coordinator's lock, so
    // no member joins in between (Kafka's rule: only an inactive group).
    std::optional<group_failure> refused;
    s.groups().with([&](groups::group_coordinator& c, int64_t) {
        const auto d = c.describe(*id);
        if (!d.members.empty()) {
            refused = fail(errc::protocol_error,
                           "consumer group " + quoted(req.group_id) + " has " +
                               std::to_string(d.members.size()) + " active member(s) (state " +
                               std::string(groups::to_string(d.state)) +
                               "); offsets can only be reset while it has none: stop its "
                               "consumers first");
            return;
        }
        if (req.dry_run) return;
        for (size_t i = 0; i < plan.size(); ++i) {
            if (auto done = s.journal().commit_position(key, targets[i].shard, plan[i].new_offset);
                !done) {
                refused =
                    fail(done.error() == make_error_code(errc::shutting_down) ? errc::shutting_down
                                                                              : errc::io_error,
                         "cannot commit the new offset: " + done.error().message());
                return;
            }
        }
    });
    if (refused) return *refused;
    if (!req.dry_run) {
        for (const auto& t : targets) s.groups().remember_metadata(key, t.shard, std::nullopt);
    }
    return plan;
}

}  // namespace robust::kafka
