// UTF-8 Encoded Strings (5.0 section 1.5.4, 3.1.1 section 1.5.3): the
// validator on its own, then through the fields that carry strings.

#include "test_util.h"
#include "wire.h"

namespace robust::mqtt::codec::test {
namespace {

using detail::check_utf8;
using detail::utf8_status;

TEST(MqttUtf8, AcceptsWellFormedStrings) {
    const std::vector<std::string> ok = {
        "",
        "a/b/c",
        "a much longer ascii topic name / over several chunks / of eight bytes",
        "\xc2\x80",          // U+0080, smallest two-byte form
        "caf\xc3\xa9",       // U+00E9
        "\xe0\xa0\x80",      // U+0800, smallest three-byte form
        "\xed\x9f\xbf",      // U+D7FF, just below the surrogates
        "\xee\x80\x80",      // U+E000, just above them
        "\xef\xbf\xbf",      // U+FFFF (a non-character: SHOULD NOT, not MUST)
        "\xf0\x90\x80\x80",  // U+10000, smallest four-byte form
        "\xf4\x8f\xbf\xbf",  // U+10FFFF, the largest code point
        "\xef\xbb\xbf"
        "bom",           // U+FEFF is kept as is [MQTT-1.5.4-3]
        "\x01\x1f\x7f",  // control characters: SHOULD NOT only
        "12345678\xe2\x82\xac"
        "abc",  // multibyte after a full ASCII chunk
    };
    for (const auto& s : ok) EXPECT_EQ(check_utf8(s), utf8_status::ok) << hex(s);
}

TEST(MqttUtf8, RejectsSurrogates) {
    // [MQTT-1.5.4-1] U+D800..U+DFFF must not be encoded.
    for (const auto& s : {std::string("\xed\xa0\x80"), std::string("\xed\xbf\xbf"),
                          std::string("ok\xed\xb0\x80")}) {
        EXPECT_EQ(check_utf8(s), utf8_status::ill_formed) << hex(s);
    }
}

TEST(MqttUtf8, RejectsOverlongForms) {
    for (const auto& s : {std::string("\xc0\x80"), std::string("\xc1\xbf"),
                          std::string("\xe0\x80\x80"), std::string("\xe0\x9f\xbf"),
                          std::string("\xf0\x80\x80\x80"), std::string("\xf0\x8f\xbf\xbf")}) {
        EXPECT_EQ(check_utf8(s), utf8_status::ill_formed) << hex(s);
    }
}

TEST(MqttUtf8, RejectsOtherIllFormedSequences) {
    for (const auto& s : {
             std::string("\x80"),              // stray continuation
             std::string("a\xbf"),             // stray continuation after ASCII
             std::string("\xc3"),              // truncated two-byte
             std::string("\xe2\x82"),          // truncated three-byte
             std::string("\xf0\x9f\x98"),      // truncated four-byte
             std::string("\xc3\x28"),          // bad continuation
             std::string("\xf4\x90\x80\x80"),  // above U+10FFFF
             std::string("\xf5\x80\x80\x80"),  // lead byte never valid
             std::string("\xff"),
             std::string("12345678\xfe"),  // after a fast-path chunk
         }) {
        EXPECT_EQ(check_utf8(s), utf8_status::ill_formed) << hex(s);
    }
}

TEST(MqttUtf8, RejectsNullCharacter) {
    // [MQTT-1.5.4-2], also inside an otherwise ASCII 8-byte chunk.
    for (const auto& s :
         {std::string("\0", 1), std::string("abc\0defgh", 9), std::string("abcdefgh12\0", 11)}) {
        EXPECT_EQ(check_utf8(s), utf8_status::null_char) << hex(s);
    }
}

// A 3.1.1 QoS 0 PUBLISH whose topic is `topic`.
std::string publish_with_topic(const std::string& topic) {
    return wire({0x30, uint8_t(2 + topic.size()), 0x00, uint8_t(topic.size())}) + topic;
}

TEST(MqttPublishDecode, RejectsSurrogateInTopic) {
    EXPECT_DECODE_ERROR(publish_with_topic("a/\xed\xa0\x80"), pv::v3_1_1, errc::malformed,
                        "MQTT-1.5.4-1");
}

TEST(MqttPublishDecode, RejectsOverlongInTopic) {
    EXPECT_DECODE_ERROR(publish_with_topic("a/\xc0\xaf"), pv::v5, errc::malformed, "MQTT-1.5.4-1");
}

TEST(MqttPublishDecode, RejectsNullInTopic) {
    EXPECT_DECODE_ERROR(publish_with_topic(std::string("a\0b", 3)), pv::v3_1_1, errc::malformed,
                        "MQTT-1.5.4-2");
}

TEST(MqttConnectDecode, RejectsIllFormedClientId) {
    const std::string w = wire({
        0x10, 0x0e,                      // CONNECT, remaining length 14
        0x00, 0x04, 'M', 'Q', 'T', 'T',  // protocol name
        0x04,                            // level 4
        0x02,                            // clean session
        0x00, 0x00,                      // keep alive
        0x00, 0x02, 0xed, 0xa0,          // client id: a cut surrogate
    });
    EXPECT_DECODE_ERROR(w, pv::v3_1_1, errc::malformed, "MQTT-1.5.4-1");
}

TEST(MqttConnectDecode, AcceptsAnyBytesInPassword) {
    // The password is Binary Data (section 3.1.3.6), not a UTF-8 string.
    const std::string w = wire({
        0x10, 0x13,                        // CONNECT, remaining length 19
        0x00, 0x04, 'M',  'Q',  'T', 'T',  // protocol name
        0x04,                              // level 4
        0xc0,                              // user name, password
        0x00, 0x00,                        // keep alive
        0x00, 0x00,                        // client id ""
        0x00, 0x01, 'u',                   // user name
        0x00, 0x02, 0x00, 0xff,            // password: NUL and 0xff
    });
    auto c = decode_ok<connect>(w, pv::v3_1_1);
    EXPECT_EQ(c.password, std::string("\x00\xff", 2));
}

TEST(MqttPropertiesDecode, RejectsIllFormedUserProperty) {
    const std::string w = wire({
        0x40, 0x0b,                               // PUBACK, remaining length 11
        0x00, 0x01,                               // packet id 1
        0x00,                                     // reason: success
        0x07,                                     // property length 7
        0x26, 0x00, 0x01, 'k', 0x00, 0x01, 0xc0,  // user property k = lead byte alone
    });
    EXPECT_DECODE_ERROR(w, pv::v5, errc::malformed, "MQTT-1.5.4-1");
}

}  // namespace
}  // namespace robust::mqtt::codec::test
