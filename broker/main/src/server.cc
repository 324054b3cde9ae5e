#include "main/server.h"

#include <spdlog/spdlog.h>
#include <filesystem>
#include <system_error>

#include "base/errc.h"
#include "meta/meta_store.h"
#include "net/io_pool.h"
#include "storage/journal.h"

namespace robust {

struct server::parts {
    std::unique_ptr<net::io_pool> pool;
    std::unique_ptr<storage::journal> journal;
    std::unique_ptr<meta::meta_store> meta;
    std::unique_ptr<mqtt::broker> mqtt;
    bool stopped = false;
};

mqtt::broker_options mqtt_options(const config::server_config& cfg) {
    mqtt::broker_options o;
    static_cast<config::mqtt_config&>(o) = cfg.mqtt;
    auto convert = [](config::durability_level d) {
        switch (d) {
            case config::durability_level::none:
                return storage::durability::none;
            case config::durability_level::fsync:
                return storage::durability::fsync;
            case config::durability_level::wal:
                break;
        }
        return storage::durability::wal;
    };
    o.durability = convert(cfg.storage.durability);
    for (auto& r : config::parse_topic_durability(cfg.storage.topic_durability)) {
        o.topic_durability.emplace_back(std::move(r.filter), convert(r.level));
    }
    return o;
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

    if (cfg_.storage.engine == config::storage_engine::memory) {
        parts_->journal = storage::make_memory_journal();
    } else {
        storage::rocksdb_journal_options jo;
        jo.path = (data / "journal").string();
        jo.reader_threads = cfg_.storage.reader_threads;
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

    parts_->pool = std::make_unique<net::io_pool>(cfg_.node.worker_threads);
    parts_->pool->start();
    parts_->mqtt = std::make_unique<mqtt::broker>(mqtt_options(cfg_), *parts_->pool,
                                                  *parts_->journal, *parts_->meta);
    if (auto s = parts_->mqtt->start(); !s) return s;
    spdlog::info("robust-server ready ({} worker threads)", parts_->pool->size());
    return {};
}

void server::stop() {
    if (!parts_ || parts_->stopped) return;
    parts_->stopped = true;
    if (parts_->mqtt) parts_->mqtt->stop();
    if (parts_->pool) parts_->pool->stop();
    parts_->mqtt.reset();
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
    return parts_->mqtt ? parts_->mqtt->listeners() : std::vector<mqtt::listener_info>{};
}

mqtt::broker_stats server::mqtt_stats() const {
    return parts_->mqtt ? parts_->mqtt->stats() : mqtt::broker_stats{};
}

}  // namespace robust
