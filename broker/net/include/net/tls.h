#pragma once
// TLS server contexts for the listeners' tls and wss kinds (listener.h).
//
// make_tls_context() turns certificate files into an asio::ssl::context
// (OpenSSL's SSL_CTX) with the broker's fixed TLS policy:
//   - TLS 1.2 and 1.3 only (SSL_CTX_set_min_proto_version; SSLv2/3, TLS 1.0
//     and 1.1 are refused), or TLS 1.3 only with v1_3_only;
//   - TLS 1.2 cipher suites: ECDHE key exchange with AES-GCM or
//     ChaCha20-Poly1305 only (forward secrecy, AEAD); the server's order
//     wins. TLS 1.3 suites are OpenSSL's defaults (all AEAD);
//   - no compression (CRIME), no renegotiation.
// Client certificates:
//   verify_peer           ca_file   client certificate
//   true                  set       required; the handshake fails without a
//                                   certificate signed by a CA in ca_file
//   false                 set       requested, optional: none is fine, but
//                                   one that does not verify against ca_file
//                                   fails the handshake
//   false                 empty     not requested
//   true                  empty     an error (nothing to verify against)
// A certificate that verified gives its subject's Common Name to
// transport::peer_certificate_cn().
//
// Who calls it: the composition root, once at start-up, converting
// config::tls_config (the [tls] section) into tls_options; the one context
// is shared by every TLS listener through listener_options::tls. net does
// not depend on config, hence its own options struct; error messages name
// the [tls] keys all the same, because that is what the operator edits.
//
// Threading: make_tls_context() may be called from any thread. The context
// it returns must not be changed once a listener uses it; OpenSSL then
// shares it between the pool threads safely. Including
// <asio/ssl/context.hpp> is needed only to call its members.

#include <memory>
#include <string>

namespace asio::ssl {
class context;
}  // namespace asio::ssl

namespace robust::net {

/// What a TLS listener needs; mirrors config::tls_config. Files are PEM.
struct tls_options {
    std::string cert_file;     // the server certificate, optionally followed by its chain
    std::string key_file;      // its private key, unencrypted; empty = in cert_file
    std::string ca_file;       // CAs that client certificates are checked against
    bool verify_peer = false;  // require a client certificate (needs ca_file)
    bool v1_3_only = false;    // refuse TLS 1.2 too
};

/// What make_tls_context() answers: exactly one of `context` and `error`
/// is set. (result<T> carries only an error_code, and these errors are for
/// a human: they name the key, its value and what is wrong.)
struct [[nodiscard]] tls_context_outcome {
    std::shared_ptr<asio::ssl::context> context;
    // One line, e.g.
    //   tls.cert_file = /etc/robustmq/server.pem: cannot read: No such file or directory
    //   tls.key_file = key.pem: the private key does not match tls.cert_file
    //   tls.ca_file = ca.pem: no certificate found
    std::string error;

    bool ok() const noexcept { return context != nullptr; }
};

/// Builds a server context from `options` (see the policy above). Errors
/// (each naming the tls.* key): a file that is not set, cannot be read, or
/// holds no usable PEM certificate / private key (encrypted keys are
/// refused rather than prompting for a passphrase); a key that does not
/// belong to the certificate; verify_peer without ca_file.
tls_context_outcome make_tls_context(const tls_options& options);

}  // namespace robust::net
