// WebSocket listener tests with a client written from raw bytes
// (ws_test_util.h).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>

#include "base/errc.h"
#include "net_test_util.h"
#include "ws_test_util.h"

namespace robust::net {
namespace {

using namespace test;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

listener_options ws_options() {
    listener_options o;
    o.name = "ws-test";
    o.kind = listener_options::kind::websocket;
    o.max_connections = 1000;
    return o;
}

TEST(WsListener, UpgradesAndEchoesBinaryFrames) {
    echo_server server(ws_options());
    test_client c(server.port());
    const std::string response = handshake(c);
    EXPECT_THAT(response, StartsWith("HTTP/1.1 101 Switching Protocols\r\n"));
    EXPECT_THAT(response, HasSubstr("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"));
    EXPECT_THAT(response, HasSubstr("Sec-WebSocket-Protocol: mqtt\r\n"));

    c.write(client_frame(op_binary, "hello"));
    EXPECT_EQ(read_binary(c, 5), "hello");
    // Two "packets" in one frame, then one split over two messages: the
    // transport is a byte stream, frames are invisible to it.
    c.write(client_frame(op_binary, "abcdef"));
    EXPECT_EQ(read_binary(c, 6), "abcdef");
    c.write(client_frame(op_binary, "xy") + client_frame(op_binary, "z"));
    EXPECT_EQ(read_binary(c, 3), "xyz");

    EXPECT_EQ(server.log().wrong_thread, 0);
    std::lock_guard lock(server.log().mu);
    ASSERT_EQ(server.log().kinds.size(), 1u);
    EXPECT_EQ(server.log().kinds[0], "ws");
    EXPECT_EQ(server.log().remotes[0].rfind("127.0.0.1:", 0), 0u);
}

TEST(WsListener, ConnectionsSpreadOverThreads) {
    echo_server server(ws_options());
    std::vector<std::unique_ptr<test_client>> clients;
    for (int i = 0; i < 4; ++i) {
        clients.push_back(std::make_unique<test_client>(server.port()));
        ASSERT_THAT(handshake(*clients.back()), StartsWith("HTTP/1.1 101"));
        clients.back()->write(client_frame(op_binary, "n" + std::to_string(i)));
        EXPECT_EQ(read_binary(*clients.back(), 2), "n" + std::to_string(i));
    }
    EXPECT_EQ(server.get().connections(), 4u);
    EXPECT_EQ(server.log().wrong_thread, 0);
    std::lock_guard lock(server.log().mu);
    EXPECT_EQ(server.log().thread_indices, (std::set<size_t>{0, 1}));
}

TEST(WsListener, ReassemblesFragmentsWithAPingInBetween) {
    echo_server server(ws_options());
    test_client c(server.port());
    ASSERT_THAT(handshake(c), StartsWith("HTTP/1.1 101"));
    c.write(client_frame(op_binary, "hel", /*fin=*/false));
    c.write(client_frame(op_ping, "p1"));  // control frames may interleave [RFC 6455 5.4]
    c.write(client_frame(op_continuation, "lo", /*fin=*/true));
    std::vector<frame> control;
    EXPECT_EQ(read_binary(c, 5, &control), "hello");
    if (control.empty()) control.push_back(read_frame(c));
    ASSERT_EQ(control.size(), 1u);
    EXPECT_EQ(control[0].opcode, op_pong);
    EXPECT_EQ(control[0].payload, "p1");
}

TEST(WsListener, AnswersPingWithPong) {
    echo_server server(ws_options());
    test_client c(server.port());
    ASSERT_THAT(handshake(c), StartsWith("HTTP/1.1 101"));
    c.write(client_frame(op_ping, "are you there"));
    const frame f = read_frame(c);
    EXPECT_EQ(f.opcode, op_pong);
    EXPECT_TRUE(f.fin);
    EXPECT_EQ(f.payload, "are you there");
    // Pongs from the client are ignored.
    c.write(client_frame(op_pong, "x") + client_frame(op_binary, "after"));
    EXPECT_EQ(read_binary(c, 5), "after");
}

TEST(WsListener, CarriesLargeFramesBothWays) {
    echo_server server(ws_options());
    test_client c(server.port());
    ASSERT_THAT(handshake(c), StartsWith("HTTP/1.1 101"));
    std::string big(300 * 1000, '\0');  // 64-bit length form
    std::mt19937 rng(7);
    for (char& ch : big) ch = static_cast<char>(rng());
    c.write(client_frame(op_binary, big));
    EXPECT_EQ(read_binary(c, big.size()), big);
}

TEST(WsListener, TakesFramesSentRightBehindTheRequest) {
    echo_server server(ws_options());
    test_client c(server.port());
    c.write(upgrade_request() + client_frame(op_binary, "early"));
    EXPECT_THAT(c.read_until("\r\n\r\n"), StartsWith("HTTP/1.1 101"));
    EXPECT_EQ(read_binary(c, 5), "early");
}

TEST(WsListener, NegotiatesSubprotocols) {
    echo_server server(ws_options());
    {
        test_client c(server.port());
        const auto r = handshake(c, "/mqtt", "mqttv3.1");
        EXPECT_THAT(r, HasSubstr("Sec-WebSocket-Protocol: mqttv3.1\r\n"));
    }
    {
        test_client c(server.port());
        const auto r = handshake(c, "/mqtt", "chat, mqtt");
        EXPECT_THAT(r, HasSubstr("Sec-WebSocket-Protocol: mqtt\r\n"));
    }
    {
        test_client c(server.port());
        const auto r = handshake(c, "/mqtt", "");
        EXPECT_THAT(r, StartsWith("HTTP/1.1 101"));
        EXPECT_THAT(r, Not(HasSubstr("Sec-WebSocket-Protocol")));
    }
}

TEST(WsListener, WrongPathGets404AndIsClosed) {
    echo_server server(ws_options());
    test_client c(server.port());
    EXPECT_THAT(handshake(c, "/other"), StartsWith("HTTP/1.1 404 Not Found\r\n"));
    EXPECT_TRUE(c.wait_closed());
    EXPECT_TRUE(wait_until([&] { return server.get().connections() == 0; }));
    EXPECT_EQ(server.log().accepted, 0);
}

TEST(WsListener, OversizedRequestHeadGets431) {
    listener_options o = ws_options();
    o.max_ws_header_bytes = 1024;
    echo_server server(o);
    test_client c(server.port());
    c.write("GET /mqtt HTTP/1.1\r\nX-Filler: " + std::string(2000, 'a'));
    EXPECT_THAT(c.read_until("\r\n\r\n"), StartsWith("HTTP/1.1 431 "));
    EXPECT_TRUE(c.wait_closed());
}

TEST(WsListener, SilentClientIsDroppedAfterTheHandshakeTimeout) {
    listener_options o = ws_options();
    o.handshake_timeout_ms = 50;
    echo_server server(o);
    test_client c(server.port());
    c.write("GET /mqtt HTTP/1.1\r\n");  // and never the rest
    EXPECT_TRUE(c.wait_closed());
    EXPECT_TRUE(wait_until([&] { return server.get().connections() == 0; }));
    EXPECT_EQ(server.log().accepted, 0);
}

TEST(WsListener, ClientCloseIsAnsweredAndEndsTheStream) {
    echo_server server(ws_options());
    test_client c(server.port());
    ASSERT_THAT(handshake(c), StartsWith("HTTP/1.1 101"));
    c.write(client_frame(op_binary, "bye"));
    EXPECT_EQ(read_binary(c, 3), "bye");
    c.write(client_frame(op_close, close_payload(1000)));
    const frame f = read_frame(c);
    EXPECT_EQ(f.opcode, op_close);
    EXPECT_EQ(close_code(f.payload), 1000);
    EXPECT_TRUE(c.wait_closed());
    EXPECT_TRUE(wait_until([&] { return server.get().connections() == 0; }));
    EXPECT_EQ(server.log().ends_copy(), std::vector<std::error_code>{asio::error::eof});
}

TEST(WsListener, TextFramesAreAProtocolError) {
    echo_server server(ws_options());
    test_client c(server.port());
    ASSERT_THAT(handshake(c), StartsWith("HTTP/1.1 101"));
    c.write(client_frame(op_text, "not binary"));
    const frame f = read_frame(c);
    EXPECT_EQ(f.opcode, op_close);
    EXPECT_EQ(close_code(f.payload), 1002);
    EXPECT_TRUE(c.wait_closed());
    EXPECT_TRUE(wait_until([&] { return server.get().connections() == 0; }));
    EXPECT_EQ(server.log().ends_copy(),
              std::vector<std::error_code>{make_error_code(errc::protocol_error)});
}

TEST(WsListener, UnmaskedClientFramesAreAProtocolError) {
    echo_server server(ws_options());
    test_client c(server.port());
    ASSERT_THAT(handshake(c), StartsWith("HTTP/1.1 101"));
    c.write(client_frame(op_binary, "plain", true, /*masked=*/false));
    const frame f = read_frame(c);
    EXPECT_EQ(f.opcode, op_close);
    EXPECT_EQ(close_code(f.payload), 1002);
    EXPECT_TRUE(c.wait_closed());
}

TEST(WsListener, FramesAboveTheLimitAreRefusedWith1009) {
    listener_options o = ws_options();
    o.max_ws_frame = 1000;
    echo_server server(o);
    test_client c(server.port());
    ASSERT_THAT(handshake(c), StartsWith("HTTP/1.1 101"));
    c.write(client_frame(op_binary, std::string(1000, 'a')));  // at the limit: fine
    EXPECT_EQ(read_binary(c, 1000), std::string(1000, 'a'));
    c.write(client_frame(op_binary, std::string(1001, 'b')));
    const frame f = read_frame(c);
    EXPECT_EQ(f.opcode, op_close);
    EXPECT_EQ(close_code(f.payload), 1009);
    EXPECT_TRUE(c.wait_closed());
    EXPECT_TRUE(wait_until([&] { return server.get().connections() == 0; }));
    EXPECT_EQ(server.log().ends_copy(),
              std::vector<std::error_code>{make_error_code(errc::too_large)});
}

TEST(WsListener, ServerCloseSendsACloseFrame) {
    echo_server server(ws_options());
    test_client c(server.port());
    ASSERT_THAT(handshake(c), StartsWith("HTTP/1.1 101"));
    c.write(client_frame(op_binary, "x"));
    ASSERT_EQ(read_binary(c, 1), "x");
    server.close_all();
    const frame f = read_frame(c);
    EXPECT_EQ(f.opcode, op_close);
    EXPECT_EQ(close_code(f.payload), 1000);
    EXPECT_TRUE(c.wait_closed());
    EXPECT_TRUE(wait_until([&] { return server.get().connections() == 0; }));
    EXPECT_EQ(server.log().ends_copy(),
              std::vector<std::error_code>{asio::error::operation_aborted});
}

TEST(WsListener, MaxConnectionsCountsHandshakes) {
    listener_options o = ws_options();
    o.max_connections = 1;
    echo_server server(o);
    test_client a(server.port());
    ASSERT_THAT(handshake(a), StartsWith("HTTP/1.1 101"));
    test_client b(server.port());
    EXPECT_TRUE(b.wait_closed());
    EXPECT_EQ(server.get().connections(), 1u);
}

TEST(WsTransport, CloseLetsTheWriteInFlightFinishThenSendsCloseFrame) {
    static const std::string payload = "last words";
    std::promise<std::error_code> write_done;
    hook_server server(ws_options(), [&](transport& t) {
        t.async_write({asio::buffer(payload)},
                      [&](std::error_code ec, size_t) { write_done.set_value(ec); });
        t.close();  // the write above is in flight: it must not be cut
    });
    test_client c(server.port());
    ASSERT_THAT(handshake(c), StartsWith("HTTP/1.1 101"));
    EXPECT_EQ(read_binary(c, payload.size()), payload);
    const frame f = read_frame(c);
    EXPECT_EQ(f.opcode, op_close);
    EXPECT_EQ(close_code(f.payload), 1000);
    EXPECT_TRUE(c.wait_closed());
    EXPECT_EQ(write_done.get_future().get(), std::error_code());
}

TEST(WsTransport, CloseGivesUpOnAWriteThePeerNeverReads) {
    static const std::string big(64 * 1024 * 1024, 'z');  // more than the socket buffers hold
    std::promise<std::error_code> write_done;
    std::promise<std::error_code> write_after_close;
    hook_server server(ws_options(), [&](transport& t) {
        t.async_write({asio::buffer(big)},
                      [&](std::error_code ec, size_t) { write_done.set_value(ec); });
        t.close();
        t.async_write({asio::buffer(big)},
                      [&](std::error_code ec, size_t) { write_after_close.set_value(ec); });
    });
    test_client c(server.port());
    ASSERT_THAT(handshake(c), StartsWith("HTTP/1.1 101"));
    // The client never reads: after the linger time the socket is closed
    // under the write.
    EXPECT_EQ(write_after_close.get_future().get(), asio::error::operation_aborted);
    auto done = write_done.get_future();
    ASSERT_EQ(done.wait_for(10s), std::future_status::ready);
    EXPECT_TRUE(done.get());  // cut off: some error
}

}  // namespace
}  // namespace robust::net
