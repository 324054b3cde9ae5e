#include "kafka/codec/messages/heartbeat.h"

#include "../message_util.h"
#include "kafka/codec/api.h"

namespace robust::kafka::codec {
namespace {

constexpr api_key key = api_key::heartbeat;

}  // namespace

result<heartbeat_request> decode_heartbeat_request(std::span<const std::byte> body,
                                                   int16_t version) {
    if (!is_supported(key, version)) return errc::unsupported;
    reader r(body, is_flexible(key, version));
    heartbeat_request m;
    m.group_id = r.string();
    m.generation_id = r.i32();
    m.member_id = r.string();
    if (version >= 3) m.group_instance_id = r.nullable_string();
    r.tagged_fields();
    if (!r.ok()) return r.error();
    return m;
}

void encode_heartbeat_request(writer& w, const heartbeat_request& m, int16_t version) {
    detail::check_writer(w, key, version);
    w.string(m.group_id);
    w.i32(m.generation_id);
    w.string(m.member_id);
    if (version >= 3) w.nullable_string(m.group_instance_id);
    w.tagged_fields();
}

void encode_heartbeat_response(writer& w, const heartbeat_response& m, int16_t version) {
    detail::check_writer(w, key, version);
    if (version >= 1) w.i32(m.throttle_time_ms);
    w.i16(static_cast<int16_t>(m.error_code));
    w.tagged_fields();
}

result<heartbeat_response> decode_heartbeat_response(std::span<const std::byte> body,
                                                     int16_t version) {
    if (!is_supported(key, version)) return errc::unsupported;
    reader r(body, is_flexible(key, version));
    heartbeat_response m;
    if (version >= 1) m.throttle_time_ms = r.i32();
    m.error_code = static_cast<error_code>(r.i16());
    r.tagged_fields();
    if (!r.ok()) return r.error();
    return m;
}

}  // namespace robust::kafka::codec
