// Kafka wire primitives and request/response headers.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "base/shared_buffer.h"
#include "kafka/codec/api.h"
#include "kafka/codec/wire.h"

namespace robust::kafka::codec {
namespace {

std::string bytes(std::initializer_list<int> v) {
    std::string s;
    for (int b : v) s.push_back(static_cast<char>(b));
    return s;
}

TEST(KafkaWire, ClassicIntegersAreBigEndian) {
    writer w(false);
    w.i8(-2);
    w.i16(0x0102);
    w.i32(-1);
    w.i64(0x0102030405060708);
    EXPECT_EQ(w.buffer(), bytes({0xfe, 0x01, 0x02, 0xff, 0xff, 0xff, 0xff, 0x01, 0x02, 0x03, 0x04,
                                 0x05, 0x06, 0x07, 0x08}));
    reader r(w.buffer(), false);
    EXPECT_EQ(r.i8(), -2);
    EXPECT_EQ(r.i16(), 0x0102);
    EXPECT_EQ(r.i32(), -1);
    EXPECT_EQ(r.i64(), 0x0102030405060708);
    EXPECT_TRUE(r.ok());
    EXPECT_EQ(r.remaining(), 0u);
}

TEST(KafkaWire, ZigZagVarints) {
    // The protocol guide's examples: 0 -> 00, -1 -> 01, 1 -> 02, -64 -> 7f, 64 -> 80 01.
    writer w(false);
    for (int32_t v : {0, -1, 1, -64, 64}) w.varint(v);
    EXPECT_EQ(w.buffer(), bytes({0x00, 0x01, 0x02, 0x7f, 0x80, 0x01}));
    reader r(w.buffer(), false);
    for (int32_t v : {0, -1, 1, -64, 64}) EXPECT_EQ(r.varint(), v);
    EXPECT_TRUE(r.ok());

    writer l(false);
    l.varlong(INT64_MIN);
    l.varlong(INT64_MAX);
    EXPECT_EQ(l.size(), 20u);
    reader lr(l.buffer(), false);
    EXPECT_EQ(lr.varlong(), INT64_MIN);
    EXPECT_EQ(lr.varlong(), INT64_MAX);
    EXPECT_TRUE(lr.ok());
    EXPECT_EQ(varint_size(-64), 1u);
    EXPECT_EQ(varint_size(64), 2u);
}

TEST(KafkaWire, OverlongVarintIsMalformed) {
    std::string six = bytes({0x80, 0x80, 0x80, 0x80, 0x80, 0x01});
    reader r(six, false);
    (void)r.varint();
    EXPECT_FALSE(r.ok());
    EXPECT_EQ(r.error(), make_error_code(errc::malformed));
}

TEST(KafkaWire, ClassicAndCompactStrings) {
    writer c(false);
    c.string("ab");
    c.nullable_string(std::nullopt);
    EXPECT_EQ(c.buffer(), bytes({0x00, 0x02, 'a', 'b', 0xff, 0xff}));
    writer f(true);
    f.string("ab");
    f.nullable_string(std::nullopt);
    EXPECT_EQ(f.buffer(), bytes({0x03, 'a', 'b', 0x00}));

    reader rc(c.buffer(), false);
    EXPECT_EQ(rc.string(), "ab");
    EXPECT_EQ(rc.nullable_string(), std::nullopt);
    reader rf(f.buffer(), true);
    EXPECT_EQ(rf.string(), "ab");
    EXPECT_EQ(rf.nullable_string(), std::nullopt);
    EXPECT_TRUE(rc.ok() && rf.ok());
}

TEST(KafkaWire, BytesUseInt32LengthsWhenClassic) {
    writer c(false);
    c.bytes("x");
    c.nullable_bytes(std::nullopt);
    EXPECT_EQ(c.buffer(), bytes({0, 0, 0, 1, 'x', 0xff, 0xff, 0xff, 0xff}));
    reader r(c.buffer(), false);
    EXPECT_EQ(r.nullable_bytes_view(), std::optional<std::string_view>("x"));
    EXPECT_EQ(r.nullable_bytes(), std::nullopt);
}

TEST(KafkaWire, LengthBeyondInputIsTooLargeAndSticky) {
    std::string s = bytes({0x00, 0x10, 'a'});
    reader r(s, false);
    EXPECT_EQ(r.string(), "");
    EXPECT_EQ(r.error(), make_error_code(errc::too_large));
    EXPECT_EQ(r.i32(), 0);  // sticky: later reads return zero values
    EXPECT_FALSE(r.ok());
}

TEST(KafkaWire, ArrayCountIsBoundedByTheBytesLeft) {
    // A count of two billion in a 4-byte body must not allocate anything.
    std::string s = bytes({0x7f, 0xff, 0xff, 0xff});
    reader r(s, false);
    int calls = 0;
    r.array([&] { ++calls; });
    EXPECT_EQ(calls, 0);
    EXPECT_EQ(r.error(), make_error_code(errc::too_large));

    std::string null_array = bytes({0xff, 0xff, 0xff, 0xff});
    reader n(null_array, false);
    EXPECT_EQ(n.array_length(), -1);
    EXPECT_TRUE(n.ok());
}

TEST(KafkaWire, TaggedFieldsAreSkipped) {
    // Two tags: tag 0 with 2 bytes, tag 5 with 0 bytes; then an INT8.
    std::string s = bytes({0x02, 0x00, 0x02, 0xaa, 0xbb, 0x05, 0x00, 0x07});
    reader r(s, true);
    r.tagged_fields();
    EXPECT_EQ(r.i8(), 7);
    EXPECT_TRUE(r.ok());
    std::string bad = bytes({0x01, 0x00, 0x09, 0xaa});
    reader b(bad, true);
    b.tagged_fields();
    EXPECT_FALSE(b.ok());
}

TEST(KafkaApi, RequestHeaderV1AndV2) {
    // ApiVersions v3 is flexible: header v2 ends with a tagged-field section.
    std::string v2 = bytes({
        0x00, 0x12,                 // api_key 18 (ApiVersions)
        0x00, 0x03,                 // api_version 3
        0x00, 0x00, 0x00, 0x07,     // correlation_id 7
        0x00, 0x03, 'c', 'l', 'i',  // client_id "cli" (classic string even in v2)
        0x00,                       // no tagged fields
        0x42,                       // first body byte
    });
    auto h = decode_request_header(as_bytes(v2));
    ASSERT_TRUE(h.has_value());
    EXPECT_EQ(h->header.api_key, 18);
    EXPECT_EQ(h->header.api_version, 3);
    EXPECT_EQ(h->header.correlation_id, 7);
    EXPECT_EQ(h->header.client_id, std::optional<std::string>("cli"));
    EXPECT_TRUE(h->header.flexible);
    EXPECT_EQ(h->size, v2.size() - 1);

    // ApiVersions v0: header v1, null client id.
    std::string v1 = bytes({0x00, 0x12, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0xff, 0xff});
    auto h1 = decode_request_header(as_bytes(v1));
    ASSERT_TRUE(h1.has_value());
    EXPECT_FALSE(h1->header.flexible);
    EXPECT_EQ(h1->header.client_id, std::nullopt);
    EXPECT_EQ(h1->size, v1.size());
}

TEST(KafkaApi, UnsupportedVersionStillYieldsTheCorrelationId) {
    std::string s = bytes({0x00, 0x12, 0x00, 0x63, 0x00, 0x00, 0x00, 0x09, 0x00, 0x00, 0x00});
    auto h = decode_request_header(as_bytes(s));
    ASSERT_TRUE(h.has_value());
    EXPECT_EQ(h->header.correlation_id, 9);
    EXPECT_FALSE(h->header.flexible);
    EXPECT_FALSE(decode_request_header(as_bytes(s.substr(0, 7))).has_value());
}

TEST(KafkaApi, ResponseHeaderOfApiVersionsIsAlwaysV0) {
    writer a(true);
    write_response_header(a, api_key::api_versions, 3, 5);
    EXPECT_EQ(a.buffer(), bytes({0, 0, 0, 5}));
    writer m(true);
    write_response_header(m, api_key::metadata, 9, 5);
    EXPECT_EQ(m.buffer(), bytes({0, 0, 0, 5, 0}));
    writer old(false);
    write_response_header(old, api_key::metadata, 8, 5);
    EXPECT_EQ(old.buffer(), bytes({0, 0, 0, 5}));
}

TEST(KafkaApi, SupportedTableIsSortedAndConsistent) {
    int16_t last = -1;
    for (const api_support& a : supported_apis()) {
        EXPECT_GT(static_cast<int16_t>(a.key), last) << a.name;
        last = static_cast<int16_t>(a.key);
        EXPECT_LE(a.min_version, a.max_version) << a.name;
        EXPECT_TRUE(a.first_flexible == -1 || a.first_flexible <= a.max_version) << a.name;
        EXPECT_EQ(find_api(static_cast<int16_t>(a.key)), &a);
    }
    EXPECT_EQ(find_api(99), nullptr);
    EXPECT_EQ(api_name(0), "Produce");
    EXPECT_EQ(api_name(1000), "Unknown");
    EXPECT_TRUE(is_flexible(api_key::produce, 9));
    EXPECT_FALSE(is_flexible(api_key::produce, 8));
    EXPECT_FALSE(is_flexible(api_key::sasl_handshake, 1));
}

TEST(KafkaApi, FrameSizeAndFrame) {
    EXPECT_EQ(frame_size(as_bytes(bytes({0, 0, 1}))), std::nullopt);
    EXPECT_EQ(frame_size(as_bytes(bytes({0, 0, 1, 2, 9}))), 258);
    EXPECT_EQ(frame("ab"), bytes({0, 0, 0, 2, 'a', 'b'}));
}

}  // namespace
}  // namespace robust::kafka::codec
