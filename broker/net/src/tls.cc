#include "net/tls.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <asio/ssl/context.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace robust::net {
namespace {

// TLS 1.2 suites: ECDHE (forward secrecy) with an AEAD cipher, for RSA and
// ECDSA certificates alike. TLS 1.3 suites are configured separately by
// OpenSSL and are all AEAD.
constexpr const char* tls12_ciphers = "ECDHE+AESGCM:ECDHE+CHACHA20";
// Certificate files are small; a bigger one is a mistake (a log file, a
// disk image), not something to read into memory.
constexpr int64_t max_pem_file = 16 * 1024 * 1024;
constexpr unsigned char session_id_context[] = "robustmq";

struct bio_free {
    void operator()(BIO* b) const noexcept { BIO_free(b); }
};
struct x509_free {
    void operator()(X509* x) const noexcept { X509_free(x); }
};
struct pkey_free {
    void operator()(EVP_PKEY* k) const noexcept { EVP_PKEY_free(k); }
};
using bio_ptr = std::unique_ptr<BIO, bio_free>;
using x509_ptr = std::unique_ptr<X509, x509_free>;
using pkey_ptr = std::unique_ptr<EVP_PKEY, pkey_free>;

// Refuses to prompt for a passphrase: without this OpenSSL reads one from
// the terminal, which would hang a server starting in the background.
int no_passphrase(char*, int, int, void*) {
    return 0;
}

// "key = value: what": the shape of every error, as config errors have.
std::string key_error(std::string_view key, std::string_view value, std::string_view what) {
    std::string out = "tls.";
    out.append(key).append(" = ").append(value).append(": ").append(what);
    return out;
}

// The reason of OpenSSL's most recent error, or "" (then clears the queue).
std::string openssl_reason() {
    const unsigned long e = ERR_peek_last_error();
    std::string out;
    if (e != 0) {
        const char* r = ERR_reason_error_string(e);
        out = r ? r : "error " + std::to_string(ERR_GET_REASON(e));
    }
    ERR_clear_error();
    return out;
}

// `what` plus " (OpenSSL: reason)", unless the file has no PEM block at
// all: then the message says enough, and OpenSSL's reason for it varies
// ("no start line", "unsupported").
std::string with_reason(std::string what, const std::string& file) {
    const std::string reason = openssl_reason();
    if (!reason.empty() && file.find("-----BEGIN ") != std::string::npos) {
        what += " (OpenSSL: " + reason + ")";
    }
    return what;
}

// The whole file, or the error message for it.
struct file_bytes {
    std::string data;
    std::string error;
};

file_bytes read_pem_file(std::string_view key, const std::string& path) {
    file_bytes out;
    auto fail = [&](std::string what) {
        out.error = key_error(key, path, what);
        out.data.clear();
        return out;
    };
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return fail(std::string("cannot read: ") + std::strerror(errno));
    struct fd_closer {
        int fd;
        ~fd_closer() { ::close(fd); }
    } closer{fd};
    struct stat st {};
    if (::fstat(fd, &st) != 0) return fail(std::string("cannot read: ") + std::strerror(errno));
    if (S_ISDIR(st.st_mode)) return fail("is a directory, not a PEM file");
    if (st.st_size > max_pem_file) return fail("is larger than 16 MiB: not a PEM file");
    char buf[16 * 1024];
    for (;;) {
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            return fail(std::string("cannot read: ") + std::strerror(errno));
        }
        if (n == 0) break;
        out.data.append(buf, static_cast<size_t>(n));
        if (static_cast<int64_t>(out.data.size()) > max_pem_file) {
            return fail("is larger than 16 MiB: not a PEM file");
        }
    }
    if (out.data.empty()) return fail("is empty");
    return out;
}

bio_ptr memory_bio(const std::string& data) {
    return bio_ptr(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
}

// Loads the certificate and the chain behind it into `ctx`. Returns the
// leaf (for matching the key) or sets `error`.
x509_ptr load_certificate_chain(SSL_CTX* ctx, const std::string& path, std::string& error) {
    const file_bytes file = read_pem_file("cert_file", path);
    if (!file.error.empty()) {
        error = file.error;
        return nullptr;
    }
    ERR_clear_error();
    bio_ptr bio = memory_bio(file.data);
    x509_ptr leaf(PEM_read_bio_X509_AUX(bio.get(), nullptr, no_passphrase, nullptr));
    if (!leaf) {
        error = key_error("cert_file", path, with_reason("no certificate found", file.data));
        return nullptr;
    }
    if (SSL_CTX_use_certificate(ctx, leaf.get()) != 1) {
        error = key_error("cert_file", path, with_reason("certificate not usable", file.data));
        return nullptr;
    }
    SSL_CTX_clear_chain_certs(ctx);
    for (;;) {
        X509* next = PEM_read_bio_X509(bio.get(), nullptr, no_passphrase, nullptr);
        if (!next) break;
        if (SSL_CTX_add0_chain_cert(ctx, next) != 1) {
            X509_free(next);
            error = key_error("cert_file", path,
                              with_reason("bad certificate in the chain", file.data));
            return nullptr;
        }
    }
    // The loop ends on "no start line" at the end of the file; anything
    // else is a broken certificate in the middle of the chain.
    const unsigned long last = ERR_peek_last_error();
    if (last != 0 && ERR_GET_REASON(last) != PEM_R_NO_START_LINE) {
        error =
            key_error("cert_file", path, with_reason("bad certificate in the chain", file.data));
        return nullptr;
    }
    ERR_clear_error();
    return leaf;
}

bool load_private_key(SSL_CTX* ctx, X509* leaf, std::string_view key, const std::string& path,
                      std::string& error) {
    const file_bytes file = read_pem_file(key, path);
    if (!file.error.empty()) {
        error = file.error;
        return false;
    }
    ERR_clear_error();
    bio_ptr bio = memory_bio(file.data);
    pkey_ptr pkey(PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr));
    if (!pkey) {
        if (file.data.find("ENCRYPTED") != std::string::npos) {
            ERR_clear_error();
            error = key_error(key, path,
                              "the private key is encrypted; give an unencrypted key (mode 0600)");
        } else {
            error = key_error(key, path, with_reason("no private key found", file.data));
        }
        return false;
    }
    if (X509_check_private_key(leaf, pkey.get()) != 1) {
        ERR_clear_error();
        error = key_error(key, path, "the private key does not match tls.cert_file");
        return false;
    }
    if (SSL_CTX_use_PrivateKey(ctx, pkey.get()) != 1) {
        error = key_error(key, path, with_reason("private key not usable", file.data));
        return false;
    }
    return true;
}

