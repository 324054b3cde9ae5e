// SyncGroup: the leader hands in the assignment; every member gets its part
// when it arrives.
#include "kafka/codec/messages/sync_group.h"
#include "../group_service.h"
#include "handlers.h"

namespace robust::kafka {

void handle_sync_group(server_impl& s, const request& r) {
    auto req = codec::decode_sync_group_request(r.body(), r.version());
    if (!req) return reject_malformed(r, req.error());
    auto reply = [&s, r](const groups::sync_result& res) {
        s.count_error(r.header().api_key, res.error);
        codec::sync_group_response resp;
        resp.error_code = res.error;
        resp.protocol_type = res.protocol_type;
        resp.protocol_name = res.protocol_name;
        resp.assignment = res.assignment;
        r.respond(
            [&](codec::writer& w) { codec::encode_sync_group_response(w, resp, r.version()); });
    };
    auto id = group_service::scoped_id(r.conn().identity().tenant, req->group_id);
    if (!id || req->group_id.empty()) {
        groups::sync_result bad;
        bad.error = codec::error_code::invalid_group_id;
        return reply(bad);
    }
    groups::sync_request q;
    q.group_id = std::move(*id);
    q.generation_id = req->generation_id;
    q.member_id = req->member_id;
    q.group_instance_id = req->group_instance_id;
    q.protocol_type = req->protocol_type;
    q.protocol_name = req->protocol_name;
    for (auto& a : req->assignments) q.assignments.push_back({a.member_id, a.assignment});
    s.groups().with(
        [&](groups::group_coordinator& c, int64_t now) { c.sync(std::move(q), now, reply); });
}

}  // namespace robust::kafka
