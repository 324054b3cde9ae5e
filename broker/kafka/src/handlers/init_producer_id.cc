// InitProducerId: a producer id for an idempotent producer. Transactions
// are not supported: a transactional id gets an error the client reports.
#include "kafka/codec/messages/init_producer_id.h"
#include "handlers.h"

namespace robust::kafka {

void handle_init_producer_id(server_impl& s, const request& r) {
    auto req = codec::decode_init_producer_id_request(r.body(), r.version());
    if (!req) return reject_malformed(r, req.error());
    codec::init_producer_id_response resp;
    if (req->transactional_id && !req->transactional_id->empty()) {
        resp.error_code = codec::error_code::transactional_id_authorization_failed;
    } else {
        // A producer that asks again with its old id (KIP-360, after it
        // lost track of its sequences) gets a new id, which resets them
        // just as an epoch bump would.
        resp.producer_id = s.producers().next_producer_id();
        resp.producer_epoch = 0;
    }
    r.respond(
        [&](codec::writer& w) { codec::encode_init_producer_id_response(w, resp, r.version()); });
}

}  // namespace robust::kafka
