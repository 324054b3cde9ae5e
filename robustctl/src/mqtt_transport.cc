#include "mqtt_transport.h"

#include <optional>

#include <openssl/ssl.h>

#include <asio/connect.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/read.hpp>
#include <asio/ssl.hpp>
#include <asio/write.hpp>

namespace robust::ctl {
namespace {

using tcp = asio::ip::tcp;

class asio_transport final : public mqtt_transport {
public:
    asio_transport() : ssl_(asio::ssl::context::tls_client), socket_(io_) {}

    status open(const std::string& host, uint16_t port, const mqtt_tls_options& tls,
                std::chrono::milliseconds timeout, std::string& stage) {
        stage = "resolve";
        tcp::resolver resolver(io_);
        tcp::resolver::results_type endpoints;
        std::error_code ec = run(
            [&](auto done) {
                resolver.async_resolve(host, std::to_string(port),
                                       [&, done](std::error_code e, tcp::resolver::results_type r) {
                                           endpoints = std::move(r);
                                           done(e);
                                       });
            },
            timeout, [&] { resolver.cancel(); });
        if (ec) return ec;

        stage = "connect";
        ec = run(
            [&](auto done) {
                asio::async_connect(socket_, endpoints,
                                    [done](std::error_code e, const tcp::endpoint&) { done(e); });
            },
            timeout, [&] { socket_.close(); });
        if (ec) return ec;
        socket_.set_option(tcp::no_delay(true), ec);

        if (!tls.enabled) return {};
        stage = "TLS setup";
        ssl_.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                         asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                         asio::ssl::context::no_tlsv1_1);
        if (!tls.cafile.empty()) {
            ssl_.load_verify_file(tls.cafile, ec);
        } else {
            ssl_.set_default_verify_paths(ec);
        }
        if (ec) return ec;
        if (!tls.cert.empty()) {
            ssl_.use_certificate_chain_file(tls.cert, ec);
            if (ec) return ec;
            ssl_.use_private_key_file(tls.key, asio::ssl::context::pem, ec);
            if (ec) return ec;
        }
        stream_.emplace(socket_, ssl_);
        if (tls.insecure) {
            stream_->set_verify_mode(asio::ssl::verify_none);
        } else {
            stream_->set_verify_mode(asio::ssl::verify_peer);
            stream_->set_verify_callback(asio::ssl::host_name_verification(host));
        }
        std::error_code addr_ec;
        asio::ip::make_address(host, addr_ec);
        if (addr_ec) {
            // Server Name Indication only for names, never for addresses (RFC 6066 3).
            SSL_set_tlsext_host_name(stream_->native_handle(), host.c_str());
        }
        stage = "TLS handshake";
        return run(
            [&](auto done) {
                stream_->async_handshake(asio::ssl::stream_base::client,
                                         [done](std::error_code e) { done(e); });
            },
            timeout, [&] { socket_.close(); });
    }

    status write(std::string_view bytes, std::chrono::milliseconds timeout) override {
        return run(
            [&](auto done) {
                auto handler = [done](std::error_code e, size_t) { done(e); };
                if (stream_) {
                    asio::async_write(*stream_, asio::buffer(bytes.data(), bytes.size()), handler);
                } else {
                    asio::async_write(socket_, asio::buffer(bytes.data(), bytes.size()), handler);
                }
            },
            timeout, [&] { socket_.close(); });
    }

    result<size_t> read_some(std::span<std::byte> buffer,
                             std::chrono::milliseconds timeout) override {
        size_t n = 0;
        // A timed-out read is cancelled, not closed: the connection stays usable.
        std::error_code ec = run(
            [&](auto done) {
                auto handler = [&n, done](std::error_code e, size_t got) {
                    n = got;
                    done(e);
                };
                if (stream_) {
                    stream_->async_read_some(asio::buffer(buffer.data(), buffer.size()), handler);
                } else {
                    socket_.async_read_some(asio::buffer(buffer.data(), buffer.size()), handler);
                }
            },
            timeout,
            [&] {
                std::error_code ignored;
                socket_.cancel(ignored);
            });
        if (ec) return ec;
        return n;
    }

    void close() override {
        std::error_code ignored;
        socket_.shutdown(tcp::socket::shutdown_both, ignored);
        socket_.close(ignored);
    }

private:
    // Starts an operation and runs the io_context until it completes or
    // `timeout` passes; then `cancel` and wait for the handler. Returns the
    // handler's error, or errc::timeout when it had to be cancelled.
    template <class Start, class Cancel>
    std::error_code run(Start start, std::chrono::milliseconds timeout, Cancel cancel) {
        std::optional<std::error_code> result;
        auto done = [&result](std::error_code e) { result = e; };
        io_.restart();
        start(done);
        io_.run_for(timeout);
        if (result) return *result;
        cancel();
        io_.restart();
        while (!result && io_.run_one() > 0) {
        }
        return make_error_code(errc::timeout);
    }

    asio::io_context io_;
    asio::ssl::context ssl_;
    tcp::socket socket_;
    std::optional<asio::ssl::stream<tcp::socket&>> stream_;
};

}  // namespace

std::unique_ptr<mqtt_transport> connect_transport(const std::string& host, uint16_t port,
                                                  const mqtt_tls_options& tls,
                                                  std::chrono::milliseconds timeout,
                                                  connect_failure& failure) {
    auto t = std::make_unique<asio_transport>();
    std::string stage;
    auto st = t->open(host, port, tls, timeout, stage);
    if (!st) {
        failure.code = st.error();
        failure.stage = stage;
        return nullptr;
    }
    return t;
}

}  // namespace robust::ctl
