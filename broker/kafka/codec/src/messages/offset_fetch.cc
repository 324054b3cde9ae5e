#include "kafka/codec/messages/offset_fetch.h"

#include "../message_util.h"
#include "kafka/codec/api.h"

namespace robust::kafka::codec {
namespace {

constexpr api_key key = api_key::offset_fetch;

}  // namespace

result<offset_fetch_request> decode_offset_fetch_request(std::span<const std::byte> body,
                                                         int16_t version) {
    if (!is_supported(key, version)) return errc::unsupported;
    reader r(body, is_flexible(key, version));
    offset_fetch_request m;
    m.group_id = r.string();
    auto read_topic = [&](offset_fetch_request_topic& t) {
        t.name = r.string();
        r.array(t.partition_indexes, [&](int32_t& p) { p = r.i32(); });
        r.tagged_fields();
    };
    if (version >= 2) {
        // Null from v2: every topic the group has offsets for.
        r.nullable_array(m.topics, read_topic);
    } else {
        r.array(m.topics.emplace(), read_topic);
    }
    if (version >= 7) m.require_stable = r.boolean();
    r.tagged_fields();
    if (!r.ok()) return r.error();
    return m;
}

void encode_offset_fetch_request(writer& w, const offset_fetch_request& m, int16_t version) {
    detail::check_writer(w, key, version);
    w.string(m.group_id);
    if (!m.topics && version < 2) {
        w.array_length(0);  // null cannot be written before v2
    } else {
        w.nullable_array(m.topics, [&](const offset_fetch_request_topic& t) {
            w.string(t.name);
            w.array(t.partition_indexes, [&](int32_t p) { w.i32(p); });
            w.tagged_fields();
        });
    }
    if (version >= 7) w.boolean(m.require_stable);
    w.tagged_fields();
}

void encode_offset_fetch_response(writer& w, const offset_fetch_response& m, int16_t version) {
    detail::check_writer(w, key, version);
    if (version >= 3) w.i32(m.throttle_time_ms);
    w.array(m.topics, [&](const offset_fetch_response_topic& t) {
        w.string(t.name);
        w.array(t.partitions, [&](const offset_fetch_response_partition& p) {
            w.i32(p.partition_index);
            w.i64(p.committed_offset);
            if (version >= 5) w.i32(p.committed_leader_epoch);
            w.nullable_string(p.metadata);
            w.i16(static_cast<int16_t>(p.error_code));
            w.tagged_fields();
        });
        w.tagged_fields();
    });
    if (version >= 2) w.i16(static_cast<int16_t>(m.error_code));
    w.tagged_fields();
}

result<offset_fetch_response> decode_offset_fetch_response(std::span<const std::byte> body,
                                                           int16_t version) {
    if (!is_supported(key, version)) return errc::unsupported;
    reader r(body, is_flexible(key, version));
    offset_fetch_response m;
    if (version >= 3) m.throttle_time_ms = r.i32();
    r.array(m.topics, [&](offset_fetch_response_topic& t) {
        t.name = r.string();
        r.array(t.partitions, [&](offset_fetch_response_partition& p) {
            p.partition_index = r.i32();
            p.committed_offset = r.i64();
            if (version >= 5) p.committed_leader_epoch = r.i32();
            p.metadata = r.nullable_string();
            p.error_code = static_cast<error_code>(r.i16());
            r.tagged_fields();
        });
        r.tagged_fields();
    });
    if (version >= 2) m.error_code = static_cast<error_code>(r.i16());
    r.tagged_fields();
    if (!r.ok()) return r.error();
    return m;
}

}  // namespace robust::kafka::codec
