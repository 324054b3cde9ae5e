#include "kafka/codec/messages/describe_groups.h"

#include "../message_util.h"
#include "kafka/codec/api.h"

namespace robust::kafka::codec {
namespace {

constexpr api_key key = api_key::describe_groups;

}  // namespace

result<describe_groups_request> decode_describe_groups_request(std::span<const std::byte> body,
                                                               int16_t version) {
    if (!is_supported(key, version)) return errc::unsupported;
    reader r(body, is_flexible(key, version));
    describe_groups_request m;
    r.array(m.groups, [&](std::string& s) { s = r.string(); });
    if (version >= 3) m.include_authorized_operations = r.boolean();
    r.tagged_fields();
    if (!r.ok()) return r.error();
    return m;
}

void encode_describe_groups_request(writer& w, const describe_groups_request& m, int16_t version) {
    detail::check_writer(w, key, version);
    w.array(m.groups, [&](const std::string& g) { w.string(g); });
    if (version >= 3) w.boolean(m.include_authorized_operations);
    w.tagged_fields();
}

void encode_describe_groups_response(writer& w, const describe_groups_response& m,
                                     int16_t version) {
    detail::check_writer(w, key, version);
    if (version >= 1) w.i32(m.throttle_time_ms);
    w.array(m.groups, [&](const describe_groups_response_group& g) {
        w.i16(static_cast<int16_t>(g.error_code));
        w.string(g.group_id);
        w.string(g.group_state);
        w.string(g.protocol_type);
        w.string(g.protocol_data);
        w.array(g.members, [&](const describe_groups_response_member& member) {
            w.string(member.member_id);
            if (version >= 4) w.nullable_string(member.group_instance_id);
            w.string(member.client_id);
            w.string(member.client_host);
            w.bytes(member.member_metadata);
            w.bytes(member.member_assignment);
            w.tagged_fields();
        });
        if (version >= 3) w.i32(g.authorized_operations);
        w.tagged_fields();
    });
    w.tagged_fields();
}

result<describe_groups_response> decode_describe_groups_response(std::span<const std::byte> body,
                                                                 int16_t version) {
    if (!is_supported(key, version)) return errc::unsupported;
    reader r(body, is_flexible(key, version));
    describe_groups_response m;
    if (version >= 1) m.throttle_time_ms = r.i32();
    r.array(m.groups, [&](describe_groups_response_group& g) {
        g.error_code = static_cast<error_code>(r.i16());
        g.group_id = r.string();
        g.group_state = r.string();
        g.protocol_type = r.string();
        g.protocol_data = r.string();
        r.array(g.members, [&](describe_groups_response_member& member) {
            member.member_id = r.string();
            if (version >= 4) member.group_instance_id = r.nullable_string();
            member.client_id = r.string();
            member.client_host = r.string();
            member.member_metadata = r.bytes();
            member.member_assignment = r.bytes();
            r.tagged_fields();
        });
        if (version >= 3) g.authorized_operations = r.i32();
        r.tagged_fields();
    });
    r.tagged_fields();
    if (!r.ok()) return r.error();
    return m;
}

}  // namespace robust::kafka::codec
