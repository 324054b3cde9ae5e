#pragma once
// listener: accepts connections on one address and hands each one, as a
// transport, to a protocol on one of the io_pool's threads.
//
// Who creates/stops it: the composition root (main) or a protocol service,
// with listener::start(); stop() (or the destructor) stops accepting.
// Connections already handed out are not affected: they belong to whoever
// on_accept gave them to. The io_pool must outlive the listener and every
// transport it produced.
//
// Threading: start(), stop(), port() and connections() may be called from
// any thread (stop() not from on_accept). Accepting runs on a thread of the
// listener's own; each new connection is placed on io_pool::pick()'s
// context, where the TLS handshake and the WebSocket upgrade run and
// on_accept is called. So
// on_accept runs concurrently on several pool threads and must be
// thread-safe; it owns the transport it is given.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/result.h"
#include "net/io_pool.h"
#include "net/tls.h"
#include "net/transport.h"

namespace robust::net {

struct listener_options {
    std::string name;              // for logs, e.g. "mqtt-tcp"
    std::string bind = "0.0.0.0";  // IPv4 or IPv6 address literal
    int port = 0;                  // 0 = the OS picks one (see listener::port()); 1..65535
    // Refer to the values as listener_options::kind::tcp etc.
    //   tcp        plain TCP                        transport kind "tcp"
    //   websocket  WebSocket over TCP (ws_*)        "ws"
    //   tls        TLS over TCP (needs `tls`)       "tls"
    //   wss        WebSocket over TLS (`tls`, ws_*) "wss"
    enum class kind { tcp, websocket, tls, wss } kind = kind::tcp;
    // Live connections (including TLS and WebSocket handshakes in
    // progress). When reached, new connections are accepted and closed at
    // once.
    size_t max_connections = 1'000'000;

    // tls and wss only (required there): the server context, from
    // make_tls_context() (tls.h). Shared by listeners and kept alive by
    // their connections.
    std::shared_ptr<asio::ssl::context> tls;
    // tls, wss and websocket: accept -> TLS handshake done -> HTTP upgrade
    // done, all within this time, or the connection is closed.
    uint32_t handshake_timeout_ms = 10'000;

    // websocket and wss only.
    std::string ws_path = "/mqtt";  // request path that is upgraded; others get 404
    // Offered subprotocols we accept, in our order of preference; the first
    // one the client also offers is echoed in Sec-WebSocket-Protocol. MQTT
    // clients offer "mqtt" (3.1.1, 5) or "mqttv3.1" (3.1).
    std::vector<std::string> ws_subprotocols = {"mqtt", "mqttv3.1"};
    size_t max_ws_header_bytes = 8 * 1024;  // HTTP request head; larger gets 431
    // Largest single frame accepted (close 1009 beyond). A frame may hold
    // several protocol packets, so keep this at or above the protocol's own
    // packet limit (mqtt.max_packet_size) plus some slack.
    size_t max_ws_frame = 1024 * 1024 + 64 * 1024;
};

class listener {
public:
    using accept_handler = std::function<void(std::unique_ptr<transport>)>;

    /// Binds, listens and starts accepting. Errors (each also logged with
    /// the listener's name and address): invalid_argument for a bad address,
    /// port or limit, or tls/wss without a `tls` context; the OS error for
    /// socket/bind/listen failures, e.g. std::errc::address_in_use when the
    /// port is taken.
    static result<std::unique_ptr<listener>> start(io_pool& pool, listener_options options,
                                                   accept_handler on_accept);

    ~listener();
    listener(const listener&) = delete;
    listener& operator=(const listener&) = delete;

    /// The bound port (the real one when options.port was 0).
    uint16_t port() const noexcept { return port_; }

    /// Live connections: accepted and not yet destroyed.
    size_t connections() const noexcept;

    /// Stops accepting and closes the listening socket; returns once the
    /// accept thread has exited. Idempotent. Connections already given to
    /// on_accept stay; after stop() returns on_accept is never called again,
    /// so connections still in their TLS handshake or WebSocket upgrade are
    /// closed instead (when that finishes or times out).
    void stop();

    /// The options it was started with.
    const listener_options& options() const noexcept;

private:
    struct state;  // the accept thread and its socket; defined in listener.cc

    explicit listener(std::shared_ptr<state> s, uint16_t port);

    std::shared_ptr<state> state_;
    uint16_t port_;
};

}  // namespace robust::net
