#include "kafka/codec/messages/produce.h"

#include "../message_util.h"
#include "kafka/codec/api.h"

namespace robust::kafka::codec {
namespace {

constexpr api_key key = api_key::produce;

}  // namespace

// v0-2 carry message sets of magic 0/1, which the server refuses per
// partition; they are decoded so that it can say so.
result<produce_request> decode_produce_request(std::span<const std::byte> body, int16_t version) {
    if (!is_supported(key, version)) return errc::unsupported;
    reader r(body, is_flexible(key, version));
    produce_request out;
    if (version >= 3) out.transactional_id = r.nullable_string();
    out.acks = r.i16();
    out.timeout_ms = r.i32();
    r.array(out.topic_data, [&](produce_request_topic& t) {
        t.name = r.string();
        r.array(t.partition_data, [&](produce_request_partition& p) {
            p.index = r.i32();
            p.records = r.nullable_bytes_view();
            r.tagged_fields();
        });
        r.tagged_fields();
    });
    r.tagged_fields();
    if (!r.ok()) return r.error();
    return out;
}

void encode_produce_request(writer& w, const produce_request& r, int16_t version) {
    detail::check_writer(w, key, version);
    if (version >= 3) w.nullable_string(r.transactional_id);
    w.i16(r.acks);
    w.i32(r.timeout_ms);
    w.array(r.topic_data, [&](const produce_request_topic& t) {
        w.string(t.name);
        w.array(t.partition_data, [&](const produce_request_partition& p) {
            w.i32(p.index);
            w.nullable_bytes(p.records);
            w.tagged_fields();
        });
        w.tagged_fields();
    });
    w.tagged_fields();
}

void encode_produce_response(writer& w, const produce_response& r, int16_t version) {
    detail::check_writer(w, key, version);
    w.array(r.responses, [&](const produce_response_topic& t) {
        w.string(t.name);
        w.array(t.partition_responses, [&](const produce_response_partition& p) {
            w.i32(p.index);
            w.i16(static_cast<int16_t>(p.error_code));
            w.i64(p.base_offset);
            if (version >= 2) w.i64(p.log_append_time_ms);
            if (version >= 5) w.i64(p.log_start_offset);
            if (version >= 8) {
                w.array(p.record_errors, [&](const produce_record_error& e) {
                    w.i32(e.batch_index);
                    w.nullable_string(e.batch_index_error_message);
                    w.tagged_fields();
                });
                w.nullable_string(p.error_message);
            }
            w.tagged_fields();
        });
        w.tagged_fields();
    });
    if (version >= 1) w.i32(r.throttle_time_ms);
    w.tagged_fields();
}

result<produce_response> decode_produce_response(std::span<const std::byte> body, int16_t version) {
    if (!is_supported(key, version)) return errc::unsupported;
    reader r(body, is_flexible(key, version));
    produce_response out;
    r.array(out.responses, [&](produce_response_topic& t) {
        t.name = r.string();
        r.array(t.partition_responses, [&](produce_response_partition& p) {
            p.index = r.i32();
            p.error_code = static_cast<error_code>(r.i16());
            p.base_offset = r.i64();
            if (version >= 2) p.log_append_time_ms = r.i64();
            if (version >= 5) p.log_start_offset = r.i64();
            if (version >= 8) {
                r.array(p.record_errors, [&](produce_record_error& e) {
                    e.batch_index = r.i32();
                    e.batch_index_error_message = r.nullable_string();
                    r.tagged_fields();
                });
                p.error_message = r.nullable_string();
            }
            r.tagged_fields();
        });
        r.tagged_fields();
    });
    if (version >= 1) out.throttle_time_ms = r.i32();
    r.tagged_fields();
    if (!r.ok()) return r.error();
    return out;
}

}  // namespace robust::kafka::codec
