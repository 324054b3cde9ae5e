#pragma once
// connection: one MQTT network connection — reads bytes from its transport,
// decodes packets, runs the handler for each (handle_*.cc, one file per
// spec area), and writes what the session and handlers send.
//
// Created by broker_impl::accept on the worker thread its transport lives
// on, owned by shared_ptr (the worker's set and pending I/O callbacks);
// every method runs on that thread. A protocol violation closes this
// connection alone (MQTT 5: DISCONNECT with the reason code first).

#include <asio/steady_timer.hpp>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "auth/service.h"
#include "base/lazy_deque.h"
#include "message.h"
#include "mqtt/broker.h"
#include "mqtt/codec/codec.h"
#include "net/transport.h"
#include "worker.h"

namespace robust::mqtt {

class session;

class connection : public std::enable_shared_from_this<connection> {
public:
    connection(worker& w, std::unique_ptr<net::transport> t);
    ~connection();

    void start();
    /// The worker's periodic check (worker::sweep, about once a second):
    /// gives idle buffers back (write buffers; on plain TCP the read
    /// buffer too), and tells
    /// whether the connect timeout (before CONNECT) or the keep alive
    /// (after it) has run out; expire() then closes the connection.
    bool sweep(int64_t now_ms);
    void expire();
    /// Server-initiated disconnect: DISCONNECT with `reason` to MQTT 5
    /// clients (after CONNACK only), then close once it is written.
    void disconnect(uint8_t reason, std::string_view why);
    /// Another connection took the session over [MQTT-3.1.4-3]: DISCONNECT
    /// 0x8E and close; the session is left to the hand-over.
    void kick_for_takeover();
    /// Closes at once, without a DISCONNECT.
    void close(std::string_view why);
    /// An operator's kick (admin API): DISCONNECT 0x98 Administrative
    /// action to MQTT 5 clients; with `end_session` the session ends too,
    /// whatever its expiry interval.
    void kick(bool end_session);

    bool connected() const { return state_ == state::connected; }
    codec::protocol_version version() const { return version_; }
    const std::string& peer() const { return peer_; }
    const auth::identity& identity() const { return identity_; }
    /// What the admin API shows about this connection (on its thread).
    client_info info() const;
    worker& owner() { return worker_; }

    // --- what the session sends --------------------------------------------
    /// Encodes a PUBLISH for this client (topic alias, max packet size).
    /// Returns false when the client's Maximum Packet Size forbids it (the
    /// message is then discarded as if delivered [MQTT-3.1.2-25]).
    bool send_publish(codec::publish& p);
    void send(const codec::packet& p);
    /// Outbound QoS 0 messages are dropped when this many bytes are unsent.
    bool send_queue_full() const;
    uint16_t client_receive_maximum() const { return client_receive_maximum_; }

private:
    enum class state { awaiting_connect, connecting, connected, closing, closed };

    void read_more();
    /// Readiness-based reading (plain TCP): reads what is there into in_.
    void read_available(std::error_code ec);
    void on_read(std::error_code ec, size_t n);
    /// "connect timeout" or "keep alive timeout" once either has run out.
    const char* expiry_reason(int64_t now_ms) const;
    /// Decodes and handles every whole packet in the buffer.
    void process_input();
    void process_buffered();
    void handle(codec::packet&& p);
    void flush();
    void on_written(std::error_code ec, size_t n);
    void on_closed();
    /// Detaches the session; publishes or schedules the will; ends or keeps
    /// the session by its expiry interval.
    void release_session();
    void protocol_violation(const codec::decode_error& e);

    // handle_connect.cc
    void handle_connect(codec::connect& c);
    /// Runs auth::service::authenticate (off this thread when it may need
    /// the password KDF) and continues with on_authenticated here.
    void authenticate(auth::credentials creds);
    void on_authenticated(auth::authentication a);
    void refuse_connect(uint8_t reason_v5, std::string_view why);
    void finish_connect(std::unique_ptr<session> resumed);
    message_ptr make_will() const;
    // handle_publish.cc
    void handle_publish(codec::publish& p);
    void complete_publishes();
    void handle_pubrel(const codec::pubrel& p);
    // handle_subscribe.cc
    void handle_subscribe(codec::subscribe& s);
    void handle_unsubscribe(codec::unsubscribe& u);
    // handle_disconnect.cc
    void handle_disconnect(const codec::disconnect& d);
    void handle_auth(const codec::auth& a);

    worker& worker_;
    std::unique_ptr<net::transport> transport_;
    std::string peer_;
    state state_ = state::awaiting_connect;
    codec::protocol_version version_ = codec::protocol_version::v5;
    codec::decode_limits limits_;

    // Input. A plain-TCP connection with no partial packet holds no buffer
    // while it waits (read_more, sweep).
    std::vector<std::byte> in_;
    size_t in_len_ = 0;
    bool reading_ = false;
    bool drained_ = false;           // the last read found the socket empty
    bool processing_input_ = false;  // process_input() is on the stack
    // Reading paused by back-pressure (read_more); made on first use, so an
    // idle connection does not pay for it.
    std::unique_ptr<asio::steady_timer> pause_timer_;

    // Output: packets are encoded into out_; while a write is in flight,
    // new packets gather in out_ and go in the next write.
    std::string out_;
    std::string writing_;
    bool write_in_flight_ = false;
    bool close_after_write_ = false;

    // Keep alive [MQTT-3.1.2-22]: close after 1.5 x keep alive of silence
    // (checked by sweep()).
    uint16_t keep_alive_s_ = 0;
    int64_t last_activity_ms_ = 0;

    // Who the client is (auth/; the client id from CONNECT on), and its
    // cached ACL answers.
    auth::identity identity_;
    auth::decision_cache acl_;
    int64_t connected_at_ms_ = 0;  // accept time until CONNECT completes

    // Session.
    session* session_ = nullptr;
    std::unique_ptr<codec::will_message> will_;  // 500+ bytes: only when there is one
    bool will_suppressed_ = false;               // normal DISCONNECT received
    bool taken_over_ = false;
    bool assigned_client_id_ = false;
    bool clean_start_ = true;
    uint32_t session_expiry_s_ = 0;
    uint32_t requested_expiry_s_ = 0;
    uint16_t requested_keep_alive_s_ = 0;

    // MQTT 5 limits the client announced.
    uint16_t client_receive_maximum_ = 65535;
    uint32_t client_max_packet_size_ = 0;  // 0: no limit
    uint16_t client_topic_alias_max_ = 0;
    bool request_problem_information_ = true;
    // Topic aliases, made on first use: most clients use none.
    struct topic_aliases {
        std::unordered_map<std::string, uint16_t> out;  // topic -> alias we assigned
        std::unordered_map<uint16_t, std::string> in;   // alias -> topic the client set
    };
    topic_aliases& aliases() {
        if (!aliases_) aliases_ = std::make_unique<topic_aliases>();
        return *aliases_;
    }
    std::unique_ptr<topic_aliases> aliases_;

    // Inbound publishes in arrival order: QoS 1/2 ones wait for the journal,
    // and later ones (any QoS) wait behind them so subscribers see the
    // publisher's order [MQTT-4.6.0-5].
    struct inbound {
        std::shared_ptr<prepared_publish> pub;
        codec::qos_level qos;
        uint16_t packet_id;
        bool denied = false;  // refused by the ACL: acknowledged, not delivered
    };
    lazy_deque<inbound> inbound_;
    uint32_t inbound_qos1_pending_ = 0;  // QoS 1 received, PUBACK not yet sent
};

}  // namespace robust::mqtt
