#include "kafka/codec/messages/leave_group.h"

#include "../message_util.h"
#include "kafka/codec/api.h"

namespace robust::kafka::codec {
namespace {

constexpr api_key key = api_key::leave_group;

}  // namespace

result<leave_group_request> decode_leave_group_request(std::span<const std::byte> body,
                                                       int16_t version) {
    if (!is_supported(key, version)) return errc::unsupported;
    reader r(body, is_flexible(key, version));
    leave_group_request m;
    m.group_id = r.string();
    if (version <= 2) {
        m.member_id = r.string();
    } else {
        r.array(m.members, [&](leave_group_request_member& member) {
            member.member_id = r.string();
            member.group_instance_id = r.nullable_string();
            if (version >= 5) member.reason = r.nullable_string();
            r.tagged_fields();
        });
    }
    r.tagged_fields();
    if (!r.ok()) return r.error();
    return m;
}

void encode_leave_group_request(writer& w, const leave_group_request& m, int16_t version) {
    detail::check_writer(w, key, version);
    w.string(m.group_id);
    if (version <= 2) {
        w.string(m.member_id);
    } else {
        w.array(m.members, [&](const leave_group_request_member& member) {
            w.string(member.member_id);
            w.nullable_string(member.group_instance_id);
            if (version >= 5) w.nullable_string(member.reason);
            w.tagged_fields();
        });
    }
    w.tagged_fields();
}

void encode_leave_group_response(writer& w, const leave_group_response& m, int16_t version) {
    detail::check_writer(w, key, version);
    if (version >= 1) w.i32(m.throttle_time_ms);
    w.i16(static_cast<int16_t>(m.error_code));
    if (version >= 3) {
        w.array(m.members, [&](const leave_group_response_member& member) {
            w.string(member.member_id);
            w.nullable_string(member.group_instance_id);
            w.i16(static_cast<int16_t>(member.error_code));
            w.tagged_fields();
        });
    }
    w.tagged_fields();
}

result<leave_group_response> decode_leave_group_response(std::span<const std::byte> body,
                                                         int16_t version) {
    if (!is_supported(key, version)) return errc::unsupported;
    reader r(body, is_flexible(key, version));
    leave_group_response m;
    if (version >= 1) m.throttle_time_ms = r.i32();
    m.error_code = static_cast<error_code>(r.i16());
    if (version >= 3) {
        r.array(m.members, [&](leave_group_response_member& member) {
            member.member_id = r.string();
            member.group_instance_id = r.nullable_string();
            member.error_code = static_cast<error_code>(r.i16());
            r.tagged_fields();
        });
    }
    r.tagged_fields();
    if (!r.ok()) return r.error();
    return m;
}

}  // namespace robust::kafka::codec
