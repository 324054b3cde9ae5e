#pragma once
// A minimal blocking Kafka client on our own codec, for integration tests:
// POSIX socket, poll() with timeouts, one request at a time. Not for
// production use.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>

#include "base/clock.h"
#include "base/shared_buffer.h"
#include "kafka/codec/api.h"
#include "loopback_socket.h"

namespace robust::test {

class kafka_client {
public:
    explicit kafka_client(uint16_t port) : fd_(connect_loopback(port)) {}
    ~kafka_client() {
        if (fd_ >= 0) ::close(fd_);
    }
    kafka_client(const kafka_client&) = delete;

    void send_raw(std::string_view bytes) {
        if (!send_all(fd_, bytes)) throw std::runtime_error("send failed");
    }

    /// Sends a request: header v1/v2 as the API and version ask, then the
    /// body `encode(writer&)` writes. Returns its correlation id.
    template <class Encode>
    int32_t send(kafka::codec::api_key key, int16_t version, Encode&& encode) {
        namespace kc = kafka::codec;
        const bool flexible = kc::is_flexible(key, version);
        kc::writer w(flexible);
        w.i16(static_cast<int16_t>(key));
        w.i16(version);
        const int32_t id = ++correlation_;
        w.i32(id);
        w.classic_nullable_string(std::string("it-client"));
        w.tagged_fields();
        encode(w);
        send_raw(kc::frame(w.take()));
        return id;
    }

    /// The body of the next response (after its correlation id and, for a
    /// flexible response, its tagged fields), or nullopt on timeout/close.
    std::optional<std::string> receive(
        kafka::codec::api_key key, int16_t version,
        std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
        auto frame = receive_frame(timeout);
        if (!frame) return std::nullopt;
        size_t header = 4;
        if (key != kafka::codec::api_key::api_versions && kafka::codec::is_flexible(key, version)) {
            header += 1;  // an empty tagged-field section
        }
        return frame->substr(header);
    }

    /// One whole response frame without its size prefix.
    std::optional<std::string> receive_frame(std::chrono::milliseconds timeout) {
        const int64_t deadline = now_unix_ms() + timeout.count();
        for (;;) {
            auto size = kafka::codec::frame_size(as_bytes(buf_));
            if (size && buf_.size() >= 4 + size_t(*size)) {
                std::string out = buf_.substr(4, size_t(*size));
                buf_.erase(0, 4 + size_t(*size));
                return out;
            }
            if (!receive_some(fd_, buf_, deadline, closed_)) return std::nullopt;
        }
    }

    /// True once the server has closed the connection (waits up to timeout).
    bool wait_closed(std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
        while (!closed_) {
            if (!receive_frame(timeout)) break;
        }
        return closed_;
    }

private:
    int fd_ = -1;
    int32_t correlation_ = 0;
    std::string buf_;
    bool closed_ = false;
};

}  // namespace robust::test
