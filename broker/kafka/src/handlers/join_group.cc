// JoinGroup: handed to the coordinator; the response is sent when the join
// phase completes (all members rejoined, or the rebalance timeout).
#include "kafka/codec/messages/join_group.h"
#include "../group_service.h"
#include "handlers.h"

namespace robust::kafka {

void handle_join_group(server_impl& s, const request& r) {
    auto req = codec::decode_join_group_request(r.body(), r.version());
    if (!req) return reject_malformed(r, req.error());
    auto reply = [&s, r](const groups::join_result& res) {
        s.count_error(r.header().api_key, res.error);
        codec::join_group_response resp;
        resp.error_code = res.error;
        resp.generation_id = res.generation_id;
        resp.protocol_type = res.protocol_type;
        resp.protocol_name = res.protocol_name;
        resp.leader = res.leader_id;
        resp.member_id = res.member_id;
        resp.skip_assignment = res.skip_assignment;
        for (const auto& m : res.members) {
            resp.members.push_back({m.member_id, m.group_instance_id, m.metadata});
        }
        r.respond(
            [&](codec::writer& w) { codec::encode_join_group_response(w, resp, r.version()); });
    };
    auto id = group_service::scoped_id(r.conn().identity().tenant, req->group_id);
    if (!id || req->group_id.empty()) {
        groups::join_result bad;
        bad.error = codec::error_code::invalid_group_id;
        bad.member_id = req->member_id;
        return reply(bad);
    }
    groups::join_request j;
    j.group_id = std::move(*id);
    j.member_id = req->member_id;
    j.group_instance_id = req->group_instance_id;
    j.protocol_type = req->protocol_type;
    for (auto& p : req->protocols) j.protocols.push_back({p.name, p.metadata});
    j.session_timeout_ms = req->session_timeout_ms;
    j.rebalance_timeout_ms = req->rebalance_timeout_ms;
    j.client_id = r.header().client_id.value_or("");
    j.client_host = "/" + r.conn().identity().peer_ip;
    j.api_version = r.version();
    s.groups().with(
        [&](groups::group_coordinator& c, int64_t now) { c.join(std::move(j), now, reply); });
}

}  // namespace robust::kafka
