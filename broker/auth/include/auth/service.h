#pragma once
// auth::service: users, tenants, ACL rules and the blacklist — stored in the
// meta store, cached in memory, and answered from the cache. Shared by every
// protocol (MQTT now, Kafka/AMQP/NATS later) and by the admin API.
//
// Storage (meta keys, JSON values {"v":1,...}, parts escaped with
// meta::escape_key_part):
//   auth/tenant/<name>                       tenant
//   auth/user/<tenant>/<username>            user, with its password hash
//   auth/acl/<tenant>/<rule name>            ACL rule
//   auth/blacklist/<type>/<value>            ban
//   auth/token_key                           32 random bytes, hex: signs admin tokens
// Password hashes are PHC strings "$pbkdf2-sha256$i=<iterations>$<salt>$<key>"
// (base64 without padding, 16-byte salt, 32-byte key), PBKDF2-HMAC-SHA256
// from OpenSSL; a hash keeps its iteration count, so changing
// auth.password_iterations affects only passwords set afterwards. That key is
// also SCRAM-SHA-256's SaltedPassword. Setting a password stores a second
// string "$pbkdf2-sha512$..." (own salt, same rounds, 64-byte key):
// SCRAM-SHA-512's SaltedPassword. Users whose password was set before it
// existed have none and cannot use SCRAM-SHA-512 until it is set again.
//
// Lifecycle: main creates it after the meta store, calls start() once (loads
// the cache, watches auth/ for changes, creates the token key and tenant
// "default" if absent), and stop() (also run by the destructor) before
// stopping or destroying the meta store.
//
// Threading: every method may be called from any thread. The management
// calls (create_*, update_*, delete_*, ensure_admin) write to the meta store
// synchronously, and authenticate() with a password and check_password() may
// run the KDF (tens of milliseconds): never call them on an I/O thread.
// authorize(), banned(), generation(), stats(), policy(), list_*, get_user()
// and verify_token() only read the in-memory snapshot and are cheap enough
// for the I/O threads; so is authenticate() when no password is given.
// Writes are visible to every reader once the call returns (the cache is
// updated before returning, and by the watch for writes made elsewhere,
// e.g. another node in a cluster).

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "auth/scram.h"
#include "auth/types.h"
#include "base/result.h"
#include "config/config.h"

namespace robust::meta {
class meta_store;
}

namespace robust::auth {

/// What a client presents when it connects (any protocol).
struct credentials {
    std::optional<std::string> username;  // as sent; "tenant@name" selects a tenant
    std::optional<std::string> password;  // binary-safe
    std::string client_id;
    std::string peer_ip;  // address only, no port: "127.0.0.1", "::1"
    /// A tenant named out of band (MQTT 5 user property "tenant"); a
    /// "tenant@" in the user name wins over it.
    std::optional<std::string> tenant;
    /// The Common Name of a verified client certificate when the listener
    /// uses it as the user name (tls.cert_cn_as_username): then no password
    /// is needed.
    std::optional<std::string> certificate_cn;
};

/// Who a connection is once authenticated. Copied into the connection.
struct identity {
    std::string tenant = std::string(default_tenant);
    std::string username;  // without the "tenant@" prefix; empty for anonymous
    std::string client_id;
    std::string peer_ip;
    bool superuser = false;
    bool anonymous = true;
};

enum class connect_refusal {
    bad_credentials,  // unknown user or wrong password (MQTT 0x86 / 3.1.1 code 4)
    not_authorized,   // anonymous not allowed from here, unknown tenant (0x87 / 5)
    banned,           // blacklisted (0x8A / 5)
};

struct authentication {
    std::optional<identity> who;  // set when accepted
    connect_refusal refusal = connect_refusal::not_authorized;
    std::string reason;  // for the log line; never contains the password
};

/// The access a client asks for: a publish to a topic (retain = the retain
/// flag), or a subscription to a filter.
enum class access { publish, subscribe };

/// What a SCRAM exchange needs of a user (scram_lookup()).
struct scram_credential {
    /// The salt, rounds, StoredKey and ServerKey; a decoy when !usable, with
    /// a salt that is stable per user name (so repeated probes of an unknown
    /// name look like a known one) and keys no proof matches.
    scram::credential secret;
    bool usable = false;  // a stored user with a credential for this mechanism
    bool superuser = false;
    std::string reason;  // why not usable, for the log line
};

/// A verified admin token's subject.
struct token_subject {
    std::string tenant;
    std::string username;
    int64_t expires_ms = 0;
};

class service {
public:
    service(meta::meta_store& store, config::auth_config cfg);
    ~service();
    service(const service&) = delete;
    service& operator=(const service&) = delete;

