#include "login_limiter.h"

#include <gtest/gtest.h>

namespace robust::admin::detail {
namespace {

TEST(AdminLoginLimiter, BlocksAtTheLimitWithinAMinute) {
    login_limiter l(3);
    const std::string a = "10.0.0.1";
    EXPECT_FALSE(l.retry_after(a, 0));
    l.record_failure(a, 0);
    l.record_failure(a, 1'000);
    EXPECT_FALSE(l.retry_after(a, 2'000));
    l.record_failure(a, 2'000);
    auto wait = l.retry_after(a, 2'500);
    ASSERT_TRUE(wait);
    EXPECT_EQ(*wait, 58);  // until the failure at 0 is a minute old (57.5 s, rounded up)
    EXPECT_FALSE(l.retry_after("10.0.0.2", 2'500)) << "other addresses are not affected";
}

TEST(AdminLoginLimiter, SlidingWindowReleases) {
    login_limiter l(2);
    const std::string a = "::1";
    l.record_failure(a, 0);
    l.record_failure(a, 30'000);
    EXPECT_TRUE(l.retry_after(a, 59'999));
    EXPECT_FALSE(l.retry_after(a, 60'000));  // the first failure expired
    l.record_failure(a, 60'000);
    EXPECT_EQ(l.retry_after(a, 60'000).value(), 30);
    EXPECT_FALSE(l.retry_after(a, 120'000));
    EXPECT_EQ(l.tracked(), 0u) << "an address with only expired failures is forgotten";
}

TEST(AdminLoginLimiter, RetryAfterIsAtLeastOneSecond) {
    login_limiter l(1);
    l.record_failure("a", 0);
    EXPECT_EQ(l.retry_after("a", 59'999).value(), 1);
}

TEST(AdminLoginLimiter, MemoryIsBounded) {
    login_limiter l(5, 100);
    for (int i = 0; i < 1000; ++i) l.record_failure("addr" + std::to_string(i), i);
    EXPECT_LE(l.tracked(), 100u);
    // The most recent offenders are the ones kept.
    l.record_failure("addr999", 1000);
    l.record_failure("addr999", 1001);
    l.record_failure("addr999", 1002);
    l.record_failure("addr999", 1003);
    EXPECT_TRUE(l.retry_after("addr999", 1004));
}

}  // namespace
}  // namespace robust::admin::detail
