#pragma once
// The in-memory picture of auth/ that every check is answered from, and the
// rules for what may enter it.
//
// - Validation (check_* and compile_*): the one definition of a valid name,
//   password, rule and ban. The management calls use it on input; loading
//   uses it on stored values, so a record that would be refused today is
//   skipped (and logged) rather than half-understood.
// - snapshot: tenants, users by (tenant, name), each tenant's rules in
//   (priority, name) order with their address parsed, bans with their regular
//   expression compiled, and the token key. Immutable once built; the
//   service publishes it as shared_ptr<const snapshot> and readers keep the
//   pointer for as long as they look.
// - snapshot_builder: a new snapshot from an old one plus stored key/value
//   changes, copying only the parts (one tenant's users or rules, the ban
//   table) that change.
// - evaluate / find_ban: the ACL and blacklist decisions, pure functions of a
//   snapshot's parts.
//
// Not part of the module's API. A snapshot is read by any number of threads;
// a builder belongs to one.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "address.h"
#include "auth/service.h"
#include "auth/types.h"
#include "crypto.h"

namespace robust::auth::detail {

// ---- validation -----------------------------------------------------------------

inline constexpr size_t max_name_bytes = 256;   // user and rule names
inline constexpr size_t max_tenant_bytes = 64;  // [A-Za-z0-9_.-]
inline constexpr size_t min_password_bytes = 8;
inline constexpr size_t max_password_bytes = 1024;
inline constexpr size_t max_text_bytes = 1024;  // descriptions, ban values and reasons

/// Each returns nullopt when valid, else an invalid_argument failure naming
/// `field`.
std::optional<failure> check_tenant_name(std::string_view name, const char* field);
std::optional<failure> check_username(std::string_view name, const char* field);
std::optional<failure> check_password(std::string_view password);
std::optional<failure> check_text(std::string_view text, const char* field);

/// A rule ready to evaluate.
struct rule_entry {
    acl_rule rule;
    std::optional<ip_network> net;  // set when rule.ip is not empty
    bool uses_username = false;     // topic contains ${username}
    bool uses_clientid = false;     // topic contains ${clientid}
};

/// Validates a rule (fields "tenant" (syntax only), "name", "topic", "ip",
/// "resource_name") and compiles it.
outcome<rule_entry> compile_rule(acl_rule r);

/// A ban ready to check.
struct ban_entry {
    blacklist_entry entry;
    std::optional<ip_address> address;     // type ip
    std::optional<ip_network> net;         // type cidr
    std::shared_ptr<const std::regex> re;  // the *_regex types
};

/// Validates a ban (fields "value", "reason", "expires_ms") and compiles it.
/// The value of an ip or cidr ban is rewritten to its canonical text
/// ("::0001" -> "::1", "10.1.2.3/8" -> "10.0.0.0/8"), so one address has one
/// key.
outcome<ban_entry> compile_ban(blacklist_entry e);

/// The canonical value for a ban of `type`: what compile_ban stores.
/// Unparsable addresses come back unchanged.
std::string canonical_ban_value(blacklist_type type, std::string_view value);

// ---- the snapshot ---------------------------------------------------------------

struct user_entry {
    user_info info;
    std::string password_hash;  // the PHC string as stored
    phc_hash parsed;
    /// SCRAM-SHA-512's SaltedPassword with its salt and rounds; nullopt for
    /// records written before it existed (or with a malformed one).
    std::optional<phc_hash> scram_sha512;
    std::string fingerprint;  // hex of the first 8 bytes of SHA-256(password_hash)
};

using user_map = std::map<std::string, user_entry, std::less<>>;
using rule_list = std::vector<rule_entry>;  // sorted by (priority, name)
using ban_map = std::map<std::pair<blacklist_type, std::string>, ban_entry>;

struct snapshot {
    std::map<std::string, tenant_info, std::less<>> tenants;
    std::map<std::string, std::shared_ptr<const user_map>, std::less<>> users;   // by tenant
    std::map<std::string, std::shared_ptr<const rule_list>, std::less<>> rules;  // by tenant
    std::shared_ptr<const ban_map> bans = std::make_shared<const ban_map>();
    std::string token_key;  // 32 raw bytes; empty until start() stored one

    /// nullptr when absent.
    const user_entry* find_user(std::string_view tenant, std::string_view username) const;
    const rule_list* rules_of(std::string_view tenant) const;
    bool has_tenant(std::string_view name) const { return tenants.contains(name); }
};

std::string password_fingerprint(std::string_view password_hash);

class snapshot_builder {
public:
    explicit snapshot_builder(const snapshot& base) : next_(base) {}

    /// Applies a stored value (nullopt: deleted) of an auth/ key. A value
    /// that does not decode, does not agree with its key, or fails
    /// validation removes the entry and is logged with its key. Returns
    /// whether the key is one of ours.
    bool apply(std::string_view key, const std::optional<std::string>& value);

    std::shared_ptr<const snapshot> build();

private:
    user_map& users_of(const std::string& tenant);
    rule_list& rules_of(const std::string& tenant);
    ban_map& bans();

    snapshot next_;
    std::map<std::string, std::shared_ptr<user_map>> users_;   // copied on first touch
    std::map<std::string, std::shared_ptr<rule_list>> rules_;  // copied on first touch
    std::shared_ptr<ban_map> bans_;
};

// ---- decisions ------------------------------------------------------------------

/// The permission of the first rule in `rules` that matches, nullopt when
/// none does (docs/security.md "How access is decided").
std::optional<acl_permission> evaluate(const rule_list& rules, const identity& who, access a,
                                       std::string_view topic, bool retain);

/// The first ban that applies to `c` at `now_ms`, described for a log line
/// ("banned by client_id entry: <reason>"); nullopt when none.
std::optional<std::string> find_ban(const ban_map& bans, const credentials& c, int64_t now_ms);

}  // namespace robust::auth::detail
