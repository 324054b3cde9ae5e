// DeleteRecords: moves a partition's start offset forward (journal
// truncate_before); offset -1 means "up to the end".
#include "kafka/codec/messages/delete_records.h"
#include "../topic_access.h"
#include "handlers.h"

namespace robust::kafka {

void handle_delete_records(server_impl& s, const request& r) {
    auto req = codec::decode_delete_records_request(r.body(), r.version());
    if (!req) return reject_malformed(r, req.error());
    const std::string tenant = r.conn().identity().tenant;
    std::vector<bool> manage;
    for (const auto& t : req->topics) {
        manage.push_back(topic_allowed(s, r.conn(), topic_op::manage, t.name));
    }
    s.run_blocking([&s, r, tenant, manage, req = std::move(*req)] {
        codec::delete_records_response resp;
        for (size_t ti = 0; ti < req.topics.size(); ++ti) {
            const auto& t = req.topics[ti];
            codec::delete_records_response_topic out_topic;
            out_topic.name = t.name;
            auto entry = s.topics().find(tenant, t.name);
            for (const auto& p : t.partitions) {
                codec::delete_records_response_partition out;
                out.partition_index = p.partition_index;
                out.low_watermark = -1;
                if (!manage[ti]) {
                    out.error_code = codec::error_code::topic_authorization_failed;
                    s.count_error(r.header().api_key, out.error_code);
                    out_topic.partitions.push_back(out);
                    continue;
                }
                if (!entry || p.partition_index < 0 ||
                    static_cast<size_t>(p.partition_index) >= entry->shards.size()) {
                    out.error_code = codec::error_code::unknown_topic_or_partition;
                    out_topic.partitions.push_back(out);
                    continue;
                }
                const auto shard = entry->shards[static_cast<size_t>(p.partition_index)];
                auto next = s.journal().next_offset(shard);
                if (!next) {
                    out.error_code = codec::error_code::unknown_topic_or_partition;
                } else if (p.offset > *next || p.offset < -1) {
                    out.error_code = codec::error_code::offset_out_of_range;
                } else {
                    const int64_t cut = p.offset == -1 ? *next : p.offset;
                    if (auto done = s.journal().truncate_before(shard, cut); !done) {
                        out.error_code = codec::error_code::kafka_storage_error;
                    } else {
                        out.low_watermark = s.journal().earliest(shard).value_or(cut);
                    }
                }
                out_topic.partitions.push_back(out);
            }
            resp.topics.push_back(std::move(out_topic));
        }
        r.respond(
            [&](codec::writer& w) { codec::encode_delete_records_response(w, resp, r.version()); });
    });
}

}  // namespace robust::kafka
