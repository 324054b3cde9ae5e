#include "byte_stream.h"

#include <openssl/crypto.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <asio/error.hpp>
#include <asio/ssl/error.hpp>

#include <memory>

namespace robust::net::detail {
namespace {

// Queues our close_notify and writes it if the socket takes it at once.
// SSL_RECEIVED_SHUTDOWN is set first, as if the peer's close_notify had
// arrived, so SSL_shutdown completes after sending ours and the sync
// shutdown never tries to read (the peer may never answer). Only before
// the handshake is done there is nothing to send.
void send_close_notify(tls_stream& s) {
    SSL* ssl = s.native_handle();
    if (!SSL_is_init_finished(ssl) || (SSL_get_shutdown(ssl) & SSL_SENT_SHUTDOWN) != 0) return;
    std::error_code ignored;
    s.next_layer().non_blocking(true, ignored);
    if (ignored) return;
    SSL_set_shutdown(ssl, SSL_get_shutdown(ssl) | SSL_RECEIVED_SHUTDOWN);
    s.shutdown(ignored);  // would_block when the socket buffer is full: fine
}

}  // namespace

void end_sending(asio::ip::tcp::socket& s) {
    std::error_code ignored;
    s.shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
}

void end_sending(tls_stream& s) {
    send_close_notify(s);
    std::error_code ignored;
    s.next_layer().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
}

void close_stream(asio::ip::tcp::socket& s, bool) {
    if (!s.is_open()) return;
    std::error_code ignored;
    s.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    s.close(ignored);
}

void close_stream(tls_stream& s, bool may_write) {
    if (!s.next_layer().is_open()) return;
    if (may_write) send_close_notify(s);
    close_stream(s.next_layer(), false);
}

std::optional<std::string> verified_peer_cn(tls_stream& s) {
    SSL* ssl = s.native_handle();
    const std::unique_ptr<X509, decltype(&X509_free)> cert(SSL_get1_peer_certificate(ssl),
                                                           &X509_free);
    if (!cert || SSL_get_verify_result(ssl) != X509_V_OK) return std::nullopt;
    X509_NAME* subject = X509_get_subject_name(cert.get());
    const int index = subject ? X509_NAME_get_index_by_NID(subject, NID_commonName, -1) : -1;
    if (index < 0) return std::nullopt;
    ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, index));
    unsigned char* utf8 = nullptr;
    const int len = data ? ASN1_STRING_to_UTF8(&utf8, data) : -1;
    if (len < 0) return std::nullopt;
    std::string cn(reinterpret_cast<const char*>(utf8), static_cast<size_t>(len));
    OPENSSL_free(utf8);
    // "admin\0.evil.example" must not pass for "admin".
    if (cn.find('\0') != std::string::npos) return std::nullopt;
    return cn;
}

std::string tls_failure_reason(tls_stream& s, const std::error_code& ec) {
    if (ec == asio::ssl::error::stream_truncated || ec == asio::error::eof) {
        return "the peer closed the connection";
    }
    std::string reason = ec.message();
    const long verify = SSL_get_verify_result(s.native_handle());
    if (verify != X509_V_OK) {
        reason += ": ";
        reason += X509_verify_cert_error_string(verify);
    }
    return reason;
}

}  // namespace robust::net::detail
