#pragma once
// test_pki: throw-away certificates for tests, made at test time with
// OpenSSL's C API (EC P-256 keys, SHA-256 signatures) and written as PEM
// files into a fresh temp directory that the destructor removes. Nothing
// is checked in, nothing expires during a run (valid from an hour ago for
// 30 days).
//
// Who uses it: any test that needs a CA, a server certificate or client
// certificates (net's TLS tests; later integration tests). Not thread-safe:
// make certificates from the test's thread. Failures throw
// std::runtime_error (a setup failure, reported by gtest as such).

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace robust::net::test {

/// A certificate and its key, in memory and as PEM files in the pki's dir.
struct test_cert {
    std::string cert_file;  // PEM certificate
    std::string key_file;   // PEM private key (PKCS#8, unencrypted)
    std::string cert_pem;
    std::string key_pem;
    std::shared_ptr<X509> cert;
    std::shared_ptr<EVP_PKEY> key;
};

class test_pki {
public:
    /// Creates the temp directory (under $TMPDIR or /tmp).
    test_pki();
    /// Removes the directory and everything in it.
    ~test_pki();
    test_pki(const test_pki&) = delete;
    test_pki& operator=(const test_pki&) = delete;

    const std::string& dir() const { return dir_; }

    /// A CA (basicConstraints CA:TRUE, keyCertSign): self-signed, or an
    /// intermediate signed by `issuer`.
    test_cert make_ca(std::string_view cn, const test_cert* issuer = nullptr);

    /// A server certificate signed by `ca`: subject CN `cn`, SANs
    /// DNS:localhost and IP:127.0.0.1, extendedKeyUsage serverAuth.
    test_cert make_server(const test_cert& ca, std::string_view cn = "localhost");

    /// A client certificate signed by `ca`: subject CN `cn` (UTF-8),
    /// extendedKeyUsage clientAuth.
    test_cert make_client(const test_cert& ca, std::string_view cn);

    /// Writes `content` to dir()/name and returns the path.
    std::string write_file(std::string_view name, std::string_view content) const;

private:
    enum class role { ca, server, client };
    test_cert issue(const test_cert* issuer, std::string_view cn, role r);

    std::string dir_;
    long serial_ = 1;
};

}  // namespace robust::net::test
