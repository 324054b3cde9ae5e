#pragma once
// The property the fuzzer checks on every input, and the corpus replay test
// on every corpus file: for each protocol version, every packet that decodes
//   - agrees with decode_fixed_header() on its size,
//   - fails with need_more_data (never anything else) when cut short,
//   - re-encodes to exactly encoded_size() bytes (and encode_publish_header()
//     plus the payload gives the same bytes), and
//   - decodes from that encoding to an equal packet.
// Header-only so the fuzzer and the unit test share it without a library.

#include <cstddef>
#include <span>
#include <string>
#include <variant>

#include "base/errc.h"
#include "mqtt/codec/codec.h"

namespace robust::mqtt::codec::fuzz {

/// nullptr when the property holds for every packet in `bytes`, otherwise
/// a static description of what broke.
inline const char* check_round_trip(std::span<const std::byte> bytes) {
    decode_limits limits;
    limits.max_packet_size = 64 * 1024;  // keeps the fuzzer's inputs fast
    decode_limits loose;
    loose.max_packet_size = 256 * 1024 * 1024;
    const std::error_code need_more = make_error_code(errc::need_more_data);

    for (auto version : {protocol_version::v3_1, protocol_version::v3_1_1, protocol_version::v5}) {
        auto rest = bytes;
        while (!rest.empty()) {
            auto decoded = decode(rest, version, limits);
            auto header = decode_fixed_header(rest, limits);
            if (!decoded.ok()) {
                if (header.ok() && (decoded.error.code == need_more) !=
                                       (rest.size() < header.value->packet_size())) {
                    return "need_more_data given for a whole packet, or not for a partial one";
                }
                if (!header.ok() && header.error.code != decoded.error.code) {
                    return "decode and decode_fixed_header disagree on a bad header";
                }
                break;
            }
            if (!header.ok()) return "decode succeeded where decode_fixed_header failed";
            const size_t size = decoded.value->consumed;
            if (size != header.value->packet_size()) return "consumed != packet_size()";

            // Every strict prefix asks for more bytes (all of them when small).
            for (size_t cut = 0; cut < size; cut += size <= 512 ? 1 : 61) {
                auto partial = decode(rest.first(cut), version, limits);
                if (partial.ok() || partial.error.code != need_more) {
                    return "a truncated packet did not give need_more_data";
                }
            }

            const packet& pkt = decoded.value->pkt;
            const protocol_version wire_version =
                std::holds_alternative<connect>(pkt) ? std::get<connect>(pkt).version : version;
            std::string wire;
            encode(pkt, wire_version, wire);
            if (wire.size() != encoded_size(pkt, wire_version)) {
                return "encoded_size() differs from encode()";
            }
            if (const auto* pub = std::get_if<publish>(&pkt)) {
                std::string head;
                encode_publish_header(*pub, wire_version, head);
                if (head + pub->payload.str() != wire) {
                    return "encode_publish_header() + payload differs from encode()";
                }
            }
            auto again = decode(as_bytes(wire), wire_version, loose);
            if (!again.ok()) return "a re-encoded packet does not decode";
            if (again.value->consumed != wire.size()) return "a re-encoded packet has extra bytes";
            if (!(again.value->pkt == pkt)) return "decode(encode(p)) != p";

            rest = rest.subspan(size);
        }
    }
    return nullptr;
}

}  // namespace robust::mqtt::codec::fuzz
