// FindCoordinator: this node coordinates every group. Transactions are not
// supported, so transaction coordinators are not available.
#include "kafka/codec/messages/find_coordinator.h"
#include "handlers.h"

namespace robust::kafka {

void handle_find_coordinator(server_impl& s, const request& r) {
    auto req = codec::decode_find_coordinator_request(r.body(), r.version());
    if (!req) return reject_malformed(r, req.error());
    const auto self = s.self(r.conn());
    codec::find_coordinator_response resp;
    const bool groups = req->key_type == codec::coordinator_key_type_group;
    if (r.version() >= 4) {
        for (const auto& key : req->coordinator_keys) {
            codec::find_coordinator_response_coordinator c;
            c.key = key;
            if (groups) {
                c.node_id = self.node_id;
                c.host = self.host;
                c.port = self.port;
            } else {
                c.error_code = codec::error_code::coordinator_not_available;
                c.error_message = "transactions are not supported";
                c.node_id = -1;
            }
            resp.coordinators.push_back(std::move(c));
        }
    } else if (groups) {
        resp.node_id = self.node_id;
        resp.host = self.host;
        resp.port = self.port;
    } else {
        resp.error_code = codec::error_code::coordinator_not_available;
        resp.error_message = "transactions are not supported";
        resp.node_id = -1;
    }
    r.respond(
        [&](codec::writer& w) { codec::encode_find_coordinator_response(w, resp, r.version()); });
}

}  // namespace robust::kafka
