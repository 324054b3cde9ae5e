// CreateTopics: kernel topics (meta/topics.h) with Kafka's checks — name
// rules, partitions >= 1, replication factor 1 (one node), known configs.
#include <spdlog/spdlog.h>

#include "../topic_access.h"
#include "../topic_config.h"
#include "handlers.h"
#include "kafka/codec/messages/create_topics.h"
#include "meta/topics.h"

namespace robust::kafka {
namespace {

codec::create_topics_response_topic create_one(server_impl& s, const std::string& tenant,
                                               const codec::create_topics_request_topic& t,
                                               bool validate_only) {
    codec::create_topics_response_topic out;
    out.name = t.name;
    auto fail = [&](codec::error_code e, std::string msg) {
        out.error_code = e;
        out.error_message = std::move(msg);
        out.configs = std::nullopt;
        return out;
    };
    if (!valid_topic_name(t.name)) {
        return fail(codec::error_code::invalid_topic_exception,
                    "Topic name \"" + t.name +
                        "\" is illegal: use 1..249 of [a-zA-Z0-9._-], not \".\" or \"..\"");
    }
    int32_t partitions = t.num_partitions;
    if (!t.assignments.empty()) {
        if (partitions != -1 || t.replication_factor != -1) {
            return fail(codec::error_code::invalid_request,
                        "Both numPartitions or replicationFactor and replicasAssignments were set");
        }
        partitions = static_cast<int32_t>(t.assignments.size());
        for (const auto& a : t.assignments) {
            if (a.broker_ids.size() != 1 ||
                a.broker_ids[0] != static_cast<int32_t>(s.options().node_id)) {
                return fail(
                    codec::error_code::invalid_replica_assignment,
                    "This cluster has one broker, id " + std::to_string(s.options().node_id));
            }
        }
    }
    if (partitions == 0 || partitions < -1 || partitions > 100'000) {
        return fail(codec::error_code::invalid_partitions,
                    "Number of partitions must be between 1 and 100000");
    }
    if (t.replication_factor > 1 || t.replication_factor == 0 || t.replication_factor < -1) {
        return fail(codec::error_code::invalid_replication_factor,
                    "Replication factor: " + std::to_string(t.replication_factor) +
                        " larger than available brokers: 1");
    }
    meta::topic_record rec = new_topic(s.options(), tenant, t.name, partitions);
    for (const auto& c : t.configs) {
        auto problem = apply_topic_config(rec, c.name, c.value);
        if (problem.error != codec::error_code::none) {
            return fail(problem.error, problem.message);
        }
    }
    out.num_partitions = static_cast<int32_t>(rec.partitions);
    out.replication_factor = 1;
    std::vector<codec::create_topics_result_config> configs;
    for (const auto& e : describe_topic_configs(rec, s.options())) {
        codec::create_topics_result_config c;
        c.name = e.name;
        c.value = e.value;
        c.read_only = e.read_only;
        c.config_source = e.is_default ? 5 : 1;  // DEFAULT_CONFIG : DYNAMIC_TOPIC_CONFIG
        configs.push_back(std::move(c));
    }
    out.configs = std::move(configs);
    if (s.topics().find(tenant, t.name)) {
        return fail(codec::error_code::topic_already_exists,
                    "Topic '" + t.name + "' already exists.");
    }
    if (validate_only) return out;
    if (auto made = meta::create_topic(s.meta(), s.journal(), rec); !made) {
        if (made.error() == make_error_code(errc::already_exists)) {
            return fail(codec::error_code::topic_already_exists,
                        "Topic '" + t.name + "' already exists.");
        }
        spdlog::warn("kafka: creating topic {} failed: {}", t.name, made.error().message());
        return fail(codec::error_code::kafka_storage_error,
                    "cannot create the topic: " + made.error().message());
    }
    spdlog::info("kafka: created topic {} with {} partition(s)", t.name, rec.partitions);
    return out;
}

}  // namespace

void handle_create_topics(server_impl& s, const request& r) {
    auto req = codec::decode_create_topics_request(r.body(), r.version());
    if (!req) return reject_malformed(r, req.error());
    const std::string tenant = r.conn().identity().tenant;
    std::vector<bool> manage;
    for (const auto& t : req->topics) {
        manage.push_back(topic_allowed(s, r.conn(), topic_op::manage, t.name));
    }
    s.run_blocking([&s, r, tenant, manage, req = std::move(*req)] {
        codec::create_topics_response resp;
        for (size_t i = 0; i < req.topics.size(); ++i) {
            const auto& t = req.topics[i];
            if (!manage[i]) {
                codec::create_topics_response_topic out;
                out.name = t.name;
                out.error_code = codec::error_code::topic_authorization_failed;
                out.error_message =
                    "Authorization failed: this user may not manage the topic (ACL)";
                out.configs = std::nullopt;
                resp.topics.push_back(std::move(out));
            } else {
                resp.topics.push_back(create_one(s, tenant, t, req.validate_only));
            }
            s.count_error(r.header().api_key, resp.topics.back().error_code);
        }
        r.respond(
            [&](codec::writer& w) { codec::encode_create_topics_response(w, resp, r.version()); });
    });
}

}  // namespace robust::kafka
