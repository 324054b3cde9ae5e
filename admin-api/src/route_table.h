#pragma once
// The admin API's one route table: method, path pattern (OpenAPI syntax,
// `{name}` placeholders), handler id and who may call it. The dispatcher,
// the OpenAPI agreement test and the docs all read this table; a route
// exists only if it is here.
//
// Matching: a literal segment matches itself; `{x}` matches one non-empty
// segment, except as the last segment, where it matches the whole rest of
// the path (percent-decoded names such as topics "a/b" contain '/').
// The first route whose method and pattern both match wins.
//
// Pure data and functions: any thread.

#include <string>
#include <string_view>
#include <vector>

namespace robust::admin::detail {

enum class route_id {
    login,
    health_live,
    health_ready,
    metrics,
    cluster,
    overview,
    overview_history,
    config_get,
    config_patch,
    tenants_list,
    tenants_create,
    tenants_delete,
    users_list,
    users_create,
    users_get,
    users_patch,
    users_delete,
    acls_list,
    acls_create,
    acls_check,
    acls_delete,
    blacklist_list,
    blacklist_create,
    blacklist_delete,
    topics_list,
    topics_create,
    topics_get,
    topics_delete,
    bindings_list,
    bindings_create,
    bindings_delete,
    retained_list,
    retained_get,
    retained_delete,
    sessions_list,
    sessions_get,
    sessions_delete,
    clients_list,
    clients_get,
    clients_delete,
    subscriptions_list,
    kafka_groups_list,
    kafka_groups_get,
    kafka_groups_delete,
    kafka_groups_reset_offsets,
    messages,
    publish,  // last: the route-table test counts the ids up to it
};

/// Who may call a route.
enum class route_access {
    login,    // anyone; failures count towards the per-address limit
    health,   // public when http.public_health, else admin
    metrics,  // public when http.public_metrics, else admin
    admin,    // a superuser of tenant "default" (Bearer token or Basic)
};

struct route {
    std::string_view method;   // "GET", "POST", "PATCH", "DELETE"
    std::string_view pattern;  // "/api/v1/users/{username}"
    route_id id;
    route_access access;
};

inline constexpr route routes[] = {
    {"POST", "/api/v1/login", route_id::login, route_access::login},
    {"GET", "/health/live", route_id::health_live, route_access::health},
    {"GET", "/health/ready", route_id::health_ready, route_access::health},
    {"GET", "/metrics", route_id::metrics, route_access::metrics},
    {"GET", "/api/v1/cluster", route_id::cluster, route_access::admin},
    {"GET", "/api/v1/overview", route_id::overview, route_access::admin},
    {"GET", "/api/v1/overview/history", route_id::overview_history, route_access::admin},
    {"GET", "/api/v1/config", route_id::config_get, route_access::admin},
    {"PATCH", "/api/v1/config", route_id::config_patch, route_access::admin},
    {"GET", "/api/v1/tenants", route_id::tenants_list, route_access::admin},
    {"POST", "/api/v1/tenants", route_id::tenants_create, route_access::admin},
    {"DELETE", "/api/v1/tenants/{name}", route_id::tenants_delete, route_access::admin},
    {"GET", "/api/v1/users", route_id::users_list, route_access::admin},
    {"POST", "/api/v1/users", route_id::users_create, route_access::admin},
    {"GET", "/api/v1/users/{username}", route_id::users_get, route_access::admin},
    {"PATCH", "/api/v1/users/{username}", route_id::users_patch, route_access::admin},
    {"DELETE", "/api/v1/users/{username}", route_id::users_delete, route_access::admin},
    {"GET", "/api/v1/acls", route_id::acls_list, route_access::admin},
    {"POST", "/api/v1/acls", route_id::acls_create, route_access::admin},
    {"POST", "/api/v1/acls/check", route_id::acls_check, route_access::admin},
    {"DELETE", "/api/v1/acls/{name}", route_id::acls_delete, route_access::admin},
    {"GET", "/api/v1/blacklist", route_id::blacklist_list, route_access::admin},
    {"POST", "/api/v1/blacklist", route_id::blacklist_create, route_access::admin},
    {"DELETE", "/api/v1/blacklist/{type}/{value}", route_id::blacklist_delete, route_access::admin},
    {"GET", "/api/v1/topics", route_id::topics_list, route_access::admin},
    {"POST", "/api/v1/topics", route_id::topics_create, route_access::admin},
    {"GET", "/api/v1/topics/{name}", route_id::topics_get, route_access::admin},
    {"DELETE", "/api/v1/topics/{name}", route_id::topics_delete, route_access::admin},
    {"GET", "/api/v1/topic-bindings", route_id::bindings_list, route_access::admin},
    {"POST", "/api/v1/topic-bindings", route_id::bindings_create, route_access::admin},
    {"DELETE", "/api/v1/topic-bindings/{filter}", route_id::bindings_delete, route_access::admin},
    {"GET", "/api/v1/retained", route_id::retained_list, route_access::admin},
    {"GET", "/api/v1/retained/{topic}", route_id::retained_get, route_access::admin},
    {"DELETE", "/api/v1/retained/{topic}", route_id::retained_delete, route_access::admin},
    {"GET", "/api/v1/sessions", route_id::sessions_list, route_access::admin},
    {"GET", "/api/v1/sessions/{client_id}", route_id::sessions_get, route_access::admin},
    {"DELETE", "/api/v1/sessions/{client_id}", route_id::sessions_delete, route_access::admin},
    {"GET", "/api/v1/clients", route_id::clients_list, route_access::admin},
    {"GET", "/api/v1/clients/{client_id}", route_id::clients_get, route_access::admin},
    {"DELETE", "/api/v1/clients/{client_id}", route_id::clients_delete, route_access::admin},
    {"GET", "/api/v1/subscriptions", route_id::subscriptions_list, route_access::admin},
    {"GET", "/api/v1/messages", route_id::messages, route_access::admin},
    {"POST", "/api/v1/publish", route_id::publish, route_access::admin},
    {"GET", "/api/v1/kafka/groups", route_id::kafka_groups_list, route_access::admin},
    {"GET", "/api/v1/kafka/groups/{group}", route_id::kafka_groups_get, route_access::admin},
    {"DELETE", "/api/v1/kafka/groups/{group}", route_id::kafka_groups_delete, route_access::admin},
    {"POST", "/api/v1/kafka/groups/{group}/offsets", route_id::kafka_groups_reset_offsets,
     route_access::admin},
};

struct route_match {
    const route* matched = nullptr;   // null: no route for this method and path
    std::vector<std::string> params;  // the placeholders' values, in order
    /// When matched is null: the methods the path does accept (405 when
    /// non-empty, 404 when empty).
    std::vector<std::string_view> allowed;
};

/// `path` is percent-decoded already. HEAD matches GET routes.
route_match match_route(std::string_view method, std::string_view path);

/// Whether `path` matches `pattern`; fills `params` when it does.
bool match_pattern(std::string_view pattern, std::string_view path,
                   std::vector<std::string>& params);

}  // namespace robust::admin::detail
