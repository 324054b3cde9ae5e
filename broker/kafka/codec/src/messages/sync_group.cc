#include "kafka/codec/messages/sync_group.h"

#include "../message_util.h"
#include "kafka/codec/api.h"

namespace robust::kafka::codec {
namespace {

constexpr api_key key = api_key::sync_group;

}  // namespace

result<sync_group_request> decode_sync_group_request(std::span<const std::byte> body,
                                                     int16_t version) {
    if (!is_supported(key, version)) return errc::unsupported;
    reader r(body, is_flexible(key, version));
    sync_group_request m;
    m.group_id = r.string();
    m.generation_id = r.i32();
    m.member_id = r.string();
    if (version >= 3) m.group_instance_id = r.nullable_string();
    if (version >= 5) {
        m.protocol_type = r.nullable_string();
        m.protocol_name = r.nullable_string();
    }
    r.array(m.assignments, [&](sync_group_request_assignment& a) {
        a.member_id = r.string();
        a.assignment = r.bytes();
        r.tagged_fields();
    });
    r.tagged_fields();
    if (!r.ok()) return r.error();
    return m;
}

void encode_sync_group_request(writer& w, const sync_group_request& m, int16_t version) {
    detail::check_writer(w, key, version);
    w.string(m.group_id);
    w.i32(m.generation_id);
    w.string(m.member_id);
    if (version >= 3) w.nullable_string(m.group_instance_id);
    if (version >= 5) {
        w.nullable_string(m.protocol_type);
        w.nullable_string(m.protocol_name);
    }
    w.array(m.assignments, [&](const sync_group_request_assignment& a) {
        w.string(a.member_id);
        w.bytes(a.assignment);
        w.tagged_fields();
    });
    w.tagged_fields();
}

void encode_sync_group_response(writer& w, const sync_group_response& m, int16_t version) {
    detail::check_writer(w, key, version);
    if (version >= 1) w.i32(m.throttle_time_ms);
    w.i16(static_cast<int16_t>(m.error_code));
    if (version >= 5) {
        w.nullable_string(m.protocol_type);
        w.nullable_string(m.protocol_name);
    }
    w.bytes(m.assignment);
    w.tagged_fields();
}

result<sync_group_response> decode_sync_group_response(std::span<const std::byte> body,
                                                       int16_t version) {
    if (!is_supported(key, version)) return errc::unsupported;
    reader r(body, is_flexible(key, version));
    sync_group_response m;
    if (version >= 1) m.throttle_time_ms = r.i32();
    m.error_code = static_cast<error_code>(r.i16());
    if (version >= 5) {
        m.protocol_type = r.nullable_string();
        m.protocol_name = r.nullable_string();
    }
    m.assignment = r.bytes();
    r.tagged_fields();
    if (!r.ok()) return r.error();
    return m;
}

}  // namespace robust::kafka::codec
