// bootstrap_admin(): the first start's admin user and its secret file.
//
// The secret file holds the admin password on its first line (robustctl on
// the same host reads it). It is created with O_CREAT|O_EXCL and mode 0600,
// so an existing file is never overwritten and a concurrent creator cannot
// be raced; an existing file that group or others may access is refused
// rather than trusted or silently fixed.

#include <fcntl.h>
#include <openssl/rand.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>

#include "admin/server.h"
#include "auth/service.h"
#include "base/base64.h"
#include "base/errc.h"
#include "codec_util.h"

namespace robust::admin {
namespace {

auth::failure file_failure(errc code, const std::string& path, const std::string& what) {
    return auth::fail(code, "http.admin_secret_file", "admin secret file " + path + ": " + what);
}

std::string secret_path(const config::server_config& cfg) {
    if (!cfg.http.admin_secret_file.empty()) return cfg.http.admin_secret_file;
    return (std::filesystem::path(cfg.node.data_dir) / "admin.secret").string();
}

/// The first line of an existing secret file. nullopt-equivalent: errno
/// ENOENT in `missing` when the file does not exist.
auth::outcome<std::string> read_secret(const std::string& path, bool& missing) {
    missing = false;
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        if (errno == ENOENT) {
            missing = true;
            return auth::fail(errc::not_found, "", path);
        }
        return file_failure(errc::io_error, path, std::string("cannot open: ") + strerror(errno));
    }
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        return file_failure(errc::invalid_argument, path, "is not a regular file");
    }
    if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
        ::close(fd);
        return file_failure(errc::invalid_argument, path,
                            "is accessible by group or others; run `chmod 600 " + path +
                                "` (or delete it to have a new password generated)");
    }
    std::string text;
    char buf[4096];
    for (;;) {
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            const std::string why = strerror(errno);
            ::close(fd);
            return file_failure(errc::io_error, path, "cannot read: " + why);
        }
        if (n == 0) break;
        text.append(buf, static_cast<size_t>(n));
        if (text.size() > 64 * 1024) break;  // a password is on the first line
    }
    ::close(fd);
    const size_t eol = text.find('\n');
    std::string line = text.substr(0, eol);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) return file_failure(errc::invalid_argument, path, "its first line is empty");
    return line;
}

/// Creates the file with a new random password. `exists` is set when
/// another process created it first.
auth::outcome<std::string> create_secret(const std::string& path, bool& exists) {
    exists = false;
    unsigned char raw[18];  // 18 bytes = 24 base64url characters
    if (RAND_bytes(raw, sizeof raw) != 1) {
        return file_failure(errc::io_error, path, "RAND_bytes failed");
    }
    std::string password =
        base64::encode(std::string_view(reinterpret_cast<const char*>(raw), sizeof raw),
                       base64::alphabet::url, false);
    const int fd = ::open(path.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        if (errno == EEXIST) {
            exists = true;
            return auth::fail(errc::already_exists, "", path);
        }
        return file_failure(errc::io_error, path, std::string("cannot create: ") + strerror(errno));
    }
    const std::string content = password + "\n";
    size_t off = 0;
    while (off < content.size()) {
        const ssize_t n = ::write(fd, content.data() + off, content.size() - off);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            const std::string why = strerror(errno);
            ::close(fd);
            ::unlink(path.c_str());
            return file_failure(errc::io_error, path, "cannot write: " + why);
        }
        off += static_cast<size_t>(n);
    }
    if (::fsync(fd) != 0) {
        const std::string why = strerror(errno);
        ::close(fd);
        ::unlink(path.c_str());
        return file_failure(errc::io_error, path, "cannot sync: " + why);
    }
    ::close(fd);
    return password;
}

}  // namespace

auth::outcome<bool> bootstrap_admin(const config::server_config& cfg, auth::service& auth) {
    const std::string& user = cfg.http.admin_user;
    if (auth.get_user(auth::default_tenant, user).ok()) return false;

    const std::string path = secret_path(cfg);
    bool missing = false;
    auto password = read_secret(path, missing);
    bool generated = false;
    if (missing) {
        bool exists = false;
        password = create_secret(path, exists);
        generated = password.ok();
        if (exists) password = read_secret(path, missing);  // created meanwhile
    }
    if (!password.ok()) return password.error();

    auto created = auth.ensure_admin(user, *password);
    if (!created.ok()) {
        auto f = created.error();
        f.message = "cannot create admin user '" + user + "' from " + path + ": " + f.message;
        return f;
    }
    if (*created) {
        spdlog::warn("admin user '{}' created; its password is in {}{}", user, path,
                     generated ? " (generated)" : "");
    }
    return *created;
}

}  // namespace robust::admin
