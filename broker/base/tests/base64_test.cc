#include "base/base64.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "base64_properties.h"

namespace robust::base64 {
namespace {

TEST(Base64, Rfc4648Vectors) {
    // RFC 4648 section 10.
    const std::pair<std::string, std::string> vectors[] = {
        {"", ""},
        {"f", "Zg=="},
        {"fo", "Zm8="},
        {"foo", "Zm9v"},
        {"foob", "Zm9vYg=="},
        {"fooba", "Zm9vYmE="},
        {"foobar", "Zm9vYmFy"},
    };
    for (const auto& [plain, coded] : vectors) {
        EXPECT_EQ(encode(plain), coded);
        EXPECT_EQ(decode(coded), plain) << coded;
        std::string unpadded = coded;
        while (!unpadded.empty() && unpadded.back() == '=') unpadded.pop_back();
        EXPECT_EQ(encode(plain, alphabet::standard, false), unpadded);
        EXPECT_EQ(decode(unpadded), plain) << unpadded;
    }
}

TEST(Base64, UrlAlphabetUsesDashAndUnderscore) {
    const std::string bytes("\xfb\xff\xbf", 3);
    EXPECT_EQ(encode(bytes), "+/+/");
    EXPECT_EQ(encode(bytes, alphabet::url), "-_-_");
    EXPECT_EQ(decode("-_-_", alphabet::url), bytes);
    EXPECT_FALSE(decode("-_-_", alphabet::standard));
    EXPECT_FALSE(decode("+/+/", alphabet::url));
}

TEST(Base64, RoundTripsEveryByteAndLength) {
    std::string all;
    for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
    for (size_t n = 0; n <= all.size(); n += 7) {
        const std::string s = all.substr(0, n);
        EXPECT_EQ(decode(encode(s)), s);
        EXPECT_EQ(decode(encode(s, alphabet::url, false), alphabet::url), s);
    }
}

TEST(Base64, RejectsWhatIsNotStrictBase64) {
    EXPECT_FALSE(decode("Zg="));       // padding that does not complete the group
    EXPECT_FALSE(decode("Z==="));      // three '=': only two may pad
    EXPECT_FALSE(decode("Zg==Zg=="));  // '=' inside
    EXPECT_FALSE(decode("Zm9 v"));     // whitespace
    EXPECT_FALSE(decode("Zh"));        // unused bits not zero: "Zg" is the encoding of "f"
    EXPECT_FALSE(decode("Z"));         // 6 bits cannot make a byte
    EXPECT_FALSE(decode("Zm9v!"));
}

}  // namespace
}  // namespace robust::base64

namespace robust::base64 {
namespace {

// Every input the fuzzer was seeded with or once failed on stays a test.
TEST(Base64, FuzzCorpusKeepsItsProperties) {
    size_t files = 0;
    for (const auto& e : std::filesystem::directory_iterator(BASE64_CORPUS_DIR)) {
        std::ifstream f(e.path(), std::ios::binary);
        std::stringstream ss;
        ss << f.rdbuf();
        const char* why = violated_property(ss.str());
        EXPECT_EQ(why, nullptr) << e.path() << ": " << why;
        ++files;
    }
    EXPECT_GT(files, 0u);
}

}  // namespace
}  // namespace robust::base64
