#include "invocation.h"

#include <algorithm>
#include <sstream>
#include <thread>

#include <CLI/CLI.hpp>

#include "duration.h"
#include "kafka_bench_report.h"

namespace robust::ctl {
namespace {

using mqtt::codec::protocol_version;
using mqtt::codec::qos_level;

constexpr const char* default_server = "http://127.0.0.1:58080";

// Every option of every command; CLI11 writes into these, build_admin_call()
// reads them. One flat struct so the mapping code stays one function.
struct storage {
    // global
    std::string server;
    std::string output = "table";
    std::string user, password, token, data_dir;
    CLI::Option* server_opt = nullptr;
    CLI::Option* user_opt = nullptr;
    CLI::Option* password_opt = nullptr;
    CLI::Option* token_opt = nullptr;
    CLI::Option* data_dir_opt = nullptr;

    // lists
    int page = 0, limit = 0;
    std::string name_filter, tenant;
    std::string filter;     // retained list --filter
    std::string client_id;  // subscription list --client-id, acl check --client-id

    // positional
    std::string name;  // tenant/user/acl/topic name, client id, topic
    std::string blacklist_type, blacklist_value;
    std::vector<std::string> assignments;  // config set
    std::string config_key;                // config get [KEY]
    std::string health_probe = "ready";

    // create / update bodies
    std::string description;
    std::string new_password;
    bool superuser = false;
    CLI::Option* new_password_opt = nullptr;
    CLI::Option* superuser_opt = nullptr;
    CLI::Option* description_opt = nullptr;

    // acl
    std::string acl_name;
    int priority = 0;
    std::string resource_type, resource_name, topic, ip, action, permission, username;
    bool retain = false;
    CLI::Option *priority_opt = nullptr, *resource_type_opt = nullptr, *resource_name_opt = nullptr,
                *topic_opt = nullptr, *ip_opt = nullptr, *action_opt = nullptr,
                *permission_opt = nullptr, *username_opt = nullptr;

    // blacklist add
    std::string expires = "0";
    std::string reason;
    CLI::Option* reason_opt = nullptr;

    // topic create
    int partitions = 1;
    std::string storage_kind, durability, retention = "0";
    int64_t retention_bytes = 0;
    CLI::Option *partitions_opt = nullptr, *storage_opt = nullptr, *durability_opt = nullptr,
                *retention_opt = nullptr, *retention_bytes_opt = nullptr;

    // topic bind
    std::string kafka_topic;
    CLI::Option* bind_partitions_opt = nullptr;

    // cluster history
    int minutes = 0;

    // group reset-offsets
    std::vector<std::string> reset_topics;  // TOPIC or TOPIC:PARTITIONS, repeatable
    bool all_topics = false, to_earliest = false, to_latest = false, dry_run = false;
    int64_t to_offset = 0;
    std::string to_datetime;
    CLI::Option *to_offset_opt = nullptr, *to_datetime_opt = nullptr;

    // publish (admin API)
    std::string payload;
    int qos = 0;
    bool base64 = false;
    std::string content_type;
    std::vector<std::string> user_properties;
    CLI::Option* content_type_opt = nullptr;

    // mqtt pub/sub
    mqtt_pub_options pub;
    mqtt_sub_options sub;
    std::string mqtt_version = "5";
    int mqtt_qos = 0;
    int mqtt_port = 0;
    std::string mqtt_client_id, mqtt_username, mqtt_password;
    int mqtt_keepalive = 60;
    bool mqtt_clean = true;
    uint32_t session_expiry = 0;
    double timeout_s = 0;
    bool tls = false;
    std::string cafile, cert, key;
    bool insecure = false;
    struct mqtt_given {
        CLI::Option *port = nullptr, *username = nullptr, *password = nullptr,
                    *session_expiry = nullptr;
    };
    mqtt_given pub_given, sub_given;  // per command: both define the same options
    CLI::Option *timeout_opt = nullptr, *message_opt = nullptr;

    // bench mqtt: the four commands bind the same storage; which options
    // were given is asked of the parsed command (CLI::App::count).
    bench_options bench;
    std::string bench_host = "127.0.0.1", bench_version = "5", bench_duration = "10s";
    std::string bench_username, bench_password, bench_cafile, bench_client_prefix;
    int bench_qos = 0, bench_port = 0, bench_keepalive = 60, bench_pid = 0;
    uint32_t bench_clients = 1;
    bool bench_tls = false, bench_insecure = false;

