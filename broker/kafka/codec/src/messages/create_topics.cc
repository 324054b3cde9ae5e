#include "kafka/codec/messages/create_topics.h"

#include "../message_util.h"
#include "kafka/codec/api.h"

namespace robust::kafka::codec {
namespace {

constexpr api_key key = api_key::create_topics;

}  // namespace

result<create_topics_request> decode_create_topics_request(std::span<const std::byte> body,
                                                           int16_t version) {
    if (!is_supported(key, version)) return errc::unsupported;
    reader r(body, is_flexible(key, version));
    create_topics_request out;
    r.array(out.topics, [&](create_topics_request_topic& t) {
        t.name = r.string();
        t.num_partitions = r.i32();
        t.replication_factor = r.i16();
        r.array(t.assignments, [&](create_topics_assignment& a) {
            a.partition_index = r.i32();
            r.array(a.broker_ids, [&](int32_t& id) { id = r.i32(); });
            r.tagged_fields();
        });
        r.array(t.configs, [&](create_topics_config& c) {
            c.name = r.string();
            c.value = r.nullable_string();
            r.tagged_fields();
        });
        r.tagged_fields();
    });
    out.timeout_ms = r.i32();
    if (version >= 1) out.validate_only = r.boolean();
    r.tagged_fields();
    if (!r.ok()) return r.error();
    return out;
}

void encode_create_topics_request(writer& w, const create_topics_request& r, int16_t version) {
    detail::check_writer(w, key, version);
    w.array(r.topics, [&](const create_topics_request_topic& t) {
        w.string(t.name);
        w.i32(t.num_partitions);
        w.i16(t.replication_factor);
        w.array(t.assignments, [&](const create_topics_assignment& a) {
            w.i32(a.partition_index);
            w.array(a.broker_ids, [&](int32_t id) { w.i32(id); });
            w.tagged_fields();
        });
        w.array(t.configs, [&](const create_topics_config& c) {
            w.string(c.name);
            w.nullable_string(c.value);
            w.tagged_fields();
        });
        w.tagged_fields();
    });
    w.i32(r.timeout_ms);
    if (version >= 1) w.boolean(r.validate_only);
    w.tagged_fields();
}

void encode_create_topics_response(writer& w, const create_topics_response& r, int16_t version) {
    detail::check_writer(w, key, version);
    if (version >= 2) w.i32(r.throttle_time_ms);
    w.array(r.topics, [&](const create_topics_response_topic& t) {
        w.string(t.name);
        if (version >= 7) w.write_uuid(t.topic_id);
        w.i16(static_cast<int16_t>(t.error_code));
        if (version >= 1) w.nullable_string(t.error_message);
        if (version >= 5) {
            w.i32(t.num_partitions);
            w.i16(t.replication_factor);
            w.nullable_array(t.configs, [&](const create_topics_result_config& c) {
                w.string(c.name);
                w.nullable_string(c.value);
                w.boolean(c.read_only);
                w.i8(c.config_source);
                w.boolean(c.is_sensitive);
                w.tagged_fields();
            });
            tagged_section tags;
            if (t.topic_config_error_code != error_code::none) {
                tags.add(
                    0, [&](writer& f) { f.i16(static_cast<int16_t>(t.topic_config_error_code)); });
            }
            w.tagged_fields(tags);
        }
    });
    w.tagged_fields();
}

result<create_topics_response> decode_create_topics_response(std::span<const std::byte> body,
                                                             int16_t version) {
    if (!is_supported(key, version)) return errc::unsupported;
    reader r(body, is_flexible(key, version));
    create_topics_response out;
    if (version >= 2) out.throttle_time_ms = r.i32();
    r.array(out.topics, [&](create_topics_response_topic& t) {
        t.name = r.string();
        if (version >= 7) t.topic_id = r.read_uuid();
        t.error_code = static_cast<error_code>(r.i16());
        if (version >= 1) t.error_message = r.nullable_string();
        if (version >= 5) {
            t.num_partitions = r.i32();
            t.replication_factor = r.i16();
            r.nullable_array(t.configs, [&](create_topics_result_config& c) {
                c.name = r.string();
                c.value = r.nullable_string();
                c.read_only = r.boolean();
                c.config_source = r.i8();
                c.is_sensitive = r.boolean();
                r.tagged_fields();
            });
            r.tagged_fields([&](uint32_t tag, reader& f) {
                if (tag == 0) t.topic_config_error_code = static_cast<error_code>(f.i16());
            });
        }
    });
    r.tagged_fields();
    if (!r.ok()) return r.error();
    return out;
}

}  // namespace robust::kafka::codec
