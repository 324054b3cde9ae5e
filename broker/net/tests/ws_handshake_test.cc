#include "ws_handshake.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace robust::net::detail {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

const std::vector<std::string> mqtt_protocols = {"mqtt", "mqttv3.1"};

std::string request(std::string_view path = "/mqtt", std::string_view extra = "",
                    std::string_view method = "GET") {
    return std::string(method) + " " + std::string(path) +
           " HTTP/1.1\r\n"
           "Host: localhost\r\n"
           "Upgrade: websocket\r\n"
           "Connection: Upgrade\r\n"
           "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
           "Sec-WebSocket-Version: 13\r\n" +
           std::string(extra) + "\r\n";
}

TEST(WsAcceptKey, MatchesRfc6455Example) {
    // RFC 6455 section 1.3.
    EXPECT_EQ(ws_accept_key("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(WsUpgrade, AcceptsAValidRequest) {
    const auto r = answer_upgrade(request(), "/mqtt", mqtt_protocols);
    ASSERT_TRUE(r.accepted) << r.reason;
    EXPECT_EQ(r.status, 101);
    EXPECT_EQ(r.response,
              "HTTP/1.1 101 Switching Protocols\r\n"
              "Upgrade: websocket\r\n"
              "Connection: Upgrade\r\n"
              "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
              "\r\n");
    EXPECT_EQ(r.subprotocol, "");
}

TEST(WsUpgrade, HeaderNamesAndTokensAreCaseInsensitive) {
    const std::string req =
        "GET /mqtt?client=1 HTTP/1.1\r\n"
        "host: x\r\n"
        "upgrade: WebSocket\r\n"
        "connection: keep-alive, upgrade\r\n"
        "sec-websocket-key:   dGhlIHNhbXBsZSBub25jZQ==  \r\n"
        "SEC-WEBSOCKET-VERSION: 13\r\n"
        "\r\n";
    const auto r = answer_upgrade(req, "/mqtt", mqtt_protocols);
    EXPECT_TRUE(r.accepted) << r.reason;
}

TEST(WsUpgrade, EchoesOurPreferredSubprotocolTheClientOffers) {
    auto r = answer_upgrade(request("/mqtt", "Sec-WebSocket-Protocol: mqtt\r\n"), "/mqtt",
                            mqtt_protocols);
    EXPECT_EQ(r.subprotocol, "mqtt");
    EXPECT_THAT(r.response, HasSubstr("Sec-WebSocket-Protocol: mqtt\r\n"));

    r = answer_upgrade(request("/mqtt", "Sec-WebSocket-Protocol: mqttv3.1\r\n"), "/mqtt",
                       mqtt_protocols);
    EXPECT_EQ(r.subprotocol, "mqttv3.1");

    // Our order wins; a repeated header is one list.
    r = answer_upgrade(request("/mqtt",
                               "Sec-WebSocket-Protocol: chat, mqttv3.1\r\n"
                               "Sec-WebSocket-Protocol: mqtt\r\n"),
                       "/mqtt", mqtt_protocols);
    EXPECT_EQ(r.subprotocol, "mqtt");

    // Nothing we know: accepted without the header; the client decides.
    r = answer_upgrade(request("/mqtt", "Sec-WebSocket-Protocol: chat\r\n"), "/mqtt",
                       mqtt_protocols);
    EXPECT_TRUE(r.accepted);
    EXPECT_EQ(r.subprotocol, "");
    EXPECT_THAT(r.response, Not(HasSubstr("Sec-WebSocket-Protocol")));
}

TEST(WsUpgrade, WrongPathIs404) {
    const auto r = answer_upgrade(request("/other"), "/mqtt", mqtt_protocols);
    EXPECT_FALSE(r.accepted);
    EXPECT_EQ(r.status, 404);
    EXPECT_THAT(r.response, StartsWith("HTTP/1.1 404 Not Found\r\n"));
    EXPECT_THAT(r.response, HasSubstr("Connection: close\r\n"));
}

TEST(WsUpgrade, OtherMethodsAre405) {
    const auto r = answer_upgrade(request("/mqtt", "", "POST"), "/mqtt", mqtt_protocols);
    EXPECT_EQ(r.status, 405);
    EXPECT_THAT(r.response, HasSubstr("Allow: GET\r\n"));
}

TEST(WsUpgrade, WrongVersionIs426WithTheSupportedVersion) {
    std::string req = request();
    req.replace(req.find("Version: 13"), 11, "Version: 8");
    const auto r = answer_upgrade(req, "/mqtt", mqtt_protocols);
    EXPECT_EQ(r.status, 426);
    EXPECT_THAT(r.response, HasSubstr("Sec-WebSocket-Version: 13\r\n"));
}

TEST(WsUpgrade, MalformedRequestsAre400) {
    const auto bad = [](std::string req) {
        return answer_upgrade(req, "/mqtt", mqtt_protocols).status;
    };
    std::string req = request();
    EXPECT_EQ(bad(req.replace(req.find("Upgrade: websocket"), 18, "Upgrade: h2c")), 400);
    req = request();
    EXPECT_EQ(bad(req.replace(req.find("Connection: Upgrade"), 19, "Connection: close")), 400);
    req = request();
    EXPECT_EQ(bad(req.replace(req.find("dGhl"), 4, "!!!!")), 400);  // not base64
    req = request();
    EXPECT_EQ(bad(req.replace(req.find("HTTP/1.1"), 8, "HTTP/1.0")), 400);
    EXPECT_EQ(bad("GARBAGE\r\n\r\n"), 400);
    EXPECT_EQ(bad("GET /mqtt HTTP/1.1\r\nno colon here\r\n\r\n"), 400);
}

TEST(WsHttpError, IsACompleteClosingResponse) {
    EXPECT_EQ(http_error_response(431),
              "HTTP/1.1 431 Request Header Fields Too Large\r\n"
              "Content-Type: text/plain\r\n"
              "Content-Length: 36\r\n"
              "Connection: close\r\n"
              "\r\n"
              "431 Request Header Fields Too Large\n");
}

TEST(WsFrameHeader, UsesTheShortestLengthEncoding) {
    std::array<uint8_t, 10> h{};
    // 7-bit length.
    ASSERT_EQ(encode_frame_header(0x2, 0, h), 2u);
    EXPECT_EQ(h[0], 0x82);  // FIN | binary
    EXPECT_EQ(h[1], 0x00);  // no mask, length 0
    ASSERT_EQ(encode_frame_header(0x2, 125, h), 2u);
    EXPECT_EQ(h[1], 125);
    // 16-bit length.
    ASSERT_EQ(encode_frame_header(0x2, 126, h), 4u);
    EXPECT_EQ(h[1], 126);
    EXPECT_EQ(h[2], 0x00);
    EXPECT_EQ(h[3], 126);
    ASSERT_EQ(encode_frame_header(0x2, 65535, h), 4u);
    EXPECT_EQ(h[2], 0xff);
    EXPECT_EQ(h[3], 0xff);
    // 64-bit length, big-endian.
    ASSERT_EQ(encode_frame_header(0x2, 65536, h), 10u);
    EXPECT_EQ(h[1], 127);
    EXPECT_EQ((std::array<uint8_t, 8>{h[2], h[3], h[4], h[5], h[6], h[7], h[8], h[9]}),
              (std::array<uint8_t, 8>{0, 0, 0, 0, 0, 1, 0, 0}));
}

}  // namespace
}  // namespace robust::net::detail
