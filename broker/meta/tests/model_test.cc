#include "meta/model.h"

#include <gtest/gtest.h>

#include <string>

#include "base/errc.h"

namespace robust::meta {
namespace {

std::string all_bytes() {
    std::string s;
    for (int i = 0; i < 256; ++i) s += static_cast<char>(i);
    return s;
}

TEST(MetaKeys, EscapeRoundTrips) {
    EXPECT_EQ(escape_key_part("a/b%c"), "a%2Fb%25c");
    EXPECT_EQ(escape_key_part(""), "");
    for (const std::string& s : {std::string("plain"), std::string("/"), std::string("%2F"),
                                 std::string("a//b%%"), all_bytes()}) {
        auto back = unescape_key_part(escape_key_part(s));
        ASSERT_TRUE(back.has_value());
        EXPECT_EQ(*back, s);
    }
    EXPECT_EQ(unescape_key_part("%").error(), errc::corruption);
    EXPECT_EQ(unescape_key_part("%2").error(), errc::corruption);
    EXPECT_EQ(unescape_key_part("%41").error(), errc::corruption);
}

TEST(MetaKeys, Layout) {
    EXPECT_EQ(keys::topic("t1", "sensors/temp"), "topic/t1/sensors%2Ftemp");
    EXPECT_EQ(keys::topics_of("t1"), "topic/t1/");
    EXPECT_EQ(keys::mqtt_session("t1", "dev/1"), "mqtt/session/t1/dev%2F1");
    EXPECT_EQ(keys::mqtt_sessions_of("t1"), "mqtt/session/t1/");
    EXPECT_EQ(keys::mqtt_subscription("t1", "c", "$share/g/a/+"),
              "mqtt/sub/t1/c/$share%2Fg%2Fa%2F+");
    EXPECT_EQ(keys::mqtt_subscriptions_of("t1", "c"), "mqtt/sub/t1/c/");
    EXPECT_EQ(keys::mqtt_retained_message("t1", "a/b"), "mqtt/retained/t1/a%2Fb");
    EXPECT_EQ(keys::mqtt_retained_of("t1"), "mqtt/retained/t1/");
    EXPECT_TRUE(keys::topic("t", "x").starts_with(keys::topics));
    EXPECT_TRUE(keys::mqtt_session("t", "x").starts_with(keys::mqtt_sessions));
    EXPECT_TRUE(keys::mqtt_subscription("t", "x", "f").starts_with(keys::mqtt_subscriptions));
    EXPECT_TRUE(keys::mqtt_retained_message("t", "x").starts_with(keys::mqtt_retained));
}

TEST(MetaKeys, ClientPrefixDoesNotCoverOtherClients) {
    // Client "a" must not see the subscriptions of "a/b" or "a%": escaping
    // keeps '/' out of every part.
    const std::string prefix = keys::mqtt_subscriptions_of("t", "a");
    EXPECT_TRUE(keys::mqtt_subscription("t", "a", "x/y").starts_with(prefix));
    EXPECT_FALSE(keys::mqtt_subscription("t", "a/b", "x").starts_with(prefix));
    EXPECT_FALSE(keys::mqtt_subscription("t", "a%", "x").starts_with(prefix));
    EXPECT_FALSE(keys::mqtt_session("t/x", "c").starts_with(keys::mqtt_sessions_of("t")));
}

TEST(MetaKeys, SplitKey) {
    auto parts = split_key(keys::mqtt_subscription("t/1", "c/2", "$share/g/a/#"));
    ASSERT_TRUE(parts.has_value());
    EXPECT_EQ(*parts, (std::vector<std::string>{"mqtt", "sub", "t/1", "c/2", "$share/g/a/#"}));
    EXPECT_EQ(split_key("a/%zz").error(), errc::corruption);
}

TEST(MetaModel, TopicRoundTrip) {
    topic_record r;
    r.tenant = "default";
    r.name = "factory/line1/temp";
    r.partitions = 12;
    r.storage = "memory";
    r.durability = "fsync";
    r.retention_ms = 7 * 24 * 3600 * 1000LL;
    r.retention_bytes = 1LL << 40;
    r.created_ms = 1717000000000;
    auto v = encode(r);
    ASSERT_TRUE(v.has_value());
    auto back = decode_topic_record(*v);
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(*back, r);
    EXPECT_EQ(key_of(r), "topic/default/factory%2Fline1%2Ftemp");

    // Defaults survive too.
    topic_record d;
    d.tenant = "t";
    d.name = "n";
    back = decode_topic_record(*encode(d));
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(*back, d);
    EXPECT_EQ(back->storage, "rocksdb");
    EXPECT_EQ(back->durability, "wal");
    EXPECT_FALSE(back->mqtt);

    // The MQTT mark round-trips, and records written before it existed
    // read as not MQTT.
    d.mqtt = true;
    EXPECT_TRUE(decode_topic_record(*encode(d))->mqtt);
    auto old = decode_topic_record(
        R"({"v":1,"tenant":"t","name":"n","partitions":1,"storage":"rocksdb",)"
        R"("durability":"wal","retention_ms":0,"retention_bytes":0,"created_ms":5})");
    ASSERT_TRUE(old.has_value()) << old.error().message();
    EXPECT_FALSE(old->mqtt);
    EXPECT_EQ(old->created_ms, 5);
}

TEST(MetaModel, SessionRoundTrip) {
    mqtt_session_record r;
    r.tenant = "t";
    r.client_id = "dev/42 \xc3\xa9";  // '/' and non-ASCII UTF-8
    r.protocol_version = 4;
    r.session_expiry_s = 0xffffffffu;
    r.disconnected_at_ms = 1717000000123;
    r.inbox_shard = 0xfedcba9876543210ull;  // above INT64_MAX
    r.node = "node-1";
    auto back = decode_mqtt_session_record(*encode(r));
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(*back, r);
}

TEST(MetaModel, SubscriptionRoundTrip) {
    mqtt_subscription_record r;
    r.tenant = "t";
    r.client_id = "c/1";
    r.filter = "$share/g/sensors/+/temp";
    r.qos = 2;
    r.no_local = true;
    r.retain_as_published = true;
    r.retain_handling = 2;
    r.subscription_id = 268435455;  // the largest MQTT subscription identifier
    auto back = decode_mqtt_subscription_record(*encode(r));
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(*back, r);
    EXPECT_EQ(key_of(r), "mqtt/sub/t/c%2F1/$share%2Fg%2Fsensors%2F+%2Ftemp");
}

retained_record sample_retained() {
    retained_record r;
    r.tenant = "t";
    r.topic = "a/b/c";
    r.payload = all_bytes() + std::string("\0\0end", 5);
    r.qos = 1;
    r.stored_ms = 1717000000000;
    r.message_expiry_s = 3600;
    r.properties.payload_format_indicator = 1;
    r.properties.content_type = "application/json";
    r.properties.response_topic = "reply/here";
    r.properties.correlation_data = std::string("\0\xff\x01", 3);
    r.properties.user_properties = {{"k", "v1"}, {"k", "v2"}, {"", ""}};  // dups, order kept
    return r;
}

TEST(MetaModel, RetainedRoundTripIsBinarySafe) {
    const retained_record r = sample_retained();
    auto v = encode(r);
    ASSERT_TRUE(v.has_value());
    EXPECT_TRUE(v->ends_with(r.payload));  // stored raw, not inflated by base64
    auto back = decode_retained_record(*v);
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(*back, r);

    retained_record bare;  // no properties, empty payload
    bare.tenant = "t";
    bare.topic = "x";
    back = decode_retained_record(*encode(bare));
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(*back, bare);
}

TEST(MetaModel, CorrelationDataOfEveryLength) {
    // Base64 has three tail cases; cover each and a few full groups.
    for (size_t n = 0; n <= 7; ++n) {
        retained_record r;
        r.topic = "x";
        r.properties.correlation_data = all_bytes().substr(250 - n, n);
        auto back = decode_retained_record(*encode(r));
        ASSERT_TRUE(back.has_value()) << n;
        EXPECT_EQ(*back, r) << n;
    }
}

TEST(MetaModel, CorruptJsonValues) {
    EXPECT_EQ(decode_topic_record("not json").error(), errc::corruption);
    EXPECT_EQ(decode_topic_record("").error(), errc::corruption);
    EXPECT_EQ(decode_topic_record("[1,2]").error(), errc::corruption);
    EXPECT_EQ(decode_topic_record("{}").error(), errc::corruption);  // no version
    EXPECT_EQ(decode_topic_record(R"({"v":1})").error(), errc::corruption);
    EXPECT_EQ(decode_topic_record(R"({"v":"1"})").error(), errc::corruption);
    EXPECT_EQ(decode_topic_record(R"({"v":2})").error(), errc::unsupported);
    EXPECT_EQ(decode_topic_record(R"({"v":0})").error(), errc::corruption);

    std::string good = *encode(topic_record{});
    EXPECT_TRUE(decode_topic_record(good).has_value());
    EXPECT_EQ(decode_topic_record(good.substr(0, good.size() - 1)).error(), errc::corruption);

    // Wrong type and out of range.
    mqtt_session_record s;
    std::string v = *encode(s);
    auto replace = [](std::string text, std::string_view from, std::string_view to) {
        const size_t at = text.find(from);
        EXPECT_NE(at, std::string::npos) << from;
        if (at != std::string::npos) text.replace(at, from.size(), to);
        return text;
    };
    EXPECT_EQ(decode_mqtt_session_record(
                  replace(v, R"("protocol_version":5)", R"("protocol_version":300)"))
                  .error(),
              errc::corruption);
    EXPECT_EQ(decode_mqtt_session_record(
                  replace(v, R"("protocol_version":5)", R"("protocol_version":-1)"))
                  .error(),
              errc::corruption);
    EXPECT_EQ(decode_mqtt_session_record(replace(v, R"("node":"")", R"("node":7)")).error(),
              errc::corruption);
    EXPECT_EQ(decode_mqtt_session_record(
                  replace(v, R"("session_expiry_s":0)", R"("session_expiry_s":1.5)"))
                  .error(),
              errc::corruption);
    // Extra fields from a newer writer are ignored.
    auto extra = decode_mqtt_session_record(replace(v, R"("v":1)", R"("v":1,"future":[1])"));
    ASSERT_TRUE(extra.has_value());
    EXPECT_EQ(*extra, s);

    mqtt_subscription_record sub;
    std::string sv = *encode(sub);
    EXPECT_EQ(decode_mqtt_subscription_record(replace(sv, R"("no_local":false)", R"("no_local":0)"))
                  .error(),
              errc::corruption);
    // A value of another record type is corrupt, not silently misread.
    EXPECT_EQ(decode_mqtt_subscription_record(v).error(), errc::corruption);
}

TEST(MetaModel, CorruptRetainedFrames) {
    const std::string good = *encode(sample_retained());
    EXPECT_TRUE(decode_retained_record(good).has_value());
    EXPECT_EQ(decode_retained_record("").error(), errc::corruption);
    EXPECT_EQ(decode_retained_record(good.substr(0, 4)).error(), errc::corruption);
    EXPECT_EQ(decode_retained_record(good.substr(0, 40)).error(), errc::corruption);

    std::string bad_version = good;
    bad_version[0] = 2;
    EXPECT_EQ(decode_retained_record(bad_version).error(), errc::unsupported);
    bad_version[0] = 0;
    EXPECT_EQ(decode_retained_record(bad_version).error(), errc::corruption);

    std::string huge_length = good;
    huge_length[1] = '\x7f';
    EXPECT_EQ(decode_retained_record(huge_length).error(), errc::corruption);

    // A JSON-only value (what every other record looks like) is not a frame.
    EXPECT_EQ(decode_retained_record(R"({"v":1,"tenant":"t"})").error(), errc::corruption);

    auto with_correlation = [](std::string b64) {
        const std::string header =
            R"({"v":1,"tenant":"t","topic":"x","qos":0,"stored_ms":0,"message_expiry_s":0,)"
            R"("properties":{"correlation_data":")" +
            b64 + R"(","user_properties":[]}})";
        std::string frame(1, '\x01');
        const auto n = static_cast<uint32_t>(header.size());
        for (int shift = 24; shift >= 0; shift -= 8) frame += static_cast<char>(n >> shift);
        return frame + header;
    };
    EXPECT_TRUE(decode_retained_record(with_correlation("AP8B")).has_value());
    for (const char* bad : {"AP8", "A===", "AP=B", "A*8B", "AP8B=", "=AAA"}) {
        EXPECT_EQ(decode_retained_record(with_correlation(bad)).error(), errc::corruption) << bad;
    }
}

TEST(MetaModel, EncodingRefusesInvalidUtf8) {
    topic_record r;
    r.name = "bad\xff";
    EXPECT_EQ(encode(r).error(), errc::invalid_argument);
    retained_record m;
    m.topic = "ok";
    m.properties.content_type = "\xc3";
    EXPECT_EQ(encode(m).error(), errc::invalid_argument);
    auto mut = put_mutation(r);
    EXPECT_EQ(mut.error(), errc::invalid_argument);
}

TEST(MetaModel, Mutations) {
    mqtt_session_record s;
    s.tenant = "t";
    s.client_id = "c";
    auto m = put_mutation(s);
    ASSERT_TRUE(m.has_value());
    EXPECT_EQ(m->key, "mqtt/session/t/c");
    ASSERT_TRUE(m->value.has_value());
    EXPECT_EQ(*decode_mqtt_session_record(*m->value), s);
    const mutation e = erase_mutation(keys::mqtt_session("t", "c"));
    EXPECT_EQ(e.key, "mqtt/session/t/c");
    EXPECT_FALSE(e.value.has_value());
}

}  // namespace
}  // namespace robust::meta
