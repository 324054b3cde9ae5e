// DeleteTopics: removes the kernel topic — its partitions' shards, with
// their records and consumer positions, then the record.
#include <spdlog/spdlog.h>

#include "../topic_access.h"
#include "handlers.h"
#include "kafka/codec/messages/delete_topics.h"
#include "meta/topics.h"

namespace robust::kafka {

void handle_delete_topics(server_impl& s, const request& r) {
    auto req = codec::decode_delete_topics_request(r.body(), r.version());
    if (!req) return reject_malformed(r, req.error());
    const std::string tenant = r.conn().identity().tenant;
    std::vector<bool> manage;
    for (const auto& name : req->topic_names) {
        manage.push_back(topic_allowed(s, r.conn(), topic_op::manage, name));
    }
    s.run_blocking([&s, r, tenant, manage, req = std::move(*req)] {
        codec::delete_topics_response resp;
        for (size_t i = 0; i < req.topic_names.size(); ++i) {
            const auto& name = req.topic_names[i];
            codec::delete_topics_response_topic out;
            out.name = name;
            auto t = s.topics().find(tenant, name);
            if (!manage[i]) {
                out.error_code = codec::error_code::topic_authorization_failed;
                out.error_message =
                    "Authorization failed: this user may not manage the topic (ACL)";
            } else if (!t) {
                out.error_code = codec::error_code::unknown_topic_or_partition;
                out.error_message = "This server does not host this topic.";
            } else if (auto done = meta::delete_topic(s.meta(), s.journal(), tenant, name);
                       !done && done.error() != make_error_code(errc::not_found)) {
                out.error_code = codec::error_code::kafka_storage_error;
                out.error_message = "cannot delete the topic: " + done.error().message();
            } else {
                for (auto shard : t->shards) s.producers().forget_shard(shard);
                spdlog::info("kafka: deleted topic {}", name);
            }
            s.count_error(r.header().api_key, out.error_code);
            resp.responses.push_back(std::move(out));
        }
        r.respond(
            [&](codec::writer& w) { codec::encode_delete_topics_response(w, resp, r.version()); });
    });
}

}  // namespace robust::kafka
