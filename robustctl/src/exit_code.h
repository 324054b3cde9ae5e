#pragma once
// robustctl's exit codes, in one place so the CLI, the MQTT tool, the docs
// and the tests agree. Pure: any thread.

namespace robust::ctl {

enum class exit_code : int {
    ok = 0,              // the server (or broker) did what was asked
    refused = 1,         // the server answered with an error (HTTP 4xx/5xx, CONNACK refusal,
                         // negative PUBACK/SUBACK, connection dropped by the broker)
    usage = 2,           // bad arguments or values; nothing was sent
    cannot_connect = 3,  // connection refused, timeout, name resolution or TLS failure
    timeout = 4,         // mqtt sub --timeout ran out before --count messages arrived
};

inline int to_int(exit_code c) noexcept {
    return static_cast<int>(c);
}

/// The exit code for an HTTP answer: 2xx (and 1xx/3xx, which robustctl does
/// not follow) is ok, any 4xx/5xx is refused.
inline exit_code exit_for_http_status(int status) noexcept {
    return status >= 400 ? exit_code::refused : exit_code::ok;
}

}  // namespace robust::ctl
