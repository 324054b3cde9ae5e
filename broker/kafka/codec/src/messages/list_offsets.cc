#include "kafka/codec/messages/list_offsets.h"

#include "../message_util.h"
#include "kafka/codec/api.h"

namespace robust::kafka::codec {
namespace {

constexpr api_key key = api_key::list_offsets;

}  // namespace

// Every supported version is v1+: no max_num_offsets, no old-style offsets.
result<list_offsets_request> decode_list_offsets_request(std::span<const std::byte> body,
                                                         int16_t version) {
    if (!is_supported(key, version)) return errc::unsupported;
    reader r(body, is_flexible(key, version));
    list_offsets_request out;
    out.replica_id = r.i32();
    if (version >= 2) out.isolation_level = r.i8();
    r.array(out.topics, [&](list_offsets_request_topic& t) {
        t.name = r.string();
        r.array(t.partitions, [&](list_offsets_request_partition& p) {
            p.partition_index = r.i32();
            if (version >= 4) p.current_leader_epoch = r.i32();
            p.timestamp = r.i64();
            r.tagged_fields();
        });
        r.tagged_fields();
    });
    r.tagged_fields();
    if (!r.ok()) return r.error();
    return out;
}

void encode_list_offsets_request(writer& w, const list_offsets_request& r, int16_t version) {
    detail::check_writer(w, key, version);
    w.i32(r.replica_id);
    if (version >= 2) w.i8(r.isolation_level);
    w.array(r.topics, [&](const list_offsets_request_topic& t) {
        w.string(t.name);
        w.array(t.partitions, [&](const list_offsets_request_partition& p) {
            w.i32(p.partition_index);
            if (version >= 4) w.i32(p.current_leader_epoch);
            w.i64(p.timestamp);
            w.tagged_fields();
        });
        w.tagged_fields();
    });
    w.tagged_fields();
}

void encode_list_offsets_response(writer& w, const list_offsets_response& r, int16_t version) {
    detail::check_writer(w, key, version);
    if (version >= 2) w.i32(r.throttle_time_ms);
    w.array(r.topics, [&](const list_offsets_response_topic& t) {
        w.string(t.name);
        w.array(t.partitions, [&](const list_offsets_response_partition& p) {
            w.i32(p.partition_index);
            w.i16(static_cast<int16_t>(p.error_code));
            w.i64(p.timestamp);
            w.i64(p.offset);
            if (version >= 4) w.i32(p.leader_epoch);
            w.tagged_fields();
        });
        w.tagged_fields();
    });
    w.tagged_fields();
}

result<list_offsets_response> decode_list_offsets_response(std::span<const std::byte> body,
                                                           int16_t version) {
    if (!is_supported(key, version)) return errc::unsupported;
    reader r(body, is_flexible(key, version));
    list_offsets_response out;
    if (version >= 2) out.throttle_time_ms = r.i32();
    r.array(out.topics, [&](list_offsets_response_topic& t) {
        t.name = r.string();
        r.array(t.partitions, [&](list_offsets_response_partition& p) {
            p.partition_index = r.i32();
            p.error_code = static_cast<error_code>(r.i16());
            p.timestamp = r.i64();
            p.offset = r.i64();
            if (version >= 4) p.leader_epoch = r.i32();
            r.tagged_fields();
        });
        r.tagged_fields();
    });
    r.tagged_fields();
    if (!r.ok()) return r.error();
    return out;
}

}  // namespace robust::kafka::codec
