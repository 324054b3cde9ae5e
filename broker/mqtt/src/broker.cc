#include "mqtt/broker.h"

#include "broker_impl.h"

namespace robust::mqtt {

broker::broker(broker_options opts, net::io_pool& pool, storage::journal& journal,
               meta::meta_store& meta)
    : impl_(std::make_unique<broker_impl>(std::move(opts), pool, journal, meta)) {}

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

}  // namespace robust::mqtt