// Every certificate in the file becomes a trust anchor for client
// certificates, and its subject is listed in the CertificateRequest so a
// client with several certificates can pick the right one.
bool load_client_cas(SSL_CTX* ctx, const std::string& path, std::string& error) {
    const file_bytes file = read_pem_file("ca_file", path);
    if (!file.error.empty()) {
        error = file.error;
        return false;
    }
    ERR_clear_error();
    bio_ptr bio = memory_bio(file.data);
    X509_STORE* store = SSL_CTX_get_cert_store(ctx);
    int count = 0;
    for (;;) {
        x509_ptr ca(PEM_read_bio_X509(bio.get(), nullptr, no_passphrase, nullptr));
        if (!ca) break;
        if (X509_STORE_add_cert(store, ca.get()) != 1 ||
            SSL_CTX_add_client_CA(ctx, ca.get()) != 1) {
            error = key_error("ca_file", path, with_reason("certificate not usable", file.data));
            return false;
        }
        ++count;
    }
    const unsigned long last = ERR_peek_last_error();
    if (count == 0) {
        error = key_error("ca_file", path, with_reason("no certificate found", file.data));
        return false;
    }
    if (last != 0 && ERR_GET_REASON(last) != PEM_R_NO_START_LINE) {
        error = key_error("ca_file", path, with_reason("bad certificate", file.data));
        return false;
    }
    ERR_clear_error();
    return true;
}

}  // namespace

tls_context_outcome make_tls_context(const tls_options& options) {
    tls_context_outcome out;
    if (options.cert_file.empty()) {
        out.error = "tls.cert_file is not set: a TLS listener needs a certificate";
        return out;
    }
    if (options.verify_peer && options.ca_file.empty()) {
        out.error =
            "tls.verify_peer = true: needs tls.ca_file (the CAs client certificates are "
            "checked against)";
        return out;
    }
    std::shared_ptr<asio::ssl::context> context;
    try {
        context = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_server);
    } catch (const std::exception& e) {
        out.error = std::string("cannot create a TLS context: ") + e.what();
        return out;
    }
    SSL_CTX* ctx = context->native_handle();

    const int min_version = options.v1_3_only ? TLS1_3_VERSION : TLS1_2_VERSION;
    if (SSL_CTX_set_min_proto_version(ctx, min_version) != 1 ||
        SSL_CTX_set_max_proto_version(ctx, 0) != 1 ||
        SSL_CTX_set_cipher_list(ctx, tls12_ciphers) != 1) {
        out.error = "cannot apply the TLS version and cipher policy: " + openssl_reason();
        return out;
    }
    SSL_CTX_set_options(
        ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
    SSL_CTX_set_default_passwd_cb(ctx, no_passphrase);
    // Sessions resumed by clients that sent a certificate need this, or
    // OpenSSL fails the resumption.
    SSL_CTX_set_session_id_context(ctx, session_id_context, sizeof session_id_context - 1);

    x509_ptr leaf = load_certificate_chain(ctx, options.cert_file, out.error);
    if (!leaf) return out;
    const bool key_in_cert = options.key_file.empty();
    if (!load_private_key(ctx, leaf.get(), key_in_cert ? "cert_file" : "key_file",
                          key_in_cert ? options.cert_file : options.key_file, out.error)) {
        return out;
    }
    if (!options.ca_file.empty()) {
        if (!load_client_cas(ctx, options.ca_file, out.error)) return out;
        // verify_peer: a certificate is required. Otherwise it is asked for
        // and checked when given, but a client may send none.
        const int mode = options.verify_peer ? SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT
                                             : SSL_VERIFY_PEER;
        SSL_CTX_set_verify(ctx, mode, nullptr);
    } else {
        SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
    }
    out.context = std::move(context);
    return out;
}

}  // namespace robust::net
