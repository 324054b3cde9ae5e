#include "kafka/server.h"

#include "base/clock.h"

namespace robust::kafka {

meta::topic_record new_topic(const server_options& o, std::string_view tenant,
                             std::string_view name, int32_t partitions) {
    meta::topic_record t;
    t.tenant = std::string(tenant);
    t.name = std::string(name);
    t.partitions = partitions > 0 ? static_cast<uint32_t>(partitions) : o.num_partitions;
    t.storage = "rocksdb";
    t.durability = std::string(storage::to_string(o.durability));
    t.retention_ms = o.retention_ms;
    t.retention_bytes = o.retention_bytes;
    t.created_ms = now_unix_ms();
    return t;
}

}  // namespace robust::kafka
