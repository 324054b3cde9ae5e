#include "route_table.h"

#include <algorithm>

namespace robust::admin::detail {

bool match_pattern(std::string_view pattern, std::string_view path,
                   std::vector<std::string>& params) {
    params.clear();
    size_t pi = 0;  // position in pattern
    size_t si = 0;  // position in path
    while (pi < pattern.size()) {
        if (pattern[pi] != '{') {
            if (si >= path.size() || path[si] != pattern[pi]) return false;
            ++pi;
            ++si;
            continue;
        }
        const size_t close = pattern.find('}', pi);
        if (close == std::string_view::npos) return false;
        pi = close + 1;
        const bool last = pi == pattern.size();
        const size_t end = last ? path.size() : path.find('/', si);
        const size_t stop = end == std::string_view::npos ? path.size() : end;
        if (stop == si) return false;  // placeholders are never empty
        params.emplace_back(path.substr(si, stop - si));
        si = stop;
    }
    return si == path.size();
}

route_match match_route(std::string_view method, std::string_view path) {
    route_match m;
    const std::string_view wanted = method == "HEAD" ? std::string_view("GET") : method;
    std::vector<std::string> params;
    for (const auto& r : routes) {
        if (!match_pattern(r.pattern, path, params)) continue;
        if (r.method == wanted) {
            m.matched = &r;
            m.params = std::move(params);
            m.allowed.clear();
            return m;
        }
        if (std::find(m.allowed.begin(), m.allowed.end(), r.method) == m.allowed.end()) {
            m.allowed.push_back(r.method);
        }
    }
    return m;
}

}  // namespace robust::admin::detail
