#include "test_certs.h"

#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <system_error>

namespace robust::net::test {
namespace {

[[noreturn]] void fail(const std::string& what) {
    std::string reason;
    if (const unsigned long e = ERR_get_error(); e != 0) {
        char buf[256];
        ERR_error_string_n(e, buf, sizeof buf);
        reason = std::string(": ") + buf;
    }
    ERR_clear_error();
    throw std::runtime_error("test_pki: " + what + reason);
}

std::shared_ptr<EVP_PKEY> make_p256_key() {
    std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(
        EVP_PKEY_CTX_new_id(EVP_PKEY_EC, nullptr), &EVP_PKEY_CTX_free);
    EVP_PKEY* key = nullptr;
    if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 ||
        EVP_PKEY_CTX_set_ec_paramgen_curve_nid(ctx.get(), NID_X9_62_prime256v1) != 1 ||
        EVP_PKEY_keygen(ctx.get(), &key) != 1) {
        fail("EC P-256 key generation");
    }
    return {key, &EVP_PKEY_free};
}

void add_extension(X509* cert, X509* issuer, int nid, const char* value) {
    X509V3_CTX v3;
    X509V3_set_ctx(&v3, issuer, cert, nullptr, nullptr, 0);
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &v3, nid, value);
    if (!ext) fail(std::string("extension ") + OBJ_nid2sn(nid) + " = " + value);
    const int ok = X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
    if (ok != 1) fail("X509_add_ext");
}

template <class Write>
std::string to_pem(Write write) {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
    if (!bio || write(bio.get()) != 1) fail("PEM encoding");
    char* data = nullptr;
    const long len = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<size_t>(len));
}

}  // namespace

test_pki::test_pki() {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/robust-pki-XXXXXX";
    if (!::mkdtemp(pattern.data())) {
        throw std::system_error(errno, std::generic_category(), "test_pki: mkdtemp");
    }
    dir_ = pattern;
}

test_pki::~test_pki() {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
}

test_cert test_pki::make_ca(std::string_view cn, const test_cert* issuer) {
    return issue(issuer, cn, role::ca);
}

test_cert test_pki::make_server(const test_cert& ca, std::string_view cn) {
    return issue(&ca, cn, role::server);
}

test_cert test_pki::make_client(const test_cert& ca, std::string_view cn) {
    return issue(&ca, cn, role::client);
}

std::string test_pki::write_file(std::string_view name, std::string_view content) const {
    const std::string path = dir_ + "/" + std::string(name);
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    if (!out.flush()) throw std::runtime_error("test_pki: cannot write " + path);
    return path;
}

test_cert test_pki::issue(const test_cert* issuer, std::string_view cn, role r) {
    test_cert out;
    out.key = make_p256_key();
    std::shared_ptr<X509> cert(X509_new(), &X509_free);
    if (!cert) fail("X509_new");
    X509* x = cert.get();
    const long serial = serial_++;
    if (X509_set_version(x, 2) != 1 || ASN1_INTEGER_set(X509_get_serialNumber(x), serial) != 1 ||
        !X509_gmtime_adj(X509_getm_notBefore(x), -3600) ||
        !X509_gmtime_adj(X509_getm_notAfter(x), 30L * 24 * 3600) ||
        X509_set_pubkey(x, out.key.get()) != 1) {
        fail("certificate fields");
    }
    X509_NAME* subject = X509_get_subject_name(x);
    const std::string cn_str(cn);
    if (X509_NAME_add_entry_by_txt(subject, "O", MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>("robustmq tests"), -1, -1,
                                   0) != 1 ||
        X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(cn_str.c_str()), -1, -1,
                                   0) != 1) {
        fail("subject name");
    }
    X509* issuer_cert = issuer ? issuer->cert.get() : x;
    EVP_PKEY* issuer_key = issuer ? issuer->key.get() : out.key.get();
    if (X509_set_issuer_name(x, X509_get_subject_name(issuer_cert)) != 1) fail("issuer name");

    add_extension(x, issuer_cert, NID_subject_key_identifier, "hash");
    add_extension(x, issuer_cert, NID_authority_key_identifier, "keyid:always");
    switch (r) {
        case role::ca:
            add_extension(x, issuer_cert, NID_basic_constraints, "critical,CA:TRUE");
            add_extension(x, issuer_cert, NID_key_usage, "critical,keyCertSign,cRLSign");
            break;
        case role::server:
            add_extension(x, issuer_cert, NID_basic_constraints, "critical,CA:FALSE");
            add_extension(x, issuer_cert, NID_key_usage, "critical,digitalSignature");
            add_extension(x, issuer_cert, NID_ext_key_usage, "serverAuth");
            add_extension(x, issuer_cert, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1");
            break;
        case role::client:
            add_extension(x, issuer_cert, NID_basic_constraints, "critical,CA:FALSE");
            add_extension(x, issuer_cert, NID_key_usage, "critical,digitalSignature");
            add_extension(x, issuer_cert, NID_ext_key_usage, "clientAuth");
            break;
    }
    if (X509_sign(x, issuer_key, EVP_sha256()) == 0) fail("X509_sign");
    out.cert = cert;

    out.cert_pem = to_pem([&](BIO* b) { return PEM_write_bio_X509(b, x); });
    out.key_pem = to_pem([&](BIO* b) {
        return PEM_write_bio_PrivateKey(b, out.key.get(), nullptr, nullptr, 0, nullptr, nullptr);
    });
    const std::string base = "cert" + std::to_string(serial);
    out.cert_file = write_file(base + ".pem", out.cert_pem);
    out.key_file = write_file(base + ".key", out.key_pem);
    return out;
}

}  // namespace robust::net::test
