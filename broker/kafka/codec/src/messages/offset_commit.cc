#include "kafka/codec/messages/offset_commit.h"

#include "../message_util.h"
#include "kafka/codec/api.h"

namespace robust::kafka::codec {
namespace {

constexpr api_key key = api_key::offset_commit;

}  // namespace

result<offset_commit_request> decode_offset_commit_request(std::span<const std::byte> body,
                                                           int16_t version) {
    if (!is_supported(key, version)) return errc::unsupported;
    reader r(body, is_flexible(key, version));
    offset_commit_request m;
    m.group_id = r.string();
    m.generation_id_or_member_epoch = r.i32();
    m.member_id = r.string();
    if (version >= 7) m.group_instance_id = r.nullable_string();
    if (version <= 4) m.retention_time_ms = r.i64();
    r.array(m.topics, [&](offset_commit_request_topic& t) {
        t.name = r.string();
        r.array(t.partitions, [&](offset_commit_request_partition& p) {
            p.partition_index = r.i32();
            p.committed_offset = r.i64();
            if (version >= 6) p.committed_leader_epoch = r.i32();
            p.committed_metadata = r.nullable_string();
            r.tagged_fields();
        });
        r.tagged_fields();
    });
    r.tagged_fields();
    if (!r.ok()) return r.error();
    return m;
}

void encode_offset_commit_request(writer& w, const offset_commit_request& m, int16_t version) {
    detail::check_writer(w, key, version);
    w.string(m.group_id);
    w.i32(m.generation_id_or_member_epoch);
    w.string(m.member_id);
    if (version >= 7) w.nullable_string(m.group_instance_id);
    if (version <= 4) w.i64(m.retention_time_ms);
    w.array(m.topics, [&](const offset_commit_request_topic& t) {
        w.string(t.name);
        w.array(t.partitions, [&](const offset_commit_request_partition& p) {
            w.i32(p.partition_index);
            w.i64(p.committed_offset);
            if (version >= 6) w.i32(p.committed_leader_epoch);
            w.nullable_string(p.committed_metadata);
            w.tagged_fields();
        });
        w.tagged_fields();
    });
    w.tagged_fields();
}

void encode_offset_commit_response(writer& w, const offset_commit_response& m, int16_t version) {
    detail::check_writer(w, key, version);
    if (version >= 3) w.i32(m.throttle_time_ms);
    w.array(m.topics, [&](const offset_commit_response_topic& t) {
        w.string(t.name);
        w.array(t.partitions, [&](const offset_commit_response_partition& p) {
            w.i32(p.partition_index);
            w.i16(static_cast<int16_t>(p.error_code));
            w.tagged_fields();
        });
        w.tagged_fields();
    });
    w.tagged_fields();
}

result<offset_commit_response> decode_offset_commit_response(std::span<const std::byte> body,
                                                             int16_t version) {
    if (!is_supported(key, version)) return errc::unsupported;
    reader r(body, is_flexible(key, version));
    offset_commit_response m;
    if (version >= 3) m.throttle_time_ms = r.i32();
    r.array(m.topics, [&](offset_commit_response_topic& t) {
        t.name = r.string();
        r.array(t.partitions, [&](offset_commit_response_partition& p) {
            p.partition_index = r.i32();
            p.error_code = static_cast<error_code>(r.i16());
            r.tagged_fields();
        });
        r.tagged_fields();
    });
    r.tagged_fields();
    if (!r.ok()) return r.error();
    return m;
}

}  // namespace robust::kafka::codec
