#include "auth/service.h"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <limits>
#include <mutex>
#include <unordered_map>
#include <utility>

#include "base/assert.h"
#include "base/base64.h"
#include "base/clock.h"
#include "crypto.h"
#include "meta/meta_store.h"
#include "records.h"
#include "snapshot.h"

namespace robust::auth {
namespace {

using detail::snapshot;
using json = nlohmann::json;

constexpr size_t token_key_bytes = 32;
constexpr size_t max_token_bytes = 4096;
/// Remembered correct passwords; past this many the memory starts over.
constexpr size_t max_verified_credentials = 65536;
/// Read-modify-write retries when another writer changes the same record.
constexpr int max_cas_attempts = 8;

failure store_failure(const std::error_code& ec, std::string_view what) {
    spdlog::error("auth: meta store failed to {}: {}", what, ec.message());
    return failure{ec, "", std::string("meta store: ") + ec.message()};
}

failure encode_failure(const std::error_code& ec) {
    return failure{ec, "", "cannot encode the record: " + ec.message()};
}

std::string credential_key(std::string_view tenant, std::string_view username) {
    std::string k(tenant);
    k += '\0';
    k += username;
    return k;
}

authentication refuse(connect_refusal r, std::string reason) {
    authentication a;
    a.refusal = r;
    a.reason = std::move(reason);
    return a;
}

}  // namespace

std::pair<std::string, std::string> split_tenant(std::string_view username,
                                                 std::string_view fallback) {
    const size_t at = username.find('@');
    if (at == std::string_view::npos) return {std::string(fallback), std::string(username)};
    return {std::string(username.substr(0, at)), std::string(username.substr(at + 1))};
}

// ---- impl ---------------------------------------------------------------------------

struct service::impl {
    impl(meta::meta_store& s, config::auth_config cfg)
        : store(s),
          iterations(cfg.password_iterations),
          anonymous(cfg.anonymous),
          acl_default(cfg.acl_default) {
        auto key = detail::random_bytes(32);
        BROKER_ASSERT(key, "no random bytes from OpenSSL: cannot protect credentials");
        credential_mac_key = std::move(*key);
        // Unknown users are checked against this, so they cost a KDF run like
        // known ones and a login cannot probe which names exist.
        auto salt = detail::random_bytes(detail::password_salt_bytes);
        auto dummy = detail::random_bytes(detail::password_key_bytes);
        BROKER_ASSERT(salt && dummy, "no random bytes from OpenSSL");
        dummy_hash.iterations = std::clamp<uint32_t>(iterations, 1, 10'000'000);
        dummy_hash.salt = std::move(*salt);
        dummy_hash.key = std::move(*dummy);
    }

    meta::meta_store& store;
    const uint32_t iterations;
    std::atomic<config::anonymous_access> anonymous;
    std::atomic<config::acl_permission> acl_default;
    std::string credential_mac_key;  // per process: remembered passwords are HMACs under it
    detail::phc_hash dummy_hash;

    // The published snapshot. Readers copy the pointer under publish_mu
    // (held only for that); every change is built under update_mu, which
    // serialises builders, so readers never wait for a build.
    mutable std::mutex publish_mu;
    std::shared_ptr<const snapshot> snap = std::make_shared<const snapshot>();
    std::atomic<uint64_t> generation{1};

    // Ordering between this service's own writes and the watch (update_mu):
    // a write applies its mutations to the snapshot itself after the store
    // accepted them, unless the watch has meanwhile delivered a mutation of
    // the same key (ours, or a later one from elsewhere, which must win).
    std::mutex update_mu;
    bool loaded = false;
    uint64_t watch_seq = 0;
    size_t writes_in_flight = 0;
    std::unordered_map<std::string, uint64_t> key_seq;  // while writes are in flight
    std::optional<meta::watch_id> watch;

    struct verified_credential {
        std::string mac;            // HMAC-SHA256(credential_mac_key, password)
        std::string password_hash;  // the hash it was checked against
    };
    std::mutex verified_mu;
    std::unordered_map<std::string, verified_credential> verified;

    mutable std::atomic<uint64_t> accepted{0}, bad_credentials{0}, not_authorized{0}, banned{0},
        publish_denied{0}, subscribe_denied{0};

    std::shared_ptr<const snapshot> current() const {
        std::lock_guard lock(publish_mu);
        return snap;
    }

    // Caller holds update_mu.
    void publish(std::shared_ptr<const snapshot> next) {
        {
            std::lock_guard lock(publish_mu);
            snap = std::move(next);
        }
        // After the swap: a reader that sees the new generation also sees
        // the new snapshot (decision_cache relies on it).
        generation.fetch_add(1);
    }

