// OffsetFetch: a group's committed positions, for the partitions asked or
// (topics = null, v2+) every partition it committed.
#include "kafka/codec/messages/offset_fetch.h"
#include "../group_service.h"
#include "../topic_access.h"
#include "handlers.h"

namespace robust::kafka {

void handle_offset_fetch(server_impl& s, const request& r) {
    auto req = codec::decode_offset_fetch_request(r.body(), r.version());
    if (!req) return reject_malformed(r, req.error());
    const std::string& tenant = r.conn().identity().tenant;
    const std::string key = group_service::offsets_key(tenant, req->group_id);
    codec::offset_fetch_response resp;
    auto committed = [&](storage::shard_id shard, int32_t partition) {
        codec::offset_fetch_response_partition p;
        p.partition_index = partition;
        auto pos = s.journal().committed_position(key, shard);
        if (pos) {
            p.committed_offset = *pos;
            p.metadata = s.groups().metadata(key, shard);
        } else {
            p.committed_offset = -1;
            p.metadata = "";
        }
        return p;
    };
    if (req->topics) {
        for (const auto& t : *req->topics) {
            codec::offset_fetch_response_topic rt;
            rt.name = t.name;
            auto entry = s.topics().find(tenant, t.name);
            const bool may_read = topic_allowed(s, r.conn(), topic_op::read, t.name);
            for (int32_t index : t.partition_indexes) {
                if (!may_read) {
                    codec::offset_fetch_response_partition p;
                    p.partition_index = index;
                    p.metadata = "";
                    p.error_code = codec::error_code::topic_authorization_failed;
                    s.count_error(r.header().api_key, p.error_code);
                    rt.partitions.push_back(std::move(p));
                    continue;
                }
                if (!entry || index < 0 || static_cast<size_t>(index) >= entry->shards.size()) {
                    codec::offset_fetch_response_partition p;
                    p.partition_index = index;
                    p.metadata = "";
                    p.error_code = codec::error_code::unknown_topic_or_partition;
                    rt.partitions.push_back(std::move(p));
                    continue;
                }
                rt.partitions.push_back(
                    committed(entry->shards[static_cast<size_t>(index)], index));
            }
            resp.topics.push_back(std::move(rt));
        }
    } else {
        for (const auto& t : s.topics().list(tenant)) {
            // Kafka leaves out the topics the client may not read.
            if (!topic_allowed(s, r.conn(), topic_op::read, t->record.name, false)) continue;
            codec::offset_fetch_response_topic rt;
            rt.name = t->record.name;
            for (size_t p = 0; p < t->shards.size(); ++p) {
                if (!s.journal().committed_position(key, t->shards[p])) continue;
                rt.partitions.push_back(committed(t->shards[p], static_cast<int32_t>(p)));
            }
            if (!rt.partitions.empty()) resp.topics.push_back(std::move(rt));
        }
    }
    r.respond([&](codec::writer& w) { codec::encode_offset_fetch_response(w, resp, r.version()); });
}

}  // namespace robust::kafka
