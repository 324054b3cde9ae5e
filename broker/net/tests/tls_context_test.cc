// make_tls_context(): the policy it sets and the errors it reports, which
// must name the tls.* key and the file so an operator can fix the config.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

#include <asio/ssl/context.hpp>

#include <string>

#include "net/tls.h"
#include "test_certs.h"

namespace robust::net {
namespace {

using test::test_cert;
using test::test_pki;
using ::testing::HasSubstr;
using ::testing::StartsWith;

class TlsContext : public ::testing::Test {
protected:
    test_pki pki;
    test_cert ca = pki.make_ca("Test CA");
    test_cert server = pki.make_server(ca);

    tls_options valid() const {
        tls_options o;
        o.cert_file = server.cert_file;
        o.key_file = server.key_file;
        return o;
    }
};

TEST_F(TlsContext, BuildsFromValidFilesWithTheBrokerPolicy) {
    const auto r = make_tls_context(valid());
    ASSERT_TRUE(r.ok()) << r.error;
    EXPECT_TRUE(r.error.empty());
    SSL_CTX* ctx = r.context->native_handle();
    EXPECT_EQ(SSL_CTX_get_min_proto_version(ctx), TLS1_2_VERSION);
    const uint64_t opts = SSL_CTX_get_options(ctx);
    EXPECT_NE(opts & SSL_OP_NO_COMPRESSION, 0u);
    EXPECT_NE(opts & SSL_OP_NO_RENEGOTIATION, 0u);
    EXPECT_EQ(SSL_CTX_get_verify_mode(ctx), SSL_VERIFY_NONE);  // no ca_file: no client certs
    // Every TLS 1.2 suite offered is ECDHE with an AEAD cipher.
    SSL* ssl = SSL_new(ctx);
    ASSERT_NE(ssl, nullptr);
    STACK_OF(SSL_CIPHER)* ciphers = SSL_get_ciphers(ssl);
    int tls12 = 0;
    for (int i = 0; i < sk_SSL_CIPHER_num(ciphers); ++i) {
        const SSL_CIPHER* c = sk_SSL_CIPHER_value(ciphers, i);
        const std::string name = SSL_CIPHER_get_name(c);
        if (name.rfind("TLS_", 0) == 0) continue;  // a TLS 1.3 suite
        ++tls12;
        EXPECT_THAT(name, StartsWith("ECDHE-")) << name;
        EXPECT_TRUE(name.find("GCM") != std::string::npos ||
                    name.find("CHACHA20") != std::string::npos)
            << name;
    }
    EXPECT_GT(tls12, 0);
    SSL_free(ssl);
}

TEST_F(TlsContext, V13OnlyRaisesTheMinimumVersion) {
    tls_options o = valid();
    o.v1_3_only = true;
    const auto r = make_tls_context(o);
    ASSERT_TRUE(r.ok()) << r.error;
    EXPECT_EQ(SSL_CTX_get_min_proto_version(r.context->native_handle()), TLS1_3_VERSION);
}

TEST_F(TlsContext, ClientCertificateModesFollowVerifyPeerAndCaFile) {
    tls_options o = valid();
    o.ca_file = ca.cert_file;
    auto r = make_tls_context(o);
    ASSERT_TRUE(r.ok()) << r.error;
    EXPECT_EQ(SSL_CTX_get_verify_mode(r.context->native_handle()), SSL_VERIFY_PEER);

    o.verify_peer = true;
    r = make_tls_context(o);
    ASSERT_TRUE(r.ok()) << r.error;
    EXPECT_EQ(SSL_CTX_get_verify_mode(r.context->native_handle()),
              SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT);
    // The CertificateRequest names the CA, so clients pick the right cert.
    EXPECT_EQ(sk_X509_NAME_num(SSL_CTX_get_client_CA_list(r.context->native_handle())), 1);
}

TEST_F(TlsContext, KeyMayFollowTheCertificateInOneFile) {
    tls_options o;
    o.cert_file = pki.write_file("combined.pem", server.cert_pem + server.key_pem);
    const auto r = make_tls_context(o);
    EXPECT_TRUE(r.ok()) << r.error;
}

TEST_F(TlsContext, MissingCertFileIsNamed) {
    tls_options o = valid();
    o.cert_file = pki.dir() + "/nope.pem";
    const auto r = make_tls_context(o);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.context, nullptr);
    EXPECT_EQ(r.error,
              "tls.cert_file = " + o.cert_file + ": cannot read: No such file or directory");
}

TEST_F(TlsContext, MissingKeyFileIsNamed) {
    tls_options o = valid();
    o.key_file = pki.dir() + "/nope.key";
    const auto r = make_tls_context(o);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error, "tls.key_file = " + o.key_file + ": cannot read: No such file or directory");
}

