#pragma once
// What must hold for any input to the WebSocket upgrade parser; shared by
// the libFuzzer target and the corpus replay test. Returns an empty string
// when it holds, else what broke.

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "ws_handshake.h"

namespace robust::net::detail {

inline std::string check_ws_handshake(std::string_view input) {
    static const std::vector<std::string> protocols = {"mqtt", "mqttv3.1"};
    const ws_upgrade u = answer_upgrade(input, "/mqtt", protocols);
    if (!u.response.ends_with("\r\n\r\n") && u.response.find("\r\n\r\n") == std::string::npos) {
        return "response has no end of head";
    }
    if (u.accepted) {
        if (u.status != 101 || !u.response.starts_with("HTTP/1.1 101 "))
            return "accepted without 101";
        if (u.response.find("Sec-WebSocket-Accept: ") == std::string::npos) return "no accept key";
        if (!u.subprotocol.empty() && u.subprotocol != "mqtt" && u.subprotocol != "mqttv3.1") {
            return "echoed a subprotocol we do not offer";
        }
    } else {
        if (u.status != 400 && u.status != 404 && u.status != 405 && u.status != 426) {
            return "refused with an unexpected status";
        }
        if (!u.response.starts_with("HTTP/1.1 " + std::to_string(u.status))) return "status line";
    }
    // Frame headers: the length written must read back.
    if (input.size() >= 8) {
        uint64_t len = 0;
        for (int i = 0; i < 8; ++i) len = (len << 8) | static_cast<uint8_t>(input[i]);
        len &= 0x7fffffffffffffffull;  // RFC 6455: the top bit must be 0
        std::array<uint8_t, 10> h{};
        const size_t n = encode_frame_header(0x2, len, h);
        uint64_t back = h[1] & 0x7f;
        if (n == 4) back = (uint64_t(h[2]) << 8) | h[3];
        if (n == 10) {
            back = 0;
            for (int i = 2; i < 10; ++i) back = (back << 8) | h[i];
        }
        if (back != len || h[0] != 0x82 || (n != 2 && n != 4 && n != 10)) return "frame header";
    }
    return {};
}

}  // namespace robust::net::detail
