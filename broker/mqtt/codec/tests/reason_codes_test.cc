// Reason code names and the per-packet allowed sets (5.0 section 2.4 and
// the reason code tables of section 3).

#include "mqtt/codec/reason_codes.h"

#include <gtest/gtest.h>

#include <string>

namespace robust::mqtt::codec {
namespace {

TEST(MqttReasonCodes, NamesEveryCode) {
    const std::pair<uint8_t, const char*> table[] = {
        {reason::success, "success"},
        {reason::granted_qos_1, "granted QoS 1"},
        {reason::granted_qos_2, "granted QoS 2"},
        {reason::disconnect_with_will_message, "disconnect with will message"},
        {reason::no_matching_subscribers, "no matching subscribers"},
        {reason::no_subscription_existed, "no subscription existed"},
        {reason::continue_authentication, "continue authentication"},
        {reason::re_authenticate, "re-authenticate"},
        {reason::unspecified_error, "unspecified error"},
        {reason::malformed_packet, "malformed packet"},
        {reason::protocol_error, "protocol error"},
        {reason::implementation_specific_error, "implementation specific error"},
        {reason::unsupported_protocol_version, "unsupported protocol version"},
        {reason::client_identifier_not_valid, "client identifier not valid"},
        {reason::bad_user_name_or_password, "bad user name or password"},
        {reason::not_authorized, "not authorized"},
        {reason::server_unavailable, "server unavailable"},
        {reason::server_busy, "server busy"},
        {reason::banned, "banned"},
        {reason::server_shutting_down, "server shutting down"},
        {reason::bad_authentication_method, "bad authentication method"},
        {reason::keep_alive_timeout, "keep alive timeout"},
        {reason::session_taken_over, "session taken over"},
        {reason::topic_filter_invalid, "topic filter invalid"},
        {reason::topic_name_invalid, "topic name invalid"},
        {reason::packet_identifier_in_use, "packet identifier in use"},
        {reason::packet_identifier_not_found, "packet identifier not found"},
        {reason::receive_maximum_exceeded, "receive maximum exceeded"},
        {reason::topic_alias_invalid, "topic alias invalid"},
        {reason::packet_too_large, "packet too large"},
        {reason::message_rate_too_high, "message rate too high"},
        {reason::quota_exceeded, "quota exceeded"},
        {reason::administrative_action, "administrative action"},
        {reason::payload_format_invalid, "payload format invalid"},
        {reason::retain_not_supported, "retain not supported"},
        {reason::qos_not_supported, "QoS not supported"},
        {reason::use_another_server, "use another server"},
        {reason::server_moved, "server moved"},
        {reason::shared_subscriptions_not_supported, "shared subscriptions not supported"},
        {reason::connection_rate_exceeded, "connection rate exceeded"},
        {reason::maximum_connect_time, "maximum connect time"},
        {reason::subscription_identifiers_not_supported, "subscription identifiers not supported"},
        {reason::wildcard_subscriptions_not_supported, "wildcard subscriptions not supported"},
    };
    for (const auto& [code, name] : table) EXPECT_STREQ(reason_name(code), name) << int(code);
    EXPECT_STREQ(reason_name(0x03), "unknown reason code");
    EXPECT_STREQ(reason_name(0xff), "unknown reason code");
}

TEST(MqttReasonCodes, SpecValues) {
    EXPECT_EQ(reason::malformed_packet, 0x81);
    EXPECT_EQ(reason::protocol_error, 0x82);
    EXPECT_EQ(reason::unsupported_protocol_version, 0x84);
    EXPECT_EQ(reason::packet_too_large, 0x95);
    EXPECT_EQ(reason::wildcard_subscriptions_not_supported, 0xA2);
    EXPECT_EQ(connect_return::unacceptable_protocol_version, 1);
    EXPECT_EQ(connect_return::not_authorized, 5);
}

TEST(MqttReasonCodes, NamesConnectReturnCodes) {
    EXPECT_STREQ(connect_return_name(connect_return::accepted), "connection accepted");
    EXPECT_STREQ(connect_return_name(connect_return::identifier_rejected), "identifier rejected");
    EXPECT_STREQ(connect_return_name(6), "unknown return code");
}

TEST(MqttReasonCodes, AllowedPerPacket) {
    // Counts of each table in section 3 of the 5.0 spec.
    const std::pair<packet_type, int> sizes[] = {
        {packet_type::connack, 22}, {packet_type::puback, 9},      {packet_type::pubrec, 9},
        {packet_type::pubrel, 2},   {packet_type::pubcomp, 2},     {packet_type::suback, 12},
        {packet_type::unsuback, 7}, {packet_type::disconnect, 29}, {packet_type::auth, 3},
        {packet_type::connect, 0},  {packet_type::publish, 0},     {packet_type::pingreq, 0},
    };
    for (const auto& [type, count] : sizes) {
        int allowed = 0;
        for (int code = 0; code < 256; ++code) allowed += reason_allowed(type, uint8_t(code));
        EXPECT_EQ(allowed, count) << int(type);
    }
    EXPECT_TRUE(reason_allowed(packet_type::disconnect, reason::disconnect_with_will_message));
    EXPECT_FALSE(reason_allowed(packet_type::puback, reason::disconnect_with_will_message));
    EXPECT_TRUE(reason_allowed(packet_type::pubrel, reason::packet_identifier_not_found));
    EXPECT_TRUE(reason_allowed(packet_type::suback, reason::granted_qos_2));
    EXPECT_FALSE(reason_allowed(packet_type::unsuback, reason::granted_qos_1));
}

}  // namespace
}  // namespace robust::mqtt::codec
