#pragma once
// The dashboard's files (dashboard/dist, built by the `dashboard` CMake
// target) served at `/` on the admin port, beside the API:
//   - is_api_path(): what never reaches the site (/api/*, /health/*, /metrics);
//   - find_dashboard_dir(): where the files are (http.dashboard_dir, else a
//     search beside the binary, in the build tree, /usr/share/robustmq);
//   - static_site::get(): a file with its content type and cache policy
//     (hashed /assets/* for a year, the rest revalidated), any other path
//     the SPA's index.html (the client-side router decides), and without a
//     dashboard a page saying how to build it.
//
// Created by admin::server at start; get() is const and reads the disk on
// each call (the files are small), so any thread may call it.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http_util.h"

namespace robust::admin::detail {

/// Paths owned by the API: `/api` and below, `/health/...`, `/metrics`.
bool is_api_path(std::string_view path) noexcept;

/// The Content-Type for a file name, by its extension
/// (application/octet-stream for an unknown one).
std::string_view content_type_for(std::string_view file_name) noexcept;

/// The directories looked at, in order, when http.dashboard_dir is empty:
/// <exe dir>/dashboard, <exe dir>/../share/robustmq/dashboard, the build
/// tree's dashboard/dist (when compiled in), /usr/share/robustmq/dashboard.
std::vector<std::filesystem::path> default_dashboard_dirs();

/// `configured` when non-empty (whether or not it holds a dashboard), else
/// the first of `candidates` that holds an index.html; nullopt if none does.
std::optional<std::filesystem::path> find_dashboard_dir(
    const std::string& configured, const std::vector<std::filesystem::path>& candidates);

class static_site {
public:
    /// `root`: the dashboard's directory; nullopt (or a directory without
    /// index.html) serves the "not built" page. `searched`: shown on it.
    static_site(std::optional<std::filesystem::path> root,
                std::vector<std::filesystem::path> searched);
    /// The site of http.dashboard_dir `configured` (empty: the default search).
    static static_site locate(const std::string& configured);

    /// The answer to GET `path` (percent-decoded, not an API path).
    reply get(std::string_view path) const;

    bool available() const;
    const std::optional<std::filesystem::path>& root() const { return root_; }

private:
    reply not_built() const;
    std::optional<std::filesystem::path> root_;
    std::vector<std::filesystem::path> searched_;
};

}  // namespace robust::admin::detail
