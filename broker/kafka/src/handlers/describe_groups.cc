// DescribeGroups: state, protocol and members from the coordinator; a group
// known only by its committed offsets is Empty, an unknown one Dead.
#include "kafka/codec/messages/describe_groups.h"
#include "../group_service.h"
#include "handlers.h"

namespace robust::kafka {

void handle_describe_groups(server_impl& s, const request& r) {
    auto req = codec::decode_describe_groups_request(r.body(), r.version());
    if (!req) return reject_malformed(r, req.error());
    const std::string& tenant = r.conn().identity().tenant;
    codec::describe_groups_response resp;
    for (const auto& name : req->groups) {
        codec::describe_groups_response_group g;
        g.group_id = name;
        if (req->include_authorized_operations) g.authorized_operations = 0;
        auto id = group_service::scoped_id(tenant, name);
        if (!id) {
            g.error_code = codec::error_code::invalid_group_id;
            g.group_state = "Dead";
            resp.groups.push_back(std::move(g));
            continue;
        }
        auto d =
            s.groups().with([&](groups::group_coordinator& c, int64_t) { return c.describe(*id); });
        g.error_code = d.error;
        g.group_state = std::string(groups::to_string(d.state));
        if (d.state == groups::group_state::dead && s.groups().has_offsets(tenant, name)) {
            g.group_state = "Empty";
        }
        g.protocol_type = d.protocol_type;
        g.protocol_data = d.protocol_name;
        for (const auto& m : d.members) {
            g.members.push_back({m.member_id, m.group_instance_id, m.client_id, m.client_host,
                                 m.metadata, m.assignment});
        }
        resp.groups.push_back(std::move(g));
    }
    r.respond(
        [&](codec::writer& w) { codec::encode_describe_groups_response(w, resp, r.version()); });
}

}  // namespace robust::kafka
