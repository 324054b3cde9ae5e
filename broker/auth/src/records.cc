#include "records.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <initializer_list>
#include <utility>

#include "base/errc.h"
#include "meta/json_record.h"
#include "meta/model.h"

namespace robust::auth::detail {
namespace {

using namespace meta::json_record;

template <class Parse>
auto read_enum(const json& j, const char* name, Parse parse) {
    auto v = parse(read_string(j, name));
    if (!v) corrupt();
    return *v;
}

}  // namespace

std::string tenant_key(std::string_view name) {
    return meta::join_key(tenant_prefix, {name});
}
std::string user_key(std::string_view tenant, std::string_view username) {
    return meta::join_key(user_prefix, {tenant, username});
}
std::string users_of(std::string_view tenant) {
    return meta::join_key(user_prefix, {tenant, ""});
}
std::string acl_key(std::string_view tenant, std::string_view name) {
    return meta::join_key(acl_prefix, {tenant, name});
}
std::string acls_of(std::string_view tenant) {
    return meta::join_key(acl_prefix, {tenant, ""});
}
std::string blacklist_key(blacklist_type type, std::string_view value) {
    return meta::join_key(blacklist_prefix, {to_string(type), value});
}

parsed_key parse_key(std::string_view key) {
    parsed_key out;
    if (key == token_key_key) {
        out.kind = key_kind::token_key;
        return out;
    }
    auto parts = meta::split_key(key);
    if (!parts.has_value() || parts->size() < 3 || (*parts)[0] != "auth") return out;
    auto& p = *parts;
    if (p[1] == "tenant" && p.size() == 3) {
        out.kind = key_kind::tenant;
    } else if (p.size() == 4 && p[1] == "user") {
        out.kind = key_kind::user;
    } else if (p.size() == 4 && p[1] == "acl") {
        out.kind = key_kind::acl;
    } else if (p.size() == 4 && p[1] == "blacklist") {
        out.kind = key_kind::blacklist;
    } else {
        return out;
    }
    out.first = std::move(p[2]);
    if (p.size() == 4) out.second = std::move(p[3]);
    return out;
}

result<std::string> encode(const tenant_info& t) {
    return dump(json{{"v", format_version},
                     {"name", t.name},
                     {"description", t.description},
                     {"created_ms", t.created_ms}});
}

result<std::string> encode(const user_record& u) {
    json j{{"v", format_version},           {"tenant", u.info.tenant},
           {"username", u.info.username},   {"password_hash", u.password_hash},
           {"superuser", u.info.superuser}, {"created_ms", u.info.created_ms}};
    if (!u.scram_sha512.empty()) j["scram_sha512"] = u.scram_sha512;
    return dump(j);
}

result<std::string> encode(const acl_rule& r) {
    return dump(json{{"v", format_version},
                     {"tenant", r.tenant},
                     {"name", r.name},
                     {"priority", r.priority},
                     {"resource_type", to_string(r.resource_type)},
                     {"resource_name", r.resource_name},
                     {"topic", r.topic},
                     {"ip", r.ip},
                     {"action", to_string(r.action)},
                     {"permission", to_string(r.permission)},
                     {"created_ms", r.created_ms}});
}

result<std::string> encode(const blacklist_entry& e) {
    return dump(json{{"v", format_version},
                     {"type", to_string(e.type)},
                     {"value", e.value},
                     {"expires_ms", e.expires_ms},
                     {"reason", e.reason},
                     {"created_ms", e.created_ms}});
}

result<tenant_info> decode_tenant(std::string_view value) {
    return guarded_decode([&] {
        const json j = parse_object(value);
        tenant_info t;
        t.name = read_string(j, "name");
        t.description = read_string(j, "description");
        t.created_ms = read_int(j, "created_ms");
        return t;
    });
}

result<user_record> decode_user(std::string_view value) {
    return guarded_decode([&] {
        const json j = parse_object(value);
        user_record u;
        u.info.tenant = read_string(j, "tenant");
        u.info.username = read_string(j, "username");
        u.password_hash = read_string(j, "password_hash");
        u.info.superuser = read_bool(j, "superuser");
        u.info.created_ms = read_int(j, "created_ms");
        if (j.contains("scram_sha512")) u.scram_sha512 = read_string(j, "scram_sha512");
        return u;
    });
}

result<acl_rule> decode_acl(std::string_view value) {
    return guarded_decode([&] {
        const json j = parse_object(value);
        acl_rule r;
        r.tenant = read_string(j, "tenant");
        r.name = read_string(j, "name");
        const int64_t priority = read_int(j, "priority");
        if (!std::in_range<int32_t>(priority)) corrupt();
        r.priority = static_cast<int32_t>(priority);
        r.resource_type = read_enum(j, "resource_type", &parse_acl_resource);
        r.resource_name = read_string(j, "resource_name");
        r.topic = read_string(j, "topic");
        r.ip = read_string(j, "ip");
        r.action = read_enum(j, "action", &parse_acl_action);
        r.permission = read_enum(j, "permission", &parse_acl_permission);
        r.created_ms = read_int(j, "created_ms");
        return r;
    });
}

result<blacklist_entry> decode_blacklist(std::string_view value) {
    return guarded_decode([&] {
        const json j = parse_object(value);
        blacklist_entry e;
        e.type = read_enum(j, "type", &parse_blacklist_type);
        e.value = read_string(j, "value");
        e.expires_ms = read_int(j, "expires_ms");
        e.reason = read_string(j, "reason");
        e.created_ms = read_int(j, "created_ms");
        return e;
    });
}

}  // namespace robust::auth::detail
