#include "kafka/codec/messages/init_producer_id.h"

#include "../message_util.h"
#include "kafka/codec/api.h"

namespace robust::kafka::codec {
namespace {

constexpr api_key key = api_key::init_producer_id;

}  // namespace

result<init_producer_id_request> decode_init_producer_id_request(std::span<const std::byte> body,
                                                                 int16_t version) {
    if (!is_supported(key, version)) return errc::unsupported;
    reader r(body, is_flexible(key, version));
    init_producer_id_request out;
    out.transactional_id = r.nullable_string();
    out.transaction_timeout_ms = r.i32();
    if (version >= 3) {
        out.producer_id = r.i64();
        out.producer_epoch = r.i16();
    }
    r.tagged_fields();
    if (!r.ok()) return r.error();
    return out;
}

void encode_init_producer_id_request(writer& w, const init_producer_id_request& r,
                                     int16_t version) {
    detail::check_writer(w, key, version);
    w.nullable_string(r.transactional_id);
    w.i32(r.transaction_timeout_ms);
    if (version >= 3) {
        w.i64(r.producer_id);
        w.i16(r.producer_epoch);
    }
    w.tagged_fields();
}

void encode_init_producer_id_response(writer& w, const init_producer_id_response& r,
                                      int16_t version) {
    detail::check_writer(w, key, version);
    w.i32(r.throttle_time_ms);
    w.i16(static_cast<int16_t>(r.error_code));
    w.i64(r.producer_id);
    w.i16(r.producer_epoch);
    w.tagged_fields();
}

result<init_producer_id_response> decode_init_producer_id_response(std::span<const std::byte> body,
                                                                   int16_t version) {
    if (!is_supported(key, version)) return errc::unsupported;
    reader r(body, is_flexible(key, version));
    init_producer_id_response out;
    out.throttle_time_ms = r.i32();
    out.error_code = static_cast<error_code>(r.i16());
    out.producer_id = r.i64();
    out.producer_epoch = r.i16();
    r.tagged_fields();
    if (!r.ok()) return r.error();
    return out;
}

}  // namespace robust::kafka::codec
