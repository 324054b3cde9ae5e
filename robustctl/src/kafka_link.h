#pragma once
// One TCP connection to one Kafka broker for robustctl's Kafka bench: a
// kafka_session (Sans-I/O framing and response matching) under an asio
// driver with one read always pending and one write in flight; requests
// encoded meanwhile are batched behind it, so any number may be pipelined.
// On a socket or protocol error every waiting handler is called once with
// the error; close() drops them uncalled (which also breaks the reference
// cycles of handlers that hold their owner).
//
// Created with make_shared by its owner on the thread that runs `io`; every
// method runs on that thread. Kept alive by its owner and by its pending
// asio operations.

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>

#include "kafka/codec/error_code.h"
#include "kafka_session.h"

namespace robust::ctl {

class kafka_link : public std::enable_shared_from_this<kafka_link> {
public:
    /// `response` is null when `ec` is set; valid only during the call.
    using response_handler = std::function<void(std::error_code ec, kafka_response* response)>;

    kafka_link(asio::io_context& io, std::string client_id);

    /// Resolves `host` and connects; `done` gets the error, if any. The
    /// read loop starts once connected.
    void connect(const std::string& host, uint16_t port, std::function<void(std::error_code)> done);

    /// Sends a request (see kafka_session::request); `on_response` gets its
    /// answer, or the connection's error. Without a handler (Produce acks =
    /// 0) no answer is awaited. Does nothing once the link has failed.
    template <class Encode>
    void send(kafka::codec::api_key key, int16_t version, Encode&& encode,
              response_handler on_response) {
        if (failed_) return;
        session_.request(key, version, std::forward<Encode>(encode), bool(on_response));
        if (on_response) handlers_.push_back(std::move(on_response));
        flush();
    }

    /// Called after each completed write (a producer's pump).
    void on_written(std::function<void()> f) { on_written_ = std::move(f); }

    bool usable() const { return !failed_; }
    size_t awaiting() const { return handlers_.size(); }
    size_t queued_bytes() const { return session_.output_size() + writing_buf_.size(); }

    /// Closes the socket; handlers still waiting are dropped uncalled.
    void close();

private:
    void read();
    void on_bytes(size_t n);
    void flush();
    void fail(std::error_code ec);

    asio::ip::tcp::resolver resolver_;
    asio::ip::tcp::socket socket_;
    kafka_session session_;
    std::vector<std::byte> buffer_;
    std::deque<response_handler> handlers_;
    std::function<void()> on_written_;
    std::string writing_buf_;
    bool writing_ = false;
    bool failed_ = false, closed_ = false;
};

/// SASL PLAIN over `link` (SaslHandshake v1, then SaslAuthenticate v1).
/// `done(error, refused)`: an empty error on success; refused is true when
/// the broker said no (rather than the connection failing).
void authenticate(const std::shared_ptr<kafka_link>& link, const std::string& user,
                  const std::string& password,
                  std::function<void(std::string error, bool refused)> done);

/// "NAME (code)" of a Kafka error code, e.g. "NOT_LEADER_OR_FOLLOWER (6)".
std::string kafka_error_text(kafka::codec::error_code e);

}  // namespace robust::ctl
