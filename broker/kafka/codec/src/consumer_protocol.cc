#include "kafka/codec/consumer_protocol.h"

#include "kafka/codec/wire.h"

namespace robust::kafka::codec {

result<consumer_assignment> decode_consumer_assignment(std::string_view bytes) {
    consumer_assignment a;
    if (bytes.empty()) return a;
    reader r(bytes, /*flexible=*/false);
    a.version = r.i16();
    if (r.ok() && a.version < 0) r.fail(errc::malformed);
    r.array(a.assigned_partitions, [&](consumer_topic_partitions& t) {
        t.topic = r.string();
        r.array(t.partitions, [&](int32_t& p) { p = r.i32(); });
    });
    if (r.ok() && r.remaining() > 0) a.user_data = r.nullable_bytes();
    if (!r.ok()) return r.error();
    return a;
}

std::string encode_consumer_assignment(const consumer_assignment& a) {
    writer w(/*flexible=*/false);
    w.i16(a.version);
    w.array(a.assigned_partitions, [&](const consumer_topic_partitions& t) {
        w.string(t.topic);
        w.array(t.partitions, [&](int32_t p) { w.i32(p); });
    });
    if (a.user_data) {
        w.nullable_bytes(std::string_view(*a.user_data));
    } else {
        w.nullable_bytes(std::nullopt);
    }
    return w.take();
}

}  // namespace robust::kafka::codec
