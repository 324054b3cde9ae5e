#include "static_site.h"

#include <array>
#include <fstream>
#include <sstream>
#include <system_error>
#include <utility>

namespace robust::admin::detail {
namespace fs = std::filesystem;
namespace {

constexpr std::string_view immutable = "public, max-age=31536000, immutable";
constexpr std::string_view revalidate = "no-cache";

std::optional<std::string> read_file(const fs::path& p) {
    std::error_code ec;
    if (!fs::is_regular_file(p, ec)) return std::nullopt;
    std::ifstream in(p, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream s;
    s << in.rdbuf();
    return std::move(s).str();
}

bool holds_index(const fs::path& dir) {
    std::error_code ec;
    return fs::is_regular_file(dir / "index.html", ec);
}

/// `path` relative to the site root, or nullopt when it tries to leave it
/// (a ".." segment) or contains a NUL.
std::optional<fs::path> relative_path(std::string_view path) {
    fs::path rel;
    size_t i = 0;
    while (i < path.size()) {
        size_t j = path.find('/', i);
        if (j == std::string_view::npos) j = path.size();
        const std::string_view seg = path.substr(i, j - i);
        if (seg == ".." || seg.find('\0') != std::string_view::npos ||
            seg.find('\\') != std::string_view::npos) {
            return std::nullopt;
        }
        if (!seg.empty() && seg != ".") rel /= std::string(seg);
        i = j + 1;
    }
    return rel;
}

std::string html_escape(std::string_view s) {
    std::string out;
    for (char c : s) {
        switch (c) {
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '&':
                out += "&amp;";
                break;
            default:
                out += c;
        }
    }
    return out;
}

reply file_reply(std::string body, std::string_view name, std::string_view cache) {
    reply r;
    r.status = 200;
    r.body = std::move(body);
    r.content_type = std::string(content_type_for(name));
    r.headers.emplace_back("Cache-Control", std::string(cache));
    r.headers.emplace_back("X-Content-Type-Options", "nosniff");
    // The console performs admin actions: no other site may frame it.
    r.headers.emplace_back("X-Frame-Options", "DENY");
    return r;
}

}  // namespace

bool is_api_path(std::string_view path) noexcept {
    return path == "/api" || path.starts_with("/api/") || path == "/health" ||
           path.starts_with("/health/") || path == "/metrics" || path.starts_with("/metrics/");
}

std::string_view content_type_for(std::string_view file_name) noexcept {
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 16> types{{
        {".html", "text/html; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".json", "application/json"},
        {".map", "application/json"},
        {".webmanifest", "application/manifest+json"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".jpg", "image/jpeg"},
        {".ico", "image/x-icon"},
        {".woff2", "font/woff2"},
        {".woff", "font/woff"},
        {".ttf", "font/ttf"},
        {".txt", "text/plain; charset=utf-8"},
        {".wasm", "application/wasm"},
    }};
    const size_t slash = file_name.rfind('/');
    const std::string_view base =
        slash == std::string_view::npos ? file_name : file_name.substr(slash + 1);
    const size_t dot = base.rfind('.');
    if (dot != std::string_view::npos) {
        const std::string_view ext = base.substr(dot);
        for (const auto& [e, type] : types) {
            if (e == ext) return type;
        }
    }
    return "application/octet-stream";
}

std::vector<fs::path> default_dashboard_dirs() {
    std::vector<fs::path> dirs;
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        const fs::path dir = exe.parent_path();
        dirs.push_back(dir / "dashboard");
        dirs.push_back((dir / ".." / "share" / "robustmq" / "dashboard").lexically_normal());
    }
#ifdef ROBUST_DASHBOARD_BUILD_DIR
    dirs.emplace_back(ROBUST_DASHBOARD_BUILD_DIR);
#endif
    dirs.emplace_back("/usr/share/robustmq/dashboard");
    return dirs;
}

std::optional<fs::path> find_dashboard_dir(const std::string& configured,
                                           const std::vector<fs::path>& candidates) {
    if (!configured.empty()) return fs::path(configured);
    for (const auto& c : candidates) {
        if (holds_index(c)) return c;
    }
    return std::nullopt;
}

static_site::static_site(std::optional<fs::path> root, std::vector<fs::path> searched)
    : root_(std::move(root)), searched_(std::move(searched)) {}

static_site static_site::locate(const std::string& configured) {
    auto dirs = default_dashboard_dirs();
    auto root = find_dashboard_dir(configured, dirs);
    return static_site(std::move(root), std::move(dirs));
}

bool static_site::available() const {
    return root_ && holds_index(*root_);
}

reply static_site::get(std::string_view path) const {
    if (!available()) return not_built();
    const auto rel = relative_path(path);
    if (!rel) return error_reply(404, "no such file");
    if (!rel->empty()) {
        if (auto body = read_file(*root_ / *rel)) {
            const bool hashed = path.starts_with("/assets/");
            return file_reply(std::move(*body), rel->filename().string(),
                              hashed ? immutable : revalidate);
        }
        // A missing script or stylesheet is an error, not the app's page
        // (which the browser would refuse as the wrong type anyway).
        if (path.starts_with("/assets/")) return error_reply(404, "no such file");
    }
    // The SPA: any other path is a client-side route.
    auto index = read_file(*root_ / "index.html");
    if (!index) return not_built();
    return file_reply(std::move(*index), "index.html", revalidate);
}

reply static_site::not_built() const {
    std::string where;
    if (root_) {
        where = "<li><code>" + html_escape(root_->string()) + "</code> (http.dashboard_dir)</li>";
    } else {
        for (const auto& d : searched_)
            where += "<li><code>" + html_escape(d.string()) + "</code></li>";
    }
    reply r;
    r.status = 404;
    r.content_type = "text/html; charset=utf-8";
    r.headers.emplace_back("Cache-Control", "no-store");
    r.body =
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>RobustMQ dashboard not "
        "built</title></head><body><h1>The RobustMQ dashboard is not built</h1>"
        "<p>This server found no dashboard files (an <code>index.html</code>) in:</p><ul>" +
        where +
        "</ul><p>Build it with <code>cmake --build build --target dashboard</code> (needs "
        "Node.js 20 and npm; it runs <code>npm ci</code> and <code>npm run build</code> in "
        "<code>dashboard/</code>), or point <code>http.dashboard_dir</code> "
        "(<code>ROBUSTMQ_HTTP_DASHBOARD_DIR</code>) at a built <code>dashboard/dist</code>. "
        "The REST API is at <code>/api/v1</code>.</p></body></html>";
    return r;
}

}  // namespace robust::admin::detail
