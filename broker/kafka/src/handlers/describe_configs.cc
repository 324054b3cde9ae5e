// DescribeConfigs: a topic's configs (retention and the fixed ones) and the
// broker's, from topic_config.h.
#include "kafka/codec/messages/describe_configs.h"
#include "../topic_access.h"
#include "../topic_config.h"
#include "handlers.h"

namespace robust::kafka {
namespace {

void add_entries(codec::describe_configs_result& out, const std::vector<config_entry>& entries,
                 const codec::describe_configs_resource& asked, bool broker, bool documentation) {
    for (const auto& e : entries) {
        if (asked.configuration_keys) {
            const auto& keys = *asked.configuration_keys;
            if (std::find(keys.begin(), keys.end(), e.name) == keys.end()) continue;
        }
        codec::describe_configs_entry c;
        c.name = e.name;
        c.value = e.value;
        c.read_only = e.read_only;
        c.is_default = e.is_default;
        // ConfigSource: 1 DYNAMIC_TOPIC_CONFIG, 4 STATIC_BROKER_CONFIG, 5 DEFAULT_CONFIG.
        c.config_source = e.is_default ? 5 : (broker ? 4 : 1);
        c.config_type = e.config_type;
        if (documentation) c.documentation = e.documentation;
        out.configs.push_back(std::move(c));
    }
}

}  // namespace

void handle_describe_configs(server_impl& s, const request& r) {
    auto req = codec::decode_describe_configs_request(r.body(), r.version());
    if (!req) return reject_malformed(r, req.error());
    const std::string& tenant = r.conn().identity().tenant;
    codec::describe_configs_response resp;
    for (const auto& res : req->resources) {
        codec::describe_configs_result out;
        out.resource_type = res.resource_type;
        out.resource_name = res.resource_name;
        if (res.resource_type == codec::config_resource_topic) {
            auto t = s.topics().find(tenant, res.resource_name);
            if (!topic_allowed(s, r.conn(), topic_op::manage, res.resource_name)) {
                out.error_code = codec::error_code::topic_authorization_failed;
                out.error_message =
                    "Authorization failed: this user may not manage the topic (ACL)";
                s.count_error(r.header().api_key, out.error_code);
            } else if (!t) {
                out.error_code = codec::error_code::unknown_topic_or_partition;
                out.error_message = "Topic " + res.resource_name + " does not exist";
            } else {
                add_entries(out, describe_topic_configs(t->record, s.options()), res, false,
                            req->include_documentation);
            }
        } else if (res.resource_type == codec::config_resource_broker) {
            add_entries(out, describe_broker_configs(s.options()), res, true,
                        req->include_documentation);
        } else {
            out.error_code = codec::error_code::invalid_request;
            out.error_message = "Unsupported resource type " + std::to_string(res.resource_type);
        }
        resp.results.push_back(std::move(out));
    }
    r.respond(
        [&](codec::writer& w) { codec::encode_describe_configs_response(w, resp, r.version()); });
}

}  // namespace robust::kafka
