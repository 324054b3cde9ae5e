// White-box tests of src/address.h: parsing, IPv4-mapped folding, CIDR
// containment and the loopback test behind anonymous = "loopback".
#include "address.h"

#include <gtest/gtest.h>

namespace robust::auth::detail {
namespace {

TEST(AuthAddress, ParsesAndCanonicalises) {
    EXPECT_EQ(to_string(*parse_ip("10.0.0.1")), "10.0.0.1");
    EXPECT_EQ(to_string(*parse_ip("::0001")), "::1");
    EXPECT_EQ(to_string(*parse_ip("FD00:0:0::1")), "fd00::1");
    EXPECT_EQ(to_string(*parse_ip("fe80::1%eth0")), "fe80::1");  // zone ignored
    for (const char* bad : {"", "10.0.0", "10.0.0.256", "[::1]", "1.2.3.4:80", "host", "::g"}) {
        EXPECT_FALSE(parse_ip(bad).has_value()) << bad;
    }
}

TEST(AuthAddress, Ipv4MappedIsIpv4) {
    auto mapped = parse_ip("::ffff:10.1.2.3");
    ASSERT_TRUE(mapped.has_value());
    EXPECT_FALSE(mapped->v6);
    EXPECT_EQ(*mapped, *parse_ip("10.1.2.3"));
    EXPECT_TRUE(parse_network("10.0.0.0/8", false)->contains(*mapped));
    // A mapped network folds to IPv4 too.
    auto n = parse_network("::ffff:10.0.0.0/104", false);
    ASSERT_TRUE(n.has_value());
    EXPECT_EQ(to_string(*n), "10.0.0.0/8");
}

TEST(AuthAddress, NetworksContain) {
    auto n = parse_network("10.1.2.3/8", false);  // host bits are cleared
    ASSERT_TRUE(n.has_value());
    EXPECT_EQ(to_string(*n), "10.0.0.0/8");
    EXPECT_TRUE(n->contains(*parse_ip("10.255.0.1")));
    EXPECT_FALSE(n->contains(*parse_ip("11.0.0.1")));
    EXPECT_FALSE(n->contains(*parse_ip("::a00:1")));  // other family

    auto odd = parse_network("192.168.0.0/23", false);
    EXPECT_TRUE(odd->contains(*parse_ip("192.168.1.200")));
    EXPECT_FALSE(odd->contains(*parse_ip("192.168.2.1")));

    auto v6 = parse_network("fd00::/8", false);
    ASSERT_TRUE(v6.has_value());
    EXPECT_TRUE(v6->contains(*parse_ip("fdab::1")));
    EXPECT_FALSE(v6->contains(*parse_ip("fe80::1")));

    auto all = parse_network("0.0.0.0/0", false);
    EXPECT_TRUE(all->contains(*parse_ip("8.8.8.8")));

    auto host = parse_network("10.0.0.1", true);
    ASSERT_TRUE(host.has_value());
    EXPECT_TRUE(host->contains(*parse_ip("10.0.0.1")));
    EXPECT_FALSE(host->contains(*parse_ip("10.0.0.2")));
}

TEST(AuthAddress, NetworkRejects) {
    EXPECT_FALSE(parse_network("10.0.0.1", false).has_value());  // not a CIDR
    for (const char* bad : {"10.0.0.0/33", "10.0.0.0/", "10.0.0.0/08", "10.0.0.0/-1", "fd00::/129",
                            "x/8", "10.0.0.0/8/8", "fe80::%eth0/64"}) {
        EXPECT_FALSE(parse_network(bad, true).has_value()) << bad;
    }
}

TEST(AuthAddress, Loopback) {
    EXPECT_TRUE(is_loopback("127.0.0.1"));
    EXPECT_TRUE(is_loopback("127.255.3.4"));
    EXPECT_TRUE(is_loopback("::1"));
    EXPECT_TRUE(is_loopback("::ffff:127.0.0.1"));
    EXPECT_FALSE(is_loopback("10.0.0.1"));
    EXPECT_FALSE(is_loopback("::2"));
    EXPECT_FALSE(is_loopback("::"));
    EXPECT_FALSE(is_loopback(""));
    EXPECT_FALSE(is_loopback("localhost"));
}

}  // namespace
}  // namespace robust::auth::detail
