#include "auth/scram.h"

#include <utility>
#include <vector>

#include "base/base64.h"
#include "base/errc.h"
#include "crypto.h"

namespace robust::auth::scram {
namespace {

detail::digest digest_of(mechanism m) {
    return m == mechanism::sha256 ? detail::digest::sha256 : detail::digest::sha512;
}

// printable = %x21-2B / %x2D-7E (RFC 5802 section 7): no ',' and no controls.
bool printable(std::string_view s) {
    for (char c : s) {
        if (c < 0x21 || c > 0x7e || c == ',') return false;
    }
    return true;
}

// saslname = 1*(value-safe-char / "=2C" / "=3D"); value-safe-char excludes
// NUL, ',' and '='.
std::optional<std::string> decode_saslname(std::string_view s) {
    if (s.empty()) return std::nullopt;
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (c == '\0' || c == ',') return std::nullopt;
        if (c != '=') {
            out += c;
            continue;
        }
        const std::string_view esc = s.substr(i + 1, 2);
        if (esc == "2C") {
            out += ',';
        } else if (esc == "3D") {
            out += '=';
        } else {
            return std::nullopt;
        }
        i += 2;
    }
    return out;
}

// Splits "a=..,b=..,..." into attributes; each must be "<letter>=<value>".
// Returns false when one is not.
struct attribute {
    char name;
    std::string_view value;
};
bool split_attributes(std::string_view s, std::vector<attribute>& out) {
    size_t pos = 0;
    while (true) {
        const size_t comma = s.find(',', pos);
        const std::string_view part =
            s.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos);
        if (part.size() < 2 || part[1] != '=') return false;
        const char n = part[0];
        if (!((n >= 'a' && n <= 'z') || (n >= 'A' && n <= 'Z'))) return false;
        out.push_back({n, part.substr(2)});
        if (comma == std::string_view::npos) return true;
        pos = comma + 1;
    }
}

std::string xor_bytes(std::string_view a, std::string_view b) {
    std::string out(a);
    for (size_t i = 0; i < out.size() && i < b.size(); ++i) out[i] = static_cast<char>(a[i] ^ b[i]);
    return out;
}

}  // namespace

std::string_view name(mechanism m) noexcept {
    return m == mechanism::sha256 ? "SCRAM-SHA-256" : "SCRAM-SHA-512";
}

std::optional<mechanism> parse_mechanism(std::string_view n) noexcept {
    if (n == "SCRAM-SHA-256") return mechanism::sha256;
    if (n == "SCRAM-SHA-512") return mechanism::sha512;
    return std::nullopt;
}

size_t key_bytes(mechanism m) noexcept {
    return detail::digest_bytes(digest_of(m));
}

std::optional<std::string> salted_password(mechanism m, std::string_view password,
                                           std::string_view salt, uint32_t iterations) {
    if (iterations == 0) return std::nullopt;
    return detail::pbkdf2(digest_of(m), password, salt, iterations, key_bytes(m));
}

credential derive(mechanism m, std::string_view salted, std::string salt, uint32_t iterations) {
    const auto d = digest_of(m);
    credential c;
    c.salt = std::move(salt);
    c.iterations = iterations;
    c.stored_key = detail::hash(d, detail::hmac(d, salted, "Client Key"));
    c.server_key = detail::hmac(d, salted, "Server Key");
    return c;
}

std::string random_nonce() {
    auto bytes = detail::random_bytes(24);
    if (!bytes) return {};
    return base64::encode(*bytes);
}

result<client_first> parse_client_first(std::string_view msg) {
    // gs2-header = gs2-cbind-flag "," [ authzid ] ","
    if (msg.starts_with("p=")) return errc::unsupported;  // channel binding: no -PLUS here
    if (!msg.starts_with("n,") && !msg.starts_with("y,")) return errc::malformed;
    const size_t second = msg.find(',', 2);
    if (second == std::string_view::npos) return errc::malformed;
    const std::string_view authzid = msg.substr(2, second - 2);
    client_first out;
    out.gs2_header = std::string(msg.substr(0, second + 1));
    out.bare = std::string(msg.substr(second + 1));

    // client-first-message-bare = [reserved-mext ","] username "," nonce ["," extensions]
    std::vector<attribute> attrs;
    if (!split_attributes(out.bare, attrs)) return errc::malformed;
    if (attrs[0].name == 'm') return errc::unsupported;  // mandatory extension
    if (attrs.size() < 2 || attrs[0].name != 'n' || attrs[1].name != 'r') {
        return errc::malformed;
    }
    auto user = decode_saslname(attrs[0].value);
    if (!user) return errc::malformed;
    if (attrs[1].value.empty() || !printable(attrs[1].value)) return errc::malformed;
    // Extensions (Kafka's "tokenauth=true" for delegation tokens): none here.
    if (attrs.size() > 2) return errc::unsupported;
    if (!authzid.empty()) {
        // Kafka accepts an authorization id only when it names the user.
        if (!authzid.starts_with("a=")) return errc::malformed;
        auto az = decode_saslname(authzid.substr(2));
        if (!az || *az != *user) return errc::malformed;
    }
    out.username = std::move(*user);
    out.nonce = std::string(attrs[1].value);
    return out;
}

