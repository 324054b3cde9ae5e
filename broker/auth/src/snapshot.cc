#include "snapshot.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "records.h"
#include "router/topic.h"

namespace robust::auth::detail {
namespace {

constexpr std::string_view username_placeholder = "${username}";
constexpr std::string_view clientid_placeholder = "${clientid}";

/// libstdc++'s std::regex recurses per input character (about 0.5 KiB of
/// stack per character, more with nested groups), so a 16 KiB client id
/// overflows an 8 MiB stack. Longer subjects are never run through a regex.
constexpr size_t max_regex_subject = 512;

failure invalid(const char* field, std::string message) {
    return fail(errc::invalid_argument, field, std::move(message));
}

bool is_utf8(std::string_view s) {
    size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        size_t len = 0;
        uint32_t cp = 0;
        if (c < 0x80) {
            ++i;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            len = 2;
            cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            len = 3;
            cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            len = 4;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (i + len > s.size()) return false;
        for (size_t k = 1; k < len; ++k) {
            const auto cc = static_cast<unsigned char>(s[i + k]);
            if ((cc & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (cc & 0x3F);
        }
        // Overlong forms, surrogates and code points past U+10FFFF.
        if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
            (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
            return false;
        }
        i += len;
    }
    return true;
}

/// C0 controls, DEL and the C1 controls (U+0080..U+009F, encoded C2 80..C2 9F).
bool has_control(std::string_view s) {
    for (size_t i = 0; i < s.size(); ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x20 || c == 0x7F) return true;
        if (c == 0xC2 && i + 1 < s.size()) {
            const auto n = static_cast<unsigned char>(s[i + 1]);
            if (n >= 0x80 && n <= 0x9F) return true;
        }
    }
    return false;
}

std::optional<failure> check_name(std::string_view name, const char* field) {
    if (name.empty()) return invalid(field, "must not be empty");
    if (name.size() > max_name_bytes) {
        return invalid(field, "longer than " + std::to_string(max_name_bytes) + " bytes");
    }
    if (!is_utf8(name)) return invalid(field, "not valid UTF-8");
    if (has_control(name)) return invalid(field, "contains a control character");
    return std::nullopt;
}

/// Whether every "${" in `topic` opens one of the two known placeholders.
bool placeholders_known(std::string_view topic) {
    size_t pos = 0;
    while ((pos = topic.find("${", pos)) != std::string_view::npos) {
        const std::string_view rest = topic.substr(pos);
        if (!rest.starts_with(username_placeholder) && !rest.starts_with(clientid_placeholder)) {
            return false;
        }
        pos += 2;
    }
    return true;
}

/// The rule's filter for this identity, or nullopt when the rule cannot
/// apply to it. One pass over the rule's topic, so a value that itself
/// contains "${clientid}" is not substituted again. A value containing '+',
/// '#' or NUL stands for itself, not for a wildcard, and no topic name or
/// requested filter level can equal a level that contains those characters
/// literally: so such a rule matches nothing (rather than being widened into
/// a wildcard).
std::optional<std::string> filter_for(const rule_entry& r, const identity& who) {
    if (!r.uses_username && !r.uses_clientid) return r.rule.topic;
    constexpr std::string_view wildcard_chars("+#\0", 3);
    auto usable = [&](const std::string& v) {
        return !v.empty() && v.find_first_of(wildcard_chars) == std::string::npos;
    };
    if (r.uses_username && !usable(who.username)) return std::nullopt;
    if (r.uses_clientid && !usable(who.client_id)) return std::nullopt;
    const std::string_view topic = r.rule.topic;
    std::string filter;
    filter.reserve(topic.size() + who.username.size() + who.client_id.size());
    size_t i = 0;
    while (i < topic.size()) {
        const std::string_view rest = topic.substr(i);
        if (rest.starts_with(username_placeholder)) {
            filter += who.username;
            i += username_placeholder.size();
        } else if (rest.starts_with(clientid_placeholder)) {
            filter += who.client_id;
            i += clientid_placeholder.size();
        } else {
            filter += topic[i++];
        }
    }
    return filter;
}

bool action_matches(acl_action rule, access a, bool retain) {
    switch (rule) {
        case acl_action::all:
            return true;
        case acl_action::publish:
            return a == access::publish;
        case acl_action::retain:
            return a == access::publish && retain;
        case acl_action::subscribe:
            return a == access::subscribe;
    }
    return false;
}

bool regex_matches(const ban_entry& b, std::string_view subject) {
    try {
        return std::regex_search(subject.begin(), subject.end(), *b.re);
    } catch (const std::regex_error& e) {
        // error_complexity / error_stack: count it as no match, loudly.
        spdlog::warn("auth: {} ban '{}' failed to run: {}", to_string(b.entry.type), b.entry.value,
                     e.what());
        return false;
    }
}

std::string ban_description(const ban_entry& b) {
    std::string out = "banned by ";
    out += to_string(b.entry.type);
    out += " entry";
    if (!b.entry.reason.empty()) {
        out += ": ";
        out += b.entry.reason;
    }
    return out;
}

}  // namespace

// ---- validation -------------------------------------------------------------------

std::optional<failure> check_tenant_name(std::string_view name, const char* field) {
    if (name.empty()) return invalid(field, "must not be empty");
    if (name.size() > max_tenant_bytes) {
        return invalid(field, "longer than " + std::to_string(max_tenant_bytes) + " bytes");
    }
    for (char c : name) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
        if (!ok) return invalid(field, "may contain only A-Z, a-z, 0-9, '_', '.' and '-'");
    }
    return std::nullopt;
}

std::optional<failure> check_username(std::string_view name, const char* field) {
    if (auto f = check_name(name, field)) return f;
    if (name.find('@') != std::string_view::npos) {
        return invalid(field, "must not contain '@' (it separates the tenant)");
    }
    return std::nullopt;
}

std::optional<failure> check_password(std::string_view password) {
    if (password.size() < min_password_bytes) {
        return invalid("password", "shorter than " + std::to_string(min_password_bytes) + " bytes");
    }
    if (password.size() > max_password_bytes) {
        return invalid("password", "longer than " + std::to_string(max_password_bytes) + " bytes");
    }
    return std::nullopt;
}

std::optional<failure> check_text(std::string_view text, const char* field) {
    if (text.size() > max_text_bytes) {
        return invalid(field, "longer than " + std::to_string(max_text_bytes) + " bytes");
    }
    if (!is_utf8(text)) return invalid(field, "not valid UTF-8");
    return std::nullopt;
}

outcome<rule_entry> compile_rule(acl_rule r) {
    if (auto f = check_tenant_name(r.tenant, "tenant")) return *f;
    if (auto f = check_name(r.name, "name")) return *f;
    if (r.resource_type == acl_resource::all) {
        if (!r.resource_name.empty()) {
            return invalid("resource_name", "must be empty when resource_type is all");
        }
    } else {
        if (r.resource_name.empty()) {
            return invalid("resource_name",
                           std::string("must name the ") + std::string(to_string(r.resource_type)));
        }
        if (auto f = check_text(r.resource_name, "resource_name")) return *f;
    }
    if (!is_utf8(r.topic) || !router::is_valid_topic_filter(r.topic)) {
        return invalid("topic", "not a valid topic filter");
    }
    if (router::is_shared_filter(r.topic)) {
        return invalid("topic",
                       "write the filter without $share/<group>/ or $queue/: rules apply to "
                       "the inner filter of shared subscriptions");
    }
    if (!placeholders_known(r.topic)) {
        return invalid("topic", "unknown placeholder (use ${username} or ${clientid})");
    }
    rule_entry out;
    if (!r.ip.empty()) {
        out.net = parse_network(r.ip, /*allow_address=*/true);
        if (!out.net) return invalid("ip", "not an IP address or CIDR network");
    }
    out.uses_username = r.topic.find(username_placeholder) != std::string::npos;
    out.uses_clientid = r.topic.find(clientid_placeholder) != std::string::npos;
    out.rule = std::move(r);
    return out;
}

std::string canonical_ban_value(blacklist_type type, std::string_view value) {
    if (type == blacklist_type::ip) {
        if (auto a = parse_ip(value); a && value.find('%') == std::string_view::npos) {
            return to_string(*a);
        }
    } else if (type == blacklist_type::cidr) {
        if (auto n = parse_network(value, /*allow_address=*/false)) return to_string(*n);
    }
    return std::string(value);
}

outcome<ban_entry> compile_ban(blacklist_entry e) {
    if (e.value.empty()) return invalid("value", "must not be empty");
    if (auto f = check_text(e.value, "value")) return *f;
    if (auto f = check_text(e.reason, "reason")) return *f;
    if (e.expires_ms < 0) return invalid("expires_ms", "must be 0 (never) or a time in ms");
    ban_entry out;
    switch (e.type) {
        case blacklist_type::client_id:
        case blacklist_type::username:
            break;
        case blacklist_type::ip:
            if (e.value.find('%') != std::string::npos) {
                return invalid("value", "not an IP address (no zone)");
            }
            out.address = parse_ip(e.value);
            if (!out.address) return invalid("value", "not an IP address");
            e.value = to_string(*out.address);
            break;
        case blacklist_type::cidr:
            out.net = parse_network(e.value, /*allow_address=*/false);
            if (!out.net) return invalid("value", "not a CIDR network such as 10.0.0.0/8");
            e.value = to_string(*out.net);
            break;
        case blacklist_type::client_id_regex:
        case blacklist_type::username_regex:
            try {
                out.re = std::make_shared<const std::regex>(e.value, std::regex::ECMAScript);
            } catch (const std::regex_error& ex) {
                return invalid("value", std::string("not a regular expression: ") + ex.what());
            }
            break;
    }
    out.entry = std::move(e);
    return out;
}

// ---- the snapshot -------------------------------------------------------------------

const user_entry* snapshot::find_user(std::string_view tenant, std::string_view username) const {
    auto t = users.find(tenant);
    if (t == users.end()) return nullptr;
    auto u = t->second->find(username);
    return u == t->second->end() ? nullptr : &u->second;
}

const rule_list* snapshot::rules_of(std::string_view tenant) const {
    auto it = rules.find(tenant);
    return it == rules.end() ? nullptr : it->second.get();
}

std::string password_fingerprint(std::string_view password_hash) {
    return hex_encode(sha256(password_hash).substr(0, 8));
}

user_map& snapshot_builder::users_of(const std::string& tenant) {
    auto& slot = users_[tenant];
    if (!slot) {
        auto it = next_.users.find(tenant);
        slot = it == next_.users.end() ? std::make_shared<user_map>()
                                       : std::make_shared<user_map>(*it->second);
    }
    return *slot;
}

rule_list& snapshot_builder::rules_of(const std::string& tenant) {
    auto& slot = rules_[tenant];
    if (!slot) {
        auto it = next_.rules.find(tenant);
        slot = it == next_.rules.end() ? std::make_shared<rule_list>()
                                       : std::make_shared<rule_list>(*it->second);
    }
    return *slot;
}

ban_map& snapshot_builder::bans() {
    if (!bans_) bans_ = std::make_shared<ban_map>(*next_.bans);
    return *bans_;
}

bool snapshot_builder::apply(std::string_view key, const std::optional<std::string>& value) {
    parsed_key k = parse_key(key);
    auto skip = [&](std::string_view why) {
        spdlog::warn("auth: ignoring the stored value at '{}': {}", key, why);
    };
    switch (k.kind) {
        case key_kind::unknown:
            return false;

        case key_kind::token_key: {
            next_.token_key.clear();
            if (!value) return true;
            auto raw = hex_decode(*value);
            if (!raw || raw->size() != 32) {
                skip("not 64 hex digits");
                return true;
            }
            next_.token_key = std::move(*raw);
            return true;
        }

        case key_kind::tenant: {
            next_.tenants.erase(k.first);
            if (!value) return true;
            auto t = decode_tenant(*value);
            if (!t.has_value()) {
                skip(t.error().message());
            } else if (t->name != k.first) {
                skip("the name does not match the key");
            } else if (auto f = check_tenant_name(t->name, "name")) {
                skip(f->message);
            } else {
                next_.tenants.emplace(k.first, std::move(*t));
            }
            return true;
        }

        case key_kind::user: {
            user_map& users = users_of(k.first);
            users.erase(k.second);
            if (!value) return true;
            auto u = decode_user(*value);
            if (!u.has_value()) {
                skip(u.error().message());
                return true;
            }
            if (u->info.tenant != k.first || u->info.username != k.second) {
                skip("tenant or user name does not match the key");
                return true;
            }
            auto parsed = parse_password_hash(u->password_hash);
            if (!parsed) {
                skip("password_hash is not a pbkdf2-sha256 PHC string");
                return true;
            }
            user_entry e;
            if (!u->scram_sha512.empty()) {
                e.scram_sha512 = parse_password_hash(u->scram_sha512, digest::sha512);
                if (!e.scram_sha512 || e.scram_sha512->key.size() != digest_bytes(digest::sha512)) {
                    spdlog::warn("auth: ignoring the malformed scram_sha512 credential at '{}'",
                                 key);
                    e.scram_sha512.reset();
                }
            }
            e.info = std::move(u->info);
            e.fingerprint = password_fingerprint(u->password_hash);
            e.password_hash = std::move(u->password_hash);
            e.parsed = std::move(*parsed);
            users.emplace(k.second, std::move(e));
            return true;
        }

        case key_kind::acl: {
            rule_list& rules = rules_of(k.first);
            std::erase_if(rules, [&](const rule_entry& r) { return r.rule.name == k.second; });
            if (!value) return true;
            auto r = decode_acl(*value);
            if (!r.has_value()) {
                skip(r.error().message());
                return true;
            }
            if (r->tenant != k.first || r->name != k.second) {
                skip("tenant or rule name does not match the key");
                return true;
            }
            auto compiled = compile_rule(std::move(*r));
            if (!compiled) {
                skip(compiled.error().field + ": " + compiled.error().message);
                return true;
            }
            rules.push_back(std::move(*compiled));
            return true;
        }

        case key_kind::blacklist: {
            auto type = parse_blacklist_type(k.first);
            if (!type) {
                skip("unknown ban type");
                return true;
            }
            bans().erase({*type, k.second});
            if (!value) return true;
            auto e = decode_blacklist(*value);
            if (!e.has_value()) {
                skip(e.error().message());
                return true;
            }
            if (e->type != *type || e->value != k.second) {
                skip("type or value does not match the key");
                return true;
            }
            auto compiled = compile_ban(std::move(*e));
            if (!compiled) {
                skip(compiled.error().field + ": " + compiled.error().message);
                return true;
            }
            if (compiled->entry.value != k.second) {
                skip("the value is not in canonical form");
                return true;
            }
            bans().emplace(std::pair{*type, k.second}, std::move(*compiled));
            return true;
        }
    }
    return false;
}

std::shared_ptr<const snapshot> snapshot_builder::build() {
    for (auto& [tenant, users] : users_) {
        if (users->empty()) {
            next_.users.erase(tenant);
        } else {
            next_.users[tenant] = std::move(users);
        }
    }
    for (auto& [tenant, rules] : rules_) {
        if (rules->empty()) {
            next_.rules.erase(tenant);
            continue;
        }
        std::sort(rules->begin(), rules->end(), [](const rule_entry& a, const rule_entry& b) {
            if (a.rule.priority != b.rule.priority) return a.rule.priority < b.rule.priority;
            return a.rule.name < b.rule.name;
        });
        next_.rules[tenant] = std::move(rules);
    }
    if (bans_) next_.bans = std::move(bans_);
    users_.clear();
    rules_.clear();
    return std::make_shared<const snapshot>(std::move(next_));
}

// ---- decisions ----------------------------------------------------------------------

std::optional<acl_permission> evaluate(const rule_list& rules, const identity& who, access a,
                                       std::string_view topic, bool retain) {
    // A shared subscription is checked by its inner filter.
    std::string_view requested = topic;
    if (a == access::subscribe && router::is_shared_filter(topic)) {
        auto shared = router::parse_shared(topic);
        if (!shared) return acl_permission::deny;  // not a valid subscription at all
        requested = shared->filter;
    }
    std::optional<std::optional<ip_address>> peer;  // parsed on first use
    for (const rule_entry& r : rules) {
        const acl_rule& rule = r.rule;
        switch (rule.resource_type) {
            case acl_resource::all:
                break;
            case acl_resource::client_id:
                if (rule.resource_name != who.client_id) continue;
                break;
            case acl_resource::username:
                if (who.username.empty() || rule.resource_name != who.username) continue;
                break;
        }
        if (!action_matches(rule.action, a, retain)) continue;
        if (r.net) {
            if (!peer) peer = parse_ip(who.peer_ip);
            if (!*peer || !r.net->contains(**peer)) continue;
        }
        const auto filter = filter_for(r, who);
        if (!filter) continue;
        bool matched = false;
        if (a == access::publish) {
            matched = router::topic_matches(*filter, requested);
        } else if (rule.permission == acl_permission::allow) {
            // An allow rule must allow every topic the subscription can receive...
            matched = router::filter_covers(*filter, requested);
        } else {
            // ...and a deny rule refuses a subscription that could receive any
            // topic it denies: "#" is refused by a deny of "a/secret/#", or
            // a later allow of "#" would leak a/secret/x (messages are not
            // checked again at delivery).
            matched = router::filters_overlap(*filter, requested);
        }
        if (matched) return rule.permission;
    }
    return std::nullopt;
}

std::optional<std::string> find_ban(const ban_map& bans, const credentials& c, int64_t now_ms) {
    if (bans.empty()) return std::nullopt;
    auto active = [now_ms](const ban_entry& b) {
        return b.entry.expires_ms == 0 || b.entry.expires_ms > now_ms;
    };
    auto exact = [&](blacklist_type type, std::string_view value) -> const ban_entry* {
        auto it = bans.find({type, std::string(value)});
        return it != bans.end() && active(it->second) ? &it->second : nullptr;
    };

    // The user names a client presents: as sent, and a certificate's CN when
    // the listener uses it as the user name.
    std::vector<std::string_view> names;
    if (c.username && !c.username->empty()) names.push_back(*c.username);
    if (c.certificate_cn && !c.certificate_cn->empty()) names.push_back(*c.certificate_cn);

    if (auto* b = exact(blacklist_type::client_id, c.client_id)) return ban_description(*b);
    for (std::string_view n : names) {
        if (auto* b = exact(blacklist_type::username, n)) return ban_description(*b);
    }
    const auto peer = parse_ip(c.peer_ip);
    if (peer) {
        if (auto* b = exact(blacklist_type::ip, to_string(*peer))) return ban_description(*b);
    }
    for (const auto& [key, b] : bans) {
        if (!active(b)) continue;
        switch (b.entry.type) {
            case blacklist_type::cidr:
                if (peer && b.net->contains(*peer)) return ban_description(b);
                break;
            case blacklist_type::client_id_regex:
                if (c.client_id.size() > max_regex_subject) {
                    return ban_description(b) + " (client id too long to check)";
                }
                if (regex_matches(b, c.client_id)) return ban_description(b);
                break;
            case blacklist_type::username_regex:
                for (std::string_view n : names) {
                    if (n.size() > max_regex_subject) {
                        return ban_description(b) + " (user name too long to check)";
                    }
                    if (regex_matches(b, n)) return ban_description(b);
                }
                break;
            default:
                break;
        }
    }
    return std::nullopt;
}

}  // namespace robust::auth::detail
