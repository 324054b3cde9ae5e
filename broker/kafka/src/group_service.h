#pragma once
// group_service: consumer groups for the Kafka handlers. Wraps the Sans-I/O
// coordinator (broker/kafka/groups) with a mutex and a timer that drives its
// clock, scopes group ids by tenant, and keeps committed offsets as journal
// positions (kernel state: they survive restarts like the records do).
//
// Committed offsets: journal position group "kafka/<tenant>/<group id>"
// (tenant escaped as in meta keys) on the partition's shard. The optional
// commit metadata string is kept in memory only.
//
// Thread-safe. Coordinator callbacks run under the mutex: they must only
// post (request::respond does).

#include <asio/steady_timer.hpp>

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "kafka/groups/group_coordinator.h"
#include "storage/journal.h"

namespace robust::kafka {

class server_impl;

class group_service {
public:
    explicit group_service(server_impl& s);
    ~group_service();

    status start();
    void stop();

    /// The coordinator's id of `group` in `tenant`, or nullopt when the
    /// name is not allowed (empty is allowed for offsets only, as in Kafka).
    static std::optional<std::string> scoped_id(std::string_view tenant, std::string_view group);
    /// Runs `fn(coordinator, now_ms)` under the lock.
    template <class F>
    auto with(F&& fn) {
        std::lock_guard lock(mu_);
        return fn(coordinator_, now_ms());
    }

    /// The journal position name of a group's committed offsets.
    static std::string offsets_key(std::string_view tenant, std::string_view group);
    void remember_metadata(const std::string& key, storage::shard_id shard,
                           std::optional<std::string> metadata);
    std::optional<std::string> metadata(const std::string& key, storage::shard_id shard) const;
    void forget_metadata(const std::string& key);

    /// Whether `group` of `tenant` has committed any offset.
    bool has_offsets(std::string_view tenant, std::string_view group) const;
    /// Groups of `tenant` that only have committed offsets (no members in
    /// the coordinator): their names.
    std::vector<std::string> groups_with_offsets(std::string_view tenant) const;

private:
    static int64_t now_ms();
    void arm_timer();

    server_impl& s_;
    mutable std::mutex mu_;
    groups::group_coordinator coordinator_;
    std::map<std::pair<std::string, uint64_t>, std::string> metadata_;
    std::unique_ptr<asio::steady_timer> timer_;
    bool stopped_ = false;
};

}  // namespace robust::kafka
