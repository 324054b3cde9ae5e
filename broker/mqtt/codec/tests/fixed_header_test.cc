// Fixed header: packet type, reserved flags, Remaining Length varint, size
// limit (5.0 section 2.1, 3.1.1 section 2.2).

#include <limits>

#include "test_util.h"
#include "wire.h"

namespace robust::mqtt::codec::test {
namespace {

decode_limits unlimited() {
    decode_limits l;
    l.max_packet_size = std::numeric_limits<uint32_t>::max();
    return l;
}

decode_outcome<fixed_header> header_of(const std::string& w, const decode_limits& l = {}) {
    return decode_fixed_header(as_bytes(w), l);
}

TEST(MqttFixedHeader, DecodesTypeFlagsAndLength) {
    auto h = header_of(wire({0x3b, 0x05}));  // PUBLISH dup qos1 retain, remaining length 5
    ASSERT_TRUE(h.ok()) << h.error.rule;
    EXPECT_EQ(h.value->type, packet_type::publish);
    EXPECT_EQ(h.value->flags, 0x0b);
    EXPECT_EQ(h.value->remaining_length, 5u);
    EXPECT_EQ(h.value->header_size, 2);
    EXPECT_EQ(h.value->packet_size(), 7u);
}

TEST(MqttFixedHeader, EmptyInputNeedsMoreData) {
    auto h = header_of("");
    EXPECT_EQ(h.error.code, make_error_code(errc::need_more_data));
}

TEST(MqttFixedHeader, PartialRemainingLengthNeedsMoreData) {
    for (const auto& w : {wire({0x30}), wire({0x30, 0x80}), wire({0x30, 0xff, 0xff}),
                          wire({0x30, 0xff, 0xff, 0xff})}) {
        EXPECT_EQ(header_of(w).error.code, make_error_code(errc::need_more_data)) << hex(w);
    }
}

struct varint_case {
    uint32_t value;
    std::string bytes;
};

// Each boundary of the 1..4 byte encodings (5.0 section 1.5.5, table 1-1),
// up to the maximum 268,435,455.
const std::vector<varint_case> varint_boundaries = {
    {0, wire({0x00})},
    {127, wire({0x7f})},
    {128, wire({0x80, 0x01})},
    {16'383, wire({0xff, 0x7f})},
    {16'384, wire({0x80, 0x80, 0x01})},
    {2'097'151, wire({0xff, 0xff, 0x7f})},
    {2'097'152, wire({0x80, 0x80, 0x80, 0x01})},
    {268'435'455, wire({0xff, 0xff, 0xff, 0x7f})},
};

TEST(MqttFixedHeader, DecodesRemainingLengthBoundaries) {
    for (const auto& c : varint_boundaries) {
        auto h = header_of(wire({0xc0}) + c.bytes, unlimited());
        ASSERT_TRUE(h.ok()) << c.value << ": " << h.error.rule;
        EXPECT_EQ(h.value->remaining_length, c.value);
        EXPECT_EQ(h.value->header_size, 1 + c.bytes.size());
    }
}

TEST(MqttFixedHeader, EncodesRemainingLengthBoundaries) {
    for (const auto& c : varint_boundaries) {
        std::string out;
        detail::string_sink s{out};
        s.varint(c.value);
        EXPECT_EQ(hex(out), hex(c.bytes)) << c.value;
        EXPECT_EQ(detail::varint_size(c.value), c.bytes.size());
    }
}

TEST(MqttFixedHeader, RejectsRemainingLengthOverFourBytes) {
    // [MQTT-1.5.5-1] / 3.1.1 section 2.2.3: at most four bytes; a fourth
    // byte with its continuation bit is malformed before a fifth arrives.
    EXPECT_EQ(header_of(wire({0x30, 0xff, 0xff, 0xff, 0xff})).error.code,
              make_error_code(errc::malformed));
    EXPECT_EQ(header_of(wire({0x30, 0xff, 0xff, 0xff, 0xff, 0x01})).error.code,
              make_error_code(errc::malformed));
}

TEST(MqttFixedHeader, RejectsOverlongRemainingLength) {
    // [MQTT-1.5.5-1] the minimum number of bytes: 0x80 0x00 is 0 in two.
    auto h = header_of(wire({0x30, 0x80, 0x00}));
    EXPECT_EQ(h.error.code, make_error_code(errc::malformed));
    EXPECT_NE(std::string(h.error.rule).find("MQTT-1.5.5-1"), std::string::npos);
    EXPECT_EQ(header_of(wire({0x30, 0xff, 0x80, 0x00})).error.code,
              make_error_code(errc::malformed));
}

TEST(MqttFixedHeader, RejectsPacketTypeZero) {
    EXPECT_EQ(header_of(wire({0x00, 0x00})).error.code, make_error_code(errc::malformed));
}

TEST(MqttFixedHeader, RejectsReservedFlags) {
    // [MQTT-2.1.3-1]: every type but PUBLISH has fixed flags: 0010 for
    // PUBREL, SUBSCRIBE and UNSUBSCRIBE, 0000 for the rest.
    for (int type = 1; type <= 15; ++type) {
        if (type == int(packet_type::publish)) continue;
        const bool two = type == int(packet_type::pubrel) || type == int(packet_type::subscribe) ||
                         type == int(packet_type::unsubscribe);
        for (int flags = 0; flags < 16; ++flags) {
            auto h = header_of(wire({uint8_t(type << 4 | flags), 0x00}));
            if (flags == (two ? 2 : 0)) {
                EXPECT_TRUE(h.ok()) << type << "/" << flags << ": " << h.error.rule;
            } else {
                EXPECT_EQ(h.error.code, make_error_code(errc::malformed)) << type << "/" << flags;
            }
        }
    }
}

TEST(MqttFixedHeader, RejectsFlagsBeforeLengthArrives) {
    // A bad first byte fails at once rather than waiting for the length.
    EXPECT_EQ(header_of(wire({0x83})).error.code, make_error_code(errc::malformed));
}

TEST(MqttPublishDecode, RejectsQos3) {
    auto h = header_of(wire({0x36, 0x00}));  // [MQTT-3.3.1-4]
    EXPECT_EQ(h.error.code, make_error_code(errc::malformed));
    EXPECT_NE(std::string(h.error.rule).find("MQTT-3.3.1-4"), std::string::npos);
}

TEST(MqttPublishDecode, RejectsDupOnQos0) {
    auto h = header_of(wire({0x38, 0x00}));  // [MQTT-3.3.1-2]
    EXPECT_EQ(h.error.code, make_error_code(errc::malformed));
    EXPECT_NE(std::string(h.error.rule).find("MQTT-3.3.1-2"), std::string::npos);
    EXPECT_TRUE(header_of(wire({0x3a, 0x00})).ok());  // DUP with QoS 1 is fine
}

TEST(MqttFixedHeader, RejectsPacketAboveLimit) {
    decode_limits l;
    l.max_packet_size = 10;
    EXPECT_TRUE(header_of(wire({0x30, 0x08}), l).ok());  // 10 bytes in all
    auto h = header_of(wire({0x30, 0x09}), l);           // 11
    EXPECT_EQ(h.error.code, make_error_code(errc::too_large));
    // decode() refuses before the body arrives, so nothing is buffered.
    EXPECT_EQ(decode_wire(wire({0x30, 0x09}), pv::v5, l).error.code,
              make_error_code(errc::too_large));
}

TEST(MqttFixedHeader, DecodeWaitsForWholePacket) {
    EXPECT_EQ(decode_error_of(wire({0x30, 0x05, 0x00, 0x01, 'a', 'x'}), pv::v3_1_1).code,
              make_error_code(errc::need_more_data));
}

TEST(MqttFixedHeader, DecodesOnePacketOfAStream) {
    auto out = decode_wire(wire({0xc0, 0x00, 0xd0, 0x00}), pv::v3_1_1);  // PINGREQ, PINGRESP
    ASSERT_TRUE(out.ok());
    EXPECT_EQ(out.value->consumed, 2u);
    EXPECT_TRUE(std::holds_alternative<pingreq>(out.value->pkt));
}

TEST(MqttFixedHeader, RejectsAuthBefore5) {
    // Type 15 is reserved in 3.1.1 (table 2.1) and AUTH in 5.0.
    EXPECT_DECODE_ERROR(wire({0xf0, 0x00}), pv::v3_1_1, errc::malformed, "type 15");
    EXPECT_DECODE_ERROR(wire({0xf0, 0x00}), pv::v3_1, errc::malformed, "type 15");
    decode_ok<auth>(wire({0xf0, 0x00}), pv::v5);
}

}  // namespace
}  // namespace robust::mqtt::codec::test
