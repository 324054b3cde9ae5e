// The consumer protocol's assignment (ConsumerProtocolAssignment): a byte
// vector as librdkafka and the Java client send it, round trips, every
// prefix rejected, and the forms without user data.

#include <gtest/gtest.h>

#include <string>

#include "base/errc.h"
#include "kafka/codec/consumer_protocol.h"
#include "test_util.h"

namespace robust::kafka::codec {
namespace {

using test::hex;
using test::wire;

// Version 1, topic "t" partitions [0, 2], user data null.
const std::string assignment_bytes = wire({
    0x00, 0x01,              // version 1
    0x00, 0x00, 0x00, 0x01,  // assigned_partitions: 1 topic
    0x00, 0x01, 't',         // topic "t"
    0x00, 0x00, 0x00, 0x02,  // 2 partitions
    0x00, 0x00, 0x00, 0x00,  // 0
    0x00, 0x00, 0x00, 0x02,  // 2
    0xff, 0xff, 0xff, 0xff,  // user_data null
});

TEST(KafkaConsumerAssignment, DecodesTheWireBytes) {
    auto a = decode_consumer_assignment(assignment_bytes);
    ASSERT_TRUE(a.has_value()) << a.error().message();
    EXPECT_EQ(a->version, 1);
    ASSERT_EQ(a->assigned_partitions.size(), 1u);
    EXPECT_EQ(a->assigned_partitions[0].topic, "t");
    EXPECT_EQ(a->assigned_partitions[0].partitions, (std::vector<int32_t>{0, 2}));
    EXPECT_FALSE(a->user_data.has_value());
    EXPECT_EQ(hex(encode_consumer_assignment(*a)), hex(assignment_bytes));
}

TEST(KafkaConsumerAssignment, RoundTripsWithUserData) {
    consumer_assignment a;
    a.version = 3;
    a.assigned_partitions = {{"orders", {1, 0}}, {"a.b-c", {}}};
    a.user_data = std::string("\x00\x01xyz", 5);
    auto back = decode_consumer_assignment(encode_consumer_assignment(a));
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(*back, a);
}

TEST(KafkaConsumerAssignment, EmptyBytesAreAnEmptyAssignment) {
    auto a = decode_consumer_assignment("");
    ASSERT_TRUE(a.has_value());
    EXPECT_TRUE(a->assigned_partitions.empty());
}

TEST(KafkaConsumerAssignment, MissingUserDataAndNewerTrailingFieldsAreAccepted) {
    // Without the user data field at all.
    const std::string no_user_data = assignment_bytes.substr(0, assignment_bytes.size() - 4);
    auto a = decode_consumer_assignment(no_user_data);
    ASSERT_TRUE(a.has_value());
    EXPECT_EQ(a->assigned_partitions.size(), 1u);
    // A future version appending a field after user_data.
    auto b = decode_consumer_assignment(assignment_bytes + wire({0x00, 0x07}));
    ASSERT_TRUE(b.has_value());
    EXPECT_EQ(b->assigned_partitions[0].partitions.size(), 2u);
}

TEST(KafkaConsumerAssignment, RejectsEveryTruncationAndBadCounts) {
    // Every prefix that cuts into the partitions fails (the user data may be
    // absent, so the prefix ending right before it is whole).
    const size_t whole = assignment_bytes.size() - 4;
    for (size_t n = 1; n < whole; ++n) {
        EXPECT_FALSE(decode_consumer_assignment(assignment_bytes.substr(0, n)).has_value())
            << "prefix of " << n << " bytes";
    }
    EXPECT_EQ(decode_consumer_assignment(wire({0xff, 0xff, 0x00, 0x00, 0x00, 0x00})).error(),
              make_error_code(errc::malformed));
    // A topic count far beyond the bytes left is refused before allocating.
    EXPECT_EQ(decode_consumer_assignment(wire({0x00, 0x00, 0x7f, 0xff, 0xff, 0xff})).error(),
              make_error_code(errc::too_large));
    // A null topic array.
    EXPECT_EQ(decode_consumer_assignment(wire({0x00, 0x00, 0xff, 0xff, 0xff, 0xff})).error(),
              make_error_code(errc::malformed));
}

}  // namespace
}  // namespace robust::kafka::codec
