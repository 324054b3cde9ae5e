#pragma once
// The admin API over the real pieces, in-process: memory meta store and
// journal, an io_pool of two threads, auth::service, the MQTT broker and the
// Kafka server on ephemeral ports, the metrics registry, and admin::server on
// 127.0.0.1:0.
// Requests go through httplib::Client. Every response body and every log
// line (a ring sink on the default logger) is kept, and TearDown checks that
// none of them contains a password the test used.

#include <gtest/gtest.h>
#include <httplib.h>
#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "admin/server.h"
#include "auth/service.h"
#include "base/base64.h"
#include "base/clock.h"
#include "codec_util.h"
#include "kafka/server.h"
#include "meta/meta_store.h"
#include "metrics/registry.h"
#include "mqtt/broker.h"
#include "net/io_pool.h"
#include "storage/journal.h"

namespace robust::admin::test {

struct http_answer {
    int status = 0;  // 0: no answer (connection failed)
    std::string body;
    httplib::Headers headers;
    nlohmann::json json() const { return nlohmann::json::parse(body, nullptr, false); }
    std::string header(const std::string& name) const {
        auto it = headers.find(name);
        return it == headers.end() ? std::string() : it->second;
    }
    /// error.field of an error body, "" when absent.
    std::string field() const {
        auto j = json();
        if (!j.is_object() || !j.contains("error")) return {};
        return j["error"].value("field", "");
    }
};

class admin_fixture : public ::testing::Test {
protected:
    void SetUp() override {
        ring_ = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(20'000);
        spdlog::default_logger()->sinks().push_back(ring_);
        spdlog::set_level(spdlog::level::debug);

        std::random_device rd;
        dir_ = std::filesystem::temp_directory_path() /
               ("robust-admin-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
        std::filesystem::create_directories(dir_);
        cfg_.node.data_dir = dir_.string();
        cfg_.auth.password_iterations = 1000;
        cfg_.auth.anonymous = config::anonymous_access::allow;
        cfg_.http.login_failures_per_minute = 5;
        customize(cfg_);

        meta_ = meta::make_memory_meta_store();
        journal_ = storage::make_memory_journal();
        pool_ = std::make_unique<net::io_pool>(2);
        pool_->start();
        auth_ = std::make_unique<auth::service>(*meta_, cfg_.auth);
        ASSERT_TRUE(auth_->start().has_value());

        mqtt::broker_options o;
        static_cast<config::mqtt_config&>(o) = cfg_.mqtt;
        o.bind = "127.0.0.1";
        o.tcp_port = 0;
        o.ws_port = -1;
        o.tls_port = -1;
        o.wss_port = -1;
        o.sys_interval_s = 0;
        broker_ = std::make_unique<mqtt::broker>(o, *pool_, *journal_, *meta_, *auth_);
        ASSERT_TRUE(broker_->start().has_value());
        mqtt_port_ = broker_->listeners().at(0).port;
        metrics_ = std::make_unique<metrics::registry>();
        kafka::server_options ko;
        static_cast<config::kafka_config&>(ko) = cfg_.kafka;
        ko.bind = "127.0.0.1";
        ko.port = 0;
        ko.tls_port = -1;
        kafka_ = std::make_unique<kafka::server>(ko, *pool_, *journal_, *meta_, *auth_);
        ASSERT_TRUE(kafka_->start().has_value());
        kafka_port_ = kafka_->listeners().at(0).port;

        auto boot = bootstrap_admin(cfg_, *auth_);
        ASSERT_TRUE(boot.ok()) << boot.error().message;
        ASSERT_TRUE(*boot);
        std::ifstream secret(dir_ / "admin.secret");
        std::getline(secret, admin_password_);
        ASSERT_EQ(admin_password_.size(), 24u);
        secrets_.push_back(admin_password_);

        start_server();
    }

    void TearDown() override {
        if (server_) server_->stop();
        if (kafka_) kafka_->stop();
        if (broker_) broker_->stop();
        if (pool_) pool_->stop();
        if (auth_) auth_->stop();
        if (journal_) journal_->stop();
        if (meta_) meta_->stop();
        spdlog::set_level(spdlog::level::info);
        auto& sinks = spdlog::default_logger()->sinks();
        sinks.erase(std::remove(sinks.begin(), sinks.end(), ring_), sinks.end());
        // No password ever appears in a response or a log line.
        const auto lines = ring_->last_formatted();
        for (const auto& secret : secrets_) {
            for (const auto& body : bodies_) {
                EXPECT_EQ(body.find(secret), std::string::npos) << "response leaks a password";
            }
            for (const auto& line : lines) {
                EXPECT_EQ(line.find(secret), std::string::npos) << "log leaks a password: " << line;
            }
        }
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }

    /// Lets a test change the config before anything starts.
    virtual void customize(config::server_config&) {}

    void start_server() {
        context ctx{.config = cfg_,
                    .auth = *auth_,
                    .mqtt = broker_.get(),
                    .meta = *meta_,
                    .journal = *journal_,
                    .metrics = *metrics_,
                    .node_id = cfg_.node.id,
                    .start_time_ms = now_unix_ms() - 5000,
                    .ready = [this] { return ready_.load(); },
                    .kafka = kafka_in_api_ ? kafka_.get() : nullptr};
        server_options opts;
        opts.sample_interval = std::chrono::milliseconds(50);
        auto s = server::start(ctx, "127.0.0.1", 0, opts);
        ASSERT_TRUE(s.has_value());
        server_ = std::move(*s);
        ASSERT_GT(server_->port(), 0);
    }

    // ---- requests -----------------------------------------------------------

    std::string basic(const std::string& user, const std::string& password) {
        return "Basic " + base64::encode(user + ":" + password);
    }
    std::string admin_basic() { return basic("admin", admin_password_); }
    std::string admin_bearer() {
        if (token_.empty()) {
            auto r =
                call("POST", "/api/v1/login", "",
                     nlohmann::json{{"username", "admin"}, {"password", admin_password_}}.dump());
            EXPECT_EQ(r.status, 200) << r.body;
            token_ = r.json().value("token", "");
        }
        return "Bearer " + token_;
    }

    /// One request; `authorization` "" sends none.
    http_answer call(const std::string& method, const std::string& path,
                     const std::string& authorization, const std::string& body = {}) {
        httplib::Client c("127.0.0.1", server_->port());
        c.set_read_timeout(10, 0);
        c.set_url_encode(false);  // paths are percent-encoded by the tests, as by clients
        httplib::Headers h;
        if (!authorization.empty()) h.emplace("Authorization", authorization);
        const std::string ctype = "application/json";
        auto send = [&]() -> httplib::Result {
            if (method == "POST") return c.Post(path, h, body, ctype);
            if (method == "PATCH") return c.Patch(path, h, body, ctype);
            if (method == "PUT") return c.Put(path, h, body, ctype);
            if (method == "DELETE") return c.Delete(path, h);
            return c.Get(path, h);
        };
        auto res = send();
        http_answer a;
        if (!res) return a;
        a.status = res->status;
        a.body = res->body;
        a.headers = res->headers;
        bodies_.push_back(a.body);
        return a;
    }
    http_answer get(const std::string& path) { return call("GET", path, admin_bearer()); }
    http_answer post(const std::string& path, const nlohmann::json& body) {
        return call("POST", path, admin_bearer(), body.dump());
    }
    http_answer patch(const std::string& path, const nlohmann::json& body) {
        return call("PATCH", path, admin_bearer(), body.dump());
    }
    http_answer del(const std::string& path) { return call("DELETE", path, admin_bearer()); }

    /// Waits (bounded) until pred() holds, polling.
    template <class F>
    bool eventually(F pred, std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (std::chrono::steady_clock::now() < deadline) {
            if (pred()) return true;
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        return pred();
    }

    std::vector<std::string> log_lines() { return ring_->last_formatted(); }

    std::filesystem::path dir_;
    config::server_config cfg_;
    std::unique_ptr<meta::meta_store> meta_;
    std::unique_ptr<storage::journal> journal_;
    std::unique_ptr<net::io_pool> pool_;
    std::unique_ptr<auth::service> auth_;
    std::unique_ptr<mqtt::broker> broker_;
    std::unique_ptr<metrics::registry> metrics_;
    std::unique_ptr<kafka::server> kafka_;
    bool kafka_in_api_ = true;  // false: the API runs without Kafka (routes answer 503)
    uint16_t kafka_port_ = 0;
    std::unique_ptr<server> server_;
    std::atomic<bool> ready_{true};
    uint16_t mqtt_port_ = 0;
    std::string admin_password_;
    std::string token_;
    std::vector<std::string> secrets_;  // checked against bodies and logs at TearDown
    std::vector<std::string> bodies_;
    std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> ring_;
};

}  // namespace robust::admin::test
