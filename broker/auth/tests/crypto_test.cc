// White-box tests of src/crypto.h: known-answer vectors for the primitives,
// strict decoding, and the PHC password format.
#include "crypto.h"

#include <gtest/gtest.h>

#include <regex>
#include <string>

#include "base/base64.h"

namespace robust::auth::detail {
namespace {

std::string unhex(std::string_view s) {
    auto v = hex_decode(s);
    EXPECT_TRUE(v.has_value()) << s;
    return v.value_or("");
}

TEST(AuthCrypto, Sha256KnownAnswer) {
    // FIPS 180-2 appendix B.1.
    EXPECT_EQ(hex_encode(sha256("abc")),
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(AuthCrypto, HmacSha256KnownAnswer) {
    // RFC 4231 test case 2.
    EXPECT_EQ(hex_encode(hmac_sha256("Jefe", "what do ya want for nothing?")),
              "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(AuthCrypto, Pbkdf2KnownAnswer) {
    // RFC 7914 section 11, PBKDF2-HMAC-SHA256 (P="passwd", S="salt", c=1, dkLen=64).
    phc_hash h;
    h.iterations = 1;
    h.salt = "salt";
    h.key = unhex(
        "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
        "49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783");
    EXPECT_TRUE(verify_password("passwd", h));
    EXPECT_FALSE(verify_password("passwe", h));
    h.iterations = 2;
    EXPECT_FALSE(verify_password("passwd", h));
}

TEST(AuthCrypto, ConstantTimeEqual) {
    EXPECT_TRUE(constant_time_equal("abc", "abc"));
    EXPECT_FALSE(constant_time_equal("abc", "abd"));
    EXPECT_FALSE(constant_time_equal("abc", "abcd"));
    EXPECT_TRUE(constant_time_equal("", ""));
}

TEST(AuthCrypto, Hex) {
    EXPECT_EQ(hex_encode(std::string("\x00\xff\x10", 3)), "00ff10");
    EXPECT_EQ(hex_decode("00FF10"), std::string("\x00\xff\x10", 3));
    EXPECT_FALSE(hex_decode("0").has_value());
    EXPECT_FALSE(hex_decode("zz").has_value());
}

TEST(AuthPasswordHash, RoundTripAndPhcFormat) {
    auto phc = hash_password("correct horse", 1000);
    ASSERT_TRUE(phc.has_value());
    // "$pbkdf2-sha256$i=1000$" + 16-byte salt (22 chars) + "$" + 32-byte key (43 chars).
    EXPECT_TRUE(std::regex_match(
        *phc, std::regex(R"(\$pbkdf2-sha256\$i=1000\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43})")))
        << *phc;
    auto parsed = parse_password_hash(*phc);
    ASSERT_TRUE(parsed.has_value());
    EXPECT_EQ(parsed->iterations, 1000u);
    EXPECT_EQ(parsed->salt.size(), password_salt_bytes);
    EXPECT_EQ(parsed->key.size(), password_key_bytes);
    EXPECT_TRUE(verify_password("correct horse", *parsed));
    EXPECT_FALSE(verify_password("correct horsf", *parsed));
    EXPECT_FALSE(verify_password("", *parsed));
}

TEST(AuthPasswordHash, SaltsDiffer) {
    auto a = hash_password("same password", 1000);
    auto b = hash_password("same password", 1000);
    ASSERT_TRUE(a && b);
    EXPECT_NE(*a, *b);
}

TEST(AuthPasswordHash, BinaryPasswords) {
    const std::string pw("a\0b\xff", 4);
    auto phc = hash_password(pw, 1000);
    ASSERT_TRUE(phc.has_value());
    auto parsed = parse_password_hash(*phc);
    ASSERT_TRUE(parsed.has_value());
    EXPECT_TRUE(verify_password(pw, *parsed));
    EXPECT_FALSE(verify_password(std::string("a\0c\xff", 4), *parsed));
}

TEST(AuthPasswordHash, ParseRejectsMalformed) {
    const std::string salt =
        base64::encode(std::string(16, 's'), base64::alphabet::standard, false);
    const std::string key = base64::encode(std::string(32, 'k'), base64::alphabet::standard, false);
    EXPECT_TRUE(parse_password_hash("$pbkdf2-sha256$i=1000$" + salt + "$" + key).has_value());
    const std::string bad_hashes[] = {
        "$pbkdf2-sha512$i=1000$" + salt + "$" + key,         // another algorithm
        "$pbkdf2-sha256$i=0$" + salt + "$" + key,            // no rounds
        "$pbkdf2-sha256$i=01000$" + salt + "$" + key,        // not canonical
        "$pbkdf2-sha256$i=99999999999$" + salt + "$" + key,  // too many rounds
        "$pbkdf2-sha256$i=1000$" + salt,                     // no key
        "$pbkdf2-sha256$i=1000$" + salt + "=$" + key,        // padding
        "$pbkdf2-sha256$i=1000$c2FsdA$" + key,               // 4-byte salt
        "$pbkdf2-sha256$i=1000$" + salt + "$c2FsdA",         // 4-byte key
        "plain text",
    };
    for (const std::string& bad : bad_hashes) {
        EXPECT_FALSE(parse_password_hash(bad).has_value()) << bad;
    }
}

}  // namespace
}  // namespace robust::auth::detail
