#pragma once
// The vocabulary of auth/: who a client is (identity), what it may do
// (acl_rule), who may not connect at all (blacklist_entry), and the value
// type every management call answers with (outcome<T>).
//
// Everything here is a plain value: any thread.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

#include "base/assert.h"
#include "base/errc.h"

namespace robust::auth {

inline constexpr std::string_view default_tenant = "default";

struct tenant_info {
    std::string name;
    std::string description;
    int64_t created_ms = 0;
};

/// A user as the management API shows it: never the password or its hash.
struct user_info {
    std::string tenant;
    std::string username;
    bool superuser = false;
    int64_t created_ms = 0;
};

enum class acl_resource { all, client_id, username };
enum class acl_action { all, publish, subscribe, retain };
enum class acl_permission { allow, deny };

/// One ACL rule of a tenant. Rules are evaluated in (priority, name) order;
/// the first whose resource, address, action and topic all match decides
/// (docs/security.md).
struct acl_rule {
    std::string tenant = std::string(default_tenant);
    std::string name;         // unique in the tenant
    int32_t priority = 1000;  // lower first
    acl_resource resource_type = acl_resource::all;
    std::string resource_name;  // the client id / user name; empty for `all`
    /// An MQTT topic filter (+, #) that may contain ${username} and
    /// ${clientid}; "#" matches everything.
    std::string topic = "#";
    std::string ip;  // "" (any), an address, or a CIDR such as 10.0.0.0/8 or fd00::/8
    acl_action action = acl_action::all;
    acl_permission permission = acl_permission::allow;
    int64_t created_ms = 0;
};

enum class blacklist_type { client_id, username, ip, client_id_regex, username_regex, cidr };

/// A ban checked at connect time, against the values as the client sends
/// them (a user name "acme@alice" is matched as written). Node-wide: not
/// scoped to a tenant, so an address can be banned once for everyone.
struct blacklist_entry {
    blacklist_type type = blacklist_type::client_id;
    std::string value;
    int64_t expires_ms = 0;  // 0: never expires
    std::string reason;
    int64_t created_ms = 0;
};

std::string_view to_string(acl_resource v) noexcept;    // "all", "client_id", "username"
std::string_view to_string(acl_action v) noexcept;      // "all", "publish", "subscribe", "retain"
std::string_view to_string(acl_permission v) noexcept;  // "allow", "deny"
std::string_view to_string(blacklist_type v) noexcept;  // "client_id", ..., "cidr"
std::optional<acl_resource> parse_acl_resource(std::string_view s) noexcept;
std::optional<acl_action> parse_acl_action(std::string_view s) noexcept;
std::optional<acl_permission> parse_acl_permission(std::string_view s) noexcept;
std::optional<blacklist_type> parse_blacklist_type(std::string_view s) noexcept;

/// Why a management call or an authentication failed. `field` names the
/// offending input field for invalid_argument ("username", "topic", ...),
/// so the admin API can answer 400 with it; `message` is for a human and
/// never contains a password.
struct failure {
    std::error_code code;  // robust::errc: invalid_argument, not_found,
                           // already_exists, not_authorized, io_error, ...
    std::string field;
    std::string message;
};

/// A value or a failure. Like result<T>, but the failure says which field
/// and why, because these errors are shown to operators.
template <class T>
class [[nodiscard]] outcome {
public:
    outcome(T v) : value_(std::move(v)) {}        // NOLINT: implicit by design
    outcome(failure f) : error_(std::move(f)) {}  // NOLINT
    bool ok() const noexcept { return value_.has_value(); }
    explicit operator bool() const noexcept { return ok(); }
    /// Like result<T>: asking a failure for its value is a bug, caught loudly.
    T& value() {
        BROKER_ASSERT(ok(), "value() on a failed outcome: " << error_.message);
        return *value_;
    }
    const T& value() const {
        BROKER_ASSERT(ok(), "value() on a failed outcome: " << error_.message);
        return *value_;
    }
    T& operator*() { return value(); }
    const T& operator*() const { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    const failure& error() const { return error_; }

private:
    std::optional<T> value_;
    failure error_;
};

struct done {};  // the value of an outcome that carries nothing
inline failure fail(errc code, std::string field, std::string message) {
    return failure{make_error_code(code), std::move(field), std::move(message)};
}

}  // namespace robust::auth
