// Round trips (decode(encode(p)) == p) for every packet type and version,
// encoded_size() == encode().size(), truncation at every byte offset, and
// Remaining Length boundaries up to the 268,435,455 maximum.

#include <limits>

#include "round_trip.h"
#include "test_util.h"
#include "wire.h"

namespace robust::mqtt::codec::test {
namespace {

constexpr pv all_versions[] = {pv::v3_1, pv::v3_1_1, pv::v5};

TEST(MqttCodecRoundTrip, EveryPacketEveryVersion) {
    for (pv v : all_versions) {
        size_t types_seen = 0;
        uint32_t type_mask = 0;
        for (const packet& p : samples(v)) {
            SCOPED_TRACE(std::string(version_name(v)) + " type " + std::to_string(int(type_of(p))));
            const std::string w = encode_wire(p, v);  // also checks encoded_size()
            auto out = decode_wire(w, v);
            ASSERT_TRUE(out.ok()) << out.error.rule << "\n" << hex(w);
            EXPECT_EQ(out.value->consumed, w.size());
            EXPECT_TRUE(out.value->pkt == p) << hex(w);
            if (!(type_mask & (1u << int(type_of(p))))) ++types_seen;
            type_mask |= 1u << int(type_of(p));
        }
        EXPECT_EQ(types_seen, v == pv::v5 ? 15u : 14u) << version_name(v);  // AUTH is 5.0 only
    }
}

TEST(MqttCodecRoundTrip, TruncationAtEveryOffsetNeedsMoreData) {
    for (pv v : all_versions) {
        for (const packet& p : samples(v)) {
            const std::string w = encode_wire(p, v);
            for (size_t cut = 0; cut < w.size(); ++cut) {
                auto out = decode_wire(w.substr(0, cut), v);
                ASSERT_FALSE(out.ok()) << version_name(v) << " cut " << cut;
                ASSERT_EQ(out.error.code, make_error_code(errc::need_more_data))
                    << version_name(v) << " type " << int(type_of(p)) << " cut " << cut << ": "
                    << out.error.rule;
            }
        }
    }
}

TEST(MqttCodecRoundTrip, SamplesSatisfyFuzzProperty) {
    for (pv v : all_versions) {
        std::string stream;
        for (const packet& p : samples(v)) encode(p, v, stream);
        EXPECT_EQ(fuzz::check_round_trip(as_bytes(stream)), nullptr) << version_name(v);
    }
}

TEST(MqttCodecRoundTrip, EncodedSizeMatchesForEveryVersionPair) {
    // A packet encoded for a version it was not built for still sizes right
    // (3.x drops the 5.0 fields).
    for (pv built : all_versions) {
        for (const packet& p : samples(built)) {
            for (pv v : all_versions) {
                std::string w;
                encode(p, v, w);
                EXPECT_EQ(w.size(), encoded_size(p, v));
            }
        }
    }
}

TEST(MqttCodecRoundTrip, RemainingLengthBoundaries) {
    decode_limits limits;
    limits.max_packet_size = 4 * 1024 * 1024;
    for (uint32_t remaining : {0u + 3, 127u, 128u, 16'383u, 16'384u, 2'097'151u, 2'097'152u}) {
        publish p;
        p.topic = "t";                                     // 3 bytes with its length
        p.payload = buf(std::string(remaining - 3, 'p'));  // the rest
        const std::string w = encode_wire(p, pv::v3_1_1);
        const size_t header = 1 + detail::varint_size(remaining);
        ASSERT_EQ(w.size(), header + remaining);
        auto out = decode_wire(w, pv::v3_1_1, limits);
        ASSERT_TRUE(out.ok()) << remaining << ": " << out.error.rule;
        EXPECT_TRUE(out.value->pkt == packet(p)) << remaining;
        EXPECT_EQ(out.value->consumed, w.size());
    }
}

TEST(MqttCodecRoundTrip, MaximumRemainingLength) {
    // 268,435,455 = 0xff 0xff 0xff 0x7f, the largest packet MQTT can frame.
    // Only the header is encoded, so the payload is allocated once.
    publish p;
    p.topic = "t";
    p.payload = shared_buffer(std::string(detail::max_varint - 3, '\0'));  // moved, not copied
    EXPECT_EQ(encoded_size(p, pv::v3_1_1), 1 + 4 + size_t(detail::max_varint));
    std::string head;
    encode_publish_header(p, pv::v3_1_1, head);
    EXPECT_EQ(hex(head), hex(wire({
                             0x30, 0xff, 0xff, 0xff, 0x7f,  // PUBLISH, remaining length max
                             0x00, 0x01, 't',               // topic "t"
                         })));
    decode_limits limits;
    limits.max_packet_size = std::numeric_limits<uint32_t>::max();
    auto h = decode_fixed_header(as_bytes(head), limits);
    ASSERT_TRUE(h.ok());
    EXPECT_EQ(h.value->remaining_length, detail::max_varint);
    EXPECT_EQ(h.value->packet_size(), size_t(detail::max_varint) + 5);
    // With the default 1 MiB limit the same header is refused up front.
    EXPECT_EQ(decode_fixed_header(as_bytes(head), decode_limits{}).error.code,
              make_error_code(errc::too_large));
}

}  // namespace
}  // namespace robust::mqtt::codec::test
