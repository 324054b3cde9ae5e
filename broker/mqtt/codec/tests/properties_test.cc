// MQTT 5.0 properties (section 2.2.2): every property decoded from
// hand-written bytes, and the table's rules (allowed packets, repeats,
// forbidden values, lengths, limits).

#include "test_util.h"
#include "wire.h"

namespace robust::mqtt::codec::test {
namespace {

std::string varint(uint32_t v) {
    std::string out;
    detail::string_sink s{out};
    s.varint(v);
    return out;
}

// A 5.0 CONNECT for client "c" with the given property bytes, and a will
// (topic "t", empty payload) with `will_props` when that is set.
std::string connect_v5(const std::string& props,
                       const std::optional<std::string>& will_props = {}) {
    std::string body = wire({0x00, 0x04, 'M', 'Q', 'T', 'T', 0x05});
    body += char(will_props ? 0x06 : 0x02);  // (will,) clean start
    body += wire({0x00, 0x00});              // keep alive
    body += varint(uint32_t(props.size())) + props;
    body += wire({0x00, 0x01, 'c'});
    if (will_props) {
        body += varint(uint32_t(will_props->size())) + *will_props;
        body += wire({0x00, 0x01, 't', 0x00, 0x00});
    }
    return wire({0x10}) + varint(uint32_t(body.size())) + body;
}

// A 5.0 PUBACK (packet id 1, reason 0) with the given property bytes.
std::string puback_v5(const std::string& props) {
    std::string body = wire({0x00, 0x01, 0x00}) + varint(uint32_t(props.size())) + props;
    return wire({0x40}) + varint(uint32_t(body.size())) + body;
}

// A 5.0 CONNACK (success) with the given property bytes.
std::string connack_v5(const std::string& props) {
    std::string body = wire({0x00, 0x00}) + varint(uint32_t(props.size())) + props;
    return wire({0x20}) + varint(uint32_t(body.size())) + body;
}

// A 5.0 QoS 0 PUBLISH to "t" with the given property bytes.
std::string publish_v5(const std::string& props) {
    std::string body = wire({0x00, 0x01, 't'}) + varint(uint32_t(props.size())) + props;
    return wire({0x30}) + varint(uint32_t(body.size())) + body;
}

TEST(MqttPropertiesDecode, DecodesEveryConnackProperty) {
    const std::string w = wire({
        0x20, 0x41,                               // CONNACK, remaining length 65
        0x01,                                     // session present
        0x00,                                     // reason: success
        0x3e,                                     // property length 62
        0x11, 0x00, 0x00, 0x0e, 0x10,             // session expiry interval 3600
        0x12, 0x00, 0x02, 'i',  'd',              // assigned client identifier "id"
        0x13, 0x00, 0x3c,                         // server keep alive 60
        0x15, 0x00, 0x01, 'm',                    // authentication method "m"
        0x16, 0x00, 0x01, 'd',                    // authentication data "d"
        0x1a, 0x00, 0x01, 'r',                    // response information "r"
        0x1c, 0x00, 0x01, 's',                    // server reference "s"
        0x1f, 0x00, 0x02, 'o',  'k',              // reason string "ok"
        0x21, 0x00, 0x14,                         // receive maximum 20
        0x22, 0x00, 0x05,                         // topic alias maximum 5
        0x24, 0x01,                               // maximum QoS 1
        0x25, 0x00,                               // retain available 0
        0x26, 0x00, 0x01, 'a',  0x00, 0x01, 'b',  // user property a = b
        0x27, 0x00, 0x00, 0x04, 0x00,             // maximum packet size 1024
        0x28, 0x01,                               // wildcard subscription available
        0x29, 0x00,                               // subscription identifiers available 0
        0x2a, 0x01,                               // shared subscription available
    });
    connack expected;
    expected.session_present = true;
    auto& p = expected.props;
    p.session_expiry_interval = 3600;
    p.assigned_client_identifier = "id";
    p.server_keep_alive = 60;
    p.authentication_method = "m";
    p.authentication_data = "d";
    p.response_information = "r";
    p.server_reference = "s";
    p.reason_string = "ok";
    p.receive_maximum = 20;
    p.topic_alias_maximum = 5;
    p.maximum_qos = 1;
    p.retain_available = 0;
    p.user_properties = {{"a", "b"}};
    p.maximum_packet_size = 1024;
    p.wildcard_subscription_available = 1;
    p.subscription_identifiers_available = 0;
    p.shared_subscription_available = 1;
    EXPECT_EQ(decode_ok<connack>(w, pv::v5), expected);
    EXPECT_EQ(hex(encode_wire(expected, pv::v5)), hex(w));  // written in identifier order
}

TEST(MqttPropertiesDecode, DecodesEveryPublishProperty) {
    const std::string w = wire({
        0x32, 0x2b,                               // PUBLISH QoS 1, remaining length 43
        0x00, 0x01, 't',                          // topic "t"
        0x00, 0x05,                               // packet id 5
        0x24,                                     // property length 36
        0x01, 0x01,                               // payload format indicator: UTF-8
        0x02, 0x00, 0x00, 0x00, 0x1e,             // message expiry interval 30
        0x03, 0x00, 0x01, 'c',                    // content type "c"
        0x08, 0x00, 0x01, 'r',                    // response topic "r"
        0x09, 0x00, 0x02, 0x00, 0xff,             // correlation data 00 ff
        0x0b, 0x01,                               // subscription identifier 1
        0x0b, 0x80, 0x80, 0x01,                   // subscription identifier 16384
        0x23, 0x00, 0x02,                         // topic alias 2
        0x26, 0x00, 0x01, 'k',  0x00, 0x01, 'v',  // user property k = v
        'p',                                      // payload
    });
    publish expected;
    expected.qos = qos_level::at_least_once;
    expected.topic = "t";
    expected.packet_id = 5;
    expected.payload = buf("p");
    auto& p = expected.props;
    p.payload_format_indicator = 1;
    p.message_expiry_interval = 30;
    p.content_type = "c";
    p.response_topic = "r";
    p.correlation_data = std::string("\x00\xff", 2);
    p.subscription_identifiers = {1, 16384};  // repeatable in PUBLISH, in order
    p.topic_alias = 2;
    p.user_properties = {{"k", "v"}};
    EXPECT_EQ(decode_ok<publish>(w, pv::v5), expected);
    EXPECT_EQ(hex(encode_wire(expected, pv::v5)), hex(w));
}

TEST(MqttPropertiesDecode, DecodesEveryConnectAndWillProperty) {
    const std::string w = wire({
        0x10, 0x57,                               // CONNECT, remaining length 87
        0x00, 0x04, 'M',  'Q',  'T',  'T',        // protocol name
        0x05,                                     // level 5
        0x06,                                     // will, clean start
        0x00, 0x00,                               // keep alive 0
        0x23,                                     // property length 35
        0x11, 0x00, 0x00, 0x00, 0x0a,             // session expiry interval 10
        0x15, 0x00, 0x01, 'm',                    // authentication method "m"
        0x16, 0x00, 0x01, 'd',                    // authentication data "d"
        0x17, 0x00,                               // request problem information 0
        0x19, 0x01,                               // request response information 1
        0x21, 0x00, 0x0a,                         // receive maximum 10
        0x22, 0x00, 0x04,                         // topic alias maximum 4
        0x26, 0x00, 0x01, 'a',  0x00, 0x01, 'b',  // user property a = b
        0x27, 0x00, 0x00, 0x01, 0x00,             // maximum packet size 256
        0x00, 0x01, 'c',                          // client id "c"
        0x1f,                                     // will property length 31
        0x01, 0x00,                               // payload format indicator 0
        0x02, 0x00, 0x00, 0x00, 0x05,             // message expiry interval 5
        0x03, 0x00, 0x01, 'c',                    // content type "c"
        0x08, 0x00, 0x01, 'r',                    // response topic "r"
        0x09, 0x00, 0x01, 'x',                    // correlation data "x"
        0x18, 0x00, 0x00, 0x00, 0x07,             // will delay interval 7
        0x26, 0x00, 0x01, 'w',  0x00, 0x01, 'v',  // user property w = v
        0x00, 0x02, 'w',  't',                    // will topic "wt"
        0x00, 0x00,                               // will payload (empty)
    });
    connect expected;
    expected.version = pv::v5;
    expected.client_id = "c";
    auto& p = expected.props;
    p.session_expiry_interval = 10;
    p.authentication_method = "m";
    p.authentication_data = "d";
    p.request_problem_information = 0;
    p.request_response_information = 1;
    p.receive_maximum = 10;
    p.topic_alias_maximum = 4;
    p.user_properties = {{"a", "b"}};
    p.maximum_packet_size = 256;
    will_message will;
    will.topic = "wt";
    will.props.payload_format_indicator = 0;
    will.props.message_expiry_interval = 5;
    will.props.content_type = "c";
    will.props.response_topic = "r";
    will.props.correlation_data = "x";
    will.props.will_delay_interval = 7;
    will.props.user_properties = {{"w", "v"}};
    expected.will = will;
    EXPECT_EQ(decode_ok<connect>(w, pv::v5), expected);
    EXPECT_EQ(hex(encode_wire(expected, pv::v5)), hex(w));
}

TEST(MqttPropertiesDecode, RejectsUnknownIdentifier) {
    EXPECT_DECODE_ERROR(puback_v5(wire({0x05, 0x00})), pv::v5, errc::malformed, "unknown property");
    // Identifiers are varints; a two-byte one (159) names nothing in 5.0.
    EXPECT_DECODE_ERROR(puback_v5(wire({0x9f, 0x01, 0x00})), pv::v5, errc::malformed,
                        "unknown property");
}

TEST(MqttPropertiesDecode, RejectsPropertyNotAllowedForPacket) {
    // Section 2.2.2.2: an identifier not valid for the packet is malformed.
    EXPECT_DECODE_ERROR(puback_v5(wire({0x23, 0x00, 0x01})), pv::v5, errc::malformed,
                        "not valid for this packet");  // topic alias in PUBACK
    EXPECT_DECODE_ERROR(connack_v5(wire({0x17, 0x01})), pv::v5, errc::malformed,
                        "not valid for this packet");  // request problem info in CONNACK
    EXPECT_DECODE_ERROR(connect_v5(wire({0x18, 0x00, 0x00, 0x00, 0x01})), pv::v5, errc::malformed,
                        "not valid for this packet");  // will delay, not in will
    EXPECT_DECODE_ERROR(connect_v5("", wire({0x11, 0x00, 0x00, 0x00, 0x01})), pv::v5,
                        errc::malformed, "not valid for this packet");  // session expiry in will
    EXPECT_DECODE_ERROR(publish_v5(wire({0x1f, 0x00, 0x00})), pv::v5, errc::malformed,
                        "not valid for this packet");  // reason string in PUBLISH
}

TEST(MqttPropertiesDecode, RejectsRepeatedProperty) {
    EXPECT_DECODE_ERROR(puback_v5(wire({0x1f, 0x00, 0x00, 0x1f, 0x00, 0x00})), pv::v5,
                        errc::protocol_error, "Reason String included twice");
    EXPECT_DECODE_ERROR(connect_v5("", wire({0x18, 0, 0, 0, 1, 0x18, 0, 0, 0, 2})), pv::v5,
                        errc::protocol_error, "Will Delay Interval included twice");
    EXPECT_DECODE_ERROR(connack_v5(wire({0x24, 0x00, 0x24, 0x00})), pv::v5, errc::protocol_error,
                        "Maximum QoS included twice");
}

TEST(MqttPropertiesDecode, AllowsRepeatedUserProperty) {
    auto a = decode_ok<puback>(
        puback_v5(wire({0x26, 0x00, 0x01, 'a', 0x00, 0x01, '1',     // a = 1
                        0x26, 0x00, 0x01, 'a', 0x00, 0x01, '2'})),  // a = 2, order kept
        pv::v5);
    EXPECT_EQ(a.props.user_properties, (std::vector<user_property>{{"a", "1"}, {"a", "2"}}));
}

TEST(MqttSubscribeDecode, RejectsRepeatedSubscriptionIdentifier) {
    // Repeatable in PUBLISH, but "more than once" is a Protocol Error in
    // SUBSCRIBE (section 3.8.2.1.2).
    const std::string w = wire({
        0x82, 0x0b,                    // SUBSCRIBE, remaining length 11
        0x00, 0x01,                    // packet id 1
        0x04, 0x0b, 0x01, 0x0b, 0x02,  // property length 4: subscription ids 1 and 2
        0x00, 0x01, 'a', 0x00,         // filter "a", QoS 0
    });
    EXPECT_DECODE_ERROR(w, pv::v5, errc::protocol_error, "Subscription Identifier included twice");
}

TEST(MqttPropertiesDecode, RejectsSubscriptionIdentifierZero) {
    EXPECT_DECODE_ERROR(publish_v5(wire({0x0b, 0x00})), pv::v5, errc::protocol_error,
                        "Subscription Identifier of 0");
}

TEST(MqttPropertiesDecode, RejectsOverlongSubscriptionIdentifier) {
    EXPECT_DECODE_ERROR(publish_v5(wire({0x0b, 0x81, 0x00})), pv::v5, errc::malformed,
                        "MQTT-1.5.5-1");
    EXPECT_DECODE_ERROR(publish_v5(wire({0x0b, 0xff, 0xff, 0xff, 0xff, 0x01})), pv::v5,
                        errc::malformed, "MQTT-1.5.5-1");
}

TEST(MqttPropertiesDecode, RejectsForbiddenValues) {
    EXPECT_DECODE_ERROR(publish_v5(wire({0x23, 0x00, 0x00})), pv::v5, errc::protocol_error,
                        "MQTT-3.3.2-8");  // topic alias 0
    EXPECT_DECODE_ERROR(publish_v5(wire({0x01, 0x02})), pv::v5, errc::protocol_error,
                        "Payload Format Indicator not 0 or 1");
    EXPECT_DECODE_ERROR(connack_v5(wire({0x21, 0x00, 0x00})), pv::v5, errc::protocol_error,
                        "Receive Maximum of 0");
    EXPECT_DECODE_ERROR(connack_v5(wire({0x27, 0x00, 0x00, 0x00, 0x00})), pv::v5,
                        errc::protocol_error, "Maximum Packet Size of 0");
    EXPECT_DECODE_ERROR(connack_v5(wire({0x24, 0x02})), pv::v5, errc::protocol_error,
                        "Maximum QoS not 0 or 1");
    EXPECT_DECODE_ERROR(connack_v5(wire({0x25, 0x02})), pv::v5, errc::protocol_error,
                        "Retain Available not 0 or 1");
    EXPECT_DECODE_ERROR(connect_v5(wire({0x17, 0x02})), pv::v5, errc::protocol_error,
                        "Request Problem Information not 0 or 1");
    EXPECT_DECODE_ERROR(connect_v5(wire({0x19, 0x02})), pv::v5, errc::protocol_error,
                        "Request Response Information not 0 or 1");
}

TEST(MqttConnectDecode, RejectsAuthenticationDataWithoutMethod) {
    EXPECT_DECODE_ERROR(connect_v5(wire({0x16, 0x00, 0x01, 'd'})), pv::v5, errc::protocol_error,
                        "3.1.2.11.10");
}

TEST(MqttPropertiesDecode, RejectsPropertyLengthPastPacket) {
    const std::string w = wire({
        0x40, 0x04,  // PUBACK, remaining length 4
        0x00, 0x01,  // packet id 1
        0x00,        // reason: success
        0x05,        // property length 5, but no bytes follow
    });
    EXPECT_DECODE_ERROR(w, pv::v5, errc::malformed, "Property Length");
}

TEST(MqttPropertiesDecode, RejectsValuePastPropertyLength) {
    // The string runs past the 2-byte property block, though not past the
    // packet: the block bounds it.
    const std::string w = wire({
        0x40, 0x08,             // PUBACK, remaining length 8
        0x00, 0x01, 0x00,       // packet id 1, success
        0x02,                   // property length 2
        0x1f, 0x00, 0x01, 'x',  // reason string "x" (needs 4)
    });
    EXPECT_DECODE_ERROR(w, pv::v5, errc::malformed, "runs past");
}

TEST(MqttPropertiesDecode, RejectsMalformedPropertyLength) {
    EXPECT_DECODE_ERROR(wire({0x40, 0x05, 0x00, 0x01, 0x00, 0x80, 0x00}), pv::v5, errc::malformed,
                        "MQTT-1.5.5-1");
}

TEST(MqttPropertiesDecode, RejectsTooManyUserProperties) {
    decode_limits limits;
    limits.max_user_properties = 2;
    const std::string up = wire({0x26, 0x00, 0x01, 'k', 0x00, 0x00});
    EXPECT_TRUE(decode_wire(puback_v5(up + up), pv::v5, limits).ok());
    auto out = decode_wire(puback_v5(up + up + up), pv::v5, limits);
    EXPECT_EQ(out.error.code, make_error_code(errc::too_large));
    // The limit is per packet: CONNECT and will properties count together.
    limits.max_user_properties = 1;
    EXPECT_EQ(decode_wire(connect_v5(up, up), pv::v5, limits).error.code,
              make_error_code(errc::too_large));
}

TEST(MqttPropertiesEncode, WritesInIdentifierOrder) {
    puback a;
    a.packet_id = 1;
    a.props.user_properties = {{"k", "v"}};
    a.props.reason_string = "r";
    EXPECT_EQ(hex(encode_wire(a, pv::v5)), hex(wire({
                                               0x40,
                                               0x0f,  // PUBACK, length 15
                                               0x00,
                                               0x01,  // packet id 1
                                               0x00,  // success
                                               0x0b,  // property length 11
                                               0x1f,
                                               0x00,
                                               0x01,
                                               'r',  // reason string
                                               0x26,
                                               0x00,
                                               0x01,
                                               'k',  // user property
                                               0x00,
                                               0x01,
                                               'v',
                                           })));
}

TEST(MqttPropertiesEncode, WritesNoPropertiesBefore5) {
    publish p;
    p.topic = "t";
    p.props.message_expiry_interval = 5;
    p.props.user_properties = {{"k", "v"}};
    EXPECT_EQ(hex(encode_wire(p, pv::v3_1_1)), hex(wire({0x30, 0x03, 0x00, 0x01, 't'})));
}

}  // namespace
}  // namespace robust::mqtt::codec::test
