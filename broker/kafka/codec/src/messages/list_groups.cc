#include "kafka/codec/messages/list_groups.h"

#include "../message_util.h"
#include "kafka/codec/api.h"

namespace robust::kafka::codec {
namespace {

constexpr api_key key = api_key::list_groups;

}  // namespace

result<list_groups_request> decode_list_groups_request(std::span<const std::byte> body,
                                                       int16_t version) {
    if (!is_supported(key, version)) return errc::unsupported;
    reader r(body, is_flexible(key, version));
    list_groups_request m;
    if (version >= 4) r.array(m.states_filter, [&](std::string& s) { s = r.string(); });
    r.tagged_fields();
    if (!r.ok()) return r.error();
    return m;
}

void encode_list_groups_request(writer& w, const list_groups_request& m, int16_t version) {
    detail::check_writer(w, key, version);
    if (version >= 4) w.array(m.states_filter, [&](const std::string& s) { w.string(s); });
    w.tagged_fields();
}

void encode_list_groups_response(writer& w, const list_groups_response& m, int16_t version) {
    detail::check_writer(w, key, version);
    if (version >= 1) w.i32(m.throttle_time_ms);
    w.i16(static_cast<int16_t>(m.error_code));
    w.array(m.groups, [&](const list_groups_response_group& g) {
        w.string(g.group_id);
        w.string(g.protocol_type);
        if (version >= 4) w.string(g.group_state);
        w.tagged_fields();
    });
    w.tagged_fields();
}

result<list_groups_response> decode_list_groups_response(std::span<const std::byte> body,
                                                         int16_t version) {
    if (!is_supported(key, version)) return errc::unsupported;
    reader r(body, is_flexible(key, version));
    list_groups_response m;
    if (version >= 1) m.throttle_time_ms = r.i32();
    m.error_code = static_cast<error_code>(r.i16());
    r.array(m.groups, [&](list_groups_response_group& g) {
        g.group_id = r.string();
        g.protocol_type = r.string();
        if (version >= 4) g.group_state = r.string();
        r.tagged_fields();
    });
    r.tagged_fields();
    if (!r.ok()) return r.error();
    return m;
}

}  // namespace robust::kafka::codec
