#pragma once
// Helpers shared by the storage tests: temp dirs, synchronous wrappers
// around the callback API, record builders.

#include <gtest/gtest.h>

#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <system_error>

#include "storage/journal.h"

namespace robust::storage::test {

/// A fresh directory under the system temp dir, removed with everything in it.
class temp_dir {
public:
    temp_dir() {
        auto tmpl = (std::filesystem::temp_directory_path() / "journal-test-XXXXXX").string();
        const char* p = ::mkdtemp(tmpl.data());
        if (p == nullptr) throw std::system_error(errno, std::generic_category(), "mkdtemp");
        path_ = p;
    }
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;
    ~temp_dir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

inline record make_record(std::string value, int64_t ts = 0, std::string key = {},
                          std::vector<record_header> headers = {}) {
    record r;
    r.timestamp_ms = ts;
    r.key = std::move(key);
    r.headers = std::move(headers);
    r.value = shared_buffer(std::move(value));
    return r;
}

/// A stored Kafka batch covering `count` offsets (the value stands in for the
/// RecordBatch bytes: the journal never looks inside).
inline record make_batch(std::string value, uint32_t count, int64_t ts = 0) {
    record r = make_record(std::move(value), ts);
    r.format = record_format::kafka_batch;
    r.offset_count = count;
    return r;
}

inline append_request make_request(shard_id shard, std::vector<record> records,
                                   durability d = durability::wal,
                                   std::vector<shard_id> index_shards = {}) {
    append_request req;
    req.shard = shard;
    req.records = std::move(records);
    req.index_shards = std::move(index_shards);
    req.durability = d;
    return req;
}

/// append() and wait for its callback.
inline result<append_result> append_sync(journal& j, append_request req) {
    auto p = std::make_shared<std::promise<result<append_result>>>();
    auto f = p->get_future();
    j.append(std::move(req), [p](result<append_result> r) { p->set_value(std::move(r)); });
    return f.get();
}

/// Counts callbacks until `expected` have run.
class completion_counter {
public:
    explicit completion_counter(size_t expected) : expected_(expected) {}
    void done() {
        std::lock_guard lk(mu_);
        if (++count_ == expected_) cv_.notify_all();
    }
    void wait() {
        std::unique_lock lk(mu_);
        cv_.wait(lk, [this] { return count_ >= expected_; });
    }
    size_t count() {
        std::lock_guard lk(mu_);
        return count_;
    }

private:
    std::mutex mu_;
    std::condition_variable cv_;
    size_t count_ = 0;
    const size_t expected_;
};

/// The value of one series in a /metrics scrape, written as the registry
/// prints it (labels in alphabetical order): `name{label="value"}`.
inline std::optional<double> scraped_value(const std::string& scrape, const std::string& series) {
    std::istringstream in(scrape);
    for (std::string line; std::getline(in, line);) {
        if (line.size() > series.size() && line.starts_with(series) && line[series.size()] == ' ') {
            return std::stod(line.substr(series.size() + 1));
        }
    }
    return std::nullopt;
}

}  // namespace robust::storage::test
