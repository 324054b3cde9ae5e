// bootstrap_admin(): the admin user and its secret file on first start.

#include <gtest/gtest.h>
#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "admin/server.h"
#include "auth/service.h"
#include "meta/meta_store.h"

namespace robust::admin::test {
namespace {

namespace fs = std::filesystem;

class AdminBootstrap : public ::testing::Test {
protected:
    void SetUp() override {
        std::random_device rd;
        dir_ = fs::temp_directory_path() /
               ("robust-boot-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
        fs::create_directories(dir_);
        cfg_.node.data_dir = dir_.string();
        cfg_.auth.password_iterations = 1000;
        ring_ = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(1000);
        spdlog::default_logger()->sinks().push_back(ring_);
        fresh_store();
    }
    void TearDown() override {
        if (auth_) auth_->stop();
        if (meta_) meta_->stop();
        auto& sinks = spdlog::default_logger()->sinks();
        sinks.erase(std::remove(sinks.begin(), sinks.end(), ring_), sinks.end());
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }

    /// A new, empty meta store and auth service: a node whose metadata is
    /// gone but whose data dir (and secret file) is still there.
    void fresh_store() {
        if (auth_) auth_->stop();
        if (meta_) meta_->stop();
        auth_.reset();
        meta_ = meta::make_memory_meta_store();
        auth_ = std::make_unique<auth::service>(*meta_, cfg_.auth);
        ASSERT_TRUE(auth_->start().has_value());
    }

    static std::string first_line(const fs::path& p) {
        std::ifstream in(p);
        std::string line;
        std::getline(in, line);
        return line;
    }
    static unsigned mode_of(const fs::path& p) {
        struct stat st {};
        EXPECT_EQ(::stat(p.c_str(), &st), 0);
        return st.st_mode & 07777;
    }
    static void write_file(const fs::path& p, const std::string& text, unsigned mode) {
        std::ofstream(p) << text;
        ::chmod(p.c_str(), mode);
    }
    bool logged(const std::string& s) {
        for (const auto& l : ring_->last_formatted()) {
            if (l.find(s) != std::string::npos) return true;
        }
        return false;
    }

    fs::path dir_;
    config::server_config cfg_;
    std::unique_ptr<meta::meta_store> meta_;
    std::unique_ptr<auth::service> auth_;
    std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> ring_;
};

TEST_F(AdminBootstrap, FirstStartGeneratesASecretFileWithMode0600) {
    auto r = bootstrap_admin(cfg_, *auth_);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_TRUE(*r);
    const fs::path secret = dir_ / "admin.secret";
    ASSERT_TRUE(fs::exists(secret));
    EXPECT_EQ(mode_of(secret), 0600u);
    const std::string password = first_line(secret);
    ASSERT_EQ(password.size(), 24u);
    EXPECT_EQ(password.find_first_not_of(
                  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
              std::string::npos);

    auto admin = auth_->check_password("default", "admin", password);
    ASSERT_TRUE(admin);
    EXPECT_TRUE(admin->superuser);
    EXPECT_TRUE(logged(secret.string())) << "the log names the file";
    EXPECT_FALSE(logged(password)) << "and never the password";
}

TEST_F(AdminBootstrap, SecondStartKeepsTheUserAndTheFile) {
    ASSERT_TRUE(bootstrap_admin(cfg_, *auth_).ok());
    const std::string password = first_line(dir_ / "admin.secret");
    auto again = bootstrap_admin(cfg_, *auth_);
    ASSERT_TRUE(again.ok());
    EXPECT_FALSE(*again) << "the admin exists: nothing to do";
    EXPECT_EQ(first_line(dir_ / "admin.secret"), password);
    EXPECT_TRUE(auth_->check_password("default", "admin", password));
}

TEST_F(AdminBootstrap, AnExistingSecretFileIsReused) {
    ASSERT_TRUE(bootstrap_admin(cfg_, *auth_).ok());
    const std::string password = first_line(dir_ / "admin.secret");
    fresh_store();  // the user is gone, the file is not
    auto r = bootstrap_admin(cfg_, *auth_);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_TRUE(*r);
    EXPECT_EQ(first_line(dir_ / "admin.secret"), password);
    EXPECT_TRUE(auth_->check_password("default", "admin", password));
}

TEST_F(AdminBootstrap, OperatorWrittenFileAndCustomPathAndUser) {
    const fs::path custom = dir_ / "ops" / "robust-admin.pw";
    fs::create_directories(custom.parent_path());
    write_file(custom, "operator-chosen-pw\r\nsecond line ignored\n", 0600);
    cfg_.http.admin_secret_file = custom.string();
    cfg_.http.admin_user = "root";
    auto r = bootstrap_admin(cfg_, *auth_);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_TRUE(auth_->check_password("default", "root", "operator-chosen-pw"));
    EXPECT_FALSE(fs::exists(dir_ / "admin.secret"));
}

TEST_F(AdminBootstrap, RefusesAFileOthersCanRead) {
    const fs::path secret = dir_ / "admin.secret";
    write_file(secret, "readable-by-all\n", 0644);
    auto r = bootstrap_admin(cfg_, *auth_);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, make_error_code(errc::invalid_argument));
    EXPECT_NE(r.error().message.find(secret.string()), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().message.find("chmod 600"), std::string::npos) << r.error().message;
    EXPECT_EQ(r.error().message.find("readable-by-all"), std::string::npos);
    EXPECT_FALSE(auth_->get_user("default", "admin").ok()) << "no admin from an unsafe file";

    write_file(secret, "readable-by-all\n", 0640);
    EXPECT_FALSE(bootstrap_admin(cfg_, *auth_).ok()) << "group-readable is refused too";
    ::chmod(secret.c_str(), 0600);
    EXPECT_TRUE(bootstrap_admin(cfg_, *auth_).ok());
}

TEST_F(AdminBootstrap, UnusableFilesAreErrors) {
    const fs::path secret = dir_ / "admin.secret";
    write_file(secret, "\n", 0600);
    auto empty = bootstrap_admin(cfg_, *auth_);
    ASSERT_FALSE(empty.ok());
    EXPECT_NE(empty.error().message.find("empty"), std::string::npos);

    write_file(secret, "short\n", 0600);  // below the 8-byte password minimum
    auto shortpw = bootstrap_admin(cfg_, *auth_);
    ASSERT_FALSE(shortpw.ok());
    EXPECT_NE(shortpw.error().message.find(secret.string()), std::string::npos);

    cfg_.http.admin_secret_file = (dir_ / "missing-dir" / "admin.secret").string();
    auto nodir = bootstrap_admin(cfg_, *auth_);
    ASSERT_FALSE(nodir.ok());
    EXPECT_EQ(nodir.error().code, make_error_code(errc::io_error));
}

}  // namespace
}  // namespace robust::admin::test
