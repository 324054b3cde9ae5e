#include "catalog.h"

#include <spdlog/spdlog.h>

#include <mutex>

#include "meta/repositories.h"
#include "meta/topics.h"

namespace robust::kafka {
namespace {

std::string map_key(std::string_view tenant, std::string_view name) {
    std::string k(tenant);
    k.push_back('\0');
    k.append(name);
    return k;
}

storage::durability durability_of(std::string_view d) {
    if (d == "none") return storage::durability::none;
    if (d == "fsync") return storage::durability::fsync;
    return storage::durability::wal;
}

}  // namespace

bool valid_topic_name(std::string_view name) noexcept {
    if (name.empty() || name.size() > 249 || name == "." || name == "..") return false;
    for (char c : name) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
        if (!ok) return false;
    }
    return true;
}

catalog::~catalog() {
    stop();
}

status catalog::start() {
    // Watch first, then load: a topic created in between is seen by both,
    // and upsert is idempotent.
    watch_ = meta_.watch(meta::keys::topics, [this](const meta::mutation& m) { on_change(m); });
    watching_ = true;
    meta::topic_repo repo(meta_);
    for (std::string cursor;;) {
        auto page = repo.list_all(1000, cursor);
        if (!page) return page.error();
        for (const auto& r : page->items) upsert(r);
        if (page->next_cursor.empty()) break;
        cursor = page->next_cursor;
    }
    return {};
}

void catalog::stop() {
    if (!watching_) return;
    watching_ = false;
    meta_.unwatch(watch_);
}

void catalog::on_change(const meta::mutation& m) {
    if (m.value) {
        auto r = meta::decode_topic_record(*m.value);
        if (!r) {
            spdlog::warn("kafka: unreadable topic record {}: {}", m.key, r.error().message());
            return;
        }
        upsert(*r);
        return;
    }
    auto parts = meta::split_key(m.key);  // "topic", tenant, name
    if (!parts || parts->size() != 3) return;
    std::unique_lock lock(mu_);
    topics_.erase(map_key((*parts)[1], (*parts)[2]));
}

void catalog::upsert(const meta::topic_record& r) {
    auto e = std::make_shared<topic_entry>();
    e->record = r;
    e->durability = durability_of(r.durability);
    const storage::shard_options opts = meta::topic_shard_options(r);
    for (uint32_t p = 0; p < r.partitions; ++p) {
        // Idempotent and never waits for the disk: topics made before this
        // process (or by another node) get their shards here.
        auto id = journal_.create_shard(meta::topic_shard_name(r.tenant, r.name, p), opts);
        if (!id) {
            spdlog::warn("kafka: no shard for partition {} of topic {}: {}", p, r.name,
                         id.error().message());
            return;
        }
        e->shards.push_back(*id);
    }
    std::unique_lock lock(mu_);
    topics_[map_key(r.tenant, r.name)] = std::move(e);
}

std::shared_ptr<const topic_entry> catalog::find(std::string_view tenant,
                                                 std::string_view name) const {
    std::shared_lock lock(mu_);
    auto it = topics_.find(map_key(tenant, name));
    return it == topics_.end() ? nullptr : it->second;
}

std::vector<std::shared_ptr<const topic_entry>> catalog::list(std::string_view tenant) const {
    std::vector<std::shared_ptr<const topic_entry>> out;
    const std::string prefix = map_key(tenant, "");
    std::shared_lock lock(mu_);
    for (auto it = topics_.lower_bound(prefix);
         it != topics_.end() && it->first.starts_with(prefix); ++it) {
        if (valid_topic_name(it->second->record.name)) out.push_back(it->second);
    }
    return out;
}

}  // namespace robust::kafka
