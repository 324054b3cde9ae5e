#include "credentials.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>

namespace robust::ctl {

env_lookup process_env() {
    return [](const std::string& name) -> std::optional<std::string> {
        const char* v = std::getenv(name.c_str());
        if (v == nullptr) return std::nullopt;
        return std::string(v);
    };
}

std::vector<std::string> candidate_data_dirs(const std::optional<std::string>& data_dir_flag,
                                             const env_lookup& env) {
    std::vector<std::string> dirs;
    auto add = [&](const std::string& d) {
        if (d.empty()) return;
        if (std::find(dirs.begin(), dirs.end(), d) == dirs.end()) dirs.push_back(d);
    };
    if (data_dir_flag) add(*data_dir_flag);
    if (auto e = env("ROBUSTMQ_NODE_DATA_DIR")) add(*e);
    add("./data");
    add("/var/lib/robustmq");
    return dirs;
}

std::optional<std::string> read_secret_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) return std::nullopt;
    std::string line;
    std::getline(in, line);
    const auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    while (!line.empty() && blank(line.back())) line.pop_back();
    size_t start = 0;
    while (start < line.size() && blank(line[start])) ++start;
    line.erase(0, start);
    if (line.empty()) return std::nullopt;
    return line;
}

credential_outcome resolve_credentials(const credential_flags& flags, const env_lookup& env) {
    credential_outcome out;
    if (flags.token) {
        if (flags.token->empty()) {
            out.usage_error = "--token must not be empty";
            return out;
        }
        credentials c;
        c.type = credentials::kind::bearer;
        c.token = *flags.token;
        c.source = "--token";
        out.creds = std::move(c);
        return out;
    }
    const auto env_user = env("ROBUSTMQ_USER");
    const auto env_password = env("ROBUSTMQ_PASSWORD");
    std::optional<std::string> user = flags.user ? flags.user : env_user;
    std::optional<std::string> password = flags.password ? flags.password : env_password;
    if (user && user->empty()) user.reset();
    if (user || flags.password) {
        if (!user) {
            out.usage_error = "--password needs --user (or ROBUSTMQ_USER)";
            return out;
        }
        if (!password) {
            out.usage_error = "--user needs --password (or ROBUSTMQ_PASSWORD)";
            return out;
        }
        credentials c;
        c.type = credentials::kind::basic;
        c.user = *user;
        c.password = *password;
        c.source = (flags.user || flags.password) ? "--user/--password"
                                                  : "ROBUSTMQ_USER/ROBUSTMQ_PASSWORD";
        out.creds = std::move(c);
        return out;
    }
    credentials c;
    for (const auto& dir : candidate_data_dirs(flags.data_dir, env)) {
        std::string path = dir;
        if (path.back() != '/') path += '/';
        path += "admin.secret";
        c.searched.push_back(path);
        if (auto secret = read_secret_file(path)) {
            c.type = credentials::kind::basic;
            c.user = "admin";
            c.password = std::move(*secret);
            c.source = path;
            c.searched.clear();
            break;
        }
    }
    out.creds = std::move(c);
    return out;
}

}  // namespace robust::ctl
