// SaslAuthenticate: one step of the SASL exchange the SaslHandshake chose,
// against the shared user store (auth::service). The same steps serve the
// bare tokens that follow a SaslHandshake v0 (handle_sasl_raw_token).
//
// PLAIN: "authzid \0 user \0 password" (RFC 4616), checked on the blocking
// pool (the password KDF takes tens of milliseconds).
// SCRAM-SHA-256 / SCRAM-SHA-512 (RFC 5802, KIP-84): two rounds, client-first
// -> server-first, client-final -> server-final, on the connection's thread
// (a few HMACs; the stored keys are looked up in memory). An unknown user
// gets a decoy salt and fails at the proof, as a wrong password does.
//
// The user may be "tenant@name" for every mechanism, as for MQTT.
#include <spdlog/spdlog.h>

#include <asio/post.hpp>
#include <functional>

#include "handlers.h"
#include "kafka/codec/messages/sasl_authenticate.h"

namespace robust::kafka {
namespace {

using codec::error_code;

// What one step answers: an error, or the server's SASL bytes.
struct sasl_reply {
    error_code error = error_code::none;
    std::string message;
    std::string token;
};
// Called exactly once, from any thread.
using answer_fn = std::function<void(sasl_reply)>;

sasl_reply failed(server_impl& s, error_code e, std::string message) {
    s.count_error(static_cast<int16_t>(codec::api_key::sasl_authenticate), e);
    return sasl_reply{e, std::move(message), {}};
}

void plain_step(server_impl& s, const request& r, const std::string& bytes,
                const std::string& client_id, const answer_fn& answer) {
    const auto first = bytes.find('\0');
    const auto second = first == std::string::npos ? first : bytes.find('\0', first + 1);
    if (second == std::string::npos) {
        return answer(failed(s, error_code::sasl_authentication_failed,
                             "Authentication failed: invalid SASL/PLAIN message"));
    }
    auth::credentials c;
    c.username = bytes.substr(first + 1, second - first - 1);
    c.password = bytes.substr(second + 1);
    c.client_id = client_id;
    c.peer_ip = r.conn().identity().peer_ip;
    auto conn = r.conn_ptr();
    s.run_blocking([&s, c, conn, answer] {
        auto a = s.auth().authenticate(c);
        if (!a.who || a.who->anonymous) {
            spdlog::info("kafka: SASL/PLAIN authentication of {} from {} failed: {}",
                         c.username.value_or(""), conn->peer(), a.reason);
            return answer(failed(s, error_code::sasl_authentication_failed,
                                 "Authentication failed: invalid username or password"));
        }
        auth::identity who = *a.who;
        asio::post(conn->context(), [conn, answer, who]() mutable {
            conn->set_identity(std::move(who));
            conn->sasl().authenticated = true;
            answer(sasl_reply{});
        });
    });
}

void scram_step(server_impl& s, const request& r, auth::scram::mechanism m,
                const std::string& bytes, const std::string& client_id, const answer_fn& answer) {
    connection& conn = r.conn();
    auto& sasl = conn.sasl();
    const std::string_view mech_name = auth::scram::name(m);
    if (!sasl.scram) {
        // Round 1: client-first -> server-first.
        auto& ex = sasl.scram.emplace(m);
        auto first = ex.receive_first(bytes);
        if (!first) {
            sasl.scram.reset();
            spdlog::info("kafka: {} sent a {} client-first message that cannot be used: {}",
                         conn.peer(), mech_name, first.error().message());
            return answer(failed(s, error_code::sasl_authentication_failed,
                                 "Authentication failed: invalid " + std::string(mech_name) +
                                     " client-first message"));
        }
        auto [tenant, name] = auth::split_tenant(first->username, auth::default_tenant);
        auto cred = s.auth().scram_lookup(tenant, name, m);
        sasl.scram_user = first->username;
        sasl.scram_usable = cred.usable;
        if (!cred.usable) {
            spdlog::debug("kafka: {} for '{}': {}", mech_name, first->username, cred.reason);
        }
        const std::string nonce = auth::scram::random_nonce();
        if (nonce.empty()) {
            sasl.scram.reset();
            return answer(failed(s, error_code::sasl_authentication_failed,
                                 "Authentication failed: no random bytes for the nonce"));
        }
        return answer(sasl_reply{error_code::none, {}, ex.server_first(cred.secret, nonce)});
    }
    // Round 2: client-final -> server-final.
    auto fin = sasl.scram->receive_final(bytes);
    sasl.scram.reset();
    auth::credentials c;
    c.username = sasl.scram_user;
    c.client_id = client_id;
    c.peer_ip = conn.identity().peer_ip;
    auto a = s.auth().authenticate_scram(c, fin.has_value() && sasl.scram_usable);
    if (!a.who) {
        const std::string why = !fin ? fin.error().message() : a.reason;
        spdlog::info("kafka: SASL/{} authentication of {} from {} failed: {}", mech_name,
                     sasl.scram_user, conn.peer(), why);
        return answer(failed(s, error_code::sasl_authentication_failed,
                             "Authentication failed during authentication due to invalid "
                             "credentials with SASL mechanism " +
                                 std::string(mech_name)));
    }
    conn.set_identity(std::move(*a.who));
    sasl.authenticated = true;
    answer(sasl_reply{error_code::none, {}, std::move(*fin)});
}

// One SASL step for the mechanism the handshake chose.
void sasl_step(server_impl& s, const request& r, const std::string& bytes,
               const std::string& client_id, const answer_fn& answer) {
    auto& sasl = r.conn().sasl();
    if (sasl.authenticated || sasl.mechanism.empty()) {
        return answer(failed(s, error_code::illegal_sasl_state,
                             "SaslHandshake must come first, and only once"));
    }
    if (sasl.mechanism == "PLAIN") return plain_step(s, r, bytes, client_id, answer);
    if (auto m = auth::scram::parse_mechanism(sasl.mechanism)) {
        return scram_step(s, r, *m, bytes, client_id, answer);
    }
    answer(failed(s, error_code::illegal_sasl_state, "unknown SASL mechanism"));
}

}  // namespace

void handle_sasl_authenticate(server_impl& s, const request& r) {
    auto req = codec::decode_sasl_authenticate_request(r.body(), r.version());
    if (!req) return reject_malformed(r, req.error());
    auto answer = [r](sasl_reply reply) {
        codec::sasl_authenticate_response resp;
        resp.error_code = reply.error;
        if (reply.error != error_code::none) resp.error_message = std::move(reply.message);
        resp.auth_bytes = std::move(reply.token);
        r.respond([&](codec::writer& w) {
            codec::encode_sasl_authenticate_response(w, resp, r.version());
        });
    };
    sasl_step(s, r, req->auth_bytes, r.header().client_id.value_or(""), answer);
}

void handle_sasl_raw_token(server_impl& s, const request& r) {
    const auto body = r.body();
    const std::string token(reinterpret_cast<const char*>(body.data()), body.size());
    auto answer = [r](sasl_reply reply) {
        if (reply.error != error_code::none) {
            // Before SaslAuthenticate there was no way to say why: Kafka
            // closes the connection, and so do we.
            auto c = r.conn_ptr();
            asio::post(c->context(), [c] { c->close("SASL authentication failed"); });
            return;
        }
        r.respond_raw(codec::frame(reply.token));
    };
    sasl_step(s, r, token, r.conn().sasl().client_id, answer);
}

}  // namespace robust::kafka