    void on_watch(const meta::mutation& m) {
        std::lock_guard lock(update_mu);
        if (!loaded) return;  // start() is loading; its scan sees this write
        ++watch_seq;
        if (writes_in_flight > 0) key_seq[m.key] = watch_seq;
        detail::snapshot_builder b(*current());
        if (b.apply(m.key, m.value)) publish(b.build());
    }

    uint64_t begin_write() {
        std::lock_guard lock(update_mu);
        ++writes_in_flight;
        return watch_seq;
    }

    void end_write(uint64_t seq0, const std::vector<meta::mutation>* applied) {
        std::lock_guard lock(update_mu);
        if (applied && loaded) {
            detail::snapshot_builder b(*current());
            bool changed = false;
            for (const auto& m : *applied) {
                auto it = key_seq.find(m.key);
                if (it != key_seq.end() && it->second > seq0) continue;  // the watch was first
                changed = b.apply(m.key, m.value) || changed;
            }
            if (changed) publish(b.build());
        }
        if (--writes_in_flight == 0) key_seq.clear();
    }

    /// store.write(), then the snapshot. Visible to readers on return.
    status commit(std::vector<meta::mutation> batch) {
        const uint64_t seq0 = begin_write();
        auto st = store.write(batch);
        end_write(seq0, st.has_value() ? &batch : nullptr);
        return st;
    }

    /// store.compare_and_set(), then the snapshot when it wrote.
    result<bool> commit_cas(const std::string& key, const std::optional<std::string>& expected,
                            const std::optional<std::string>& desired) {
        const uint64_t seq0 = begin_write();
        auto r = store.compare_and_set(key, expected, desired);
        std::vector<meta::mutation> batch;
        const bool wrote = r.has_value() && *r;
        if (wrote) batch.push_back(meta::mutation{key, desired});
        end_write(seq0, wrote ? &batch : nullptr);
        return r;
    }

    status load() {
        std::lock_guard lock(update_mu);
        auto all = store.scan(detail::auth_prefix);
        if (!all.has_value()) return all.error();
        detail::snapshot_builder b(snapshot{});
        for (const auto& [key, value] : *all) {
            if (!b.apply(key, value)) spdlog::warn("auth: ignoring unknown key '{}'", key);
        }
        publish(b.build());
        loaded = true;
        return {};
    }

    status ensure_token_key() {
        for (int attempt = 0; attempt < max_cas_attempts; ++attempt) {
            auto cur = store.get(detail::token_key_key);
            if (!cur.has_value()) return cur.error();
            if (*cur) {
                auto raw = detail::hex_decode(**cur);
                if (raw && raw->size() == token_key_bytes) return {};
                spdlog::warn(
                    "auth: the stored token key is malformed; making a new one "
                    "(issued admin tokens stop working)");
            }
            auto fresh = detail::random_bytes(token_key_bytes);
            if (!fresh) return errc::io_error;
            auto wrote =
                commit_cas(std::string(detail::token_key_key), *cur, detail::hex_encode(*fresh));
            if (!wrote.has_value()) return wrote.error();
            if (*wrote) return {};
        }
        return errc::io_error;
    }

    /// Creates the tenant unless it exists. Returns whether it created it.
    outcome<bool> ensure_tenant(std::string_view name, std::string description) {
        tenant_info t;
        t.name = std::string(name);
        t.description = std::move(description);
        t.created_ms = now_unix_ms();
        auto value = detail::encode(t);
        if (!value.has_value()) return encode_failure(value.error());
        auto wrote = commit_cas(detail::tenant_key(name), std::nullopt, *value);
        if (!wrote.has_value()) return store_failure(wrote.error(), "create a tenant");
        return *wrote;
    }

    // ---- passwords ------------------------------------------------------------

    bool verify(const detail::user_entry& u, std::string_view password) {
        const std::string id = credential_key(u.info.tenant, u.info.username);
        const std::string mac = detail::hmac_sha256(credential_mac_key, password);
        {
            std::lock_guard lock(verified_mu);
            auto it = verified.find(id);
            if (it != verified.end() && it->second.password_hash == u.password_hash &&
                detail::constant_time_equal(it->second.mac, mac)) {
                return true;
            }
        }
        if (!detail::verify_password(password, u.parsed)) return false;
        std::lock_guard lock(verified_mu);
        if (verified.size() >= max_verified_credentials) verified.clear();
        verified[id] = verified_credential{mac, u.password_hash};
        return true;
    }

