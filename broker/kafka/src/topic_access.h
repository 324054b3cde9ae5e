#pragma once
// Kafka requests under the shared ACL (auth::service::authorize). A Kafka
// topic name is matched as an MQTT topic name against the rules' filters:
// Kafka names have no '/', so "orders" is matched by the rule topics
// "orders", "+" and "#". The mapping, also in docs/kafka.md and
// docs/security.md:
//
//   write     publish                      Produce
//   read      subscribe                    Fetch, ListOffsets, OffsetCommit, OffsetFetch
//   describe  publish or subscribe         Metadata (a topic is listed or described)
//   manage    publish and subscribe        CreateTopics (also Metadata's auto-create),
//                                          DeleteTopics, CreatePartitions, DeleteRecords,
//                                          DescribeConfigs of a topic
//
// Superusers may do everything; with auth.acl_default = allow and no rules,
// so may everyone (the behaviour without ACLs). A refused request counts in
// robustmq_auth_publish_denied / _subscribe_denied like an MQTT one; hiding
// a topic from a Metadata listing refuses nothing and counts nothing.
//
// Connection thread only: answers come from the connection's
// auth::decision_cache. Handlers that do their work on the blocking pool
// decide before they hand it over.

#include <string_view>

namespace robust::kafka {

class server_impl;
class connection;

enum class topic_op { write, read, describe, manage };

/// Whether `conn`'s identity may do `op` on `topic`. `count` = false for
/// filtering (Metadata without a topic list, OffsetFetch of all topics).
bool topic_allowed(server_impl& s, connection& conn, topic_op op, std::string_view topic,
                   bool count = true);

}  // namespace robust::kafka
