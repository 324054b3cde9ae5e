#include "ws_handshake.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cctype>
#include <map>

namespace robust::net::detail {
namespace {

constexpr std::string_view ws_guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

// Splits a comma-separated header value into trimmed, non-empty elements.
std::vector<std::string_view> split_list(std::string_view v) {
    std::vector<std::string_view> out;
    while (!v.empty()) {
        const size_t comma = v.find(',');
        const auto item = trim(v.substr(0, comma));
        if (!item.empty()) out.push_back(item);
        if (comma == std::string_view::npos) break;
        v.remove_prefix(comma + 1);
    }
    return out;
}

bool has_token(std::string_view list, std::string_view token) {
    for (auto item : split_list(list)) {
        if (lower(item) == token) return true;
    }
    return false;
}

bool is_base64_nonce(std::string_view key) {
    // base64 of 16 random bytes [RFC 6455 4.1]: 22 characters and "==".
    if (key.size() != 24 || key.substr(22) != "==") return false;
    return std::all_of(key.begin(), key.begin() + 22, [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/';
    });
}

std::string_view status_text(int status) {
    switch (status) {
        case 101:
            return "Switching Protocols";
        case 400:
            return "Bad Request";
        case 404:
            return "Not Found";
        case 405:
            return "Method Not Allowed";
        case 426:
            return "Upgrade Required";
        case 431:
            return "Request Header Fields Too Large";
        default:
            return "Error";
    }
}

ws_upgrade refuse(int status, std::string reason, std::string_view extra_headers = {}) {
    ws_upgrade r;
    r.status = status;
    r.response = http_error_response(status, extra_headers);
    r.reason = std::move(reason);
    return r;
}

}  // namespace

std::string http_error_response(int status, std::string_view extra_headers) {
    const std::string body = std::to_string(status) + " " + std::string(status_text(status)) + "\n";
    std::string out =
        "HTTP/1.1 " + std::to_string(status) + " " + std::string(status_text(status)) +
        "\r\nContent-Type: text/plain\r\nContent-Length: " + std::to_string(body.size()) +
        "\r\nConnection: close\r\n";
    out += extra_headers;
    out += "\r\n";
    out += body;
    return out;
}

std::string ws_accept_key(std::string_view client_key) {
    const std::string input = std::string(client_key) + std::string(ws_guid);
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digest_len = 0;
    EVP_Digest(input.data(), input.size(), digest, &digest_len, EVP_sha1(), nullptr);
    // 20 bytes -> 28 base64 characters plus the terminating NUL.
    unsigned char encoded[4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 1];
    const int n = EVP_EncodeBlock(encoded, digest, static_cast<int>(digest_len));
    return std::string(reinterpret_cast<const char*>(encoded), static_cast<size_t>(n));
}

ws_upgrade answer_upgrade(std::string_view head, std::string_view path,
                          const std::vector<std::string>& subprotocols) {
    // Request line: METHOD SP request-target SP HTTP-version.
    const size_t eol = head.find('\n');
    const std::string_view request_line = trim(head.substr(0, eol));
    const size_t sp1 = request_line.find(' ');
    const size_t sp2 = request_line.rfind(' ');
    if (sp1 == std::string_view::npos || sp2 == sp1) {
        return refuse(400, "malformed request line");
    }
    const std::string_view method = request_line.substr(0, sp1);
    const std::string_view target = request_line.substr(sp1 + 1, sp2 - sp1 - 1);
    const std::string_view version = request_line.substr(sp2 + 1);
    if (version != "HTTP/1.1") return refuse(400, "not HTTP/1.1");
    if (method != "GET") return refuse(405, "method " + std::string(method), "Allow: GET\r\n");
    const std::string_view target_path = target.substr(0, target.find('?'));
    if (target_path != path) return refuse(404, "path " + std::string(target_path));

    // Header names are case-insensitive; a repeated header is one list.
    std::map<std::string, std::string> headers;
    std::string_view rest =
        eol == std::string_view::npos ? std::string_view() : head.substr(eol + 1);
    while (!rest.empty()) {
        const size_t nl = rest.find('\n');
        const std::string_view line = trim(rest.substr(0, nl));
        rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
        if (line.empty()) break;
        const size_t colon = line.find(':');
        if (colon == std::string_view::npos || colon == 0) return refuse(400, "malformed header");
        auto& value = headers[lower(line.substr(0, colon))];
        if (!value.empty()) value += ", ";
        value += trim(line.substr(colon + 1));
    }
    auto header = [&headers](const char* name) -> std::string_view {
        auto it = headers.find(name);
        return it == headers.end() ? std::string_view() : std::string_view(it->second);
    };

    if (!has_token(header("upgrade"), "websocket")) return refuse(400, "no Upgrade: websocket");
    if (!has_token(header("connection"), "upgrade")) return refuse(400, "no Connection: Upgrade");
    if (trim(header("sec-websocket-version")) != "13") {
        return refuse(426, "Sec-WebSocket-Version " + std::string(header("sec-websocket-version")),
                      "Sec-WebSocket-Version: 13\r\n");
    }
    const std::string_view key = trim(header("sec-websocket-key"));
    if (!is_base64_nonce(key)) return refuse(400, "bad Sec-WebSocket-Key");

    ws_upgrade r;
    const auto offered = split_list(header("sec-websocket-protocol"));
    for (const auto& ours : subprotocols) {
        if (std::find(offered.begin(), offered.end(), ours) != offered.end()) {
            r.subprotocol = ours;
            break;
        }
    }
    r.accepted = true;
    r.status = 101;
    r.response =
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Accept: " +
        ws_accept_key(key) + "\r\n";
    if (!r.subprotocol.empty()) r.response += "Sec-WebSocket-Protocol: " + r.subprotocol + "\r\n";
    r.response += "\r\n";
    return r;
}

size_t encode_frame_header(uint8_t opcode, uint64_t payload_length,
                           std::array<uint8_t, 10>& out) noexcept {
    out[0] = static_cast<uint8_t>(0x80 | (opcode & 0x0f));  // FIN, no RSV bits
    if (payload_length < 126) {
        out[1] = static_cast<uint8_t>(payload_length);  // MASK bit clear: server frames
        return 2;
    }
    if (payload_length <= 0xffff) {
        out[1] = 126;
        out[2] = static_cast<uint8_t>(payload_length >> 8);
        out[3] = static_cast<uint8_t>(payload_length);
        return 4;
    }
    out[1] = 127;
    for (int i = 0; i < 8; ++i) out[2 + i] = static_cast<uint8_t>(payload_length >> (56 - 8 * i));
    return 10;
}

}  // namespace robust::net::detail