    /// Loads users, tenants, rules and bans, and watches for changes.
    /// Errors: io_error / corruption from the store (logged).
    status start();
    void stop();

    // ---- connect-time ---------------------------------------------------
    /// Blacklist, then anonymous policy or user + password (or certificate
    /// CN). Correct passwords are remembered (as an HMAC under a per-process
    /// key, never in plain text) so a reconnect skips the KDF; a password
    /// change or user deletion forgets them. May block for the KDF.
    ///
    /// A certificate CN is the user name ("tenant@name" selects a tenant);
    /// no password is asked and the user need not be stored: the identity is
    /// a superuser only if a stored user of that name is one. An empty user
    /// name counts as none (anonymous). docs/security.md has the full order.
    authentication authenticate(const credentials& c);

    /// SCRAM (RFC 5802; Kafka's SASL SCRAM-SHA-256/512), step 1: the
    /// credential of `username` in `tenant` for mechanism `m`, derived from
    /// the stored hash (SHA-256: the password hash itself; SHA-512: the
    /// second credential). Never fails: an unknown tenant or user, or a user
    /// without a SHA-512 credential, gets a decoy (usable = false) so the
    /// exchange goes on and fails at the proof, as for a wrong password.
    /// Cheap (a few HMACs): any thread, including I/O threads.
    scram_credential scram_lookup(std::string_view tenant, std::string_view username,
                                  scram::mechanism m) const;
    /// SCRAM, last step: the blacklist (against `c`, whose username is the
    /// name as sent, "tenant@name" included) and the tenant as authenticate()
    /// checks them, then the verdict on the proof; counts accepted or
    /// bad_credentials like authenticate(). Cheap: any thread.
    authentication authenticate_scram(const credentials& c, bool proof_valid);

    /// Whether the blacklist bans this client now (also part of authenticate):
    /// a description of the matching ban ("banned by cidr entry: <reason>"),
    /// or nullopt.
    std::optional<std::string> banned(const credentials& c) const;

    // ---- ACL --------------------------------------------------------------
    /// Superusers: always. Otherwise the first matching rule of the
    /// identity's tenant decides, else auth.acl_default. For a publish with
    /// retain = true, rules with action `retain` match too (a retain rule is
    /// a publish rule limited to retained messages); for a subscription an
    /// allow rule's filter must cover the whole requested filter, and a deny
    /// rule applies as soon as the two filters share a topic ("$share/g/" and
    /// "$queue/" are stripped first).
    bool authorize(const identity& who, access a, std::string_view topic, bool retain) const;
    /// authorize() without counting a "no" as a denial: for filtering what a
    /// client is shown (Kafka Metadata lists only the topics it may use),
    /// where a "no" refuses nothing.
    bool permits(const identity& who, access a, std::string_view topic, bool retain) const;

    // ---- policy changed at runtime (admin API PATCH /config) ---------------
    void set_anonymous(config::anonymous_access a);
    void set_acl_default(config::acl_permission p);
    config::auth_config policy() const;

    /// Cumulative counts for metrics (robustmq_auth_*), read from any thread.
    struct counters {
        uint64_t accepted = 0;
        uint64_t bad_credentials = 0;
        uint64_t not_authorized = 0;
        uint64_t banned = 0;
        uint64_t publish_denied = 0;  // authorize() answers of false
        uint64_t subscribe_denied = 0;
    };
    counters stats() const;

    /// Bumped by every change to users, rules or bans: a per-connection
    /// decision cache compares it and clears itself when it moved.
    uint64_t generation() const noexcept;

    // ---- management (admin API, robustctl, first start) -------------------
    outcome<std::vector<tenant_info>> list_tenants() const;
    /// Errors: invalid_argument (field "name": not [A-Za-z0-9_.-]{1,64};
    /// "description": over 1024 bytes or not UTF-8), already_exists.
    outcome<tenant_info> create_tenant(std::string name, std::string description);
    /// Errors: not_found; protocol_error for "default" or a tenant that still
    /// has users or rules (delete those first).
    outcome<done> delete_tenant(std::string_view name);

