#include "meta/meta_store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <future>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "base/errc.h"
#include "temp_dir.h"

namespace robust::meta {
namespace {

using testing::temp_dir;

std::vector<mutation> batch_of(std::initializer_list<std::pair<const char*, const char*>> items) {
    std::vector<mutation> b;
    for (const auto& [k, v] : items) {
        b.push_back(mutation{k, v ? std::optional<std::string>(v) : std::nullopt});
    }
    return b;
}

std::optional<std::string> get_value(const meta_store& s, std::string_view key) {
    auto r = s.get(key);
    EXPECT_TRUE(r.has_value());
    return r.has_value() ? *r : std::nullopt;
}

std::vector<std::string> scan_keys(const meta_store& s, std::string_view prefix,
                                   size_t limit = SIZE_MAX, std::string_view start_after = {}) {
    auto r = s.scan(prefix, limit, start_after);
    EXPECT_TRUE(r.has_value());
    std::vector<std::string> keys;
    if (r.has_value()) {
        for (const auto& [k, v] : *r) keys.push_back(k);
    }
    return keys;
}

// apply_async and wait for its callback; returns the status and the thread
// the callback ran on.
std::pair<status, std::thread::id> apply_and_wait(meta_store& s, std::vector<mutation> batch) {
    std::promise<std::pair<status, std::thread::id>> done;
    auto f = done.get_future();
    s.apply_async(std::move(batch), [&done](status st) {
        done.set_value({st, std::this_thread::get_id()});
    });
    return f.get();
}

enum class engine { memory, rocksdb };

// The behavioural suite both engines must pass: the interface's contract.
class MetaStoreContract : public ::testing::TestWithParam<engine> {
protected:
    void SetUp() override {
        if (GetParam() == engine::memory) {
            store_ = make_memory_meta_store();
        } else {
            auto s = make_rocksdb_meta_store(dir_.sub("meta"));
            ASSERT_TRUE(s.has_value());
            store_ = std::move(*s);
        }
    }

