#pragma once
// Tenants on the MQTT side: a client of tenant T sees only T's topics,
// retained messages and sessions (auth/ decides the tenant at CONNECT).
//
// Inside the broker every topic is "scoped": tenant "default" keeps its
// plain names (so what was stored before tenants existed stays valid), and
// any other tenant's topics live under "$tenant/<T>/". No client can name
// such a topic itself (the "$tenant/" prefix is reserved and refused), and
// '#' or '+' at the first level never match a topic starting with '$'
// [MQTT-4.7.2-1], so one tenant's wildcards never reach another's topics.
// Clients only ever see unscoped names: the prefix is added when a publish
// or subscription comes in and removed when a PUBLISH goes out.
//
// Pure functions: any thread.

#include <string>
#include <string_view>
#include <utility>

#include "auth/types.h"

namespace robust::mqtt {

inline constexpr std::string_view tenant_prefix = "$tenant/";

inline bool is_default_tenant(std::string_view tenant) {
    return tenant == auth::default_tenant;
}

/// Whether a client-supplied topic or filter names the reserved namespace.
inline bool is_reserved_topic(std::string_view topic) {
    return topic.starts_with(tenant_prefix) || topic == "$tenant";
}

inline std::string scoped_topic(std::string_view tenant, std::string_view topic) {
    if (is_default_tenant(tenant)) return std::string(topic);
    std::string out;
    out.reserve(tenant_prefix.size() + tenant.size() + 1 + topic.size());
    out.append(tenant_prefix).append(tenant).append("/").append(topic);
    return out;
}

/// A filter as the client sent it, "$share/<g>/<f>" and "$queue/<f>"
/// included: the prefix goes in front of <f>.
inline std::string scoped_filter(std::string_view tenant, std::string_view filter) {
    if (is_default_tenant(tenant)) return std::string(filter);
    if (filter.starts_with("$queue/")) {
        return "$queue/" + scoped_topic(tenant, filter.substr(7));
    }
    if (filter.starts_with("$share/")) {
        const size_t slash = filter.find('/', 7);
        if (slash != std::string_view::npos) {
            return std::string(filter.substr(0, slash + 1)) +
                   scoped_topic(tenant, filter.substr(slash + 1));
        }
    }
    return scoped_topic(tenant, filter);
}

/// (tenant, client-facing topic) of a scoped topic.
inline std::pair<std::string_view, std::string_view> split_scoped(std::string_view topic) {
    if (!topic.starts_with(tenant_prefix)) return {auth::default_tenant, topic};
    const std::string_view rest = topic.substr(tenant_prefix.size());
    const size_t slash = rest.find('/');
    if (slash == std::string_view::npos) return {auth::default_tenant, topic};
    return {rest.substr(0, slash), rest.substr(slash + 1)};
}

/// The topic as a client of `tenant` sees it.
inline std::string_view client_topic(std::string_view tenant, std::string_view topic) {
    if (is_default_tenant(tenant)) return topic;
    return split_scoped(topic).second;
}

/// The session registry key: client ids are unique per tenant.
inline std::string session_key(std::string_view tenant, std::string_view client_id) {
    std::string k(tenant);
    k += '/';  // tenant names never contain '/'
    k.append(client_id);
    return k;
}

}  // namespace robust::mqtt
