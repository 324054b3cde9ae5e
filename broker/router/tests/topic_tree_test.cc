#include "router/topic_tree.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "router/topic.h"

namespace robust::router {
namespace {

std::map<std::string, int> matches(const topic_tree<int>& tree, std::string_view filter) {
    std::map<std::string, int> out;
    tree.match_filter(filter, [&](std::string_view topic, const int& v) {
        EXPECT_TRUE(out.emplace(std::string(topic), v).second) << "visited twice: " << topic;
    });
    return out;
}

topic_tree<int> sample_tree() {
    topic_tree<int> t;
    int i = 0;
    for (const char* topic :
         {"sport", "sport/tennis", "sport/tennis/player1", "sport/tennis/player1/ranking",
          "sport/tennis/player2", "sport/golf", "sport/", "/finance", "finance", "$SYS/uptime",
          "$SYS/monitor/Clients", "a//b"}) {
        t.set(topic, i++);
    }
    return t;
}

std::set<std::string> keys(const std::map<std::string, int>& m) {
    std::set<std::string> out;
    for (const auto& [k, v] : m) out.insert(k);
    return out;
}

TEST(TopicTree, SetFindErase) {
    topic_tree<int> t;
    EXPECT_TRUE(t.set("a/b", 1));
    EXPECT_FALSE(t.set("a/b", 2));
    EXPECT_TRUE(t.set("a", 3));
    EXPECT_EQ(t.size(), 2u);
    ASSERT_NE(t.find("a/b"), nullptr);
    EXPECT_EQ(*t.find("a/b"), 2);
    EXPECT_EQ(t.find("a/c"), nullptr);
    EXPECT_EQ(t.find("a/b/c"), nullptr);
    *t.find("a") = 4;
    EXPECT_EQ(*t.find("a"), 4);

    EXPECT_FALSE(t.erase("a/c"));
    EXPECT_TRUE(t.erase("a"));
    EXPECT_FALSE(t.erase("a"));
    EXPECT_NE(t.find("a/b"), nullptr);  // the child survives its parent's erase
    EXPECT_EQ(t.count_nodes(), 3u);     // root, a, a/b
    EXPECT_TRUE(t.erase("a/b"));
    EXPECT_TRUE(t.empty());
    EXPECT_EQ(t.count_nodes(), 1u);
    EXPECT_TRUE(matches(t, "#").empty());
    EXPECT_TRUE(t.set("a/b", 5));  // pruned trie is reusable
    EXPECT_EQ(*t.find("a/b"), 5);
}

TEST(TopicTree, LiteralFilter) {
    auto t = sample_tree();
    EXPECT_EQ(keys(matches(t, "sport/tennis")), (std::set<std::string>{"sport/tennis"}));
    EXPECT_TRUE(matches(t, "sport/tennis/player3").empty());
    EXPECT_EQ(keys(matches(t, "$SYS/uptime")), (std::set<std::string>{"$SYS/uptime"}));
}

TEST(TopicTree, MultiLevelWildcard) {
    auto t = sample_tree();
    EXPECT_EQ(keys(matches(t, "sport/tennis/player1/#")),
              (std::set<std::string>{"sport/tennis/player1", "sport/tennis/player1/ranking"}));
    EXPECT_EQ(keys(matches(t, "sport/#")),
              (std::set<std::string>{"sport", "sport/tennis", "sport/tennis/player1",
                                     "sport/tennis/player1/ranking", "sport/tennis/player2",
                                     "sport/golf", "sport/"}));
    const auto all = keys(matches(t, "#"));
    EXPECT_EQ(all.size(), 10u);  // everything except the two $SYS topics
    EXPECT_EQ(all.count("$SYS/uptime"), 0u);
    EXPECT_EQ(keys(matches(t, "$SYS/#")),
              (std::set<std::string>{"$SYS/uptime", "$SYS/monitor/Clients"}));
}

TEST(TopicTree, SingleLevelWildcard) {
    auto t = sample_tree();
    EXPECT_EQ(keys(matches(t, "sport/+")),
              (std::set<std::string>{"sport/tennis", "sport/golf", "sport/"}));
    EXPECT_EQ(keys(matches(t, "sport/tennis/+")),
              (std::set<std::string>{"sport/tennis/player1", "sport/tennis/player2"}));
    EXPECT_EQ(keys(matches(t, "+")), (std::set<std::string>{"sport", "finance"}));
    EXPECT_EQ(keys(matches(t, "+/+")),
              (std::set<std::string>{"sport/tennis", "sport/golf", "sport/", "/finance"}));
    EXPECT_EQ(keys(matches(t, "/+")), (std::set<std::string>{"/finance"}));
    EXPECT_EQ(keys(matches(t, "+/monitor/Clients")), (std::set<std::string>{}));
    EXPECT_EQ(keys(matches(t, "$SYS/monitor/+")), (std::set<std::string>{"$SYS/monitor/Clients"}));
    EXPECT_EQ(keys(matches(t, "+/tennis/#")),
              (std::set<std::string>{"sport/tennis", "sport/tennis/player1",
                                     "sport/tennis/player1/ranking", "sport/tennis/player2"}));
    EXPECT_EQ(keys(matches(t, "a/+/b")), (std::set<std::string>{"a//b"}));
}

TEST(TopicTree, ValuesComeWithTheirTopic) {
    topic_tree<int> t;
    t.set("x/1", 1);
    t.set("x/2", 2);
    EXPECT_EQ(matches(t, "x/+"), (std::map<std::string, int>{{"x/1", 1}, {"x/2", 2}}));
}

TEST(TopicTree, RandomizedAgainstBruteForce) {
    std::mt19937_64 rng(7);
    const std::vector<std::string> words = {"a", "b", "", "$s", "cc"};
    auto random_levels = [&](bool wildcards) {
        std::string s;
        const int n = 1 + static_cast<int>(rng() % 5);
        for (int i = 0; i < n; ++i) {
            if (i) s += '/';
            const auto r = rng() % 10;
            if (wildcards && r < 2) {
                s += '+';
            } else if (wildcards && r == 2) {
                s += '#';
                break;
            } else {
                s += words[rng() % words.size()];
            }
        }
        return s;
    };
    topic_tree<int> t;
    std::set<std::string> stored;
    for (int i = 0; i < 2000; ++i) {
        std::string topic = random_levels(false);
        if (topic.empty()) topic = "e";  // an empty name or filter is invalid
        t.set(topic, i);
        stored.insert(topic);
    }
    int n = 0;
    for (auto it = stored.begin(); it != stored.end(); ++n) {
        if (n % 4 == 0) {
            ASSERT_TRUE(t.erase(*it));
            it = stored.erase(it);
        } else {
            ++it;
        }
    }
    ASSERT_EQ(t.size(), stored.size());
    for (int i = 0; i < 2000; ++i) {
        std::string filter = random_levels(true);
        if (filter.empty()) filter = "e";  // an empty name or filter is invalid
        std::set<std::string> expected;
        for (const auto& topic : stored) {
            if (topic_matches(filter, topic)) expected.insert(topic);
        }
        ASSERT_EQ(keys(matches(t, filter)), expected) << filter;
    }
    for (const auto& topic : stored) ASSERT_TRUE(t.erase(topic));
    EXPECT_TRUE(t.empty());
    EXPECT_EQ(t.count_nodes(), 1u);
}

}  // namespace
}  // namespace robust::router
