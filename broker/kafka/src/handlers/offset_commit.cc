// OffsetCommit: a member's (or a standalone consumer's) positions, stored as
// journal positions (group_service.h). Checked against the group's
// generation first, as Kafka does.
//
// Kafka stores any committed offset as given. The journal keeps positions
// only (>= 0), so the two ListOffsets sentinels are resolved when committed:
// -2 (earliest) to the partition's log start offset and -1 (latest) to its
// end. kafkajs's admin resetOffsets / setOffsets commit them (and its
// consumers treat a negative committed offset as "none" anyway). Other
// negative offsets get INVALID_COMMIT_OFFSET_SIZE.
#include "kafka/codec/messages/offset_commit.h"

#include <vector>

#include "../group_service.h"
#include "../topic_access.h"
#include "handlers.h"
#include "kafka/codec/messages/list_offsets.h"

namespace robust::kafka {

// Longest commit metadata string accepted (Kafka's offset.metadata.max.bytes).
constexpr size_t max_offset_metadata = 4096;

namespace {

bool is_sentinel(int64_t offset) {
    return offset == codec::list_offsets_earliest || offset == codec::list_offsets_latest;
}

// Commits every partition of `req` and responds; readable[i]: whether the
// ACL lets the connection read req.topics[i] (decided on the connection
// thread, topic_access.h). Resolving a sentinel reads the journal (blocking):
// then this runs on the blocking pool.
void commit_and_respond(server_impl& s, const request& r, const std::string& tenant,
                        const codec::offset_commit_request& req, const std::vector<bool>& readable,
                        codec::error_code group_error) {
    const std::string key = group_service::offsets_key(tenant, req.group_id);
    codec::offset_commit_response resp;
    for (size_t ti = 0; ti < req.topics.size(); ++ti) {
        const auto& t = req.topics[ti];
        codec::offset_commit_response_topic rt;
        rt.name = t.name;
        auto entry = s.topics().find(tenant, t.name);
        const bool may_read = readable[ti];
        for (const auto& p : t.partitions) {
            codec::offset_commit_response_partition rp;
            rp.partition_index = p.partition_index;
            if (!may_read) {
                rp.error_code = codec::error_code::topic_authorization_failed;
            } else if (group_error != codec::error_code::none) {
                rp.error_code = group_error;
            } else if (!entry || p.partition_index < 0 ||
                       static_cast<size_t>(p.partition_index) >= entry->shards.size()) {
                rp.error_code = codec::error_code::unknown_topic_or_partition;
            } else if (p.committed_metadata && p.committed_metadata->size() > max_offset_metadata) {
                rp.error_code = codec::error_code::offset_metadata_too_large;
            } else if (p.committed_offset < 0 && !is_sentinel(p.committed_offset)) {
                rp.error_code = codec::error_code::invalid_commit_offset_size;
            } else {
                const auto shard = entry->shards[static_cast<size_t>(p.partition_index)];
                int64_t offset = p.committed_offset;
                if (offset == codec::list_offsets_earliest) {
                    offset = s.journal().earliest(shard).value_or(0);
                } else if (offset == codec::list_offsets_latest) {
                    offset = s.journal().next_offset(shard).value_or(0);
                }
                if (auto done = s.journal().commit_position(key, shard, offset); !done) {
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

}  // namespace

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
    bool resolve = false;
    std::vector<bool> readable;
    for (const auto& t : req->topics) {
        readable.push_back(topic_allowed(s, r.conn(), topic_op::read, t.name));
        for (const auto& p : t.partitions) resolve = resolve || is_sentinel(p.committed_offset);
    }
    if (group_error != codec::error_code::none || !resolve) {
        return commit_and_respond(s, r, tenant, *req, readable, group_error);
    }
    s.run_blocking([&s, r, tenant, readable, req = std::move(*req)] {
        commit_and_respond(s, r, tenant, req, readable, codec::error_code::none);
    });
}

}  // namespace robust::kafka
