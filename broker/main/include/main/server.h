#pragma once
// server: the composition root of robust-server. Builds every module from a
// server_config (metrics registry, io_pool, journal, meta store, auth
// service, MQTT broker, admin HTTP server), starts them in
// dependency order and stops them in reverse. Nothing else lives here.
//
// Used by main() and by the integration tests, which run a whole server
// in-process on ephemeral ports. start() and stop() are called from one
// thread (main's); stop() is idempotent and run by the destructor.

#include <memory>
#include <string>
#include <vector>

#include "base/result.h"
#include "config/config.h"
#include "mqtt/broker.h"

namespace robust {

class server {
public:
    explicit server(config::server_config cfg);
    ~server();
    server(const server&) = delete;
    server& operator=(const server&) = delete;

    /// Opens the data directory, the journal and the meta store, restores
    /// state and opens the listeners. Errors are logged with what to do.
    status start();
    /// Stops accepting, disconnects clients (MQTT 5: 0x8B), flushes the
    /// journal and closes the stores.
    void stop();

    /// Every open listener: the MQTT ones ("mqtt-tcp" first), then "http".
    std::vector<mqtt::listener_info> listeners() const;
    mqtt::broker_stats mqtt_stats() const;
    const config::server_config& config() const { return cfg_; }

private:
    struct parts;
    config::server_config cfg_;
    std::unique_ptr<parts> parts_;
};

/// The broker options the [mqtt] and [storage] sections describe.
mqtt::broker_options mqtt_options(const config::server_config& cfg);

}  // namespace robust
