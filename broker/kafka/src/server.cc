#include "kafka/server.h"

#include "group_service.h"
#include "server_impl.h"

namespace robust::kafka {

server::server(server_options opts, net::io_pool& pool, storage::journal& journal,
               meta::meta_store& meta, auth::service& auth)
    : impl_(std::make_unique<server_impl>(std::move(opts), pool, journal, meta, auth)) {}

server::~server() {
    stop();
}

status server::start() {
    return impl_->start();
}

void server::stop() {
    if (impl_) impl_->stop();
}

std::vector<listener_info> server::listeners() const {
    return impl_->listeners();
}

meta::topic_record server::new_topic(std::string_view tenant, std::string_view name,
                                     int32_t partitions) const {
    return kafka::new_topic(impl_->options(), tenant, name, partitions);
}

metrics::kafka_sample server::metrics_sample() const {
    return impl_->metrics_sample();
}

}  // namespace robust::kafka
