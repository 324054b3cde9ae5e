// PINGREQ (3.12), PINGRESP (3.13), DISCONNECT (3.14), AUTH (3.15).

#include "mqtt/codec/reason_codes.h"
#include "test_util.h"

namespace robust::mqtt::codec::test {
namespace {

TEST(MqttPingDecode, DecodesAndEncodes) {
    for (pv v : {pv::v3_1, pv::v3_1_1, pv::v5}) {
        decode_ok<pingreq>(wire({0xc0, 0x00}), v);   // PINGREQ, remaining length 0
        decode_ok<pingresp>(wire({0xd0, 0x00}), v);  // PINGRESP, remaining length 0
        EXPECT_EQ(hex(encode_wire(pingreq{}, v)), "c0 00");
        EXPECT_EQ(hex(encode_wire(pingresp{}, v)), "d0 00");
    }
}

TEST(MqttPingDecode, RejectsPayload) {
    EXPECT_DECODE_ERROR(wire({0xc0, 0x01, 0x00}), pv::v3_1_1, errc::malformed,
                        "PINGREQ remaining length is not 0");
    EXPECT_DECODE_ERROR(wire({0xd0, 0x01, 0x00}), pv::v5, errc::malformed,
                        "PINGRESP remaining length is not 0");
}

TEST(MqttDisconnectDecode, Decodes311) {
    decode_ok<disconnect>(wire({0xe0, 0x00}), pv::v3_1_1);
    disconnect d;
    d.reason_code = reason::server_shutting_down;  // not written in 3.x
    EXPECT_EQ(hex(encode_wire(d, pv::v3_1_1)), "e0 00");
    EXPECT_DECODE_ERROR(wire({0xe0, 0x01, 0x00}), pv::v3_1_1, errc::malformed,
                        "remaining length is not 0");
}

TEST(MqttDisconnectDecode, Decodes5ShortForms) {
    // Remaining Length 0: normal disconnection (section 3.14.2.1).
    EXPECT_EQ(decode_ok<disconnect>(wire({0xe0, 0x00}), pv::v5), disconnect{});
    // 1: a reason code, Property Length 0 implied (section 3.14.2.2.1).
    auto d = decode_ok<disconnect>(wire({0xe0, 0x01, 0x04}), pv::v5);
    EXPECT_EQ(d.reason_code, reason::disconnect_with_will_message);
}

const std::string disconnect_5 = wire({
    0xe0, 0x15,                    // DISCONNECT, remaining length 21
    0x9c,                          // reason: use another server
    0x13,                          // property length 19
    0x11, 0x00, 0x00, 0x00, 0x3c,  //   session expiry interval 60
    0x1c, 0x00, 0x01, 's',         //   server reference "s"
    0x1f, 0x00, 0x02, 'b',  'y',   //   reason string "by"
    0x26, 0x00, 0x00, 0x00, 0x00,  //   user property "" = ""
});

TEST(MqttDisconnectDecode, Decodes5WithProperties) {
    disconnect expected;
    expected.reason_code = reason::use_another_server;
    expected.props.session_expiry_interval = 60;
    expected.props.server_reference = "s";
    expected.props.reason_string = "by";
    expected.props.user_properties = {{"", ""}};
    EXPECT_EQ(decode_ok<disconnect>(disconnect_5, pv::v5), expected);
    EXPECT_EQ(hex(encode_wire(expected, pv::v5)), hex(disconnect_5));
}

TEST(MqttDisconnectEncode, UsesShortForms) {
    EXPECT_EQ(hex(encode_wire(disconnect{}, pv::v5)), "e0 00");
    disconnect d;
    d.reason_code = reason::disconnect_with_will_message;
    EXPECT_EQ(hex(encode_wire(d, pv::v5)), "e0 01 04");
}

TEST(MqttDisconnectDecode, RejectsReasonCodeNotAllowed) {
    EXPECT_DECODE_ERROR(wire({0xe0, 0x01, 0x01}), pv::v5, errc::protocol_error, "MQTT-3.14.2-1");
    EXPECT_DECODE_ERROR(wire({0xe0, 0x01, 0x84}), pv::v5, errc::protocol_error, "MQTT-3.14.2-1");
}

TEST(MqttDisconnectDecode, RejectsPropertyNotAllowed) {
    EXPECT_DECODE_ERROR(wire({0xe0, 0x05, 0x00, 0x03, 0x21, 0x00, 0x01}), pv::v5, errc::malformed,
                        "not valid for this packet");  // receive maximum
}

TEST(MqttDisconnectDecode, RejectsTrailingBytes) {
    EXPECT_DECODE_ERROR(wire({0xe0, 0x03, 0x00, 0x00, 0x00}), pv::v5, errc::malformed,
                        "no payload");
}

TEST(MqttDisconnectDecode, RejectsReservedFlags) {
    EXPECT_DECODE_ERROR(wire({0xe1, 0x00}), pv::v5, errc::malformed, "MQTT-2.1.3-1");
}

const std::string auth_5 = wire({
    0xf0, 0x0a,             // AUTH, remaining length 10
    0x18,                   // reason: continue authentication
    0x08,                   // property length 8
    0x15, 0x00, 0x01, 'm',  //   authentication method "m"
    0x16, 0x00, 0x01, 'd',  //   authentication data "d"
});

TEST(MqttAuthDecode, Decodes5) {
    auth expected;
    expected.reason_code = reason::continue_authentication;
    expected.props.authentication_method = "m";
    expected.props.authentication_data = "d";
    EXPECT_EQ(decode_ok<auth>(auth_5, pv::v5), expected);
    EXPECT_EQ(hex(encode_wire(expected, pv::v5)), hex(auth_5));
}

TEST(MqttAuthDecode, DecodesShortForm) {
    EXPECT_EQ(decode_ok<auth>(wire({0xf0, 0x00}), pv::v5), auth{});
    EXPECT_EQ(hex(encode_wire(auth{}, pv::v5)), "f0 00");
    // A reason code alone still gets its Property Length when encoded.
    auth a;
    a.reason_code = reason::re_authenticate;
    EXPECT_EQ(hex(encode_wire(a, pv::v5)), "f0 02 19 00");
}

TEST(MqttAuthDecode, RejectsMissingPropertyLength) {
    // Unlike DISCONNECT, AUTH has no "less than 2" rule (section 3.15.2.2.1).
    EXPECT_DECODE_ERROR(wire({0xf0, 0x01, 0x18}), pv::v5, errc::malformed, "runs past");
}

TEST(MqttAuthDecode, RejectsMissingAuthenticationMethod) {
    EXPECT_DECODE_ERROR(wire({
                            0xf0, 0x06,             // AUTH, remaining length 6
                            0x18,                   // continue authentication
                            0x04,                   // property length 4
                            0x16, 0x00, 0x01, 'd',  //   authentication data only
                        }),
                        pv::v5, errc::protocol_error, "without Authentication Method");
}

TEST(MqttAuthDecode, RejectsReasonCodeNotAllowed) {
    EXPECT_DECODE_ERROR(wire({0xf0, 0x02, 0x80, 0x00}), pv::v5, errc::protocol_error,
                        "MQTT-3.15.2-1");
}

TEST(MqttAuthDecode, RejectsPropertyNotAllowed) {
    EXPECT_DECODE_ERROR(wire({0xf0, 0x04, 0x18, 0x02, 0x24, 0x01}), pv::v5, errc::malformed,
                        "not valid for this packet");  // maximum QoS
}

}  // namespace
}  // namespace robust::mqtt::codec::test
