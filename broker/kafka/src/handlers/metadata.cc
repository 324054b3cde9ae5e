// Metadata: this node is the only broker, the leader of every partition and
// the controller. Unknown topics are created when kafka.auto_create_topics
// and the client allow it (Kafka's auto.create.topics.enable) and the ACL
// lets the client manage the topic. Under the ACL (topic_access.h) a listing
// shows the topics the client may describe; a topic it names and may not
// describe gets TOPIC_AUTHORIZATION_FAILED, as in Kafka.
#include <spdlog/spdlog.h>

#include "../topic_access.h"
#include "handlers.h"
#include "kafka/codec/messages/metadata.h"
#include "meta/topics.h"

namespace robust::kafka {
namespace {

codec::metadata_response_topic describe(const topic_entry& t, int32_t node_id) {
    codec::metadata_response_topic out;
    out.name = t.record.name;
    for (uint32_t p = 0; p < t.record.partitions; ++p) {
        codec::metadata_response_partition part;
        part.partition_index = static_cast<int32_t>(p);
        part.leader_id = node_id;
        part.leader_epoch = 0;
        part.replica_nodes = {node_id};
        part.isr_nodes = {node_id};
        out.partitions.push_back(std::move(part));
    }
    return out;
}

codec::metadata_response_topic topic_error(const std::string& name, codec::error_code e) {
    codec::metadata_response_topic out;
    out.name = name;
    out.error_code = e;
    return out;
}

// What the ACL lets the client see, decided on the connection's thread.
struct visibility {
    // topics = null: the topics to list.
    std::vector<std::shared_ptr<const topic_entry>> listed;
    // Per asked topic: may describe it; may auto-create it.
    std::vector<bool> describe;
    std::vector<bool> manage;
};

// Builds the response; creates missing topics when allowed (blocking: runs
// on the blocking pool when any topic needs creating).
codec::metadata_response answer(server_impl& s, const server_impl::advertised& self,
                                const std::string& tenant, const codec::metadata_request& req,
                                const visibility& vis, bool may_create) {
    codec::metadata_response resp;
    resp.brokers.push_back({self.node_id, self.host, self.port, std::nullopt});
    resp.cluster_id = s.cluster_id();
    resp.controller_id = self.node_id;
    if (!req.topics) {
        for (const auto& t : vis.listed) resp.topics.push_back(describe(*t, self.node_id));
        return resp;
    }
    for (size_t i = 0; i < req.topics->size(); ++i) {
        const auto& asked = (*req.topics)[i];
        if (!asked.name) {
            // By topic id (v10+): we have no topic ids.
            auto t = codec::metadata_response_topic{};
            t.topic_id = asked.topic_id;
            t.error_code = codec::error_code::unknown_topic_id;
            resp.topics.push_back(std::move(t));
            continue;
        }
        const std::string& name = *asked.name;
        if (!valid_topic_name(name)) {
            resp.topics.push_back(topic_error(name, codec::error_code::invalid_topic_exception));
            continue;
        }
        if (!vis.describe[i]) {
            s.count_error(static_cast<int16_t>(codec::api_key::metadata),
                          codec::error_code::topic_authorization_failed);
            resp.topics.push_back(topic_error(name, codec::error_code::topic_authorization_failed));
            continue;
        }
        auto t = s.topics().find(tenant, name);
        if (!t && may_create && vis.manage[i]) {
            auto made =
                meta::create_topic(s.meta(), s.journal(), new_topic(s.options(), tenant, name, 0));
            if (made || made.error() == make_error_code(errc::already_exists)) {
                if (made) spdlog::info("kafka: created topic {} (auto-create)", name);
                t = s.topics().find(tenant, name);
            } else {
                spdlog::warn("kafka: auto-creating topic {} failed: {}", name,
                             made.error().message());
            }
        }
        if (!t) {
            resp.topics.push_back(topic_error(name, codec::error_code::unknown_topic_or_partition));
            continue;
        }
        resp.topics.push_back(describe(*t, self.node_id));
    }
    return resp;
}

}  // namespace

void handle_metadata(server_impl& s, const request& r) {
    auto req = codec::decode_metadata_request(r.body(), r.version());
    if (!req) return reject_malformed(r, req.error());
    // Before v4 there is no flag: those clients expect auto-creation.
    const bool may_create = s.options().auto_create_topics && req->allow_auto_topic_creation;
    const std::string tenant = r.conn().identity().tenant;
    visibility vis;
    bool missing = false;
    if (!req->topics) {
        for (auto& t : s.topics().list(tenant)) {
            if (topic_allowed(s, r.conn(), topic_op::describe, t->record.name, false)) {
                vis.listed.push_back(std::move(t));
            }
        }
    } else {
        for (const auto& t : *req->topics) {
            const bool named = t.name && valid_topic_name(*t.name);
            const bool visible = !named || topic_allowed(s, r.conn(), topic_op::describe, *t.name);
            const bool absent = named && visible && !s.topics().find(tenant, *t.name);
            // Creating needs manage; without it an absent topic is unknown.
            const bool manage = may_create && absent &&
                                topic_allowed(s, r.conn(), topic_op::manage, *t.name, false);
            vis.describe.push_back(visible);
            vis.manage.push_back(manage);
            if (manage) missing = true;
        }
    }
    auto reply = [r](const codec::metadata_response& resp) {
        r.respond([&](codec::writer& w) { codec::encode_metadata_response(w, resp, r.version()); });
    };
    // Read on the connection's thread: the blocking pool must not touch it.
    const auto self = s.self(r.conn());
    if (!missing) return reply(answer(s, self, tenant, *req, vis, false));
    s.run_blocking([&s, self, tenant, req = std::move(*req), vis = std::move(vis), reply] {
        reply(answer(s, self, tenant, req, vis, true));
    });
}

}  // namespace robust::kafka
