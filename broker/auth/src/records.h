#pragma once
// How auth/ keeps its records in the meta store: the keys and the JSON
// values. Not part of the module's API; the layout is documented in
// auth/service.h and README.md, which this file must match.
//
//   auth/tenant/<name>              {"v":1,"name","description","created_ms"}
//   auth/user/<tenant>/<username>   {"v":1,"tenant","username","password_hash",
//                                    "superuser","created_ms"[,"scram_sha512"]}
//   auth/acl/<tenant>/<rule name>   {"v":1,"tenant","name","priority","resource_type",
//                                    "resource_name","topic","ip","action","permission",
//                                    "created_ms"}
//   auth/blacklist/<type>/<value>   {"v":1,"type","value","expires_ms","reason","created_ms"}
//   auth/token_key                  64 hex digits (not JSON)
//
// Every variable key part is escaped with meta::escape_key_part. Enums are
// stored by their to_string() names. Every listed field is required except
// those in [] (optional: older records lack them); unknown
// fields are ignored (a newer writer may add some); "v" above 1 is
// unsupported. Decoding never throws.
//
// Pure functions: any thread.

#include <string>
#include <string_view>

#include "auth/types.h"
#include "base/result.h"

namespace robust::auth::detail {

inline constexpr std::string_view auth_prefix = "auth/";
inline constexpr std::string_view tenant_prefix = "auth/tenant/";
inline constexpr std::string_view user_prefix = "auth/user/";
inline constexpr std::string_view acl_prefix = "auth/acl/";
inline constexpr std::string_view blacklist_prefix = "auth/blacklist/";
inline constexpr std::string_view token_key_key = "auth/token_key";

std::string tenant_key(std::string_view name);
std::string user_key(std::string_view tenant, std::string_view username);
std::string users_of(std::string_view tenant);  // prefix of a tenant's users
std::string acl_key(std::string_view tenant, std::string_view name);
std::string acls_of(std::string_view tenant);  // prefix of a tenant's rules
std::string blacklist_key(blacklist_type type, std::string_view value);

enum class key_kind { tenant, user, acl, blacklist, token_key, unknown };

/// A key under auth/, split: tenant (first = name), user (first = tenant,
/// second = user name), acl (first = tenant, second = rule name), blacklist
/// (first = type name, second = value). `unknown` for anything else,
/// including a badly escaped key.
struct parsed_key {
    key_kind kind = key_kind::unknown;
    std::string first;
    std::string second;
};
parsed_key parse_key(std::string_view key);

/// A user as stored: the API's user_info plus the PHC password hash and,
/// for passwords set since SCRAM-SHA-512 exists, a second PHC string
/// "$pbkdf2-sha512$..." (its key is SCRAM-SHA-512's SaltedPassword); empty
/// when the record has none.
struct user_record {
    user_info info;
    std::string password_hash;
    std::string scram_sha512{};
};

/// Errors: invalid_argument (a text field is not UTF-8).
result<std::string> encode(const tenant_info& t);
result<std::string> encode(const user_record& u);
result<std::string> encode(const acl_rule& r);
result<std::string> encode(const blacklist_entry& e);

/// Errors: corruption (malformed, a missing field, an unknown enum name),
/// unsupported (a newer format version).
result<tenant_info> decode_tenant(std::string_view value);
result<user_record> decode_user(std::string_view value);
result<acl_rule> decode_acl(std::string_view value);
result<blacklist_entry> decode_blacklist(std::string_view value);

}  // namespace robust::auth::detail
