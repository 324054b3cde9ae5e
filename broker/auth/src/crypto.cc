#include "crypto.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <array>
#include <charconv>
#include <climits>

#include "base/base64.h"

namespace robust::auth::detail {
namespace {

std::string_view phc_prefix(digest d) {
    return d == digest::sha256 ? "$pbkdf2-sha256$i=" : "$pbkdf2-sha512$i=";
}

const EVP_MD* evp(digest d) {
    return d == digest::sha256 ? EVP_sha256() : EVP_sha512();
}

const unsigned char* bytes_of(std::string_view s) {
    return reinterpret_cast<const unsigned char*>(s.data());
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

std::optional<std::string> random_bytes(size_t n) {
    std::string out(n, '\0');
    if (n > INT_MAX) return std::nullopt;
    if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1) {
        return std::nullopt;
    }
    return out;
}

std::string sha256(std::string_view data) {
    std::string out(SHA256_DIGEST_LENGTH, '\0');
    SHA256(bytes_of(data), data.size(), reinterpret_cast<unsigned char*>(out.data()));
    return out;
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
    unsigned int len = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), bytes_of(data), data.size(),
         md.data(), &len);
    return std::string(reinterpret_cast<const char*>(md.data()), len);
}

size_t digest_bytes(digest d) noexcept {
    return d == digest::sha256 ? 32 : 64;
}

std::string hash(digest d, std::string_view data) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
    unsigned int len = 0;
    if (EVP_Digest(data.data(), data.size(), md.data(), &len, evp(d), nullptr) != 1) len = 0;
    return std::string(reinterpret_cast<const char*>(md.data()), len);
}

std::string hmac(digest d, std::string_view key, std::string_view data) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
    unsigned int len = 0;
    if (key.size() > INT_MAX || HMAC(evp(d), key.data(), static_cast<int>(key.size()),
                                     bytes_of(data), data.size(), md.data(), &len) == nullptr) {
        len = 0;
    }
    return std::string(reinterpret_cast<const char*>(md.data()), len);
}

std::optional<std::string> pbkdf2(digest d, std::string_view password, std::string_view salt,
                                  uint32_t iterations, size_t key_bytes) {
    if (password.size() > INT_MAX || salt.size() > INT_MAX || iterations > INT_MAX ||
        key_bytes > INT_MAX) {
        return std::nullopt;
    }
    std::string key(key_bytes, '\0');
    if (PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()), bytes_of(salt),
                          static_cast<int>(salt.size()), static_cast<int>(iterations), evp(d),
                          static_cast<int>(key.size()),
                          reinterpret_cast<unsigned char*>(key.data())) != 1) {
        return std::nullopt;
    }
    return key;
}

bool constant_time_equal(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string hex_encode(std::string_view bytes) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (char c : bytes) {
        const auto b = static_cast<unsigned char>(c);
        out += digits[b >> 4];
        out += digits[b & 15];
    }
    return out;
}

std::optional<std::string> hex_decode(std::string_view text) {
    if (text.size() % 2 != 0) return std::nullopt;
    std::string out;
    out.reserve(text.size() / 2);
    for (size_t i = 0; i < text.size(); i += 2) {
        const int hi = hex_value(text[i]);
        const int lo = hex_value(text[i + 1]);
        if (hi < 0 || lo < 0) return std::nullopt;
        out += static_cast<char>((hi << 4) | lo);
    }
    return out;
}

std::optional<std::string> hash_password(std::string_view password, uint32_t iterations, digest d) {
    if (iterations == 0 || iterations > max_password_iterations) return std::nullopt;
    auto salt = random_bytes(password_salt_bytes);
    if (!salt) return std::nullopt;
    auto key = pbkdf2(d, password, *salt, iterations, digest_bytes(d));
    if (!key) return std::nullopt;
    std::string out(phc_prefix(d));
    out += std::to_string(iterations);
    out += '$';
    out += base64::encode(*salt, base64::alphabet::standard, false);
    out += '$';
    out += base64::encode(*key, base64::alphabet::standard, false);
    return out;
}

std::optional<phc_hash> parse_password_hash(std::string_view phc, digest d) {
    const std::string_view prefix = phc_prefix(d);
    if (!phc.starts_with(prefix)) return std::nullopt;
    phc.remove_prefix(prefix.size());
    const size_t d1 = phc.find('$');
    if (d1 == std::string_view::npos) return std::nullopt;
    const size_t d2 = phc.find('$', d1 + 1);
    if (d2 == std::string_view::npos) return std::nullopt;

    phc_hash h;
    h.kind = d;
    const std::string_view iters = phc.substr(0, d1);
    if (iters.empty() || iters.front() == '0') return std::nullopt;  // canonical decimal
    auto [end, ec] = std::from_chars(iters.data(), iters.data() + iters.size(), h.iterations);
    if (ec != std::errc() || end != iters.data() + iters.size()) return std::nullopt;
    if (h.iterations == 0 || h.iterations > max_password_iterations) return std::nullopt;

    auto salt = base64::decode(phc.substr(d1 + 1, d2 - d1 - 1));
    auto key = base64::decode(phc.substr(d2 + 1));
    if (!salt || salt->size() < 8 || salt->size() > 64) return std::nullopt;
    if (!key || key->size() < 16 || key->size() > 64) return std::nullopt;
    h.salt = std::move(*salt);
    h.key = std::move(*key);
    return h;
}

bool verify_password(std::string_view password, const phc_hash& h) {
    auto key = pbkdf2(h.kind, password, h.salt, h.iterations, h.key.size());
    return key && constant_time_equal(*key, h.key);
}

}  // namespace robust::auth::detail