    void forget_credentials(std::string_view tenant, std::string_view username) {
        std::lock_guard lock(verified_mu);
        verified.erase(credential_key(tenant, username));
    }

    /// A refusal, counted in stats().
    authentication refused(connect_refusal r, std::string reason) {
        switch (r) {
            case connect_refusal::bad_credentials:
                bad_credentials.fetch_add(1, std::memory_order_relaxed);
                break;
            case connect_refusal::not_authorized:
                not_authorized.fetch_add(1, std::memory_order_relaxed);
                break;
            case connect_refusal::banned:
                banned.fetch_add(1, std::memory_order_relaxed);
                break;
        }
        return refuse(r, std::move(reason));
    }

    /// The KDF against a hash nobody has the password of.
    void burn_kdf(std::string_view password) const {
        (void)detail::verify_password(password, dummy_hash);
    }
};

// ---- lifecycle ----------------------------------------------------------------------

service::service(meta::meta_store& store, config::auth_config cfg)
    : impl_(std::make_unique<impl>(store, cfg)) {}

service::~service() {
    stop();
}

status service::start() {
    impl& d = *impl_;
    if (!d.watch) {
        d.watch = d.store.watch(detail::auth_prefix,
                                [p = impl_.get()](const meta::mutation& m) { p->on_watch(m); });
    }
    if (auto st = d.load(); !st.has_value()) {
        spdlog::error("auth: cannot load users, rules and bans: {}", st.error().message());
        stop();
        return st;
    }
    if (auto st = d.ensure_token_key(); !st.has_value()) {
        spdlog::error("auth: cannot store the token key: {}", st.error().message());
        stop();
        return st;
    }
    auto created = d.ensure_tenant(default_tenant, "the tenant of clients that name none");
    if (!created) {
        stop();
        return created.error().code;
    }
    const auto s = d.current();
    size_t users = 0;
    size_t rules = 0;
    for (const auto& [t, m] : s->users) users += m->size();
    for (const auto& [t, r] : s->rules) rules += r->size();
    spdlog::info("auth: {} tenants, {} users, {} ACL rules, {} bans loaded", s->tenants.size(),
                 users, rules, s->bans->size());
    return {};
}

void service::stop() {
    if (impl_->watch) {
        impl_->store.unwatch(*impl_->watch);
        impl_->watch.reset();
    }
}

// ---- connect-time -------------------------------------------------------------------

std::optional<std::string> service::banned(const credentials& c) const {
    const auto s = impl_->current();
    return detail::find_ban(*s->bans, c, now_unix_ms());
}

authentication service::authenticate(const credentials& c) {
    impl& d = *impl_;
    const auto s = d.current();
    auto refused = [&](connect_refusal r, std::string reason) {
        return d.refused(r, std::move(reason));
    };
    auto accepted = [&](identity who) {
        d.accepted.fetch_add(1, std::memory_order_relaxed);
        who.client_id = c.client_id;
        who.peer_ip = c.peer_ip;
        authentication a;
        a.who = std::move(who);
        return a;
    };
    const std::string_view fallback_tenant =
        c.tenant && !c.tenant->empty() ? std::string_view(*c.tenant) : default_tenant;

    // 1. The blacklist, before anything that costs.
    if (auto ban = detail::find_ban(*s->bans, c, now_unix_ms())) {
        return refused(connect_refusal::banned, std::move(*ban));
    }

    // 2. A verified client certificate: its CN is the user name, no password.
    if (c.certificate_cn) {
        if (c.certificate_cn->empty()) {
            return refused(connect_refusal::bad_credentials, "the certificate has no CN");
        }
        auto [tenant, name] = split_tenant(*c.certificate_cn, fallback_tenant);
        if (!s->has_tenant(tenant)) {
            return refused(connect_refusal::not_authorized, "unknown tenant");
        }
        if (detail::check_username(name, "username")) {
            return refused(connect_refusal::bad_credentials,
                           "the certificate CN is not a valid user name");
        }
        identity who;
        const auto* user = s->find_user(tenant, name);
        who.superuser = user && user->info.superuser;
        who.tenant = std::move(tenant);
        who.username = std::move(name);
        who.anonymous = false;
        spdlog::debug("auth: '{}' authenticated by certificate", *c.certificate_cn);
        return accepted(std::move(who));
    }

    // 3. No user name: the anonymous policy.
    if (!c.username || c.username->empty()) {
        switch (d.anonymous.load()) {
            case config::anonymous_access::allow:
                break;
            case config::anonymous_access::loopback:
                if (!detail::is_loopback(c.peer_ip)) {
                    return refused(connect_refusal::not_authorized,
                                   "anonymous clients are accepted only from loopback");
                }
                break;
            case config::anonymous_access::deny:
                return refused(connect_refusal::not_authorized,
                               "anonymous clients are not accepted");
        }
        if (!s->has_tenant(fallback_tenant)) {
            return refused(connect_refusal::not_authorized, "unknown tenant");
        }
        identity who;
        who.tenant = std::string(fallback_tenant);
        who.anonymous = true;
        return accepted(std::move(who));
    }

    // 4. User name and password.
    auto [tenant, name] = split_tenant(*c.username, fallback_tenant);
    if (!s->has_tenant(tenant)) return refused(connect_refusal::not_authorized, "unknown tenant");
    if (!c.password) return refused(connect_refusal::bad_credentials, "no password");
    const auto* user = s->find_user(tenant, name);
    if (!user) {
        d.burn_kdf(*c.password);
        spdlog::debug("auth: unknown user '{}'", *c.username);
        return refused(connect_refusal::bad_credentials, "unknown user or wrong password");
    }
    if (!d.verify(*user, *c.password)) {
        spdlog::debug("auth: wrong password for '{}'", *c.username);
        return refused(connect_refusal::bad_credentials, "unknown user or wrong password");
    }
    identity who;
    who.tenant = std::move(tenant);
    who.username = std::move(name);
    who.superuser = user->info.superuser;
    who.anonymous = false;
    return accepted(std::move(who));
}

// ---- SCRAM --------------------------------------------------------------------------

scram_credential service::scram_lookup(std::string_view tenant, std::string_view username,
                                       scram::mechanism m) const {
    const impl& d = *impl_;
    const auto s = d.current();
    scram_credential out;
    const auto* user = s->has_tenant(tenant) ? s->find_user(tenant, username) : nullptr;
    if (user) {
        out.superuser = user->info.superuser;
        const detail::phc_hash* h = nullptr;
        if (m == scram::mechanism::sha256) {
            h = &user->parsed;
        } else if (user->scram_sha512) {
            h = &*user->scram_sha512;
        }
        if (h && h->key.size() == scram::key_bytes(m)) {
            out.secret = scram::derive(m, h->key, h->salt, h->iterations);
            out.usable = true;
            return out;
        }
        out.reason = m == scram::mechanism::sha512
                         ? "the user has no SCRAM-SHA-512 credential (its password was set "
                           "before there were any: set it again)"
                         : "the stored password hash cannot serve SCRAM-SHA-256";
    } else {
        out.reason = "unknown user";
    }
    // The decoy: a salt derived from the stored token key and the name, so it
    // stays the same for the same name (also across restarts), and keys that
    // are no hash of anything a client could know.
    const std::string& key = s->token_key.empty() ? d.credential_mac_key : s->token_key;
    std::string label("scram decoy");
    label += '\0';
    label += scram::name(m);
    label += '\0';
    label += tenant;
    label += '\0';
    label += username;
    const std::string seed = detail::hmac_sha256(key, label);
    out.secret.salt = seed.substr(0, detail::password_salt_bytes);
    out.secret.iterations = d.dummy_hash.iterations;
    out.secret.stored_key = detail::hmac_sha256(d.credential_mac_key, seed + "stored");
    out.secret.server_key = detail::hmac_sha256(d.credential_mac_key, seed + "server");
    out.secret.stored_key.resize(scram::key_bytes(m), '\0');
    out.secret.server_key.resize(scram::key_bytes(m), '\0');
    return out;
}

authentication service::authenticate_scram(const credentials& c, bool proof_valid) {
    impl& d = *impl_;
    const auto s = d.current();
    if (auto ban = detail::find_ban(*s->bans, c, now_unix_ms())) {
        return d.refused(connect_refusal::banned, std::move(*ban));
    }
    const std::string_view fallback_tenant =
        c.tenant && !c.tenant->empty() ? std::string_view(*c.tenant) : default_tenant;
    auto [tenant, name] = split_tenant(c.username.value_or(""), fallback_tenant);
    if (!s->has_tenant(tenant)) return d.refused(connect_refusal::not_authorized, "unknown tenant");
    const auto* user = s->find_user(tenant, name);
    if (!proof_valid || !user) {
        return d.refused(connect_refusal::bad_credentials, "unknown user or wrong password");
    }
    d.accepted.fetch_add(1, std::memory_order_relaxed);
    identity who;
    who.tenant = std::move(tenant);
    who.username = std::move(name);
    who.superuser = user->info.superuser;
    who.anonymous = false;
    who.client_id = c.client_id;
    who.peer_ip = c.peer_ip;
    authentication a;
    a.who = std::move(who);
    return a;
}

// ---- ACL ----------------------------------------------------------------------------

bool service::authorize(const identity& who, access a, std::string_view topic, bool retain) const {
    const bool allowed = permits(who, a, topic, retain);
    if (!allowed) note_denied(a);
    return allowed;
}

bool service::permits(const identity& who, access a, std::string_view topic, bool retain) const {
    if (who.superuser) return true;
    const auto s = impl_->current();
    std::optional<acl_permission> decided;
    if (const auto* rules = s->rules_of(who.tenant)) {
        decided = detail::evaluate(*rules, who, a, topic, retain);
    }
    return decided ? *decided == acl_permission::allow
                   : impl_->acl_default.load() == config::acl_permission::allow;
}

void service::note_denied(access a) const noexcept {
    auto& counter = a == access::publish ? impl_->publish_denied : impl_->subscribe_denied;
    counter.fetch_add(1, std::memory_order_relaxed);
}

void service::set_anonymous(config::anonymous_access a) {
    impl_->anonymous.store(a);
}

void service::set_acl_default(config::acl_permission p) {
    if (impl_->acl_default.exchange(p) != p) impl_->generation.fetch_add(1);
}

config::auth_config service::policy() const {
    config::auth_config c;
    c.anonymous = impl_->anonymous.load();
    c.acl_default = impl_->acl_default.load();
    c.password_iterations = impl_->iterations;
    return c;
}

service::counters service::stats() const {
    const impl& d = *impl_;
    counters c;
    c.accepted = d.accepted.load(std::memory_order_relaxed);
    c.bad_credentials = d.bad_credentials.load(std::memory_order_relaxed);
    c.not_authorized = d.not_authorized.load(std::memory_order_relaxed);
    c.banned = d.banned.load(std::memory_order_relaxed);
    c.publish_denied = d.publish_denied.load(std::memory_order_relaxed);
    c.subscribe_denied = d.subscribe_denied.load(std::memory_order_relaxed);
    return c;
}

uint64_t service::generation() const noexcept {
    return impl_->generation.load();
}

// ---- tenants ------------------------------------------------------------------------

outcome<std::vector<tenant_info>> service::list_tenants() const {
    const auto s = impl_->current();
    std::vector<tenant_info> out;
    out.reserve(s->tenants.size());
    for (const auto& [name, t] : s->tenants) out.push_back(t);
    return out;
}

outcome<tenant_info> service::create_tenant(std::string name, std::string description) {
    if (auto f = detail::check_tenant_name(name, "name")) return *f;
    if (auto f = detail::check_text(description, "description")) return *f;
    tenant_info t{std::move(name), std::move(description), now_unix_ms()};
    auto value = detail::encode(t);
    if (!value.has_value()) return encode_failure(value.error());
    auto wrote = impl_->commit_cas(detail::tenant_key(t.name), std::nullopt, *value);
    if (!wrote.has_value()) return store_failure(wrote.error(), "create a tenant");
    if (!*wrote) return fail(errc::already_exists, "name", "the tenant exists");
    return t;
}

outcome<done> service::delete_tenant(std::string_view name) {
    impl& d = *impl_;
    if (name == default_tenant) {
        return fail(errc::protocol_error, "name", "the default tenant cannot be deleted");
    }
    const std::string key = detail::tenant_key(name);
    auto cur = d.store.get(key);
    if (!cur.has_value()) return store_failure(cur.error(), "read a tenant");
    if (!*cur) return fail(errc::not_found, "name", "no such tenant");
    auto users = d.store.scan(detail::users_of(name), 1);
    if (!users.has_value()) return store_failure(users.error(), "list users");
    if (!users->empty()) {
        return fail(errc::protocol_error, "name", "the tenant has users: delete them first");
    }
    auto rules = d.store.scan(detail::acls_of(name), 1);
    if (!rules.has_value()) return store_failure(rules.error(), "list ACL rules");
    if (!rules->empty()) {
        return fail(errc::protocol_error, "name", "the tenant has ACL rules: delete them first");
    }
    auto erased = d.commit_cas(key, *cur, std::nullopt);
    if (!erased.has_value()) return store_failure(erased.error(), "delete a tenant");
    if (!*erased) return fail(errc::not_found, "name", "no such tenant");
    return done{};
}

// ---- users --------------------------------------------------------------------------

outcome<std::vector<user_info>> service::list_users(std::string_view tenant,
                                                    std::string_view name_filter) const {
    const auto s = impl_->current();
    if (!tenant.empty() && !s->has_tenant(tenant)) {
        return fail(errc::not_found, "tenant", "no such tenant");
    }
    std::vector<user_info> out;
    for (const auto& [t, users] : s->users) {
        if (!tenant.empty() && t != tenant) continue;
        for (const auto& [name, u] : *users) {
            if (name.find(name_filter) != std::string::npos) out.push_back(u.info);
        }
    }
    return out;
}

outcome<user_info> service::get_user(std::string_view tenant, std::string_view username) const {
    const auto s = impl_->current();
    const auto* u = s->find_user(tenant, username);
    if (!u) return fail(errc::not_found, "username", "no such user");
    return u->info;
}

outcome<user_info> service::create_user(std::string tenant, std::string username,
                                        std::string_view password, bool superuser) {
    impl& d = *impl_;
    if (auto f = detail::check_username(username, "username")) return *f;
    if (auto f = detail::check_password(password)) return *f;
    if (!d.current()->has_tenant(tenant)) {
        return fail(errc::invalid_argument, "tenant", "no such tenant");
    }
    auto hash = detail::hash_password(password, d.iterations);
    auto scram512 = detail::hash_password(password, d.iterations, detail::digest::sha512);
    if (!hash || !scram512) return fail(errc::io_error, "", "cannot hash the password (OpenSSL)");
    detail::user_record rec;
    rec.info = user_info{std::move(tenant), std::move(username), superuser, now_unix_ms()};
    rec.password_hash = std::move(*hash);
    rec.scram_sha512 = std::move(*scram512);
    auto value = detail::encode(rec);
    if (!value.has_value()) return encode_failure(value.error());
    auto wrote =
        d.commit_cas(detail::user_key(rec.info.tenant, rec.info.username), std::nullopt, *value);
    if (!wrote.has_value()) return store_failure(wrote.error(), "create a user");
    if (!*wrote) return fail(errc::already_exists, "username", "the user exists");
    spdlog::debug("auth: created user '{}' in tenant '{}'", rec.info.username, rec.info.tenant);
    return rec.info;
}

outcome<user_info> service::update_user(std::string_view tenant, std::string_view username,
                                        std::optional<std::string_view> password,
                                        std::optional<bool> superuser) {
    impl& d = *impl_;
    std::optional<std::string> new_hash;
    std::optional<std::string> new_scram512;
    if (password) {
        if (auto f = detail::check_password(*password)) return *f;
        new_hash = detail::hash_password(*password, d.iterations);
        new_scram512 = detail::hash_password(*password, d.iterations, detail::digest::sha512);
        if (!new_hash || !new_scram512) {
            return fail(errc::io_error, "", "cannot hash the password (OpenSSL)");
        }
    }
    const std::string key = detail::user_key(tenant, username);
    for (int attempt = 0; attempt < max_cas_attempts; ++attempt) {
        auto cur = d.store.get(key);
        if (!cur.has_value()) return store_failure(cur.error(), "read a user");
        if (!*cur) return fail(errc::not_found, "username", "no such user");
        auto rec = detail::decode_user(**cur);
        if (!rec.has_value()) {
            spdlog::error("auth: the stored value at '{}' is corrupt", key);
            return failure{rec.error(), "", "the stored user is corrupt"};
        }
        if (new_hash) {
            rec->password_hash = *new_hash;
            rec->scram_sha512 = *new_scram512;
        }
        if (superuser) rec->info.superuser = *superuser;
        auto value = detail::encode(*rec);
        if (!value.has_value()) return encode_failure(value.error());
        auto wrote = d.commit_cas(key, *cur, *value);
        if (!wrote.has_value()) return store_failure(wrote.error(), "update a user");
        if (*wrote) {
            d.forget_credentials(tenant, username);
            return rec->info;
        }
    }
    return fail(errc::io_error, "", "the user kept changing; try again");
}

outcome<done> service::delete_user(std::string_view tenant, std::string_view username) {
    impl& d = *impl_;
    const std::string key = detail::user_key(tenant, username);
    auto cur = d.store.get(key);
    if (!cur.has_value()) return store_failure(cur.error(), "read a user");
    if (!*cur) return fail(errc::not_found, "username", "no such user");
    auto erased = d.commit_cas(key, *cur, std::nullopt);
    if (!erased.has_value()) return store_failure(erased.error(), "delete a user");
    d.forget_credentials(tenant, username);
    if (!*erased) return fail(errc::not_found, "username", "no such user");
    return done{};
}

std::optional<user_info> service::check_password(std::string_view tenant, std::string_view username,
                                                 std::string_view password) {
    impl& d = *impl_;
    const auto s = d.current();
    const auto* u = s->find_user(tenant, username);
    if (!u) {
        d.burn_kdf(password);
        return std::nullopt;
    }
    if (!d.verify(*u, password)) return std::nullopt;
    return u->info;
}

// ---- ACL rules ----------------------------------------------------------------------

outcome<std::vector<acl_rule>> service::list_acl(std::string_view tenant) const {
    const auto s = impl_->current();
    if (!tenant.empty() && !s->has_tenant(tenant)) {
        return fail(errc::not_found, "tenant", "no such tenant");
    }
    std::vector<acl_rule> out;
    for (const auto& [t, rules] : s->rules) {
        if (!tenant.empty() && t != tenant) continue;
        for (const auto& r : *rules) out.push_back(r.rule);
    }
    return out;
}

outcome<acl_rule> service::create_acl(acl_rule r) {
    impl& d = *impl_;
    if (r.created_ms == 0) r.created_ms = now_unix_ms();
    auto compiled = detail::compile_rule(std::move(r));
    if (!compiled) return compiled.error();
    const acl_rule& rule = compiled->rule;
    if (!d.current()->has_tenant(rule.tenant)) {
        return fail(errc::invalid_argument, "tenant", "no such tenant");
    }
    auto value = detail::encode(rule);
    if (!value.has_value()) return encode_failure(value.error());
    auto wrote = d.commit_cas(detail::acl_key(rule.tenant, rule.name), std::nullopt, *value);
    if (!wrote.has_value()) return store_failure(wrote.error(), "create an ACL rule");
    if (!*wrote) return fail(errc::already_exists, "name", "a rule of that name exists");
    return rule;
}

outcome<done> service::delete_acl(std::string_view tenant, std::string_view name) {
    impl& d = *impl_;
    const std::string key = detail::acl_key(tenant, name);
    auto cur = d.store.get(key);
    if (!cur.has_value()) return store_failure(cur.error(), "read an ACL rule");
    if (!*cur) return fail(errc::not_found, "name", "no such rule");
    auto erased = d.commit_cas(key, *cur, std::nullopt);
    if (!erased.has_value()) return store_failure(erased.error(), "delete an ACL rule");
    if (!*erased) return fail(errc::not_found, "name", "no such rule");
    return done{};
}

// ---- blacklist ----------------------------------------------------------------------

outcome<std::vector<blacklist_entry>> service::list_blacklist() const {
    const auto s = impl_->current();
    std::vector<blacklist_entry> out;
    out.reserve(s->bans->size());
    for (const auto& [key, b] : *s->bans) out.push_back(b.entry);
    return out;
}

outcome<blacklist_entry> service::create_blacklist(blacklist_entry e) {
    impl& d = *impl_;
    if (e.created_ms == 0) e.created_ms = now_unix_ms();
    auto compiled = detail::compile_ban(std::move(e));
    if (!compiled) return compiled.error();
    const blacklist_entry& entry = compiled->entry;
    auto value = detail::encode(entry);
    if (!value.has_value()) return encode_failure(value.error());
    const std::string key = detail::blacklist_key(entry.type, entry.value);
    for (int attempt = 0; attempt < max_cas_attempts; ++attempt) {
        auto cur = d.store.get(key);
        if (!cur.has_value()) return store_failure(cur.error(), "read a ban");
        if (*cur) {
            // An expired ban of the same value may be replaced; a live one not.
            auto old = detail::decode_blacklist(**cur);
            const int64_t now = now_unix_ms();
            if (old.has_value() && (old->expires_ms == 0 || old->expires_ms > now)) {
                return fail(errc::already_exists, "value", "that value is banned already");
            }
        }
        auto wrote = d.commit_cas(key, *cur, *value);
        if (!wrote.has_value()) return store_failure(wrote.error(), "create a ban");
        if (*wrote) return entry;
    }
    return fail(errc::already_exists, "value", "that value is banned already");
}

outcome<done> service::delete_blacklist(blacklist_type type, std::string_view value) {
    impl& d = *impl_;
    const std::string key = detail::blacklist_key(type, detail::canonical_ban_value(type, value));
    auto cur = d.store.get(key);
    if (!cur.has_value()) return store_failure(cur.error(), "read a ban");
    if (!*cur) return fail(errc::not_found, "value", "no such ban");
    auto erased = d.commit_cas(key, *cur, std::nullopt);
    if (!erased.has_value()) return store_failure(erased.error(), "delete a ban");
    if (!*erased) return fail(errc::not_found, "value", "no such ban");
    return done{};
}

// ---- first start --------------------------------------------------------------------

outcome<bool> service::ensure_admin(std::string_view username, std::string_view password) {
    impl& d = *impl_;
    auto tenant = d.ensure_tenant(default_tenant, "the tenant of clients that name none");
    if (!tenant) return tenant.error();
    auto existing = d.store.get(detail::user_key(default_tenant, username));
    if (!existing.has_value()) return store_failure(existing.error(), "read a user");
    if (*existing) return false;
    auto created = create_user(std::string(default_tenant), std::string(username), password, true);
    if (created) {
        spdlog::info("auth: created the administrator account");
        return true;
    }
    if (created.error().code == make_error_code(errc::already_exists)) return false;
    return created.error();
}

// ---- admin tokens -------------------------------------------------------------------

std::string service::issue_token(const user_info& u, int64_t ttl_s) {
    const auto s = impl_->current();
    const auto* user = s->find_user(u.tenant, u.username);
    if (!user || s->token_key.empty()) return {};
    // Saturate rather than overflow for absurd lifetimes.
    const int64_t now = now_unix_ms();
    const int64_t max_ttl_s = (std::numeric_limits<int64_t>::max() - now) / 1000;
    const int64_t expires_ms = now + std::clamp<int64_t>(ttl_s, -max_ttl_s, max_ttl_s) * 1000;
    const json payload = {
        {"t", u.tenant}, {"u", u.username}, {"e", expires_ms}, {"f", user->fingerprint}};
    std::string text;
    try {
        text = payload.dump();
    } catch (const json::exception&) {
        return {};  // not UTF-8: cannot happen for a stored user
    }
    std::string token = base64::encode(text, base64::alphabet::url, false);
    const std::string sig = detail::hmac_sha256(s->token_key, token);
    token += '.';
    token += base64::encode(sig, base64::alphabet::url, false);
    return token;
}

std::optional<token_subject> service::verify_token(std::string_view token) const {
    if (token.size() > max_token_bytes) return std::nullopt;
    const size_t dot = token.find('.');
    if (dot == std::string_view::npos) return std::nullopt;
    const std::string_view body = token.substr(0, dot);
    const auto sig = base64::decode(token.substr(dot + 1), base64::alphabet::url);
    if (!sig) return std::nullopt;
    const auto s = impl_->current();
    if (s->token_key.empty()) return std::nullopt;
    if (!detail::constant_time_equal(*sig, detail::hmac_sha256(s->token_key, body))) {
        return std::nullopt;
    }
    const auto text = base64::decode(body, base64::alphabet::url);
    if (!text) return std::nullopt;
    const json j = json::parse(*text, nullptr, /*allow_exceptions=*/false);
    if (!j.is_object()) return std::nullopt;
    auto t = j.find("t");
    auto u = j.find("u");
    auto e = j.find("e");
    auto f = j.find("f");
    if (t == j.end() || u == j.end() || e == j.end() || f == j.end() || !t->is_string() ||
        !u->is_string() || !e->is_number_integer() || !f->is_string()) {
        return std::nullopt;
    }
    token_subject subject;
    subject.tenant = t->get<std::string>();
    subject.username = u->get<std::string>();
    subject.expires_ms = e->get<int64_t>();
    if (subject.expires_ms <= now_unix_ms()) return std::nullopt;
    const auto* user = s->find_user(subject.tenant, subject.username);
    if (!user || !detail::constant_time_equal(user->fingerprint, f->get<std::string>())) {
        return std::nullopt;  // deleted, or the password changed since
    }
    return subject;
}

// ---- decision_cache -----------------------------------------------------------------

bool decision_cache::authorize(const service& s, const identity& who, access a,
                               std::string_view topic, bool retain, bool count_denial) {
    const uint64_t gen = s.generation();
    if (gen != generation_) {
        entries_.clear();
        generation_ = gen;
    }
    const bool retain_matters = a == access::publish && retain;
    std::string key;
    key.reserve(topic.size() + 2);
    key += a == access::publish ? 'p' : 's';
    key += retain_matters ? 'r' : '-';
    key += topic;
    if (auto it = entries_.find(key); it != entries_.end()) {
        if (!it->second && count_denial) s.note_denied(a);
        return it->second;
    }
    const bool allowed = s.permits(who, a, topic, retain);
    if (!allowed && count_denial) s.note_denied(a);
    if (entries_.size() >= capacity_) entries_.clear();
    entries_.emplace(std::move(key), allowed);
    return allowed;
}

}  // namespace robust::auth
