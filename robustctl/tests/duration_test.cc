#include "duration.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>

namespace robust::ctl {
namespace {

int64_t ms(std::string_view s) {
    auto r = parse_duration_ms(s);
    EXPECT_TRUE(r.has_value()) << s;
    return r.value_or(-1);
}

TEST(RobustctlDuration, ParsesUnitsAndSums) {
    EXPECT_EQ(ms("0"), 0);
    EXPECT_EQ(ms("250ms"), 250);
    EXPECT_EQ(ms("30s"), 30'000);
    EXPECT_EQ(ms("10m"), 600'000);
    EXPECT_EQ(ms("1h"), 3'600'000);
    EXPECT_EQ(ms("7d"), 604'800'000);
    EXPECT_EQ(ms("1h30m"), 5'400'000);
    EXPECT_EQ(ms("1m500ms"), 60'500);
    EXPECT_EQ(ms("0s"), 0);
}

TEST(RobustctlDatetime, ParsesIsoInstantsAndEpochMs) {
    setenv("TZ", "UTC", 1);
    tzset();
    auto at = [](std::string_view s) {
        auto r = parse_datetime_ms(s);
        EXPECT_TRUE(r.has_value()) << s;
        return r.value_or(-1);
    };
    EXPECT_EQ(at("2023-11-14T22:13:20Z"), 1'700'000'000'000);
    EXPECT_EQ(at("2023-11-14T22:13:20.250Z"), 1'700'000'000'250);
    EXPECT_EQ(at("2023-11-15T00:13:20+02:00"), 1'700'000'000'000);
    EXPECT_EQ(at("2023-11-14T17:43:20-0430"), 1'700'000'000'000);
    EXPECT_EQ(at("2023-11-14 22:13:20"), 1'700'000'000'000);  // local time = UTC here
    EXPECT_EQ(at("2023-11-14T22:13"), 1'699'999'980'000);
    EXPECT_EQ(at("2023-11-14"), 1'699'920'000'000);
    EXPECT_EQ(at("1700000000123"), 1'700'000'000'123);
    for (std::string_view bad :
         {"", "yesterday", "2023-13-01", "2023-11-14T25:00", "2023-11-14T22:13:20X",
          "2023-11-14T22:13:20+2", "-5", "2023-1-14", "2023-11-14T22:13:20.5Z"}) {
        EXPECT_FALSE(parse_datetime_ms(bad).has_value()) << bad;
    }
    unsetenv("TZ");
    tzset();
}

TEST(RobustctlDuration, RejectsBadInput) {
    for (std::string_view bad : {"", "10", "-5m", "5x", "m", "1.5h", "10 m", "h1", "1h-",
                                 "99999999999999999999d", "9999999999999999d"}) {
        EXPECT_FALSE(parse_duration_ms(bad).has_value()) << bad;
        if (!parse_duration_ms(bad)) {
            EXPECT_EQ(parse_duration_ms(bad).error(), errc::invalid_argument);
        }
    }
}

TEST(RobustctlDuration, FormatsExactly) {
    EXPECT_EQ(format_duration_ms(0), "0");
    EXPECT_EQ(format_duration_ms(250), "250ms");
    EXPECT_EQ(format_duration_ms(5'400'000), "1h30m");
    EXPECT_EQ(format_duration_ms(604'800'000), "7d");
    EXPECT_EQ(format_duration_ms(90'061'001), "1d1h1m1s1ms");
    EXPECT_EQ(format_duration_ms(-60'000), "-1m");
    for (int64_t v : {1LL, 999LL, 1000LL, 61'000LL, 86'400'000LL * 400}) {
        EXPECT_EQ(ms(format_duration_ms(v)), v);
    }
}

}  // namespace
}  // namespace robust::ctl
