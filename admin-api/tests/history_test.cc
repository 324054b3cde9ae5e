#include "history.h"

#include <gtest/gtest.h>

namespace robust::admin::detail {
namespace {

counters_sample at(uint64_t msgs_in, uint64_t bytes_in, uint64_t connections = 1) {
    counters_sample s;
    s.connections = connections;
    s.sessions = connections + 1;
    s.messages_in = msgs_in;
    s.messages_out = msgs_in * 2;
    s.bytes_in = bytes_in;
    s.bytes_out = bytes_in * 2;
    s.messages_dropped = msgs_in / 10;
    return s;
}

TEST(AdminHistory, FirstSampleIsOnlyTheBaseline) {
    history h;
    h.record(1'000, at(100, 1000));
    EXPECT_EQ(h.size(), 0u);
    EXPECT_FALSE(h.latest());
}

TEST(AdminHistory, RatesAreDeltasPerSecond) {
    history h;
    h.record(0, at(0, 0));
    h.record(10'000, at(100, 5000, 3));
    auto p = h.latest().value();
    EXPECT_EQ(p.time_ms, 10'000);
    EXPECT_EQ(p.connections, 3u);
    EXPECT_EQ(p.sessions, 4u);
    EXPECT_DOUBLE_EQ(p.messages_in_rate, 10.0);
    EXPECT_DOUBLE_EQ(p.messages_out_rate, 20.0);
    EXPECT_DOUBLE_EQ(p.bytes_in_rate, 500.0);
    EXPECT_DOUBLE_EQ(p.bytes_out_rate, 1000.0);
    EXPECT_DOUBLE_EQ(p.messages_dropped_rate, 1.0);
}

TEST(AdminHistory, CounterGoingBackwardsGivesZeroRate) {
    history h;
    h.record(0, at(1000, 1000));
    h.record(10'000, at(10, 10));
    EXPECT_DOUBLE_EQ(h.latest()->messages_in_rate, 0.0);
    h.record(20'000, at(110, 10));
    EXPECT_DOUBLE_EQ(h.latest()->messages_in_rate, 10.0);
}

TEST(AdminHistory, KeepsTheLastCapacityPointsOldestFirst) {
    history h(360);
    for (int64_t i = 0; i <= 400; ++i) h.record(i * 10'000, at(uint64_t(i) * 10, 0));
    EXPECT_EQ(h.size(), 360u);
    auto all = h.since(0);
    ASSERT_EQ(all.size(), 360u);
    EXPECT_EQ(all.front().time_ms, 41 * 10'000);
    EXPECT_EQ(all.back().time_ms, 400 * 10'000);
    for (size_t i = 1; i < all.size(); ++i) EXPECT_LT(all[i - 1].time_ms, all[i].time_ms);
    // The last 5 minutes: 30 points at 10 s.
    EXPECT_EQ(h.since(400 * 10'000 - 5 * 60'000 + 1).size(), 30u);
}

TEST(AdminHistory, ClockGoingBackwardsResetsTheBaseline) {
    history h;
    h.record(10'000, at(0, 0));
    h.record(5'000, at(50, 0));  // no point: not later than the baseline
    EXPECT_EQ(h.size(), 0u);
    h.record(15'000, at(100, 0));
    EXPECT_DOUBLE_EQ(h.latest()->messages_in_rate, 5.0);
}

}  // namespace
}  // namespace robust::admin::detail
