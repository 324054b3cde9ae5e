#include "process.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <charconv>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "base/errc.h"

namespace robust::metrics::detail {
namespace {

bool parse_u64(std::string_view text, uint64_t& out) {
    const auto* end = text.data() + text.size();
    auto [p, ec] = std::from_chars(text.data(), end, out);
    return ec == std::errc() && p == end;
}

bool read_file(const char* path, std::string& out) {
    std::ifstream in(path);
    if (!in) return false;
    std::ostringstream ss;
    ss << in.rdbuf();
    out = ss.str();
    return true;
}

// Seconds since the epoch at which the machine booted ("btime" in /proc/stat).
bool boot_time(uint64_t& out) {
    std::ifstream in("/proc/stat");
    std::string line;
    while (std::getline(in, line)) {
        if (line.starts_with("btime ")) return parse_u64(std::string_view(line).substr(6), out);
    }
    return false;
}

// Entries of /proc/self/fd, less the descriptor that lists them.
bool count_open_fds(uint64_t& out) {
    DIR* d = ::opendir("/proc/self/fd");
    if (d == nullptr) return false;
    const std::string own = std::to_string(::dirfd(d));
    uint64_t n = 0;
    while (const dirent* e = ::readdir(d)) {
        const std::string_view name(e->d_name);
        if (name == "." || name == ".." || name == own) continue;
        ++n;
    }
    ::closedir(d);
    out = n;
    return true;
}

}  // namespace

result<process_sample> read_process_sample() {
    // /proc/self/stat: "pid (comm) state ppid ...". comm may hold spaces and
    // parentheses, so fields are counted from the last ')'; field n of
    // proc(5) is then fields[n - 3].
    std::string stat;
    if (!read_file("/proc/self/stat", stat)) return errc::io_error;
    const auto close = stat.rfind(')');
    if (close == std::string::npos) return errc::io_error;
    std::istringstream in(stat.substr(close + 1));
    std::vector<std::string> fields;
    for (std::string f; in >> f;) fields.push_back(std::move(f));
    if (fields.size() < 22) return errc::io_error;

    static const long ticks = ::sysconf(_SC_CLK_TCK);
    static const long page = ::sysconf(_SC_PAGESIZE);
    if (ticks <= 0 || page <= 0) return errc::io_error;
    uint64_t utime = 0, stime = 0, threads = 0, start_ticks = 0, vsize = 0, rss_pages = 0;
    const auto field = [&](size_t n, uint64_t& out) { return parse_u64(fields[n - 3], out); };
    if (!field(14, utime) || !field(15, stime) || !field(20, threads) || !field(22, start_ticks) ||
        !field(23, vsize) || !field(24, rss_pages)) {
        return errc::io_error;
    }
    uint64_t boot = 0;
    if (!boot_time(boot)) return errc::io_error;
    const auto hz = static_cast<double>(ticks);
    process_sample s;
    s.cpu_seconds = static_cast<double>(utime + stime) / hz;
    s.threads = threads;
    s.start_time_seconds = static_cast<double>(boot) + static_cast<double>(start_ticks) / hz;
    s.virtual_bytes = vsize;
    s.resident_bytes = rss_pages * static_cast<uint64_t>(page);
    if (!count_open_fds(s.open_fds)) return errc::io_error;
    rlimit rl{};
    if (::getrlimit(RLIMIT_NOFILE, &rl) != 0) return errc::io_error;
    s.max_fds = static_cast<uint64_t>(rl.rlim_cur);  // RLIM_INFINITY shows as 2^64 - 1
    return s;
}

}  // namespace robust::metrics::detail
