// Whole-server MQTT tests in-process: real sockets, two worker threads,
// RocksDB in a temp dir. Clients connect round robin, so a publisher and a
// subscriber land on different threads and exercise cross-thread delivery.

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "server_fixture.h"
#include "test_client.h"

namespace robust::test {
namespace {

using codec::qos_level;

class MqttIntegration : public server_fixture {};

TEST_F(MqttIntegration, Qos1DeliveredAcrossThreadsInOrder) {
    test_client sub(port_), pub(port_);
    ASSERT_EQ(sub.connect("sub").reason_code, 0);
    ASSERT_EQ(pub.connect("pub").reason_code, 0);
    auto ack = sub.subscribe("a/+", qos_level::at_least_once);
    ASSERT_EQ(ack.reason_codes, std::vector<uint8_t>{1});
    for (int i = 1; i <= 20; ++i)
        pub.publish("a/b", "m" + std::to_string(i), qos_level::at_least_once, uint16_t(i));
    for (int i = 1; i <= 20; ++i) {
        auto p = sub.receive_publish();
        EXPECT_EQ(p.topic, "a/b");
        EXPECT_EQ(p.payload.view(), "m" + std::to_string(i));
        EXPECT_EQ(p.qos, qos_level::at_least_once);
    }
}

TEST_F(MqttIntegration, Qos2BothDirectionsDeliversOnce) {
    test_client sub(port_), pub(port_);
    sub.connect("sub2");
    pub.connect("pub2");
    sub.subscribe("x", qos_level::exactly_once);
    pub.publish("x", "once", qos_level::exactly_once, 7);
    auto p = sub.receive_publish();
    EXPECT_EQ(p.qos, qos_level::exactly_once);
    EXPECT_EQ(p.payload.view(), "once");
    EXPECT_FALSE(sub.receive(std::chrono::milliseconds(300)).has_value());
}

TEST_F(MqttIntegration, QosDowngradedToSubscription) {
    test_client sub(port_), pub(port_);
    sub.connect("s3");
    pub.connect("p3");
    sub.subscribe("t", qos_level::at_most_once);
    pub.publish("t", "x", qos_level::exactly_once, 3);
    EXPECT_EQ(sub.receive_publish().qos, qos_level::at_most_once);
}

TEST_F(MqttIntegration, PersistentSessionQueuesAcrossRestart) {
    {
        test_client sub(port_);
        auto ack = sub.connect("keeper", false, 3600);
        EXPECT_FALSE(ack.session_present);
        sub.subscribe("jobs/#", qos_level::at_least_once);
        sub.disconnect();
    }
    {
        test_client pub(port_);
        pub.connect("producer");
        for (int i = 0; i < 50; ++i)
            pub.publish("jobs/" + std::to_string(i % 3), std::to_string(i),
                        qos_level::at_least_once, uint16_t(i + 1));
    }
    restart();
    test_client sub(port_);
    auto ack = sub.connect("keeper", false, 3600);
    EXPECT_TRUE(ack.session_present);
    for (int i = 0; i < 50; ++i) {
        auto p = sub.receive_publish();
        EXPECT_EQ(p.payload.view(), std::to_string(i));
    }
    // Acknowledged: nothing comes again on the next connection. (Waiting for
    // the server to close makes sure it read the last PUBACK: a reconnect
    // that overtakes unread PUBACKs rightly gets those messages again.)
    ASSERT_TRUE(sub.disconnect_and_wait_closed());
    test_client again(port_);
    EXPECT_TRUE(again.connect("keeper", false, 3600).session_present);
    EXPECT_FALSE(again.receive(std::chrono::milliseconds(300)).has_value());
}

// A persistent session that reconnects while a publisher is still writing
// reads its backlog from the inbox while live deliveries keep arriving: it
// must still send every message once, in the publisher's order.
TEST_F(MqttIntegration, PersistentSessionKeepsOrderWhenReconnectingDuringPublishes) {
    {
        test_client sub(port_);
        sub.connect("catcher", false, 3600);
        sub.subscribe("feed", qos_level::at_least_once);
        ASSERT_TRUE(sub.disconnect_and_wait_closed());
    }
    constexpr int total = 600;
    std::atomic<int> published = 0;
    std::jthread writer([&] {  // joined on every exit, a failed ASSERT included
        test_client pub(port_);
        pub.connect("feeder");
        for (int i = 0; i < total; ++i) {
            pub.publish("feed", std::to_string(i), qos_level::at_least_once,
                        uint16_t(i % 60000 + 1));
            published.store(i + 1);
        }
    });
    // Reconnect with a backlog behind and the publisher still going.
    while (published.load() < total / 3) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    test_client sub(port_);
    EXPECT_TRUE(sub.connect("catcher", false, 3600).session_present);
    for (int i = 0; i < total; ++i) {
        auto p = sub.receive_publish();
        ASSERT_EQ(p.payload.view(), std::to_string(i)) << "message " << i << " out of order";
    }
    writer.join();
    EXPECT_FALSE(sub.receive(std::chrono::milliseconds(300)).has_value());
}

TEST_F(MqttIntegration, RetainedSurvivesRestartAndClears) {
    {
        test_client pub(port_);
        pub.connect("rp");
        pub.publish("status/a", "on", qos_level::at_least_once, 1, true);
        pub.publish("status/b", "off", qos_level::at_least_once, 2, true);
        pub.publish("status/b", "", qos_level::at_least_once, 3, true);  // clears b
    }
    restart();
    test_client sub(port_);
    sub.connect("rs");
    sub.subscribe("status/#", qos_level::at_least_once);
    auto p = sub.receive_publish();
    EXPECT_EQ(p.topic, "status/a");
    EXPECT_TRUE(p.retain);
    EXPECT_EQ(p.payload.view(), "on");
    EXPECT_FALSE(sub.receive(std::chrono::milliseconds(300)).has_value());
}

TEST_F(MqttIntegration, MalformedPacketClosesOnlyThatConnection) {
    test_client good(port_), bad(port_);
    good.connect("good");
    bad.connect("bad");
    good.subscribe("t", qos_level::at_least_once);
    // PUBLISH with QoS 3 is malformed [MQTT-3.3.1-4].
    bad.send_raw(std::string("\x36\x03\x00\x01t", 5));
    auto d = bad.expect<codec::disconnect>();
    EXPECT_EQ(d.reason_code, 0x81);
    EXPECT_FALSE(bad.receive(std::chrono::milliseconds(500)).has_value());
    EXPECT_TRUE(bad.closed());
    test_client pub(port_);
    pub.connect("pub");
    pub.publish("t", "still here", qos_level::at_least_once);
    EXPECT_EQ(good.receive_publish().payload.view(), "still here");
}

TEST_F(MqttIntegration, SharedSubscriptionRoundRobin) {
    test_client a(port_), b(port_), pub(port_);
    a.connect("ma");
    b.connect("mb");
    pub.connect("pp");
    a.subscribe("$share/g/work", qos_level::at_least_once);
    b.subscribe("$share/g/work", qos_level::at_least_once);
    for (int i = 0; i < 10; ++i)
        pub.publish("work", std::to_string(i), qos_level::at_least_once, uint16_t(i + 1));
    int got_a = 0, got_b = 0;
    while (a.receive(std::chrono::milliseconds(300))) ++got_a;
    while (b.receive(std::chrono::milliseconds(300))) ++got_b;
    EXPECT_EQ(got_a + got_b, 10);
    EXPECT_EQ(got_a, 5);
}

TEST_F(MqttIntegration, SessionTakeoverDisconnectsOldClient) {
    test_client first(port_);
    first.connect("same", false, 60);
    first.subscribe("q", qos_level::at_least_once);
    test_client second(port_);
    auto ack = second.connect("same", false, 60);
    EXPECT_TRUE(ack.session_present);
    auto d = first.expect<codec::disconnect>();
    EXPECT_EQ(d.reason_code, 0x8E);
    test_client pub(port_);
    pub.connect("p");
    pub.publish("q", "to-second", qos_level::at_least_once);
    EXPECT_EQ(second.receive_publish().payload.view(), "to-second");
}

TEST_F(MqttIntegration, ClientThatNeverReadsIsDisconnectedNotBuffered) {
    // Small limits: the hard bound is 4 x 1024 + 1 x 1024 bytes beyond what
    // the sockets hold. A client floods PINGREQs and never reads the
    // PINGRESPs: the server must close it instead of buffering them all.
    server_.reset();
    auto cfg = make_config();
    cfg.mqtt.send_queue_bytes = 1024;
    cfg.mqtt.max_inflight = 1;
    cfg.mqtt.max_packet_size = 1024;
    start(cfg);
    test_client flood(port_, codec::protocol_version::v5, 4096);
    flood.connect("flood");
    std::string burst;  // 8M PINGREQs (0xC0 0x00), 16 MiB
    burst.reserve(16 * 1024 * 1024);
    while (burst.size() < burst.capacity()) {
        burst.push_back('\xC0');
        burst.push_back('\0');
    }
    const bool all_sent = flood.try_send_raw(burst);
    // Either the send already failed, or the connection is closed once the
    // backlog passed the bound; reading what was queued ends in a close.
    if (all_sent) {
        while (flood.receive(std::chrono::seconds(10))) {
        }
    }
    EXPECT_TRUE(!all_sent || flood.closed());
    // Others are not affected.
    test_client ok(port_);
    EXPECT_EQ(ok.connect("ok").reason_code, 0);
}

}  // namespace
}  // namespace robust::test
