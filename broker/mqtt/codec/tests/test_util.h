#pragma once
// Helpers for the codec tests: byte vectors written as initializer lists,
// decode/encode shorthands that check the invariants every call must keep,
// and a set of sample packets per version for round trips and seeds.

#include <gtest/gtest.h>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <variant>
#include <vector>

#include "base/errc.h"
#include "base/shared_buffer.h"
#include "mqtt/codec/codec.h"
#include "mqtt/codec/packets.h"

namespace robust::mqtt::codec::test {

using pv = protocol_version;

/// Bytes from a list such as {0x10, 0x0c, 'M', 'Q'}.
inline std::string wire(std::initializer_list<uint8_t> b) {
    return {b.begin(), b.end()};
}

inline shared_buffer buf(std::string_view s) {
    return shared_buffer(std::string(s));
}

/// "10 0c 00 04" for readable diffs of byte strings.
inline std::string hex(const std::string& s) {
    static const char digits[] = "0123456789abcdef";
    std::string out;
    for (unsigned char c : s) {
        if (!out.empty()) out.push_back(' ');
        out.push_back(digits[c >> 4]);
        out.push_back(digits[c & 15]);
    }
    return out;
}

inline decode_outcome<decoded_packet> decode_wire(const std::string& w, pv v,
                                                  const decode_limits& limits = {}) {
    return decode(as_bytes(w), v, limits);
}

/// Decodes `w`, which must be exactly one packet of type T.
template <class T>
T decode_ok(const std::string& w, pv v, const decode_limits& limits = {}) {
    auto out = decode_wire(w, v, limits);
    EXPECT_TRUE(out.ok()) << "decode failed: " << out.error.code.message() << ": "
                          << out.error.rule;
    if (!out.ok()) return T{};
    EXPECT_EQ(out.value->consumed, w.size());
    EXPECT_TRUE(std::holds_alternative<T>(out.value->pkt))
        << "decoded packet type " << int(type_of(out.value->pkt));
    if (!std::holds_alternative<T>(out.value->pkt)) return T{};
    return std::get<T>(std::move(out.value->pkt));
}

/// Encodes and checks encoded_size() agrees.
inline std::string encode_wire(const packet& p, pv v) {
    std::string out;
    encode(p, v, out);
    EXPECT_EQ(out.size(), encoded_size(p, v));
    return out;
}

/// The error decoding `w` gives; empty code if it decoded.
inline decode_error decode_error_of(const std::string& w, pv v, const decode_limits& limits = {}) {
    auto out = decode_wire(w, v, limits);
    return out.ok() ? decode_error{} : out.error;
}

#define EXPECT_DECODE_ERROR(bytes, version, errc_value, rule_part)                         \
    do {                                                                                   \
        const auto err_ = ::robust::mqtt::codec::test::decode_error_of(bytes, version);    \
        EXPECT_EQ(err_.code, ::robust::make_error_code(errc_value)) << err_.rule;          \
        EXPECT_NE(std::string(err_.rule).find(rule_part), std::string::npos) << err_.rule; \
    } while (0)

/// Packets that exercise every field the version has, for round trips,
/// truncation tests and the fuzz seed corpus.
inline std::vector<packet> samples(pv v) {
    const bool v5 = v == pv::v5;
    std::vector<packet> out;

    {  // CONNECT with every field and, in 5.0, every CONNECT/will property
        connect c;
        c.version = v;
        c.clean_start = false;
        c.keep_alive = 30;
        c.client_id = "client-1";
        will_message w;
        w.topic = "will/topic";
        w.payload = buf("bye");
        w.qos = qos_level::exactly_once;
        w.retain = true;
        if (v5) {
            w.props.will_delay_interval = 10;
            w.props.payload_format_indicator = 1;
            w.props.message_expiry_interval = 60;
            w.props.content_type = "text/plain";
            w.props.response_topic = "reply/here";
            w.props.correlation_data = std::string("\x00\x01\xff", 3);
            w.props.user_properties = {{"wk", "wv"}};
        }
        c.will = w;
        c.username = "user";
        c.password = std::string("p\x00ss", 4);
        if (v5) {
            c.props.session_expiry_interval = 3600;
            c.props.receive_maximum = 100;
            c.props.maximum_packet_size = 65536;
            c.props.topic_alias_maximum = 10;
            c.props.request_response_information = 1;
            c.props.request_problem_information = 0;
            c.props.authentication_method = "SCRAM-SHA-1";
            c.props.authentication_data = "client-first";
            c.props.user_properties = {{"a", "b"}, {"a", "c"}};
        }
        out.emplace_back(c);
    }
    {  // CONNECT with nothing optional
        connect c;
        c.version = v;
        c.client_id = "c";
        out.emplace_back(c);
    }
    if (v5) {  // 5.0 allows a password without a user name
        connect c;
        c.version = v;
        c.password = "secret";
        out.emplace_back(c);
    }
    {
        connack a;
        a.session_present = v != pv::v3_1;  // 3.1 has no Session Present
        if (v5) {
            a.props.session_expiry_interval = 0;
            a.props.assigned_client_identifier = "auto-1";
            a.props.server_keep_alive = 60;
            a.props.authentication_method = "SCRAM-SHA-1";
            a.props.authentication_data = "server-final";
            a.props.response_information = "resp/";
            a.props.server_reference = "other:1883";
            a.props.reason_string = "welcome";
            a.props.receive_maximum = 20;
            a.props.topic_alias_maximum = 5;
            a.props.maximum_qos = 1;
            a.props.retain_available = 1;
            a.props.user_properties = {{"node", "1"}};
            a.props.maximum_packet_size = 1 << 20;
            a.props.wildcard_subscription_available = 1;
            a.props.subscription_identifiers_available = 0;
            a.props.shared_subscription_available = 1;
        }
        out.emplace_back(a);
    }
    {
        connack a;
        a.reason_code = v5 ? 0x87 : 5;  // not authorized
        if (v5) a.props.reason_string = "no";
        out.emplace_back(a);
    }
    {
        publish p;
        p.topic = "sensors/1/temp";
        p.payload = buf("21.5");
        out.emplace_back(p);
    }
    {
        publish p;
        p.dup = true;
        p.qos = qos_level::at_least_once;
        p.retain = true;
        p.topic = "a/b";
        p.packet_id = 1;
        p.payload = buf(std::string(300, 'x'));  // two-byte remaining length
        if (v5) {
            p.props.payload_format_indicator = 0;
            p.props.message_expiry_interval = 120;
            p.props.content_type = "application/octet-stream";
            p.props.response_topic = "a/reply";
            p.props.correlation_data = "42";
            p.props.subscription_identifiers = {1, 268'435'455};
            p.props.user_properties = {{"x", "1"}, {"y", "2"}};
        }
        out.emplace_back(p);
    }
    {
        publish p;
        p.qos = qos_level::exactly_once;
        p.packet_id = 65535;
        p.topic = v5 ? "" : "t";  // 5.0: the alias stands for the topic
        if (v5) p.props.topic_alias = 3;
        out.emplace_back(p);  // empty payload
    }
    {
        puback a;
        a.packet_id = 7;
        out.emplace_back(a);
    }
    if (v5) {
        puback a;
        a.packet_id = 8;
        a.reason_code = 0x10;  // no matching subscribers, short form
        out.emplace_back(a);
        pubrec r;
        r.packet_id = 9;
        r.reason_code = 0x80;
        r.props.reason_string = "quota";
        out.emplace_back(r);
        pubrel l;
        l.packet_id = 10;
        l.reason_code = 0x92;
        out.emplace_back(l);
        pubcomp c;
        c.packet_id = 11;
        c.props.user_properties = {{"k", "v"}};
        out.emplace_back(c);
    } else {
        pubrec r;
        r.packet_id = 9;
        out.emplace_back(r);
        pubrel l;
        l.packet_id = 10;
        out.emplace_back(l);
        pubcomp c;
        c.packet_id = 11;
        out.emplace_back(c);
    }
    {
        subscribe s;
        s.packet_id = 12;
        s.subscriptions.push_back({"a/+/c", {qos_level::at_least_once}});
        s.subscriptions.push_back({"#", {qos_level::exactly_once}});
        if (v5) {
            s.subscriptions.push_back({"x/y", {qos_level::at_most_once, true, true, 2}});
            s.subscriptions.push_back({"$share/g/x", {qos_level::at_least_once, false, true, 1}});
            s.props.subscription_identifiers = {99};
            s.props.user_properties = {{"s", "1"}};
        }
        out.emplace_back(s);
    }
    {
        suback s;
        s.packet_id = 12;
        s.reason_codes = {0, 1, 2};
        if (v != pv::v3_1) s.reason_codes.push_back(0x80);
        if (v5) {
            s.reason_codes.push_back(0xA2);
            s.props.reason_string = "partly";
        }
        out.emplace_back(s);
    }
    {
        unsubscribe u;
        u.packet_id = 13;
        u.filters = {"a/+/c", "#"};
        if (v5) u.props.user_properties = {{"u", "1"}};
        out.emplace_back(u);
    }
    {
        unsuback u;
        u.packet_id = 13;
        if (v5) {
            u.reason_codes = {0x00, 0x11};
            u.props.reason_string = "ok";
        }
        out.emplace_back(u);
    }
    out.emplace_back(pingreq{});
    out.emplace_back(pingresp{});
    out.emplace_back(disconnect{});
    if (v5) {
        disconnect d;
        d.reason_code = 0x04;  // with will message, reason-only form
        out.emplace_back(d);
        disconnect e;
        e.reason_code = 0x9C;
        e.props.session_expiry_interval = 0;
        e.props.server_reference = "other:1883";
        e.props.reason_string = "moved";
        e.props.user_properties = {{"why", "maintenance"}};
        out.emplace_back(e);
        out.emplace_back(auth{});
        auth a;
        a.reason_code = 0x18;
        a.props.authentication_method = "SCRAM-SHA-1";
        a.props.authentication_data = "server-first";
        a.props.reason_string = "continue";
        a.props.user_properties = {{"step", "2"}};
        out.emplace_back(a);
    }
    return out;
}

inline const char* version_name(pv v) {
    switch (v) {
        case pv::v3_1:
            return "v3_1";
        case pv::v3_1_1:
            return "v3_1_1";
        case pv::v5:
            return "v5";
    }
    return "?";
}

}  // namespace robust::mqtt::codec::test
