#pragma once
// The socket part of the integration tests' protocol clients: a blocking
// TCP connection to 127.0.0.1:port with TCP_NODELAY, and writing all bytes.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

#include "base/clock.h"

namespace robust::test {

/// A connected socket; `recv_buffer` > 0 shrinks its receive buffer first
/// (for tests of a client that does not read). Throws when it cannot connect.
inline int connect_loopback(uint16_t port, int recv_buffer = 0) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (recv_buffer > 0) ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &recv_buffer, sizeof recv_buffer);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(fd);
        throw std::runtime_error("connect failed");
    }
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

/// False when the peer closed the connection before all was sent.
inline bool send_all(int fd, std::string_view bytes) {
    size_t off = 0;
    while (off < bytes.size()) {
        ssize_t n = ::send(fd, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
        if (n <= 0) return false;
        off += size_t(n);
    }
    return true;
}

/// Waits until `deadline_ms` (unix ms) for bytes and appends what arrives
/// to `buf`. False on timeout, or when the peer closed (then `closed` is set).
inline bool receive_some(int fd, std::string& buf, int64_t deadline_ms, bool& closed) {
    const int64_t left = deadline_ms - now_unix_ms();
    if (left <= 0) return false;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, int(left)) <= 0) return false;
    char tmp[65536];
    ssize_t n = ::recv(fd, tmp, sizeof tmp, 0);
    if (n <= 0) {
        closed = true;
        return false;
    }
    buf.append(tmp, size_t(n));
    return true;
}

}  // namespace robust::test
