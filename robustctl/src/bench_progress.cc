#include "bench_progress.h"

#include <algorithm>
#include <cinttypes>

namespace robust::ctl {

uint64_t progress_printer::previous(std::string_view name) const {
    auto it =
        std::find_if(prev_.begin(), prev_.end(), [name](const auto& p) { return p.first == name; });
    return it == prev_.end() ? 0 : it->second;
}

void progress_printer::print(std::string_view phase, std::initializer_list<progress_figure> figures,
                             clock::time_point now) {
    const double dt = std::max(std::chrono::duration<double>(now - last_).count(), 1e-9);
    const double elapsed = std::chrono::duration<double>(now - start_).count();
    std::string line;
    char buf[96];
    std::snprintf(buf, sizeof buf, "[%6.1fs] %.*s:", elapsed, static_cast<int>(phase.size()),
                  phase.data());
    line += buf;
    std::vector<std::pair<std::string, uint64_t>> seen;
    for (const auto& f : figures) {
        line += line.back() == ':' ? " " : ", ";
        line += f.name;
        std::snprintf(buf, sizeof buf, " %" PRIu64, f.total);
        line += buf;
        if (f.rate) {
            const uint64_t before = previous(f.name);
            const uint64_t delta = f.total >= before ? f.total - before : f.total;
            std::snprintf(buf, sizeof buf, " (%.0f/s)", static_cast<double>(delta) / dt);
            line += buf;
        }
        seen.emplace_back(f.name, f.total);
    }
    line += '\n';
    std::fputs(line.c_str(), err_);
    std::fflush(err_);
    prev_ = std::move(seen);
    last_ = now;
}

}  // namespace robust::ctl
