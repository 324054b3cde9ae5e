#include "main/server.h"

#include <spdlog/spdlog.h>
#include <algorithm>
#include <atomic>
#include <filesystem>
#include <system_error>

#include "admin/server.h"
#include "auth/service.h"
#include "base/clock.h"
#include "base/errc.h"
#include "kafka/server.h"
#include "meta/meta_store.h"
#include "meta/topic_bindings.h"
#include "metrics/registry.h"
#include "net/io_pool.h"
#include "storage/journal.h"

namespace robust {

struct server::parts {
    // First built, last destroyed: the journal and the sources point into it.
    std::unique_ptr<metrics::registry> metrics = std::make_unique<metrics::registry>();
    std::unique_ptr<net::io_pool> pool;
    std::unique_ptr<storage::journal> journal;
    std::unique_ptr<meta::meta_store> meta;
    std::unique_ptr<auth::service> auth;
    std::unique_ptr<mqtt::broker> mqtt;
    std::unique_ptr<kafka::server> kafka;
    std::unique_ptr<admin::server> admin;
    std::atomic<bool> ready{false};
    bool stopped = false;
};

storage::durability to_durability(config::durability_level d) {
    switch (d) {
        case config::durability_level::none:
            return storage::durability::none;
        case config::durability_level::fsync:
            return storage::durability::fsync;
        case config::durability_level::wal:
            break;
    }
    return storage::durability::wal;
}

mqtt::broker_options mqtt_options(const config::server_config& cfg) {
    mqtt::broker_options o;
    static_cast<config::mqtt_config&>(o) = cfg.mqtt;
    o.durability = to_durability(cfg.storage.durability);
    o.tls = cfg.tls;
    for (auto& r : config::parse_topic_durability(cfg.storage.topic_durability)) {
        o.topic_durability.emplace_back(std::move(r.filter), to_durability(r.level));
    }
    return o;
}

kafka::server_options kafka_options(const config::server_config& cfg) {
    kafka::server_options o;
    static_cast<config::kafka_config&>(o) = cfg.kafka;
    o.node_id = cfg.node.id;
    o.tls = cfg.tls;
    o.durability = to_durability(cfg.storage.durability);
    o.retention_ms = static_cast<int64_t>(cfg.storage.retention_ms);
    o.retention_bytes = static_cast<int64_t>(cfg.storage.retention_bytes);
    return o;
}

// topic.bindings: made (with their Kafka topics) before the MQTT broker
// starts, so no publish to a bound topic lands elsewhere. A rule that cannot
// be made stops the start with a message naming it.
status bind_configured_topics(const config::server_config& cfg, meta::meta_store& meta,
                              storage::journal& journal, const auth::service& auth) {
    const auto rules = config::parse_topic_bindings(cfg.topic.bindings);
    if (rules.empty()) return {};
    auto existing = meta::list_bindings(meta, "");
    if (!existing) {
        spdlog::error("cannot read the topic bindings: {}", existing.error().message());
        return existing.error();
    }
    auto tenants = auth.list_tenants();
    const kafka::server_options kafka = kafka_options(cfg);
    for (const auto& r : rules) {
        const std::string rule = r.tenant + "@" + r.filter + "=" + r.kafka_topic;
        const bool tenant_known =
            tenants && std::any_of(tenants->begin(), tenants->end(),
                                   [&](const auth::tenant_info& t) { return t.name == r.tenant; });
        if (!tenant_known) {
            spdlog::error(
                "topic.bindings: rule \"{}\": tenant \"{}\" does not exist (create it "
                "with robustctl tenant create, or drop the tenant@ prefix)",
                rule, r.tenant);
            return errc::invalid_argument;
        }
        const meta::topic_binding_record b{r.tenant, r.filter, r.kafka_topic, now_unix_ms()};
        if (auto problem = meta::check_binding(b, *existing)) {
            spdlog::error("topic.bindings: rule \"{}\": {}: {}", rule, problem->field,
                          problem->message);
            return errc::invalid_argument;
        }
        auto topic = kafka::new_topic(kafka, r.tenant, r.kafka_topic, 0);
        if (auto s = meta::create_binding(meta, journal, b, topic); !s) {
            spdlog::error("topic.bindings: rule \"{}\" cannot be made: {}", rule,
                          s.error().message());
            return s;
        }
        existing->push_back(b);
    }
    spdlog::info("topic bindings from topic.bindings: {}", rules.size());
    return {};
}

server::server(config::server_config cfg)
    : cfg_(std::move(cfg)), parts_(std::make_unique<parts>()) {}

server::~server() {
    stop();
}

status server::start() {
    namespace fs = std::filesystem;
    const fs::path data = cfg_.node.data_dir;
    std::error_code ec;
    fs::create_directories(data, ec);
    if (ec) {
        spdlog::error(
            "cannot create the data directory {}: {} (set node.data_dir or --data-dir "
            "to a writable directory)",
            data.string(), ec.message());
        return errc::io_error;
    }
    spdlog::info("robust-server starting: data in {}", fs::absolute(data).string());
    parts_->metrics->set_data_dir(fs::absolute(data).string());

    if (cfg_.storage.engine == config::storage_engine::memory) {
        storage::memory_journal_options mo;
        mo.metrics = parts_->metrics->journal(metrics::journal_engine::memory);
        parts_->journal = storage::make_memory_journal(mo);
    } else {
        storage::rocksdb_journal_options jo;
        jo.path = (data / "journal").string();
        jo.reader_threads = cfg_.storage.reader_threads;
        jo.metrics = parts_->metrics->journal(metrics::journal_engine::rocksdb);
        auto j = storage::make_rocksdb_journal(jo);
        if (!j) {
            spdlog::error("cannot open the journal in {}: {}", jo.path, j.error().message());
            return j.error();
        }
        parts_->journal = std::move(*j);
    }
    auto m = meta::make_rocksdb_meta_store((data / "meta").string());
    if (!m) {
        spdlog::error("cannot open the meta store in {}: {}", (data / "meta").string(),
                      m.error().message());
        return m.error();
    }
    parts_->meta = std::move(*m);
    parts_->auth = std::make_unique<auth::service>(*parts_->meta, cfg_.auth);
    if (auto s = parts_->auth->start(); !s) {
        spdlog::error("cannot load users, ACL rules and the blacklist: {}", s.error().message());
        return s;
    }
    if (auto created = admin::bootstrap_admin(cfg_, *parts_->auth); !created) {
        spdlog::error("cannot create the admin user: {}", created.error().message);
        return created.error().code;
    }
    auth::service* auth = parts_->auth.get();
    parts_->metrics->set_auth_source([auth] {
        const auto c = auth->stats();
        metrics::auth_sample s;
        s.accepted = c.accepted;
        s.bad_credentials = c.bad_credentials;
        s.not_authorized = c.not_authorized;
        s.banned = c.banned;
        s.publish_denied = c.publish_denied;
        s.subscribe_denied = c.subscribe_denied;
        return s;
    });

    if (auto s = bind_configured_topics(cfg_, *parts_->meta, *parts_->journal, *parts_->auth); !s) {
        return s;
    }

    parts_->pool = std::make_unique<net::io_pool>(cfg_.node.worker_threads);
    parts_->pool->start();
    parts_->mqtt = std::make_unique<mqtt::broker>(mqtt_options(cfg_), *parts_->pool,
                                                  *parts_->journal, *parts_->meta, *parts_->auth);
    if (auto s = parts_->mqtt->start(); !s) return s;
    mqtt::broker* broker = parts_->mqtt.get();
    parts_->metrics->set_mqtt_source([broker] { return broker->metrics_sample(); });
    parts_->kafka = std::make_unique<kafka::server>(kafka_options(cfg_), *parts_->pool,
                                                    *parts_->journal, *parts_->meta, *parts_->auth);
    if (auto s = parts_->kafka->start(); !s) return s;
    kafka::server* kafka = parts_->kafka.get();
    parts_->metrics->set_kafka_source([kafka] { return kafka->metrics_sample(); });

    if (config::listener_enabled(cfg_.http.port)) {
        admin::context ctx{
            cfg_,          *parts_->auth,    parts_->mqtt.get(),
            *parts_->meta, *parts_->journal, *parts_->metrics,
            cfg_.node.id,  now_unix_ms(),    [p = parts_.get()] { return p->ready.load(); },
            kafka};
        auto a = admin::server::start(ctx, cfg_.http.bind, cfg_.http.port);
        if (!a) {
            spdlog::error(
                "cannot open the admin HTTP server on {}:{} (set http.port, or -1 "
                "to switch it off)",
                cfg_.http.bind, cfg_.http.port);
            return a.error();
        }
        parts_->admin = std::move(*a);
    }
    parts_->ready.store(true);
    spdlog::info("robust-server ready ({} worker threads)", parts_->pool->size());
    return {};
}

void server::stop() {
    if (!parts_ || parts_->stopped) return;
    parts_->stopped = true;
    parts_->ready.store(false);
    // The admin API first: its handlers use everything below.
    if (parts_->admin) parts_->admin->stop();
    parts_->admin.reset();
    parts_->metrics->set_mqtt_source({});
    parts_->metrics->set_kafka_source({});
    parts_->metrics->set_auth_source({});
    if (parts_->kafka) parts_->kafka->stop();
    if (parts_->mqtt) parts_->mqtt->stop();
    if (parts_->pool) parts_->pool->stop();
    parts_->kafka.reset();
    parts_->mqtt.reset();
    if (parts_->auth) parts_->auth->stop();
    if (parts_->journal) {
        if (auto s = parts_->journal->flush(); !s) {
            spdlog::error("journal flush at shutdown failed: {}", s.error().message());
        }
        parts_->journal->stop();
    }
    if (parts_->meta) parts_->meta->stop();
    spdlog::info("robust-server stopped");
}

std::vector<mqtt::listener_info> server::listeners() const {
    auto out = parts_->mqtt ? parts_->mqtt->listeners() : std::vector<mqtt::listener_info>{};
    if (parts_->kafka) {
        for (const auto& l : parts_->kafka->listeners()) out.push_back({l.name, l.address, l.port});
    }
    if (parts_->admin) {
        out.push_back({"http", parts_->admin->address(), parts_->admin->port()});
    }
    return out;
}

mqtt::broker_stats server::mqtt_stats() const {
    return parts_->mqtt ? parts_->mqtt->stats() : mqtt::broker_stats{};
}

}  // namespace robust
