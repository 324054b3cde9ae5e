#include "codec_util.h"

#include <gtest/gtest.h>

namespace robust::admin::detail {
namespace {

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
