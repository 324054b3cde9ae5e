#include "kafka/codec/messages/join_group.h"

#include "../message_util.h"
#include "kafka/codec/api.h"

namespace robust::kafka::codec {
namespace {

constexpr api_key key = api_key::join_group;

}  // namespace

result<join_group_request> decode_join_group_request(std::span<const std::byte> body,
                                                     int16_t version) {
    if (!is_supported(key, version)) return errc::unsupported;
    reader r(body, is_flexible(key, version));
    join_group_request m;
    m.group_id = r.string();
    m.session_timeout_ms = r.i32();
    if (version >= 1) m.rebalance_timeout_ms = r.i32();
    m.member_id = r.string();
    if (version >= 5) m.group_instance_id = r.nullable_string();
    m.protocol_type = r.string();
    r.array(m.protocols, [&](join_group_request_protocol& p) {
        p.name = r.string();
        p.metadata = r.bytes();
        r.tagged_fields();
    });
    if (version >= 8) m.reason = r.nullable_string();
    r.tagged_fields();
    if (!r.ok()) return r.error();
    return m;
}

void encode_join_group_request(writer& w, const join_group_request& m, int16_t version) {
    detail::check_writer(w, key, version);
    w.string(m.group_id);
    w.i32(m.session_timeout_ms);
    if (version >= 1) w.i32(m.rebalance_timeout_ms);
    w.string(m.member_id);
    if (version >= 5) w.nullable_string(m.group_instance_id);
    w.string(m.protocol_type);
    w.array(m.protocols, [&](const join_group_request_protocol& p) {
        w.string(p.name);
        w.bytes(p.metadata);
        w.tagged_fields();
    });
    if (version >= 8) w.nullable_string(m.reason);
    w.tagged_fields();
}

void encode_join_group_response(writer& w, const join_group_response& m, int16_t version) {
    detail::check_writer(w, key, version);
    if (version >= 2) w.i32(m.throttle_time_ms);
    w.i16(static_cast<int16_t>(m.error_code));
    w.i32(m.generation_id);
    if (version >= 7) {
        w.nullable_string(m.protocol_type);
        w.nullable_string(m.protocol_name);
    } else {
        // Not nullable before v7: Kafka sends "" there too.
        w.string(m.protocol_name.value_or(std::string()));
    }
    w.string(m.leader);
    if (version >= 9) w.boolean(m.skip_assignment);
    w.string(m.member_id);
    w.array(m.members, [&](const join_group_response_member& member) {
        w.string(member.member_id);
        if (version >= 5) w.nullable_string(member.group_instance_id);
        w.bytes(member.metadata);
        w.tagged_fields();
    });
    w.tagged_fields();
}

result<join_group_response> decode_join_group_response(std::span<const std::byte> body,
                                                       int16_t version) {
    if (!is_supported(key, version)) return errc::unsupported;
    reader r(body, is_flexible(key, version));
    join_group_response m;
    if (version >= 2) m.throttle_time_ms = r.i32();
    m.error_code = static_cast<error_code>(r.i16());
    m.generation_id = r.i32();
    if (version >= 7) {
        m.protocol_type = r.nullable_string();
        m.protocol_name = r.nullable_string();
    } else {
        m.protocol_name = r.string();
    }
    m.leader = r.string();
    if (version >= 9) m.skip_assignment = r.boolean();
    m.member_id = r.string();
    r.array(m.members, [&](join_group_response_member& member) {
        member.member_id = r.string();
        if (version >= 5) member.group_instance_id = r.nullable_string();
        member.metadata = r.bytes();
        r.tagged_fields();
    });
    r.tagged_fields();
    if (!r.ok()) return r.error();
    return m;
}

}  // namespace robust::kafka::codec
