// CreatePartitions: grows a topic (never shrinks it, as in Kafka).
#include <spdlog/spdlog.h>

#include "../topic_access.h"
#include "handlers.h"
#include "kafka/codec/messages/create_partitions.h"
#include "meta/topics.h"

namespace robust::kafka {

void handle_create_partitions(server_impl& s, const request& r) {
    auto req = codec::decode_create_partitions_request(r.body(), r.version());
    if (!req) return reject_malformed(r, req.error());
    const std::string tenant = r.conn().identity().tenant;
    std::vector<bool> manage;
    for (const auto& t : req->topics) {
        manage.push_back(topic_allowed(s, r.conn(), topic_op::manage, t.name));
    }
    s.run_blocking([&s, r, tenant, manage, req = std::move(*req)] {
        codec::create_partitions_response resp;
        for (size_t i = 0; i < req.topics.size(); ++i) {
            const auto& t = req.topics[i];
            codec::create_partitions_result out;
            out.name = t.name;
            auto entry = s.topics().find(tenant, t.name);
            if (!manage[i]) {
                out.error_code = codec::error_code::topic_authorization_failed;
                out.error_message =
                    "Authorization failed: this user may not manage the topic (ACL)";
            } else if (!entry) {
                out.error_code = codec::error_code::unknown_topic_or_partition;
                out.error_message = "The topic '" + t.name + "' does not exist.";
            } else if (t.count <= static_cast<int32_t>(entry->record.partitions)) {
                out.error_code = codec::error_code::invalid_partitions;
                out.error_message = "Topic currently has " +
                                    std::to_string(entry->record.partitions) +
                                    " partitions, which is higher than or equal to the requested " +
                                    std::to_string(t.count) + ".";
            } else if (t.count > 100'000) {
                out.error_code = codec::error_code::invalid_partitions;
                out.error_message = "Number of partitions must be at most 100000";
            } else if (!req.validate_only) {
                auto done = meta::add_partitions(s.meta(), s.journal(), tenant, t.name,
                                                 static_cast<uint32_t>(t.count));
                if (!done) {
                    out.error_code = codec::error_code::kafka_storage_error;
                    out.error_message = "cannot add partitions: " + done.error().message();
                } else {
                    spdlog::info("kafka: topic {} now has {} partitions", t.name, t.count);
                }
            }
            s.count_error(r.header().api_key, out.error_code);
            resp.results.push_back(std::move(out));
        }
        r.respond([&](codec::writer& w) {
            codec::encode_create_partitions_response(w, resp, r.version());
        });
    });
}

}  // namespace robust::kafka
