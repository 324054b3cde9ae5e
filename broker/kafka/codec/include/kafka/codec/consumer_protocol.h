#pragma once
// The "consumer" embedded protocol (protocol type "consumer"): what Kafka
// consumers put in the opaque assignment bytes of SyncGroup. The broker
// never needs it to run a group; the admin API decodes it to show which
// partitions each member owns. Layout per Apache Kafka's
// ConsumerProtocolAssignment.json, always the classic (non-flexible)
// encoding:
//   version            INT16  (0..3 today; newer versions only append fields)
//   assigned_partitions ARRAY of { topic STRING, partitions ARRAY of INT32 }
//   user_data          nullable BYTES (absent in some minimal encodings)
// Pure: any thread.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace robust::kafka::codec {

struct consumer_topic_partitions {
    std::string topic;
    std::vector<int32_t> partitions;

    bool operator==(const consumer_topic_partitions&) const = default;
};

struct consumer_assignment {
    int16_t version = 0;
    std::vector<consumer_topic_partitions> assigned_partitions;
    std::optional<std::string> user_data;

    bool operator==(const consumer_assignment&) const = default;
};

/// Decodes an assignment. Empty bytes are an empty assignment (a member the
/// leader left out). Fields a newer version appends after user_data are
/// ignored, as Kafka's clients do. Errors: malformed (negative version,
/// truncated, null topic array), too_large (a count beyond the bytes left).
result<consumer_assignment> decode_consumer_assignment(std::string_view bytes);

/// The classic encoding of `a` (tests, and tools that build assignments).
std::string encode_consumer_assignment(const consumer_assignment& a);

}  // namespace robust::kafka::codec
