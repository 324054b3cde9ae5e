#pragma once
// The cryptography of auth/, on OpenSSL's libcrypto: random bytes, SHA-256
// and SHA-512, their HMACs, constant-time comparison, PBKDF2 password hashes
// in PHC string form, and the text encodings they travel in (base64 with and
// without the URL alphabet, hex). Not part of the module's API.
//
// Everything here is a pure function of its arguments (or of OpenSSL's
// thread-safe RNG): any thread.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace robust::auth::detail {

/// `n` bytes from OpenSSL's CSPRNG; nullopt if it fails (no entropy).
std::optional<std::string> random_bytes(size_t n);

/// The 32-byte SHA-256 digest of `data`.
std::string sha256(std::string_view data);

/// The 32-byte HMAC-SHA256 of `data` under `key`.
std::string hmac_sha256(std::string_view key, std::string_view data);

/// The hash functions SCRAM and the PHC strings use.
enum class digest { sha256, sha512 };
size_t digest_bytes(digest d) noexcept;  // 32, 64
std::string hash(digest d, std::string_view data);
std::string hmac(digest d, std::string_view key, std::string_view data);
/// PBKDF2-HMAC-<d> (RFC 8018) with `key_bytes` of output; nullopt if OpenSSL
/// fails or a size does not fit its int parameters.
std::optional<std::string> pbkdf2(digest d, std::string_view password, std::string_view salt,
                                  uint32_t iterations, size_t key_bytes);

/// Equal sizes and equal bytes, in time independent of where they differ.
bool constant_time_equal(std::string_view a, std::string_view b) noexcept;

std::string hex_encode(std::string_view bytes);  // lower case
/// nullopt for an odd length or a non-hex digit (either case accepted).
std::optional<std::string> hex_decode(std::string_view text);

// ---- passwords ---------------------------------------------------------------

inline constexpr size_t password_salt_bytes = 16;
inline constexpr size_t password_key_bytes = 32;
/// Bounds accepted when parsing a stored hash, so a forged record cannot make
/// a login spin for minutes.
inline constexpr uint32_t max_password_iterations = 10'000'000;

/// A parsed "$pbkdf2-sha256$i=<iterations>$<salt>$<key>" (or pbkdf2-sha512).
struct phc_hash {
    digest kind = digest::sha256;
    uint32_t iterations = 0;
    std::string salt;  // raw bytes
    std::string key;   // raw bytes
};

/// A new PHC string for `password`: random salt, PBKDF2-HMAC-<d> with
/// `iterations` rounds and a key as long as the digest ("$pbkdf2-sha256$..."
/// or "$pbkdf2-sha512$..."). nullopt only if the RNG or the KDF fails.
std::optional<std::string> hash_password(std::string_view password, uint32_t iterations,
                                         digest d = digest::sha256);

/// nullopt unless `phc` is a well-formed pbkdf2-<d> PHC string with
/// 1..max_password_iterations rounds, a salt of 8..64 bytes and a key of
/// 16..64 bytes.
std::optional<phc_hash> parse_password_hash(std::string_view phc, digest d = digest::sha256);

/// Runs the KDF (slow by design) and compares in constant time.
bool verify_password(std::string_view password, const phc_hash& h);

}  // namespace robust::auth::detail
