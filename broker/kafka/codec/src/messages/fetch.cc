#include "kafka/codec/messages/fetch.h"

#include "../message_util.h"
#include "kafka/codec/api.h"

namespace robust::kafka::codec {
namespace {

constexpr api_key key = api_key::fetch;

void write_partition_tags(writer& w, const fetch_response_partition& p) {
    tagged_section tags;
    if (p.diverging_epoch) {
        tags.add(0, [&](writer& f) {
            f.i32(p.diverging_epoch->epoch);
            f.i64(p.diverging_epoch->end_offset);
            f.tagged_fields();
        });
    }
    if (p.current_leader) {
        tags.add(1, [&](writer& f) {
            f.i32(p.current_leader->leader_id);
            f.i32(p.current_leader->leader_epoch);
            f.tagged_fields();
        });
    }
    if (p.snapshot_id) {
        tags.add(2, [&](writer& f) {
            f.i64(p.snapshot_id->end_offset);
            f.i32(p.snapshot_id->epoch);
            f.tagged_fields();
        });
    }
    w.tagged_fields(tags);
}

void read_partition_tags(reader& r, fetch_response_partition& p) {
    r.tagged_fields([&](uint32_t tag, reader& f) {
        switch (tag) {
            case 0: {
                auto& d = p.diverging_epoch.emplace();
                d.epoch = f.i32();
                d.end_offset = f.i64();
                f.tagged_fields();
                break;
            }
            case 1: {
                auto& l = p.current_leader.emplace();
                l.leader_id = f.i32();
                l.leader_epoch = f.i32();
                f.tagged_fields();
                break;
            }
            case 2: {
                auto& s = p.snapshot_id.emplace();
                s.end_offset = f.i64();
                s.epoch = f.i32();
                f.tagged_fields();
                break;
            }
            default:
                break;
        }
    });
}

}  // namespace

result<fetch_request> decode_fetch_request(std::span<const std::byte> body, int16_t version) {
    if (!is_supported(key, version)) return errc::unsupported;
    reader r(body, is_flexible(key, version));
    fetch_request out;
    out.replica_id = r.i32();
    out.max_wait_ms = r.i32();
    out.min_bytes = r.i32();
    out.max_bytes = r.i32();  // v3+
    out.isolation_level = r.i8();
    if (version >= 7) {
        out.session_id = r.i32();
        out.session_epoch = r.i32();
    }
    r.array(out.topics, [&](fetch_request_topic& t) {
        t.topic = r.string();
        r.array(t.partitions, [&](fetch_request_partition& p) {
            p.partition = r.i32();
            if (version >= 9) p.current_leader_epoch = r.i32();
            p.fetch_offset = r.i64();
            if (version >= 12) p.last_fetched_epoch = r.i32();
            if (version >= 5) p.log_start_offset = r.i64();
            p.partition_max_bytes = r.i32();
            r.tagged_fields();
        });
        r.tagged_fields();
    });
    if (version >= 7) {
        r.array(out.forgotten_topics_data, [&](fetch_forgotten_topic& t) {
            t.topic = r.string();
            r.array(t.partitions, [&](int32_t& p) { p = r.i32(); });
            r.tagged_fields();
        });
    }
    if (version >= 11) out.rack_id = r.string();
    r.tagged_fields([&](uint32_t tag, reader& f) {
        if (tag == 0) out.cluster_id = f.nullable_string();
    });
    if (!r.ok()) return r.error();
    return out;
}

void encode_fetch_request(writer& w, const fetch_request& r, int16_t version) {
    detail::check_writer(w, key, version);
    w.i32(r.replica_id);
    w.i32(r.max_wait_ms);
    w.i32(r.min_bytes);
    w.i32(r.max_bytes);
    w.i8(r.isolation_level);
    if (version >= 7) {
        w.i32(r.session_id);
        w.i32(r.session_epoch);
    }
    w.array(r.topics, [&](const fetch_request_topic& t) {
        w.string(t.topic);
        w.array(t.partitions, [&](const fetch_request_partition& p) {
            w.i32(p.partition);
            if (version >= 9) w.i32(p.current_leader_epoch);
            w.i64(p.fetch_offset);
            if (version >= 12) w.i32(p.last_fetched_epoch);
            if (version >= 5) w.i64(p.log_start_offset);
            w.i32(p.partition_max_bytes);
            w.tagged_fields();
        });
        w.tagged_fields();
    });
    if (version >= 7) {
        w.array(r.forgotten_topics_data, [&](const fetch_forgotten_topic& t) {
            w.string(t.topic);
            w.array(t.partitions, [&](int32_t p) { w.i32(p); });
            w.tagged_fields();
        });
    }
    if (version >= 11) w.string(r.rack_id);
    tagged_section tags;
    if (r.cluster_id) tags.add(0, [&](writer& f) { f.nullable_string(r.cluster_id); });
    w.tagged_fields(tags);
}

void encode_fetch_response(writer& w, const fetch_response& r, int16_t version) {
    detail::check_writer(w, key, version);
    w.i32(r.throttle_time_ms);
    if (version >= 7) {
        w.i16(static_cast<int16_t>(r.error_code));
        w.i32(r.session_id);
    }
    w.array(r.responses, [&](const fetch_response_topic& t) {
        w.string(t.topic);
        w.array(t.partitions, [&](const fetch_response_partition& p) {
            w.i32(p.partition_index);
            w.i16(static_cast<int16_t>(p.error_code));
            w.i64(p.high_watermark);
            w.i64(p.last_stable_offset);  // v4+
            if (version >= 5) w.i64(p.log_start_offset);
            w.nullable_array(p.aborted_transactions, [&](const fetch_aborted_transaction& a) {
                w.i64(a.producer_id);
                w.i64(a.first_offset);
                w.tagged_fields();
            });
            if (version >= 11) w.i32(p.preferred_read_replica);
            // Never null: librdkafka rejects null records.
            w.bytes(p.records);
            write_partition_tags(w, p);
        });
        w.tagged_fields();
    });
    w.tagged_fields();
}

result<fetch_response> decode_fetch_response(std::span<const std::byte> body, int16_t version) {
    if (!is_supported(key, version)) return errc::unsupported;
    reader r(body, is_flexible(key, version));
    fetch_response out;
    out.throttle_time_ms = r.i32();
    if (version >= 7) {
        out.error_code = static_cast<error_code>(r.i16());
        out.session_id = r.i32();
    }
    r.array(out.responses, [&](fetch_response_topic& t) {
        t.topic = r.string();
        r.array(t.partitions, [&](fetch_response_partition& p) {
            p.partition_index = r.i32();
            p.error_code = static_cast<error_code>(r.i16());
            p.high_watermark = r.i64();
            p.last_stable_offset = r.i64();
            if (version >= 5) p.log_start_offset = r.i64();
            r.nullable_array(p.aborted_transactions, [&](fetch_aborted_transaction& a) {
                a.producer_id = r.i64();
                a.first_offset = r.i64();
                r.tagged_fields();
            });
            if (version >= 11) p.preferred_read_replica = r.i32();
            p.records = r.bytes();
            read_partition_tags(r, p);
        });
        r.tagged_fields();
    });
    r.tagged_fields();
    if (!r.ok()) return r.error();
    return out;
}

}  // namespace robust::kafka::codec
