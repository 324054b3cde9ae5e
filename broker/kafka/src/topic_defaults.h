#pragma once
// The topic record a Kafka client's topic gets: partitions as asked (or
// kafka.num_partitions), journal durability and retention from [storage],
// overridden by the Kafka topic configs the client sends
// (retention.ms, retention.bytes).

#include <cstdint>
#include <string_view>

#include "kafka/server.h"
#include "meta/model.h"

namespace robust::kafka {

meta::topic_record new_topic(const server_options& o, std::string_view tenant,
                             std::string_view name, int32_t partitions);

}  // namespace robust::kafka
