#include "base/result.h"

#include <gtest/gtest.h>

#include "base/errc.h"
#include "base/shared_buffer.h"
#include "base/strong_id.h"

namespace robust {
namespace {

result<int> parse_positive(int v) {
    if (v <= 0) return errc::invalid_argument;
    return v;
}

TEST(Result, HoldsValue) {
    auto r = parse_positive(3);
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(*r, 3);
}

TEST(Result, HoldsError) {
    auto r = parse_positive(-1);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), errc::invalid_argument);
    EXPECT_EQ(r.error().message(), "invalid argument");
}

TEST(Result, StatusDefaultsToSuccess) {
    status s;
    EXPECT_TRUE(s);
    status bad = errc::not_found;
    EXPECT_FALSE(bad);
    EXPECT_EQ(bad.error(), errc::not_found);
}

TEST(Result, ValueOnErrorAborts) {
    EXPECT_DEATH((void)parse_positive(0).value(), "value\\(\\) on an error result");
}

TEST(StrongId, ComparesWithinKindOnly) {
    using offset = strong_id<int64_t, struct offset_tag>;
    EXPECT_LT(offset(1), offset(2));
    EXPECT_EQ(offset(7).value(), 7);
}

TEST(SharedBuffer, CopiesShareBytes) {
    shared_buffer a(std::string("hello"));
    shared_buffer b = a;
    EXPECT_EQ(a.view().data(), b.view().data());
    EXPECT_EQ(b.view(), "hello");
    EXPECT_TRUE(shared_buffer().empty());
}

}  // namespace
}  // namespace robust
