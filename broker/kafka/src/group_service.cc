#include "group_service.h"

#include <chrono>
#include <set>

#include "base/clock.h"
#include "meta/model.h"
#include "net/io_pool.h"
#include "server_impl.h"

namespace robust::kafka {
namespace {

// Group ids of other tenants carry this prefix inside the coordinator; the
// default tenant keeps plain ids (and may not use the prefix).
constexpr std::string_view tenant_prefix = "$tenant/";

groups::coordinator_options coordinator_options_of(const server_options& o) {
    groups::coordinator_options c;
    c.group_min_session_timeout_ms = static_cast<int32_t>(o.group_min_session_timeout_ms);
    c.group_max_session_timeout_ms = static_cast<int32_t>(o.group_max_session_timeout_ms);
    c.group_initial_rebalance_delay_ms = static_cast<int32_t>(o.group_initial_rebalance_delay_ms);
    return c;
}

}  // namespace

group_service::group_service(server_impl& s)
    : s_(s), coordinator_(coordinator_options_of(s.options())) {}

group_service::~group_service() {
    stop();
}

int64_t group_service::now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               steady_clock::now().time_since_epoch())
        .count();
}

status group_service::start() {
    timer_ = std::make_unique<asio::steady_timer>(s_.pool().context(0));
    arm_timer();
    return {};
}

void group_service::arm_timer() {
    timer_->expires_after(std::chrono::milliseconds(s_.options().group_tick_ms));
    timer_->async_wait([this](std::error_code ec) {
        if (ec) return;
        {
            std::lock_guard lock(mu_);
            if (stopped_) return;
            coordinator_.tick(now_ms());
        }
        arm_timer();
    });
}

void group_service::stop() {
    std::lock_guard lock(mu_);
    if (stopped_) return;
    stopped_ = true;
    if (timer_) timer_->cancel();
}

std::optional<std::string> group_service::scoped_id(std::string_view tenant,
                                                    std::string_view group) {
    if (tenant == "default") {
        if (group.starts_with(tenant_prefix)) return std::nullopt;
        return std::string(group);
    }
    return std::string(tenant_prefix) + meta::escape_key_part(tenant) + "/" + std::string(group);
}

std::string group_service::offsets_key(std::string_view tenant, std::string_view group) {
    return "kafka/" + meta::escape_key_part(tenant) + "/" + std::string(group);
}

void group_service::remember_metadata(const std::string& key, storage::shard_id shard,
                                      std::optional<std::string> metadata) {
    std::lock_guard lock(mu_);
    if (!metadata || metadata->empty()) {
        metadata_.erase({key, shard.value()});
    } else {
        metadata_[{key, shard.value()}] = std::move(*metadata);
    }
}

std::optional<std::string> group_service::metadata(const std::string& key,
                                                   storage::shard_id shard) const {
    std::lock_guard lock(mu_);
    auto it = metadata_.find({key, shard.value()});
    if (it == metadata_.end()) return std::string();
    return it->second;
}

void group_service::forget_metadata(const std::string& key) {
    std::lock_guard lock(mu_);
    for (auto it = metadata_.begin(); it != metadata_.end();) {
        it = it->first.first == key ? metadata_.erase(it) : std::next(it);
    }
}

bool group_service::has_offsets(std::string_view tenant, std::string_view group) const {
    const std::string key = offsets_key(tenant, group);
    // list_positions matches a prefix: "g" must not count "g2"'s offsets.
    for (const auto& p : s_.journal().list_positions(key)) {
        if (p.group == key) return true;
    }
    return false;
}

std::vector<std::string> group_service::groups_with_offsets(std::string_view tenant) const {
    const std::string prefix = offsets_key(tenant, "");
    std::set<std::string> names;
    for (const auto& p : s_.journal().list_positions(prefix)) {
        names.insert(p.group.substr(prefix.size()));
    }
    return {names.begin(), names.end()};
}

}  // namespace robust::kafka
