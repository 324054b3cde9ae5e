#pragma once
// The two byte streams a connection can sit on: a plain TCP socket, or TLS
// (asio::ssl::stream, OpenSSL) over one. Reading and writing look the same
// on both (async_read_some, asio::async_write), so code above them (the
// WebSocket upgrade and framing) is a template on the stream type; the few
// operations where they differ, ending and closing, are the overloads here.
//
// Threading: all of these run on the stream's own thread.

#include <asio/ip/tcp.hpp>
#include <asio/ssl/context.hpp>
#include <asio/ssl/stream.hpp>

#include <memory>
#include <optional>
#include <string>

namespace robust::net::detail {

using tls_stream = asio::ssl::stream<asio::ip::tcp::socket>;

/// What a TLS connection carries besides its stream: the context its SSL
/// object was made from (kept alive as long as the stream: the listener
/// holding it may go first), and the Common Name of a client certificate
/// that verified. Empty for plain TCP.
struct tls_info {
    std::shared_ptr<asio::ssl::context> context;
    std::optional<std::string> peer_cn;
};

inline asio::ip::tcp::socket& lowest_socket(asio::ip::tcp::socket& s) {
    return s;
}
inline asio::ip::tcp::socket& lowest_socket(tls_stream& s) {
    return s.next_layer();
}

/// Ends our sending direction without waiting: for TLS a close_notify, then
/// TCP FIN; reading stays possible. Call only with no write in flight.
void end_sending(asio::ip::tcp::socket& s);
void end_sending(tls_stream& s);

/// Closes the connection without ever waiting. With `may_write` (no write
/// in flight) a TLS stream first sends close_notify if the socket takes it
/// at once, so the peer sees a clean end rather than a truncation. Pending
/// operations then complete with an error.
void close_stream(asio::ip::tcp::socket& s, bool may_write);
void close_stream(tls_stream& s, bool may_write);

/// The subject Common Name of the peer's certificate if it sent one and it
/// verified (SSL_get_verify_result() == X509_V_OK), as UTF-8; nullopt
/// otherwise, and for a CN with an embedded NUL.
std::optional<std::string> verified_peer_cn(tls_stream& s);

/// "reason" of a TLS handshake failure for the log: OpenSSL's reason and,
/// for a certificate that did not verify, why.
std::string tls_failure_reason(tls_stream& s, const std::error_code& ec);

}  // namespace robust::net::detail
