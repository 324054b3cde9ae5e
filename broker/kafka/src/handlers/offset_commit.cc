// OffsetCommit: a member's (or a standalone consumer's) positions, stored as
// journal positions (group_service.h). Checked against the group's
// generation first, as Kafka does.
#include "kafka/codec/messages/offset_commit.h"
#include "../group_service.h"
#include "handlers.h"

namespace robust::kafka {

// Longest commit metadata string accepted (Kafka's offset.metadata.max.bytes).
constexpr size_t max_offset_metadata = 4096;

void handle_offset_commit(server_impl& s, const request& r) {
    auto req = codec::decode_offset_commit_request(r.body(), r.version());
    if (!req) return reject_malformed(r, req.error());
    const std::string& tenant = r.conn().identity().tenant;
    codec::error_code group_error = codec::error_code::none;
    auto id = group_service::scoped_id(tenant, req->group_id);
    if (!id) {
        group_error = codec::error_code::invalid_group_id;
    } else {
        std::optional<std::string_view> instance;
        if (req->group_instance_id) instance = *req->group_instance_id;
        group_error = s.groups().with([&](groups::group_coordinator& c, int64_t now) {
            return c.validate_offset_commit(*id, req->generation_id_or_member_epoch, req->member_id,
                                            instance, now);
        });
    }
    const std::string key = group_service::offsets_key(tenant, req->group_id);
    codec::offset_commit_response resp;
    for (const auto& t : req->topics) {
        codec::offset_commit_response_topic rt;
        rt.name = t.name;
        auto entry = s.topics().find(tenant, t.name);
        for (const auto& p : t.partitions) {
            codec::offset_commit_response_partition rp;
            rp.partition_index = p.partition_index;
            if (group_error != codec::error_code::none) {
                rp.error_code = group_error;
            } else if (!entry || p.partition_index < 0 ||
                       static_cast<size_t>(p.partition_index) >= entry->shards.size()) {
                rp.error_code = codec::error_code::unknown_topic_or_partition;
            } else if (p.committed_metadata && p.committed_metadata->size() > max_offset_metadata) {
                rp.error_code = codec::error_code::offset_metadata_too_large;
            } else if (p.committed_offset < 0) {
                rp.error_code = codec::error_code::invalid_commit_offset_size;
            } else {
                const auto shard = entry->shards[static_cast<size_t>(p.partition_index)];
                if (auto done = s.journal().commit_position(key, shard, p.committed_offset);
                    !done) {
                    rp.error_code = codec::error_code::kafka_storage_error;
                } else {
                    s.groups().remember_metadata(key, shard, p.committed_metadata);
                }
            }
            s.count_error(r.header().api_key, rp.error_code);
            rt.partitions.push_back(rp);
        }
        resp.topics.push_back(std::move(rt));
    }
    r.respond(
        [&](codec::writer& w) { codec::encode_offset_commit_response(w, resp, r.version()); });
}

}  // namespace robust::kafka
