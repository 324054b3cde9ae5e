#pragma once
// The MQTT codec: bytes <-> packets, pure (no I/O, clocks, logging or
// globals) and non-throwing, so it can be fuzzed and tested byte by byte.
//
// Decoding is two steps, so a connection never buffers more than the limit:
//   1. decode_fixed_header() on the bytes received so far tells the total
//      packet size (or need_more_data), checked against max_packet_size
//      before anything is buffered or allocated;
//   2. decode() on a buffer holding at least that many bytes.
// Encoders append to a std::string; PUBLISH can be encoded without its
// payload so the payload is written from its shared_buffer uncopied.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <system_error>

#include "base/result.h"
#include "mqtt/codec/packets.h"

namespace robust::mqtt::codec {

struct decode_limits {
    uint32_t max_packet_size = 1024 * 1024;  // whole packet incl. fixed header
    uint32_t max_topic_filters = 1024;       // per SUBSCRIBE / UNSUBSCRIBE
    uint32_t max_user_properties = 256;      // per packet
};

struct fixed_header {
    packet_type type{};
    uint8_t flags = 0;              // low nibble of byte 1
    uint32_t remaining_length = 0;  // variable header + payload
    uint8_t header_size = 0;        // 2..5 bytes
    size_t packet_size() const { return header_size + size_t(remaining_length); }
};

/// What went wrong when decoding, for the log line and for choosing the
/// MQTT 5 reason code: `code` is errc::need_more_data (not an error: read
/// more), errc::malformed (0x81), errc::protocol_error (0x82),
/// errc::too_large (0x95) or errc::unsupported (CONNECT with an unknown
/// protocol name/level: CONNACK 0x84 / return code 1). `rule` is a static
/// string naming the spec rule, e.g. "[MQTT-3.1.2-3] reserved flag set".
struct decode_error {
    std::error_code code;
    const char* rule = "";
};

template <class T>
struct decode_outcome {
    std::optional<T> value;  // set on success
    decode_error error;      // set otherwise
    bool ok() const { return value.has_value(); }
};

/// Parses the fixed header at the start of `bytes`: packet type, flags
/// (checked against the reserved values of [MQTT-2.1.3-1] / 3.1.1
/// [MQTT-2.2.2-1]; PUBLISH QoS 3 is malformed) and the remaining-length
/// varint (at most 4 bytes). Fails with too_large when packet_size() >
/// limits.max_packet_size.
decode_outcome<fixed_header> decode_fixed_header(std::span<const std::byte> bytes,
                                                 const decode_limits& limits);

struct decoded_packet {
    packet pkt;
    size_t consumed = 0;  // bytes of `bytes` this packet used
};

/// Decodes one whole packet from the start of `bytes`. `version` is the
/// connection's negotiated version; for CONNECT it is ignored and read from
/// the packet. Every length and count is checked against the bytes present
/// and `limits` before allocating; strings are checked to be well-formed
/// UTF-8 without U+0000 [MQTT-1.5.4-1] [MQTT-1.5.4-2].
decode_outcome<decoded_packet> decode(std::span<const std::byte> bytes, protocol_version version,
                                      const decode_limits& limits);

/// Appends the full encoding of `p` for `version` to `out`. Fields the
/// version does not have are not written. The packet must be valid for the
/// version (it is built by the broker, not read from the network).
void encode(const packet& p, protocol_version version, std::string& out);

/// Appends PUBLISH's fixed and variable header (everything but the payload)
/// to `out`; the payload bytes follow on the wire unchanged.
void encode_publish_header(const publish& p, protocol_version version, std::string& out);

/// The size encode() would produce, to check a peer's Maximum Packet Size
/// before encoding.
size_t encoded_size(const packet& p, protocol_version version);

}  // namespace robust::mqtt::codec
