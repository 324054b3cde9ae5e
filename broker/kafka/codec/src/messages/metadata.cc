#include "kafka/codec/messages/metadata.h"

#include "../message_util.h"
#include "kafka/codec/api.h"

namespace robust::kafka::codec {
namespace {

constexpr api_key key = api_key::metadata;

void read_int32s(reader& r, std::vector<int32_t>& out) {
    r.array(out, [&](int32_t& v) { v = r.i32(); });
}

void write_int32s(writer& w, const std::vector<int32_t>& v) {
    w.array(v, [&](int32_t x) { w.i32(x); });
}

}  // namespace

result<metadata_request> decode_metadata_request(std::span<const std::byte> body, int16_t version) {
    if (!is_supported(key, version)) return errc::unsupported;
    reader r(body, is_flexible(key, version));
    metadata_request out;
    r.nullable_array(out.topics, [&](metadata_request_topic& t) {
        if (version >= 10) {
            t.topic_id = r.read_uuid();
            t.name = r.nullable_string();
        } else {
            t.name = r.string();
        }
        r.tagged_fields();
    });
    if (version < 1) {
        // v0 has no null array: there an empty one asks for every topic.
        if (!out.topics) r.fail(errc::malformed);
        if (out.topics && out.topics->empty()) out.topics.reset();
    }
    if (version >= 4) out.allow_auto_topic_creation = r.boolean();
    if (version >= 8 && version <= 10) out.include_cluster_authorized_operations = r.boolean();
    if (version >= 8) out.include_topic_authorized_operations = r.boolean();
    r.tagged_fields();
    if (!r.ok()) return r.error();
    return out;
}

void encode_metadata_request(writer& w, const metadata_request& r, int16_t version) {
    detail::check_writer(w, key, version);
    if (!r.topics && version < 1) {
        w.array_length(0);  // v0 has no null: an empty array asks for every topic
    } else {
        w.nullable_array(r.topics, [&](const metadata_request_topic& t) {
            if (version >= 10) {
                w.write_uuid(t.topic_id);
                w.nullable_string(t.name);
            } else {
                w.string(t.name.value_or(""));
            }
            w.tagged_fields();
        });
    }
    if (version >= 4) w.boolean(r.allow_auto_topic_creation);
    if (version >= 8 && version <= 10) w.boolean(r.include_cluster_authorized_operations);
    if (version >= 8) w.boolean(r.include_topic_authorized_operations);
    w.tagged_fields();
}

void encode_metadata_response(writer& w, const metadata_response& r, int16_t version) {
    detail::check_writer(w, key, version);
    if (version >= 3) w.i32(r.throttle_time_ms);
    w.array(r.brokers, [&](const metadata_response_broker& b) {
        w.i32(b.node_id);
        w.string(b.host);
        w.i32(b.port);
        if (version >= 1) w.nullable_string(b.rack);
        w.tagged_fields();
    });
    if (version >= 2) w.nullable_string(r.cluster_id);
    if (version >= 1) w.i32(r.controller_id);
    w.array(r.topics, [&](const metadata_response_topic& t) {
        w.i16(static_cast<int16_t>(t.error_code));
        if (version >= 12) {
            w.nullable_string(t.name);
        } else {
            w.string(t.name.value_or(""));
        }
        if (version >= 10) w.write_uuid(t.topic_id);
        if (version >= 1) w.boolean(t.is_internal);
        w.array(t.partitions, [&](const metadata_response_partition& p) {
            w.i16(static_cast<int16_t>(p.error_code));
            w.i32(p.partition_index);
            w.i32(p.leader_id);
            if (version >= 7) w.i32(p.leader_epoch);
            write_int32s(w, p.replica_nodes);
            write_int32s(w, p.isr_nodes);
            if (version >= 5) write_int32s(w, p.offline_replicas);
            w.tagged_fields();
        });
        if (version >= 8) w.i32(t.topic_authorized_operations);
        w.tagged_fields();
    });
    if (version >= 8 && version <= 10) w.i32(r.cluster_authorized_operations);
    w.tagged_fields();
}

result<metadata_response> decode_metadata_response(std::span<const std::byte> body,
                                                   int16_t version) {
    if (!is_supported(key, version)) return errc::unsupported;
    reader r(body, is_flexible(key, version));
    metadata_response out;
    if (version >= 3) out.throttle_time_ms = r.i32();
    r.array(out.brokers, [&](metadata_response_broker& b) {
        b.node_id = r.i32();
        b.host = r.string();
        b.port = r.i32();
        if (version >= 1) b.rack = r.nullable_string();
        r.tagged_fields();
    });
    if (version >= 2) out.cluster_id = r.nullable_string();
    if (version >= 1) out.controller_id = r.i32();
    r.array(out.topics, [&](metadata_response_topic& t) {
        t.error_code = static_cast<error_code>(r.i16());
        t.name = version >= 12 ? r.nullable_string() : r.string();
        if (version >= 10) t.topic_id = r.read_uuid();
        if (version >= 1) t.is_internal = r.boolean();
        r.array(t.partitions, [&](metadata_response_partition& p) {
            p.error_code = static_cast<error_code>(r.i16());
            p.partition_index = r.i32();
            p.leader_id = r.i32();
            if (version >= 7) p.leader_epoch = r.i32();
            read_int32s(r, p.replica_nodes);
            read_int32s(r, p.isr_nodes);
            if (version >= 5) read_int32s(r, p.offline_replicas);
            r.tagged_fields();
        });
        if (version >= 8) t.topic_authorized_operations = r.i32();
        r.tagged_fields();
    });
    if (version >= 8 && version <= 10) out.cluster_authorized_operations = r.i32();
    r.tagged_fields();
    if (!r.ok()) return r.error();
    return out;
}

}  // namespace robust::kafka::codec
