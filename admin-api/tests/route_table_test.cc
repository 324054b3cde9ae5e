#include "route_table.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

namespace robust::admin::detail {
namespace {

TEST(AdminRoutes, PlaceholdersAndSlashes) {
    auto m = match_route("GET", "/api/v1/topics/sensors/room 1/temp");
    ASSERT_NE(m.matched, nullptr);
    EXPECT_EQ(m.matched->id, route_id::topics_get);
    EXPECT_EQ(m.params, std::vector<std::string>{"sensors/room 1/temp"});

    m = match_route("DELETE", "/api/v1/blacklist/cidr/10.0.0.0/8");
    ASSERT_NE(m.matched, nullptr);
    EXPECT_EQ(m.matched->id, route_id::blacklist_delete);
    EXPECT_EQ(m.params, (std::vector<std::string>{"cidr", "10.0.0.0/8"}));

    m = match_route("GET", "/api/v1/retained//leading/slash");
    ASSERT_NE(m.matched, nullptr);
    EXPECT_EQ(m.params, std::vector<std::string>{"/leading/slash"});
}

TEST(AdminRoutes, MethodSelectsAmongSamePath) {
    auto check = match_route("POST", "/api/v1/acls/check");
    ASSERT_NE(check.matched, nullptr);
    EXPECT_EQ(check.matched->id, route_id::acls_check);
    // A rule may be called "check": DELETE reaches it.
    auto del = match_route("DELETE", "/api/v1/acls/check");
    ASSERT_NE(del.matched, nullptr);
    EXPECT_EQ(del.matched->id, route_id::acls_delete);
    EXPECT_EQ(del.params, std::vector<std::string>{"check"});
}

TEST(AdminRoutes, NotFoundAndMethodNotAllowed) {
    auto none = match_route("GET", "/api/v1/nothing");
    EXPECT_EQ(none.matched, nullptr);
    EXPECT_TRUE(none.allowed.empty());

    auto wrong = match_route("PUT", "/api/v1/users/alice");
    EXPECT_EQ(wrong.matched, nullptr);
    EXPECT_EQ(wrong.allowed, (std::vector<std::string_view>{"GET", "PATCH", "DELETE"}));

    EXPECT_EQ(match_route("GET", "/api/v1/users/").matched, nullptr) << "empty placeholder";
    EXPECT_EQ(match_route("GET", "/api/v1/users/x").matched->id, route_id::users_get);
    EXPECT_EQ(match_route("HEAD", "/health/live").matched->id, route_id::health_live);
}

TEST(AdminRoutes, EveryRouteIsUniqueAndWellFormed) {
    std::set<std::pair<std::string_view, std::string_view>> seen;
    std::set<route_id> ids;
    for (const auto& r : routes) {
        EXPECT_TRUE(seen.emplace(r.method, r.pattern).second) << r.method << " " << r.pattern;
        EXPECT_TRUE(ids.insert(r.id).second) << r.pattern;
        EXPECT_EQ(r.pattern.front(), '/');
        std::vector<std::string> params;
        // A route matches its own pattern with the placeholders as values.
        EXPECT_TRUE(match_pattern(r.pattern, r.pattern, params)) << r.pattern;
    }
    EXPECT_EQ(ids.size(), static_cast<size_t>(route_id::publish) + 1) << "a route_id has no route";
}

// ---- the OpenAPI document lists exactly the served routes -----------------

std::set<std::string> openapi_operations() {
    std::ifstream in(ROBUST_OPENAPI_YAML);
    EXPECT_TRUE(in) << "cannot read " << ROBUST_OPENAPI_YAML;
    const std::regex path_re(R"(^  (/[^:\s]*):\s*$)");
    const std::regex method_re(R"(^    (get|put|post|patch|delete|head|options):\s*$)");
    std::set<std::string> ops;
    bool in_paths = false;
    std::string current;
    std::string line;
    std::smatch m;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.empty() || line.front() == '#') continue;
        if (!std::isspace(static_cast<unsigned char>(line.front()))) {
            in_paths = line.rfind("paths:", 0) == 0;
            current.clear();
            continue;
        }
        if (!in_paths) continue;
        if (std::regex_match(line, m, path_re)) {
            current = m[1];
        } else if (!current.empty() && std::regex_match(line, m, method_re)) {
            std::string method = m[1];
            std::transform(method.begin(), method.end(), method.begin(), ::toupper);
            ops.insert(method + " " + current);
        }
    }
    return ops;
}

TEST(AdminOpenApi, DocumentsExactlyTheServedRoutes) {
    std::set<std::string> served;
    for (const auto& r : routes) {
        served.insert(std::string(r.method) + " " + std::string(r.pattern));
    }
    const auto documented = openapi_operations();
    ASSERT_FALSE(documented.empty());
    for (const auto& op : served) {
        EXPECT_TRUE(documented.count(op)) << "served but not in openapi.yaml: " << op;
    }
    for (const auto& op : documented) {
        EXPECT_TRUE(served.count(op)) << "in openapi.yaml but not served: " << op;
    }
}

}  // namespace
}  // namespace robust::admin::detail
