#pragma once
// Which credentials robustctl sends to the admin API, and where it found
// them. In order: --token; --user/--password (each falling back to
// ROBUSTMQ_USER / ROBUSTMQ_PASSWORD); otherwise user "admin" with the
// password the server wrote to <data_dir>/admin.secret, trying --data-dir,
// $ROBUSTMQ_NODE_DATA_DIR, ./data and /var/lib/robustmq in that order (the
// first readable, non-empty file wins), so on the server's own host no flag
// is needed.
//
// Pure apart from reading the candidate secret files. Any thread.

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace robust::ctl {

/// Looks up an environment variable; injected so tests control it.
using env_lookup = std::function<std::optional<std::string>(const std::string&)>;

/// The process environment (std::getenv).
env_lookup process_env();

struct credential_flags {
    std::optional<std::string> token;
    std::optional<std::string> user;
    std::optional<std::string> password;
    std::optional<std::string> data_dir;
};

struct credentials {
    enum class kind { none, basic, bearer };
    kind type = kind::none;
    std::string user;      // basic
    std::string password;  // basic; never printed
    std::string token;     // bearer; never printed
    /// Where they came from, for messages: "--token", "--user/--password",
    /// "ROBUSTMQ_USER/ROBUSTMQ_PASSWORD", "<path>/admin.secret".
    std::string source;
    /// With type none: the secret files that were looked for (for the hint).
    std::vector<std::string> searched;
};

/// The data directories searched for admin.secret, in order, without
/// duplicates.
std::vector<std::string> candidate_data_dirs(const std::optional<std::string>& data_dir_flag,
                                             const env_lookup& env);

/// The first line of a secret file without surrounding blanks, or nullopt
/// when the file cannot be read or that line is empty.
std::optional<std::string> read_secret_file(const std::string& path);

/// Resolves the credentials. A user without a password (from flags or the
/// environment) is a usage error: the returned string is the message.
struct credential_outcome {
    std::optional<credentials> creds;
    std::string usage_error;  // set when creds is empty
};
credential_outcome resolve_credentials(const credential_flags& flags, const env_lookup& env);

}  // namespace robust::ctl
