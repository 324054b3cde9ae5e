// CONNECT (section 3.1) and CONNACK (section 3.2) for 3.1, 3.1.1 and 5.0.

#include "mqtt/codec/reason_codes.h"
#include "test_util.h"

namespace robust::mqtt::codec::test {
namespace {

// 3.1.1 CONNECT with every field, after async_mqtt's ut_packet_v3_1_1_connect.
const std::string connect_311 = wire({
    0x10, 0x24,                      // CONNECT, remaining length 36
    0x00, 0x04, 'M', 'Q', 'T', 'T',  // protocol name "MQTT"
    0x04,                            // protocol level 4 (3.1.1)
    0xee,                            // user name, password, will retain, will QoS 1,
                                     // will flag, clean session
    0x12, 0x34,                      // keep alive 4660 s
    0x00, 0x04, 'c', 'i', 'd', '1',  // client id "cid1"
    0x00, 0x02, 'w', 't',            // will topic "wt"
    0x00, 0x02, 'w', 'p',            // will payload "wp"
    0x00, 0x04, 'u', 's', 'e', 'r',  // user name "user"
    0x00, 0x04, 'p', 'a', 's', 's',  // password "pass"
});

connect connect_311_value() {
    connect c;
    c.version = pv::v3_1_1;
    c.clean_start = true;
    c.keep_alive = 0x1234;
    c.client_id = "cid1";
    will_message w;
    w.topic = "wt";
    w.payload = buf("wp");
    w.qos = qos_level::at_least_once;
    w.retain = true;
    c.will = w;
    c.username = "user";
    c.password = "pass";
    return c;
}

TEST(MqttConnectDecode, Decodes311) {
    EXPECT_EQ(decode_ok<connect>(connect_311, pv::v3_1_1), connect_311_value());
}

TEST(MqttConnectEncode, Encodes311) {
    EXPECT_EQ(hex(encode_wire(connect_311_value(), pv::v3_1_1)), hex(connect_311));
}

TEST(MqttConnectDecode, TakesVersionFromPacket) {
    // The connection's version is unknown until CONNECT: any value given is
    // ignored for it.
    EXPECT_EQ(decode_ok<connect>(connect_311, pv::v5).version, pv::v3_1_1);
}

const std::string connect_31 = wire({
    0x10, 0x0f,                                // CONNECT, remaining length 15
    0x00, 0x06, 'M', 'Q', 'I', 's', 'd', 'p',  // protocol name "MQIsdp"
    0x03,                                      // protocol level 3 (3.1)
    0x02,                                      // clean session
    0x00, 0x3c,                                // keep alive 60 s
    0x00, 0x01, 'c',                           // client id "c"
});

TEST(MqttConnectDecode, Decodes31) {
    connect expected;
    expected.version = pv::v3_1;
    expected.keep_alive = 60;
    expected.client_id = "c";
    EXPECT_EQ(decode_ok<connect>(connect_31, pv::v3_1_1), expected);
    EXPECT_EQ(hex(encode_wire(expected, pv::v3_1)), hex(connect_31));
}

const std::string connect_5 = wire({
    0x10, 0x26,                         // CONNECT, remaining length 38
    0x00, 0x04, 'M',  'Q',  'T',  'T',  // protocol name "MQTT"
    0x05,                               // protocol level 5
    0x86,                               // user name, will flag, clean start
    0x00, 0x0a,                         // keep alive 10 s
    0x08,                               // property length 8
    0x11, 0x00, 0x00, 0x00, 0x78,       //   session expiry interval 120
    0x21, 0x00, 0x0a,                   //   receive maximum 10
    0x00, 0x03, 'c',  'i',  'd',        // client id "cid"
    0x05,                               // will property length 5
    0x18, 0x00, 0x00, 0x00, 0x05,       //   will delay interval 5
    0x00, 0x01, 't',                    // will topic "t"
    0x00, 0x00,                         // will payload (empty)
    0x00, 0x01, 'u',                    // user name "u"
});

connect connect_5_value() {
    connect c;
    c.version = pv::v5;
    c.keep_alive = 10;
    c.client_id = "cid";
    c.props.session_expiry_interval = 120;
    c.props.receive_maximum = 10;
    will_message w;
    w.topic = "t";
    w.props.will_delay_interval = 5;
    c.will = w;
    c.username = "u";
    return c;
}

TEST(MqttConnectDecode, Decodes5) {
    EXPECT_EQ(decode_ok<connect>(connect_5, pv::v5), connect_5_value());
}

TEST(MqttConnectEncode, Encodes5) {
    EXPECT_EQ(hex(encode_wire(connect_5_value(), pv::v5)), hex(connect_5));
}

// connect_311 with byte `at` replaced by `value`.
std::string patched(std::string w, size_t at, uint8_t value) {
    w[at] = char(value);
    return w;
}
constexpr size_t flags_at = 9;  // in connect_311 and connect_5

TEST(MqttConnectDecode, RejectsReservedFlag) {
    EXPECT_DECODE_ERROR(patched(connect_311, flags_at, 0xef), pv::v3_1_1, errc::malformed,
                        "MQTT-3.1.2-3");
    EXPECT_DECODE_ERROR(patched(connect_5, flags_at, 0x87), pv::v5, errc::malformed,
                        "MQTT-3.1.2-3");
}

TEST(MqttConnectDecode, RejectsWillQosWithoutWillFlag) {
    // 0x0a: will QoS 1, no will flag; the payload does not matter, the
    // flags fail first.
    EXPECT_DECODE_ERROR(patched(connect_311, flags_at, 0x0a), pv::v3_1_1, errc::malformed,
                        "MQTT-3.1.2-13");
    EXPECT_DECODE_ERROR(patched(connect_5, flags_at, 0x0a), pv::v5, errc::malformed,
                        "MQTT-3.1.2-11");
}

TEST(MqttConnectDecode, RejectsWillRetainWithoutWillFlag) {
    EXPECT_DECODE_ERROR(patched(connect_311, flags_at, 0x22), pv::v3_1_1, errc::malformed,
                        "MQTT-3.1.2-15");
    EXPECT_DECODE_ERROR(patched(connect_5, flags_at, 0x22), pv::v5, errc::malformed,
                        "MQTT-3.1.2-13");
}

TEST(MqttConnectDecode, RejectsWillQos3) {
    EXPECT_DECODE_ERROR(patched(connect_311, flags_at, 0xde), pv::v3_1_1, errc::malformed,
                        "MQTT-3.1.2-14");
    EXPECT_DECODE_ERROR(patched(connect_5, flags_at, 0x9e), pv::v5, errc::malformed,
                        "MQTT-3.1.2-12");
}

TEST(MqttConnectDecode, RejectsPasswordWithoutUserNameBefore5) {
    const std::string w = wire({
        0x10, 0x11,                      // CONNECT, remaining length 17
        0x00, 0x04, 'M', 'Q', 'T', 'T',  // protocol name
        0x04,                            // level 4
        0x42,                            // password, clean session (no user name)
        0x00, 0x00,                      // keep alive
        0x00, 0x01, 'c',                 // client id
        0x00, 0x02, 'p', 'w',            // password
    });
    EXPECT_DECODE_ERROR(w, pv::v3_1_1, errc::malformed, "MQTT-3.1.2-22");
    // 5.0 allows it (section 3.1.2.9): same bytes with level 5 and an empty
    // property block.
    std::string w5 = w;
    w5[1] = 0x12;
    w5[8] = 0x05;
    w5.insert(12, 1, '\0');
    auto c = decode_ok<connect>(w5, pv::v5);
    EXPECT_FALSE(c.username);
    EXPECT_EQ(c.password, "pw");
}

TEST(MqttConnectDecode, RejectsUnknownProtocolName) {
    std::string w = connect_311;
    w[5] = 'X';  // "MXTT"
    EXPECT_DECODE_ERROR(w, pv::v3_1_1, errc::unsupported, "MQTT-3.1.2-1");
}

TEST(MqttConnectDecode, RejectsUnknownProtocolLevel) {
    for (uint8_t level : {0, 1, 2, 3, 6, 0x84}) {
        EXPECT_DECODE_ERROR(patched(connect_311, 8, level), pv::v3_1_1, errc::unsupported,
                            "MQTT-3.1.2-2");
    }
    // "MQIsdp" is only level 3.
    EXPECT_DECODE_ERROR(patched(connect_31, 10, 4), pv::v3_1_1, errc::unsupported, "MQTT-3.1.2-2");
}

TEST(MqttConnectDecode, RejectsTrailingBytes) {
    std::string w = connect_31 + 'x';
    w[1] = 0x10;  // remaining length 16: one byte after the client id
    EXPECT_DECODE_ERROR(w, pv::v3_1, errc::malformed, "MQTT-3.1.3-1");
}

TEST(MqttConnectDecode, RejectsMissingPayloadFields) {
    // The flags announce a user name the payload does not hold.
    EXPECT_DECODE_ERROR(patched(connect_31, 11, 0x82), pv::v3_1, errc::malformed, "runs past");
    // A will flag with nothing after the client id.
    EXPECT_DECODE_ERROR(patched(connect_31, 11, 0x06), pv::v3_1, errc::malformed, "runs past");
}

TEST(MqttConnectDecode, RejectsClientIdPastPacket) {
    std::string w = connect_31;
    w[15] = 0x09;  // client id length 9, one byte present
    EXPECT_DECODE_ERROR(w, pv::v3_1, errc::malformed, "runs past");
}

// CONNACK

TEST(MqttConnackDecode, Decodes311) {
    auto a = decode_ok<connack>(wire({
                                    0x20, 0x02,  // CONNACK, remaining length 2
                                    0x01,        // session present
                                    0x00,        // return code: accepted
                                }),
                                pv::v3_1_1);
    EXPECT_TRUE(a.session_present);
    EXPECT_EQ(a.reason_code, connect_return::accepted);
    auto b = decode_ok<connack>(wire({0x20, 0x02, 0x00, 0x05}), pv::v3_1_1);
    EXPECT_EQ(b.reason_code, connect_return::not_authorized);
}

TEST(MqttConnackEncode, Encodes311) {
    connack a;
    a.session_present = true;
    EXPECT_EQ(hex(encode_wire(a, pv::v3_1_1)), hex(wire({0x20, 0x02, 0x01, 0x00})));
    connack b;
    b.reason_code = connect_return::bad_user_name_or_password;
    b.props.reason_string = "not written in 3.x";
    EXPECT_EQ(hex(encode_wire(b, pv::v3_1_1)), hex(wire({0x20, 0x02, 0x00, 0x04})));
}

TEST(MqttConnackEncode, Encodes31WithoutSessionPresent) {
    connack a;
    a.session_present = true;  // no such flag in 3.1
    EXPECT_EQ(hex(encode_wire(a, pv::v3_1)), hex(wire({0x20, 0x02, 0x00, 0x00})));
    EXPECT_FALSE(decode_ok<connack>(wire({0x20, 0x02, 0x01, 0x00}), pv::v3_1).session_present);
}

const std::string connack_5 = wire({
    0x20, 0x06,        // CONNACK, remaining length 6
    0x00,              // no session present
    0x00,              // reason: success
    0x03,              // property length 3
    0x21, 0x00, 0x14,  //   receive maximum 20
});

TEST(MqttConnackDecode, Decodes5) {
    connack expected;
    expected.props.receive_maximum = 20;
    EXPECT_EQ(decode_ok<connack>(connack_5, pv::v5), expected);
    EXPECT_EQ(hex(encode_wire(expected, pv::v5)), hex(connack_5));
    // Without properties the Property Length 0 is still written.
    EXPECT_EQ(hex(encode_wire(connack{}, pv::v5)), hex(wire({0x20, 0x03, 0x00, 0x00, 0x00})));
}

TEST(MqttConnackDecode, RejectsReservedFlags) {
    EXPECT_DECODE_ERROR(wire({0x20, 0x02, 0x02, 0x00}), pv::v3_1_1, errc::malformed,
                        "MQTT-3.2.2-1");
    EXPECT_DECODE_ERROR(wire({0x20, 0x03, 0x80, 0x00, 0x00}), pv::v5, errc::malformed,
                        "MQTT-3.2.2-1");
}

TEST(MqttConnackDecode, RejectsSessionPresentOnFailure) {
    EXPECT_DECODE_ERROR(wire({0x20, 0x02, 0x01, 0x05}), pv::v3_1_1, errc::protocol_error,
                        "MQTT-3.2.2-4");
    EXPECT_DECODE_ERROR(wire({0x20, 0x03, 0x01, 0x87, 0x00}), pv::v5, errc::protocol_error,
                        "MQTT-3.2.2-6");
}

TEST(MqttConnackDecode, RejectsUnknownReasonCode) {
    EXPECT_DECODE_ERROR(wire({0x20, 0x03, 0x00, 0x01, 0x00}), pv::v5, errc::protocol_error,
                        "MQTT-3.2.2-8");
}

TEST(MqttConnackDecode, RejectsWrongLength) {
    EXPECT_DECODE_ERROR(wire({0x20, 0x03, 0x00, 0x00, 0x00}), pv::v3_1_1, errc::malformed,
                        "remaining length is not 2");
    EXPECT_DECODE_ERROR(wire({0x20, 0x01, 0x00}), pv::v3_1_1, errc::malformed, "runs past");
    // 5.0 CONNACK always has a Property Length.
    EXPECT_DECODE_ERROR(wire({0x20, 0x02, 0x00, 0x00}), pv::v5, errc::malformed, "runs past");
    EXPECT_DECODE_ERROR(wire({0x20, 0x04, 0x00, 0x00, 0x00, 0x00}), pv::v5, errc::malformed,
                        "no payload");
}

}  // namespace
}  // namespace robust::mqtt::codec::test
