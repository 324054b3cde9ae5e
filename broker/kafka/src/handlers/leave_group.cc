// LeaveGroup: members leave (one before v3, a batch since); the rest
// rebalance.
#include "kafka/codec/messages/leave_group.h"
#include "../group_service.h"
#include "handlers.h"

namespace robust::kafka {

void handle_leave_group(server_impl& s, const request& r) {
    auto req = codec::decode_leave_group_request(r.body(), r.version());
    if (!req) return reject_malformed(r, req.error());
    codec::leave_group_response resp;
    auto id = group_service::scoped_id(r.conn().identity().tenant, req->group_id);
    std::vector<groups::member_identity> who;
    if (r.version() < 3) {
        who.push_back({req->member_id, std::nullopt});
    } else {
        for (const auto& m : req->members) who.push_back({m.member_id, m.group_instance_id});
    }
    if (!id || req->group_id.empty()) {
        resp.error_code = codec::error_code::invalid_group_id;
    } else {
        auto res = s.groups().with(
            [&](groups::group_coordinator& c, int64_t now) { return c.leave(*id, who, now); });
        resp.error_code = res.error;
        if (r.version() >= 3) {
            for (size_t i = 0; i < who.size(); ++i) {
                codec::leave_group_response_member m;
                m.member_id = who[i].member_id;
                m.group_instance_id = who[i].group_instance_id;
                m.error_code = i < res.members.size() ? res.members[i] : res.error;
                resp.members.push_back(std::move(m));
            }
        } else if (resp.error_code == codec::error_code::none && !res.members.empty()) {
            resp.error_code = res.members[0];
        }
    }
    r.respond([&](codec::writer& w) { codec::encode_leave_group_response(w, resp, r.version()); });
}

}  // namespace robust::kafka
