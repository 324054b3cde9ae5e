// The MQTT broker's flow control, on a broker built from its parts so the
// test can hold the journal and block a worker thread:
// - fan-out while the journal writes (worker::dispatch_live): a clean
//   session gets a QoS 1 message before the write completes, while the
//   publisher's PUBACK and a persistent session's copy wait for it;
// - back-pressure (connection::read_more): while a subscriber's thread is
//   stuck, a publisher on another thread stops being read once that thread
//   has worker::backlog_high_water deliveries waiting, and resumes after.

#include <gtest/gtest.h>

#include <asio/post.hpp>

#include <chrono>
#include <deque>
#include <filesystem>
#include <future>
#include <mutex>
#include <thread>

#include "auth/service.h"
#include "meta/meta_store.h"
#include "mqtt/broker.h"
#include "net/io_pool.h"
#include "storage/journal.h"
#include "test_client.h"

namespace robust::test {
namespace {

using mqtt::codec::qos_level;
using namespace std::chrono_literals;

// A journal whose appends complete only while the gate is open; held ones
// complete, in order, when it opens. Everything else goes straight through.
class gated_journal final : public storage::journal {
public:
    explicit gated_journal(std::unique_ptr<storage::journal> inner) : inner_(std::move(inner)) {}

    void close_gate() {
        std::lock_guard lock(mu_);
        open_ = false;
    }
    void open_gate() {
        std::deque<std::pair<storage::append_request, storage::append_callback>> held;
        {
            std::lock_guard lock(mu_);
            open_ = true;
            held.swap(held_);
        }
        for (auto& [req, cb] : held) inner_->append(std::move(req), std::move(cb));
    }
    size_t held() const {
        std::lock_guard lock(mu_);
        return held_.size();
    }

    void append(storage::append_request req, storage::append_callback cb) override {
        {
            std::lock_guard lock(mu_);
            if (!open_) {
                held_.emplace_back(std::move(req), std::move(cb));
                return;
            }
        }
        inner_->append(std::move(req), std::move(cb));
    }

    result<storage::shard_id> create_shard(std::string_view name,
                                           const storage::shard_options& o) override {
        return inner_->create_shard(name, o);
    }
    result<storage::shard_id> find_shard(std::string_view name) const override {
        return inner_->find_shard(name);
    }
    status delete_shard(storage::shard_id id) override { return inner_->delete_shard(id); }
    result<storage::shard_info> describe_shard(storage::shard_id id) const override {
        return inner_->describe_shard(id);
    }
    std::vector<storage::shard_info> list_shards() const override { return inner_->list_shards(); }
    result<std::vector<storage::record>> read(storage::shard_id id, int64_t from,
                                              size_t max_records, size_t max_bytes) const override {
        return inner_->read(id, from, max_records, max_bytes);
    }
    void read_async(storage::shard_id id, int64_t from, size_t max_records, size_t max_bytes,
                    storage::read_callback cb) const override {
        inner_->read_async(id, from, max_records, max_bytes, std::move(cb));
    }
    result<int64_t> earliest(storage::shard_id id) const override { return inner_->earliest(id); }
    result<int64_t> next_offset(storage::shard_id id) const override {
        return inner_->next_offset(id);
    }
    result<int64_t> offset_for_time(storage::shard_id id, int64_t ts_ms) const override {
        return inner_->offset_for_time(id, ts_ms);
    }
    status truncate_before(storage::shard_id id, int64_t offset) override {
        return inner_->truncate_before(id, offset);
    }
    status apply_retention() override { return inner_->apply_retention(); }
    status commit_position(std::string_view group, storage::shard_id id,
                           int64_t next_offset) override {
        return inner_->commit_position(group, id, next_offset);
    }
    result<int64_t> committed_position(std::string_view group,
                                       storage::shard_id id) const override {
        return inner_->committed_position(group, id);
    }

    std::vector<storage::position_entry> list_positions(
        std::string_view group_prefix) const override {
        return inner_->list_positions(group_prefix);
    }
    status delete_positions(std::string_view group) override {
        return inner_->delete_positions(group);
    }
    void add_append_observer(storage::append_observer obs) override {
        inner_->add_append_observer(std::move(obs));
    }
    status flush() override { return inner_->flush(); }
    void stop() override { inner_->stop(); }

private:
    std::unique_ptr<storage::journal> inner_;
    mutable std::mutex mu_;
    bool open_ = true;
    std::deque<std::pair<storage::append_request, storage::append_callback>> held_;
};

class MqttFlow : public ::testing::Test {
protected:
    void SetUp() override {
        journal_ = std::make_unique<gated_journal>(storage::make_memory_journal());
        meta_ = meta::make_memory_meta_store();
        auth_ = std::make_unique<auth::service>(*meta_, config::auth_config{});
        ASSERT_TRUE(auth_->start().has_value());
        pool_ = std::make_unique<net::io_pool>(2);
        pool_->start();
        mqtt::broker_options o;
        o.bind = "127.0.0.1";
        o.tcp_port = 0;
        o.ws_port = -1;
        o.sys_interval_s = 0;
        broker_ = std::make_unique<mqtt::broker>(o, *pool_, *journal_, *meta_, *auth_);
        ASSERT_TRUE(broker_->start().has_value());
        port_ = broker_->listeners().at(0).port;
    }
    void TearDown() override {
        journal_->open_gate();
        broker_->stop();
        broker_.reset();
        pool_->stop();
    }

