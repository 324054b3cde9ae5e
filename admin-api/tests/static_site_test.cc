#include "static_site.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

namespace robust::admin::detail {
namespace {
namespace fs = std::filesystem;

std::string header(const reply& r, std::string_view name) {
    for (const auto& [k, v] : r.headers) {
        if (k == name) return v;
    }
    return {};
}

class StaticSite : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ =
            fs::temp_directory_path() / ("static-site-" + std::to_string(std::random_device{}()));
        fs::create_directories(dir_ / "assets");
        write("index.html", "<!doctype html><div id=root></div>");
        write("assets/index-abc123.js", "console.log(1)");
        write("assets/index-abc123.css", "body{}");
        write("favicon.svg", "<svg/>");
        fs::create_directories(dir_.parent_path() / (dir_.filename().string() + "-secret"));
    }
    void TearDown() override {
        std::error_code ec;
        fs::remove_all(dir_, ec);
        fs::remove_all(dir_.parent_path() / (dir_.filename().string() + "-secret"), ec);
    }
    void write(const std::string& rel, const std::string& text) {
        std::ofstream(dir_ / rel) << text;
    }
    fs::path dir_;
};

TEST(StaticSitePaths, ApiPathsAreNeverTheSite) {
    EXPECT_TRUE(is_api_path("/api/v1/users"));
    EXPECT_TRUE(is_api_path("/api"));
    EXPECT_TRUE(is_api_path("/health/live"));
    EXPECT_TRUE(is_api_path("/metrics"));
    EXPECT_FALSE(is_api_path("/"));
    EXPECT_FALSE(is_api_path("/apis"));
    EXPECT_FALSE(is_api_path("/topics/api"));
    EXPECT_FALSE(is_api_path("/metricsx"));
}

TEST(StaticSitePaths, ContentTypes) {
    EXPECT_EQ(content_type_for("index.html"), "text/html; charset=utf-8");
    EXPECT_EQ(content_type_for("assets/a.b.js"), "text/javascript; charset=utf-8");
    EXPECT_EQ(content_type_for("x.css"), "text/css; charset=utf-8");
    EXPECT_EQ(content_type_for("x.svg"), "image/svg+xml");
    EXPECT_EQ(content_type_for("x.woff2"), "font/woff2");
    EXPECT_EQ(content_type_for("noext"), "application/octet-stream");
    EXPECT_EQ(content_type_for("dir.js/file"), "application/octet-stream");
}

TEST_F(StaticSite, ServesFilesWithTypesAndCachePolicy) {
    static_site site(dir_, {});
    ASSERT_TRUE(site.available());
    auto js = site.get("/assets/index-abc123.js");
    EXPECT_EQ(js.status, 200);
    EXPECT_EQ(js.body, "console.log(1)");
    EXPECT_EQ(js.content_type, "text/javascript; charset=utf-8");
    EXPECT_EQ(header(js, "Cache-Control"), "public, max-age=31536000, immutable");
    auto icon = site.get("/favicon.svg");
    EXPECT_EQ(icon.content_type, "image/svg+xml");
    EXPECT_EQ(header(icon, "Cache-Control"), "no-cache");
    auto root = site.get("/");
    EXPECT_EQ(root.status, 200);
    EXPECT_EQ(root.content_type, "text/html; charset=utf-8");
    EXPECT_NE(root.body.find("id=root"), std::string::npos);
    EXPECT_EQ(header(root, "Cache-Control"), "no-cache");
    EXPECT_EQ(header(root, "X-Frame-Options"), "DENY");
    EXPECT_EQ(header(root, "X-Content-Type-Options"), "nosniff");
}

TEST_F(StaticSite, UnknownPathsAreTheAppButMissingAssetsAre404) {
    static_site site(dir_, {});
    auto route = site.get("/clients/some%2Fclient");
    EXPECT_EQ(route.status, 200);
    EXPECT_NE(route.body.find("id=root"), std::string::npos);
    EXPECT_EQ(site.get("/topics").status, 200);
    EXPECT_EQ(site.get("/assets/gone-123.js").status, 404);
}

TEST_F(StaticSite, NeverLeavesItsDirectory) {
    write("../" + dir_.filename().string() + "-secret/key", "secret");
    static_site site(dir_, {});
    auto up = site.get("/../" + dir_.filename().string() + "-secret/key");
    EXPECT_EQ(up.body.find("secret"), std::string::npos);
    EXPECT_EQ(up.status, 404);
    EXPECT_EQ(site.get("/assets/../../etc/passwd").status, 404);
}

TEST_F(StaticSite, WithoutADashboardSaysHowToBuildIt) {
    static_site none(std::nullopt, {dir_ / "nowhere", "/usr/share/robustmq/dashboard"});
    EXPECT_FALSE(none.available());
    auto r = none.get("/");
    EXPECT_EQ(r.status, 404);
    EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
    EXPECT_NE(r.body.find("--target dashboard"), std::string::npos);
    EXPECT_NE(r.body.find("http.dashboard_dir"), std::string::npos);
    EXPECT_NE(r.body.find("/usr/share/robustmq/dashboard"), std::string::npos);
}

TEST_F(StaticSite, FindsTheConfiguredOrFirstBuiltDirectory) {
    EXPECT_EQ(find_dashboard_dir("/configured", {dir_}), fs::path("/configured"));
    EXPECT_EQ(find_dashboard_dir("", {dir_ / "nothing", dir_}), dir_);
    EXPECT_FALSE(find_dashboard_dir("", {dir_ / "nothing"}).has_value());
    const auto defaults = default_dashboard_dirs();
    ASSERT_FALSE(defaults.empty());
    EXPECT_EQ(defaults.back(), fs::path("/usr/share/robustmq/dashboard"));
}

}  // namespace
}  // namespace robust::admin::detail
