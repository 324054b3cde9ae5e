#include "base/lazy_deque.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace robust {
namespace {

TEST(LazyDeque, UnusedIsAnEmptyRange) {
    lazy_deque<std::string> q;
    EXPECT_TRUE(q.empty());
    EXPECT_EQ(q.size(), 0u);
    EXPECT_EQ(q.begin(), q.end());
    EXPECT_EQ(std::count_if(q.begin(), q.end(), [](const auto&) { return true; }), 0);
    const auto& c = q;
    EXPECT_EQ(c.begin(), c.end());
}

TEST(LazyDeque, FirstInFirstOutAcrossClear) {
    lazy_deque<int> q;
    for (int i = 0; i < 1000; ++i) q.push_back(i);
    EXPECT_EQ(q.size(), 1000u);
    std::vector<int> seen(q.begin(), q.end());
    EXPECT_EQ(seen.front(), 0);
    EXPECT_EQ(seen.back(), 999);
    for (int i = 0; i < 500; ++i) {
        EXPECT_EQ(q.front(), i);
        q.pop_front();
    }
    EXPECT_EQ(q.size(), 500u);
    q.clear();
    EXPECT_TRUE(q.empty());
    EXPECT_EQ(q.begin(), q.end());
    q.push_back(7);
    EXPECT_EQ(q.front(), 7);
}

}  // namespace
}  // namespace robust
