// The fixed header (5.0 section 2.1, 3.1.1 section 2.2) and the dispatch
// from packet type to the per-packet codecs in packet_codec.h.
//
// Fixed header: byte 1 = type (high nibble) | flags (low nibble), then the
// Remaining Length as a Variable Byte Integer of 1..4 bytes.

#include <utility>

#include "packet_codec.h"

namespace robust::mqtt::codec {

using detail::reader;

namespace {

constexpr uint8_t publish_dup = 0x08;
constexpr uint8_t publish_retain = 0x01;
constexpr uint8_t publish_qos_shift = 1;

decode_error error(errc code, const char* rule) {
    return {make_error_code(code), rule};
}

// [MQTT-2.1.3-1] (3.1.1 [MQTT-2.2.2-1]): every flag the table marks
// reserved must have its listed value; for PUBLISH they are DUP/QoS/RETAIN.
const char* check_flags(packet_type type, uint8_t flags) {
    switch (type) {
        case packet_type::publish: {
            const uint8_t qos = (flags >> publish_qos_shift) & 0x03;
            if (qos == 3) return "[MQTT-3.3.1-4] PUBLISH QoS 3";
            if (qos == 0 && (flags & publish_dup)) return "[MQTT-3.3.1-2] DUP set on QoS 0";
            return nullptr;
        }
        case packet_type::pubrel:
            return flags == 0x02 ? nullptr : "[MQTT-3.6.1-1] PUBREL flags are not 0010";
        case packet_type::subscribe:
            return flags == 0x02 ? nullptr : "[MQTT-3.8.1-1] SUBSCRIBE flags are not 0010";
        case packet_type::unsubscribe:
            return flags == 0x02 ? nullptr : "[MQTT-3.10.1-1] UNSUBSCRIBE flags are not 0010";
        default:
            return flags == 0 ? nullptr : "[MQTT-2.1.3-1] reserved fixed header flags set";
    }
}

uint8_t publish_first_byte(const publish& p) {
    uint8_t flags = uint8_t(uint8_t(p.qos) << publish_qos_shift);
    if (p.dup) flags |= publish_dup;
    if (p.retain) flags |= publish_retain;
    return uint8_t(uint8_t(packet_type::publish) << 4) | flags;
}

uint8_t first_byte(const packet& p) {
    if (const auto* pub = std::get_if<publish>(&p)) return publish_first_byte(*pub);
    const packet_type type = type_of(p);
    const bool flags_0010 = type == packet_type::pubrel || type == packet_type::subscribe ||
                            type == packet_type::unsubscribe;
    return uint8_t(uint8_t(type) << 4) | (flags_0010 ? 0x02 : 0x00);
}

size_t body_size(const packet& p, protocol_version v) {
    detail::size_sink n;
    std::visit([&](const auto& x) { detail::put_body(x, v, n); }, p);
    return n.n;
}

void put_header(uint8_t first, size_t remaining, std::string& out) {
    detail::string_sink s{out};
    s.u8(first);
    s.varint(uint32_t(remaining));
}

// Decodes the body of type T into `out`. The variant is created holding T
// from the start: default-constructing it first would build (zero-fill) a
// CONNECT, the largest alternative, on every packet only to replace it.
template <class T>
bool decode_as(reader& r, const fixed_header& fh, protocol_version v, size_t size,
               std::optional<decoded_packet>& out) {
    out.emplace(decoded_packet{packet(std::in_place_type<T>), size});
    return detail::decode_body(r, fh, v, *std::get_if<T>(&out->pkt));
}

}  // namespace

decode_outcome<fixed_header> decode_fixed_header(std::span<const std::byte> bytes,
                                                 const decode_limits& limits) {
    if (bytes.empty()) return {std::nullopt, error(errc::need_more_data, "fixed header")};
    const auto b0 = uint8_t(bytes[0]);
    const auto type_bits = uint8_t(b0 >> 4);
    const auto flags = uint8_t(b0 & 0x0F);
    // 5.0 table 2-1 / 3.1.1 table 2.1: type 0 is reserved (15 is AUTH in
    // 5.0 and reserved in 3.x, which decode() checks against the version).
    if (type_bits == 0) {
        return {std::nullopt, error(errc::malformed, "[section 2.1.2] packet type 0 is reserved")};
    }
    const auto type = static_cast<packet_type>(type_bits);
    // Checked before the length so a bad first byte fails without waiting.
    if (const char* rule = check_flags(type, flags)) {
        return {std::nullopt, error(errc::malformed, rule)};
    }

    uint32_t remaining = 0;
    size_t len = 0;
    switch (detail::read_varint(bytes.data() + 1, bytes.data() + bytes.size(), &remaining, &len)) {
        case detail::varint_status::ok:
            break;
        case detail::varint_status::need_more:
            return {std::nullopt, error(errc::need_more_data, "remaining length")};
        case detail::varint_status::malformed:
            return {std::nullopt,
                    error(errc::malformed, "[MQTT-1.5.5-1] malformed Remaining Length")};
    }
    fixed_header fh{type, flags, remaining, uint8_t(1 + len)};
    if (fh.packet_size() > limits.max_packet_size) {
        return {std::nullopt,
                error(errc::too_large, "[decode_limits] packet above max_packet_size")};
    }
    return {fh, {}};
}

decode_outcome<decoded_packet> decode(std::span<const std::byte> bytes, protocol_version version,
                                      const decode_limits& limits) {
    decode_outcome<decoded_packet> out;
    auto fh = decode_fixed_header(bytes, limits);
    if (!fh.ok()) {
        out.error = fh.error;
        return out;
    }
    const size_t size = fh.value->packet_size();
    if (bytes.size() < size) {
        out.error = error(errc::need_more_data, "packet body");
        return out;
    }

    detail::decode_state state(limits);
    reader r(bytes.data() + fh.value->header_size, fh.value->remaining_length, state);
    bool ok = false;
    switch (fh.value->type) {
        case packet_type::connect:
            ok = decode_as<connect>(r, *fh.value, version, size, out.value);
            break;
        case packet_type::connack:
            ok = decode_as<connack>(r, *fh.value, version, size, out.value);
            break;
        case packet_type::publish:
            ok = decode_as<publish>(r, *fh.value, version, size, out.value);
            break;
        case packet_type::puback:
            ok = decode_as<puback>(r, *fh.value, version, size, out.value);
            break;
        case packet_type::pubrec:
            ok = decode_as<pubrec>(r, *fh.value, version, size, out.value);
            break;
        case packet_type::pubrel:
            ok = decode_as<pubrel>(r, *fh.value, version, size, out.value);
            break;
        case packet_type::pubcomp:
            ok = decode_as<pubcomp>(r, *fh.value, version, size, out.value);
            break;
        case packet_type::subscribe:
            ok = decode_as<subscribe>(r, *fh.value, version, size, out.value);
            break;
        case packet_type::suback:
            ok = decode_as<suback>(r, *fh.value, version, size, out.value);
            break;
        case packet_type::unsubscribe:
            ok = decode_as<unsubscribe>(r, *fh.value, version, size, out.value);
            break;
        case packet_type::unsuback:
            ok = decode_as<unsuback>(r, *fh.value, version, size, out.value);
            break;
        case packet_type::pingreq:
            ok = decode_as<pingreq>(r, *fh.value, version, size, out.value);
            break;
        case packet_type::pingresp:
            ok = decode_as<pingresp>(r, *fh.value, version, size, out.value);
            break;
        case packet_type::disconnect:
            ok = decode_as<disconnect>(r, *fh.value, version, size, out.value);
            break;
        case packet_type::auth:
            ok = decode_as<auth>(r, *fh.value, version, size, out.value);
            break;
    }
    if (!ok) {
        out.value.reset();
        out.error = state.error;
    }
    return out;
}

void encode(const packet& p, protocol_version version, std::string& out) {
    const size_t body = body_size(p, version);
    out.reserve(out.size() + 1 + detail::varint_size(uint32_t(body)) + body);
    put_header(first_byte(p), body, out);
    detail::string_sink s{out};
    std::visit([&](const auto& x) { detail::put_body(x, version, s); }, p);
}

void encode_publish_header(const publish& p, protocol_version version, std::string& out) {
    detail::size_sink head;
    detail::put_publish_head(p, version, head);
    out.reserve(out.size() + 1 + 4 + head.n);
    put_header(publish_first_byte(p), head.n + p.payload.size(), out);
    detail::string_sink s{out};
    detail::put_publish_head(p, version, s);
}

size_t encoded_size(const packet& p, protocol_version version) {
    const size_t body = body_size(p, version);
    return 1 + detail::varint_size(uint32_t(body)) + body;
}

}  // namespace robust::mqtt::codec
