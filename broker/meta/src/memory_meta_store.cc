// The in-memory meta store: a sorted map behind a reader/writer lock. Same
// semantics as the RocksDB store (store_base owns them); nothing survives the
// process. For tests and for running without a data directory.

#include <map>
#include <memory>
#include <shared_mutex>
#include <string>

#include "meta/meta_store.h"
#include "scan_range.h"
#include "store_base.h"

namespace robust::meta {
namespace {

class memory_meta_store final : public detail::store_base {
public:
    memory_meta_store() { start_writer(); }
    ~memory_meta_store() override { stop(); }

private:
    result<std::optional<std::string>> engine_get(std::string_view key) const override {
        std::shared_lock lock(mu_);
        auto it = data_.find(key);
        if (it == data_.end()) return std::optional<std::string>();
        return std::optional<std::string>(it->second);
    }

    result<std::vector<kv>> engine_scan(std::string_view prefix, size_t limit,
                                        std::string_view start_after) const override {
        std::vector<kv> out;
        std::shared_lock lock(mu_);
        auto it = data_.lower_bound(detail::scan_seek_key(prefix, start_after));
        for (; it != data_.end() && out.size() < limit; ++it) {
            if (!std::string_view(it->first).starts_with(prefix)) break;
            if (!start_after.empty() && it->first <= start_after) continue;
            out.emplace_back(it->first, it->second);
        }
        return out;
    }

    status engine_write(const std::vector<mutation>& batch) override {
        std::unique_lock lock(mu_);
        for (const auto& m : batch) {
            if (m.value) {
                data_.insert_or_assign(m.key, *m.value);
            } else if (auto it = data_.find(m.key); it != data_.end()) {
                data_.erase(it);
            }
        }
        return {};
    }

    mutable std::shared_mutex mu_;
    std::map<std::string, std::string, std::less<>> data_;
};

}  // namespace

std::unique_ptr<meta_store> make_memory_meta_store() {
    return std::make_unique<memory_meta_store>();
}

}  // namespace robust::meta
