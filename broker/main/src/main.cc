// robust-server: one binary, a complete single node by default.
//   robust-server [--config FILE] [--data-dir DIR] [--version] [--help]
// Exit codes: 0 after a clean shutdown (SIGINT/SIGTERM), 1 when start-up
// fails, 2 for a bad command line or config.

#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>
#include <asio/io_context.hpp>
#include <asio/signal_set.hpp>
#include <csignal>
#include <iostream>

#include "base/logging.h"
#include "config/config.h"
#include "main/server.h"

extern char** environ;

#ifndef ROBUSTMQ_VERSION
#define ROBUSTMQ_VERSION "0.0.0"
#endif

int main(int argc, char** argv) {
    CLI::App app{
        "robust-server: RobustMQ message broker (MQTT 3.1/3.1.1/5.0 over TCP and WebSocket)"};
    std::optional<std::string> config_path;
    std::optional<std::string> data_dir;
    app.add_option("-c,--config", config_path, "TOML config file (see docs/config.md)")
        ->check(CLI::ExistingFile);
    app.add_option("-d,--data-dir", data_dir, "data directory (overrides node.data_dir)");
    app.set_version_flag("-V,--version", std::string("robust-server ") + ROBUSTMQ_VERSION);
    CLI11_PARSE(app, argc, argv);

    auto outcome =
        robust::config::load_config(config_path, robust::config::environment_overrides(environ));
    if (!outcome.ok()) {
        std::cerr << "robust-server: invalid configuration:\n"
                  << outcome.error << "\n"
                  << "See docs/config.md for every key, its default and allowed values.\n";
        return 2;
    }
    auto cfg = std::move(*outcome.config);
    if (data_dir) cfg.node.data_dir = *data_dir;
    if (auto s = robust::logging::init(robust::config::to_string(cfg.log.level)); !s) {
        std::cerr << "robust-server: bad log level\n";
        return 2;
    }
    for (const auto& w : outcome.warnings) spdlog::warn("config: {}", w);

    // Handlers first: a supervisor (or a test) may send SIGTERM as soon as
    // it sees the listeners' log lines, while start() is still finishing.
    // Such a signal waits in the set and stops the server right after.
    asio::io_context signals_ctx;
    asio::signal_set signals(signals_ctx, SIGINT, SIGTERM);

    robust::server server(std::move(cfg));
    if (auto s = server.start(); !s) {
        spdlog::error("robust-server failed to start: {}", s.error().message());
        server.stop();
        return 1;
    }

    signals.async_wait([](std::error_code, int sig) {
        spdlog::info("received {}, shutting down", sig == SIGINT ? "SIGINT" : "SIGTERM");
    });
    signals_ctx.run();
    server.stop();
    return 0;
}
