#include "kafka/codec/messages/create_partitions.h"

#include "../message_util.h"
#include "kafka/codec/api.h"

namespace robust::kafka::codec {
namespace {

constexpr api_key key = api_key::create_partitions;

}  // namespace

result<create_partitions_request> decode_create_partitions_request(std::span<const std::byte> body,
                                                                   int16_t version) {
    if (!is_supported(key, version)) return errc::unsupported;
    reader r(body, is_flexible(key, version));
    create_partitions_request out;
    r.array(out.topics, [&](create_partitions_topic& t) {
        t.name = r.string();
        t.count = r.i32();
        r.nullable_array(t.assignments, [&](create_partitions_assignment& a) {
            r.array(a.broker_ids, [&](int32_t& id) { id = r.i32(); });
            r.tagged_fields();
        });
        r.tagged_fields();
    });
    out.timeout_ms = r.i32();
    out.validate_only = r.boolean();
    r.tagged_fields();
    if (!r.ok()) return r.error();
    return out;
}

void encode_create_partitions_request(writer& w, const create_partitions_request& r,
                                      int16_t version) {
    detail::check_writer(w, key, version);
    w.array(r.topics, [&](const create_partitions_topic& t) {
        w.string(t.name);
        w.i32(t.count);
        w.nullable_array(t.assignments, [&](const create_partitions_assignment& a) {
            w.array(a.broker_ids, [&](int32_t id) { w.i32(id); });
            w.tagged_fields();
        });
        w.tagged_fields();
    });
    w.i32(r.timeout_ms);
    w.boolean(r.validate_only);
    w.tagged_fields();
}

void encode_create_partitions_response(writer& w, const create_partitions_response& r,
                                       int16_t version) {
    detail::check_writer(w, key, version);
    w.i32(r.throttle_time_ms);
    w.array(r.results, [&](const create_partitions_result& t) {
        w.string(t.name);
        w.i16(static_cast<int16_t>(t.error_code));
        w.nullable_string(t.error_message);
        w.tagged_fields();
    });
    w.tagged_fields();
}

result<create_partitions_response> decode_create_partitions_response(
    std::span<const std::byte> body, int16_t version) {
    if (!is_supported(key, version)) return errc::unsupported;
    reader r(body, is_flexible(key, version));
    create_partitions_response out;
    out.throttle_time_ms = r.i32();
    r.array(out.results, [&](create_partitions_result& t) {
        t.name = r.string();
        t.error_code = static_cast<error_code>(r.i16());
        t.error_message = r.nullable_string();
        r.tagged_fields();
    });
    r.tagged_fields();
    if (!r.ok()) return r.error();
    return out;
}

}  // namespace robust::kafka::codec
