// ListOffsets: earliest (-2), latest (-1), or the first offset whose
// timestamp is at or after a given time. The journal's time index finds
// the stored batch; the batch's records (decompressed if need be) give the
// exact offset inside it.
#include "kafka/codec/messages/list_offsets.h"
#include "../topic_access.h"
#include "handlers.h"
#include "kafka/codec/record_batch.h"

namespace robust::kafka {
namespace {

using codec::error_code;

void by_time(storage::journal& j, storage::shard_id shard, int64_t ts,
             codec::list_offsets_response_partition& out) {
    auto at = j.offset_for_time(shard, ts);
    auto next = j.next_offset(shard);
    if (!at || !next) {
        out.error_code = error_code::unknown_topic_or_partition;
        return;
    }
    // Stored records from the one the index found, until one has a record
    // at or after `ts`.
    int64_t from = *at;
    while (from < *next) {
        auto recs = j.read(shard, from, 16, 1 << 20);
        if (!recs || recs->empty()) break;
        for (const auto& rec : *recs) {
            if (rec.format != storage::record_format::kafka_batch) {
                if (rec.timestamp_ms >= ts) {
                    out.offset = rec.offset;
                    out.timestamp = rec.timestamp_ms;
                    return;
                }
                continue;
            }
            auto batches = codec::split_fetched_batches(rec.value.view(), {});
            if (!batches || batches->empty()) continue;
            auto records = codec::decode_records((*batches)[0], {});
            if (!records) continue;
            const auto& h = (*batches)[0].header;
            for (const auto& r : *records) {
                const int64_t t = h.base_timestamp + r.timestamp_delta;
                if (t >= ts && rec.offset + r.offset_delta >= from) {
                    out.offset = rec.offset + r.offset_delta;
                    out.timestamp = t;
                    return;
                }
            }
        }
        from = recs->back().last_offset() + 1;
    }
    out.offset = -1;  // nothing that late: Kafka answers -1 / -1
    out.timestamp = -1;
}

}  // namespace

void handle_list_offsets(server_impl& s, const request& r) {
    auto req = codec::decode_list_offsets_request(r.body(), r.version());
    if (!req) return reject_malformed(r, req.error());
    const std::string tenant = r.conn().identity().tenant;
    std::vector<bool> readable;
    for (const auto& t : req->topics) {
        readable.push_back(topic_allowed(s, r.conn(), topic_op::read, t.name));
    }
    s.run_blocking([&s, r, tenant, readable, req = std::move(*req)] {
        codec::list_offsets_response resp;
        for (size_t ti = 0; ti < req.topics.size(); ++ti) {
            const auto& t = req.topics[ti];
            codec::list_offsets_response_topic rt;
            rt.name = t.name;
            auto entry = s.topics().find(tenant, t.name);
            for (const auto& p : t.partitions) {
                codec::list_offsets_response_partition out;
                out.partition_index = p.partition_index;
                if (!readable[ti]) {
                    out.error_code = error_code::topic_authorization_failed;
                    s.count_error(static_cast<int16_t>(codec::api_key::list_offsets),
                                  out.error_code);
                    rt.partitions.push_back(out);
                    continue;
                }
                if (!entry || p.partition_index < 0 ||
                    static_cast<size_t>(p.partition_index) >= entry->shards.size()) {
                    out.error_code = error_code::unknown_topic_or_partition;
                    rt.partitions.push_back(out);
                    continue;
                }
                const auto shard = entry->shards[static_cast<size_t>(p.partition_index)];
                out.leader_epoch = 0;
                if (p.timestamp == codec::list_offsets_latest) {
                    out.offset = s.journal().next_offset(shard).value_or(0);
                } else if (p.timestamp == codec::list_offsets_earliest) {
                    out.offset = s.journal().earliest(shard).value_or(0);
                } else if (p.timestamp < 0) {
                    out.error_code = error_code::unsupported_version;
                } else {
                    by_time(s.journal(), shard, p.timestamp, out);
                }
                s.count_error(static_cast<int16_t>(codec::api_key::list_offsets), out.error_code);
                rt.partitions.push_back(out);
            }
            resp.topics.push_back(std::move(rt));
        }
        r.respond(
            [&](codec::writer& w) { codec::encode_list_offsets_response(w, resp, r.version()); });
    });
}

}  // namespace robust::kafka
