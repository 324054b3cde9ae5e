#include "request.h"

#include <gtest/gtest.h>

namespace robust::ctl {
namespace {

TEST(RobustctlRequest, PercentEncodesAllButUnreserved) {
    EXPECT_EQ(percent_encode("abc-XYZ_0.9~"), "abc-XYZ_0.9~");
    EXPECT_EQ(percent_encode("a/b"), "a%2Fb");
    EXPECT_EQ(percent_encode("a b+c#d?e&f=g%"), "a%20b%2Bc%23d%3Fe%26f%3Dg%25");
    EXPECT_EQ(percent_encode("ü"), "%C3%BC");
    EXPECT_EQ(percent_encode(""), "");
}

TEST(RobustctlRequest, TargetJoinsEncodedQuery) {
    request r{"GET", "/api/v1/users", {}, std::nullopt, true};
    EXPECT_EQ(r.target(), "/api/v1/users");
    r.query = {{"name", "a&b"}, {"page", "2"}};
    EXPECT_EQ(r.target(), "/api/v1/users?name=a%26b&page=2");
}

TEST(RobustctlRequest, ParsesServerUrls) {
    auto u = parse_server_url("http://127.0.0.1:58080");
    ASSERT_TRUE(u);
    EXPECT_EQ(u->scheme, "http");
    EXPECT_EQ(u->host, "127.0.0.1");
    EXPECT_EQ(u->port, 58080);
    EXPECT_EQ(u->base_path, "");
    EXPECT_EQ(u->display(), "http://127.0.0.1:58080");

    EXPECT_EQ(parse_server_url("https://mq.example.com")->port, 443);
    EXPECT_EQ(parse_server_url("http://mq.example.com/")->port, 80);
    EXPECT_EQ(parse_server_url("mq.example.com")->port, 58080);
    EXPECT_EQ(parse_server_url("mq.example.com")->scheme, "http");
    EXPECT_EQ(parse_server_url("localhost:1234")->port, 1234);
    auto v6 = parse_server_url("http://[::1]:58080/robust/");
    ASSERT_TRUE(v6);
    EXPECT_EQ(v6->host, "::1");
    EXPECT_EQ(v6->base_path, "/robust");
    EXPECT_EQ(v6->scheme_host_port(), "http://[::1]:58080");
    EXPECT_EQ(v6->display(), "http://[::1]:58080/robust");

    for (const char* bad : {"ftp://x", "http://", "http://:80", "http://h:0", "http://h:65536",
                            "http://h:x", "http://h:", "http://h/?q=1", "http://u@h", "[::1"}) {
        EXPECT_FALSE(parse_server_url(bad).has_value()) << bad;
    }
}

}  // namespace
}  // namespace robust::ctl
