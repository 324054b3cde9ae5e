// TLS and WSS listeners against real TLS clients (asio::ssl over OpenSSL)
// with certificates made at test time (test_certs.h).

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include <asio/ssl/error.hpp>

#include <random>

#include "base/errc.h"
#include "net/tls.h"
#include "net_test_util.h"
#include "test_certs.h"
#include "ws_test_util.h"

namespace robust::net {
namespace {

using namespace test;
using ::testing::AnyOf;
using ::testing::HasSubstr;
using ::testing::StartsWith;

// One PKI per test: a CA with a server certificate and client
// certificates, and a second CA the server does not trust.
class Tls : public ::testing::Test {
protected:
    test_pki pki;
    test_cert ca = pki.make_ca("Test CA");
    test_cert server_cert = pki.make_server(ca);
    test_cert other_ca = pki.make_ca("Other CA");

    std::shared_ptr<asio::ssl::context> context(bool verify_peer = false, bool with_ca = false,
                                                bool v1_3_only = false) {
        tls_options o;
        o.cert_file = server_cert.cert_file;
        o.key_file = server_cert.key_file;
        if (verify_peer || with_ca) o.ca_file = ca.cert_file;
        o.verify_peer = verify_peer;
        o.v1_3_only = v1_3_only;
        auto r = make_tls_context(o);
        EXPECT_TRUE(r.ok()) << r.error;
        return r.context;
    }

    listener_options options(enum listener_options::kind k,
                             std::shared_ptr<asio::ssl::context> ctx) {
        listener_options o;
        o.name = k == listener_options::kind::wss ? "wss-test" : "tls-test";
        o.kind = k;
        o.tls = std::move(ctx);
        o.max_connections = 1000;
        return o;
    }

    listener_options tls(std::shared_ptr<asio::ssl::context> ctx = nullptr) {
        return options(listener_options::kind::tls, ctx ? std::move(ctx) : context());
    }
    listener_options wss(std::shared_ptr<asio::ssl::context> ctx = nullptr) {
        return options(listener_options::kind::wss, ctx ? std::move(ctx) : context());
    }

