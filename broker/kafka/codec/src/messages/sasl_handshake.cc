#include "kafka/codec/messages/sasl_handshake.h"

#include "../message_util.h"
#include "kafka/codec/api.h"

namespace robust::kafka::codec {
namespace {

constexpr api_key key = api_key::sasl_handshake;

}  // namespace

// Never flexible: the tagged_fields() calls of the other messages would be
// no-ops here and are left out.

result<sasl_handshake_request> decode_sasl_handshake_request(std::span<const std::byte> body,
                                                             int16_t version) {
    if (!is_supported(key, version)) return errc::unsupported;
    reader r(body, is_flexible(key, version));
    sasl_handshake_request m;
    m.mechanism = r.string();
    if (!r.ok()) return r.error();
    return m;
}

void encode_sasl_handshake_request(writer& w, const sasl_handshake_request& m, int16_t version) {
    detail::check_writer(w, key, version);
    w.string(m.mechanism);
}

void encode_sasl_handshake_response(writer& w, const sasl_handshake_response& m, int16_t version) {
    detail::check_writer(w, key, version);
    w.i16(static_cast<int16_t>(m.error_code));
    w.array(m.mechanisms, [&](const std::string& s) { w.string(s); });
}

result<sasl_handshake_response> decode_sasl_handshake_response(std::span<const std::byte> body,
                                                               int16_t version) {
    if (!is_supported(key, version)) return errc::unsupported;
    reader r(body, is_flexible(key, version));
    sasl_handshake_response m;
    m.error_code = static_cast<error_code>(r.i16());
    r.array(m.mechanisms, [&](std::string& s) { s = r.string(); });
    if (!r.ok()) return r.error();
    return m;
}

}  // namespace robust::kafka::codec
