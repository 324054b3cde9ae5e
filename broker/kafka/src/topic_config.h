#pragma once
// Kafka topic configs on kernel topics. The kernel keeps retention (time and
// size) per topic; those are the configs a client can set. A few more are
// accepted at their only value here (cleanup.policy=delete,
// min.insync.replicas, ...) so tools that always send them work; any other
// name, or compaction, is INVALID_CONFIG, as Kafka answers unknown names.

#include <optional>
#include <string>
#include <vector>

#include "kafka/codec/error_code.h"
#include "kafka/server.h"
#include "meta/model.h"

namespace robust::kafka {

struct config_problem {
    codec::error_code error = codec::error_code::none;
    std::string message;
};

/// Applies one config from CreateTopics to `t`. A null value means "the
/// default".
config_problem apply_topic_config(meta::topic_record& t, const std::string& name,
                                  const std::optional<std::string>& value);

struct config_entry {
    std::string name;
    std::string value;
    bool is_default = true;
    bool read_only = false;
    int8_t config_type =
        0;  // DescribeConfigs v3+: 1 BOOLEAN, 2 STRING, 3 INT, 5 LONG, 6 DOUBLE, 7 LIST
    std::string documentation;
};
/// Every config of a topic as DescribeConfigs shows it.
std::vector<config_entry> describe_topic_configs(const meta::topic_record& t,
                                                 const server_options& o);
/// The broker configs DescribeConfigs shows (read only).
std::vector<config_entry> describe_broker_configs(const server_options& o);

}  // namespace robust::kafka
