#pragma once
// The pure parts of WebSocket (RFC 6455) that wslay does not do: answering
// the HTTP upgrade request and encoding a server data-frame header. No
// sockets, clocks or logging, so they are unit-tested byte by byte.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace robust::net::detail {

/// The answer to one upgrade request.
struct ws_upgrade {
    bool accepted = false;    // true: `response` is a 101 and frames follow
    int status = 0;           // HTTP status sent
    std::string response;     // the complete HTTP response head (and body)
    std::string subprotocol;  // the one echoed, or empty
    std::string reason;       // why it was refused, for the log
};

/// Answers the request head `head` (request line and headers, up to and
/// including the empty line). Refusals: 405 (not GET), 404 (path is not
/// `path`; the query string is ignored), 426 (Sec-WebSocket-Version is not
/// 13), 400 (anything else malformed or missing). The subprotocol echoed is
/// the first of `subprotocols` (our preference order) that the client
/// offers; if it offers none of them, none is echoed and the client decides.
ws_upgrade answer_upgrade(std::string_view head, std::string_view path,
                          const std::vector<std::string>& subprotocols);

/// An HTTP error response that closes the connection, e.g. 431.
std::string http_error_response(int status, std::string_view extra_headers = {});

/// Sec-WebSocket-Accept for a Sec-WebSocket-Key: base64(SHA-1(key + GUID))
/// [RFC 6455 4.2.2].
std::string ws_accept_key(std::string_view client_key);

/// Writes the header of an unmasked, final server frame [RFC 6455 5.2] and
/// returns its length (2, 4 or 10 bytes).
size_t encode_frame_header(uint8_t opcode, uint64_t payload_length,
                           std::array<uint8_t, 10>& out) noexcept;

}  // namespace robust::net::detail