    // A client that checks the server against our CA and the name
    // "localhost" (the server certificate's SAN).
    tls_client_options client() const {
        tls_client_options o;
        o.ca_file = ca.cert_file;
        return o;
    }
    tls_client_options client_with(const test_cert& cert) const {
        tls_client_options o = client();
        o.cert_file = cert.cert_file;
        o.key_file = cert.key_file;
        return o;
    }
};

bool echoes(test_client& c, const std::string& msg) {
    c.write(msg);
    return c.read_exactly(msg.size()) == msg;
}

// True if the server refused the client: its handshake failed or, with
// TLS 1.3 (where the client finishes its handshake before the server has
// checked the client's certificate), the server's alert ends the next read.
// (Nothing is written: a write racing the server's close could turn the
// alert into a reset.) A server that accepted lets the read time out.
// `why` gets the client's error.
bool refused(test_client& c, std::string* why = nullptr) {
    if (c.connect_error()) return false;
    if (!c.handshake_error() && !c.read_exactly(1).empty()) return false;
    if (why) *why = c.last_error().message();
    return c.last_error() && c.last_error() != asio::error::timed_out;
}

TEST_F(Tls, EchoesOverTlsOnThePoolThreads) {
    echo_server server(tls());
    std::vector<std::unique_ptr<test_client>> clients;
    for (int i = 0; i < 4; ++i) {
        clients.push_back(std::make_unique<test_client>(server.port(), client()));
        ASSERT_FALSE(clients.back()->handshake_error())
            << clients.back()->handshake_error().message();
        EXPECT_EQ(clients.back()->tls_version(), "TLSv1.3");
        EXPECT_TRUE(echoes(*clients.back(), "hello " + std::to_string(i)));
    }
    EXPECT_EQ(server.log().accepted, 4);
    EXPECT_EQ(server.log().wrong_thread, 0);
    std::lock_guard lock(server.log().mu);
    EXPECT_EQ(server.log().thread_indices, (std::set<size_t>{0, 1}));
    for (const auto& k : server.log().kinds) EXPECT_EQ(k, "tls");
    for (const auto& r : server.log().remotes) EXPECT_EQ(r.rfind("127.0.0.1:", 0), 0u) << r;
    for (const auto& cn : server.log().peer_cns) EXPECT_EQ(cn, std::nullopt);
}

TEST_F(Tls, NegotiatesTls12WithAClientThatStopsThere) {
    echo_server server(tls());
    tls_client_options o = client();
    o.max_version = TLS1_2_VERSION;
    test_client c(server.port(), o);
    ASSERT_FALSE(c.handshake_error()) << c.handshake_error().message();
    EXPECT_EQ(c.tls_version(), "TLSv1.2");
    EXPECT_TRUE(echoes(c, "over 1.2"));
}

TEST_F(Tls, CarriesLargeStreamsBothWays) {
    echo_server server(tls());
    test_client c(server.port(), client());
    ASSERT_FALSE(c.handshake_error());
    std::mt19937 rng(11);
    std::string chunk(64 * 1024, '\0');
    for (int round = 0; round < 16; ++round) {  // 1 MiB, many TLS records
        for (char& ch : chunk) ch = static_cast<char>(rng());
        ASSERT_TRUE(echoes(c, chunk)) << "round " << round;
    }
}

TEST_F(Tls, WritesGatherBuffersInOrder) {
    static const std::string a = "MQTT", b(20000, 'b'), d = "end";
    std::promise<std::pair<std::error_code, size_t>> written;
    hook_server server(tls(), [&](transport& t) {
        t.async_write({asio::buffer(a), asio::buffer(b), asio::const_buffer(), asio::buffer(d)},
                      [&](std::error_code ec, size_t n) {
                          written.set_value({ec, n});
                      });
    });
    test_client c(server.port(), client());
    ASSERT_FALSE(c.handshake_error());
    EXPECT_EQ(c.read_exactly(a.size() + b.size() + d.size()), a + b + d);
    const auto [ec, n] = written.get_future().get();
    EXPECT_FALSE(ec);
    EXPECT_EQ(n, a.size() + b.size() + d.size());
}

TEST_F(Tls, ListenerNeedsAContext) {
    io_pool pool(1);
    auto accept = [](std::unique_ptr<transport>) {};
    for (auto k : {listener_options::kind::tls, listener_options::kind::wss}) {
        listener_options o = options(k, nullptr);
        o.bind = "127.0.0.1";
        auto r = listener::start(pool, o, accept);
        ASSERT_FALSE(r.has_value());
        EXPECT_EQ(r.error(), errc::invalid_argument);
    }
}

TEST_F(Tls, VerifyPeerRequiresAClientCertificateFromTheCa) {
    echo_server server(tls(context(/*verify_peer=*/true)));
    {
        test_client c(server.port(), client());  // no certificate
        std::string why;
        EXPECT_TRUE(refused(c, &why));
        EXPECT_THAT(why, HasSubstr("certificate required")) << why;
    }
    {
        const test_cert stranger = pki.make_client(other_ca, "stranger");
        test_client c(server.port(), client_with(stranger));
        std::string why;
        EXPECT_TRUE(refused(c, &why));
        EXPECT_THAT(why, HasSubstr("unknown ca")) << why;
    }
    EXPECT_EQ(server.log().accepted, 0);
    {
        const test_cert device = pki.make_client(ca, "device-1");
        test_client c(server.port(), client_with(device));
        ASSERT_FALSE(c.handshake_error()) << c.handshake_error().message();
        EXPECT_TRUE(echoes(c, "let me in"));
    }
    EXPECT_EQ(server.log().accepted, 1);
    EXPECT_EQ(server.log().peer_cns_copy(), (std::vector<std::optional<std::string>>{"device-1"}));
    EXPECT_TRUE(wait_until([&] { return server.get().connections() == 0; }));
}

TEST_F(Tls, VerifyPeerOverTls12RefusesAtTheHandshake) {
    echo_server server(tls(context(/*verify_peer=*/true)));
    tls_client_options o = client();
    o.max_version = TLS1_2_VERSION;
    test_client c(server.port(), o);
    EXPECT_TRUE(c.handshake_error());  // in 1.2 the server decides before the client finishes
    EXPECT_EQ(server.log().accepted, 0);
}

TEST_F(Tls, CaFileWithoutVerifyPeerMakesClientCertificatesOptional) {
    echo_server server(tls(context(/*verify_peer=*/false, /*with_ca=*/true)));
    {
        test_client c(server.port(), client());
        ASSERT_FALSE(c.handshake_error());
        EXPECT_TRUE(echoes(c, "anonymous"));
    }
    {
        const test_cert device = pki.make_client(ca, "device-2");
        test_client c(server.port(), client_with(device));
        EXPECT_TRUE(echoes(c, "known"));
    }
    {
        // A certificate that is given must verify.
        const test_cert stranger = pki.make_client(other_ca, "stranger");
        test_client c(server.port(), client_with(stranger));
        EXPECT_TRUE(refused(c));
    }
    EXPECT_EQ(server.log().peer_cns_copy(),
              (std::vector<std::optional<std::string>>{std::nullopt, "device-2"}));
}

TEST_F(Tls, PeerCommonNameIsUtf8) {
    echo_server server(tls(context(/*verify_peer=*/true)));
    const std::string cn = "Gerät-7 ü 設備";
    const test_cert device = pki.make_client(ca, cn);
    test_client c(server.port(), client_with(device));
    ASSERT_TRUE(echoes(c, "x"));
    EXPECT_EQ(server.log().peer_cns_copy(), (std::vector<std::optional<std::string>>{cn}));
}

TEST_F(Tls, ServerChainIsSentSoClientsTrustingOnlyTheRootConnect) {
    const test_cert intermediate = pki.make_ca("Intermediate CA", &ca);
    const test_cert leaf = pki.make_server(intermediate);
    tls_options o;
    o.cert_file = pki.write_file("chain.pem", leaf.cert_pem + intermediate.cert_pem);
    o.key_file = leaf.key_file;
    auto r = make_tls_context(o);
    ASSERT_TRUE(r.ok()) << r.error;
    echo_server server(tls(r.context));
    test_client c(server.port(), client());  // trusts the root only
    ASSERT_FALSE(c.handshake_error()) << c.handshake_error().message();
    EXPECT_TRUE(echoes(c, "chained"));
}

TEST_F(Tls, ClientsOfferingOnlyTls11OrOlderAreRefused) {
    echo_server server(tls());
    for (int version : {TLS1_1_VERSION, TLS1_VERSION}) {
        tls_client_options o = client();
        o.legacy = true;  // so the client really offers the old version
        o.min_version = TLS1_VERSION;
        o.max_version = version;
        test_client c(server.port(), o);
        ASSERT_TRUE(c.handshake_error());
        // The server's alert, not a client-side "no protocols available".
        EXPECT_THAT(c.handshake_error().message(), HasSubstr("protocol version"));
    }
    EXPECT_EQ(server.log().accepted, 0);
    EXPECT_TRUE(wait_until([&] { return server.get().connections() == 0; }));
}

TEST_F(Tls, V13OnlyServerRefusesTls12Clients) {
    echo_server server(tls(context(false, false, /*v1_3_only=*/true)));
    tls_client_options o = client();
    o.max_version = TLS1_2_VERSION;
    test_client old(server.port(), o);
    ASSERT_TRUE(old.handshake_error());
    EXPECT_THAT(old.handshake_error().message(), HasSubstr("protocol version"));

    test_client current(server.port(), client());
    ASSERT_FALSE(current.handshake_error());
    EXPECT_EQ(current.tls_version(), "TLSv1.3");
    EXPECT_TRUE(echoes(current, "1.3"));
    EXPECT_EQ(server.log().accepted, 1);
}

TEST_F(Tls, HandshakeTimeoutClosesASilentClient) {
    listener_options o = tls();
    o.handshake_timeout_ms = 200;
    echo_server server(o);
    test_client silent(server.port());  // TCP only: never sends a ClientHello
    test_client partial(server.port());
    partial.write(std::string("\x16\x03\x01\x02\x00\x01", 6));  // a ClientHello's first bytes
    EXPECT_TRUE(silent.wait_closed());
    EXPECT_TRUE(partial.wait_closed());
    EXPECT_TRUE(wait_until([&] { return server.get().connections() == 0; }));
    EXPECT_EQ(server.log().accepted, 0);
}

TEST_F(Tls, PlaintextClientIsRefusedAndOthersAreUnaffected) {
    echo_server server(tls());
    test_client good(server.port(), client());
    ASSERT_TRUE(echoes(good, "before"));
    test_client plain(server.port());
    // An MQTT CONNECT sent to the TLS port by mistake.
    plain.write(std::string("\x10\x0c\x00\x04MQTT\x04\x02\x00\x3c\x00\x00", 14));
    EXPECT_TRUE(plain.wait_closed());
    EXPECT_TRUE(echoes(good, "after"));
    EXPECT_EQ(server.log().accepted, 1);
}

TEST_F(Tls, MaxConnectionsCountsHandshakesInProgress) {
    listener_options o = tls();
    o.max_connections = 1;
    echo_server server(o);
    auto silent = std::make_unique<test_client>(server.port());  // holds the one slot
    ASSERT_TRUE(wait_until([&] { return server.get().connections() == 1; }));
    {
        test_client c(server.port(), client());
        EXPECT_TRUE(c.handshake_error());  // accepted and closed at once
    }
    EXPECT_EQ(server.get().connections(), 1u);
    silent.reset();  // its handshake fails: the slot is free again
    ASSERT_TRUE(wait_until([&] { return server.get().connections() == 0; }));
    test_client a(server.port(), client());
    ASSERT_TRUE(echoes(a, "room"));
    test_client b(server.port(), client());
    EXPECT_TRUE(refused(b));
    EXPECT_EQ(server.get().connections(), 1u);
    EXPECT_TRUE(echoes(a, "still here"));
}

TEST_F(Tls, ServerCloseSendsCloseNotify) {
    echo_server server(tls());
    test_client c(server.port(), client());
    ASSERT_TRUE(echoes(c, "x"));
    // The echo's write has finished on the server too (its handler started
    // the next read): a close with a write in flight sends no close_notify.
    ASSERT_TRUE(wait_until([&] { return server.log().reads >= 2; }));
    server.close_all();
    c.read_exactly(1);
    // A clean TLS end (close_notify), not a truncated stream.
    EXPECT_EQ(c.last_error(), asio::error::eof) << c.last_error().message();
    EXPECT_TRUE(wait_until([&] { return server.get().connections() == 0; }));
    EXPECT_EQ(server.log().ends_copy(),
              std::vector<std::error_code>{asio::error::operation_aborted});
}

TEST_F(Tls, ClientGoingAwayEndsTheStreamWithEof) {
    echo_server server(tls());
    {
        test_client c(server.port(), client());
        ASSERT_TRUE(echoes(c, "bye"));
        c.close();  // TCP close without close_notify
    }
    EXPECT_TRUE(wait_until([&] { return server.get().connections() == 0; }));
    EXPECT_EQ(server.log().ends_copy(), std::vector<std::error_code>{asio::error::eof});
}

TEST_F(Tls, CloseEndsPendingOperations) {
    std::promise<std::error_code> read_end;
    std::promise<std::error_code> write_after_close;
    std::array<char, 16> buf{};
    hook_server server(tls(), [&](transport& t) {
        t.async_read_some(asio::buffer(buf),
                          [&](std::error_code ec, size_t) { read_end.set_value(ec); });
        t.close();
        t.close();  // idempotent
        t.async_write({asio::buffer("late", 4)},
                      [&](std::error_code ec, size_t) { write_after_close.set_value(ec); });
    });
    test_client c(server.port(), client());
    ASSERT_FALSE(c.handshake_error());
    EXPECT_EQ(read_end.get_future().get(), asio::error::operation_aborted);
    EXPECT_EQ(write_after_close.get_future().get(), asio::error::operation_aborted);
    EXPECT_TRUE(c.wait_closed());
}

TEST_F(Tls, StopDuringAHandshakeDoesNotHang) {
    io_pool pool(2);
    pool.start();
    std::atomic<int> accepted{0};
    auto l = listener::start(pool, tls(), [&](std::unique_ptr<transport>) { ++accepted; });
    ASSERT_TRUE(l.has_value());
    test_client silent((*l)->port());
    ASSERT_TRUE(wait_until([&] { return (*l)->connections() == 1; }));
    (*l)->stop();
    pool.stop();  // drops the handshake in progress without running it
    EXPECT_EQ(accepted, 0);
}

// --- WSS ---------------------------------------------------------------

TEST_F(Tls, WssUpgradesAndEchoesBinaryFrames) {
    echo_server server(wss());
    test_client c(server.port(), client());
    ASSERT_FALSE(c.handshake_error()) << c.handshake_error().message();
    const std::string response = handshake(c);
    EXPECT_THAT(response, StartsWith("HTTP/1.1 101 Switching Protocols\r\n"));
    EXPECT_THAT(response, HasSubstr("Sec-WebSocket-Protocol: mqtt\r\n"));
    c.write(client_frame(op_binary, "hello"));
    EXPECT_EQ(read_binary(c, 5), "hello");
    c.write(client_frame(op_binary, "xy") + client_frame(op_binary, "z"));
    EXPECT_EQ(read_binary(c, 3), "xyz");
    c.write(client_frame(op_ping, "p"));
    const frame pong = read_frame(c);
    EXPECT_EQ(pong.opcode, op_pong);
    EXPECT_EQ(pong.payload, "p");

    std::string big(300 * 1000, '\0');  // 64-bit length form, many TLS records
    std::mt19937 rng(5);
    for (char& ch : big) ch = static_cast<char>(rng());
    c.write(client_frame(op_binary, big));
    EXPECT_EQ(read_binary(c, big.size()), big);

    EXPECT_EQ(server.log().wrong_thread, 0);
    std::lock_guard lock(server.log().mu);
    ASSERT_EQ(server.log().kinds.size(), 1u);
    EXPECT_EQ(server.log().kinds[0], "wss");
    EXPECT_EQ(server.log().peer_cns[0], std::nullopt);
}

TEST_F(Tls, WssTakesFramesSentRightBehindTheRequest) {
    echo_server server(wss());
    test_client c(server.port(), client());
    c.write(upgrade_request() + client_frame(op_binary, "early"));
    EXPECT_THAT(c.read_until("\r\n\r\n"), StartsWith("HTTP/1.1 101"));
    EXPECT_EQ(read_binary(c, 5), "early");
}

TEST_F(Tls, WssWithVerifyPeerGivesTheCommonName) {
    echo_server server(wss(context(/*verify_peer=*/true)));
    {
        test_client c(server.port(), client());
        EXPECT_TRUE(c.handshake_error() || handshake(c).empty());
    }
    const test_cert device = pki.make_client(ca, "ws-device");
    test_client c(server.port(), client_with(device));
    ASSERT_THAT(handshake(c), StartsWith("HTTP/1.1 101"));
    c.write(client_frame(op_binary, "hi"));
    EXPECT_EQ(read_binary(c, 2), "hi");
    EXPECT_EQ(server.log().peer_cns_copy(), (std::vector<std::optional<std::string>>{"ws-device"}));
}

TEST_F(Tls, WssWrongPathGets404OverTls) {
    echo_server server(wss());
    test_client c(server.port(), client());
    EXPECT_THAT(handshake(c, "/other"), StartsWith("HTTP/1.1 404 Not Found\r\n"));
    EXPECT_TRUE(c.wait_closed());
    EXPECT_EQ(c.last_error(), asio::error::eof);  // close_notify after the response
    EXPECT_EQ(server.log().accepted, 0);
}

TEST_F(Tls, WssHandshakeTimeoutCoversTlsAndTheUpgrade) {
    listener_options o = wss();
    o.handshake_timeout_ms = 1000;  // room for the TLS handshake on a loaded machine
    echo_server server(o);
    test_client c(server.port(), client());  // TLS done, then no upgrade request
    ASSERT_FALSE(c.handshake_error());
    EXPECT_TRUE(c.wait_closed());
    EXPECT_TRUE(wait_until([&] { return server.get().connections() == 0; }));
    EXPECT_EQ(server.log().accepted, 0);
}

TEST_F(Tls, WssServerCloseSendsCloseFrameThenCloseNotify) {
    echo_server server(wss());
    test_client c(server.port(), client());
    ASSERT_THAT(handshake(c), StartsWith("HTTP/1.1 101"));
    c.write(client_frame(op_binary, "x"));
    ASSERT_EQ(read_binary(c, 1), "x");
    server.close_all();
    const frame f = read_frame(c);
    EXPECT_EQ(f.opcode, op_close);
    EXPECT_EQ(close_code(f.payload), 1000);
    EXPECT_TRUE(c.wait_closed());
    EXPECT_EQ(c.last_error(), asio::error::eof);
}

TEST_F(Tls, WssClientCloseIsAnsweredAndEndsTheStream) {
    echo_server server(wss());
    test_client c(server.port(), client());
    ASSERT_THAT(handshake(c), StartsWith("HTTP/1.1 101"));
    c.write(client_frame(op_close, close_payload(1000)));
    const frame f = read_frame(c);
    EXPECT_EQ(f.opcode, op_close);
    EXPECT_EQ(close_code(f.payload), 1000);
    EXPECT_TRUE(c.wait_closed());
    EXPECT_TRUE(wait_until([&] { return server.get().connections() == 0; }));
    EXPECT_EQ(server.log().ends_copy(), std::vector<std::error_code>{asio::error::eof});
}

}  // namespace
}  // namespace robust::net