    // bench kafka: produce and consume bind the same storage, like bench mqtt.
    kafka_bench_options kbench;
    std::string kbench_bootstrap = "127.0.0.1:9092", kbench_acks = "1", kbench_compression = "none",
                kbench_from = "earliest", kbench_duration = "10s";
    std::string kbench_username, kbench_password;
    uint32_t kbench_partitions = 1;
};

bool given(const CLI::Option* o) {
    return o != nullptr && o->count() > 0;
}

CLI::App* add_area(CLI::App& app, const std::string& name, const std::string& about) {
    auto* area = app.add_subcommand(name, about);
    area->require_subcommand(1);
    area->fallthrough();
    return area;
}

CLI::App* add_verb(CLI::App* area, const std::string& name, const std::string& about) {
    auto* verb = area->add_subcommand(name, about);
    verb->fallthrough();
    return verb;
}

void add_list_options(CLI::App* verb, storage& s, const std::string& name_means) {
    verb->add_option("--page", s.page, "Page number (from 1)")->check(CLI::PositiveNumber);
    verb->add_option("--limit", s.limit, "Items per page (1..1000, server default 50)")
        ->check(CLI::Range(1, 1000));
    verb->add_option("--name", s.name_filter, "Only items whose " + name_means + " contains this");
    verb->add_option("--tenant", s.tenant, "Only this tenant (default: all tenants)");
}

void add_tenant_option(CLI::App* verb, storage& s) {
    verb->add_option("--tenant", s.tenant, "Tenant (server default: \"default\")");
}

request list_request(const std::string& path, const storage& s) {
    request r{"GET", path, {}, std::nullopt, true};
    if (s.page > 0) r.query.emplace_back("page", std::to_string(s.page));
    if (s.limit > 0) r.query.emplace_back("limit", std::to_string(s.limit));
    if (!s.name_filter.empty()) r.query.emplace_back("name", s.name_filter);
    if (!s.tenant.empty()) r.query.emplace_back("tenant", s.tenant);
    return r;
}

request item_request(const std::string& method, const std::string& path, const storage& s) {
    request r{method, path, {}, std::nullopt, true};
    if (!s.tenant.empty()) r.query.emplace_back("tenant", s.tenant);
    return r;
}

admin_call list_call(const std::string& path, const storage& s) {
    return admin_call{list_request(path, s), view_kind::list, {}, {}};
}

admin_call get_call(const std::string& path, const storage& s) {
    return admin_call{item_request("GET", path, s), view_kind::item, {}, {}};
}

admin_call delete_call(const std::string& path, const storage& s, std::string done) {
    return admin_call{item_request("DELETE", path, s), view_kind::done, std::move(done), {}};
}

admin_call create_call(const std::string& path, json body) {
    return admin_call{request{"POST", path, {}, std::move(body), true}, view_kind::item, {}, {}};
}

std::string item_path(const std::string& collection, const std::string& name) {
    return "/api/v1/" + collection + "/" + percent_encode(name);
}

using build_result = std::variant<admin_call, std::string>;  // the call, or a usage error

/// --topic of group reset-offsets: "orders" (every partition) or
/// "orders:0,2,5-7"; a usage error as text.
std::variant<json, std::string> topic_selection(const std::string& text) {
    const auto colon = text.find(':');
    const std::string topic = text.substr(0, colon);
    const std::string fix = " (expected TOPIC or TOPIC:PARTITIONS, e.g. orders:0,2,5-7)";
    if (topic.empty()) return "--topic: missing topic name in '" + text + "'" + fix;
    json sel = {{"topic", topic}};
    if (colon == std::string::npos) return sel;
    json parts = json::array();
    const std::string list = text.substr(colon + 1);
    size_t i = 0;
    while (i <= list.size()) {
        const size_t comma = std::min(list.find(',', i), list.size());
        const std::string item = list.substr(i, comma - i);
        const size_t dash = item.find('-');
        auto number = [](const std::string& n) -> std::optional<int32_t> {
            if (n.empty() || n.size() > 9 || n.find_first_not_of("0123456789") != n.npos) {
                return std::nullopt;
            }
            return static_cast<int32_t>(std::stol(n));
        };
        auto first = number(item.substr(0, dash));
        auto last = dash == std::string::npos ? first : number(item.substr(dash + 1));
        if (!first || !last || *last < *first || *last - *first > 100'000) {
            return "--topic: bad partition list '" + list + "' in '" + text + "'" + fix;
        }
        for (int32_t p = *first; p <= *last; ++p) parts.push_back(p);
        i = comma + 1;
    }
    sel["partitions"] = std::move(parts);
    return sel;
}

build_result reset_offsets_call(const storage& s) {
    json body = json::object();
    const int targets = (s.to_earliest ? 1 : 0) + (s.to_latest ? 1 : 0) +
                        (given(s.to_offset_opt) ? 1 : 0) + (given(s.to_datetime_opt) ? 1 : 0);
    if (targets != 1) {
        return std::string(
                   "group reset-offsets: give exactly one of --to-earliest, --to-latest, ") +
               "--to-offset N or --to-datetime TIME" + (targets == 0 ? "" : " (got several)");
    }
    if (s.to_earliest) {
        body["to"] = "earliest";
    } else if (s.to_latest) {
        body["to"] = "latest";
    } else if (given(s.to_offset_opt)) {
        if (s.to_offset < 0) {
            return "--to-offset: expected an offset >= 0, got " + std::to_string(s.to_offset);
        }
        body["to"] = "offset";
        body["offset"] = s.to_offset;
    } else {
        auto ms = parse_datetime_ms(s.to_datetime);
        if (!ms) {
            return "--to-datetime: expected YYYY-MM-DDTHH:MM:SS[.sss][Z|+hh:mm] (local time "
                   "without a zone) or ms since the epoch, got '" +
                   s.to_datetime + "'";
        }
        body["to"] = "timestamp";
        body["timestamp_ms"] = *ms;
    }
    if (s.reset_topics.empty() == !s.all_topics) {
        return std::string("group reset-offsets: give --topic TOPIC[:PARTITIONS] (repeatable) ") +
               "or --all-topics (every partition the group has committed on)" +
               (s.all_topics ? ", not both" : "");
    }
    if (!s.all_topics) {
        json topics = json::array();
        for (const auto& t : s.reset_topics) {
            auto sel = topic_selection(t);
            if (auto* e = std::get_if<std::string>(&sel)) return *e;
            topics.push_back(std::move(std::get<json>(sel)));
        }
        body["topics"] = std::move(topics);
    }
    if (s.dry_run) body["dry_run"] = true;
    request r{"POST", item_path("kafka/groups", s.name) + "/offsets", {}, std::move(body), true};
    if (!s.tenant.empty()) r.query.emplace_back("tenant", s.tenant);
    return admin_call{std::move(r), view_kind::offsets, {}, {}};
}

build_result build_admin_call(const std::string& area, const std::string& verb, const storage& s,
                              const parse_context& ctx) {
    if (area == "cluster") {
        if (verb == "info") {
            return admin_call{
                request{"GET", "/api/v1/cluster", {}, {}, true}, view_kind::cluster, {}, {}};
        }
        if (verb == "overview") {
            return admin_call{
                request{"GET", "/api/v1/overview", {}, {}, true}, view_kind::overview, {}, {}};
        }
        if (verb == "history") {
            request r{"GET", "/api/v1/overview/history", {}, {}, true};
            if (s.minutes > 0) r.query.emplace_back("minutes", std::to_string(s.minutes));
            return admin_call{std::move(r), view_kind::history, {}, {}};
        }
    }
    if (area == "config") {
        if (verb == "get") {
            return admin_call{request{"GET", "/api/v1/config", {}, {}, true},
                              view_kind::config,
                              {},
                              s.config_key};
        }
        if (verb == "set") {
            json body = json::object();
            for (const auto& a : s.assignments) {
                auto kv = parse_assignment(a);
                if (!kv)
                    return "config set: expected KEY=VALUE (e.g. mqtt.max_inflight=64), got '" + a +
                           "'";
                body[kv->first] = kv->second;
            }
            return admin_call{request{"PATCH", "/api/v1/config", {}, std::move(body), true},
                              view_kind::config,
                              {},
                              {}};
        }
    }
    if (area == "tenant") {
        if (verb == "list") return list_call("/api/v1/tenants", s);
        if (verb == "create") {
            json body = {{"name", s.name}};
            if (given(s.description_opt)) body["description"] = s.description;
            return create_call("/api/v1/tenants", std::move(body));
        }
        if (verb == "delete") {
            return admin_call{request{"DELETE", item_path("tenants", s.name), {}, {}, true},
                              view_kind::done,
                              "tenant " + s.name + " deleted",
                              {}};
        }
    }
    if (area == "user") {
        if (verb == "list") return list_call("/api/v1/users", s);
        if (verb == "create") {
            json body = json::object();
            if (!s.tenant.empty()) body["tenant"] = s.tenant;
            body["username"] = s.name;
            body["password"] = s.new_password;
            body["superuser"] = s.superuser;
            return create_call("/api/v1/users", std::move(body));
        }
        if (verb == "get") return get_call(item_path("users", s.name), s);
        if (verb == "update") {
            json body = json::object();
            if (given(s.new_password_opt)) body["password"] = s.new_password;
            if (given(s.superuser_opt)) body["superuser"] = s.superuser;
            if (body.empty())
                return "user update: nothing to change (give --password and/or "
                       "--superuser/--no-superuser)";
            admin_call c{
                item_request("PATCH", item_path("users", s.name), s), view_kind::item, {}, {}};
            c.req.body = std::move(body);
            return c;
        }
        if (verb == "delete")
            return delete_call(item_path("users", s.name), s, "user " + s.name + " deleted");
    }
    if (area == "acl") {
        if (verb == "list") return list_call("/api/v1/acls", s);
        if (verb == "create") {
            json body = json::object();
            if (!s.tenant.empty()) body["tenant"] = s.tenant;
            body["name"] = s.acl_name;
            if (given(s.priority_opt)) body["priority"] = s.priority;
            if (given(s.resource_type_opt)) body["resource_type"] = s.resource_type;
            if (given(s.resource_name_opt)) body["resource_name"] = s.resource_name;
            if (given(s.topic_opt)) body["topic"] = s.topic;
            if (given(s.ip_opt)) body["ip"] = s.ip;
            if (given(s.action_opt)) body["action"] = s.action;
            if (given(s.permission_opt)) body["permission"] = s.permission;
            return create_call("/api/v1/acls", std::move(body));
        }
        if (verb == "delete")
            return delete_call(item_path("acls", s.name), s, "acl rule " + s.name + " deleted");
        if (verb == "check") {
            json body = json::object();
            if (!s.tenant.empty()) body["tenant"] = s.tenant;
            if (given(s.username_opt)) body["username"] = s.username;
            body["client_id"] = s.client_id;
            if (!s.ip.empty()) body["ip"] = s.ip;
            body["action"] = s.action;
            body["topic"] = s.topic;
            if (s.retain) body["retain"] = true;
            return admin_call{request{"POST", "/api/v1/acls/check", {}, std::move(body), true},
                              view_kind::acl_check,
                              {},
                              {}};
        }
    }
    if (area == "blacklist") {
        if (verb == "list") return list_call("/api/v1/blacklist", s);
        if (verb == "add") {
            auto d = parse_duration_ms(s.expires);
            if (!d)
                return "--expires: expected 0 (never) or a duration like 30s, 10m, 1h, 7d; got '" +
                       s.expires + "'";
            json body = {{"type", s.blacklist_type}, {"value", s.blacklist_value}};
            body["expires_ms"] = *d == 0 ? int64_t{0} : ctx.now_ms + *d;
            if (given(s.reason_opt)) body["reason"] = s.reason;
            return create_call("/api/v1/blacklist", std::move(body));
        }
        if (verb == "delete") {
            const std::string path = "/api/v1/blacklist/" + percent_encode(s.blacklist_type) + "/" +
                                     percent_encode(s.blacklist_value);
            return admin_call{
                request{"DELETE", path, {}, {}, true},
                view_kind::done,
                "blacklist entry " + s.blacklist_type + " " + s.blacklist_value + " deleted",
                {}};
        }
    }
    if (area == "topic") {
        if (verb == "list") return list_call("/api/v1/topics", s);
        if (verb == "create") {
            json body = json::object();
            if (!s.tenant.empty()) body["tenant"] = s.tenant;
            body["name"] = s.name;
            if (given(s.partitions_opt)) body["partitions"] = s.partitions;
            if (given(s.storage_opt)) body["storage"] = s.storage_kind;
            if (given(s.durability_opt)) body["durability"] = s.durability;
            if (given(s.retention_opt)) {
                auto d = parse_duration_ms(s.retention);
                if (!d)
                    return "--retention: expected 0 (keep forever) or a duration like 1h, 7d; got "
                           "'" +
                           s.retention + "'";
                body["retention_ms"] = *d;
            }
            if (given(s.retention_bytes_opt)) body["retention_bytes"] = s.retention_bytes;
            return create_call("/api/v1/topics", std::move(body));
        }
        if (verb == "get") return get_call(item_path("topics", s.name), s);
        if (verb == "delete")
            return delete_call(item_path("topics", s.name), s, "topic " + s.name + " deleted");
        if (verb == "bindings") return list_call("/api/v1/topic-bindings", s);
        if (verb == "bind") {
            json body = {{"mqtt_filter", s.name}, {"kafka_topic", s.kafka_topic}};
            if (!s.tenant.empty()) body["tenant"] = s.tenant;
            if (given(s.bind_partitions_opt)) body["partitions"] = s.partitions;
            return create_call("/api/v1/topic-bindings", std::move(body));
        }
        if (verb == "unbind")
            return delete_call(item_path("topic-bindings", s.name), s, s.name + " unbound");
    }
    if (area == "retained") {
        if (verb == "list") {
            auto c = list_call("/api/v1/retained", s);
            if (!s.filter.empty()) c.req.query.emplace_back("filter", s.filter);
            return c;
        }
        if (verb == "get") return get_call(item_path("retained", s.name), s);
        if (verb == "delete")
            return delete_call(item_path("retained", s.name), s,
                               "retained message on " + s.name + " deleted");
    }
    if (area == "session") {
        if (verb == "list") return list_call("/api/v1/sessions", s);
        if (verb == "get") return get_call(item_path("sessions", s.name), s);
        if (verb == "delete")
            return delete_call(item_path("sessions", s.name), s, "session " + s.name + " deleted");
    }
    if (area == "client") {
        if (verb == "list") return list_call("/api/v1/clients", s);
        if (verb == "get") return get_call(item_path("clients", s.name), s);
        if (verb == "kick")
            return delete_call(item_path("clients", s.name), s,
                               "client " + s.name + " disconnected");
    }
    if (area == "subscription" && verb == "list") {
        auto c = list_call("/api/v1/subscriptions", s);
        if (!s.client_id.empty()) c.req.query.emplace_back("client_id", s.client_id);
        return c;
    }
    if (area == "publish") {
        json body = json::object();
        if (!s.tenant.empty()) body["tenant"] = s.tenant;
        body["topic"] = s.topic;
        body["payload"] = s.payload;
        if (s.base64) body["payload_encoding"] = "base64";
        body["qos"] = s.qos;
        body["retain"] = s.retain;
        if (!s.user_properties.empty()) {
            json props = json::object();
            for (const auto& p : s.user_properties) {
                const auto eq = p.find('=');
                if (eq == std::string::npos || eq == 0)
                    return "--user-property: expected KEY=VALUE, got '" + p + "'";
                props[p.substr(0, eq)] = p.substr(eq + 1);
            }
            body["user_properties"] = std::move(props);
        }
        if (given(s.content_type_opt)) body["content_type"] = s.content_type;
        return admin_call{request{"POST", "/api/v1/publish", {}, std::move(body), true},
                          view_kind::done,
                          "published to " + s.topic,
                          {}};
    }
    if (area == "group") {
        if (verb == "list") return list_call("/api/v1/kafka/groups", s);
        if (verb == "describe") {
            admin_call c = get_call(item_path("kafka/groups", s.name), s);
            c.view = view_kind::group;
            return c;
        }
        if (verb == "delete") {
            return delete_call(item_path("kafka/groups", s.name), s,
                               "consumer group " + s.name + " deleted");
        }
        if (verb == "reset-offsets") return reset_offsets_call(s);
    }
    if (area == "login") {
        // The body (user name and password) is filled in by the runner from
        // the resolved credentials; login itself sends no Authorization.
        return admin_call{
            request{"POST", "/api/v1/login", {}, {}, false}, view_kind::login, {}, {}};
    }
    if (area == "health") {
        return admin_call{
            request{"GET", "/health/" + s.health_probe, {}, {}, true}, view_kind::health, {}, {}};
    }
    return "unknown command: " + area + " " + verb;
}

void define_admin_commands(CLI::App& app, storage& s) {
    {
        auto* a = add_area(app, "cluster", "Cluster nodes, overview counters and history");
        add_verb(a, "info", "Nodes of the cluster: id, address, roles, version, uptime");
        add_verb(a, "overview", "Counts, rates and totals of this node");
        auto* h = add_verb(a, "history", "Per-10-second history of connections and rates");
        h->add_option("--minutes", s.minutes, "How far back (server default 60)")
            ->check(CLI::PositiveNumber);
    }
    {
        auto* a = add_area(app, "config", "Show or change the running configuration");
        auto* g = add_verb(a, "get", "Show the configuration (all, one section, or one key)");
        g->add_option("key", s.config_key, "A section (mqtt) or key (mqtt.max_inflight)");
        auto* set = add_verb(a, "set", "Change runtime-changeable keys: KEY=VALUE...");
        set->add_option("assignments", s.assignments, "section.key=value pairs")->required();
    }
    {
        auto* a = add_area(app, "tenant", "Tenants (namespaces of users, rules and topics)");
        add_list_options(add_verb(a, "list", "List tenants"), s, "name");
        auto* c = add_verb(a, "create", "Create a tenant");
        c->add_option("name", s.name, "Tenant name")->required();
        s.description_opt = c->add_option("--description", s.description, "Free text");
        add_verb(a, "delete", "Delete an empty tenant")
            ->add_option("name", s.name, "Tenant name")
            ->required();
    }
    {
        auto* a = add_area(app, "user", "Users of MQTT and of the admin API");
        add_list_options(add_verb(a, "list", "List users (never shows passwords)"), s, "user name");
        auto* c = add_verb(a, "create", "Create a user");
        c->add_option("username", s.name, "User name")->required();
        c->add_option("--password", s.new_password, "The new user's password")->required();
        c->add_flag("--superuser", s.superuser, "Superuser (bypasses ACLs; admin API access)");
        add_tenant_option(c, s);
        auto* g = add_verb(a, "get", "Show one user");
        g->add_option("username", s.name, "User name")->required();
        add_tenant_option(g, s);
        auto* u = add_verb(a, "update", "Change a user's password and/or superuser flag");
        u->add_option("username", s.name, "User name")->required();
        s.new_password_opt = u->add_option("--password", s.new_password, "New password");
        s.superuser_opt =
            u->add_flag("--superuser,!--no-superuser", s.superuser, "Grant / revoke superuser");
        add_tenant_option(u, s);
        auto* d = add_verb(a, "delete", "Delete a user");
        d->add_option("username", s.name, "User name")->required();
        add_tenant_option(d, s);
    }
    {
        auto* a = add_area(app, "acl", "Access control rules for publish and subscribe");
        add_list_options(add_verb(a, "list", "List rules, by priority"), s, "rule name");
        auto* c = add_verb(a, "create", "Create a rule");
        c->add_option("--name", s.acl_name, "Rule name")->required();
        s.priority_opt =
            c->add_option("--priority", s.priority, "Lower is checked first (server default 1000)");
        s.resource_type_opt = c->add_option("--resource-type", s.resource_type,
                                            "Who: all, client_id or username (default all)")
                                  ->check(CLI::IsMember({"all", "client_id", "username"}));
        s.resource_name_opt =
            c->add_option("--resource-name", s.resource_name, "The client id or user name");
        s.topic_opt = c->add_option("--topic", s.topic, "Topic filter (default #)");
        s.ip_opt = c->add_option("--ip", s.ip, "Client address or CIDR (default any)");
        s.action_opt =
            c->add_option("--action", s.action, "all, publish, subscribe or retain (default all)")
                ->check(CLI::IsMember({"all", "publish", "subscribe", "retain"}));
        s.permission_opt =
            c->add_option("--permission", s.permission, "allow or deny (default allow)")
                ->check(CLI::IsMember({"allow", "deny"}));
        add_tenant_option(c, s);
        auto* d = add_verb(a, "delete", "Delete a rule");
        d->add_option("name", s.name, "Rule name")->required();
        add_tenant_option(d, s);
        auto* k = add_verb(a, "check", "Would this client be allowed to publish/subscribe?");
        k->add_option("--client-id", s.client_id, "Client id")->required();
        s.username_opt = k->add_option("--username", s.username, "User name");
        k->add_option("--ip", s.ip, "Client address (server default 127.0.0.1)");
        k->add_option("--action", s.action, "publish or subscribe")
            ->required()
            ->check(CLI::IsMember({"publish", "subscribe"}));
        k->add_option("--topic", s.topic, "Topic (publish) or filter (subscribe)")->required();
        k->add_flag("--retain", s.retain, "A retained publish");
        add_tenant_option(k, s);
    }
    {
        auto* a = add_area(app, "blacklist", "Banned client ids, user names and addresses");
        add_list_options(add_verb(a, "list", "List bans"), s, "value");
        auto* c = add_verb(a, "add", "Ban a client id, user name or address");
        const auto types = {"client_id",       "username",       "ip",
                            "client_id_regex", "username_regex", "cidr"};
        c->add_option("--type", s.blacklist_type,
                      "client_id, username, ip, client_id_regex, username_regex or cidr")
            ->required()
            ->check(CLI::IsMember(types));
        c->add_option("--value", s.blacklist_value, "What to ban")->required();
        c->add_option("--expires", s.expires, "Lifetime: 0 (never, default), 10m, 1h, 7d, ...");
        s.reason_opt = c->add_option("--reason", s.reason, "Free text");
        auto* d = add_verb(a, "delete", "Lift a ban");
        d->add_option("type", s.blacklist_type, "Ban type")
            ->required()
            ->check(CLI::IsMember(types));
        d->add_option("value", s.blacklist_value, "Banned value")->required();
    }
    {
        auto* a = add_area(app, "topic", "Topics and their storage");
        add_list_options(add_verb(a, "list", "List topics"), s, "topic name");
        auto* c = add_verb(a, "create", "Create a topic");
        c->add_option("name", s.name, "Topic name")->required();
        s.partitions_opt = c->add_option("--partitions", s.partitions, "Partitions (default 1)")
                               ->check(CLI::PositiveNumber);
        s.storage_opt =
            c->add_option("--storage", s.storage_kind, "Storage engine (default rocksdb)");
        s.durability_opt =
            c->add_option("--durability", s.durability, "none, wal or fsync (default wal)");
        s.retention_opt = c->add_option("--retention", s.retention,
                                        "Keep records this long: 0 (forever), 7d, ...");
        s.retention_bytes_opt = c->add_option("--retention-bytes", s.retention_bytes,
                                              "Keep at most this many bytes (0: no limit)")
                                    ->check(CLI::NonNegativeNumber);
        add_tenant_option(c, s);
        for (const char* v : {"get", "delete"}) {
            auto* x = add_verb(a, v,
                               std::string(v) == "get" ? "Show a topic and its shards"
                                                       : "Delete a topic and its records");
            x->add_option("name", s.name, "Topic name")->required();
            add_tenant_option(x, s);
        }
        auto* b = add_verb(a, "bind",
                           "Bind an MQTT topic filter to a Kafka topic (made if absent): MQTT "
                           "publishes are stored in it, its records reach MQTT subscribers");
        b->add_option("filter", s.name, "MQTT topic filter, e.g. 'sensors/#'")->required();
        b->add_option("kafka-topic", s.kafka_topic, "Kafka topic name")->required();
        s.bind_partitions_opt =
            b->add_option("--partitions", s.partitions,
                          "Partitions of the Kafka topic if it is made (default "
                          "kafka.num_partitions)")
                ->check(CLI::PositiveNumber);
        add_tenant_option(b, s);
        auto* u = add_verb(a, "unbind", "Remove a binding (the Kafka topic and its records stay)");
        u->add_option("filter", s.name, "MQTT topic filter, as bound")->required();
        add_tenant_option(u, s);
        add_list_options(add_verb(a, "bindings", "List MQTT filters bound to Kafka topics"), s,
                         "MQTT filter");
    }
    {
        auto* a = add_area(app, "retained", "Retained messages");
        auto* l = add_verb(a, "list", "List retained messages");
        add_list_options(l, s, "topic");
        l->add_option("--filter", s.filter, "Only topics matching this MQTT filter (default #)");
        for (const char* v : {"get", "delete"}) {
            auto* x = add_verb(a, v,
                               std::string(v) == "get" ? "Show the retained message of a topic"
                                                       : "Clear the retained message of a topic");
            x->add_option("topic", s.name, "Topic name")->required();
            add_tenant_option(x, s);
        }
    }
    {
        auto* a = add_area(app, "session", "MQTT sessions (connected and persistent)");
        add_list_options(add_verb(a, "list", "List sessions"), s, "client id");
        for (const char* v : {"get", "delete"}) {
            auto* x =
                add_verb(a, v,
                         std::string(v) == "get" ? "Show one session"
                                                 : "Remove a session (disconnects its client)");
            x->add_option("client-id", s.name, "Client id")->required();
            add_tenant_option(x, s);
        }
    }
    {
        auto* a = add_area(app, "client", "Connected MQTT clients");
        add_list_options(add_verb(a, "list", "List connected clients"), s, "client id");
        for (const char* v : {"get", "kick"}) {
            auto* x = add_verb(a, v,
                               std::string(v) == "get" ? "Show one connected client"
                                                       : "Disconnect a client (MQTT 5: 0x98)");
            x->add_option("client-id", s.name, "Client id")->required();
            add_tenant_option(x, s);
        }
    }
    {
        auto* a = add_area(app, "subscription", "Subscriptions of MQTT sessions");
        auto* l = add_verb(a, "list", "List subscriptions");
        add_list_options(l, s, "topic filter");
        l->add_option("--client-id", s.client_id, "Only this client's subscriptions");
    }
    {
        auto* a = add_area(app, "group", "Kafka consumer groups: members, offsets, lag");
        add_list_options(add_verb(a, "list", "List consumer groups with state, members and lag"), s,
                         "group id");
        auto* d = add_verb(a, "describe", "Members, assignments and offsets/lag per partition");
        d->add_option("group", s.name, "Group id")->required();
        add_tenant_option(d, s);
        auto* del = add_verb(a, "delete", "Delete a group without members, with its offsets");
        del->add_option("group", s.name, "Group id")->required();
        add_tenant_option(del, s);
        auto* r = add_verb(a, "reset-offsets",
                           "Move committed offsets (only while the group has no members)");
        r->add_option("group", s.name, "Group id")->required();
        r->add_option("--topic", s.reset_topics, "TOPIC or TOPIC:PARTITIONS (0,2,5-7); repeatable");
        r->add_flag("--all-topics", s.all_topics, "Every partition the group has committed on");
        r->add_flag("--to-earliest", s.to_earliest, "To the log start offset");
        r->add_flag("--to-latest", s.to_latest, "To the log end offset (skip everything)");
        s.to_offset_opt = r->add_option("--to-offset", s.to_offset,
                                        "To this offset (clamped to the log start/end)");
        s.to_datetime_opt =
            r->add_option("--to-datetime", s.to_datetime,
                          "To the first record at or after YYYY-MM-DDTHH:MM:SS[.sss][Z|+hh:mm]");
        r->add_flag("--dry-run", s.dry_run, "Show the new offsets without changing anything");
        add_tenant_option(r, s);
    }
    {
        auto* p = app.add_subcommand("publish", "Publish one message through the admin API");
        p->fallthrough();
        p->add_option("--topic", s.topic, "Topic")->required();
        p->add_option("--payload", s.payload, "Payload (text, or base64 with --base64)");
        p->add_option("--qos", s.qos, "QoS 0, 1 or 2")->check(CLI::Range(0, 2));
        p->add_flag("--retain", s.retain, "Retain the message");
        p->add_flag("--base64", s.base64, "--payload is base64 (binary payloads)");
        s.content_type_opt = p->add_option("--content-type", s.content_type, "MQTT 5 content type");
        p->add_option("--user-property", s.user_properties, "KEY=VALUE (repeatable)");
        add_tenant_option(p, s);
    }
    {
        auto* l = app.add_subcommand(
            "login", "Check the credentials (--output json prints the session token)");
        l->fallthrough();
    }
    {
        auto* h = app.add_subcommand("health", "Liveness / readiness of the server");
        h->fallthrough();
        h->add_option("probe", s.health_probe, "live or ready (default ready)")
            ->check(CLI::IsMember({"live", "ready"}));
    }
}

void add_mqtt_common(CLI::App* c, storage& s, mqtt_common_options& o, storage::mqtt_given& g) {
    c->set_help_flag("--help", "Print this help message and exit");
    c->fallthrough();
    c->add_option("-h,--host", o.host, "Broker host (default 127.0.0.1)");
    g.port = c->add_option("-p,--port", s.mqtt_port, "Broker port (1883; 1885 with TLS)")
                 ->check(CLI::Range(1, 65535));
    c->add_option("-q,--qos", s.mqtt_qos, "QoS 0, 1 or 2")->check(CLI::Range(0, 2));
    c->add_option("-V,--protocol", s.mqtt_version, "MQTT version: 3.1.1 or 5 (default 5)")
        ->check(CLI::IsMember({"3.1", "3.1.1", "5", "mqttv31", "mqttv311", "mqttv5"}));
    c->add_option("-i,--client-id", s.mqtt_client_id, "Client id (default robustctl-<pid>-<n>)");
    g.username = c->add_option("-u,--username", s.mqtt_username, "User name");
    g.password = c->add_option("-P,--password", s.mqtt_password, "Password");
    c->add_option("-k,--keepalive", s.mqtt_keepalive, "Keep alive in seconds (0: none)")
        ->check(CLI::Range(0, 65535));
    c->add_flag("--clean,!--no-clean", s.mqtt_clean,
                "Start a clean session (default) / resume the stored one");
    g.session_expiry = c->add_option("--session-expiry", s.session_expiry,
                                     "MQTT 5 Session Expiry Interval in seconds");
    c->add_flag("--tls", s.tls, "Connect with TLS");
    c->add_option("--cafile", s.cafile, "CA certificates (PEM) to verify the broker with")
        ->check(CLI::ExistingFile);
    c->add_option("--cert", s.cert, "Client certificate (PEM)")->check(CLI::ExistingFile);
    c->add_option("--key", s.key, "Client private key (PEM)")->check(CLI::ExistingFile);
    c->add_flag("--insecure", s.insecure, "Do not verify the broker's certificate");
}

void define_mqtt_commands(CLI::App& app, storage& s) {
    auto* a = add_area(app, "mqtt", "MQTT client: publish and subscribe over TCP or TLS");
    auto* pub = add_verb(a, "pub", "Publish messages");
    add_mqtt_common(pub, s, s.pub, s.pub_given);
    pub->add_option("-t,--topic", s.pub.topic, "Topic")->required();
    s.message_opt = pub->add_option("-m,--message", s.pub.message, "Payload");
    pub->add_flag("-r,--retain", s.pub.retain, "Retain the message");
    pub->add_option("-C,--count", s.pub.count, "Publish N copies (progress on stderr)")
        ->check(CLI::PositiveNumber);
    pub->add_flag("--stdin-lines", s.pub.stdin_lines, "Publish each line of stdin as a message");

    auto* sub = add_verb(a, "sub", "Subscribe and print messages");
    add_mqtt_common(sub, s, s.sub, s.sub_given);
    sub->add_option("-t,--topic", s.sub.topics, "Topic filter (repeatable)")->required();
    sub->add_option("-C,--count", s.sub.count, "Exit after N messages")->check(CLI::PositiveNumber);
    sub->add_flag("-v,--verbose", s.sub.verbose, "Print \"topic payload\"");
    s.timeout_opt = sub->add_option("--timeout", s.timeout_s,
                                    "Stop after this many seconds (exit 4 if --count not reached)")
                        ->check(CLI::PositiveNumber);
}

void add_bench_options(CLI::App* c, storage& s, bench_mode mode) {
    c->set_help_flag("--help", "Print this help message and exit");
    c->fallthrough();
    c->add_option("-h,--host", s.bench_host, "Broker host (default 127.0.0.1)");
    c->add_option("-p,--port", s.bench_port, "Broker port (1883; 1885 with TLS)")
        ->check(CLI::Range(1, 65535));
    c->add_option("-V,--protocol", s.bench_version, "MQTT version: 3 (3.1), 4 (3.1.1) or 5")
        ->check(CLI::IsMember({"3", "4", "5", "3.1", "3.1.1", "mqttv31", "mqttv311", "mqttv5"}));
    c->add_option("-u,--username", s.bench_username, "User name");
    c->add_option("-P,--password", s.bench_password, "Password");
    c->add_option("-k,--keepalive", s.bench_keepalive, "Keep alive in seconds (0: none)")
        ->check(CLI::Range(0, 65535));
    c->add_flag("--tls", s.bench_tls, "Connect with TLS");
    c->add_option("--cafile", s.bench_cafile, "CA certificates (PEM) to verify the broker with")
        ->check(CLI::ExistingFile);
    c->add_flag("--insecure", s.bench_insecure, "Do not verify the broker's certificate");
    c->add_option("--client-prefix", s.bench_client_prefix,
                  "Client id prefix (default bench-<pid>-); ids are <prefix>p0, s0, c0...");
    c->add_option("--threads", s.bench.threads, "I/O threads (default: hardware threads)")
        ->check(CLI::Range(1, 1024));
    c->add_option("--connect-rate", s.bench.connect_rate, "Connections per second (0: max)");
    c->add_option("--source", s.bench.source_addresses,
                  "Local IP addresses to connect from, round robin (e.g. 127.0.0.2,127.0.0.3: "
                  "beyond ~64k connections to one port)")
        ->delimiter(',')
        ->check(CLI::ValidIPV4);
    c->add_option("--pid", s.bench_pid, "Broker process id: report its RSS (VmRSS)")
        ->check(CLI::PositiveNumber);
    c->add_option("--duration", s.bench_duration,
                  mode == bench_mode::conn ? "How long to hold the connections (default 10s)"
                                           : "How long to run (default 10s)");
    const char* clients_about = mode == bench_mode::conn  ? "Connections (default 100)"
                                : mode == bench_mode::pub ? "Publishers (default 1)"
                                : mode == bench_mode::sub
                                    ? "Subscribers (default 1)"
                                    : "Publishers and subscribers (default 1)";
    c->add_option("-c,--clients", s.bench_clients, clients_about)->check(CLI::PositiveNumber);
    if (mode == bench_mode::conn) return;
    c->add_option("-q,--qos", s.bench_qos, "QoS 0, 1 or 2")->check(CLI::Range(0, 2));
    c->add_option("-t,--topic", s.bench.topic,
                  mode == bench_mode::sub
                      ? "Topic filter; %i is the subscriber index (default bench/%i)"
                      : "Topic; %i is the publisher index (default bench/%i)");
    if (mode == bench_mode::sub) return;
    c->add_option("-s,--size", s.bench.size,
                  "Payload bytes (default 64; 8 or more to measure latency)")
        ->check(CLI::Range(0, 268'435'000));
    c->add_option("-r,--rate", s.bench.rate, "Messages per second per publisher (0: max)");
    c->add_option("--count", s.bench.count, "Messages per publisher (instead of --duration)")
        ->check(CLI::PositiveNumber);
    c->add_option("--inflight", s.bench.inflight,
                  "QoS 1/2 messages in flight per publisher (default 100)")
        ->check(CLI::Range(1, 65535));
    if (mode == bench_mode::pub) {
        c->add_flag("--retain", s.bench.retain, "Publish retained messages");
        c->add_option("--topics", s.bench.topics,
                      "Spread each publisher's messages over N topics: message k goes to "
                      "--topic with %n replaced by k mod N")
            ->check(CLI::PositiveNumber);
    }
    if (mode != bench_mode::pubsub) return;
    c->add_option("--publishers", s.bench.publishers, "Publishers (default: -c)")
        ->check(CLI::PositiveNumber);
    c->add_option("--subscribers", s.bench.subscribers, "Subscribers (default: -c)")
        ->check(CLI::PositiveNumber);
    c->add_option("--filter", s.bench.filter,
                  "Subscribers' filter; %i is the subscriber index (default: --topic)");
}

void add_kafka_bench_options(CLI::App* c, storage& s, kafka_bench_mode mode) {
    c->fallthrough();
    c->add_option("--bootstrap", s.kbench_bootstrap,
                  "Kafka broker HOST:PORT to bootstrap from (default 127.0.0.1:9092)");
    c->add_option("-t,--topic", s.kbench.topic, "Topic (default bench)");
    c->add_option("-c,--clients", s.kbench.clients,
                  mode == kafka_bench_mode::produce
                      ? "Producer clients (default 1)"
                      : "Consumer clients, each reading its own partitions (default 1)")
        ->check(CLI::Range(1, 100'000));
    c->add_option("--threads", s.kbench.threads,
                  "I/O threads (default: -c, at most hardware threads)")
        ->check(CLI::Range(1, 1024));
    c->add_option("--duration", s.kbench_duration, "How long to run (default 10s)");
    c->add_option("--count", s.kbench.count,
                  mode == kafka_bench_mode::produce
                      ? "Records per client (instead of --duration)"
                      : "Records in all, then stop (instead of --duration)")
        ->check(CLI::PositiveNumber);
    c->add_option("-u,--username", s.kbench_username, "SASL PLAIN user name");
    c->add_option("-P,--password", s.kbench_password, "SASL PLAIN password");
    if (mode == kafka_bench_mode::produce) {
        c->add_option(
             "--partitions", s.kbench_partitions,
             "Partitions if the topic is created (default 1; an existing topic keeps its own)")
            ->check(CLI::Range(1, 100'000));
        c->add_option("--acks", s.kbench_acks, "0, 1 or all (-1) (default 1)")
            ->check(CLI::IsMember({"0", "1", "-1", "all"}));
        c->add_option("-s,--size", s.kbench.size,
                      "Record value bytes (default 1024; the first 8 carry the send time)")
            ->check(CLI::Range(0, 16'000'000));
        c->add_option("--batch", s.kbench.batch,
                      "Records per RecordBatch and Produce request (default 100)")
            ->check(CLI::Range(1, 1'000'000));
        c->add_option("--compression", s.kbench_compression,
                      "none (default), gzip, snappy, lz4 or zstd")
            ->check(CLI::IsMember({"none", "gzip", "snappy", "lz4", "zstd"}));
        c->add_option("--inflight", s.kbench.inflight,
                      "Produce requests awaiting a response per connection (default 5)")
            ->check(CLI::Range(1, 10'000));
        c->add_option("-r,--rate", s.kbench.rate, "Records per second per client (0: max)");
    } else {
        c->add_option("--from", s.kbench_from, "earliest (default) or latest")
            ->check(CLI::IsMember({"earliest", "latest"}));
        c->add_option("--fetch-max-bytes", s.kbench.fetch_max_bytes,
                      "Bytes per Fetch request and per partition (default 1048576)")
            ->check(CLI::Range(1, 1'000'000'000));
        c->add_option("--max-wait-ms", s.kbench.max_wait_ms,
                      "How long the broker may hold a Fetch for data (default 100)")
            ->check(CLI::Range(0, 600'000));
    }
}

void define_kafka_bench_commands(CLI::App* bench, storage& s) {
    auto* k =
        add_verb(bench, "kafka", "Benchmark a Kafka broker (robust-server, Apache Kafka, ...)");
    k->require_subcommand(1);
    add_kafka_bench_options(
        add_verb(k, "produce", "Produce from -c clients: throughput and Produce latency"), s,
        kafka_bench_mode::produce);
    add_kafka_bench_options(
        add_verb(k, "consume", "Fetch a topic's partitions with -c clients: throughput"), s,
        kafka_bench_mode::consume);
}

void define_bench_commands(CLI::App& app, storage& s) {
    auto* a = add_area(app, "bench", "Benchmarks: load generators for any broker");
    auto* m = add_verb(a, "mqtt", "Benchmark an MQTT broker (robust-server, mosquitto, ...)");
    m->require_subcommand(1);
    struct verb {
        const char* name;
        const char* about;
        bench_mode mode;
    };
    const verb verbs[] = {
        {"conn", "Open -c connections at --connect-rate and hold them for --duration",
         bench_mode::conn},
        {"pub", "Publish from -c clients, each to its --topic", bench_mode::pub},
        {"sub", "Subscribe -c clients and count what arrives", bench_mode::sub},
        {"pubsub", "Publishers and subscribers: throughput, latency, losses", bench_mode::pubsub},
    };
    for (const auto& v : verbs) add_bench_options(add_verb(m, v.name, v.about), s, v.mode);
    define_kafka_bench_commands(a, s);
}

// Whether the parsed command `c` was given option `name` (which it may not have).
bool given(const CLI::App& c, const std::string& name) {
    const CLI::Option* o = c.get_option_no_throw(name);
    return o != nullptr && o->count() > 0;
}

// The bench options from the parsed command `c`; a usage error as text.
std::string finish_bench(const CLI::App& c, const storage& s, bench_mode mode, bench_options& o) {
    o = s.bench;
    o.mode = mode;
    auto& m = o.mqtt;
    m.host = s.bench_host;
    const std::string& v = s.bench_version;
    if (v == "3" || v == "3.1" || v == "mqttv31") {
        m.version = protocol_version::v3_1;
    } else if (v == "4" || v == "3.1.1" || v == "mqttv311") {
        m.version = protocol_version::v3_1_1;
    } else {
        m.version = protocol_version::v5;
    }
    m.qos = static_cast<qos_level>(s.bench_qos);
    m.client_id = s.bench_client_prefix;
    if (given(c, "--username")) m.username = s.bench_username;
    if (given(c, "--password")) m.password = s.bench_password;
    if (m.password && !m.username && m.version != protocol_version::v5) {
        return "-P/--password needs -u/--username with MQTT 3.x";
    }
    m.keepalive_s = static_cast<uint16_t>(s.bench_keepalive);
    m.tls.cafile = s.bench_cafile;
    m.tls.insecure = s.bench_insecure;
    m.tls.enabled = s.bench_tls || !s.bench_cafile.empty() || s.bench_insecure;
    m.port =
        given(c, "--port") ? static_cast<uint16_t>(s.bench_port) : (m.tls.enabled ? 1885 : 1883);

    const bool duration_given = given(c, "--duration");
    if (duration_given && given(c, "--count")) {
        return "--count and --duration exclude each other";
    }
    auto ms = parse_duration_ms(s.bench_duration);
    if (!ms || *ms <= 0) {
        return "--duration: expected a positive duration such as 10s, 500ms or 1m, got '" +
               s.bench_duration + "'";
    }
    o.duration_ms = *ms;
    if (s.bench_pid > 0) o.pid = s.bench_pid;
    if (!given(c, "--threads")) {
        o.threads = std::max(1u, std::thread::hardware_concurrency());
    }

    const bool clients_given = given(c, "--clients");
    switch (mode) {
        case bench_mode::conn:
            o.connections = clients_given ? s.bench_clients : 100;
            break;
        case bench_mode::pub:
            o.publishers = s.bench_clients;
            break;
        case bench_mode::sub:
            o.subscribers = s.bench_clients;
            break;
        case bench_mode::pubsub:
            if (!given(c, "--publishers")) o.publishers = s.bench_clients;
            if (!given(c, "--subscribers")) o.subscribers = s.bench_clients;
            break;
    }
    if (mode != bench_mode::conn) {
        if (o.topic.empty()) return "-t/--topic: the topic is empty";
        const bool publishes = mode == bench_mode::pub || mode == bench_mode::pubsub;
        if (publishes && o.topic.find_first_of("+#") != std::string::npos) {
            return "-t/--topic: '" + o.topic +
                   "' has a wildcard (+ or #): publishers need a topic (use --filter for the "
                   "subscribers)";
        }
        const bool has_n = o.topic.find("%n") != std::string::npos;
        if (o.topics > 0 && !has_n) {
            return "-t/--topic: --topics needs %n in the topic (e.g. -t 'bench/%n')";
        }
        if (o.topics == 0 && has_n) {
            return "-t/--topic: %n is the topic number of --topics N; give --topics";
        }
    }
    return {};
}

// The bench kafka options from the parsed command `c`; a usage error as text.
std::string finish_kafka_bench(const CLI::App& c, const storage& s, kafka_bench_mode mode,
                               kafka_bench_options& o) {
    o = s.kbench;
    o.mode = mode;
    const auto hp = parse_host_port(s.kbench_bootstrap, 9092);
    if (!hp) {
        return "--bootstrap: expected HOST:PORT (or [IPv6]:PORT), got '" + s.kbench_bootstrap + "'";
    }
    o.host = hp->first;
    o.port = hp->second;
    if (o.topic.empty()) return "-t/--topic: the topic is empty";
    if (given(c, "--duration") && given(c, "--count")) {
        return "--count and --duration exclude each other";
    }
    auto ms = parse_duration_ms(s.kbench_duration);
    if (!ms || *ms <= 0) {
        return "--duration: expected a positive duration such as 10s, 500ms or 1m, got '" +
               s.kbench_duration + "'";
    }
    o.duration_ms = *ms;
    if (given(c, "--username") != given(c, "--password")) {
        return "-u/--username and -P/--password go together (SASL PLAIN)";
    }
    if (given(c, "--username")) {
        o.username = s.kbench_username;
        o.password = s.kbench_password;
    }
    if (!given(c, "--threads")) {
        o.threads = std::max(1u, std::min(o.clients, std::thread::hardware_concurrency()));
    }
    if (mode == kafka_bench_mode::produce) {
        if (given(c, "--partitions")) o.partitions = s.kbench_partitions;
        o.acks = parse_acks(s.kbench_acks).value_or(1);
        o.compression = parse_compression(s.kbench_compression).value_or(o.compression);
    } else {
        o.from =
            s.kbench_from == "latest" ? kafka_start_offset::latest : kafka_start_offset::earliest;
    }
    return {};
}

// Copies the shared MQTT option storage into `o`; a usage error as text.
std::string finish_mqtt(const storage& s, const storage::mqtt_given& g, mqtt_common_options& o) {
    const std::string& v = s.mqtt_version;
    if (v == "3.1" || v == "mqttv31") {
        o.version = protocol_version::v3_1;
    } else if (v == "3.1.1" || v == "mqttv311") {
        o.version = protocol_version::v3_1_1;
    } else {
        o.version = protocol_version::v5;
    }
    o.qos = static_cast<qos_level>(s.mqtt_qos);
    o.client_id = s.mqtt_client_id;
    if (given(g.username)) o.username = s.mqtt_username;
    if (given(g.password)) o.password = s.mqtt_password;
    if (o.password && !o.username && o.version != protocol_version::v5) {
        return "-P/--password needs -u/--username with MQTT 3.x";
    }
    o.keepalive_s = static_cast<uint16_t>(s.mqtt_keepalive);
    o.clean = s.mqtt_clean;
    if (given(g.session_expiry)) {
        if (o.version != protocol_version::v5) {
            return "--session-expiry needs MQTT 5 (-V 5)";
        }
        o.session_expiry_s = s.session_expiry;
    }
    o.tls.cafile = s.cafile;
    o.tls.cert = s.cert;
    o.tls.key = s.key;
    o.tls.insecure = s.insecure;
    o.tls.enabled = s.tls || !s.cafile.empty() || !s.cert.empty() || s.insecure;
    if (s.cert.empty() != s.key.empty()) return "--cert and --key go together";
    o.port = given(g.port) ? static_cast<uint16_t>(s.mqtt_port) : (o.tls.enabled ? 1885 : 1883);
    return {};
}

parse_outcome usage_error(const std::string& message) {
    parse_outcome out;
    out.exit = 2;
    out.err = "error: " + message + "\nRun with --help for more information.\n";
    return out;
}

}  // namespace

std::optional<std::pair<std::string, json>> parse_assignment(const std::string& text) {
    const auto eq = text.find('=');
    if (eq == std::string::npos || eq == 0) return std::nullopt;
    std::string key = text.substr(0, eq);
    std::string value = text.substr(eq + 1);
    json parsed = json::parse(value, nullptr, /*allow_exceptions=*/false);
    if (parsed.is_discarded()) return std::pair{std::move(key), json(value)};
    return std::pair{std::move(key), std::move(parsed)};
}

parse_outcome parse_command_line(const std::vector<std::string>& args, const parse_context& ctx) {
    storage s;
    CLI::App app{
        "robustctl: command-line client of RobustMQ (admin API and MQTT).\n"
        "Exit codes: 0 ok, 1 refused by the server, 2 usage error, 3 cannot connect,\n"
        "4 mqtt sub --timeout before --count messages."};
    app.name("robustctl");
    app.require_subcommand(1);
    s.server_opt = app.add_option(
        "--server", s.server,
        "Admin API URL (default $ROBUSTMQ_SERVER or " + std::string(default_server) + ")");
    s.user_opt = app.add_option("--user", s.user, "Admin API user (or $ROBUSTMQ_USER)");
    s.password_opt =
        app.add_option("--password", s.password, "Admin API password (or $ROBUSTMQ_PASSWORD)");
    s.token_opt = app.add_option("--token", s.token, "Bearer token from `robustctl login`");
    app.add_option("-o,--output", s.output, "table (default) or json")
        ->check(CLI::IsMember({"table", "json"}));
    s.data_dir_opt = app.add_option("--data-dir", s.data_dir,
                                    "Where to look for admin.secret (then $ROBUSTMQ_NODE_DATA_DIR, "
                                    "./data, /var/lib/robustmq)");
    define_admin_commands(app, s);
    define_mqtt_commands(app, s);
    define_bench_commands(app, s);

    std::vector<const char*> argv;
    argv.reserve(args.size());
    for (const auto& a : args) argv.push_back(a.c_str());
    try {
        app.parse(static_cast<int>(argv.size()), argv.data());
    } catch (const CLI::ParseError& e) {
        std::ostringstream out, err;
        const int code = app.exit(e, out, err);
        if (code != 0) return usage_error(e.what());
        parse_outcome o;  // --help: CLI11 wrote the help of the command asked about
        o.out = out.str();
        o.err = err.str();
        return o;
    }

    std::vector<std::string> chain;
    for (const CLI::App* a = &app;;) {
        auto subs = a->get_subcommands();
        if (subs.empty()) break;
        a = subs.front();
        chain.push_back(a->get_name());
    }
    const std::string area = chain.empty() ? "" : chain[0];
    const std::string verb = chain.size() > 1 ? chain[1] : "";

    invocation inv;
    std::string server = s.server;
    if (!given(s.server_opt)) server = ctx.env("ROBUSTMQ_SERVER").value_or(default_server);
    auto url = parse_server_url(server);
    if (!url)
        return usage_error("--server: expected http://HOST:PORT or https://HOST:PORT, got '" +
                           server + "'");
    inv.global.server = *url;
    inv.global.output = s.output == "json" ? output_format::json_text : output_format::table;
    if (given(s.token_opt)) inv.global.creds.token = s.token;
    if (given(s.user_opt)) inv.global.creds.user = s.user;
    if (given(s.password_opt)) inv.global.creds.password = s.password;
    if (given(s.data_dir_opt)) inv.global.creds.data_dir = s.data_dir;

    if (area == "mqtt") {
        if (verb == "pub") {
            mqtt_pub_options o = s.pub;
            if (auto e = finish_mqtt(s, s.pub_given, o); !e.empty()) return usage_error(e);
            if (o.stdin_lines && given(s.message_opt)) {
                return usage_error("--stdin-lines and -m/--message exclude each other");
            }
            if (o.stdin_lines && o.count != 1) {
                return usage_error("--stdin-lines and -C/--count exclude each other");
            }
            if (!o.stdin_lines && !given(s.message_opt)) {
                return usage_error("mqtt pub needs -m/--message or --stdin-lines");
            }
            inv.action = std::move(o);
        } else {
            mqtt_sub_options o = s.sub;
            if (auto e = finish_mqtt(s, s.sub_given, o); !e.empty()) return usage_error(e);
            if (given(s.timeout_opt)) o.timeout_s = s.timeout_s;
            inv.action = std::move(o);
        }
        parse_outcome out;
        out.inv = std::move(inv);
        return out;
    }

    if (area == "bench") {
        // bench mqtt|kafka <mode>: the third command in the chain.
        const CLI::App* protocol = app.get_subcommands().front()->get_subcommands().front();
        const CLI::App* cmd = protocol->get_subcommands().front();
        const std::string& name = cmd->get_name();
        if (protocol->get_name() == "kafka") {
            const auto mode =
                name == "produce" ? kafka_bench_mode::produce : kafka_bench_mode::consume;
            kafka_bench_options o;
            if (auto e = finish_kafka_bench(*cmd, s, mode, o); !e.empty()) return usage_error(e);
            inv.action = std::move(o);
            parse_outcome out;
            out.inv = std::move(inv);
            return out;
        }
        const bench_mode mode = name == "conn"  ? bench_mode::conn
                                : name == "pub" ? bench_mode::pub
                                : name == "sub" ? bench_mode::sub
                                                : bench_mode::pubsub;
        bench_options o;
        if (auto e = finish_bench(*cmd, s, mode, o); !e.empty()) return usage_error(e);
        inv.action = std::move(o);
        parse_outcome out;
        out.inv = std::move(inv);
        return out;
    }

    auto built = build_admin_call(area, verb, s, ctx);
    if (auto* e = std::get_if<std::string>(&built)) return usage_error(*e);
    inv.action = std::move(std::get<admin_call>(built));
    parse_outcome out;
    out.inv = std::move(inv);
    return out;
}

}  // namespace robust::ctl
