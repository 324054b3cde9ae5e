#pragma once
// A minimal blocking MQTT client on our own codec, for integration tests:
// POSIX socket, poll() with timeouts, no threads. Not for production use.

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
#include <vector>

#include "base/clock.h"
#include "loopback_socket.h"
#include "mqtt/codec/codec.h"

namespace robust::test {

namespace codec = mqtt::codec;

class test_client {
public:
    /// `recv_buffer` > 0 shrinks the socket's receive buffer (set before
    /// connecting), for tests of a client that does not read.
    test_client(uint16_t port, codec::protocol_version v = codec::protocol_version::v5,
                int recv_buffer = 0)
        : fd_(connect_loopback(port, recv_buffer)), version_(v) {}
    ~test_client() {
        if (fd_ >= 0) ::close(fd_);
    }
    test_client(const test_client&) = delete;

    void send_raw(std::string_view bytes) {
        if (!try_send_raw(bytes)) throw std::runtime_error("send failed");
    }
    /// False when the server closed the connection before all was sent.
    bool try_send_raw(std::string_view bytes) { return send_all(fd_, bytes); }
    void send(const codec::packet& p) {
        std::string out;
        codec::encode(p, version_, out);
        send_raw(out);
    }

    /// The next packet, or nullopt on timeout or when the server closed.
    std::optional<codec::packet> receive(
        std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
        const int64_t deadline = now_unix_ms() + timeout.count();
        for (;;) {
            codec::decode_limits limits;
            limits.max_packet_size = 256 * 1024 * 1024;
            auto bytes = std::span<const std::byte>(reinterpret_cast<const std::byte*>(buf_.data()),
                                                    buf_.size());
            auto h = codec::decode_fixed_header(bytes, limits);
            if (h.ok() && bytes.size() >= h.value->packet_size()) {
                auto d = codec::decode(bytes.first(h.value->packet_size()), version_, limits);
                if (!d.ok())
                    throw std::runtime_error(std::string("bad packet from server: ") +
                                             d.error.rule);
                buf_.erase(0, d.value->consumed);
                return std::move(d.value->pkt);
            }
            if (!receive_some(fd_, buf_, deadline, closed_)) return std::nullopt;
        }
    }

    template <class T>
    T expect(std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
        auto p = receive(timeout);
        if (!p) throw std::runtime_error("no packet received (timeout or closed)");
        if (!std::holds_alternative<T>(*p)) {
            throw std::runtime_error("unexpected packet type " +
                                     std::to_string(int(codec::type_of(*p))));
        }
        return std::get<T>(std::move(*p));
    }

    codec::connack connect(codec::connect c) {
        c.version = version_;
        send(codec::packet(std::move(c)));
        return expect<codec::connack>();
    }
    codec::connack connect(const std::string& client_id, bool clean_start = true,
                           uint32_t session_expiry = 0) {
        codec::connect c;
        c.client_id = client_id;
        c.clean_start = clean_start;
        c.keep_alive = 60;
        if (session_expiry != 0) c.props.session_expiry_interval = session_expiry;
        return connect(std::move(c));
    }

    codec::suback subscribe(const std::string& filter, codec::qos_level q, uint16_t id = 1) {
        codec::subscribe s;
        s.packet_id = id;
        codec::subscription sub;
        sub.filter = filter;
        sub.options.max_qos = q;
        s.subscriptions.push_back(sub);
        send(codec::packet(std::move(s)));
        return expect<codec::suback>();
    }

    /// Publishes and completes the QoS flow from the publisher's side.
    void publish(const std::string& topic, std::string payload, codec::qos_level q, uint16_t id = 1,
                 bool retain = false) {
        codec::publish p;
        p.topic = topic;
        p.payload = shared_buffer(std::move(payload));
        p.qos = q;
        p.retain = retain;
        p.packet_id = q == codec::qos_level::at_most_once ? 0 : id;
        send(codec::packet(std::move(p)));
        if (q == codec::qos_level::at_least_once) {
            auto ack = expect<codec::puback>();
            if (ack.packet_id != id) throw std::runtime_error("PUBACK for the wrong id");
        } else if (q == codec::qos_level::exactly_once) {
            auto rec = expect<codec::pubrec>();
            codec::pubrel rel;
            rel.packet_id = rec.packet_id;
            send(rel);
            expect<codec::pubcomp>();
        }
    }

    /// Receives one PUBLISH and acknowledges it per its QoS.
    codec::publish receive_publish(std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
        auto p = expect<codec::publish>(timeout);
        if (p.qos == codec::qos_level::at_least_once) {
            codec::puback a;
            a.packet_id = p.packet_id;
            send(a);
        } else if (p.qos == codec::qos_level::exactly_once) {
            codec::pubrec r;
            r.packet_id = p.packet_id;
            send(r);
            expect<codec::pubrel>();
            codec::pubcomp c;
            c.packet_id = p.packet_id;
            send(c);
        }
        return p;
    }

    void disconnect() { send(codec::disconnect{}); }
    /// DISCONNECT, then waits until the server has closed the connection:
    /// by then it has handled everything sent before (PUBACKs included).
    bool disconnect_and_wait_closed(std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
        disconnect();
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (!closed_ && std::chrono::steady_clock::now() < deadline) {
            receive(std::chrono::milliseconds(100));
        }
        return closed_;
    }
    bool closed() const { return closed_; }

private:
    int fd_ = -1;
    codec::protocol_version version_;
    std::string buf_;
    bool closed_ = false;
};

}  // namespace robust::test
