// The client session's MQTT flows, byte by byte: what it sends for each
// call and what it answers to each packet from the broker.

#include "mqtt_session.h"

#include <gtest/gtest.h>

#include "mqtt/codec/reason_codes.h"

namespace robust::ctl {
namespace {

using mqc::protocol_version;
using mqc::qos_level;

std::string bytes(std::initializer_list<int> b) {
    std::string s;
    for (int v : b) s.push_back(static_cast<char>(v));
    return s;
}

std::vector<session_event> feed(mqtt_session& s, const std::string& in) {
    std::vector<session_event> ev;
    auto st = s.receive(as_bytes(in), ev);
    EXPECT_TRUE(st.has_value()) << st.error().message();
    return ev;
}

std::error_code feed_error(mqtt_session& s, const std::string& in) {
    std::vector<session_event> ev;
    auto st = s.receive(as_bytes(in), ev);
    return st ? std::error_code{} : st.error();
}

mqc::connect basic_connect() {
    mqc::connect c;
    c.client_id = "c";
    c.keep_alive = 60;
    c.clean_start = true;
    return c;
}

TEST(RobustctlMqttSession, ConnectV5) {
    mqtt_session s(protocol_version::v5);
    s.connect(basic_connect());
    EXPECT_EQ(s.take_output(), bytes({
                                   0x10, 0x0E,                      // CONNECT, remaining length 14
                                   0x00, 0x04, 'M', 'Q', 'T', 'T',  // protocol name
                                   0x05,                            // protocol level 5
                                   0x02,                            // flags: clean start
                                   0x00, 0x3C,                      // keep alive 60
                                   0x00,                            // no properties
                                   0x00, 0x01, 'c',                 // client id
                               }));
    EXPECT_EQ(s.take_output(), "");  // taken once
}

TEST(RobustctlMqttSession, ConnectV311WithCredentialsAndSessionKept) {
    mqtt_session s(protocol_version::v3_1_1);
    auto c = basic_connect();
    c.clean_start = false;
    c.username = "u";
    c.password = "p";
    s.connect(c);
    EXPECT_EQ(s.take_output(), bytes({
                                   0x10, 0x13,                      // CONNECT, remaining length 19
                                   0x00, 0x04, 'M', 'Q', 'T', 'T',  // protocol name
                                   0x04,                            // protocol level 4 (3.1.1)
                                   0xC0,                            // flags: user name, password
                                   0x00, 0x3C,                      // keep alive 60
                                   0x00, 0x01, 'c',                 // client id
                                   0x00, 0x01, 'u',                 // user name
                                   0x00, 0x01, 'p',                 // password
                               }));
}

TEST(RobustctlMqttSession, ConnackAcceptedRefusedAndReceiveMaximum) {
    mqtt_session s(protocol_version::v5);
    auto ev = feed(s, bytes({0x20, 0x03, 0x00, 0x87, 0x00}));  // refused: not authorized
    ASSERT_EQ(ev.size(), 1u);
    EXPECT_EQ(std::get<connack_event>(ev[0]).reason_code, mqc::reason::not_authorized);

    mqtt_session t(protocol_version::v5);
    ev = feed(t, bytes({0x20, 0x06, 0x01, 0x00,     // session present, success
                        0x03, 0x21, 0x00, 0x02}));  // Receive Maximum 2
    ASSERT_EQ(ev.size(), 1u);
    EXPECT_EQ(std::get<connack_event>(ev[0]).reason_code, 0);
    EXPECT_TRUE(std::get<connack_event>(ev[0]).session_present);
    EXPECT_TRUE(t.can_publish());
    t.publish("t", "1", qos_level::at_least_once, false);
    t.publish("t", "2", qos_level::at_least_once, false);
    EXPECT_FALSE(t.can_publish()) << "the broker's Receive Maximum bounds the window";
    feed(t, bytes({0x40, 0x02, 0x00, 0x01}));
    EXPECT_TRUE(t.can_publish());
}

TEST(RobustctlMqttSession, WindowBoundsInflight) {
    mqtt_session s(protocol_version::v3_1_1);
    s.set_window(1);
    s.publish("t", "x", qos_level::at_least_once, false);
    EXPECT_FALSE(s.can_publish());
    EXPECT_EQ(s.inflight(), 1u);
}

TEST(RobustctlMqttSession, PublishQos0HasNoPacketId) {
    mqtt_session s(protocol_version::v5);
    EXPECT_EQ(s.publish("t", "hi", qos_level::at_most_once, true), 0);
    EXPECT_EQ(s.take_output(), bytes({
                                   0x31, 0x06,       // PUBLISH, QoS 0, retain
                                   0x00, 0x01, 't',  // topic
                                   0x00,             // no properties
                                   'h', 'i',         // payload
                               }));
    EXPECT_EQ(s.inflight(), 0u);
}

TEST(RobustctlMqttSession, PublishQos1FlowAndRefusal) {
    mqtt_session s(protocol_version::v5);
    EXPECT_EQ(s.publish("t", "hi", qos_level::at_least_once, false), 1);
    EXPECT_EQ(s.take_output(), bytes({
                                   0x32, 0x08,       // PUBLISH, QoS 1
                                   0x00, 0x01, 't',  // topic
                                   0x00, 0x01,       // packet id 1
                                   0x00,             // no properties
                                   'h', 'i',         // payload
                               }));
    EXPECT_EQ(s.inflight(), 1u);
    auto ev = feed(s, bytes({0x40, 0x02, 0x00, 0x01}));  // PUBACK 1
    ASSERT_EQ(ev.size(), 1u);
    EXPECT_EQ(std::get<published_event>(ev[0]).packet_id, 1);
    EXPECT_EQ(std::get<published_event>(ev[0]).reason_code, 0);
    EXPECT_EQ(s.inflight(), 0u);

    EXPECT_EQ(s.publish("t", "x", qos_level::at_least_once, false), 2);
    ev = feed(s, bytes({0x40, 0x04, 0x00, 0x02, 0x87, 0x00}));  // PUBACK 2: not authorized
    ASSERT_EQ(ev.size(), 1u);
    EXPECT_EQ(std::get<published_event>(ev[0]).reason_code, mqc::reason::not_authorized);
}

TEST(RobustctlMqttSession, PublishQos2Flow) {
    mqtt_session s(protocol_version::v5);
    EXPECT_EQ(s.publish("t", "x", qos_level::exactly_once, false), 1);
    EXPECT_EQ(s.take_output()[0], static_cast<char>(0x34));  // PUBLISH, QoS 2
    auto ev = feed(s, bytes({0x50, 0x02, 0x00, 0x01}));      // PUBREC 1
    EXPECT_TRUE(ev.empty());
    EXPECT_EQ(s.take_output(), bytes({0x62, 0x02, 0x00, 0x01}));  // PUBREL 1
    EXPECT_EQ(s.inflight(), 1u);
    // A repeated PUBREC gets the PUBREL again.
    feed(s, bytes({0x50, 0x02, 0x00, 0x01}));
    EXPECT_EQ(s.take_output(), bytes({0x62, 0x02, 0x00, 0x01}));
    ev = feed(s, bytes({0x70, 0x02, 0x00, 0x01}));  // PUBCOMP 1
    ASSERT_EQ(ev.size(), 1u);
    EXPECT_EQ(std::get<published_event>(ev[0]).packet_id, 1);
    EXPECT_EQ(s.inflight(), 0u);
}

TEST(RobustctlMqttSession, PublishQos2RefusedAtPubrec) {
    mqtt_session s(protocol_version::v5);
    s.publish("t", "x", qos_level::exactly_once, false);
    s.take_output();
    auto ev = feed(s, bytes({0x50, 0x04, 0x00, 0x01, 0x87, 0x00}));  // PUBREC: not authorized
    ASSERT_EQ(ev.size(), 1u);
    EXPECT_EQ(std::get<published_event>(ev[0]).reason_code, mqc::reason::not_authorized);
    EXPECT_EQ(s.take_output(), "") << "no PUBREL after a refusal";
    EXPECT_EQ(s.inflight(), 0u);
}

TEST(RobustctlMqttSession, ReceiveQos1SendsPuback) {
    mqtt_session s(protocol_version::v3_1_1);
    auto ev = feed(s, bytes({0x32, 0x06, 0x00, 0x01, 't', 0x00, 0x05, 'x'}));
    ASSERT_EQ(ev.size(), 1u);
    const auto& m = std::get<message_event>(ev[0]).msg;
    EXPECT_EQ(m.topic, "t");
    EXPECT_EQ(m.payload.view(), "x");
    EXPECT_EQ(m.qos, qos_level::at_least_once);
    EXPECT_EQ(s.take_output(), bytes({0x40, 0x02, 0x00, 0x05}));
}

TEST(RobustctlMqttSession, ReceiveQos2DeliversOnceAndCompletes) {
    mqtt_session s(protocol_version::v5);
    const auto publish7 = bytes({0x34, 0x07, 0x00, 0x01, 't', 0x00, 0x07, 0x00, 'x'});
    auto ev = feed(s, publish7);
    ASSERT_EQ(ev.size(), 1u);
    EXPECT_EQ(s.take_output(), bytes({0x50, 0x02, 0x00, 0x07}));  // PUBREC 7
    EXPECT_EQ(s.pending_incoming_qos2(), 1u);
    // Resent with DUP before PUBREL: acknowledged, not delivered again.
    ev = feed(s, bytes({0x3C, 0x07, 0x00, 0x01, 't', 0x00, 0x07, 0x00, 'x'}));
    EXPECT_TRUE(ev.empty());
    EXPECT_EQ(s.take_output(), bytes({0x50, 0x02, 0x00, 0x07}));
    ev = feed(s, bytes({0x62, 0x02, 0x00, 0x07}));  // PUBREL 7
    EXPECT_TRUE(ev.empty());
    EXPECT_EQ(s.take_output(), bytes({0x70, 0x02, 0x00, 0x07}));  // PUBCOMP 7
    EXPECT_EQ(s.pending_incoming_qos2(), 0u);
    // After PUBCOMP the id may carry a new message.
    ev = feed(s, publish7);
    EXPECT_EQ(ev.size(), 1u);
}

TEST(RobustctlMqttSession, UnknownPubrelGetsPacketIdNotFound) {
    mqtt_session s(protocol_version::v5);
    feed(s, bytes({0x62, 0x02, 0x00, 0x09}));
    EXPECT_EQ(s.take_output(), bytes({0x70, 0x03, 0x00, 0x09, 0x92}));
}

TEST(RobustctlMqttSession, SubscribeAndSuback) {
    mqtt_session s(protocol_version::v5);
    const auto id = s.subscribe({"a", "b/#"}, qos_level::at_least_once);
    EXPECT_EQ(id, 1);
    EXPECT_EQ(s.take_output(), bytes({
                                   0x82, 0x0D,             // SUBSCRIBE, remaining length 13
                                   0x00, 0x01,             // packet id 1
                                   0x00,                   // no properties
                                   0x00, 0x01, 'a', 0x01,  // "a", QoS 1
                                   0x00, 0x03, 'b', '/', '#', 0x01,  // "b/#", QoS 1
                               }));
    auto ev = feed(s, bytes({0x90, 0x05, 0x00, 0x01, 0x00, 0x01, 0x87}));
    ASSERT_EQ(ev.size(), 1u);
    EXPECT_EQ(std::get<subscribed_event>(ev[0]).reason_codes, (std::vector<uint8_t>{0x01, 0x87}));
    EXPECT_EQ(feed_error(s, bytes({0x90, 0x04, 0x00, 0x01, 0x00, 0x01})), errc::protocol_error)
        << "a second SUBACK for the same id";
}

TEST(RobustctlMqttSession, PingDisconnectAndBrokerDisconnect) {
    mqtt_session s(protocol_version::v5);
    s.ping();
    s.disconnect();
    EXPECT_EQ(s.take_output(), bytes({0xC0, 0x00, 0xE0, 0x00}));
    auto ev = feed(s, bytes({0xD0, 0x00}));
    ASSERT_EQ(ev.size(), 1u);
    EXPECT_TRUE(std::holds_alternative<pong_event>(ev[0]));
    ev = feed(s, bytes({0xE0, 0x01, 0x8B}));  // DISCONNECT: server shutting down
    ASSERT_EQ(ev.size(), 1u);
    EXPECT_EQ(std::get<disconnect_event>(ev[0]).reason_code, mqc::reason::server_shutting_down);
}

TEST(RobustctlMqttSession, ReassemblesFragmentsAndSplitsBatches) {
    mqtt_session s(protocol_version::v5);
    const auto connack = bytes({0x20, 0x03, 0x00, 0x00, 0x00});
    for (size_t i = 0; i + 1 < connack.size(); ++i) {
        EXPECT_TRUE(feed(s, connack.substr(i, 1)).empty()) << i;
    }
    EXPECT_EQ(feed(s, connack.substr(connack.size() - 1)).size(), 1u);
    // Two packets in one read.
    auto ev = feed(s, bytes({0xD0, 0x00, 0x30, 0x04, 0x00, 0x01, 't', 0x00}));
    ASSERT_EQ(ev.size(), 2u);
    EXPECT_TRUE(std::holds_alternative<pong_event>(ev[0]));
    EXPECT_EQ(std::get<message_event>(ev[1]).msg.payload.view(), "");
}

TEST(RobustctlMqttSession, RejectsWhatABrokerMustNotSend) {
    {
        mqtt_session s(protocol_version::v5);
        EXPECT_EQ(feed_error(s, bytes({0x40, 0x02, 0x00, 0x01})), errc::protocol_error)
            << "PUBACK for nothing in flight";
    }
    {
        mqtt_session s(protocol_version::v5);
        s.publish("t", "x", qos_level::exactly_once, false);
        EXPECT_EQ(feed_error(s, bytes({0x40, 0x02, 0x00, 0x01})), errc::protocol_error)
            << "PUBACK for a QoS 2 message";
    }
    {
        mqtt_session s(protocol_version::v5);
        EXPECT_EQ(feed_error(s, bytes({0xC0, 0x00})), errc::protocol_error) << "PINGREQ";
    }
    {
        mqtt_session s(protocol_version::v5);
        EXPECT_EQ(feed_error(s, bytes({0x21, 0x03, 0x00, 0x00, 0x00})), errc::malformed)
            << "reserved flags in CONNACK";
    }
}

TEST(RobustctlMqttSession, PacketIdsSkipZeroAndIdsInUse) {
    mqtt_session s(protocol_version::v3_1_1);
    const auto first = s.publish("t", "", qos_level::at_least_once, false);  // stays in flight
    EXPECT_EQ(first, 1);
    uint16_t last = first;
    for (int i = 0; i < 70'000; ++i) {
        last = s.publish("t", "", qos_level::at_least_once, false);
        ASSERT_NE(last, 0);
        ASSERT_NE(last, first) << "an id in flight is never reused";
        std::string ack = bytes({0x40, 0x02});
        ack += static_cast<char>(last >> 8);
        ack += static_cast<char>(last & 0xFF);
        feed(s, ack);
        s.take_output();
    }
    EXPECT_EQ(s.inflight(), 1u);
}

}  // namespace
}  // namespace robust::ctl
