#include "kafka/codec/partitioner.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace robust::kafka::codec {
namespace {

// The vectors of Apache Kafka's UtilsTest.testMurmur2: a key must land on
// the partition the Java client picks for it.
TEST(Partitioner, Murmur2MatchesTheJavaClient) {
    const std::vector<std::pair<std::string, int32_t>> cases = {
        {"21", -973932308},
        {"foobar", -790332482},
        {"a-little-bit-long-string", -985981536},
        {"a-little-bit-longer-string", -1486304829},
        {"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971},
        {"abc", 479470107},
    };
    for (const auto& [key, want] : cases) EXPECT_EQ(murmur2(key), want) << key;
}

TEST(Partitioner, PartitionIsToPositiveModulo) {
    // toPositive(-973932308) = 0x7fffffff & -973932308 = 1173551340.
    EXPECT_EQ(partition_for_key("21", 7), 1173551340u % 7);
    EXPECT_EQ(partition_for_key("abc", 10), 479470107u % 10);
    for (uint32_t n = 1; n < 20; ++n) EXPECT_LT(partition_for_key("sensors/room1/temp", n), n);
    EXPECT_EQ(partition_for_key("anything", 1), 0u);
}

}  // namespace
}  // namespace robust::kafka::codec
