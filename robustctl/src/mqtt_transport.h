#pragma once
// A blocking byte stream to an MQTT broker over TCP or TLS (asio, asio::ssl)
// with a deadline on every operation: each call runs the io_context until
// the operation completes or the time is up, then cancels it. TLS verifies
// the broker's certificate chain (--cafile or the system CAs) and host name
// unless `insecure`, sends SNI, and can present a client certificate.
//
// Created and used by one thread; close() or destruction ends the connection.

#include <chrono>
#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "base/errc.h"
#include "base/result.h"
#include "mqtt_options.h"

namespace robust::ctl {

class mqtt_transport {
public:
    virtual ~mqtt_transport() = default;

    /// Writes all of `bytes`. Errors: the OS / TLS error, errc::timeout.
    virtual status write(std::string_view bytes, std::chrono::milliseconds timeout) = 0;

    /// Reads what is available (at least one byte). Errors: errc::timeout
    /// when nothing arrived in time (the connection stays usable),
    /// asio::error::eof when the broker closed it, the OS / TLS error.
    virtual result<size_t> read_some(std::span<std::byte> buffer,
                                     std::chrono::milliseconds timeout) = 0;

    virtual void close() = 0;
};

struct connect_failure {
    std::error_code code;
    std::string stage;  // "resolve", "connect", "TLS setup", "TLS handshake"
};

/// Connects (and completes the TLS handshake). On failure `failure` says
/// what failed and the result is null.
std::unique_ptr<mqtt_transport> connect_transport(const std::string& host, uint16_t port,
                                                  const mqtt_tls_options& tls,
                                                  std::chrono::milliseconds timeout,
                                                  connect_failure& failure);

}  // namespace robust::ctl
