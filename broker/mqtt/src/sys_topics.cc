// $SYS topics: broker state published every mqtt.sys_interval_s seconds as
// retained QoS 0 messages, under the names mosquitto uses so existing
// dashboards and tools read them unchanged. Runs on worker 0.

#include <asio/post.hpp>

#include "base/clock.h"
#include "broker_impl.h"

#ifndef ROBUSTMQ_VERSION
#define ROBUSTMQ_VERSION "0.0.0"
#endif

namespace robust::mqtt {

void broker_impl::schedule_sys() {
    asio::post(workers_[0]->ctx(), [this] {
        if (!sys_timer_) sys_timer_ = std::make_unique<asio::steady_timer>(workers_[0]->ctx());
        publish_sys();
        sys_timer_->expires_after(std::chrono::seconds(opts.sys_interval_s));
        sys_timer_->async_wait([this](std::error_code ec) {
            if (!ec && !stopping()) schedule_sys();
        });
    });
}

void broker_impl::publish_sys() {
    worker& w = *workers_[0];
    auto put = [&w](std::string topic, std::string value) {
        auto m = std::make_shared<message>();
        m->topic = std::move(topic);
        m->payload = shared_buffer(std::move(value));
        m->retain = true;
        m->timestamp_ms = now_unix_ms();
        w.publish_internal(std::move(m));
    };
    auto n = [](const std::atomic<uint64_t>& v) {
        return std::to_string(v.load(std::memory_order_relaxed));
    };
    put("$SYS/broker/version", std::string("robustmq ") + ROBUSTMQ_VERSION);
    put("$SYS/broker/uptime", std::to_string((now_unix_ms() - started_ms) / 1000) + " seconds");
    put("$SYS/broker/clients/connected", n(stats.clients_connected));
    put("$SYS/broker/sessions/count", n(stats.sessions));
    put("$SYS/broker/subscriptions/count", n(stats.subscriptions));
    put("$SYS/broker/retained messages/count", std::to_string(retained_count()));
    put("$SYS/broker/messages/received", n(stats.messages_received));
    put("$SYS/broker/messages/sent", n(stats.messages_sent));
    put("$SYS/broker/messages/dropped", n(stats.messages_dropped));
    put("$SYS/broker/bytes/received", n(stats.bytes_received));
    put("$SYS/broker/bytes/sent", n(stats.bytes_sent));
}

}  // namespace robust::mqtt
