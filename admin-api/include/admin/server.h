#pragma once
// The admin HTTP service: REST API /api/v1/* (docs/api/openapi.yaml), health
// checks /health/live and /health/ready, and Prometheus /metrics, served by
// cpp-httplib on its own small thread pool.
//
// Lifecycle: main (robust::server) builds the kernel services, starts them,
// calls bootstrap_admin() once auth::service is started, then
// server::start(); at shutdown it calls server::stop() first (before the MQTT
// broker, the auth service and the stores stop), because handlers use them.
//
// Threading: start() and stop() are called from the owner's thread (never
// from a request handler). Requests run on the server's pool threads, where
// blocking calls (KDF, meta store, the broker's admin snapshots) are allowed:
// they are not I/O threads. port() and address() may be called from any
// thread.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "auth/types.h"
#include "base/result.h"
#include "config/config.h"

namespace robust::auth {
class service;
}
namespace robust::mqtt {
class broker;
}
namespace robust::meta {
class meta_store;
}
namespace robust::storage {
class journal;
}
namespace robust::metrics {
class registry;
}
namespace robust::kafka {
class server;
}

namespace robust::admin {

/// What the admin API serves. Everything referenced is owned by main and
/// must outlive the server (stop the server first).
struct context {
    const config::server_config& config;
    auth::service& auth;
    mqtt::broker* mqtt = nullptr;  // null: MQTT routes answer 503, counts are 0
    meta::meta_store& meta;
    storage::journal& journal;
    metrics::registry& metrics;
    uint64_t node_id = 1;
    int64_t start_time_ms = 0;  // wall clock, ms since the epoch
    /// /health/ready answers 200 once this returns true (every listener is
    /// open); empty = always ready. Called on a request thread.
    std::function<bool()> ready = nullptr;
    kafka::server* kafka = nullptr;  // null: Kafka routes answer 503
};

/// Knobs with production defaults; tests shorten the sampling interval.
struct server_options {
    /// Overview history: one point per interval, the last 360 kept.
    std::chrono::milliseconds sample_interval{10'000};
    size_t threads = 8;                   // concurrent HTTP connections served
    size_t max_body_bytes = 1024 * 1024;  // larger request bodies get 413
    int64_t keep_alive_timeout_s = 2;     // also bounds how long stop() waits for idle clients
};

class server {
public:
    ~server();
    server(const server&) = delete;
    server& operator=(const server&) = delete;

    /// Binds `bind`:`port` (port 0: the OS picks one; see port()), logs
    /// `listener http bound to <bind>:<port>` and starts serving.
    /// Errors: invalid_argument (negative port), io_error (cannot bind: the
    /// address and port are logged).
    static result<std::unique_ptr<server>> start(const context& ctx, const std::string& bind,
                                                 config::port_number port,
                                                 server_options opts = {});

    /// Two phases: stops accepting, then waits for requests in flight (and
    /// idle keep-alive connections, at most keep_alive_timeout_s) and stops
    /// the history sampler. Idempotent; the destructor calls it.
    void stop();

    uint16_t port() const noexcept;
    const std::string& address() const noexcept;

private:
    struct impl;
    explicit server(std::unique_ptr<impl> i);
    std::unique_ptr<impl> impl_;
};

/// First start: unless user http.admin_user exists in tenant "default",
/// creates it as a superuser. Its password is the first line of the secret
/// file (http.admin_secret_file; empty = <node.data_dir>/admin.secret) when
/// that file exists, else a fresh random one (24 base64url characters from
/// RAND_bytes) written there with mode 0600. Logs the file's path, never the
/// password. Returns whether it created the user.
/// Errors (failure.message names the file): invalid_argument for a secret
/// file readable or writable by group or others ("chmod 600 <file>") or with
/// an unusable first line; io_error when the file cannot be read or written;
/// whatever auth::service::ensure_admin answers.
/// Call it after auth::service::start(), before server::start(). Blocking.
auth::outcome<bool> bootstrap_admin(const config::server_config& cfg, auth::service& auth);

}  // namespace robust::admin
