#include "kafka/codec/messages/sasl_authenticate.h"

#include "../message_util.h"
#include "kafka/codec/api.h"

namespace robust::kafka::codec {
namespace {

constexpr api_key key = api_key::sasl_authenticate;

}  // namespace

result<sasl_authenticate_request> decode_sasl_authenticate_request(std::span<const std::byte> body,
                                                                   int16_t version) {
    if (!is_supported(key, version)) return errc::unsupported;
    reader r(body, is_flexible(key, version));
    sasl_authenticate_request m;
    m.auth_bytes = r.bytes();
    r.tagged_fields();
    if (!r.ok()) return r.error();
    return m;
}

void encode_sasl_authenticate_request(writer& w, const sasl_authenticate_request& m,
                                      int16_t version) {
    detail::check_writer(w, key, version);
    w.bytes(m.auth_bytes);
    w.tagged_fields();
}

void encode_sasl_authenticate_response(writer& w, const sasl_authenticate_response& m,
                                       int16_t version) {
    detail::check_writer(w, key, version);
    w.i16(static_cast<int16_t>(m.error_code));
    w.nullable_string(m.error_message);
    w.bytes(m.auth_bytes);
    if (version >= 1) w.i64(m.session_lifetime_ms);
    w.tagged_fields();
}

result<sasl_authenticate_response> decode_sasl_authenticate_response(
    std::span<const std::byte> body, int16_t version) {
    if (!is_supported(key, version)) return errc::unsupported;
    reader r(body, is_flexible(key, version));
    sasl_authenticate_response m;
    m.error_code = static_cast<error_code>(r.i16());
    m.error_message = r.nullable_string();
    m.auth_bytes = r.bytes();
    if (version >= 1) m.session_lifetime_ms = r.i64();
    r.tagged_fields();
    if (!r.ok()) return r.error();
    return m;
}

}  // namespace robust::kafka::codec
