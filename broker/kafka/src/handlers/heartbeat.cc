// Heartbeat: keeps a member's session alive; tells it when to rejoin.
#include "kafka/codec/messages/heartbeat.h"
#include "../group_service.h"
#include "handlers.h"

namespace robust::kafka {

void handle_heartbeat(server_impl& s, const request& r) {
    auto req = codec::decode_heartbeat_request(r.body(), r.version());
    if (!req) return reject_malformed(r, req.error());
    codec::heartbeat_response resp;
    auto id = group_service::scoped_id(r.conn().identity().tenant, req->group_id);
    if (!id || req->group_id.empty()) {
        resp.error_code = codec::error_code::invalid_group_id;
    } else {
        std::optional<std::string_view> instance;
        if (req->group_instance_id) instance = *req->group_instance_id;
        resp.error_code = s.groups().with([&](groups::group_coordinator& c, int64_t now) {
            return c.heartbeat(*id, req->generation_id, req->member_id, instance, now);
        });
    }
    s.count_error(r.header().api_key, resp.error_code);
    r.respond([&](codec::writer& w) { codec::encode_heartbeat_response(w, resp, r.version()); });
}

}  // namespace robust::kafka