    /// tenant empty = every tenant. name_filter: substring of the user name.
    /// Sorted by (tenant, user name). Errors: not_found (field "tenant").
    outcome<std::vector<user_info>> list_users(std::string_view tenant,
                                               std::string_view name_filter) const;
    /// Errors: not_found (field "username").
    outcome<user_info> get_user(std::string_view tenant, std::string_view username) const;
    /// Errors: invalid_argument (field "username": empty, over 256 bytes,
    /// contains '@' or a control character; "password": shorter than 8 or
    /// over 1024 bytes; "tenant": unknown), already_exists.
    outcome<user_info> create_user(std::string tenant, std::string username,
                                   std::string_view password, bool superuser);
    /// Changes the password and/or the superuser flag.
    outcome<user_info> update_user(std::string_view tenant, std::string_view username,
                                   std::optional<std::string_view> password,
                                   std::optional<bool> superuser);
    /// Errors (update and delete): not_found (field "username"); update also
    /// invalid_argument for "password".
    outcome<done> delete_user(std::string_view tenant, std::string_view username);
    /// Checks a user's password (admin login, Basic auth, SASL later).
    /// nullopt when the user is unknown or the password wrong. May block.
    std::optional<user_info> check_password(std::string_view tenant, std::string_view username,
                                            std::string_view password);

    /// tenant empty = every tenant; each tenant's rules in evaluation order.
    /// Errors: not_found (field "tenant").
    outcome<std::vector<acl_rule>> list_acl(std::string_view tenant) const;
    /// Errors: invalid_argument with field "name", "topic" (not a valid
    /// filter, a $share/$queue form, or an unknown ${placeholder}), "ip"
    /// (not an address or CIDR), "resource_name" (empty for
    /// client_id/username, set for all), "tenant" (unknown); already_exists.
    /// created_ms 0 is set to now.
    outcome<acl_rule> create_acl(acl_rule r);
    /// Errors: not_found (field "name").
    outcome<done> delete_acl(std::string_view tenant, std::string_view name);

    outcome<std::vector<blacklist_entry>> list_blacklist() const;
    /// Errors: invalid_argument with field "value" (empty, over 1024 bytes,
    /// a bad address, CIDR or regular expression), "reason", "expires_ms"
    /// (negative); already_exists (an unexpired ban of the same type and
    /// value; an expired one is replaced). The value of an ip or cidr ban is
    /// stored in canonical form ("::0001" -> "::1", "10.1.2.3/8" ->
    /// "10.0.0.0/8"), which the returned entry shows.
    outcome<blacklist_entry> create_blacklist(blacklist_entry e);
    /// `value` as given or canonical. Errors: not_found (field "value").
    outcome<done> delete_blacklist(blacklist_type type, std::string_view value);

    /// First start: creates tenant default if missing, and superuser
    /// `username` in it with `password` unless a user of that name exists.
    /// Returns whether it created the user. Errors: as create_user().
    outcome<bool> ensure_admin(std::string_view username, std::string_view password);

    // ---- admin tokens -----------------------------------------------------
    /// "<base64url payload>.<base64url HMAC-SHA256>" signed with the stored
    /// token key; the payload names the user, expiry and a fingerprint of the
    /// password hash, so changing the password or deleting the user revokes it.
    /// Empty when the user does not exist (any more).
    std::string issue_token(const user_info& u, int64_t ttl_s);
    /// nullopt when malformed, forged, expired or revoked.
    std::optional<token_subject> verify_token(std::string_view token) const;

private:
    friend class decision_cache;
    /// Counts a denial answered from a decision_cache, so stats() counts
    /// every denied request, cached or not.
    void note_denied(access a) const noexcept;

    struct impl;
    std::unique_ptr<impl> impl_;
};

/// Splits "tenant@name" (first '@'); no '@' means tenant `fallback`.
std::pair<std::string, std::string> split_tenant(std::string_view username,
                                                 std::string_view fallback);

/// A per-connection cache of authorize() answers (bounded; cleared when
/// service::generation() moves). Created by a connection, which must use it
/// for one identity only (clear() it if the identity changes). Lives on its
/// connection's thread: not thread-safe.
class decision_cache {
public:
    explicit decision_cache(size_t capacity = 256) : capacity_(capacity) {}
    /// service::authorize(), remembered per (access, retain, topic). When the
    /// cache is full it starts over (simple, and a connection rarely uses
    /// more distinct topics than the capacity). With count_denial = false
    /// it is service::permits(): a "no" is not counted.
    bool authorize(const service& s, const identity& who, access a, std::string_view topic,
                   bool retain, bool count_denial = true);
    void clear() noexcept { entries_.clear(); }
    size_t size() const noexcept { return entries_.size(); }

private:
    size_t capacity_;
    uint64_t generation_ = 0;
    std::unordered_map<std::string, bool> entries_;  // key: access, retain, topic
};

}  // namespace robust::auth
