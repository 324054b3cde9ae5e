// PUBLISH (section 3.3) and PUBACK/PUBREC/PUBREL/PUBCOMP (3.4-3.7).

#include "mqtt/codec/reason_codes.h"
#include "test_util.h"

namespace robust::mqtt::codec::test {
namespace {

const std::string publish_qos1_311 = wire({
    0x32, 0x09,                 // PUBLISH QoS 1, remaining length 9
    0x00, 0x03, 'a', '/', 'b',  // topic "a/b"
    0x00, 0x0a,                 // packet id 10
    'h', 'i',                   // payload "hi"
});

publish publish_qos1_value() {
    publish p;
    p.qos = qos_level::at_least_once;
    p.topic = "a/b";
    p.packet_id = 10;
    p.payload = buf("hi");
    return p;
}

TEST(MqttPublishDecode, DecodesQos1) {
    EXPECT_EQ(decode_ok<publish>(publish_qos1_311, pv::v3_1_1), publish_qos1_value());
    EXPECT_EQ(decode_ok<publish>(publish_qos1_311, pv::v3_1), publish_qos1_value());
}

TEST(MqttPublishEncode, EncodesQos1) {
    EXPECT_EQ(hex(encode_wire(publish_qos1_value(), pv::v3_1_1)), hex(publish_qos1_311));
}

TEST(MqttPublishDecode, DecodesQos0RetainWithoutPacketId) {
    const std::string w = wire({
        0x31, 0x07,                 // PUBLISH QoS 0 retain, remaining length 7
        0x00, 0x03, 'a', '/', 'b',  // topic "a/b"
        'h', 'i',                   // payload "hi" (no packet id at QoS 0)
    });
    auto p = decode_ok<publish>(w, pv::v3_1_1);
    EXPECT_TRUE(p.retain);
    EXPECT_EQ(p.qos, qos_level::at_most_once);
    EXPECT_EQ(p.packet_id, 0);
    EXPECT_EQ(p.payload.view(), "hi");
    EXPECT_EQ(hex(encode_wire(p, pv::v3_1_1)), hex(w));
}

TEST(MqttPublishDecode, DecodesQos2Dup) {
    const std::string w = wire({
        0x3c, 0x05,       // PUBLISH DUP QoS 2, remaining length 5
        0x00, 0x01, 't',  // topic "t"
        0xff, 0xff,       // packet id 65535, empty payload
    });
    auto p = decode_ok<publish>(w, pv::v3_1_1);
    EXPECT_TRUE(p.dup);
    EXPECT_EQ(p.qos, qos_level::exactly_once);
    EXPECT_EQ(p.packet_id, 65535);
    EXPECT_TRUE(p.payload.empty());
    EXPECT_EQ(hex(encode_wire(p, pv::v3_1_1)), hex(w));
}

const std::string publish_alias_5 = wire({
    0x30, 0x07,        // PUBLISH QoS 0, remaining length 7
    0x00, 0x00,        // topic "" (the alias stands for it)
    0x03,              // property length 3
    0x23, 0x00, 0x05,  //   topic alias 5
    'x',               // payload "x"
});

TEST(MqttPublishDecode, DecodesTopicAliasWithEmptyTopic) {
    publish expected;
    expected.props.topic_alias = 5;
    expected.payload = buf("x");
    EXPECT_EQ(decode_ok<publish>(publish_alias_5, pv::v5), expected);
    EXPECT_EQ(hex(encode_wire(expected, pv::v5)), hex(publish_alias_5));
}

TEST(MqttPublishDecode, RejectsZeroPacketId) {
    const std::string w = wire({0x32, 0x05, 0x00, 0x01, 't', 0x00, 0x00});  // QoS 1, id 0
    EXPECT_DECODE_ERROR(w, pv::v3_1_1, errc::protocol_error, "MQTT-2.2.1-3");
    EXPECT_DECODE_ERROR(wire({0x34, 0x06, 0x00, 0x01, 't', 0x00, 0x00, 0x00}), pv::v5,
                        errc::protocol_error, "MQTT-2.2.1-3");
}

TEST(MqttPublishDecode, RejectsEmptyTopicWithoutAlias) {
    EXPECT_DECODE_ERROR(wire({0x30, 0x03, 0x00, 0x00, 0x00}), pv::v5, errc::protocol_error,
                        "Topic Alias");
    EXPECT_DECODE_ERROR(wire({0x30, 0x02, 0x00, 0x00}), pv::v3_1_1, errc::protocol_error,
                        "MQTT-4.7.3-1");
}

TEST(MqttPublishDecode, RejectsTopicPastPacket) {
    EXPECT_DECODE_ERROR(wire({0x30, 0x03, 0x00, 0x05, 'a'}), pv::v3_1_1, errc::malformed,
                        "runs past");
    EXPECT_DECODE_ERROR(wire({0x32, 0x04, 0x00, 0x01, 't', 0x00}), pv::v3_1_1, errc::malformed,
                        "runs past");  // half a packet id
}

TEST(MqttPublishDecode, RejectsMissingPropertyLength) {
    EXPECT_DECODE_ERROR(wire({0x30, 0x03, 0x00, 0x01, 't'}), pv::v5, errc::malformed, "runs past");
}

TEST(MqttPublishDecode, CopiesPayloadOutOfReceiveBuffer) {
    std::string w = publish_qos1_311;
    auto p = decode_ok<publish>(w, pv::v3_1_1);
    w.assign(w.size(), 'z');  // the receive buffer is reused
    EXPECT_EQ(p.payload.view(), "hi");
    EXPECT_EQ(p.topic, "a/b");
}

TEST(MqttPublishEncode, HeaderThenPayloadEqualsWholePacket) {
    for (pv v : {pv::v3_1_1, pv::v5}) {
        publish p = publish_qos1_value();
        p.payload = buf(std::string(200, 'y'));  // two-byte remaining length
        if (v == pv::v5) p.props.content_type = "text/plain";
        std::string head;
        encode_publish_header(p, v, head);
        EXPECT_EQ(hex(head + p.payload.str()), hex(encode_wire(p, v)));
    }
}

TEST(MqttPublishEncode, AppendsToExistingOutput) {
    std::string out = "prefix";
    encode(publish_qos1_value(), pv::v3_1_1, out);
    EXPECT_EQ(out, "prefix" + publish_qos1_311);
}

// Acknowledgements

TEST(MqttAckDecode, Decodes311) {
    for (uint8_t first : {0x40, 0x50, 0x62, 0x70}) {  // PUBACK PUBREC PUBREL(0010) PUBCOMP
        const std::string w = wire({first, 0x02, 0x00, 0x0a});  // packet id 10
        auto out = decode_wire(w, pv::v3_1_1);
        ASSERT_TRUE(out.ok()) << hex(w) << ": " << out.error.rule;
        EXPECT_EQ(int(type_of(out.value->pkt)), first >> 4);
        EXPECT_EQ(hex(encode_wire(out.value->pkt, pv::v3_1_1)), hex(w));
    }
    auto rel = decode_ok<pubrel>(wire({0x62, 0x02, 0x12, 0x34}), pv::v3_1_1);
    EXPECT_EQ(rel.packet_id, 0x1234);
}

TEST(MqttAckDecode, Decodes5ShortForms) {
    // Remaining Length 2: reason 0x00, no properties (section 3.4.2.1).
    auto a = decode_ok<puback>(wire({0x40, 0x02, 0x00, 0x0a}), pv::v5);
    EXPECT_EQ(a.reason_code, reason::success);
    // 3: a reason code and no Property Length.
    auto b = decode_ok<puback>(wire({0x40, 0x03, 0x00, 0x0a, 0x10}), pv::v5);
    EXPECT_EQ(b.reason_code, reason::no_matching_subscribers);
    EXPECT_EQ(b.props, properties{});
    // 4: an explicit empty property block.
    auto c = decode_ok<pubrec>(wire({0x50, 0x04, 0x00, 0x0a, 0x00, 0x00}), pv::v5);
    EXPECT_EQ(c.reason_code, reason::success);
}

const std::string puback_5 = wire({
    0x40, 0x09,                  // PUBACK, remaining length 9
    0x00, 0x0a,                  // packet id 10
    0x80,                        // reason: unspecified error
    0x05,                        // property length 5
    0x1f, 0x00, 0x02, 'n', 'o',  //   reason string "no"
});

TEST(MqttAckDecode, Decodes5WithProperties) {
    puback expected;
    expected.packet_id = 10;
    expected.reason_code = reason::unspecified_error;
    expected.props.reason_string = "no";
    EXPECT_EQ(decode_ok<puback>(puback_5, pv::v5), expected);
    EXPECT_EQ(hex(encode_wire(expected, pv::v5)), hex(puback_5));
}

TEST(MqttAckDecode, Decodes5EveryAckType) {
    const std::string pubrec_5 = wire({
        0x50, 0x03,  // PUBREC, remaining length 3
        0x00, 0x0a,  // packet id 10
        0x10,        // reason: no matching subscribers (no property length)
    });
    const std::string pubrel_5 = wire({
        0x62, 0x03,  // PUBREL (flags 0010), remaining length 3
        0x00, 0x0a,  // packet id 10
        0x92,        // reason: packet identifier not found
    });
    const std::string pubcomp_5 = wire({
        0x70, 0x08,             // PUBCOMP, remaining length 8
        0x00, 0x0a,             // packet id 10
        0x92,                   // reason: packet identifier not found
        0x04,                   // property length 4
        0x1f, 0x00, 0x01, '?',  //   reason string "?"
    });
    pubrec rec;
    rec.packet_id = 10;
    rec.reason_code = reason::no_matching_subscribers;
    EXPECT_EQ(decode_ok<pubrec>(pubrec_5, pv::v5), rec);
    EXPECT_EQ(hex(encode_wire(rec, pv::v5)), hex(pubrec_5));
    pubrel rel;
    rel.packet_id = 10;
    rel.reason_code = reason::packet_identifier_not_found;
    EXPECT_EQ(decode_ok<pubrel>(pubrel_5, pv::v5), rel);
    EXPECT_EQ(hex(encode_wire(rel, pv::v5)), hex(pubrel_5));
    pubcomp comp;
    comp.packet_id = 10;
    comp.reason_code = reason::packet_identifier_not_found;
    comp.props.reason_string = "?";
    EXPECT_EQ(decode_ok<pubcomp>(pubcomp_5, pv::v5), comp);
    EXPECT_EQ(hex(encode_wire(comp, pv::v5)), hex(pubcomp_5));
}

TEST(MqttAckEncode, UsesShortForms) {
    puback a;
    a.packet_id = 10;
    EXPECT_EQ(hex(encode_wire(a, pv::v5)), hex(wire({0x40, 0x02, 0x00, 0x0a})));
    a.reason_code = reason::no_matching_subscribers;
    EXPECT_EQ(hex(encode_wire(a, pv::v5)), hex(wire({0x40, 0x03, 0x00, 0x0a, 0x10})));
    pubrel r;
    r.packet_id = 10;
    r.props.user_properties = {{"k", ""}};
    EXPECT_EQ(hex(encode_wire(r, pv::v5)), hex(wire({
                                               0x62,
                                               0x0a,  // PUBREL, length 10
                                               0x00,
                                               0x0a,  // packet id 10
                                               0x00,  // success, written
                                               0x06,  // property length 6
                                               0x26,
                                               0x00,
                                               0x01,  // user property k = ""
                                               'k',
                                               0x00,
                                               0x00,
                                           })));
    // 3.x has neither reason codes nor properties.
    a.props.reason_string = "dropped";
    EXPECT_EQ(hex(encode_wire(a, pv::v3_1_1)), hex(wire({0x40, 0x02, 0x00, 0x0a})));
}

TEST(MqttAckDecode, RejectsZeroPacketId) {
    EXPECT_DECODE_ERROR(wire({0x40, 0x02, 0x00, 0x00}), pv::v3_1_1, errc::protocol_error,
                        "MQTT-2.2.1-5");
    EXPECT_DECODE_ERROR(wire({0x70, 0x02, 0x00, 0x00}), pv::v5, errc::protocol_error,
                        "MQTT-2.2.1-5");
}

TEST(MqttAckDecode, RejectsWrongLengthBefore5) {
    EXPECT_DECODE_ERROR(wire({0x40, 0x03, 0x00, 0x0a, 0x00}), pv::v3_1_1, errc::malformed,
                        "remaining length is not 2");
    EXPECT_DECODE_ERROR(wire({0x50, 0x01, 0x00}), pv::v3_1_1, errc::malformed, "runs past");
}

TEST(MqttAckDecode, RejectsReasonCodeNotAllowed) {
    EXPECT_DECODE_ERROR(wire({0x40, 0x03, 0x00, 0x0a, 0x01}), pv::v5, errc::protocol_error,
                        "MQTT-3.4.2-1");
    EXPECT_DECODE_ERROR(wire({0x50, 0x03, 0x00, 0x0a, 0x92}), pv::v5, errc::protocol_error,
                        "MQTT-3.5.2-1");
    EXPECT_DECODE_ERROR(wire({0x62, 0x03, 0x00, 0x0a, 0x10}), pv::v5, errc::protocol_error,
                        "MQTT-3.6.2-1");
    EXPECT_DECODE_ERROR(wire({0x70, 0x03, 0x00, 0x0a, 0x80}), pv::v5, errc::protocol_error,
                        "MQTT-3.7.2-1");
}

TEST(MqttAckDecode, RejectsTrailingBytes) {
    EXPECT_DECODE_ERROR(wire({0x40, 0x05, 0x00, 0x0a, 0x00, 0x00, 0x00}), pv::v5, errc::malformed,
                        "no payload");
}

TEST(MqttPubrelDecode, RejectsReservedFlags) {
    // [MQTT-3.6.1-1] PUBREL's flags are 0010.
    EXPECT_DECODE_ERROR(wire({0x60, 0x02, 0x00, 0x0a}), pv::v3_1_1, errc::malformed,
                        "MQTT-3.6.1-1");
}

}  // namespace
}  // namespace robust::mqtt::codec::test