    temp_dir dir_;
    std::unique_ptr<meta_store> store_;
};

TEST_P(MetaStoreContract, GetPutErase) {
    meta_store& s = *store_;
    EXPECT_EQ(get_value(s, "a"), std::nullopt);
    ASSERT_TRUE(s.put("a", "1").has_value());
    EXPECT_EQ(get_value(s, "a"), "1");
    ASSERT_TRUE(s.put("a", "2").has_value());
    EXPECT_EQ(get_value(s, "a"), "2");
    ASSERT_TRUE(s.put("empty", "").has_value());
    EXPECT_EQ(get_value(s, "empty"), "");  // empty value is not absent
    ASSERT_TRUE(s.erase("a").has_value());
    EXPECT_EQ(get_value(s, "a"), std::nullopt);
    EXPECT_TRUE(s.erase("a").has_value());  // absent: still fine
}

TEST_P(MetaStoreContract, BinaryKeysAndValues) {
    meta_store& s = *store_;
    const std::string key("k\0\xff/x", 5);
    const std::string value("\0\x01\x02\xff\0", 5);
    ASSERT_TRUE(s.put(key, value).has_value());
    EXPECT_EQ(get_value(s, key), value);
    EXPECT_EQ(get_value(s, "k"), std::nullopt);
    auto rows = s.scan(std::string("k\0", 2));
    ASSERT_TRUE(rows.has_value());
    ASSERT_EQ(rows->size(), 1u);
    EXPECT_EQ((*rows)[0], kv(key, value));
}

TEST_P(MetaStoreContract, EmptyKeyIsRefused) {
    meta_store& s = *store_;
    EXPECT_EQ(s.put("", "x").error(), errc::invalid_argument);
    EXPECT_EQ(s.write(batch_of({{"ok", "1"}, {"", "2"}})).error(), errc::invalid_argument);
    EXPECT_EQ(get_value(s, "ok"), std::nullopt);  // nothing of a refused batch is written
    EXPECT_EQ(s.compare_and_set("", std::nullopt, "x").error(), errc::invalid_argument);
    EXPECT_EQ(get_value(s, ""), std::nullopt);
}

TEST_P(MetaStoreContract, ScanPrefixOrderLimitAndPaging) {
    meta_store& s = *store_;
    for (const char* k : {"a/3", "a/1", "ab/1", "a/2", "b/1", "a/10", "a"}) {
        ASSERT_TRUE(s.put(k, std::string("v") + k).has_value());
    }
    EXPECT_EQ(scan_keys(s, "a/"), (std::vector<std::string>{"a/1", "a/10", "a/2", "a/3"}));
    EXPECT_EQ(scan_keys(s, "a/", 2), (std::vector<std::string>{"a/1", "a/10"}));
    EXPECT_EQ(scan_keys(s, "a/", 2, "a/10"), (std::vector<std::string>{"a/2", "a/3"}));
    EXPECT_EQ(scan_keys(s, "a/", 2, "a/3"), (std::vector<std::string>{}));
    EXPECT_EQ(scan_keys(s, "a/", 10, "a/15"), (std::vector<std::string>{"a/2", "a/3"}));
    EXPECT_EQ(scan_keys(s, "a/", 10, "0"), (std::vector<std::string>{"a/1", "a/10", "a/2", "a/3"}));
    EXPECT_EQ(scan_keys(s, "a/", 0), (std::vector<std::string>{}));
    EXPECT_EQ(scan_keys(s, "c"), (std::vector<std::string>{}));
    EXPECT_EQ(scan_keys(s, "").size(), 7u);

    auto rows = s.scan("b/");
    ASSERT_TRUE(rows.has_value());
    ASSERT_EQ(rows->size(), 1u);
    EXPECT_EQ((*rows)[0], kv("b/1", "vb/1"));

    // Paging through everything with a cursor sees each key exactly once.
    std::vector<std::string> all;
    std::string cursor;
    while (true) {
        auto page = scan_keys(s, "", 3, cursor);
        if (page.empty()) break;
        all.insert(all.end(), page.begin(), page.end());
        cursor = page.back();
    }
    EXPECT_EQ(all, (std::vector<std::string>{"a", "a/1", "a/10", "a/2", "a/3", "ab/1", "b/1"}));
}

TEST_P(MetaStoreContract, CompareAndSet) {
    meta_store& s = *store_;
    auto r = s.compare_and_set("k", std::nullopt, "1");  // create if absent
    ASSERT_TRUE(r.has_value());
    EXPECT_TRUE(*r);
    r = s.compare_and_set("k", std::nullopt, "2");  // not absent any more
    ASSERT_TRUE(r.has_value());
    EXPECT_FALSE(*r);
    r = s.compare_and_set("k", "wrong", "2");
    ASSERT_TRUE(r.has_value());
    EXPECT_FALSE(*r);
    EXPECT_EQ(get_value(s, "k"), "1");
    r = s.compare_and_set("k", "1", "2");
    ASSERT_TRUE(r.has_value());
    EXPECT_TRUE(*r);
    EXPECT_EQ(get_value(s, "k"), "2");
    r = s.compare_and_set("k", "2", std::nullopt);  // delete
    ASSERT_TRUE(r.has_value());
    EXPECT_TRUE(*r);
    EXPECT_EQ(get_value(s, "k"), std::nullopt);
    r = s.compare_and_set("k", "2", "3");  // expected a value, key absent
    ASSERT_TRUE(r.has_value());
    EXPECT_FALSE(*r);
}

TEST_P(MetaStoreContract, CompareAndSetIsAtomicAcrossThreads) {
    meta_store& s = *store_;
    ASSERT_TRUE(s.put("counter", "0").has_value());
    constexpr int threads = 4;
    constexpr int increments = 100;
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
        workers.emplace_back([&s] {
            for (int i = 0; i < increments; ++i) {
                while (true) {
                    auto cur = s.get("counter");
                    ASSERT_TRUE(cur.has_value() && cur->has_value());
                    const std::string next = std::to_string(std::stoi(**cur) + 1);
                    auto ok = s.compare_and_set("counter", *cur, next);
                    ASSERT_TRUE(ok.has_value());
                    if (*ok) break;
                }
            }
        });
    }
    for (auto& w : workers) w.join();
    EXPECT_EQ(get_value(s, "counter"), std::to_string(threads * increments));
}

TEST_P(MetaStoreContract, WriteBatchAppliesInOrder) {
    meta_store& s = *store_;
    ASSERT_TRUE(s.put("old", "x").has_value());
    ASSERT_TRUE(
        s
            .write(batch_of(
                {{"a", "1"}, {"b", "2"}, {"a", nullptr}, {"old", nullptr}, {"c", "3"}, {"c", "4"}}))
            .has_value());
    EXPECT_EQ(get_value(s, "a"), std::nullopt);
    EXPECT_EQ(get_value(s, "b"), "2");
    EXPECT_EQ(get_value(s, "c"), "4");
    EXPECT_EQ(get_value(s, "old"), std::nullopt);
    EXPECT_TRUE(s.write({}).has_value());
}

TEST_P(MetaStoreContract, ApplyAsyncRunsOnTheWriterThread) {
    meta_store& s = *store_;
    auto [st, thread] = apply_and_wait(s, batch_of({{"a", "1"}, {"b", "2"}}));
    EXPECT_TRUE(st.has_value());
    EXPECT_NE(thread, std::this_thread::get_id());
    EXPECT_EQ(get_value(s, "a"), "1");  // visible once the callback ran
    EXPECT_EQ(get_value(s, "b"), "2");
    s.apply_async(batch_of({{"c", "3"}}), nullptr);  // no callback is fine
    std::tie(st, thread) = apply_and_wait(s, {});
    EXPECT_TRUE(st.has_value());
    EXPECT_EQ(get_value(s, "c"), "3");
}

TEST_P(MetaStoreContract, ApplyAsyncKeepsOrderAcrossBatches) {
    meta_store& s = *store_;
    constexpr int n = 2000;
    std::mutex mu;
    std::vector<int> completed;
    std::promise<void> all_done;
    for (int i = 0; i < n; ++i) {
        std::vector<mutation> b;
        b.push_back(mutation{"k", std::to_string(i)});
        b.push_back(mutation{"k/" + std::to_string(i), "x"});
        s.apply_async(std::move(b), [&, i](status st) {
            EXPECT_TRUE(st.has_value());
            bool last = false;
            {
                std::lock_guard lock(mu);
                completed.push_back(i);
                last = static_cast<int>(completed.size()) == n;
            }
            // Outside the lock: once the test sees this it returns and `mu`
            // is gone, so the writer must not still be unlocking it.
            if (last) all_done.set_value();
        });
    }
    all_done.get_future().wait();
    EXPECT_EQ(get_value(s, "k"), std::to_string(n - 1));  // the last one queued wins
    EXPECT_EQ(scan_keys(s, "k/").size(), static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) ASSERT_EQ(completed[i], i);
}

TEST_P(MetaStoreContract, ApplyAsyncInvalidBatchFailsAlone) {
    meta_store& s = *store_;
    std::promise<status> bad;
    std::promise<status> good;
    s.apply_async(batch_of({{"x", "1"}, {"", "2"}}), [&](status st) { bad.set_value(st); });
    s.apply_async(batch_of({{"y", "1"}}), [&](status st) { good.set_value(st); });
    EXPECT_EQ(bad.get_future().get().error(), errc::invalid_argument);
    EXPECT_TRUE(good.get_future().get().has_value());
    EXPECT_EQ(get_value(s, "x"), std::nullopt);
    EXPECT_EQ(get_value(s, "y"), "1");
}

TEST_P(MetaStoreContract, StopDrainsThenRefuses) {
    meta_store& s = *store_;
    std::atomic<int> ok{0};
    for (int i = 0; i < 500; ++i) {
        s.apply_async(batch_of({{"d", "x"}}), [&ok](status st) {
            if (st.has_value()) ++ok;
        });
    }
    s.stop();
    EXPECT_EQ(ok.load(), 500);  // everything queued before stop() was written
    s.stop();                   // idempotent

    std::optional<status> refused;
    s.apply_async(batch_of({{"e", "x"}}), [&refused](status st) { refused = st; });
    ASSERT_TRUE(refused.has_value());  // refused synchronously: no writer any more
    EXPECT_EQ(refused->error(), errc::shutting_down);
    EXPECT_EQ(get_value(s, "e"), std::nullopt);
    // Synchronous calls keep working until the store is destroyed.
    EXPECT_EQ(get_value(s, "d"), "x");
    EXPECT_TRUE(s.put("f", "1").has_value());
}

struct recorder {
    std::mutex mu;
    std::vector<mutation> seen;

