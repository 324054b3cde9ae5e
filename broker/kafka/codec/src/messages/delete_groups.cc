#include "kafka/codec/messages/delete_groups.h"

#include "../message_util.h"
#include "kafka/codec/api.h"

namespace robust::kafka::codec {
namespace {

constexpr api_key key = api_key::delete_groups;

}  // namespace

result<delete_groups_request> decode_delete_groups_request(std::span<const std::byte> body,
                                                           int16_t version) {
    if (!is_supported(key, version)) return errc::unsupported;
    reader r(body, is_flexible(key, version));
    delete_groups_request m;
    r.array(m.groups_names, [&](std::string& s) { s = r.string(); });
    r.tagged_fields();
    if (!r.ok()) return r.error();
    return m;
}

void encode_delete_groups_request(writer& w, const delete_groups_request& m, int16_t version) {
    detail::check_writer(w, key, version);
    w.array(m.groups_names, [&](const std::string& g) { w.string(g); });
    w.tagged_fields();
}

void encode_delete_groups_response(writer& w, const delete_groups_response& m, int16_t version) {
    detail::check_writer(w, key, version);
    w.i32(m.throttle_time_ms);
    w.array(m.results, [&](const delete_groups_response_result& res) {
        w.string(res.group_id);
        w.i16(static_cast<int16_t>(res.error_code));
        w.tagged_fields();
    });
    w.tagged_fields();
}

result<delete_groups_response> decode_delete_groups_response(std::span<const std::byte> body,
                                                             int16_t version) {
    if (!is_supported(key, version)) return errc::unsupported;
    reader r(body, is_flexible(key, version));
    delete_groups_response m;
    m.throttle_time_ms = r.i32();
    r.array(m.results, [&](delete_groups_response_result& res) {
        res.group_id = r.string();
        res.error_code = static_cast<error_code>(r.i16());
        r.tagged_fields();
    });
    r.tagged_fields();
    if (!r.ok()) return r.error();
    return m;
}

}  // namespace robust::kafka::codec
