// SaslHandshake: the client names its mechanism; we list what we support.
// After a v0 handshake the SASL tokens follow bare, without SaslAuthenticate
// (connection::sasl_state::raw_tokens); after v1 they come in
// SaslAuthenticate requests (KIP-152), which is what librdkafka and the Java
// client send.
#include "kafka/codec/messages/sasl_handshake.h"
#include "handlers.h"

namespace robust::kafka {

const std::vector<std::string>& sasl_mechanisms() {
    static const std::vector<std::string> m = {"PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"};
    return m;
}

void handle_sasl_handshake(server_impl&, const request& r) {
    auto req = codec::decode_sasl_handshake_request(r.body(), r.version());
    if (!req) return reject_malformed(r, req.error());
    codec::sasl_handshake_response resp;
    resp.mechanisms = sasl_mechanisms();
    auto& sasl = r.conn().sasl();
    if (sasl.authenticated || !sasl.mechanism.empty()) {
        resp.error_code = codec::error_code::illegal_sasl_state;
    } else if (std::find(resp.mechanisms.begin(), resp.mechanisms.end(), req->mechanism) ==
               resp.mechanisms.end()) {
        resp.error_code = codec::error_code::unsupported_sasl_mechanism;
    } else {
        sasl.mechanism = req->mechanism;
        sasl.raw_tokens = r.version() == 0;
        sasl.client_id = r.header().client_id.value_or("");
    }
    r.respond(
        [&](codec::writer& w) { codec::encode_sasl_handshake_response(w, resp, r.version()); });
}

}  // namespace robust::kafka
