#include "net/io_pool.h"

#include <gtest/gtest.h>

#include <asio/post.hpp>

#include <cstdint>
#include <future>
#include <thread>

namespace robust::net {
namespace {

// The index a handler posted to context(i) sees.
size_t index_seen_on(io_pool& pool, size_t i, const io_pool& asked) {
    std::promise<size_t> seen;
    asio::post(pool.context(i), [&] { seen.set_value(asked.current_index()); });
    return seen.get_future().get();
}

TEST(IoPool, ZeroThreadsMeansOnePerCore) {
    io_pool pool(0);
    EXPECT_EQ(pool.size(), std::max(1u, std::thread::hardware_concurrency()));
}

TEST(IoPool, EachThreadKnowsItsIndex) {
    io_pool pool(3);
    ASSERT_EQ(pool.size(), 3u);
    pool.start();
    for (size_t i = 0; i < pool.size(); ++i) EXPECT_EQ(index_seen_on(pool, i, pool), i);
    EXPECT_EQ(pool.current_index(), SIZE_MAX);  // the test's own thread
    pool.stop();
}

TEST(IoPool, AnotherPoolsThreadIsNotOurs) {
    io_pool a(2), b(2);
    a.start();
    b.start();
    EXPECT_EQ(index_seen_on(b, 1, a), SIZE_MAX);
    EXPECT_EQ(index_seen_on(b, 1, b), 1u);
}

TEST(IoPool, PickIsRoundRobin) {
    io_pool pool(3);
    std::vector<size_t> picks;
    for (int i = 0; i < 7; ++i) picks.push_back(pool.pick());
    EXPECT_EQ(picks, (std::vector<size_t>{0, 1, 2, 0, 1, 2, 0}));
}

TEST(IoPool, WorkPostedBeforeStartRunsAfterStart) {
    io_pool pool(2);
    std::promise<size_t> seen;
    asio::post(pool.context(1), [&] { seen.set_value(pool.current_index()); });
    pool.start();
    EXPECT_EQ(seen.get_future().get(), 1u);
}

TEST(IoPool, StopIsIdempotent) {
    io_pool pool(2);
    pool.start();
    EXPECT_EQ(index_seen_on(pool, 0, pool), 0u);
    pool.stop();
    pool.stop();
}

TEST(IoPool, ThrowingHandlerDoesNotKillTheThread) {
    io_pool pool(1);
    pool.start();
    asio::post(pool.context(0), [] { throw std::runtime_error("boom"); });
    EXPECT_EQ(index_seen_on(pool, 0, pool), 0u);
}

}  // namespace
}  // namespace robust::net
