// SUBSCRIBE (3.8), SUBACK (3.9), UNSUBSCRIBE (3.10), UNSUBACK (3.11).

#include "mqtt/codec/reason_codes.h"
#include "test_util.h"

namespace robust::mqtt::codec::test {
namespace {

const std::string subscribe_311 = wire({
    0x82, 0x0c,                 // SUBSCRIBE (flags 0010), remaining length 12
    0x00, 0x0a,                 // packet id 10
    0x00, 0x03, 'a', '/', 'b',  // filter "a/b"
    0x01,                       //   requested QoS 1
    0x00, 0x01, '#',            // filter "#"
    0x02,                       //   requested QoS 2
});

subscribe subscribe_311_value() {
    subscribe s;
    s.packet_id = 10;
    s.subscriptions = {{"a/b", {qos_level::at_least_once}}, {"#", {qos_level::exactly_once}}};
    return s;
}

TEST(MqttSubscribeDecode, Decodes311) {
    EXPECT_EQ(decode_ok<subscribe>(subscribe_311, pv::v3_1_1), subscribe_311_value());
    EXPECT_EQ(hex(encode_wire(subscribe_311_value(), pv::v3_1_1)), hex(subscribe_311));
}

const std::string subscribe_5 = wire({
    0x82, 0x0b,                 // SUBSCRIBE, remaining length 11
    0x00, 0x0a,                 // packet id 10
    0x02,                       // property length 2
    0x0b, 0x07,                 //   subscription identifier 7
    0x00, 0x03, 'a', '/', '#',  // filter "a/#"
    0x2d,                       //   retain handling 2, retain as published,
                                //   no local, maximum QoS 1
});

TEST(MqttSubscribeDecode, Decodes5) {
    subscribe expected;
    expected.packet_id = 10;
    expected.props.subscription_identifiers = {7};
    expected.subscriptions = {{"a/#", {qos_level::at_least_once, true, true, 2}}};
    EXPECT_EQ(decode_ok<subscribe>(subscribe_5, pv::v5), expected);
    EXPECT_EQ(hex(encode_wire(expected, pv::v5)), hex(subscribe_5));
}

TEST(MqttSubscribeEncode, WritesOnlyQosBefore5) {
    subscribe s;
    s.packet_id = 1;
    s.subscriptions = {{"t", {qos_level::at_least_once, true, true, 2}}};
    EXPECT_EQ(hex(encode_wire(s, pv::v3_1_1)),
              hex(wire({0x82, 0x06, 0x00, 0x01, 0x00, 0x01, 't', 0x01})));
}

TEST(MqttSubscribeDecode, RejectsNoTopicFilters) {
    EXPECT_DECODE_ERROR(wire({0x82, 0x02, 0x00, 0x0a}), pv::v3_1_1, errc::protocol_error,
                        "MQTT-3.8.3-3");
    EXPECT_DECODE_ERROR(wire({0x82, 0x03, 0x00, 0x0a, 0x00}), pv::v5, errc::protocol_error,
                        "MQTT-3.8.3-2");
}

TEST(MqttSubscribeDecode, RejectsZeroPacketId) {
    EXPECT_DECODE_ERROR(wire({0x82, 0x06, 0x00, 0x00, 0x00, 0x01, 't', 0x00}), pv::v3_1_1,
                        errc::protocol_error, "MQTT-2.2.1-3");
}

TEST(MqttSubscribeDecode, RejectsReservedFlags) {
    EXPECT_DECODE_ERROR(wire({0x80, 0x06, 0x00, 0x01, 0x00, 0x01, 't', 0x00}), pv::v3_1_1,
                        errc::malformed, "MQTT-3.8.1-1");
}

// A SUBSCRIBE for filter `filter` with options byte `options`.
std::string subscribe_with(uint8_t options, pv v, const std::string& filter = "t") {
    std::string body = wire({0x00, 0x01});
    if (v == pv::v5) body += '\0';  // property length 0
    body += wire({0x00, uint8_t(filter.size())}) + filter;
    body += char(options);
    return wire({0x82, uint8_t(body.size())}) + body;
}

TEST(MqttSubscribeDecode, RejectsReservedOptionBitsBefore5) {
    // [MQTT-3-8.3-4]: 3.1.1 has only QoS in the options byte.
    EXPECT_DECODE_ERROR(subscribe_with(0x04, pv::v3_1_1), pv::v3_1_1, errc::malformed,
                        "reserved option bits");
    EXPECT_DECODE_ERROR(subscribe_with(0x80, pv::v3_1), pv::v3_1, errc::malformed,
                        "reserved option bits");
}

TEST(MqttSubscribeDecode, RejectsQos3Before5) {
    EXPECT_DECODE_ERROR(subscribe_with(0x03, pv::v3_1_1), pv::v3_1_1, errc::malformed, "QoS 3");
}

TEST(MqttSubscribeDecode, RejectsReservedOptionBits) {
    // [MQTT-3.8.3-5] bits 6 and 7 are reserved: malformed.
    EXPECT_DECODE_ERROR(subscribe_with(0x40, pv::v5), pv::v5, errc::malformed, "MQTT-3.8.3-5");
    EXPECT_DECODE_ERROR(subscribe_with(0x81, pv::v5), pv::v5, errc::malformed, "MQTT-3.8.3-5");
}

TEST(MqttSubscribeDecode, RejectsQos3) {
    // 5.0 section 3.8.3.1: "It is a Protocol Error if the Maximum QoS field
    // has the value 3."
    EXPECT_DECODE_ERROR(subscribe_with(0x03, pv::v5), pv::v5, errc::protocol_error,
                        "Maximum QoS 3");
}

TEST(MqttSubscribeDecode, RejectsRetainHandling3) {
    // 5.0 section 3.8.3.1: "It is a Protocol Error to send a Retain Handling
    // value of 3."
    EXPECT_DECODE_ERROR(subscribe_with(0x30, pv::v5), pv::v5, errc::protocol_error,
                        "Retain Handling 3");
}

TEST(MqttSubscribeDecode, RejectsNoLocalOnSharedSubscription) {
    EXPECT_DECODE_ERROR(subscribe_with(0x04, pv::v5, "$share/g/t"), pv::v5, errc::protocol_error,
                        "MQTT-3.8.3-4");
    decode_ok<subscribe>(subscribe_with(0x04, pv::v5, "t"), pv::v5);
    decode_ok<subscribe>(subscribe_with(0x01, pv::v5, "$share/g/t"), pv::v5);
}

TEST(MqttSubscribeDecode, RejectsFilterWithoutOptions) {
    EXPECT_DECODE_ERROR(wire({0x82, 0x05, 0x00, 0x01, 0x00, 0x01, 't'}), pv::v3_1_1,
                        errc::malformed, "runs past");
}

TEST(MqttSubscribeDecode, RejectsTooManyFilters) {
    decode_limits limits;
    limits.max_topic_filters = 1;
    EXPECT_EQ(decode_wire(subscribe_311, pv::v3_1_1, limits).error.code,
              make_error_code(errc::too_large));
}

TEST(MqttSubscribeDecode, LeavesFilterSyntaxToTheBroker) {
    // 5.0 answers a bad filter per entry with SUBACK 0x8F, so the codec
    // passes it on rather than closing the connection.
    EXPECT_EQ(
        decode_ok<subscribe>(subscribe_with(0x00, pv::v5, "a/#/b"), pv::v5).subscriptions[0].filter,
        "a/#/b");
}

// SUBACK

TEST(MqttSubackDecode, Decodes311) {
    const std::string w = wire({
        0x90, 0x06,              // SUBACK, remaining length 6
        0x00, 0x0a,              // packet id 10
        0x00, 0x01, 0x02, 0x80,  // granted 0, 1, 2, failure
    });
    suback expected;
    expected.packet_id = 10;
    expected.reason_codes = {0x00, 0x01, 0x02, 0x80};
    EXPECT_EQ(decode_ok<suback>(w, pv::v3_1_1), expected);
    EXPECT_EQ(hex(encode_wire(expected, pv::v3_1_1)), hex(w));
}

TEST(MqttSubackDecode, RejectsReturnCodeBefore5) {
    // [MQTT-3.9.3-2] 3.1.1 allows 0x00, 0x01, 0x02, 0x80 only.
    EXPECT_DECODE_ERROR(wire({0x90, 0x03, 0x00, 0x0a, 0x03}), pv::v3_1_1, errc::protocol_error,
                        "MQTT-3.9.3-2");
    EXPECT_DECODE_ERROR(wire({0x90, 0x03, 0x00, 0x0a, 0x87}), pv::v3_1_1, errc::protocol_error,
                        "MQTT-3.9.3-2");
    // 3.1 had no failure code.
    EXPECT_DECODE_ERROR(wire({0x90, 0x03, 0x00, 0x0a, 0x80}), pv::v3_1, errc::protocol_error,
                        "MQTT-3.9.3-2");
}

const std::string suback_5 = wire({
    0x90, 0x0e,                  // SUBACK, remaining length 14
    0x00, 0x0a,                  // packet id 10
    0x05,                        // property length 5
    0x1f, 0x00, 0x02, 'o', 'k',  //   reason string "ok"
    0x00, 0x01, 0x02,            // granted QoS 0, 1, 2
    0x80, 0x8f, 0xa2,            // unspecified, topic filter invalid, no wildcards
});

TEST(MqttSubackDecode, Decodes5) {
    suback expected;
    expected.packet_id = 10;
    expected.props.reason_string = "ok";
    expected.reason_codes = {0x00, 0x01, 0x02, 0x80, 0x8f, 0xa2};
    EXPECT_EQ(decode_ok<suback>(suback_5, pv::v5), expected);
    EXPECT_EQ(hex(encode_wire(expected, pv::v5)), hex(suback_5));
}

TEST(MqttSubackDecode, RejectsReasonCodeNotAllowed) {
    EXPECT_DECODE_ERROR(wire({0x90, 0x04, 0x00, 0x0a, 0x00, 0x11}), pv::v5, errc::protocol_error,
                        "MQTT-3.9.3-2");
}

TEST(MqttSubackDecode, RejectsEmptyReasonCodes) {
    EXPECT_DECODE_ERROR(wire({0x90, 0x02, 0x00, 0x0a}), pv::v3_1_1, errc::protocol_error,
                        "without reason codes");
    EXPECT_DECODE_ERROR(wire({0x90, 0x03, 0x00, 0x0a, 0x00}), pv::v5, errc::protocol_error,
                        "without reason codes");
}

TEST(MqttSubackDecode, RejectsZeroPacketId) {
    EXPECT_DECODE_ERROR(wire({0x90, 0x03, 0x00, 0x00, 0x00}), pv::v3_1_1, errc::protocol_error,
                        "MQTT-2.2.1-6");
}

// UNSUBSCRIBE

const std::string unsubscribe_311 = wire({
    0xa2, 0x0a,                 // UNSUBSCRIBE (flags 0010), remaining length 10
    0x00, 0x0b,                 // packet id 11
    0x00, 0x03, 'a', '/', 'b',  // filter "a/b"
    0x00, 0x01, 'c',            // filter "c"
});

TEST(MqttUnsubscribeDecode, Decodes311) {
    unsubscribe expected;
    expected.packet_id = 11;
    expected.filters = {"a/b", "c"};
    EXPECT_EQ(decode_ok<unsubscribe>(unsubscribe_311, pv::v3_1_1), expected);
    EXPECT_EQ(hex(encode_wire(expected, pv::v3_1_1)), hex(unsubscribe_311));
}

TEST(MqttUnsubscribeDecode, Decodes5) {
    const std::string w = wire({
        0xa2, 0x0d,                              // UNSUBSCRIBE, remaining length 13
        0x00, 0x0b,                              // packet id 11
        0x07,                                    // property length 7
        0x26, 0x00, 0x01, 'k', 0x00, 0x01, 'v',  //   user property k = v
        0x00, 0x01, 'c',                         // filter "c"
    });
    unsubscribe expected;
    expected.packet_id = 11;
    expected.props.user_properties = {{"k", "v"}};
    expected.filters = {"c"};
    EXPECT_EQ(decode_ok<unsubscribe>(w, pv::v5), expected);
    EXPECT_EQ(hex(encode_wire(expected, pv::v5)), hex(w));
}

TEST(MqttUnsubscribeDecode, RejectsNoTopicFilters) {
    EXPECT_DECODE_ERROR(wire({0xa2, 0x02, 0x00, 0x0b}), pv::v3_1_1, errc::protocol_error,
                        "MQTT-3.10.3-2");
    EXPECT_DECODE_ERROR(wire({0xa2, 0x03, 0x00, 0x0b, 0x00}), pv::v5, errc::protocol_error,
                        "MQTT-3.10.3-2");
}

TEST(MqttUnsubscribeDecode, RejectsZeroPacketId) {
    EXPECT_DECODE_ERROR(wire({0xa2, 0x05, 0x00, 0x00, 0x00, 0x01, 'c'}), pv::v3_1_1,
                        errc::protocol_error, "MQTT-2.2.1-3");
}

TEST(MqttUnsubscribeDecode, RejectsReservedFlags) {
    EXPECT_DECODE_ERROR(wire({0xa0, 0x05, 0x00, 0x0b, 0x00, 0x01, 'c'}), pv::v3_1_1,
                        errc::malformed, "MQTT-3.10.1-1");
}

TEST(MqttUnsubscribeDecode, RejectsTooManyFilters) {
    decode_limits limits;
    limits.max_topic_filters = 1;
    EXPECT_EQ(decode_wire(unsubscribe_311, pv::v3_1_1, limits).error.code,
              make_error_code(errc::too_large));
}

// UNSUBACK

TEST(MqttUnsubackDecode, Decodes311WithoutPayload) {
    const std::string w = wire({0xb0, 0x02, 0x00, 0x0b});  // UNSUBACK, packet id 11
    auto u = decode_ok<unsuback>(w, pv::v3_1_1);
    EXPECT_EQ(u.packet_id, 11);
    EXPECT_TRUE(u.reason_codes.empty());
    u.reason_codes = {0x00};  // not written in 3.x
    EXPECT_EQ(hex(encode_wire(u, pv::v3_1_1)), hex(w));
    EXPECT_DECODE_ERROR(wire({0xb0, 0x03, 0x00, 0x0b, 0x00}), pv::v3_1_1, errc::malformed,
                        "remaining length is not 2");
}

TEST(MqttUnsubackDecode, Decodes5) {
    const std::string w = wire({
        0xb0, 0x05,  // UNSUBACK, remaining length 5
        0x00, 0x0b,  // packet id 11
        0x00,        // property length 0
        0x00, 0x11,  // success, no subscription existed
    });
    unsuback expected;
    expected.packet_id = 11;
    expected.reason_codes = {reason::success, reason::no_subscription_existed};
    EXPECT_EQ(decode_ok<unsuback>(w, pv::v5), expected);
    EXPECT_EQ(hex(encode_wire(expected, pv::v5)), hex(w));
}

TEST(MqttUnsubackDecode, RejectsReasonCodeNotAllowed) {
    EXPECT_DECODE_ERROR(wire({0xb0, 0x04, 0x00, 0x0b, 0x00, 0x01}), pv::v5, errc::protocol_error,
                        "MQTT-3.11.3-2");
}

}  // namespace
}  // namespace robust::mqtt::codec::test