    std::unique_ptr<gated_journal> journal_;
    std::unique_ptr<meta::meta_store> meta_;
    std::unique_ptr<auth::service> auth_;
    std::unique_ptr<net::io_pool> pool_;
    std::unique_ptr<mqtt::broker> broker_;
    uint16_t port_ = 0;
};

TEST_F(MqttFlow, CleanSessionGetsQos1WhileItIsJournaledOthersAfter) {
    test_client clean(port_);
    clean.connect("clean-sub");
    clean.subscribe("flow/t", qos_level::at_least_once);
    test_client persistent(port_);
    persistent.connect("persistent-sub", false, 3600);
    persistent.subscribe("flow/t", qos_level::at_least_once);

    journal_->close_gate();
    test_client pub(port_);
    pub.connect("pub");
    mqtt::codec::publish p;
    p.topic = "flow/t";
    p.payload = shared_buffer(std::string("m1"));
    p.qos = qos_level::at_least_once;
    p.packet_id = 7;
    pub.send(mqtt::codec::packet(std::move(p)));

    // The clean session has it while the write is still held (the append
    // may be queued a moment after the live delivery leaves)...
    EXPECT_EQ(clean.receive_publish().payload.view(), "m1");
    for (int i = 0; i < 200 && journal_->held() == 0; ++i) std::this_thread::sleep_for(5ms);
    EXPECT_GE(journal_->held(), 1u);
    // ...the publisher's PUBACK and the persistent session's copy wait.
    EXPECT_FALSE(pub.receive(300ms).has_value());
    EXPECT_FALSE(persistent.receive(100ms).has_value());

    journal_->open_gate();
    auto ack = pub.receive();
    ASSERT_TRUE(ack.has_value());
    ASSERT_TRUE(std::holds_alternative<mqtt::codec::puback>(*ack));
    EXPECT_EQ(std::get<mqtt::codec::puback>(*ack).packet_id, 7);
    EXPECT_EQ(persistent.receive_publish().payload.view(), "m1");
}

TEST_F(MqttFlow, PublisherPausesWhileASubscribersThreadIsStuck) {
    // Round robin over a fresh pool of two: the subscriber is on thread 0,
    // the publisher on thread 1.
    test_client sub(port_);
    sub.connect("stuck-sub");
    sub.subscribe("flow/bulk", qos_level::at_most_once);
    test_client pub(port_);
    pub.connect("bulk-pub");

    std::promise<void> release;
    std::promise<void> blocked;
    asio::post(pool_->context(0), [&] {
        blocked.set_value();
        release.get_future().wait();
    });
    blocked.get_future().wait();

    // Far more than the high water mark, written from another thread so
    // this one can watch the broker.
    constexpr int total = 3 * 20'000;
    std::string batch;
    for (int i = 0; i < total; ++i) {
        mqtt::codec::publish p;
        p.topic = "flow/bulk";
        p.payload = shared_buffer(std::string("x"));
        mqtt::codec::encode(mqtt::codec::packet(std::move(p)), mqtt::codec::protocol_version::v5,
                            batch);
    }
    std::jthread writer([&] { pub.send_raw(batch); });

    // The publisher's thread stops reading: received messages level off
    // above the high water mark and well short of all.
    uint64_t level = 0;
    for (int i = 0; i < 50; ++i) {
        std::this_thread::sleep_for(100ms);
        const uint64_t now = broker_->stats().messages_received;
        if (now > 20'000 && now == level) break;
        level = now;
    }
    EXPECT_GT(level, 20'000u);
    EXPECT_LT(level, uint64_t(total) * 2 / 3);
    std::this_thread::sleep_for(300ms);
    EXPECT_EQ(broker_->stats().messages_received, level) << "reading went on while backlogged";

    // Once the thread runs again, every message is read.
    release.set_value();
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (broker_->stats().messages_received < uint64_t(total) &&
           std::chrono::steady_clock::now() < deadline) {
        sub.receive(10ms);  // keep the subscriber's socket drained
    }
    EXPECT_EQ(broker_->stats().messages_received, uint64_t(total));
}

}  // namespace
}  // namespace robust::test
