#include "kafka/codec/messages/delete_topics.h"

#include "../message_util.h"
#include "kafka/codec/api.h"

namespace robust::kafka::codec {
namespace {

constexpr api_key key = api_key::delete_topics;

}  // namespace

result<delete_topics_request> decode_delete_topics_request(std::span<const std::byte> body,
                                                           int16_t version) {
    if (!is_supported(key, version)) return errc::unsupported;
    reader r(body, is_flexible(key, version));
    delete_topics_request out;
    r.array(out.topic_names, [&](std::string& name) { name = r.string(); });
    out.timeout_ms = r.i32();
    r.tagged_fields();
    if (!r.ok()) return r.error();
    return out;
}

void encode_delete_topics_request(writer& w, const delete_topics_request& r, int16_t version) {
    detail::check_writer(w, key, version);
    w.array(r.topic_names, [&](const std::string& name) { w.string(name); });
    w.i32(r.timeout_ms);
    w.tagged_fields();
}

void encode_delete_topics_response(writer& w, const delete_topics_response& r, int16_t version) {
    detail::check_writer(w, key, version);
    if (version >= 1) w.i32(r.throttle_time_ms);
    w.array(r.responses, [&](const delete_topics_response_topic& t) {
        w.string(t.name);
        w.i16(static_cast<int16_t>(t.error_code));
        if (version >= 5) w.nullable_string(t.error_message);
        w.tagged_fields();
    });
    w.tagged_fields();
}

result<delete_topics_response> decode_delete_topics_response(std::span<const std::byte> body,
                                                             int16_t version) {
    if (!is_supported(key, version)) return errc::unsupported;
    reader r(body, is_flexible(key, version));
    delete_topics_response out;
    if (version >= 1) out.throttle_time_ms = r.i32();
    r.array(out.responses, [&](delete_topics_response_topic& t) {
        t.name = r.string();
        t.error_code = static_cast<error_code>(r.i16());
        if (version >= 5) t.error_message = r.nullable_string();
        r.tagged_fields();
    });
    r.tagged_fields();
    if (!r.ok()) return r.error();
    return out;
}

}  // namespace robust::kafka::codec
