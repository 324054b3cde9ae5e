#include "kafka_link.h"

#include <asio/connect.hpp>
#include <asio/write.hpp>

#include "kafka/codec/messages/sasl_authenticate.h"
#include "kafka/codec/messages/sasl_handshake.h"
#include "kafka_bench_report.h"

namespace robust::ctl {

namespace kc = kafka::codec;
using tcp = asio::ip::tcp;

namespace {

constexpr int16_t sasl_handshake_version = 1;
constexpr int16_t sasl_authenticate_version = 1;

}  // namespace

kafka_link::kafka_link(asio::io_context& io, std::string client_id)
    : resolver_(io), socket_(io), session_(std::move(client_id)) {
    buffer_.resize(64 * 1024);
}

void kafka_link::connect(const std::string& host, uint16_t port,
                         std::function<void(std::error_code)> done) {
    resolver_.async_resolve(
        host, std::to_string(port),
        [self = shared_from_this(), done](std::error_code ec, tcp::resolver::results_type rs) {
            if (ec) return done(ec);
            if (self->closed_) return done(asio::error::operation_aborted);
            asio::async_connect(self->socket_, rs,
                                [self, done](std::error_code e, const tcp::endpoint&) {
                                    if (!e && self->closed_) e = asio::error::operation_aborted;
                                    if (e) return done(e);
                                    std::error_code ignored;
                                    self->socket_.set_option(tcp::no_delay(true), ignored);
                                    self->read();
                                    done({});
                                });
        });
}

void kafka_link::close() {
    failed_ = closed_ = true;
    handlers_.clear();
    on_written_ = nullptr;
    resolver_.cancel();
    std::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
}

void kafka_link::read() {
    socket_.async_read_some(asio::buffer(buffer_),
                            [self = shared_from_this()](std::error_code ec, size_t n) {
                                if (ec) return self->fail(ec);
                                self->on_bytes(n);
                            });
}

void kafka_link::on_bytes(size_t n) {
    std::vector<kafka_response> responses;
    const auto st = session_.receive(std::span(buffer_.data(), n), responses);
    for (auto& r : responses) {
        if (failed_ || handlers_.empty()) return;  // a handler closed this link
        auto h = std::move(handlers_.front());
        handlers_.pop_front();
        h({}, &r);
    }
    if (failed_) return;
    if (!st) return fail(st.error());
    read();
}

void kafka_link::flush() {
    if (writing_ || failed_ || session_.output_size() == 0) return;
    writing_buf_ = session_.take_output();
    writing_ = true;
    asio::async_write(socket_, asio::buffer(writing_buf_),
                      [self = shared_from_this()](std::error_code ec, size_t) {
                          self->writing_ = false;
                          self->writing_buf_.clear();
                          if (ec) return self->fail(ec);
                          if (self->on_written_) {
                              auto f = self->on_written_;  // it may close() this link
                              f();
                          }
                          self->flush();
                      });
}

void kafka_link::fail(std::error_code ec) {
    if (failed_) return;
    failed_ = true;
    std::error_code ignored;
    socket_.close(ignored);
    auto waiting = std::move(handlers_);
    handlers_.clear();
    on_written_ = nullptr;
    for (auto& h : waiting) h(ec, nullptr);
}

void authenticate(const std::shared_ptr<kafka_link>& link, const std::string& user,
                  const std::string& password,
                  std::function<void(std::string error, bool refused)> done) {
    kc::sasl_handshake_request hs{"PLAIN"};
    auto on_auth = [done](std::error_code ec, kafka_response* r) {
        if (ec) return done("SaslAuthenticate: " + ec.message(), false);
        auto resp = kc::decode_sasl_authenticate_response(r->body(), sasl_authenticate_version);
        if (!resp) return done("bad SaslAuthenticate response: " + resp.error().message(), false);
        if (resp->error_code != kc::error_code::none) {
            return done("SASL PLAIN authentication failed: " + kafka_error_text(resp->error_code) +
                            (resp->error_message ? ": " + *resp->error_message : ""),
                        true);
        }
        done({}, false);
    };
    auto on_handshake = [weak = std::weak_ptr<kafka_link>(link),
                         token = sasl_plain_token(user, password), done,
                         on_auth](std::error_code ec, kafka_response* r) {
        if (ec) return done("SaslHandshake: " + ec.message(), false);
        auto resp = kc::decode_sasl_handshake_response(r->body(), sasl_handshake_version);
        if (!resp) return done("bad SaslHandshake response: " + resp.error().message(), false);
        if (resp->error_code != kc::error_code::none) {
            std::string enabled;
            for (const auto& m : resp->mechanisms) enabled += (enabled.empty() ? "" : ", ") + m;
            return done("SASL PLAIN refused: " + kafka_error_text(resp->error_code) +
                            " (enabled: " + (enabled.empty() ? "none" : enabled) + ")",
                        true);
        }
        auto l = weak.lock();
        if (!l) return;
        kc::sasl_authenticate_request a{token};
        l->send(
            kc::api_key::sasl_authenticate, sasl_authenticate_version,
            [&a](kc::writer& w) {
                kc::encode_sasl_authenticate_request(w, a, sasl_authenticate_version);
            },
            on_auth);
    };
    link->send(
        kc::api_key::sasl_handshake, sasl_handshake_version,
        [&hs](kc::writer& w) { kc::encode_sasl_handshake_request(w, hs, sasl_handshake_version); },
        on_handshake);
}

std::string kafka_error_text(kc::error_code e) {
    return std::string(kc::name(e)) + " (" + std::to_string(static_cast<int>(e)) + ")";
}

}  // namespace robust::ctl
