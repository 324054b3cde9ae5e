#include "router/subscription_index.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "router/topic.h"

namespace robust::router {
namespace {

using index_t = subscription_index<int>;

struct match_result {
    std::multiset<std::pair<uint64_t, int>> entries;
    std::multiset<std::pair<std::string, std::string>> groups;  // (filter, name)
};

match_result match_all(index_t& idx, std::string_view topic) {
    match_result r;
    idx.match(
        topic, [&](uint64_t s, const int& v) { r.entries.emplace(s, v); },
        [&](shared_group<int>& g) {
            r.groups.emplace(std::string(g.filter()), std::string(g.name()));
        });
    return r;
}

std::multiset<uint64_t> subscribers(index_t& idx, std::string_view topic) {
    std::multiset<uint64_t> out;
    for (const auto& [s, v] : match_all(idx, topic).entries) out.insert(s);
    return out;
}

TEST(SubscriptionIndex, ExactAndWildcardFilters) {
    index_t idx;
    EXPECT_TRUE(idx.add("sport/tennis/player1", 1, 10));
    EXPECT_TRUE(idx.add("sport/tennis/+", 2, 20));
    EXPECT_TRUE(idx.add("sport/#", 3, 30));
    EXPECT_TRUE(idx.add("#", 4, 40));
    EXPECT_TRUE(idx.add("+/tennis/#", 5, 50));
    EXPECT_TRUE(idx.add("sport/+", 6, 60));

    EXPECT_EQ(subscribers(idx, "sport/tennis/player1"), (std::multiset<uint64_t>{1, 2, 3, 4, 5}));
    EXPECT_EQ(subscribers(idx, "sport/tennis/player1/ranking"), (std::multiset<uint64_t>{3, 4, 5}));
    EXPECT_EQ(subscribers(idx, "sport"), (std::multiset<uint64_t>{3, 4}));  // '#' has the parent
    EXPECT_EQ(subscribers(idx, "sport/"), (std::multiset<uint64_t>{3, 4, 6}));
    EXPECT_EQ(subscribers(idx, "sport/tennis"), (std::multiset<uint64_t>{3, 4, 5, 6}));
    EXPECT_EQ(subscribers(idx, "news"), (std::multiset<uint64_t>{4}));
    EXPECT_EQ(idx.size(), 6u);
    EXPECT_EQ(idx.count_filters(), 6u);

    auto r = match_all(idx, "sport/tennis/player1");
    EXPECT_EQ(r.entries.count({2, 20}), 1u);  // values come back with their subscriber
}

TEST(SubscriptionIndex, SpecSingleLevelExamples) {
    index_t idx;
    idx.add("+/+", 1, 0);
    idx.add("/+", 2, 0);
    idx.add("+", 3, 0);
    EXPECT_EQ(subscribers(idx, "/finance"), (std::multiset<uint64_t>{1, 2}));
    EXPECT_EQ(subscribers(idx, "finance"), (std::multiset<uint64_t>{3}));
}

TEST(SubscriptionIndex, DollarTopicsSkipFirstLevelWildcards) {
    index_t idx;
    idx.add("#", 1, 0);
    idx.add("+/monitor/Clients", 2, 0);
    idx.add("$SYS/#", 3, 0);
    idx.add("$SYS/monitor/+", 4, 0);
    idx.add("+/#", 5, 0);
    idx.add("$SYS/monitor/Clients", 6, 0);
    EXPECT_EQ(subscribers(idx, "$SYS/monitor/Clients"), (std::multiset<uint64_t>{3, 4, 6}));
    EXPECT_EQ(subscribers(idx, "SYS/monitor/Clients"), (std::multiset<uint64_t>{1, 2, 5}));
    EXPECT_EQ(subscribers(idx, "$SYS"), (std::multiset<uint64_t>{3}));
    // Only the first level is special.
    idx.add("a/+", 7, 0);
    EXPECT_EQ(subscribers(idx, "a/$x"), (std::multiset<uint64_t>{1, 5, 7}));
}

TEST(SubscriptionIndex, OverlappingFiltersReportEachFilter) {
    index_t idx;
    idx.add("a/b", 1, 1);
    idx.add("a/+", 1, 2);
    idx.add("a/#", 1, 3);
    idx.add("a/b", 2, 4);
    auto r = match_all(idx, "a/b");
    EXPECT_EQ(r.entries, (std::multiset<std::pair<uint64_t, int>>{{1, 1}, {1, 2}, {1, 3}, {2, 4}}));
    EXPECT_EQ(idx.size(), 4u);
    EXPECT_EQ(idx.count_filters(), 3u);
}

TEST(SubscriptionIndex, AddReplacesValue) {
    index_t idx;
    EXPECT_TRUE(idx.add("a/b", 1, 1));
    EXPECT_FALSE(idx.add("a/b", 1, 2));
    EXPECT_EQ(idx.size(), 1u);
    ASSERT_NE(idx.find("a/b", 1), nullptr);
    EXPECT_EQ(*idx.find("a/b", 1), 2);
    EXPECT_EQ(idx.find("a/b", 2), nullptr);
    EXPECT_EQ(idx.find("a/c", 1), nullptr);
    EXPECT_EQ(idx.find("a/b", 1, "g"), nullptr);
    auto r = match_all(idx, "a/b");
    EXPECT_EQ(r.entries, (std::multiset<std::pair<uint64_t, int>>{{1, 2}}));
}

TEST(SubscriptionIndex, RemovePrunesAndKeepsOthers) {
    index_t idx;
    idx.add("a/b/c", 1, 0);
    idx.add("a/b", 2, 0);
    idx.add("a/+/c", 3, 0);
    idx.add("a/#", 4, 0);
    EXPECT_FALSE(idx.remove("a/b/c", 99));
    EXPECT_FALSE(idx.remove("x/y", 1));
    EXPECT_FALSE(idx.remove("a/b/c", 1, "g"));
    // root, a, a/b, a/b/c, a/+, a/+/c, a/#
    EXPECT_EQ(idx.count_nodes(), 7u);
    EXPECT_TRUE(idx.remove("a/b/c", 1));
    EXPECT_EQ(idx.count_nodes(), 6u);  // a/b/c pruned; a/b still holds subscriber 2
    EXPECT_FALSE(idx.remove("a/b/c", 1));
    EXPECT_EQ(subscribers(idx, "a/b/c"), (std::multiset<uint64_t>{3, 4}));
    EXPECT_EQ(subscribers(idx, "a/b"), (std::multiset<uint64_t>{2, 4}));
    EXPECT_TRUE(idx.remove("a/+/c", 3));
    EXPECT_TRUE(idx.remove("a/#", 4));
    EXPECT_EQ(idx.count_nodes(), 3u);  // root, a, a/b
    EXPECT_TRUE(idx.remove("a/b", 2));
    EXPECT_EQ(idx.count_nodes(), 1u);  // only the root is left
    EXPECT_EQ(idx.size(), 0u);
    EXPECT_EQ(idx.count_filters(), 0u);
    EXPECT_TRUE(subscribers(idx, "a/b").empty());
    // The trie is empty again, so re-adding works from scratch.
    EXPECT_TRUE(idx.add("a/b/c", 1, 0));
    EXPECT_EQ(subscribers(idx, "a/b/c"), (std::multiset<uint64_t>{1}));
}

TEST(SubscriptionIndex, ManySubscribersOnOneFilter) {
    // Past the entry list's index threshold: add/remove/find stay consistent.
    index_t idx;
    for (uint64_t s = 0; s < 1000; ++s) EXPECT_TRUE(idx.add("hot", s, static_cast<int>(s)));
    for (uint64_t s = 0; s < 1000; s += 2) EXPECT_TRUE(idx.remove("hot", s));
    for (uint64_t s = 1; s < 1000; s += 2) EXPECT_FALSE(idx.add("hot", s, -static_cast<int>(s)));
    EXPECT_EQ(idx.size(), 500u);
    auto r = match_all(idx, "hot");
    ASSERT_EQ(r.entries.size(), 500u);
    for (const auto& [s, v] : r.entries) {
        EXPECT_EQ(s % 2, 1u);
        EXPECT_EQ(v, -static_cast<int>(s));
    }
    for (uint64_t s = 1; s < 1000; s += 2) EXPECT_TRUE(idx.remove("hot", s));
    EXPECT_TRUE(idx.empty());
}

TEST(SubscriptionIndex, SharedGroupsAreSeparateFromPlain) {
    index_t idx;
    EXPECT_TRUE(idx.add("a/+", 1, 0, "g1"));
    EXPECT_TRUE(idx.add("a/+", 2, 0, "g1"));
    EXPECT_TRUE(idx.add("a/+", 3, 0, "g2"));
    EXPECT_TRUE(idx.add("a/#", 4, 0, "g1"));  // another filter: another group
    EXPECT_TRUE(idx.add("a/+", 1, 0));        // plain subscription, same filter
    EXPECT_EQ(idx.size(), 5u);
    EXPECT_EQ(idx.count_filters(), 2u);

    auto r = match_all(idx, "a/b");
    EXPECT_EQ(r.entries, (std::multiset<std::pair<uint64_t, int>>{{1, 0}}));
    EXPECT_EQ(r.groups, (std::multiset<std::pair<std::string, std::string>>{
                            {"a/+", "g1"}, {"a/+", "g2"}, {"a/#", "g1"}}));
    EXPECT_NE(idx.find("a/+", 2, "g1"), nullptr);
    EXPECT_EQ(idx.find("a/+", 2, "g2"), nullptr);

    EXPECT_TRUE(idx.remove("a/+", 1, "g1"));
    EXPECT_TRUE(idx.remove("a/+", 2, "g1"));  // g1 on a/+ is gone
    r = match_all(idx, "a/b");
    EXPECT_EQ(r.groups,
              (std::multiset<std::pair<std::string, std::string>>{{"a/+", "g2"}, {"a/#", "g1"}}));
    EXPECT_TRUE(idx.remove("a/+", 3, "g2"));
    EXPECT_TRUE(idx.remove("a/#", 4, "g1"));
    EXPECT_EQ(idx.count_filters(), 1u);  // the plain a/+ is left
    EXPECT_TRUE(idx.remove("a/+", 1));
    EXPECT_TRUE(idx.empty());
    EXPECT_EQ(idx.count_filters(), 0u);
    EXPECT_EQ(idx.count_nodes(), 1u);
}

shared_group<int>* only_group(index_t& idx, std::string_view topic) {
    shared_group<int>* found = nullptr;
    int n = 0;
    idx.match(
        topic, [](uint64_t, const int&) {},
        [&](shared_group<int>& g) {
            found = &g;
            ++n;
        });
    EXPECT_EQ(n, 1);
    return found;
}

TEST(SharedGroup, PickIsRoundRobin) {
    index_t idx;
    for (uint64_t s = 1; s <= 3; ++s) idx.add("jobs/+", s, static_cast<int>(s) * 10, "workers");
    shared_group<int>* g = only_group(idx, "jobs/1");
    ASSERT_NE(g, nullptr);
    EXPECT_EQ(g->name(), "workers");
    EXPECT_EQ(g->filter(), "jobs/+");
    EXPECT_EQ(g->size(), 3u);

    std::map<uint64_t, int> counts;
    for (int i = 0; i < 9; ++i) {
        const auto* m = g->pick();
        ASSERT_NE(m, nullptr);
        EXPECT_EQ(m->value, static_cast<int>(m->subscriber) * 10);
        ++counts[m->subscriber];
    }
    EXPECT_EQ(counts, (std::map<uint64_t, int>{{1, 3}, {2, 3}, {3, 3}}));

    // Consecutive picks never repeat a member while others are eligible.
    uint64_t prev = g->pick()->subscriber;
    for (int i = 0; i < 6; ++i) {
        const uint64_t cur = g->pick()->subscriber;
        EXPECT_NE(cur, prev);
        prev = cur;
    }
    size_t iterated = 0;
    for (const auto& m : *g) iterated += m.subscriber;
    EXPECT_EQ(iterated, 6u);
}

TEST(SharedGroup, PickSkipsIneligible) {
    index_t idx;
    for (uint64_t s = 1; s <= 4; ++s) idx.add("jobs", s, 0, "w");
    shared_group<int>* g = only_group(idx, "jobs");
    ASSERT_NE(g, nullptr);

    std::set<uint64_t> offline = {2, 3};
    auto online = [&](uint64_t s, const int&) { return offline.count(s) == 0; };
    std::map<uint64_t, int> counts;
    for (int i = 0; i < 10; ++i) ++counts[g->pick(online)->subscriber];
    EXPECT_EQ(counts, (std::map<uint64_t, int>{{1, 5}, {4, 5}}));

    offline = {1, 2, 3, 4};
    EXPECT_EQ(g->pick(online), nullptr);
    offline = {1, 2, 4};
    for (int i = 0; i < 3; ++i) EXPECT_EQ(g->pick(online)->subscriber, 3u);
}

TEST(SharedGroup, PickAfterMemberLeaves) {
    index_t idx;
    for (uint64_t s = 1; s <= 3; ++s) idx.add("t", s, 0, "w");
    shared_group<int>* g = only_group(idx, "t");
    g->pick();
    g->pick();
    g->pick();
    EXPECT_TRUE(idx.remove("t", 3, "w"));
    EXPECT_TRUE(idx.remove("t", 1, "w"));
    g = only_group(idx, "t");  // still the same group: it has a member left
    for (int i = 0; i < 3; ++i) EXPECT_EQ(g->pick()->subscriber, 2u);
}

TEST(SharedGroup, QueueGroup) {
    index_t idx;
    auto s = parse_shared("$queue/jobs/#");
    ASSERT_TRUE(s.has_value());
    idx.add(s->filter, 1, 0, s->group);
    idx.add(s->filter, 2, 0, s->group);
    shared_group<int>* g = only_group(idx, "jobs/x");
    ASSERT_NE(g, nullptr);
    EXPECT_EQ(g->name(), "$queue");
    EXPECT_EQ(g->size(), 2u);
}

TEST(SubscriptionIndex, EmptyLevelsAndDeepTopics) {
    index_t idx;
    idx.add("a//b", 1, 0);
    idx.add("a/+/b", 2, 0);
    idx.add("/", 3, 0);
    idx.add("+/+", 4, 0);
    EXPECT_EQ(subscribers(idx, "a//b"), (std::multiset<uint64_t>{1, 2}));
    EXPECT_EQ(subscribers(idx, "/"), (std::multiset<uint64_t>{3, 4}));
    EXPECT_TRUE(subscribers(idx, "").empty());

    // A topic 200 levels deep where every level of the walk leaves a literal
    // branch pending while it follows '+': far more pending branches than the
    // walk keeps inline, so the spill path is taken.
    constexpr int depth = 200;
    auto join = [](int pluses, int xs) {
        std::string f;
        for (int i = 0; i < pluses + xs; ++i) {
            if (i) f += '/';
            f += i < pluses ? "+" : "x";
        }
        return f;
    };
    std::multiset<uint64_t> expected;
    for (int k = 0; k <= depth; ++k) {
        idx.add(join(k, depth - k), 100 + k, 0);
        expected.insert(100 + k);
    }
    idx.add("x/#", 7, 0);
    expected.insert(7);
    EXPECT_EQ(subscribers(idx, join(0, depth)), expected);
}

TEST(SmallStack, SpillsPastInlineCapacity) {
    detail::small_stack<int, 4> st;
    for (int i = 0; i < 100; ++i) st.push(i);
    for (int i = 99; i >= 0; --i) EXPECT_EQ(st.pop(), i);
    EXPECT_TRUE(st.empty());
}

// Random filters and topics over a tiny alphabet, so that they collide often,
// checked against the reference topic_matches().
TEST(SubscriptionIndex, RandomizedAgainstBruteForce) {
    std::mt19937_64 rng(20240601);
    const std::vector<std::string> words = {"a", "b", "c", "", "$x", "dd"};
    auto pick_word = [&] { return words[rng() % words.size()]; };
    auto random_topic = [&] {
        std::string t;
        const int levels = 1 + static_cast<int>(rng() % 5);
        for (int i = 0; i < levels; ++i) {
            if (i) t += '/';
            t += pick_word();
        }
        return t;
    };
    auto random_filter = [&] {
        std::string f;
        const int levels = 1 + static_cast<int>(rng() % 5);
        for (int i = 0; i < levels; ++i) {
            if (i) f += '/';
            const auto r = rng() % 10;
            if (r < 2) {
                f += '+';
            } else if (r == 2) {
                f += '#';
                break;
            } else {
                f += pick_word();
            }
        }
        return f;
    };

    // Every fifth subscription joins one of three shared groups instead.
    struct sub {
        std::string filter;
        uint64_t subscriber;
        std::string group;
    };
    index_t idx;
    std::vector<sub> subs;
    for (uint64_t s = 0; s < 3000; ++s) {
        std::string f = random_filter();
        if (f.empty()) f = "e";  // an empty name or filter is invalid
        ASSERT_TRUE(is_valid_topic_filter(f)) << f;
        std::string group = s % 5 == 0 ? "g" + std::to_string(s % 3) : "";
        idx.add(f, s, static_cast<int>(s), group);
        subs.push_back(sub{std::move(f), s, std::move(group)});
    }
    // Remove a third, so pruning is exercised too.
    std::vector<sub> kept;
    for (size_t i = 0; i < subs.size(); ++i) {
        if (i % 3 == 0) {
            ASSERT_TRUE(idx.remove(subs[i].filter, subs[i].subscriber, subs[i].group));
        } else {
            kept.push_back(subs[i]);
        }
    }
    ASSERT_EQ(idx.size(), kept.size());

    for (int i = 0; i < 3000; ++i) {
        std::string topic = random_topic();
        if (topic.empty()) topic = "e";
        std::multiset<uint64_t> expected;
        std::set<std::pair<std::string, std::string>> expected_groups;
        for (const auto& k : kept) {
            if (!topic_matches(k.filter, topic)) continue;
            if (k.group.empty()) {
                expected.insert(k.subscriber);
            } else {
                expected_groups.emplace(k.filter, k.group);
            }
        }
        const match_result got = match_all(idx, topic);
        std::multiset<uint64_t> got_subscribers;
        for (const auto& [s, v] : got.entries) got_subscribers.insert(s);
        ASSERT_EQ(got_subscribers, expected) << topic;
        // Each matching group is reported exactly once.
        ASSERT_EQ(got.groups, (std::multiset<std::pair<std::string, std::string>>(
                                  expected_groups.begin(), expected_groups.end())))
            << topic;
    }
    for (const auto& k : kept) ASSERT_TRUE(idx.remove(k.filter, k.subscriber, k.group));
    EXPECT_TRUE(idx.empty());
    EXPECT_EQ(idx.count_filters(), 0u);
    EXPECT_EQ(idx.count_nodes(), 1u);
}

}  // namespace
}  // namespace robust::router

namespace robust::router {
namespace {

TEST(SubscriptionIndex, CountsSharedGroupsWhileTheyHaveMembers) {
    subscription_index<int> idx;
    idx.add("a/+", 1, 0, "g1");
    idx.add("a/+", 2, 0, "g1");
    idx.add("a/+", 3, 0, "g2");
    idx.add("b/#", 1, 0, "g1");  // same name, other filter: another group
    idx.add("a/+", 4, 0);        // plain: not a group
    EXPECT_EQ(idx.count_groups(), 3u);
    EXPECT_TRUE(idx.remove("a/+", 1, "g1"));
    EXPECT_EQ(idx.count_groups(), 3u);  // g1 on a/+ still has member 2
    EXPECT_TRUE(idx.remove("a/+", 2, "g1"));
    EXPECT_TRUE(idx.remove("b/#", 1, "g1"));
    EXPECT_EQ(idx.count_groups(), 1u);
    EXPECT_TRUE(idx.remove("a/+", 3, "g2"));
    EXPECT_EQ(idx.count_groups(), 0u);
}

}  // namespace
}  // namespace robust::router
