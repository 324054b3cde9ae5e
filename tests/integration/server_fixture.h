#pragma once
// Runs a whole robust-server in-process on 127.0.0.1 with ephemeral ports,
// two worker threads and a fresh temporary data directory, so integration
// tests exercise the cross-thread paths.

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <random>

#include "main/server.h"

namespace robust::test {

class server_fixture : public ::testing::Test {
protected:
    void SetUp() override {
        std::random_device rd;
        dir_ = std::filesystem::temp_directory_path() /
               ("robust-it-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
        std::filesystem::create_directories(dir_);
        start();
    }
    void TearDown() override {
        server_.reset();
        std::filesystem::remove_all(dir_);
    }

    config::server_config make_config() {
        config::server_config cfg;
        cfg.node.data_dir = dir_.string();
        cfg.node.worker_threads = 2;
        cfg.mqtt.bind = "127.0.0.1";
        cfg.mqtt.tcp_port = 0;
        cfg.mqtt.ws_port = -1;
        cfg.mqtt.sys_interval_s = 0;
        cfg.http.bind = "127.0.0.1";
        cfg.http.port = 0;
        cfg.kafka.bind = "127.0.0.1";
        cfg.kafka.port = 0;
        cfg.kafka.group_initial_rebalance_delay_ms = 0;
        cfg.auth.password_iterations = 1000;  // the minimum: keeps tests fast
        return cfg;
    }
    void start() { start(make_config()); }
    void start(config::server_config cfg) {
        server_ = std::make_unique<server>(std::move(cfg));
        ASSERT_TRUE(server_->start().has_value());
        port_ = server_->listeners().at(0).port;
    }
    /// A clean stop and a new server on the same data directory.
    void restart() {
        server_->stop();
        server_.reset();
        start();
    }

    std::filesystem::path dir_;
    std::unique_ptr<server> server_;
    uint16_t port_ = 0;
};

}  // namespace robust::test
