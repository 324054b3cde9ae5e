#pragma once
// A WebSocket client built from raw bytes on test_client (plain or TLS): the
// HTTP upgrade by hand and frames masked by hand [RFC 6455 5.2, 5.3].

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "net_test_util.h"

namespace robust::net::test {

inline constexpr uint8_t op_continuation = 0x0, op_text = 0x1, op_binary = 0x2, op_close = 0x8,
                         op_ping = 0x9, op_pong = 0xa;

// A client frame; masked unless told otherwise, as clients must [RFC 6455 5.3].
inline std::string client_frame(uint8_t opcode, std::string_view payload, bool fin = true,
                                bool masked = true) {
    std::string f;
    f += static_cast<char>((fin ? 0x80 : 0x00) | opcode);
    const uint8_t mask_bit = masked ? 0x80 : 0x00;
    const uint64_t n = payload.size();
    if (n < 126) {
        f += static_cast<char>(mask_bit | n);
    } else if (n <= 0xffff) {
        f += static_cast<char>(mask_bit | 126);
        f += static_cast<char>(n >> 8);
        f += static_cast<char>(n);
    } else {
        f += static_cast<char>(mask_bit | 127);
        for (int i = 7; i >= 0; --i) f += static_cast<char>(n >> (8 * i));
    }
    const char key[4] = {0x12, 0x34, 0x56, 0x78};
    if (masked) f.append(key, 4);
    for (size_t i = 0; i < n; ++i)
        f += masked ? static_cast<char>(payload[i] ^ key[i % 4]) : payload[i];
    return f;
}

inline std::string close_payload(uint16_t code) {
    return {static_cast<char>(code >> 8), static_cast<char>(code & 0xff)};
}

inline uint16_t close_code(const std::string& payload) {
    if (payload.size() < 2) return 0;
    return static_cast<uint16_t>((static_cast<uint8_t>(payload[0]) << 8) |
                                 static_cast<uint8_t>(payload[1]));
}

struct frame {
    uint8_t opcode = 0xff;
    bool fin = false;
    std::string payload;
};

// One server frame; opcode 0xff if the stream ended first. Server frames
// must not be masked.
inline frame read_frame(test_client& c) {
    frame f;
    const std::string h = c.read_exactly(2);
    if (h.size() < 2) return f;
    const auto b0 = static_cast<uint8_t>(h[0]), b1 = static_cast<uint8_t>(h[1]);
    EXPECT_EQ(b1 & 0x80, 0) << "server frames are never masked";
    uint64_t n = b1 & 0x7f;
    if (n >= 126) {
        const std::string ext = c.read_exactly(n == 126 ? 2 : 8);
        n = 0;
        for (char ch : ext) n = (n << 8) | static_cast<uint8_t>(ch);
    }
    f.payload = c.read_exactly(n);
    if (f.payload.size() != n) return f;
    f.opcode = b0 & 0x0f;
    f.fin = (b0 & 0x80) != 0;
    return f;
}

// Reads binary frames until `n` payload bytes arrived; control frames seen
// on the way go to `control`.
inline std::string read_binary(test_client& c, size_t n, std::vector<frame>* control = nullptr) {
    std::string out;
    while (out.size() < n) {
        frame f = read_frame(c);
        if (f.opcode == 0xff) break;
        if (f.opcode == op_binary || f.opcode == op_continuation) {
            out += f.payload;
        } else {
            EXPECT_NE(f.opcode, op_text);
            if (control) control->push_back(f);
        }
    }
    return out;
}

inline std::string upgrade_request(std::string_view path = "/mqtt",
                                   std::string_view protocols = "mqtt") {
    std::string req = "GET " + std::string(path) +
                      " HTTP/1.1\r\n"
                      "Host: 127.0.0.1\r\n"
                      "Upgrade: websocket\r\n"
                      "Connection: Upgrade\r\n"
                      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                      "Sec-WebSocket-Version: 13\r\n";
    if (!protocols.empty()) req += "Sec-WebSocket-Protocol: " + std::string(protocols) + "\r\n";
    return req + "\r\n";
}

// Connects and upgrades; returns the response head.
inline std::string handshake(test_client& c, std::string_view path = "/mqtt",
                             std::string_view protocols = "mqtt") {
    c.write(upgrade_request(path, protocols));
    return c.read_until("\r\n\r\n");
}

}  // namespace robust::net::test
