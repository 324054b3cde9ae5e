#include "kafka/codec/messages/find_coordinator.h"

#include "../message_util.h"
#include "kafka/codec/api.h"

namespace robust::kafka::codec {
namespace {

constexpr api_key key = api_key::find_coordinator;

}  // namespace

result<find_coordinator_request> decode_find_coordinator_request(std::span<const std::byte> body,
                                                                 int16_t version) {
    if (!is_supported(key, version)) return errc::unsupported;
    reader r(body, is_flexible(key, version));
    find_coordinator_request m;
    if (version <= 3) m.key = r.string();
    if (version >= 1) m.key_type = r.i8();
    if (version >= 4) r.array(m.coordinator_keys, [&](std::string& s) { s = r.string(); });
    r.tagged_fields();
    if (!r.ok()) return r.error();
    return m;
}

void encode_find_coordinator_request(writer& w, const find_coordinator_request& m,
                                     int16_t version) {
    detail::check_writer(w, key, version);
    if (version <= 3) w.string(m.key);
    if (version >= 1) w.i8(m.key_type);
    if (version >= 4) w.array(m.coordinator_keys, [&](const std::string& k) { w.string(k); });
    w.tagged_fields();
}

void encode_find_coordinator_response(writer& w, const find_coordinator_response& m,
                                      int16_t version) {
    detail::check_writer(w, key, version);
    if (version >= 1) w.i32(m.throttle_time_ms);
    if (version <= 3) {
        w.i16(static_cast<int16_t>(m.error_code));
        if (version >= 1) w.nullable_string(m.error_message);
        w.i32(m.node_id);
        w.string(m.host);
        w.i32(m.port);
    } else {
        w.array(m.coordinators, [&](const find_coordinator_response_coordinator& c) {
            w.string(c.key);
            w.i32(c.node_id);
            w.string(c.host);
            w.i32(c.port);
            w.i16(static_cast<int16_t>(c.error_code));
            w.nullable_string(c.error_message);
            w.tagged_fields();
        });
    }
    w.tagged_fields();
}

result<find_coordinator_response> decode_find_coordinator_response(std::span<const std::byte> body,
                                                                   int16_t version) {
    if (!is_supported(key, version)) return errc::unsupported;
    reader r(body, is_flexible(key, version));
    find_coordinator_response m;
    if (version >= 1) m.throttle_time_ms = r.i32();
    if (version <= 3) {
        m.error_code = static_cast<error_code>(r.i16());
        if (version >= 1) m.error_message = r.nullable_string();
        m.node_id = r.i32();
        m.host = r.string();
        m.port = r.i32();
    } else {
        r.array(m.coordinators, [&](find_coordinator_response_coordinator& c) {
            c.key = r.string();
            c.node_id = r.i32();
            c.host = r.string();
            c.port = r.i32();
            c.error_code = static_cast<error_code>(r.i16());
            c.error_message = r.nullable_string();
            r.tagged_fields();
        });
    }
    r.tagged_fields();
    if (!r.ok()) return r.error();
    return m;
}

}  // namespace robust::kafka::codec
