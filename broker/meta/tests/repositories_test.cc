#include "meta/repositories.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "base/errc.h"
#include "temp_dir.h"

namespace robust::meta {
namespace {

topic_record make_topic(std::string tenant, std::string name) {
    topic_record r;
    r.tenant = std::move(tenant);
    r.name = std::move(name);
    r.created_ms = 1;
    return r;
}

mqtt_subscription_record make_sub(std::string client, std::string filter, uint8_t qos = 1) {
    mqtt_subscription_record r;
    r.tenant = "t";
    r.client_id = std::move(client);
    r.filter = std::move(filter);
    r.qos = qos;
    return r;
}

mqtt_session_record make_session(std::string tenant, std::string client) {
    mqtt_session_record r;
    r.tenant = std::move(tenant);
    r.client_id = std::move(client);
    r.session_expiry_s = 60;
    r.node = "n1";
    return r;
}

template <class Record, class List>
std::vector<Record> collect_pages(List&& list, size_t page_size) {
    std::vector<Record> all;
    std::string cursor;
    while (true) {
        auto p = list(page_size, cursor);
        EXPECT_TRUE(p.has_value());
        if (!p.has_value()) break;
        EXPECT_LE(p->items.size(), page_size);
        all.insert(all.end(), p->items.begin(), p->items.end());
        if (p->next_cursor.empty()) break;
        cursor = p->next_cursor;
    }
    return all;
}

TEST(TopicRepo, PutGetEraseList) {
    auto store = make_memory_meta_store();
    topic_repo repo(*store);
    EXPECT_EQ(*repo.get("t", "a/b"), std::nullopt);
    for (const char* name : {"a/b", "a", "c", "b"}) ASSERT_TRUE(repo.put(make_topic("t", name)));
    ASSERT_TRUE(repo.put(make_topic("t2", "z")));
    ASSERT_TRUE(repo.put(make_topic("t/x", "y")));  // a tenant with '/' stays separate

    auto got = repo.get("t", "a/b");
    ASSERT_TRUE(got.has_value() && got->has_value());
    EXPECT_EQ(**got, make_topic("t", "a/b"));

    auto names = [](const std::vector<topic_record>& v) {
        std::vector<std::string> out;
        for (const auto& r : v) out.push_back(r.tenant + ":" + r.name);
        return out;
    };
    auto by_tenant = collect_pages<topic_record>(
        [&](size_t n, const std::string& c) { return repo.list_by_tenant("t", n, c); }, 3);
    EXPECT_EQ(names(by_tenant), (std::vector<std::string>{"t:a", "t:a/b", "t:b", "t:c"}));
    auto all = collect_pages<topic_record>(
        [&](size_t n, const std::string& c) { return repo.list_all(n, c); }, 2);
    EXPECT_EQ(all.size(), 6u);

    ASSERT_TRUE(repo.erase("t", "a/b"));
    EXPECT_EQ(*repo.get("t", "a/b"), std::nullopt);
    EXPECT_EQ(repo.list_by_tenant("t", 100)->items.size(), 3u);
}

TEST(TopicRepo, FullPageHasCursorLastPageHasNone) {
    auto store = make_memory_meta_store();
    topic_repo repo(*store);
    for (const char* name : {"a", "b"}) ASSERT_TRUE(repo.put(make_topic("t", name)));
    auto p = repo.list_all(2);
    ASSERT_TRUE(p.has_value());
    EXPECT_EQ(p->items.size(), 2u);
    EXPECT_FALSE(p->next_cursor.empty());
    p = repo.list_all(2, p->next_cursor);
    ASSERT_TRUE(p.has_value());
    EXPECT_TRUE(p->items.empty());
    EXPECT_TRUE(p->next_cursor.empty());
    p = repo.list_all(3);
    ASSERT_TRUE(p.has_value());
    EXPECT_TRUE(p->next_cursor.empty());
}

TEST(TopicRepo, CorruptValueIsReported) {
    auto store = make_memory_meta_store();
    topic_repo repo(*store);
    ASSERT_TRUE(repo.put(make_topic("t", "ok")));
    ASSERT_TRUE(store->put(keys::topic("t", "bad"), "{garbage"));
    EXPECT_EQ(repo.get("t", "bad").error(), errc::corruption);
    EXPECT_EQ(repo.list_by_tenant("t", 10).error(), errc::corruption);
    EXPECT_TRUE(repo.get("t", "ok").has_value());
}

TEST(MqttSessionRepo, SessionsAndSubscriptions) {
    auto store = make_memory_meta_store();
    mqtt_session_repo repo(*store);
    ASSERT_TRUE(repo.put(make_session("t", "a")));
    ASSERT_TRUE(repo.put(make_session("t", "a/b")));
    ASSERT_TRUE(repo.put(make_session("u", "a")));
    auto s = repo.get("t", "a/b");
    ASSERT_TRUE(s.has_value() && s->has_value());
    EXPECT_EQ(**s, make_session("t", "a/b"));
    EXPECT_EQ(repo.list_by_tenant("t", 10)->items.size(), 2u);
    EXPECT_EQ(repo.list_all(10)->items.size(), 3u);

    ASSERT_TRUE(repo.put_subscription(make_sub("a", "x/+")));
    ASSERT_TRUE(repo.put_subscription(make_sub("a", "$share/g/x/#")));
    ASSERT_TRUE(repo.put_subscription(make_sub("a", "x/+", 2)));  // replaces
    ASSERT_TRUE(repo.put_subscription(make_sub("a/b", "y")));     // another client
    ASSERT_TRUE(repo.put_subscription(make_sub("a%", "z")));      // another client

    auto subs = repo.list_for_client("t", "a");
    ASSERT_TRUE(subs.has_value());
    ASSERT_EQ(subs->size(), 2u);
    EXPECT_EQ((*subs)[0], make_sub("a", "$share/g/x/#"));
    EXPECT_EQ((*subs)[1], make_sub("a", "x/+", 2));
    EXPECT_EQ(repo.list_for_client("t", "a/b")->size(), 1u);

    auto all = collect_pages<mqtt_subscription_record>(
        [&](size_t n, const std::string& c) { return repo.list_all_subscriptions(n, c); }, 1);
    EXPECT_EQ(all.size(), 4u);

    ASSERT_TRUE(repo.erase_subscription("t", "a", "x/+"));
    EXPECT_EQ(repo.list_for_client("t", "a")->size(), 1u);
    ASSERT_TRUE(repo.erase_all_for_client("t", "a"));
    EXPECT_TRUE(repo.list_for_client("t", "a")->empty());
    EXPECT_EQ(repo.list_for_client("t", "a/b")->size(), 1u);  // untouched
    EXPECT_TRUE(repo.get("t", "a")->has_value());             // the session stays

    ASSERT_TRUE(repo.erase_with_subscriptions("t", "a/b"));
    EXPECT_FALSE(repo.get("t", "a/b")->has_value());
    EXPECT_TRUE(repo.list_for_client("t", "a/b")->empty());
    EXPECT_EQ(repo.list_for_client("t", "a%")->size(), 1u);

    ASSERT_TRUE(repo.erase("t", "a"));
    EXPECT_FALSE(repo.get("t", "a")->has_value());
}

TEST(RetainedRepo, BinaryPayloadsOnRocksdb) {
    testing::temp_dir dir;
    retained_record r;
    r.tenant = "t";
    r.topic = "sensors/1/raw";
    r.payload = std::string("\0\x01\x02\0\xff", 5);
    r.qos = 1;
    r.properties.correlation_data = std::string("\0\0", 2);
    r.properties.user_properties = {{"a", "b"}};
    {
        auto store = make_rocksdb_meta_store(dir.sub("meta"));
        ASSERT_TRUE(store.has_value());
        retained_repo repo(**store);
        ASSERT_TRUE(repo.put(r));
        retained_record other = r;
        other.topic = "sensors/2/raw";
        other.payload.clear();
        ASSERT_TRUE(repo.put(other));
    }
    auto store = make_rocksdb_meta_store(dir.sub("meta"));
    ASSERT_TRUE(store.has_value());
    retained_repo repo(**store);
    auto got = repo.get("t", "sensors/1/raw");
    ASSERT_TRUE(got.has_value() && got->has_value());
    EXPECT_EQ(**got, r);
    EXPECT_EQ(repo.list_all(10)->items.size(), 2u);
    EXPECT_EQ(repo.list_by_tenant("t", 1)->items.size(), 1u);
    EXPECT_TRUE(repo.list_by_tenant("u", 10)->items.empty());
    ASSERT_TRUE(repo.erase("t", "sensors/1/raw"));
    EXPECT_FALSE(repo.get("t", "sensors/1/raw")->has_value());
    EXPECT_EQ(repo.list_all(10)->items.size(), 1u);
}

}  // namespace
}  // namespace robust::meta
