#pragma once
// connection: one Kafka client connection. Reads size-prefixed requests,
// hands each to its handler (handlers/, one file per API) and writes the
// responses in request order, as the protocol requires, even though
// handlers finish out of order (a Produce waits for the journal, a Fetch
// may wait for data, a JoinGroup for the other members).
//
// Created by server_impl on the pool thread its transport lives on and
// owned by shared_ptr (the server's set and pending callbacks); every
// method except request::respond() runs on that thread. A request that
// cannot be framed or parsed closes this connection alone, with a log line.

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "auth/service.h"
#include "kafka/codec/api.h"
#include "net/transport.h"

namespace robust::kafka {

class server_impl;
class connection;

/// One request in flight: its bytes, its header, and the way back.
class request {
public:
    request(std::shared_ptr<connection> conn, std::shared_ptr<const std::string> bytes,
            codec::request_header header, size_t body_offset, uint64_t seq)
        : conn_(std::move(conn)),
          bytes_(std::move(bytes)),
          header_(std::move(header)),
          body_offset_(body_offset),
          seq_(seq) {}

    const codec::request_header& header() const { return header_; }
    int16_t version() const { return header_.api_version; }
    /// The body after the header; valid as long as this request (copies
    /// share the bytes).
    std::span<const std::byte> body() const {
        return std::as_bytes(std::span(*bytes_)).subspan(body_offset_);
    }
    connection& conn() const { return *conn_; }
    std::shared_ptr<connection> conn_ptr() const { return conn_; }

    /// Sends the response: `encode(writer&)` writes the body; the header
    /// is added here. Any thread; the write happens on the connection's.
    template <class Encode>
    void respond(Encode&& encode) const {
        codec::writer w(header_.flexible);
        codec::write_response_header(w, static_cast<codec::api_key>(header_.api_key),
                                     header_.api_version, header_.correlation_id);
        encode(w);
        complete(codec::frame(w.take()));
    }
    /// Sends bytes that are already a whole framed response.
    void respond_raw(std::string framed) const { complete(std::move(framed)); }
    /// Finishes without a response (Produce with acks = 0).
    void no_response() const { complete(std::nullopt); }

private:
    void complete(std::optional<std::string> framed) const;

    std::shared_ptr<connection> conn_;
    std::shared_ptr<const std::string> bytes_;
    codec::request_header header_;
    size_t body_offset_ = 0;
    uint64_t seq_ = 0;
};

class connection : public std::enable_shared_from_this<connection> {
public:
    connection(server_impl& server, std::unique_ptr<net::transport> t);
    ~connection();

    void start();
    /// Closes at once (pending responses are dropped).
    void close(std::string_view why);

    const std::string& peer() const { return peer_; }
    /// The address the client reached us on (Metadata's default host).
    const std::string& local_host() const { return local_host_; }
    uint16_t local_port() const { return local_port_; }
    const std::string& listener() const { return listener_; }
    asio::io_context& context() { return transport_->context(); }
    server_impl& server() { return server_; }

    /// Who the client is: anonymous until SASL authenticates it.
    const auth::identity& identity() const { return identity_; }
    void set_identity(auth::identity id) {
        identity_ = std::move(id);
        acl_.clear();
    }
    /// SASL progress, owned by the SASL handlers.
    struct sasl_state {
        std::string mechanism;  // chosen by SaslHandshake; empty = none yet
        bool authenticated = false;
        /// SaslHandshake v0 was accepted: until authentication ends, frames
        /// are bare SASL tokens (no request header) and so are the replies
        /// (Kafka before KIP-152; kafka-python 2.0 still does this).
        bool raw_tokens = false;
        /// The SCRAM exchange between its two client messages, and the user
        /// name the client sent in the first.
        std::optional<auth::scram::server_exchange> scram;
        std::string scram_user;
        bool scram_usable = false;
        std::string client_id;  // from the SaslHandshake header (raw tokens have none)
    };
    sasl_state& sasl() { return sasl_; }
    /// The connection's cache of ACL answers (auth::decision_cache), for the
    /// handlers that check topics; it is cleared when the identity changes.
    auth::decision_cache& acl() { return acl_; }
    /// Whether auth.anonymous lets this client in without SASL: asked once,
    /// at its first request that needs it.
    std::optional<bool>& anonymous_allowed() { return anonymous_allowed_; }

    /// Called by request::complete on this connection's thread.
    void finish(uint64_t seq, std::optional<std::string> framed);

private:
    struct slot {
        uint64_t seq = 0;
        bool done = false;
        std::optional<std::string> response;
    };

    void read_more();
    void on_read(std::error_code ec, size_t n);
    /// Handles every whole request in the buffer.
    void process_input();
    void dispatch(std::shared_ptr<const std::string> bytes);
    /// A bare SASL token (sasl_state::raw_tokens).
    void dispatch_raw_token(std::shared_ptr<const std::string> bytes);
    void flush();
    void on_written(std::error_code ec);

    server_impl& server_;
    std::unique_ptr<net::transport> transport_;
    std::string peer_;
    std::string listener_;
    std::string local_host_;
    uint16_t local_port_ = 0;
    auth::identity identity_;
    sasl_state sasl_;
    auth::decision_cache acl_;
    std::optional<bool> anonymous_allowed_;

    std::vector<char> read_buf_;
    std::string input_;     // bytes received and not yet framed
    size_t input_pos_ = 0;  // start of the unread part of input_
    bool reading_ = false;
    bool closed_ = false;

    uint64_t next_seq_ = 0;
    std::deque<slot> slots_;  // requests in arrival order, until written
    std::vector<std::string> writing_;
    bool write_in_flight_ = false;
};

}  // namespace robust::kafka