    watch_callback callback() {
        return [this](const mutation& m) {
            std::lock_guard lock(mu);
            seen.push_back(m);
        };
    }
    std::vector<std::pair<std::string, std::optional<std::string>>> take() {
        std::lock_guard lock(mu);
        std::vector<std::pair<std::string, std::optional<std::string>>> out;
        for (auto& m : seen) out.emplace_back(m.key, m.value);
        seen.clear();
        return out;
    }
};

using change_list = std::vector<std::pair<std::string, std::optional<std::string>>>;

TEST_P(MetaStoreContract, WatchSeesEveryChangeUnderItsPrefix) {
    meta_store& s = *store_;
    recorder rec;
    const watch_id id = s.watch("a/", rec.callback());
    ASSERT_TRUE(s.put("a/1", "x").has_value());
    ASSERT_TRUE(s.put("b/1", "x").has_value());
    ASSERT_TRUE(s.erase("a/1").has_value());
    ASSERT_TRUE(s.write(batch_of({{"a/2", "y"}, {"b/2", "y"}, {"a/3", nullptr}})).has_value());
    ASSERT_TRUE(s.compare_and_set("a/4", std::nullopt, "z").has_value());
    ASSERT_FALSE(*s.compare_and_set("a/4", std::nullopt, "w"));  // no write, no event
    EXPECT_EQ(rec.take(), (change_list{{"a/1", "x"},
                                       {"a/1", std::nullopt},
                                       {"a/2", "y"},
                                       {"a/3", std::nullopt},
                                       {"a/4", "z"}}));

    s.unwatch(id);
    ASSERT_TRUE(s.put("a/5", "x").has_value());
    EXPECT_TRUE(rec.take().empty());
    s.unwatch(id);      // twice: no-op
    s.unwatch(999999);  // unknown: no-op
}

TEST_P(MetaStoreContract, WatchRunsAfterTheWriteAndBeforeApplyCallback) {
    meta_store& s = *store_;
    std::vector<std::string> events;  // only touched on the writer thread
    std::thread::id watch_thread;
    s.watch("k", [&](const mutation& m) {
        events.push_back("watch " + m.key + "=" + m.value.value_or("?"));
        watch_thread = std::this_thread::get_id();
    });
    std::promise<std::thread::id> done;
    s.apply_async(batch_of({{"k1", "v"}}), [&](status st) {
        EXPECT_TRUE(st.has_value());
        events.push_back("applied");
        done.set_value(std::this_thread::get_id());
    });
    const auto cb_thread = done.get_future().get();
    EXPECT_EQ(events, (std::vector<std::string>{"watch k1=v", "applied"}));
    EXPECT_EQ(watch_thread, cb_thread);
    EXPECT_NE(watch_thread, std::this_thread::get_id());
}

TEST_P(MetaStoreContract, UnwatchFromInsideItsCallback) {
    meta_store& s = *store_;
    int calls = 0;
    watch_id id = 0;
    id = s.watch("", [&](const mutation&) {
        ++calls;
        s.unwatch(id);
    });
    ASSERT_TRUE(s.write(batch_of({{"a", "1"}, {"b", "2"}})).has_value());
    ASSERT_TRUE(s.put("c", "3").has_value());
    EXPECT_EQ(calls, 1);  // not even for the second mutation of the same batch
}

TEST_P(MetaStoreContract, ThrowingWatcherDoesNotBreakTheStore) {
    meta_store& s = *store_;
    recorder rec;
    s.watch("", [](const mutation&) { throw std::runtime_error("watcher bug"); });
    s.watch("", rec.callback());
    ASSERT_TRUE(s.put("a", "1").has_value());
    auto [st, thread] = apply_and_wait(s, batch_of({{"b", "2"}}));
    EXPECT_TRUE(st.has_value());
    EXPECT_EQ(rec.take(), (change_list{{"a", "1"}, {"b", "2"}}));
}

INSTANTIATE_TEST_SUITE_P(Engines, MetaStoreContract,
                         ::testing::Values(engine::memory, engine::rocksdb),
                         [](const auto& param_info) {
                             return param_info.param == engine::memory ? "memory" : "rocksdb";
                         });

TEST(RocksdbMetaStore, ReopenKeepsData) {
    temp_dir dir;
    const std::string path = dir.sub("nested/meta");  // parents are created
    {
        auto s = make_rocksdb_meta_store(path);
        ASSERT_TRUE(s.has_value());
        ASSERT_TRUE((*s)->put("a", "1").has_value());
        ASSERT_TRUE((*s)->write(batch_of({{"b", "2"}, {"c", "3"}, {"a", nullptr}})).has_value());
        auto [st, thread] = apply_and_wait(**s, batch_of({{"d", "4"}}));
        ASSERT_TRUE(st.has_value());
        (*s)->apply_async(batch_of({{"e", "5"}}), nullptr);  // drained by the destructor
    }
    auto s = make_rocksdb_meta_store(path);
    ASSERT_TRUE(s.has_value());
    EXPECT_EQ(get_value(**s, "a"), std::nullopt);
    EXPECT_EQ(get_value(**s, "b"), "2");
    EXPECT_EQ(get_value(**s, "c"), "3");
    EXPECT_EQ(get_value(**s, "d"), "4");
    EXPECT_EQ(get_value(**s, "e"), "5");
}

TEST(RocksdbMetaStore, OpenErrorsAreIoErrors) {
    temp_dir dir;
    const std::string file = dir.sub("not_a_dir");
    std::ofstream(file) << "x";
    auto s = make_rocksdb_meta_store(file + "/meta");
    ASSERT_FALSE(s.has_value());
    EXPECT_EQ(s.error(), errc::io_error);

    // A second store on the same directory is refused by RocksDB's lock.
    auto first = make_rocksdb_meta_store(dir.sub("meta"));
    ASSERT_TRUE(first.has_value());
    auto second = make_rocksdb_meta_store(dir.sub("meta"));
    ASSERT_FALSE(second.has_value());
    EXPECT_EQ(second.error(), errc::io_error);
}

}  // namespace
}  // namespace robust::meta
