#include "topic_config.h"

#include <charconv>

namespace robust::kafka {
namespace {

constexpr int8_t type_string = 2;
constexpr int8_t type_int = 3;
constexpr int8_t type_long = 5;
constexpr int8_t type_boolean = 1;

std::optional<int64_t> parse_long(const std::string& v) {
    int64_t out = 0;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
    if (ec != std::errc() || p != v.data() + v.size()) return std::nullopt;
    return out;
}

config_problem invalid(const std::string& name, const std::string& why) {
    return {codec::error_code::invalid_config, "Invalid value for " + name + ": " + why};
}

// Kafka's "-1 = unlimited" is the kernel's 0.
config_problem set_limit(int64_t& field, const std::string& name,
                         const std::optional<std::string>& value, int64_t fallback) {
    if (!value) {
        field = fallback;
        return {};
    }
    auto n = parse_long(*value);
    if (!n || *n < -1) return invalid(name, "expected -1 (unlimited) or a non-negative integer");
    field = *n <= 0 ? 0 : *n;
    return {};
}

std::string limit_text(int64_t v) {
    return v <= 0 ? "-1" : std::to_string(v);
}

}  // namespace

config_problem apply_topic_config(meta::topic_record& t, const std::string& name,
                                  const std::optional<std::string>& value) {
    if (name == "retention.ms") return set_limit(t.retention_ms, name, value, t.retention_ms);
    if (name == "retention.bytes") {
        return set_limit(t.retention_bytes, name, value, t.retention_bytes);
    }
    if (name == "cleanup.policy") {
        if (value && *value != "delete") {
            return invalid(name, "only \"delete\" is supported (no log compaction yet)");
        }
        return {};
    }
    // Accepted at the value this broker always has.
    if (name == "min.insync.replicas" || name == "compression.type" ||
        name == "max.message.bytes" || name == "segment.bytes" || name == "segment.ms" ||
        name == "message.timestamp.type" || name == "unclean.leader.election.enable") {
        return {};
    }
    return {codec::error_code::invalid_config, "Unknown topic config name: " + name};
}

std::vector<config_entry> describe_topic_configs(const meta::topic_record& t,
                                                 const server_options& o) {
    return {
        {"cleanup.policy", "delete", true, false, type_string,
         "Records are deleted by retention; log compaction is not supported."},
        {"retention.ms", limit_text(t.retention_ms), t.retention_ms == o.retention_ms, false,
         type_long, "Records older than this are deleted; -1 keeps them."},
        {"retention.bytes", limit_text(t.retention_bytes), t.retention_bytes == o.retention_bytes,
         false, type_long,
         "Per partition: the oldest records are deleted beyond this size; -1: no limit."},
        {"max.message.bytes", std::to_string(o.max_message_bytes), true, true, type_int,
         "Largest record batch accepted (kafka.max_message_bytes)."},
        {"min.insync.replicas", "1", true, true, type_int, "One replica: this node."},
        {"compression.type", "producer", true, true, type_string,
         "Batches are stored as the producer compressed them."},
        {"message.timestamp.type", "CreateTime", true, true, type_string,
         "Timestamps are the producer's."},
        {"robustmq.durability", t.durability, true, true, type_string,
         "When an acknowledged append is safe: none, wal or fsync."},
    };
}

std::vector<config_entry> describe_broker_configs(const server_options& o) {
    return {
        {"auto.create.topics.enable", o.auto_create_topics ? "true" : "false", false, true,
         type_boolean, "kafka.auto_create_topics"},
        {"num.partitions", std::to_string(o.num_partitions), false, true, type_int,
         "kafka.num_partitions"},
        {"message.max.bytes", std::to_string(o.max_message_bytes), false, true, type_int,
         "kafka.max_message_bytes"},
        {"socket.request.max.bytes", std::to_string(o.max_request_bytes), false, true, type_int,
         "kafka.max_request_bytes"},
        {"group.min.session.timeout.ms", std::to_string(o.group_min_session_timeout_ms), false,
         true, type_int, "kafka.group_min_session_timeout_ms"},
        {"group.max.session.timeout.ms", std::to_string(o.group_max_session_timeout_ms), false,
         true, type_int, "kafka.group_max_session_timeout_ms"},
        {"log.retention.ms", limit_text(o.retention_ms), false, true, type_long,
         "storage.retention_ms"},
        {"default.replication.factor", "1", true, true, type_int, "One node."},
    };
}

}  // namespace robust::kafka
