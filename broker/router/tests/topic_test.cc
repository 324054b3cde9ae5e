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

struct cover_case {
    const char* rule;
    const char* requested;
    bool covers;
};

TEST(FilterCovers, WildcardsAndLiterals) {
    const cover_case cases[] = {
        {"#", "#", true},         {"#", "a/b/+", true},
        {"a/#", "a/b/+", true},   {"a/#", "a/#", true},
        {"a/#", "a", true},                               // "a/#" matches the parent "a" too
        {"a/#", "b/#", false},    {"a/+", "a/#", false},  // "a/#" reaches "a/b/c"
        {"a/+", "a/+", true},     {"a/+", "a/b", true},
        {"a/+", "a", false},      {"a/+", "a/b/c", false},
        {"a/+/c", "a/+/c", true}, {"a/b", "a/b", true},
        {"a/b", "a/+", false},    {"a/b", "a/#", false},
        {"a/b", "a/b/c", false},  {"a/b/c", "a/b", false},
        {"a/b/#", "a/b", true},   {"a/+/#", "a", false},  // "a" needs a second level for '+'
        {"+/+", "+/+", true},     {"+", "a/b", false},
        {"a//b", "a/+/b", false}, {"a/+/b", "a//b", true},  // '+' covers an empty level
        {"A/b", "a/b", false},                              // case-sensitive
    };
    for (const auto& c : cases) {
        EXPECT_EQ(filter_covers(c.rule, c.requested), c.covers)
            << "rule '" << c.rule << "' requested '" << c.requested << "'";
    }
}

// Every topic that a requested filter matches must be matched by a covering
// rule: check the claim on sample topics so the two functions cannot drift.
TEST(FilterCovers, AgreesWithTopicMatches) {
    const char* filters[] = {"#", "+", "a", "a/#", "a/+", "a/b", "a/+/c", "+/b", "$SYS/#", "+/#"};
    const char* topics[] = {"a", "a/b", "a/b/c", "b", "b/b", "a/x/c", "$SYS/x", "$SYS", "x/b/c"};
    for (const char* rule : filters) {
        for (const char* requested : filters) {
            if (!filter_covers(rule, requested)) continue;
            for (const char* topic : topics) {
                if (topic_matches(requested, topic)) {
                    EXPECT_TRUE(topic_matches(rule, topic))
                        << rule << " claims to cover " << requested << " but misses " << topic;
                }
            }
        }
    }
}

TEST(FilterCovers, DollarTopicsNeedLiteralFirstLevel) {
    EXPECT_FALSE(filter_covers("#", "$SYS/#"));
    EXPECT_FALSE(filter_covers("+/#", "$SYS/broker"));
    EXPECT_TRUE(filter_covers("$SYS/#", "$SYS/broker/+"));
    EXPECT_TRUE(filter_covers("#", "+/x"));  // "+" never reaches "$..." either
    EXPECT_FALSE(filter_covers("", "a"));
    EXPECT_FALSE(filter_covers("a", ""));
}

TEST(FiltersOverlap, Examples) {
    const cover_case cases[] = {
        // {a, b, overlap}
        {"a/secret/#", "a/+/#", true},
        {"a/secret/#", "#", true},
        {"a/secret/#", "a/+", true},  // "a/secret"
        {"a/secret/#", "a/public/#", false},
        {"a/#", "a", true},
        {"a/+", "a", false},
        {"a/+", "a/b/c", false},
        {"+/b", "a/+", true},  // "a/b"
        {"a/b", "a/b", true},
        {"a/b", "a/c", false},
        {"a//b", "a/+/b", true},
        {"#", "$SYS/x", false},
        {"+/x", "$SYS/x", false},
        {"$SYS/#", "$SYS/+", true},
    };
    for (const auto& c : cases) {
        EXPECT_EQ(filters_overlap(c.rule, c.requested), c.covers)
            << "'" << c.rule << "' and '" << c.requested << "'";
        EXPECT_EQ(filters_overlap(c.requested, c.rule), c.covers)
            << "'" << c.requested << "' and '" << c.rule << "' (swapped)";
    }
}

// A topic matched by both filters proves an overlap.
TEST(FiltersOverlap, AgreesWithTopicMatches) {
    const char* filters[] = {"#", "+", "a", "a/#", "a/+", "a/b", "a/+/c", "+/b", "$SYS/#", "+/#"};
    const char* topics[] = {"a", "a/b", "a/b/c", "b", "b/b", "a/x/c", "$SYS/x", "$SYS", "x/b/c"};
    for (const char* x : filters) {
        for (const char* y : filters) {
            for (const char* topic : topics) {
                if (topic_matches(x, topic) && topic_matches(y, topic)) {
                    EXPECT_TRUE(filters_overlap(x, y)) << x << " and " << y << " share " << topic;
                }
            }
        }
    }
}

}  // namespace
}  // namespace robust::router
