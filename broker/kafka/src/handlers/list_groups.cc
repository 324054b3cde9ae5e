// ListGroups: the coordinator's groups plus those known only by committed
// offsets (Empty), filtered by state on v4+.
#include <set>

#include "../group_service.h"
#include "handlers.h"
#include "kafka/codec/messages/list_groups.h"

namespace robust::kafka {

void handle_list_groups(server_impl& s, const request& r) {
    auto req = codec::decode_list_groups_request(r.body(), r.version());
    if (!req) return reject_malformed(r, req.error());
    const std::string& tenant = r.conn().identity().tenant;
    auto listed = s.groups().with([](groups::group_coordinator& c, int64_t) { return c.list(); });
    codec::list_groups_response resp;
    std::set<std::string> seen;
    auto wanted = [&](std::string_view state) {
        if (req->states_filter.empty()) return true;
        for (const auto& f : req->states_filter) {
            if (f.size() == state.size() &&
                std::equal(f.begin(), f.end(), state.begin(),
                           [](char a, char b) { return std::tolower(a) == std::tolower(b); })) {
                return true;
            }
        }
        return false;
    };
    const std::string prefix = *group_service::scoped_id(tenant, "");
    for (const auto& g : listed) {
        if (tenant == "default" ? g.group_id.starts_with("$tenant/")
                                : !g.group_id.starts_with(prefix)) {
            continue;
        }
        std::string name = tenant == "default" ? g.group_id : g.group_id.substr(prefix.size());
        seen.insert(name);
        const auto state = groups::to_string(g.state);
        if (!wanted(state)) continue;
        resp.groups.push_back({name, g.protocol_type, std::string(state)});
    }
    for (const auto& name : s.groups().groups_with_offsets(tenant)) {
        if (seen.count(name) || !wanted("Empty")) continue;
        resp.groups.push_back({name, "consumer", "Empty"});
    }
    r.respond([&](codec::writer& w) { codec::encode_list_groups_response(w, resp, r.version()); });
}

}  // namespace robust::kafka