result<client_final> parse_client_final(std::string_view msg) {
    // client-final-message = channel-binding "," nonce ["," extensions] "," proof
    const size_t proof_at = msg.rfind(",p=");
    if (proof_at == std::string_view::npos) return errc::malformed;
    std::vector<attribute> attrs;
    if (!split_attributes(msg.substr(0, proof_at), attrs)) return errc::malformed;
    if (attrs.size() < 2 || attrs[0].name != 'c' || attrs[1].name != 'r') {
        return errc::malformed;
    }
    if (attrs.size() > 2) return errc::unsupported;
    const std::string_view proof_text = msg.substr(proof_at + 3);
    if (proof_text.find(',') != std::string_view::npos) return errc::malformed;
    auto cb = base64::decode(attrs[0].value);
    auto proof = base64::decode(proof_text);
    if (!cb || !proof || proof->empty()) return errc::malformed;
    if (attrs[1].value.empty() || !printable(attrs[1].value)) return errc::malformed;
    client_final out;
    out.channel_binding = std::move(*cb);
    out.nonce = std::string(attrs[1].value);
    out.proof = std::move(*proof);
    out.without_proof = std::string(msg.substr(0, proof_at));
    return out;
}

result<client_first> server_exchange::receive_first(std::string_view msg) {
    if (step_ != step::first) return errc::protocol_error;
    auto first = parse_client_first(msg);
    if (!first) return first.error();
    first_ = *first;
    step_ = step::final;
    return first;
}

std::string server_exchange::server_first(credential cred, std::string_view server_nonce) {
    cred_ = std::move(cred);
    nonce_ = first_.nonce;
    nonce_ += server_nonce;
    server_first_ = "r=" + nonce_ + ",s=" + base64::encode(cred_.salt) +
                    ",i=" + std::to_string(cred_.iterations);
    return server_first_;
}

result<std::string> server_exchange::receive_final(std::string_view msg) {
    if (step_ != step::final || server_first_.empty()) return errc::protocol_error;
    step_ = step::done;  // one attempt per exchange
    auto fin = parse_client_final(msg);
    if (!fin) return fin.error();
    // [RFC 5802 section 5.1] "c=": the gs2 header again, no binding data.
    if (fin->channel_binding != first_.gs2_header) return errc::protocol_error;
    // RFC 5802 wants the nonce of server-first back. librdkafka (2.0) sends
    // its client nonce in front of it once more, and Kafka accepts any nonce
    // that ends with its own (ScramSaslServer), so we do too: the server
    // nonce is still in it, and the proof covers the message as sent.
    if (!std::string_view(fin->nonce).ends_with(nonce_)) return errc::protocol_error;
    const auto d = digest_of(mechanism_);
    if (fin->proof.size() != key_bytes(mechanism_) ||
        cred_.stored_key.size() != key_bytes(mechanism_)) {
        return errc::not_authorized;
    }
    std::string auth_message = first_.bare;
    auth_message += ',';
    auth_message += server_first_;
    auth_message += ',';
    auth_message += fin->without_proof;
    // ClientKey = ClientProof XOR HMAC(StoredKey, AuthMessage); H(ClientKey) must be StoredKey.
    const std::string client_signature = detail::hmac(d, cred_.stored_key, auth_message);
    const std::string client_key = xor_bytes(fin->proof, client_signature);
    if (!detail::constant_time_equal(detail::hash(d, client_key), cred_.stored_key)) {
        return errc::not_authorized;
    }
    return "v=" + base64::encode(detail::hmac(d, cred_.server_key, auth_message));
}

}  // namespace robust::auth::scram
