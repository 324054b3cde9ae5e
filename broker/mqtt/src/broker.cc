#include "mqtt/broker.h"

#include "broker_impl.h"

namespace robust::mqtt {

broker::broker(broker_options opts, net::io_pool& pool, storage::journal& journal,
               meta::meta_store& meta, auth::service& auth)
    : impl_(std::make_unique<broker_impl>(std::move(opts), pool, journal, meta, auth)) {}

broker::~broker() = default;

status broker::start() {
    return impl_->start();
}
void broker::stop() {
    impl_->stop();
}
std::vector<listener_info> broker::listeners() const {
    return impl_->listeners();
}

broker_stats broker::stats() const {
    const auto& s = impl_->stats;
    auto n = [](const std::atomic<uint64_t>& v) { return v.load(std::memory_order_relaxed); };
    broker_stats out;
    out.clients_connected = n(s.clients_connected);
    out.sessions = n(s.sessions);
    out.subscriptions = n(s.subscriptions);
    out.retained = impl_->retained_count();
    out.messages_received = n(s.messages_received);
    out.messages_sent = n(s.messages_sent);
    out.bytes_received = n(s.bytes_received);
    out.bytes_sent = n(s.bytes_sent);
    out.messages_dropped = n(s.messages_dropped);
    return out;
}

metrics::mqtt_sample broker::metrics_sample() const {
    broker_impl& b = *impl_;
    const auto& s = b.stats;
    auto n = [](const std::atomic<uint64_t>& v) { return v.load(std::memory_order_relaxed); };
    metrics::mqtt_sample out;
    for (const auto& [name, count] : b.listener_connections()) {
        out.connections_by_listener.emplace_back(name, count);
    }
    out.sessions = n(s.sessions);
    out.subscriptions = n(s.subscriptions);
    out.retained = b.retained_count();
    out.topics = b.topic_count();
    out.bytes_in = n(s.bytes_received);
    out.bytes_out = n(s.bytes_sent);
    for (size_t r = 0; r < out.dropped.size(); ++r) out.dropped[r] = n(s.dropped[r]);
    out.connections_accepted = n(s.connections_accepted);
    out.connections_refused = n(s.connections_refused);
    for (uint32_t i = 0; i < b.pool.size(); ++i) {
        const worker_counters& c = b.worker_at(i).counters;
        for (size_t t = 0; t < 16; ++t) {
            out.packets_in[t] += n(c.packets_in[t]);
            out.packets_out[t] += n(c.packets_out[t]);
        }
        for (size_t q = 0; q < 3; ++q) {
            out.messages_in[q] += n(c.messages_in[q]);
            out.messages_out[q] += n(c.messages_out[q]);
        }
    }
    out.shared_groups = b.shared_group_count();
    return out;
}

}  // namespace robust::mqtt
