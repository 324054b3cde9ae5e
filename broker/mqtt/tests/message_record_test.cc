// The journal record format of MQTT messages (docs/mqtt.md "How messages
// are stored"): what Kafka consumers will read, and what persistent
// sessions load back after a restart.

#include <gtest/gtest.h>

#include "message_record.h"

#include "base/errc.h"

namespace robust::mqtt {
namespace {

TEST(MqttMessageRecord, RoundTripsEveryForwardedField) {
    message m;
    m.topic = "sensors/a/temp";
    m.payload = shared_buffer(std::string("\x00\x01payload", 9));
    m.qos = qos_level::exactly_once;
    m.retain = true;
    m.props.payload_format_indicator = 1;
    m.props.content_type = "application/json";
    m.props.response_topic = "reply/here";
    m.props.correlation_data = std::string("\x00\xff", 2);
    m.props.user_properties = {{"b", "2"}, {"a", "1"}, {"b", "3"}, {"mqtt.qos", "spoof"}};
    m.expiry_at_ms = 1'900'000'000'000;

    const storage::record r = to_record(m, 1234);
    EXPECT_EQ(r.key, "sensors/a/temp");
    EXPECT_EQ(r.timestamp_ms, 1234);
    EXPECT_EQ(r.value.view(), m.payload.view());

    auto back = from_record(r);
    ASSERT_TRUE(back.has_value());
    const message& b = **back;
    EXPECT_EQ(b.topic, m.topic);
    EXPECT_EQ(b.payload.view(), m.payload.view());
    EXPECT_EQ(b.qos, qos_level::exactly_once);
    EXPECT_TRUE(b.retain);
    EXPECT_EQ(b.props,
              m.props);  // user properties in order, the spoofed one kept as a user property
    EXPECT_EQ(b.expiry_at_ms, m.expiry_at_ms);
}

TEST(MqttMessageRecord, UserPropertiesArePlainHeaders) {
    message m;
    m.topic = "t";
    m.props.user_properties = {{"trace-id", "abc"}};
    const storage::record r = to_record(m, 1);
    bool found = false;
    for (const auto& h : r.headers) found = found || (h.key == "trace-id" && h.value == "abc");
    EXPECT_TRUE(found) << "a Kafka consumer sees MQTT user properties as headers";
}

TEST(MqttMessageRecord, RejectsCorruptReservedHeader) {
    storage::record r;
    r.key = "t";
    r.headers.push_back({"mqtt.qos", "7"});
    auto m = from_record(r);
    ASSERT_FALSE(m.has_value());
    EXPECT_EQ(m.error(), errc::corruption);
}

}  // namespace
}  // namespace robust::mqtt