TEST_F(TlsContext, KeyOfAnotherCertificateIsRefused) {
    const test_cert other = pki.make_server(ca, "other");
    tls_options o = valid();
    o.key_file = other.key_file;
    const auto r = make_tls_context(o);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error, "tls.key_file = " + other.key_file +
                           ": the private key does not match tls.cert_file");
}

TEST_F(TlsContext, GarbagePemIsNamed) {
    const std::string garbage = pki.write_file("garbage.pem", "this is not a certificate\n");
    tls_options o = valid();
    o.cert_file = garbage;
    auto r = make_tls_context(o);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error, "tls.cert_file = " + garbage + ": no certificate found");

    o = valid();
    o.key_file = garbage;
    r = make_tls_context(o);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error, "tls.key_file = " + garbage + ": no private key found");

    o = valid();
    o.ca_file = garbage;
    r = make_tls_context(o);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error, "tls.ca_file = " + garbage + ": no certificate found");

    // A PEM block with a broken body: OpenSSL's reason is added.
    const std::string broken = pki.write_file(
        "broken.pem", "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n");
    o = valid();
    o.cert_file = broken;
    r = make_tls_context(o);
    ASSERT_FALSE(r.ok());
    EXPECT_THAT(r.error,
                StartsWith("tls.cert_file = " + broken + ": no certificate found (OpenSSL: "));
}

TEST_F(TlsContext, EmptyFilesAndDirectoriesAreNamed) {
    const std::string empty = pki.write_file("empty.pem", "");
    tls_options o = valid();
    o.cert_file = empty;
    auto r = make_tls_context(o);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error, "tls.cert_file = " + empty + ": is empty");

    o = valid();
    o.ca_file = pki.dir();
    r = make_tls_context(o);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error, "tls.ca_file = " + pki.dir() + ": is a directory, not a PEM file");
}

TEST_F(TlsContext, EncryptedKeyIsRefusedWithoutPrompting) {
    BIO* bio = BIO_new(BIO_s_mem());
    ASSERT_EQ(PEM_write_bio_PrivateKey(bio, server.key.get(), EVP_aes_256_cbc(),
                                       reinterpret_cast<const unsigned char*>("secret"), 6, nullptr,
                                       nullptr),
              1);
    char* data = nullptr;
    const long len = BIO_get_mem_data(bio, &data);
    const std::string path = pki.write_file("encrypted.key", std::string(data, len));
    BIO_free(bio);
    tls_options o = valid();
    o.key_file = path;
    const auto r = make_tls_context(o);
    ASSERT_FALSE(r.ok());
    EXPECT_THAT(r.error, StartsWith("tls.key_file = " + path + ": the private key is encrypted"));
}

TEST_F(TlsContext, VerifyPeerNeedsACaFile) {
    tls_options o = valid();
    o.verify_peer = true;
    const auto r = make_tls_context(o);
    ASSERT_FALSE(r.ok());
    EXPECT_THAT(r.error, StartsWith("tls.verify_peer = true: needs tls.ca_file"));
}

TEST_F(TlsContext, CertFileIsRequired) {
    const auto r = make_tls_context(tls_options{});
    ASSERT_FALSE(r.ok());
    EXPECT_THAT(r.error, StartsWith("tls.cert_file is not set"));
}

TEST_F(TlsContext, BrokenCertificateInTheCaBundleIsNamed) {
    const std::string path = pki.write_file(
        "ca-bundle.pem",
        ca.cert_pem + "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
    tls_options o = valid();
    o.ca_file = path;
    const auto r = make_tls_context(o);
    ASSERT_FALSE(r.ok());
    EXPECT_THAT(r.error, StartsWith("tls.ca_file = " + path + ": bad certificate"));
}

}  // namespace
}  // namespace robust::net
