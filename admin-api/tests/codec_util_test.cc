#include "codec_util.h"

#include <gtest/gtest.h>

namespace robust::admin::detail {
namespace {

TEST(AdminBase64, EncodesRfc4648Vectors) {
    // RFC 4648 section 10.
    EXPECT_EQ(base64_encode(""), "");
    EXPECT_EQ(base64_encode("f"), "Zg==");
    EXPECT_EQ(base64_encode("fo"), "Zm8=");
    EXPECT_EQ(base64_encode("foo"), "Zm9v");
    EXPECT_EQ(base64_encode("foob"), "Zm9vYg==");
    EXPECT_EQ(base64_encode("fooba"), "Zm9vYmE=");
    EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
}

TEST(AdminBase64, DecodesWithAndWithoutPadding) {
    EXPECT_EQ(base64_decode("Zm9vYg==").value(), "foob");
    EXPECT_EQ(base64_decode("Zm9vYg").value(), "foob");
    EXPECT_EQ(base64_decode("Zm9vYmE=").value(), "fooba");
    EXPECT_EQ(base64_decode("").value(), "");
    const std::string binary("\x00\xff\xfe\x80", 4);
    EXPECT_EQ(base64_decode(base64_encode(binary)).value(), binary);
}

TEST(AdminBase64, RejectsNonBase64) {
    EXPECT_FALSE(base64_decode("Zm9v!"));
    EXPECT_FALSE(base64_decode("Zm9 v"));
    EXPECT_FALSE(base64_decode("Z"));       // 6 bits cannot make a byte
    EXPECT_FALSE(base64_decode("Zg="));     // wrong padding
    EXPECT_FALSE(base64_decode("Z==="));    // too much padding
    EXPECT_FALSE(base64_decode("Zh=="));    // non-zero unused bits
    EXPECT_FALSE(base64_decode("Zm9v-_"));  // URL alphabet is not accepted here
}

TEST(AdminBase64, UrlAlphabetWithoutPadding) {
    EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
    EXPECT_EQ(base64url_encode(std::string(18, '\xff')).size(), 24u);
}

TEST(AdminUtf8, AcceptsWellFormed) {
    EXPECT_TRUE(valid_utf8(""));
    EXPECT_TRUE(valid_utf8("hello"));
    EXPECT_TRUE(valid_utf8("gr\xc3\xbc\xc3\x9f"));    // grüß
    EXPECT_TRUE(valid_utf8("\xe2\x82\xac"));          // €
    EXPECT_TRUE(valid_utf8("\xf0\x9f\x98\x80"));      // U+1F600
    EXPECT_TRUE(valid_utf8(std::string("a\0b", 3)));  // NUL is a character
}

TEST(AdminUtf8, RejectsMalformed) {
    EXPECT_FALSE(valid_utf8("\xff"));
    EXPECT_FALSE(valid_utf8("\xc3"));              // truncated
    EXPECT_FALSE(valid_utf8("\xc0\xaf"));          // overlong '/'
    EXPECT_FALSE(valid_utf8("\xe0\x80\xaf"));      // overlong
    EXPECT_FALSE(valid_utf8("\xed\xa0\x80"));      // surrogate U+D800
    EXPECT_FALSE(valid_utf8("\xf4\x90\x80\x80"));  // above U+10FFFF
    EXPECT_FALSE(valid_utf8("\x80"));              // lone continuation
}

}  // namespace
}  // namespace robust::admin::detail
