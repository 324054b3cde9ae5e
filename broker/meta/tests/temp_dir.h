#pragma once
// A fresh directory under the system temp dir, removed with its contents when
// the object dies. Unique per process and per instance, so parallel ctest
// runs never share a RocksDB directory.

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <random>
#include <string>

namespace robust::meta::testing {

class temp_dir {
public:
    temp_dir() {
        static std::atomic<int> counter{0};
        std::random_device rd;
        path_ = std::filesystem::temp_directory_path() /
                ("meta_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++) + "_" +
                 std::to_string(rd()));
        std::filesystem::create_directories(path_);
    }
    ~temp_dir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;

    const std::filesystem::path& path() const { return path_; }
    std::string sub(const std::string& name) const { return (path_ / name).string(); }

private:
    std::filesystem::path path_;
};

}  // namespace robust::meta::testing
