#include <gtest/gtest.h>

#include "base/errc.h"
#include "net_test_util.h"

namespace robust::net {
namespace {

using namespace test;

listener_options tcp_options(size_t max_connections = 1000) {
    listener_options o;
    o.name = "tcp-test";
    o.kind = listener_options::kind::tcp;
    o.max_connections = max_connections;
    return o;
}

// Round trip through the echo server; true if the bytes came back.
bool echoes(test_client& c, const std::string& msg) {
    c.write(msg);
    return c.read_exactly(msg.size()) == msg;
}

TEST(TcpListener, PortZeroBindsAFreePort) {
    echo_server server(tcp_options());
    EXPECT_NE(server.port(), 0);
    EXPECT_EQ(server.get().options().name, "tcp-test");
}

TEST(TcpListener, EchoesThroughTransportsOnTheirOwnThreads) {
    echo_server server(tcp_options());
    std::vector<std::unique_ptr<test_client>> clients;
    for (int i = 0; i < 4; ++i) {
        clients.push_back(std::make_unique<test_client>(server.port()));
        ASSERT_FALSE(clients.back()->connect_error());
        EXPECT_TRUE(echoes(*clients.back(), "hello " + std::to_string(i)));
    }
    EXPECT_EQ(server.log().accepted, 4);
    EXPECT_EQ(server.log().wrong_thread, 0);
    std::lock_guard lock(server.log().mu);
    EXPECT_EQ(server.log().thread_indices, (std::set<size_t>{0, 1}));  // round robin
    for (const auto& k : server.log().kinds) EXPECT_EQ(k, "tcp");
    for (const auto& r : server.log().remotes) EXPECT_EQ(r.rfind("127.0.0.1:", 0), 0u) << r;
}

TEST(TcpListener, WritesLargeBuffersCompletely) {
    echo_server server(tcp_options());
    test_client c(server.port());
    std::string big(1 << 20, '\0');
    for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 7);
    c.write(big);
    EXPECT_EQ(c.read_exactly(big.size()), big);
}

TEST(TcpListener, CountsLiveConnectionsAndDropsClosedOnes) {
    echo_server server(tcp_options());
    auto a = std::make_unique<test_client>(server.port());
    auto b = std::make_unique<test_client>(server.port());
    ASSERT_TRUE(echoes(*a, "a"));
    ASSERT_TRUE(echoes(*b, "b"));
    EXPECT_EQ(server.get().connections(), 2u);
    a->close();  // the session sees EOF and destroys its transport
    EXPECT_TRUE(wait_until([&] { return server.get().connections() == 1; }));
    b.reset();
    EXPECT_TRUE(wait_until([&] { return server.get().connections() == 0; }));
    for (const auto& ec : server.log().ends_copy()) EXPECT_EQ(ec, asio::error::eof);
}

TEST(TcpListener, ClosesConnectionsBeyondTheLimit) {
    echo_server server(tcp_options(2));
    auto a = std::make_unique<test_client>(server.port());
    test_client b(server.port());
    ASSERT_TRUE(echoes(*a, "a"));
    ASSERT_TRUE(echoes(b, "b"));
    test_client c(server.port());  // the kernel completes the connect, then we close it
    EXPECT_TRUE(c.wait_closed());
    EXPECT_EQ(server.get().connections(), 2u);
    EXPECT_TRUE(echoes(b, "still here"));

    a->close();
    ASSERT_TRUE(wait_until([&] { return server.get().connections() == 1; }));
    test_client d(server.port());
    EXPECT_TRUE(echoes(d, "room again"));
    EXPECT_EQ(server.log().accepted, 3);
}

TEST(TcpListener, ServerCloseEndsPendingReadWithAnError) {
    io_pool pool(2);
    pool.start();
    std::promise<std::error_code> read_end;
    std::unique_ptr<transport> held;
    std::array<char, 16> buf{};
    auto l = listener::start(pool, tcp_options(), [&](std::unique_ptr<transport> t) {
        held = std::move(t);
        held->async_read_some(asio::buffer(buf),
                              [&](std::error_code ec, size_t) { read_end.set_value(ec); });
        held->close();
        held->close();  // idempotent
    });
    ASSERT_TRUE(l.has_value());
    test_client c((*l)->port());
    EXPECT_EQ(read_end.get_future().get(), asio::error::operation_aborted);
    EXPECT_TRUE(c.wait_closed());
    (*l)->stop();
    pool.stop();
    held.reset();
}

TEST(TcpListener, BindingAPortInUseFails) {
    echo_server server(tcp_options());
    io_pool pool(1);
    listener_options o = tcp_options();
    o.bind = "127.0.0.1";
    o.port = server.port();
    auto r = listener::start(pool, o, [](std::unique_ptr<transport>) {});
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error(), std::errc::address_in_use) << r.error().message();
}

TEST(TcpListener, RejectsBadOptions) {
    io_pool pool(1);
    auto accept = [](std::unique_ptr<transport>) {};
    listener_options o = tcp_options();
    o.bind = "localhost";  // names are not resolved
    auto r = listener::start(pool, o, accept);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error(), errc::invalid_argument);

    o = tcp_options();
    o.port = 70000;
    r = listener::start(pool, o, accept);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error(), errc::invalid_argument);

    o = tcp_options(0);
    r = listener::start(pool, o, accept);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error(), errc::invalid_argument);
}

TEST(TcpListener, StopRefusesNewConnectionsButKeepsExistingOnes) {
    echo_server server(tcp_options());
    test_client a(server.port());
    ASSERT_TRUE(echoes(a, "before"));
    const uint16_t port = server.port();
    server.get().stop();
    server.get().stop();  // idempotent
    EXPECT_TRUE(echoes(a, "after"));
    test_client b(port);
    EXPECT_EQ(b.connect_error(), asio::error::connection_refused);
}

}  // namespace
}  // namespace robust::net
