#pragma once
// SCRAM (RFC 5802) — the server side of SCRAM-SHA-256 (RFC 7677) and
// SCRAM-SHA-512 as Kafka uses them (KIP-84): parsing the client's two
// messages, formatting the server's, and checking the client's proof
// against a stored credential (StoredKey, ServerKey). No channel binding
// (the "-PLUS" variants) and no extensions (Kafka's "tokenauth" is refused).
//
// The exchange, with the message grammar of RFC 5802 section 7:
//   client-first  gs2-header client-first-bare   "n,,n=user,r=<cnonce>"
//   server-first                                 "r=<cnonce><snonce>,s=<salt>,i=<n>"
//   client-final  "c=<base64 gs2-header>,r=<cnonce><snonce>,p=<base64 proof>"
//   server-final  "v=<base64 ServerSignature>"
//
// Pure: no I/O, clocks or globals (random_nonce() reads OpenSSL's RNG), any
// thread; a server_exchange belongs to one connection.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace robust::auth::scram {

enum class mechanism { sha256, sha512 };

/// "SCRAM-SHA-256", "SCRAM-SHA-512".
std::string_view name(mechanism m) noexcept;
/// nullopt for any other name.
std::optional<mechanism> parse_mechanism(std::string_view name) noexcept;
/// The digest size: 32 or 64 bytes.
size_t key_bytes(mechanism m) noexcept;

/// What a server keeps for one user and mechanism (RFC 5802 section 3).
struct credential {
    std::string salt;  // raw bytes
    uint32_t iterations = 0;
    std::string stored_key;  // H(HMAC(SaltedPassword, "Client Key"))
    std::string server_key;  // HMAC(SaltedPassword, "Server Key")
};

/// SaltedPassword = Hi(password, salt, i), i.e. PBKDF2 with the mechanism's
/// HMAC. nullopt only if OpenSSL fails.
std::optional<std::string> salted_password(mechanism m, std::string_view password,
                                           std::string_view salt, uint32_t iterations);
/// The credential for a SaltedPassword.
credential derive(mechanism m, std::string_view salted_password, std::string salt,
                  uint32_t iterations);

/// A server nonce: 24 random bytes in base64 (printable, no ','). Empty
/// only if the RNG fails.
std::string random_nonce();

struct client_first {
    std::string gs2_header;  // "n,," or "y,," (with "a=<authzid>" between the commas)
    std::string username;    // decoded: "=2C" -> ',', "=3D" -> '='
    std::string nonce;
    std::string bare;  // client-first-message-bare as sent (part of AuthMessage)
};

/// Errors: malformed (bad syntax, an empty or badly escaped user name, an
/// empty nonce or one with characters outside %x21-7E, an authzid that is not
/// the user name), unsupported (channel binding "p=", the reserved "m="
/// attribute, or extensions such as "tokenauth=true").
result<client_first> parse_client_first(std::string_view msg);

struct client_final {
    std::string channel_binding;  // decoded value of "c="
    std::string nonce;
    std::string proof;          // decoded value of "p="
    std::string without_proof;  // client-final-message-without-proof as sent
};

/// Errors: malformed (bad syntax or base64, attributes missing or out of
/// order), unsupported (extensions).
result<client_final> parse_client_final(std::string_view msg);

/// The server side of one exchange, in order: receive_first(),
/// server_first(), receive_final(). Calling out of order is a
/// protocol_error, not a crash.
class server_exchange {
public:
    explicit server_exchange(mechanism m) : mechanism_(m) {}

    mechanism mech() const noexcept { return mechanism_; }

    /// Step 1. Errors: as parse_client_first; protocol_error out of order.
    result<client_first> receive_first(std::string_view msg);

    /// Step 2: the server-first message for `cred` — the user's, or a decoy
    /// for an unknown user so that the exchange fails only at the proof.
    /// `server_nonce` must be printable without ',' (random_nonce()).
    std::string server_first(credential cred, std::string_view server_nonce);

    /// Step 3: checks the client-final message and the proof in constant
    /// time; returns server-final ("v=..."). Errors: malformed / unsupported
    /// as parse_client_final; protocol_error (out of order, the nonce or the
    /// channel binding differ from the first messages); not_authorized (the
    /// proof is wrong).
    result<std::string> receive_final(std::string_view msg);

private:
    enum class step { first, final, done };
    mechanism mechanism_;
    step step_ = step::first;
    client_first first_;
    std::string server_first_;
    std::string nonce_;  // client nonce + server nonce
    credential cred_;
};

}  // namespace robust::auth::scram
