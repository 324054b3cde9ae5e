#include "kafka/codec/messages/delete_records.h"

#include "../message_util.h"
#include "kafka/codec/api.h"

namespace robust::kafka::codec {
namespace {

constexpr api_key key = api_key::delete_records;

}  // namespace

result<delete_records_request> decode_delete_records_request(std::span<const std::byte> body,
                                                             int16_t version) {
    if (!is_supported(key, version)) return errc::unsupported;
    reader r(body, is_flexible(key, version));
    delete_records_request out;
    r.array(out.topics, [&](delete_records_request_topic& t) {
        t.name = r.string();
        r.array(t.partitions, [&](delete_records_request_partition& p) {
            p.partition_index = r.i32();
            p.offset = r.i64();
            r.tagged_fields();
        });
        r.tagged_fields();
    });
    out.timeout_ms = r.i32();
    r.tagged_fields();
    if (!r.ok()) return r.error();
    return out;
}

void encode_delete_records_request(writer& w, const delete_records_request& r, int16_t version) {
    detail::check_writer(w, key, version);
    w.array(r.topics, [&](const delete_records_request_topic& t) {
        w.string(t.name);
        w.array(t.partitions, [&](const delete_records_request_partition& p) {
            w.i32(p.partition_index);
            w.i64(p.offset);
            w.tagged_fields();
        });
        w.tagged_fields();
    });
    w.i32(r.timeout_ms);
    w.tagged_fields();
}

void encode_delete_records_response(writer& w, const delete_records_response& r, int16_t version) {
    detail::check_writer(w, key, version);
    w.i32(r.throttle_time_ms);
    w.array(r.topics, [&](const delete_records_response_topic& t) {
        w.string(t.name);
        w.array(t.partitions, [&](const delete_records_response_partition& p) {
            w.i32(p.partition_index);
            w.i64(p.low_watermark);
            w.i16(static_cast<int16_t>(p.error_code));
            w.tagged_fields();
        });
        w.tagged_fields();
    });
    w.tagged_fields();
}

result<delete_records_response> decode_delete_records_response(std::span<const std::byte> body,
                                                               int16_t version) {
    if (!is_supported(key, version)) return errc::unsupported;
    reader r(body, is_flexible(key, version));
    delete_records_response out;
    out.throttle_time_ms = r.i32();
    r.array(out.topics, [&](delete_records_response_topic& t) {
        t.name = r.string();
        r.array(t.partitions, [&](delete_records_response_partition& p) {
            p.partition_index = r.i32();
            p.low_watermark = r.i64();
            p.error_code = static_cast<error_code>(r.i16());
            r.tagged_fields();
        });
        r.tagged_fields();
    });
    r.tagged_fields();
    if (!r.ok()) return r.error();
    return out;
}

}  // namespace robust::kafka::codec
