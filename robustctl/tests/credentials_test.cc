// Secret-file discovery and credential precedence, with real files in a
// temporary directory.

#include "credentials.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include <unistd.h>

namespace robust::ctl {
namespace {

namespace fs = std::filesystem;

class RobustctlCredentials : public ::testing::Test {
protected:
    void SetUp() override {
        root_ = fs::temp_directory_path() /
                ("robustctl-cred-" + std::to_string(::getpid()) + "-" +
                 ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(root_);
        fs::create_directories(root_);
    }
    void TearDown() override { fs::remove_all(root_); }

    std::string dir_with_secret(const std::string& name, const std::string& content) {
        auto d = root_ / name;
        fs::create_directories(d);
        std::ofstream(d / "admin.secret") << content;
        return d.string();
    }

    env_lookup env(std::map<std::string, std::string> vars) {
        return [vars](const std::string& k) -> std::optional<std::string> {
            auto it = vars.find(k);
            if (it == vars.end()) return std::nullopt;
            return it->second;
        };
    }

    fs::path root_;
};

TEST_F(RobustctlCredentials, CandidateDirsInOrderWithoutDuplicates) {
    EXPECT_EQ(candidate_data_dirs(std::string("/flag"), env({{"ROBUSTMQ_NODE_DATA_DIR", "/env"}})),
              (std::vector<std::string>{"/flag", "/env", "./data", "/var/lib/robustmq"}));
    EXPECT_EQ(candidate_data_dirs(std::nullopt, env({})),
              (std::vector<std::string>{"./data", "/var/lib/robustmq"}));
    EXPECT_EQ(candidate_data_dirs(std::string("./data"), env({{"ROBUSTMQ_NODE_DATA_DIR", ""}})),
              (std::vector<std::string>{"./data", "/var/lib/robustmq"}));
}

TEST_F(RobustctlCredentials, ReadsFirstLineTrimmed) {
    const auto d = dir_with_secret("a", "  s3cret-pw \r\nsecond line\n");
    EXPECT_EQ(read_secret_file(d + "/admin.secret"), "s3cret-pw");
    const auto e = dir_with_secret("empty", "\n");
    EXPECT_FALSE(read_secret_file(e + "/admin.secret"));
    EXPECT_FALSE(read_secret_file((root_ / "missing" / "admin.secret").string()));
}

TEST_F(RobustctlCredentials, DataDirFlagWinsOverEnvDir) {
    const auto flag_dir = dir_with_secret("flag", "from-flag\n");
    const auto env_dir = dir_with_secret("env", "from-env\n");
    credential_flags f;
    f.data_dir = flag_dir;
    auto r = resolve_credentials(f, env({{"ROBUSTMQ_NODE_DATA_DIR", env_dir}}));
    ASSERT_TRUE(r.creds);
    EXPECT_EQ(r.creds->type, credentials::kind::basic);
    EXPECT_EQ(r.creds->user, "admin");
    EXPECT_EQ(r.creds->password, "from-flag");
    EXPECT_EQ(r.creds->source, flag_dir + "/admin.secret");
}

TEST_F(RobustctlCredentials, FallsThroughToTheNextDirectory) {
    const auto env_dir = dir_with_secret("env", "from-env\n");
    credential_flags f;
    f.data_dir = (root_ / "no-secret-here").string();
    auto r = resolve_credentials(f, env({{"ROBUSTMQ_NODE_DATA_DIR", env_dir}}));
    ASSERT_TRUE(r.creds);
    EXPECT_EQ(r.creds->password, "from-env");
}

TEST_F(RobustctlCredentials, NoneFoundListsWhereItLooked) {
    credential_flags f;
    f.data_dir = (root_ / "nothing").string();
    auto r = resolve_credentials(f, env({}));
    ASSERT_TRUE(r.creds);
    if (r.creds->type == credentials::kind::none) {
        ASSERT_GE(r.creds->searched.size(), 3u);
        EXPECT_EQ(r.creds->searched[0], (root_ / "nothing" / "admin.secret").string());
        EXPECT_EQ(r.creds->searched[1], "./data/admin.secret");
    } else {
        // This machine has a readable ./data or /var/lib/robustmq secret.
        EXPECT_NE(r.creds->source, (root_ / "nothing" / "admin.secret").string());
    }
}

TEST_F(RobustctlCredentials, FlagsBeatEnvironmentBeatSecret) {
    const auto d = dir_with_secret("d", "secret\n");
    credential_flags f;
    f.data_dir = d;
    auto e = env({{"ROBUSTMQ_USER", "envuser"}, {"ROBUSTMQ_PASSWORD", "envpw"}});
    auto from_env = resolve_credentials(f, e);
    EXPECT_EQ(from_env.creds->user, "envuser");
    EXPECT_EQ(from_env.creds->password, "envpw");
    EXPECT_EQ(from_env.creds->source, "ROBUSTMQ_USER/ROBUSTMQ_PASSWORD");

    f.user = "flaguser";
    f.password = "flagpw";
    auto from_flags = resolve_credentials(f, e);
    EXPECT_EQ(from_flags.creds->user, "flaguser");
    EXPECT_EQ(from_flags.creds->password, "flagpw");
    EXPECT_EQ(from_flags.creds->source, "--user/--password");

    // A flag completes the other half from the environment.
    credential_flags half;
    half.user = "flaguser";
    EXPECT_EQ(resolve_credentials(half, e).creds->password, "envpw");

    f.token = "tok";
    auto tok = resolve_credentials(f, e);
    EXPECT_EQ(tok.creds->type, credentials::kind::bearer);
    EXPECT_EQ(tok.creds->token, "tok");
}

TEST_F(RobustctlCredentials, HalfCredentialsAreUsageErrors) {
    credential_flags u;
    u.user = "bob";
    auto r = resolve_credentials(u, env({}));
    EXPECT_FALSE(r.creds);
    EXPECT_NE(r.usage_error.find("--password"), std::string::npos);
    credential_flags p;
    p.password = "pw";
    auto q = resolve_credentials(p, env({}));
    EXPECT_FALSE(q.creds);
    EXPECT_NE(q.usage_error.find("--user"), std::string::npos);
    credential_flags t;
    t.token = "";
    EXPECT_FALSE(resolve_credentials(t, env({})).creds);
}

}  // namespace
}  // namespace robust::ctl
