// SaslAuthenticate: checks the client's credentials against the shared user
// store (auth::service), on the blocking pool (the password KDF takes tens
// of milliseconds). PLAIN: "authzid \0 user \0 password" (RFC 4616); the
// user may be "tenant@name" as for MQTT.
#include <spdlog/spdlog.h>

#include <asio/post.hpp>

#include "handlers.h"
#include "kafka/codec/messages/sasl_authenticate.h"

namespace robust::kafka {

void handle_sasl_authenticate(server_impl& s, const request& r) {
    auto req = codec::decode_sasl_authenticate_request(r.body(), r.version());
    if (!req) return reject_malformed(r, req.error());
    auto& sasl = r.conn().sasl();
    auto fail = [&s, r](codec::error_code e, std::string message) {
        s.count_error(r.header().api_key, e);
        codec::sasl_authenticate_response resp;
        resp.error_code = e;
        resp.error_message = std::move(message);
        r.respond([&](codec::writer& w) {
            codec::encode_sasl_authenticate_response(w, resp, r.version());
        });
    };
    if (sasl.authenticated || sasl.mechanism != "PLAIN") {
        return fail(codec::error_code::illegal_sasl_state,
                    "SaslHandshake with mechanism PLAIN must come first");
    }
    const std::string& bytes = req->auth_bytes;
    const auto first = bytes.find('\0');
    const auto second = first == std::string::npos ? first : bytes.find('\0', first + 1);
    if (second == std::string::npos) {
        return fail(codec::error_code::sasl_authentication_failed,
                    "Authentication failed: invalid SASL/PLAIN message");
    }
    auth::credentials c;
    c.username = bytes.substr(first + 1, second - first - 1);
    c.password = bytes.substr(second + 1);
    c.client_id = r.header().client_id.value_or("");
    c.peer_ip = r.conn().identity().peer_ip;
    auto conn = r.conn_ptr();
    s.run_blocking([&s, r, c, conn, fail] {
        auto a = s.auth().authenticate(c);
        if (!a.who || a.who->anonymous) {
            spdlog::info("kafka: SASL/PLAIN authentication of {} from {} failed: {}",
                         c.username.value_or(""), conn->peer(), a.reason);
            return fail(codec::error_code::sasl_authentication_failed,
                        "Authentication failed: invalid username or password");
        }
        auth::identity who = *a.who;
        asio::post(conn->context(), [conn, r, who]() mutable {
            conn->set_identity(std::move(who));
            conn->sasl().authenticated = true;
            codec::sasl_authenticate_response resp;
            r.respond([&](codec::writer& w) {
                codec::encode_sasl_authenticate_response(w, resp, r.version());
            });
        });
    });
}

}  // namespace robust::kafka
