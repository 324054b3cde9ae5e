#include "router/topic.h"

#include <gtest/gtest.h>

#include <string>

namespace robust::router {
namespace {

// MQTT 5.0 4.7.1.2: the multi-level wildcard.
TEST(TopicFilterValid, MultiLevelWildcardExamples) {
    EXPECT_TRUE(is_valid_topic_filter("#"));
    EXPECT_TRUE(is_valid_topic_filter("sport/tennis/#"));
    EXPECT_FALSE(is_valid_topic_filter("sport/tennis#"));
    EXPECT_FALSE(is_valid_topic_filter("sport/tennis/#/ranking"));
    EXPECT_TRUE(is_valid_topic_filter("sport/#"));
    EXPECT_FALSE(is_valid_topic_filter("#/"));
    EXPECT_FALSE(is_valid_topic_filter("a/#b"));
    EXPECT_FALSE(is_valid_topic_filter("##"));
}

// MQTT 5.0 4.7.1.3: the single-level wildcard.
TEST(TopicFilterValid, SingleLevelWildcardExamples) {
    EXPECT_TRUE(is_valid_topic_filter("+"));
    EXPECT_TRUE(is_valid_topic_filter("+/tennis/#"));
    EXPECT_FALSE(is_valid_topic_filter("sport+"));
    EXPECT_TRUE(is_valid_topic_filter("sport/+/player1"));
    EXPECT_TRUE(is_valid_topic_filter("+/+"));
    EXPECT_TRUE(is_valid_topic_filter("/+"));
    EXPECT_FALSE(is_valid_topic_filter("a/+b/c"));
    EXPECT_FALSE(is_valid_topic_filter("++"));
}

TEST(TopicFilterValid, LengthEmptyAndNul) {
    EXPECT_FALSE(is_valid_topic_filter(""));  // [MQTT-4.7.3-1]
    EXPECT_FALSE(is_valid_topic_filter(std::string("a\0b", 3)));
    EXPECT_TRUE(is_valid_topic_filter("/"));
    EXPECT_TRUE(is_valid_topic_filter("a//b"));
    EXPECT_TRUE(is_valid_topic_filter(std::string(max_topic_length, 'a')));
    EXPECT_FALSE(is_valid_topic_filter(std::string(max_topic_length + 1, 'a')));
}

// MQTT 5.0 4.7.3: topic semantics and usage.
TEST(TopicNameValid, Examples) {
    EXPECT_TRUE(is_valid_topic_name("sport/tennis/player1"));
    EXPECT_TRUE(is_valid_topic_name("Accounts payable"));  // spaces are allowed
    EXPECT_TRUE(is_valid_topic_name("/finance"));
    EXPECT_TRUE(is_valid_topic_name("/"));  // a topic of two empty levels
    EXPECT_TRUE(is_valid_topic_name("$SYS/broker/uptime"));
    EXPECT_FALSE(is_valid_topic_name(""));
    EXPECT_FALSE(is_valid_topic_name("sport/+"));  // [MQTT-3.3.2-2]
    EXPECT_FALSE(is_valid_topic_name("sport/#"));
    EXPECT_FALSE(is_valid_topic_name("a+b"));
    EXPECT_FALSE(is_valid_topic_name(std::string("a\0b", 3)));  // [MQTT-4.7.3-2]
    EXPECT_TRUE(is_valid_topic_name(std::string(max_topic_length, 'x')));
    EXPECT_FALSE(is_valid_topic_name(std::string(max_topic_length + 1, 'x')));
}

struct match_case {
    const char* filter;
    const char* topic;
    bool matches;
};

void expect_cases(std::initializer_list<match_case> cases) {
    for (const auto& c : cases) {
        EXPECT_EQ(topic_matches(c.filter, c.topic), c.matches)
            << "filter '" << c.filter << "' topic '" << c.topic << "'";
    }
}

TEST(TopicMatches, MultiLevelWildcardExamples) {
    expect_cases({
        {"sport/tennis/player1/#", "sport/tennis/player1", true},
        {"sport/tennis/player1/#", "sport/tennis/player1/ranking", true},
        {"sport/tennis/player1/#", "sport/tennis/player1/score/wimbledon", true},
        {"sport/#", "sport", true},  // '#' includes the parent level
        {"#", "sport/tennis/player1", true},
        {"#", "/", true},
        {"sport/tennis/player1/#", "sport/tennis", false},
        {"sport/tennis/player1/#", "sport/tennis/player2", false},
        {"sport/#", "sports", false},
    });
}

TEST(TopicMatches, SingleLevelWildcardExamples) {
    expect_cases({
        {"sport/tennis/+", "sport/tennis/player1", true},
        {"sport/tennis/+", "sport/tennis/player2", true},
        {"sport/tennis/+", "sport/tennis/player1/ranking", false},
        {"sport/+", "sport", false},
        {"sport/+", "sport/", true},  // '+' matches an empty level
        {"+/+", "/finance", true},
        {"/+", "/finance", true},
        {"+", "/finance", false},
        {"+/tennis/#", "sport/tennis/player1/ranking", true},
        {"sport/+/player1", "sport/tennis/player1", true},
        {"+/+/+", "a//c", true},
    });
}

// MQTT 5.0 4.7.2: topics beginning with '$'.
TEST(TopicMatches, DollarTopicsNeedLiteralFirstLevel) {
    expect_cases({
        {"#", "$SYS/monitor/Clients", false},  // [MQTT-4.7.2-1]
        {"+/monitor/Clients", "$SYS/monitor/Clients", false},
        {"+", "$SYS", false},
        {"$SYS/#", "$SYS/monitor/Clients", true},
        {"$SYS/monitor/+", "$SYS/monitor/Clients", true},
        {"$SYS/#", "$SYS", true},
        {"a/#", "a/$b", true},  // only the first level is special
        {"a/+", "a/$b", true},
    });
}

// MQTT 5.0 4.7.3: names are case-sensitive and a leading '/' is a level.
TEST(TopicMatches, CaseAndLeadingSlash) {
    expect_cases({
        {"ACCOUNTS", "Accounts", false},
        {"Accounts payable", "Accounts payable", true},
        {"/finance", "finance", false},
        {"finance", "/finance", false},
        {"a/b", "a/bc", false},
        {"a/b", "a/b/", false},
        {"a/b/", "a/b/", true},
    });
}

TEST(SharedFilter, ParsesShareAndQueue) {
    auto s = parse_shared("$share/consumer1/sport/tennis/+");
    ASSERT_TRUE(s.has_value());
    EXPECT_EQ(s->group, "consumer1");
    EXPECT_EQ(s->filter, "sport/tennis/+");

    s = parse_shared("$share/consumer1//finance");  // filter "/finance"
    ASSERT_TRUE(s.has_value());
    EXPECT_EQ(s->filter, "/finance");

    s = parse_shared("$queue/jobs/#");
    ASSERT_TRUE(s.has_value());
    EXPECT_EQ(s->group, queue_group);
    EXPECT_EQ(s->filter, "jobs/#");

    s = parse_shared("$share/g/#");
    ASSERT_TRUE(s.has_value());
    EXPECT_EQ(s->filter, "#");
}

TEST(SharedFilter, RejectsInvalid) {
    for (const char* bad : {"$share/g", "$share/g/", "$share//a", "$share/", "$share/g+/a",
                            "$share/g#/a", "$share/g/a#", "$share/g/#/a", "$queue/", "$queue"}) {
        EXPECT_FALSE(is_valid_shared(bad)) << bad;
    }
    EXPECT_TRUE(is_shared_filter("$share/g"));  // shared, but invalid
    EXPECT_TRUE(is_shared_filter("$queue/a"));
    EXPECT_FALSE(is_shared_filter("$share"));  // a plain filter
    EXPECT_FALSE(is_shared_filter("$SYS/#"));
    EXPECT_FALSE(is_shared_filter("share/g/a"));
    EXPECT_FALSE(parse_shared("sport/#").has_value());
}

}  // namespace
}  // namespace robust::router
