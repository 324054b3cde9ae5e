#include "api.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <tuple>

#include "auth/service.h"
#include "base/base64.h"
#include "base/clock.h"
#include "base/errc.h"
#include "base/logging.h"
#include "codec_util.h"
#include "config_view.h"
#include "kafka/server.h"
#include "message_browser.h"
#include "meta/meta_store.h"
#include "meta/model.h"
#include "meta/repositories.h"
#include "meta/topic_bindings.h"
#include "meta/topics.h"
#include "metrics/registry.h"
#include "mqtt/broker.h"
#include "storage/journal.h"

#ifndef ROBUSTMQ_VERSION
#define ROBUSTMQ_VERSION "0.0.0"
#endif

namespace robust::admin::detail {
namespace {

using json = out_json;
constexpr std::string_view default_tenant = auth::default_tenant;
constexpr std::string_view auth_realm = "Bearer realm=\"robustmq\"";

int64_t steady_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               steady_clock::now().time_since_epoch())
        .count();
}

bool starts_with_ci(std::string_view s, std::string_view prefix) {
    if (s.size() < prefix.size()) return false;
    for (size_t i = 0; i < prefix.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(s[i])) !=
            std::tolower(static_cast<unsigned char>(prefix[i]))) {
            return false;
        }
    }
    return true;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

reply unauthorized(std::string_view message) {
    reply r = error_reply(401, message);
    r.headers.emplace_back("WWW-Authenticate", std::string(auth_realm));
    return r;
}

reply too_many(int64_t retry_after_s) {
    reply r = error_reply(429, "too many failed authentications from this address; retry in " +
                                   std::to_string(retry_after_s) + " s");
    r.headers.emplace_back("Retry-After", std::to_string(retry_after_s));
    return r;
}

reply forbidden() {
    return error_reply(403, "only superusers of tenant \"default\" may use the admin API");
}

reply mqtt_unavailable() {
    return error_reply(503, "the MQTT broker is not running on this node");
}

reply kafka_unavailable() {
    return error_reply(503, "the Kafka server is not running on this node");
}

/// The tenant of a single-item route: ?tenant=, default "default".
std::string item_tenant(const request& r) {
    std::string t = r.query_value("tenant");
    return t.empty() ? std::string(default_tenant) : t;
}

std::optional<int64_t> parse_int(std::string_view s) {
    int64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
    return v;
}

// ---- JSON views ---------------------------------------------------------

json to_json(const auth::tenant_info& t) {
    return {{"name", t.name}, {"description", t.description}, {"created_ms", t.created_ms}};
}

json to_json(const auth::user_info& u) {
    return {{"tenant", u.tenant},
            {"username", u.username},
            {"superuser", u.superuser},
            {"created_ms", u.created_ms}};
}

json to_json(const auth::acl_rule& a) {
    return {{"tenant", a.tenant},
            {"name", a.name},
            {"priority", a.priority},
            {"resource_type", auth::to_string(a.resource_type)},
            {"resource_name", a.resource_name},
            {"topic", a.topic},
            {"ip", a.ip},
            {"action", auth::to_string(a.action)},
            {"permission", auth::to_string(a.permission)},
            {"created_ms", a.created_ms}};
}

json to_json(const auth::blacklist_entry& b) {
    return {{"type", auth::to_string(b.type)},
            {"value", b.value},
            {"expires_ms", b.expires_ms},
            {"reason", b.reason},
            {"created_ms", b.created_ms}};
}

json to_json(const meta::topic_record& t) {
    return {{"tenant", t.tenant},
            {"name", t.name},
            {"partitions", t.partitions},
            {"storage", t.storage},
            {"durability", t.durability},
            {"retention_ms", t.retention_ms},
            {"retention_bytes", t.retention_bytes},
            {"created_ms", t.created_ms},
            {"mqtt", t.mqtt}};
}

json to_json(const meta::topic_binding_record& b) {
    return {{"tenant", b.tenant},
            {"mqtt_filter", b.mqtt_filter},
            {"kafka_topic", b.kafka_topic},
            {"created_ms", b.created_ms}};
}

json to_json(const mqtt::retained_info& m) {
    const bool text = valid_utf8(m.payload);
    return {{"tenant", m.tenant},
            {"topic", m.topic},
            {"payload", text ? m.payload : base64::encode(m.payload)},
            {"payload_encoding", text ? "text" : "base64"},
            {"qos", m.qos},
            {"stored_ms", m.stored_ms},
            {"message_expiry_s", m.message_expiry_s}};
}

json to_json(const mqtt::session_info& s) {
    return {{"tenant", s.tenant},
            {"client_id", s.client_id},
            {"connected", s.connected},
            {"persistent", s.persistent},
            {"protocol_version", s.protocol_version},
            {"expiry_interval_s", s.expiry_interval_s},
            {"created_ms", s.created_ms},
            {"disconnected_at_ms", s.disconnected_at_ms},
            {"subscriptions", s.subscriptions},
            {"inflight", s.inflight},
            {"queued", s.queued}};
}

json to_json(const mqtt::client_info& c) {
    return {{"tenant", c.tenant},
            {"client_id", c.client_id},
            {"username", c.username},
            {"peer", c.peer},
            {"listener", c.listener},
            {"protocol_version", c.protocol_version},
            {"keep_alive_s", c.keep_alive_s},
            {"clean_start", c.clean_start},
            {"connected_at_ms", c.connected_at_ms},
            {"subscriptions", c.subscriptions},
            {"inflight", c.inflight},
            {"queued", c.queued}};
}

json to_json(const mqtt::subscription_info& s) {
    return {{"tenant", s.tenant},
            {"client_id", s.client_id},
            {"filter", s.filter},
            {"qos", s.qos},
            {"no_local", s.no_local},
            {"retain_as_published", s.retain_as_published},
            {"retain_handling", s.retain_handling},
            {"subscription_id", s.subscription_id}};
}

json to_json(const kafka::group_summary& g) {
    return {{"tenant", g.tenant},
            {"group", g.group_id},
            {"state", g.state},
            {"protocol_type", g.protocol_type},
            {"protocol", g.protocol},
            {"members", g.members},
            {"lag", g.lag}};
}

json optional_json(const std::optional<int64_t>& v) {
    return v ? json(*v) : json(nullptr);
}

json to_json(const kafka::group_detail& d) {
    json j = to_json(d.summary);
    j["generation"] = d.generation;
    json members = json::array();
    for (const auto& m : d.members) {
        json assignment = json::array();
        for (const auto& t : m.assignment) {
            assignment.push_back({{"topic", t.topic}, {"partitions", t.partitions}});
        }
        members.push_back({{"member_id", m.member_id},
                           {"group_instance_id",
                            m.group_instance_id ? json(*m.group_instance_id) : json(nullptr)},
                           {"client_id", m.client_id},
                           {"client_host", m.client_host},
                           {"assignment", std::move(assignment)}});
    }
    j["members"] = std::move(members);
    json offsets = json::array();
    for (const auto& o : d.offsets) {
        offsets.push_back({{"topic", o.topic},
                           {"partition", o.partition},
                           {"committed_offset", optional_json(o.committed_offset)},
                           {"log_start_offset", o.log_start_offset},
                           {"log_end_offset", o.log_end_offset},
                           {"lag", optional_json(o.lag)},
                           {"member_id", o.member_id},
                           {"metadata", o.metadata}});
    }
    j["offsets"] = std::move(offsets);
    return j;
}

/// A refused Kafka group call as an error reply: its status from the code,
/// its message as the server worded it.
reply group_failure_reply(const kafka::group_failure& f, std::string_view field = {}) {
    const int status = http_status_for(f.code);
    return error_reply(status, f.message, status == 400 ? field : std::string_view());
}

json to_json(const history_point& p) {
    return {{"time_ms", p.time_ms},
            {"connections", p.connections},
            {"sessions", p.sessions},
            {"messages_in_rate", p.messages_in_rate},
            {"messages_out_rate", p.messages_out_rate},
            {"bytes_in_rate", p.bytes_in_rate},
            {"bytes_out_rate", p.bytes_out_rate},
            {"messages_dropped_rate", p.messages_dropped_rate}};
}

/// Every topic record of `tenant` (empty: all tenants), in key order.
result<std::vector<meta::topic_record>> all_topics(meta::meta_store& store,
                                                   std::string_view tenant) {
    meta::topic_repo repo(store);
    std::vector<meta::topic_record> out;
    std::string cursor;
    for (;;) {
        auto p = tenant.empty() ? repo.list_all(1000, cursor)
                                : repo.list_by_tenant(tenant, 1000, cursor);
        if (!p.has_value()) return p.error();
        for (auto& t : p->items) out.push_back(std::move(t));
        if (p->next_cursor.empty()) break;
        cursor = std::move(p->next_cursor);
    }
    return out;
}

/// A topic name as the kernel accepts it: MQTT topic-name rules (non-empty,
/// UTF-8, no NUL, no wildcards, at most 65535 bytes).
std::string topic_name_problem(std::string_view name) {
    if (name.empty()) return "must not be empty";
    if (name.size() > 65535) return "must be at most 65535 bytes";
    if (!valid_utf8(name)) return "must be valid UTF-8";
    if (name.find('\0') != std::string_view::npos) return "must not contain NUL";
    if (name.find_first_of("+#") != std::string_view::npos) {
        return "must not contain the wildcards '+' or '#'";
    }
    return {};
}

/// Runs a list route's body with its parsed `?page&limit&name&tenant`, or
/// answers 400 naming the bad parameter.
template <class Body>
reply with_list_query(const request& r, Body&& body) {
    auto q = parse_list_query(r);
    if (auto* e = std::get_if<reply>(&q)) return std::move(*e);
    return body(std::get<list_query>(q));
}

/// 200 with the item, or 404 with `missing` when there is none.
template <class T>
reply item_or_404(const std::optional<T>& item, const std::string& missing) {
    if (!item) return error_reply(404, missing);
    return json_reply(200, to_json(*item));
}

/// 204 after an action on one item (logged as `done`), or 404 with `missing`.
reply done_or_404(bool done, const std::string& missing, std::string_view log_line) {
    if (!done) return error_reply(404, missing);
    if (!log_line.empty()) spdlog::info("http: {}", log_line);
    return no_content();
}

/// One page of the items whose name (name_of) matches `name=`.
template <class T, class NameOf>
reply page_of(const list_query& query, std::vector<T> all, NameOf&& name_of) {
    std::vector<T> items;
    for (auto& x : all) {
        if (name_matches(query, name_of(x))) items.push_back(std::move(x));
    }
    return json_reply(200, paginate(items, query, [](const T& x) { return to_json(x); }));
}

}  // namespace

api::api(const context& ctx, login_limiter& limiter, const history& hist, int64_t interval_s)
    : ctx_(ctx), limiter_(limiter), history_(hist), interval_s_(interval_s) {}

void api::set_listen_address(std::string address, uint16_t port) {
    std::lock_guard lock(address_mu_);
    address_ = std::move(address);
    port_ = port;
}

counters_sample api::sample() const {
    counters_sample s;
    if (!ctx_.mqtt) return s;
    const auto st = ctx_.mqtt->stats();
    s.connections = st.clients_connected;
    s.sessions = st.sessions;
    s.messages_in = st.messages_received;
    s.messages_out = st.messages_sent;
    s.bytes_in = st.bytes_received;
    s.bytes_out = st.bytes_sent;
    s.messages_dropped = st.messages_dropped;
    return s;
}

// ---- pipeline ---------------------------------------------------------------

reply api::handle(request& req, std::string& who) {
    who.clear();
    try {
        auto m = match_route(req.method, req.path);
        if (!m.matched) {
            if (m.allowed.empty()) return error_reply(404, "no such route: " + req.path);
            std::string allow;
            for (auto a : m.allowed) {
                if (!allow.empty()) allow += ", ";
                allow += a;
            }
            reply r = error_reply(405, req.method + " is not allowed here; allowed: " + allow);
            r.headers.emplace_back("Allow", allow);
            return r;
        }
        req.params = std::move(m.params);
        const auto& http = ctx_.config.http;
        bool needs_admin = false;
        switch (m.matched->access) {
            case route_access::login:
                break;
            case route_access::health:
                needs_admin = !http.public_health;
                break;
            case route_access::metrics:
                needs_admin = !http.public_metrics;
                break;
            case route_access::admin:
                needs_admin = true;
                break;
        }
        if (needs_admin) {
            auto a = authenticate(req);
            if (auto* r = std::get_if<reply>(&a)) return std::move(*r);
            who = std::get<std::string>(std::move(a));
        }
        return dispatch(m.matched->id, req);
    } catch (const std::exception& e) {
        spdlog::error("http {} {}: unexpected error: {}", loggable(req.method), loggable(req.path),
                      e.what());
    } catch (...) {
        spdlog::error("http {} {}: unexpected error", loggable(req.method), loggable(req.path));
    }
    return error_reply(500, "internal error (logged on the server)");
}

std::variant<std::string, reply> api::authenticate(const request& r) {
    const std::string_view h = trim(r.authorization);
    if (starts_with_ci(h, "Bearer ")) {
        const auto token = trim(h.substr(7));
        auto subject = ctx_.auth.verify_token(token);
        if (!subject) return unauthorized("invalid or expired token; log in again");
        if (subject->tenant != default_tenant) return forbidden();
        auto user = ctx_.auth.get_user(subject->tenant, subject->username);
        if (!user.ok()) return unauthorized("invalid or expired token; log in again");
        if (!user->superuser) return forbidden();
        return subject->username;
    }
    if (starts_with_ci(h, "Basic ")) {
        if (auto wait = limiter_.retry_after(r.remote_addr, steady_ms())) return too_many(*wait);
        auto decoded = base64::decode(trim(h.substr(6)));
        const size_t colon = decoded ? decoded->find(':') : std::string::npos;
        if (colon == std::string::npos) {
            limiter_.record_failure(r.remote_addr, steady_ms());
            return unauthorized("malformed Basic credentials");
        }
        const std::string_view all(*decoded);
        return check_credentials(r, all.substr(0, colon), all.substr(colon + 1));
    }
    return unauthorized("authentication required: Authorization: Bearer <token> or Basic");
}

std::variant<std::string, reply> api::check_credentials(const request& r, std::string_view user,
                                                        std::string_view password) {
    auto [tenant, name] = auth::split_tenant(user, default_tenant);
    auto info = ctx_.auth.check_password(tenant, name, password);
    if (!info) {
        limiter_.record_failure(r.remote_addr, steady_ms());
        spdlog::info("http: failed authentication of '{}' from {}", loggable(user, 64),
                     r.remote_addr);
        return unauthorized("wrong user name or password");
    }
    if (info->tenant != default_tenant || !info->superuser) return forbidden();
    return info->username;
}

reply api::dispatch(route_id id, const request& r) {
    switch (id) {
        case route_id::login:
            return login(r);
        case route_id::health_live:
            return health_live(r);
        case route_id::health_ready:
            return health_ready(r);
        case route_id::metrics:
            return metrics(r);
        case route_id::cluster:
            return cluster(r);
        case route_id::overview:
            return overview(r);
        case route_id::overview_history:
            return overview_history(r);
        case route_id::config_get:
            return config_get(r);
        case route_id::config_patch:
            return config_patch(r);
        case route_id::tenants_list:
            return tenants_list(r);
        case route_id::tenants_create:
            return tenants_create(r);
        case route_id::tenants_delete:
            return tenants_delete(r);
        case route_id::users_list:
            return users_list(r);
        case route_id::users_create:
            return users_create(r);
        case route_id::users_get:
            return users_get(r);
        case route_id::users_patch:
            return users_patch(r);
        case route_id::users_delete:
            return users_delete(r);
        case route_id::acls_list:
            return acls_list(r);
        case route_id::acls_create:
            return acls_create(r);
        case route_id::acls_check:
            return acls_check(r);
        case route_id::acls_delete:
            return acls_delete(r);
        case route_id::blacklist_list:
            return blacklist_list(r);
        case route_id::blacklist_create:
            return blacklist_create(r);
        case route_id::blacklist_delete:
            return blacklist_delete(r);
        case route_id::topics_list:
            return topics_list(r);
        case route_id::topics_create:
            return topics_create(r);
        case route_id::topics_get:
            return topics_get(r);
        case route_id::topics_delete:
            return topics_delete(r);
        case route_id::retained_list:
            return retained_list(r);
        case route_id::retained_get:
            return retained_get(r);
        case route_id::retained_delete:
            return retained_delete(r);
        case route_id::sessions_list:
            return sessions_list(r);
        case route_id::sessions_get:
            return sessions_get(r);
        case route_id::sessions_delete:
            return sessions_delete(r);
        case route_id::clients_list:
            return clients_list(r);
        case route_id::clients_get:
            return clients_get(r);
        case route_id::clients_delete:
            return clients_delete(r);
        case route_id::subscriptions_list:
            return subscriptions_list(r);
        case route_id::messages:
            return messages(r);
        case route_id::publish:
            return publish(r);
        case route_id::bindings_list:
            return bindings_list(r);
        case route_id::bindings_create:
            return bindings_create(r);
        case route_id::bindings_delete:
            return bindings_delete(r);
        case route_id::kafka_groups_list:
            return kafka_groups_list(r);
        case route_id::kafka_groups_get:
            return kafka_groups_get(r);
        case route_id::kafka_groups_delete:
            return kafka_groups_delete(r);
        case route_id::kafka_groups_reset_offsets:
            return kafka_groups_reset_offsets(r);
    }
    return error_reply(500, "route without a handler");
}

// ---- login, health, metrics ---------------------------------------------------

reply api::login(const request& r) {
    if (auto wait = limiter_.retry_after(r.remote_addr, steady_ms())) return too_many(*wait);
    auto parsed = body_fields::parse(r.body, {"username", "password"});
    if (auto* e = std::get_if<reply>(&parsed)) return std::move(*e);
    auto& f = std::get<body_fields>(parsed);
    const std::string username = f.required_string("username");
    const std::string password = f.required_string("password");
    if (f.failed()) return f.error();
    auto who = check_credentials(r, username, password);
    if (auto* e = std::get_if<reply>(&who)) return std::move(*e);
    auth::user_info u;
    u.tenant = std::string(default_tenant);
    u.username = std::get<std::string>(who);
    u.superuser = true;
    const auto ttl = static_cast<int64_t>(ctx_.config.http.token_ttl_s);
    std::string token = ctx_.auth.issue_token(u, ttl);
    auto subject = ctx_.auth.verify_token(token);
    const int64_t expires = subject ? subject->expires_ms : now_unix_ms() + ttl * 1000;
    spdlog::info("http: {} logged in from {}", loggable(u.username), r.remote_addr);
    return json_reply(
        200, {{"token", std::move(token)}, {"expires_at_ms", expires}, {"username", u.username}});
}

reply api::health_live(const request&) {
    return json_reply(200, {{"status", "ok"}});
}

reply api::health_ready(const request&) {
    const bool ready = !ctx_.ready || ctx_.ready();
    return ready ? json_reply(200, {{"status", "ready"}})
                 : json_reply(503, {{"status", "starting"}});
}

reply api::metrics(const request&) {
    reply out;
    out.body = ctx_.metrics.scrape();
    out.content_type = "text/plain; version=0.0.4; charset=utf-8";
    return out;
}

// ---- cluster, overview ----------------------------------------------------------

reply api::cluster(const request&) {
    std::string address;
    uint16_t port = 0;
    {
        std::lock_guard lock(address_mu_);
        address = address_;
        port = port_;
    }
    const int64_t now = now_unix_ms();
    json node = {{"id", ctx_.node_id},
                 {"address", address + ":" + std::to_string(port)},
                 {"roles", json::array({"meta", "broker", "journal"})},
                 {"version", ROBUSTMQ_VERSION},
                 {"start_time_ms", ctx_.start_time_ms},
                 {"uptime_s", std::max<int64_t>(0, (now - ctx_.start_time_ms) / 1000)},
                 {"status", "running"}};
    return json_reply(200, {{"cluster", "robustmq"}, {"nodes", json::array({std::move(node)})}});
}

reply api::overview(const request&) {
    mqtt::broker_stats st;
    std::vector<mqtt::listener_info> listeners;
    if (ctx_.mqtt) {
        st = ctx_.mqtt->stats();
        listeners = ctx_.mqtt->listeners();
    }
    auto topics = all_topics(ctx_.meta, {});
    if (!topics.has_value()) return code_reply(topics.error(), "cannot list topics");
    auto users = ctx_.auth.list_users({}, {});
    if (!users.ok()) return failure_reply(users.error());
    auto rules = ctx_.auth.list_acl({});  // every tenant's
    if (!rules.ok()) return failure_reply(rules.error());
    auto bans = ctx_.auth.list_blacklist();
    if (!bans.ok()) return failure_reply(bans.error());

    const auto last = history_.latest();
    const int64_t now = now_unix_ms();
    json ls = json::array();
    for (const auto& l : listeners) {
        ls.push_back({{"name", l.name}, {"address", l.address}, {"port", l.port}});
    }
    {
        std::lock_guard lock(address_mu_);
        ls.push_back({{"name", "http"}, {"address", address_}, {"port", port_}});
    }
    json body = {
        {"node_id", ctx_.node_id},
        {"version", ROBUSTMQ_VERSION},
        {"uptime_s", std::max<int64_t>(0, (now - ctx_.start_time_ms) / 1000)},
        {"connections", st.clients_connected},
        {"sessions", st.sessions},
        {"subscriptions", st.subscriptions},
        {"topics", topics->size()},
        {"retained", st.retained},
        {"users", users->size()},
        {"acl_rules", rules->size()},
        {"blacklist", bans->size()},
        {"rates",
         {{"messages_in", last ? last->messages_in_rate : 0.0},
          {"messages_out", last ? last->messages_out_rate : 0.0},
          {"bytes_in", last ? last->bytes_in_rate : 0.0},
          {"bytes_out", last ? last->bytes_out_rate : 0.0}}},
        {"totals",
         {{"messages_in", st.messages_received},
          {"messages_out", st.messages_sent},
          {"bytes_in", st.bytes_received},
          {"bytes_out", st.bytes_sent},
          {"messages_dropped", st.messages_dropped}}},
        {"listeners", std::move(ls)},
    };
    return json_reply(200, body);
}

reply api::overview_history(const request& r) {
    int64_t minutes = 60;
    if (r.has_query("minutes")) {
        auto v = parse_int(r.query_value("minutes"));
        if (!v || *v < 1 || *v > 1440) {
            return error_reply(400, "minutes must be an integer from 1 to 1440", "minutes");
        }
        minutes = *v;
    }
    json points = json::array();
    for (const auto& p : history_.since(now_unix_ms() - minutes * 60'000)) {
        points.push_back(to_json(p));
    }
    return json_reply(200, {{"interval_s", interval_s_}, {"points", std::move(points)}});
}

// ---- config ------------------------------------------------------------------------

config::server_config api::current_config() const {
    config::server_config c = ctx_.config;
    c.log.level = parse_log_level(logging::level()).value_or(config::log_level::off);
    const auto policy = ctx_.auth.policy();
    c.auth.anonymous = policy.anonymous;
    c.auth.acl_default = policy.acl_default;
    return c;
}

reply api::config_get(const request&) {
    return json_reply(200, {{"config", config_json(current_config())},
                            {"runtime_changeable", runtime_changeable_keys()}});
}

reply api::config_patch(const request& r) {
    auto parsed = body_fields::parse_any(r.body);
    if (auto* e = std::get_if<reply>(&parsed)) return std::move(*e);
    const auto& patch = std::get<body_fields>(parsed).object();
    std::lock_guard lock(patch_mu_);
    config::server_config c = current_config();
    const config::server_config before = c;
    if (auto problem = apply_patch(c, patch)) {
        return error_reply(400, problem->field + ": " + problem->message, problem->field);
    }
    if (c.log.level != before.log.level) {
        ignore_result(logging::set_level(config::to_string(c.log.level)));  // a valid name
        spdlog::warn("http: log.level changed to {}", config::to_string(c.log.level));
    }
    if (c.auth.anonymous != before.auth.anonymous) {
        ctx_.auth.set_anonymous(c.auth.anonymous);
        spdlog::warn("http: auth.anonymous changed to {}", config::to_string(c.auth.anonymous));
    }
    if (c.auth.acl_default != before.auth.acl_default) {
        ctx_.auth.set_acl_default(c.auth.acl_default);
        spdlog::warn("http: auth.acl_default changed to {}", config::to_string(c.auth.acl_default));
    }
    return json_reply(200, {{"config", config_json(current_config())},
                            {"runtime_changeable", runtime_changeable_keys()}});
}

// ---- tenants -------------------------------------------------------------------------

bool api::tenant_exists(std::string_view tenant) const {
    auto tenants = ctx_.auth.list_tenants();
    if (!tenants.ok()) return false;
    return std::any_of(tenants->begin(), tenants->end(),
                       [&](const auth::tenant_info& t) { return t.name == tenant; });
}

reply api::tenants_list(const request& r) {
    return with_list_query(r, [&](const list_query& query) {
        auto tenants = ctx_.auth.list_tenants();
        if (!tenants.ok()) return failure_reply(tenants.error());
        return page_of(query, std::move(*tenants), [](const auto& t) { return t.name; });
    });
}

reply api::tenants_create(const request& r) {
    auto parsed = body_fields::parse(r.body, {"name", "description"});
    if (auto* e = std::get_if<reply>(&parsed)) return std::move(*e);
    auto& f = std::get<body_fields>(parsed);
    std::string name = f.required_string("name");
    std::string description = f.string("description").value_or("");
    if (f.failed()) return f.error();
    auto t = ctx_.auth.create_tenant(std::move(name), std::move(description));
    if (!t.ok()) return failure_reply(t.error());
    return json_reply(201, to_json(*t));
}

reply api::tenants_delete(const request& r) {
    auto d = ctx_.auth.delete_tenant(r.params.at(0));
    if (!d.ok()) return failure_reply(d.error());
    return no_content();
}

// ---- users ---------------------------------------------------------------------------

reply api::users_list(const request& r) {
    auto q = parse_list_query(r);
    if (auto* e = std::get_if<reply>(&q)) return std::move(*e);
    const auto& query = std::get<list_query>(q);
    auto users = ctx_.auth.list_users(query.tenant, query.name);
    if (!users.ok()) return failure_reply(users.error());
    return json_reply(200, paginate(*users, query, [](const auto& u) { return to_json(u); }));
}

reply api::users_create(const request& r) {
    auto parsed = body_fields::parse(r.body, {"tenant", "username", "password", "superuser"});
    if (auto* e = std::get_if<reply>(&parsed)) return std::move(*e);
    auto& f = std::get<body_fields>(parsed);
    std::string tenant = f.string("tenant").value_or(std::string(default_tenant));
    std::string username = f.required_string("username");
    const std::string password = f.required_string("password");
    const bool superuser = f.boolean("superuser").value_or(false);
    if (f.failed()) return f.error();
    auto u = ctx_.auth.create_user(std::move(tenant), std::move(username), password, superuser);
    if (!u.ok()) return failure_reply(u.error());
    spdlog::info("http: user {}@{} created (superuser: {})", loggable(u->username),
                 loggable(u->tenant), u->superuser);
    return json_reply(201, to_json(*u));
}

reply api::users_get(const request& r) {
    auto u = ctx_.auth.get_user(item_tenant(r), r.params.at(0));
    if (!u.ok()) return failure_reply(u.error());
    return json_reply(200, to_json(*u));
}

reply api::users_patch(const request& r) {
    auto parsed = body_fields::parse(r.body, {"password", "superuser"});
    if (auto* e = std::get_if<reply>(&parsed)) return std::move(*e);
    auto& f = std::get<body_fields>(parsed);
    const auto password = f.string("password");
    const auto superuser = f.boolean("superuser");
    if (f.failed()) return f.error();
    std::optional<std::string_view> pw;
    if (password) pw = *password;
    auto u = ctx_.auth.update_user(item_tenant(r), r.params.at(0), pw, superuser);
    if (!u.ok()) return failure_reply(u.error());
    return json_reply(200, to_json(*u));
}

reply api::users_delete(const request& r) {
    auto d = ctx_.auth.delete_user(item_tenant(r), r.params.at(0));
    if (!d.ok()) return failure_reply(d.error());
    return no_content();
}

// ---- ACL -------------------------------------------------------------------------------

reply api::acls_list(const request& r) {
    auto q = parse_list_query(r);
    if (auto* e = std::get_if<reply>(&q)) return std::move(*e);
    const auto& query = std::get<list_query>(q);
    auto rules = ctx_.auth.list_acl(query.tenant);  // empty: every tenant
    if (!rules.ok()) return failure_reply(rules.error());
    std::vector<auth::acl_rule> items;
    for (auto& rule : *rules) {
        if (name_matches(query, rule.name)) items.push_back(std::move(rule));
    }
    std::stable_sort(items.begin(), items.end(), [](const auto& a, const auto& b) {
        return std::tie(a.priority, a.name, a.tenant) < std::tie(b.priority, b.name, b.tenant);
    });
    return json_reply(200, paginate(items, query, [](const auto& a) { return to_json(a); }));
}

reply api::acls_create(const request& r) {
    auto parsed =
        body_fields::parse(r.body, {"tenant", "name", "priority", "resource_type", "resource_name",
                                    "topic", "ip", "action", "permission"});
    if (auto* e = std::get_if<reply>(&parsed)) return std::move(*e);
    auto& f = std::get<body_fields>(parsed);
    auth::acl_rule rule;
    rule.tenant = f.string("tenant").value_or(std::string(default_tenant));
    rule.name = f.required_string("name");
    rule.priority =
        static_cast<int32_t>(f.integer("priority", INT32_MIN, INT32_MAX).value_or(rule.priority));
    if (auto v = f.string("resource_type")) {
        auto p = auth::parse_acl_resource(*v);
        if (!p) f.fail("resource_type", "must be one of all, client_id, username");
        if (p) rule.resource_type = *p;
    }
    rule.resource_name = f.string("resource_name").value_or("");
    rule.topic = f.string("topic").value_or("#");
    rule.ip = f.string("ip").value_or("");
    if (auto v = f.string("action")) {
        auto p = auth::parse_acl_action(*v);
        if (!p) f.fail("action", "must be one of all, publish, subscribe, retain");
        if (p) rule.action = *p;
    }
    if (auto v = f.string("permission")) {
        auto p = auth::parse_acl_permission(*v);
        if (!p) f.fail("permission", "must be allow or deny");
        if (p) rule.permission = *p;
    }
    if (f.failed()) return f.error();
    auto created = ctx_.auth.create_acl(std::move(rule));
    if (!created.ok()) return failure_reply(created.error());
    return json_reply(201, to_json(*created));
}

reply api::acls_check(const request& r) {
    auto parsed = body_fields::parse(
        r.body, {"tenant", "username", "client_id", "ip", "action", "topic", "retain"});
    if (auto* e = std::get_if<reply>(&parsed)) return std::move(*e);
    auto& f = std::get<body_fields>(parsed);
    auth::identity who;
    who.tenant = f.string("tenant").value_or(std::string(default_tenant));
    who.username = f.string("username").value_or("");
    who.client_id = f.required_string("client_id");
    who.peer_ip = f.string("ip").value_or("127.0.0.1");
    const std::string action = f.required_string("action");
    const std::string topic = f.required_string("topic");
    const bool retain = f.boolean("retain").value_or(false);
    if (f.failed()) return f.error();
    auth::access a = auth::access::publish;
    if (action == "subscribe") {
        a = auth::access::subscribe;
    } else if (action != "publish") {
        return error_reply(400, "action must be publish or subscribe", "action");
    }
    if (topic.empty()) return error_reply(400, "topic must not be empty", "topic");
    who.anonymous = who.username.empty();
    if (!who.anonymous) {
        // A user name that does not exist (yet) is checked as an ordinary user:
        // rules by user name apply to it all the same.
        auto u = ctx_.auth.get_user(who.tenant, who.username);
        if (u.ok()) {
            who.superuser = u->superuser;
        } else if (u.error().code != make_error_code(errc::not_found)) {
            return failure_reply(u.error());
        }
    }
    const bool allowed = ctx_.auth.authorize(who, a, topic, retain);
    return json_reply(200, {{"allowed", allowed}, {"superuser", who.superuser}});
}

reply api::acls_delete(const request& r) {
    auto d = ctx_.auth.delete_acl(item_tenant(r), r.params.at(0));
    if (!d.ok()) return failure_reply(d.error());
    return no_content();
}

// ---- blacklist ----------------------------------------------------------------------------

reply api::blacklist_list(const request& r) {
    return with_list_query(r, [&](const list_query& query) {
        auto bans = ctx_.auth.list_blacklist();
        if (!bans.ok()) return failure_reply(bans.error());
        return page_of(query, std::move(*bans), [](const auto& b) { return b.value; });
    });
}

reply api::blacklist_create(const request& r) {
    auto parsed = body_fields::parse(r.body, {"type", "value", "expires_ms", "reason"});
    if (auto* e = std::get_if<reply>(&parsed)) return std::move(*e);
    auto& f = std::get<body_fields>(parsed);
    auth::blacklist_entry entry;
    const std::string type = f.required_string("type");
    entry.value = f.required_string("value");
    entry.expires_ms = f.integer("expires_ms", 0, INT64_MAX).value_or(0);
    entry.reason = f.string("reason").value_or("");
    if (f.failed()) return f.error();
    auto t = auth::parse_blacklist_type(type);
    if (!t) {
        return error_reply(
            400,
            "type must be one of client_id, username, ip, client_id_regex, username_regex, "
            "cidr",
            "type");
    }
    entry.type = *t;
    auto created = ctx_.auth.create_blacklist(std::move(entry));
    if (!created.ok()) return failure_reply(created.error());
    return json_reply(201, to_json(*created));
}

reply api::blacklist_delete(const request& r) {
    auto t = auth::parse_blacklist_type(r.params.at(0));
    if (!t) {
        return error_reply(
            400,
            "type must be one of client_id, username, ip, client_id_regex, username_regex, "
            "cidr",
            "type");
    }
    auto d = ctx_.auth.delete_blacklist(*t, r.params.at(1));
    if (!d.ok()) return failure_reply(d.error());
    return no_content();
}

// ---- topics ---------------------------------------------------------------------------------

reply api::topics_list(const request& r) {
    auto q = parse_list_query(r);
    if (auto* e = std::get_if<reply>(&q)) return std::move(*e);
    const auto& query = std::get<list_query>(q);
    auto topics = all_topics(ctx_.meta, query.tenant);
    if (!topics.has_value()) return code_reply(topics.error(), "cannot list topics");
    std::vector<meta::topic_record> items;
    for (auto& t : *topics) {
        if (name_matches(query, t.name)) items.push_back(std::move(t));
    }
    mqtt::broker* broker = ctx_.mqtt;
    return json_reply(200, paginate(items, query, [broker](const meta::topic_record& t) {
                          json j = to_json(t);
                          j["retained"] =
                              broker && broker->retained_message(t.tenant, t.name).has_value();
                          return j;
                      }));
}

reply api::topics_create(const request& r) {
    auto parsed = body_fields::parse(r.body, {"tenant", "name", "partitions", "storage",
                                              "durability", "retention_ms", "retention_bytes"});
    if (auto* e = std::get_if<reply>(&parsed)) return std::move(*e);
    auto& f = std::get<body_fields>(parsed);
    meta::topic_record t;
    t.tenant = f.string("tenant").value_or(std::string(default_tenant));
    t.name = f.required_string("name");
    t.partitions = static_cast<uint32_t>(f.integer("partitions", 1, 1024).value_or(1));
    t.storage = f.string("storage").value_or("rocksdb");
    t.durability = f.string("durability").value_or("wal");
    t.retention_ms = f.integer("retention_ms", 0, INT64_MAX).value_or(0);
    t.retention_bytes = f.integer("retention_bytes", 0, INT64_MAX).value_or(0);
    if (f.failed()) return f.error();
    if (auto problem = topic_name_problem(t.name); !problem.empty()) {
        return error_reply(400, "name " + problem, "name");
    }
    if (t.storage != "rocksdb" && t.storage != "memory") {
        return error_reply(400, "storage must be rocksdb or memory", "storage");
    }
    if (t.durability != "none" && t.durability != "wal" && t.durability != "fsync") {
        return error_reply(400, "durability must be none, wal or fsync", "durability");
    }
    if (!tenant_exists(t.tenant)) {
        return error_reply(400, "tenant '" + t.tenant + "' does not exist", "tenant");
    }
    t.created_ms = now_unix_ms();
    if (auto s = meta::create_topic(ctx_.meta, ctx_.journal, t); !s.has_value()) {
        if (s.error() == make_error_code(errc::already_exists)) {
            return error_reply(409, "topic '" + t.name + "' already exists in tenant " + t.tenant);
        }
        spdlog::error("http: creating topic {}/{} failed: {}", loggable(t.tenant), loggable(t.name),
                      s.error().message());
        return code_reply(s.error(), "cannot create the topic");
    }
    spdlog::info("http: topic {}/{} created with {} partition(s)", loggable(t.tenant),
                 loggable(t.name), t.partitions);
    json j = to_json(t);
    j["retained"] = false;
    return json_reply(201, j);
}

reply api::topics_get(const request& r) {
    meta::topic_repo repo(ctx_.meta);
    const std::string tenant = item_tenant(r);
    const std::string& name = r.params.at(0);
    auto t = repo.get(tenant, name);
    if (!t.has_value()) return code_reply(t.error(), "cannot read the topic");
    if (!*t) return error_reply(404, "no topic '" + name + "' in tenant " + tenant);
    json j = to_json(**t);
    j["retained"] = ctx_.mqtt && ctx_.mqtt->retained_message(tenant, name).has_value();
    json shards = json::array();
    for (uint32_t p = 0; p < (*t)->partitions; ++p) {
        json s = {{"partition", p},
                  {"shard", nullptr},
                  {"earliest_offset", 0},
                  {"next_offset", 0},
                  {"records", 0}};
        auto id = ctx_.journal.find_shard(meta::topic_shard_name(tenant, name, p));
        if (id.has_value()) {
            auto info = ctx_.journal.describe_shard(*id);
            if (info.has_value()) {
                s["shard"] = info->id.value();
                s["earliest_offset"] = info->earliest;
                s["next_offset"] = info->next_offset;
                s["records"] = info->next_offset - info->earliest;
            }
        }
        shards.push_back(std::move(s));
    }
    j["shards"] = std::move(shards);
    return json_reply(200, j);
}

reply api::topics_delete(const request& r) {
    meta::topic_repo repo(ctx_.meta);
    const std::string tenant = item_tenant(r);
    const std::string& name = r.params.at(0);
    auto t = repo.get(tenant, name);
    if (!t.has_value()) return code_reply(t.error(), "cannot read the topic");
    if (!*t) return error_reply(404, "no topic '" + name + "' in tenant " + tenant);
    // Shards first: if anything fails, the record is still there and a
    // repeated DELETE finishes the job (absent shards are skipped).
    if (auto s = meta::delete_topic(ctx_.meta, ctx_.journal, tenant, name); !s.has_value()) {
        return code_reply(s.error(), "cannot delete the topic");
    }
    spdlog::info("http: topic {}/{} deleted", loggable(tenant), loggable(name));
    return no_content();
}

// ---- topic bindings --------------------------------------------------------------------------

reply api::bindings_list(const request& r) {
    return with_list_query(r, [&](const list_query& query) {
        auto all = meta::list_bindings(ctx_.meta, query.tenant);
        if (!all) return code_reply(all.error(), "cannot read the topic bindings");
        return page_of(query, std::move(*all), [](const auto& b) { return b.mqtt_filter; });
    });
}

reply api::bindings_create(const request& r) {
    if (!ctx_.kafka) return kafka_unavailable();
    auto parsed =
        body_fields::parse(r.body, {"tenant", "mqtt_filter", "kafka_topic", "partitions"});
    if (auto* e = std::get_if<reply>(&parsed)) return std::move(*e);
    auto& f = std::get<body_fields>(parsed);
    meta::topic_binding_record b;
    b.tenant = f.string("tenant").value_or(std::string(default_tenant));
    b.mqtt_filter = f.required_string("mqtt_filter");
    b.kafka_topic = f.required_string("kafka_topic");
    const auto partitions = f.integer("partitions", 1, 100'000);
    if (f.failed()) return f.error();
    if (!tenant_exists(b.tenant)) {
        return error_reply(400, "tenant '" + b.tenant + "' does not exist", "tenant");
    }
    auto existing = meta::list_bindings(ctx_.meta, b.tenant);
    if (!existing) return code_reply(existing.error(), "cannot read the topic bindings");
    if (auto problem = meta::check_binding(b, *existing)) {
        const int code = problem->message.find("already bound") != std::string::npos ? 409 : 400;
        return error_reply(code, problem->field + " " + problem->message, problem->field);
    }
    b.created_ms = now_unix_ms();
    const auto topic = ctx_.kafka->new_topic(b.tenant, b.kafka_topic,
                                             static_cast<int32_t>(partitions.value_or(0)));
    if (auto s = meta::create_binding(ctx_.meta, ctx_.journal, b, topic); !s) {
        if (s.error() == make_error_code(errc::already_exists)) {
            return error_reply(409, "mqtt_filter '" + b.mqtt_filter + "' is bound already",
                               "mqtt_filter");
        }
        return code_reply(s.error(), "cannot create the topic binding");
    }
    spdlog::info("http: MQTT {}/{} bound to Kafka topic {}", loggable(b.tenant),
                 loggable(b.mqtt_filter), loggable(b.kafka_topic));
    return json_reply(201, to_json(b));
}

reply api::bindings_delete(const request& r) {
    const std::string tenant = item_tenant(r);
    const std::string& filter = r.params.at(0);
    auto s = meta::delete_binding(ctx_.meta, tenant, filter);
    if (!s && s.error() != make_error_code(errc::not_found)) {
        return code_reply(s.error(), "cannot delete the topic binding");
    }
    return done_or_404(s.has_value(), "no binding of '" + filter + "' in tenant " + tenant,
                       "MQTT " + loggable(tenant) + "/" + loggable(filter) + " unbound");
}

// ---- retained ----------------------------------------------------------------------------------

reply api::retained_list(const request& r) {
    if (!ctx_.mqtt) return mqtt_unavailable();
    return with_list_query(r, [&](const list_query& query) {
        std::string filter = r.query_value("filter", "#");
        if (filter.empty()) return error_reply(400, "filter must not be empty", "filter");
        return page_of(query, ctx_.mqtt->retained(query.tenant, filter),
                       [](const auto& m) { return m.topic; });
    });
}

reply api::retained_get(const request& r) {
    if (!ctx_.mqtt) return mqtt_unavailable();
    auto m = ctx_.mqtt->retained_message(item_tenant(r), r.params.at(0));
    if (!m) return error_reply(404, "no retained message on topic '" + r.params.at(0) + "'");
    return json_reply(200, to_json(*m));
}

reply api::retained_delete(const request& r) {
    if (!ctx_.mqtt) return mqtt_unavailable();
    const std::string& topic = r.params.at(0);
    return done_or_404(ctx_.mqtt->delete_retained(item_tenant(r), topic),
                       "no retained message on topic '" + topic + "'", {});
}

// ---- sessions, clients, subscriptions
// ------------------------------------------------------------

reply api::sessions_list(const request& r) {
    if (!ctx_.mqtt) return mqtt_unavailable();
    return with_list_query(r, [&](const list_query& query) {
        return page_of(query, ctx_.mqtt->sessions(query.tenant),
                       [](const auto& s) { return s.client_id; });
    });
}

reply api::sessions_get(const request& r) {
    if (!ctx_.mqtt) return mqtt_unavailable();
    const std::string& id = r.params.at(0);
    return item_or_404(ctx_.mqtt->session_of(item_tenant(r), id),
                       "no session of client '" + id + "'");
}

reply api::sessions_delete(const request& r) {
    if (!ctx_.mqtt) return mqtt_unavailable();
    const std::string& id = r.params.at(0);
    return done_or_404(ctx_.mqtt->delete_session(item_tenant(r), id),
                       "no session of client '" + id + "'",
                       "session of " + loggable(id) + " deleted");
}

reply api::clients_list(const request& r) {
    if (!ctx_.mqtt) return mqtt_unavailable();
    return with_list_query(r, [&](const list_query& query) {
        return page_of(query, ctx_.mqtt->clients(query.tenant),
                       [](const auto& c) { return c.client_id; });
    });
}

reply api::clients_get(const request& r) {
    if (!ctx_.mqtt) return mqtt_unavailable();
    const std::string& id = r.params.at(0);
    return item_or_404(ctx_.mqtt->client(item_tenant(r), id),
                       "client '" + id + "' is not connected");
}

reply api::clients_delete(const request& r) {
    if (!ctx_.mqtt) return mqtt_unavailable();
    const std::string& id = r.params.at(0);
    return done_or_404(ctx_.mqtt->kick(item_tenant(r), id), "client '" + id + "' is not connected",
                       "client " + loggable(id) + " kicked");
}

reply api::subscriptions_list(const request& r) {
    if (!ctx_.mqtt) return mqtt_unavailable();
    return with_list_query(r, [&](const list_query& query) {
        // subscriptions() already keeps only `client_id=` when it is given.
        return page_of(query, ctx_.mqtt->subscriptions(query.tenant, r.query_value("client_id")),
                       [](const auto& s) { return s.client_id; });
    });
}

// ---- publish
// ---------------------------------------------------------------------------------------

// ---- message browser -----------------------------------------------------------------

namespace {

/// A byte string as JSON: text when it is UTF-8, else base64; null when absent.
void put_bytes(json& j, std::string_view name, std::string_view encoding_name,
               const std::optional<std::string>& bytes) {
    if (!bytes) {
        j[std::string(name)] = nullptr;
        j[std::string(encoding_name)] = "text";
        return;
    }
    const bool text = valid_utf8(*bytes);
    j[std::string(name)] = text ? *bytes : base64::encode(*bytes);
    j[std::string(encoding_name)] = text ? "text" : "base64";
}

json to_json(const browsed_message& m) {
    json j = {{"offset", m.offset}, {"timestamp_ms", m.timestamp_ms}};
    put_bytes(j, "key", "key_encoding", m.key);
    json headers = json::array();
    for (const auto& [k, v] : m.headers) {
        json h = {{"key", k}};
        put_bytes(h, "value", "value_encoding", v);
        headers.push_back(std::move(h));
    }
    j["headers"] = std::move(headers);
    put_bytes(j, "payload", "payload_encoding", m.value);
    j["size"] = m.value ? m.value->size() : 0;
    return j;
}

}  // namespace

reply api::messages(const request& r) {
    const std::string topic = r.query_value("topic");
    if (topic.empty()) return error_reply(400, "topic is required", "topic");
    const std::string tenant = item_tenant(r);
    int64_t partition = 0;
    if (r.has_query("partition")) {
        auto v = parse_int(r.query_value("partition"));
        if (!v || *v < 0) return error_reply(400, "partition must be an integer >= 0", "partition");
        partition = *v;
    }
    std::optional<int64_t> offset;
    if (r.has_query("offset") && !r.query_value("offset").empty()) {
        offset = parse_int(r.query_value("offset"));
        if (!offset || *offset < 0) {
            return error_reply(400, "offset must be an integer >= 0", "offset");
        }
    }
    int64_t limit = 20;
    if (r.has_query("limit")) {
        auto v = parse_int(r.query_value("limit"));
        if (!v || *v < 1 || *v > static_cast<int64_t>(max_browse_limit)) {
            return error_reply(
                400, "limit must be an integer from 1 to " + std::to_string(max_browse_limit),
                "limit");
        }
        limit = *v;
    }
    meta::topic_repo repo(ctx_.meta);
    auto t = repo.get(tenant, topic);
    if (!t.has_value()) return code_reply(t.error(), "cannot read the topic");
    if (!*t) return error_reply(404, "no topic '" + topic + "' in tenant " + tenant);
    if (partition >= static_cast<int64_t>((*t)->partitions)) {
        return error_reply(
            400, "topic '" + topic + "' has " + std::to_string((*t)->partitions) + " partition(s)",
            "partition");
    }
    const auto n = static_cast<size_t>(limit);
    result<browse_page> page = browse_page{};
    if ((*t)->mqtt) {
        // Only MQTT recorded it: its messages are in the broker's shared shards.
        if (!ctx_.mqtt) return mqtt_unavailable();
        auto where = ctx_.mqtt->message_location_of(tenant, topic);
        if (!where) return mqtt_unavailable();
        page = read_shared_shard(ctx_.journal, where->shard, where->key, offset, n);
    } else {
        auto id = ctx_.journal.find_shard(
            meta::topic_shard_name(tenant, topic, static_cast<uint32_t>(partition)));
        if (!id) return code_reply(id.error(), "cannot find the partition's shard");
        page = read_shard(ctx_.journal, *id, offset, n);
    }
    if (!page) return code_reply(page.error(), "cannot read the messages");
    json items = json::array();
    for (const auto& m : page->messages) items.push_back(to_json(m));
    return json_reply(200, {{"tenant", tenant},
                            {"topic", topic},
                            {"partition", partition},
                            {"mqtt", (*t)->mqtt},
                            {"shard", page->shard},
                            {"earliest_offset", page->earliest},
                            {"next_offset", page->next_offset},
                            {"messages", std::move(items)}});
}

reply api::publish(const request& r) {
    if (!ctx_.mqtt) return mqtt_unavailable();
    auto parsed = body_fields::parse(r.body, {"tenant", "topic", "payload", "payload_encoding",
                                              "qos", "retain", "user_properties", "content_type"});
    if (auto* e = std::get_if<reply>(&parsed)) return std::move(*e);
    auto& f = std::get<body_fields>(parsed);
    mqtt::publish_request p;
    p.tenant = f.string("tenant").value_or(std::string(default_tenant));
    p.topic = f.required_string("topic");
    std::string payload = f.string("payload").value_or("");
    const std::string encoding = f.string("payload_encoding").value_or("text");
    p.qos = static_cast<uint8_t>(f.integer("qos", 0, 2).value_or(0));
    p.retain = f.boolean("retain").value_or(false);
    p.content_type = f.string("content_type").value_or("");
    if (const auto* props = f.raw("user_properties")) {
        if (!props->is_object()) {
            f.fail("user_properties", "must be an object of strings");
        } else {
            for (const auto& [k, v] : props->items()) {
                if (!v.is_string()) {
                    f.fail("user_properties", "values must be strings");
                    break;
                }
                p.user_properties.emplace_back(k, v.get<std::string>());
            }
        }
    }
    if (f.failed()) return f.error();
    if (auto problem = topic_name_problem(p.topic); !problem.empty()) {
        return error_reply(400, "topic " + problem, "topic");
    }
    if (encoding == "base64") {
        auto bytes = base64::decode(payload);
        if (!bytes) return error_reply(400, "payload is not valid base64", "payload");
        p.payload = std::move(*bytes);
    } else if (encoding == "text") {
        p.payload = std::move(payload);
    } else {
        return error_reply(400, "payload_encoding must be text or base64", "payload_encoding");
    }
    if (!tenant_exists(p.tenant)) {
        return error_reply(400, "tenant '" + p.tenant + "' does not exist", "tenant");
    }
    if (auto s = ctx_.mqtt->publish(p); !s.has_value()) {
        const bool size = s.error() == make_error_code(errc::too_large);
        return code_reply(s.error(), "publish failed", size ? "payload" : "topic");
    }
    return json_reply(200, {{"published", true}});
}

}  // namespace robust::admin::detail

// ---- kafka consumer groups
// -------------------------------------------------------------------

namespace robust::admin::detail {

reply api::kafka_groups_list(const request& r) {
    if (!ctx_.kafka) return kafka_unavailable();
    return with_list_query(r, [&](const list_query& query) {
        return page_of(query, ctx_.kafka->list_groups(query.tenant),
                       [](const auto& g) { return g.group_id; });
    });
}

reply api::kafka_groups_get(const request& r) {
    if (!ctx_.kafka) return kafka_unavailable();
    auto d = ctx_.kafka->describe_group(item_tenant(r), r.params.at(0));
    if (!d.ok()) return group_failure_reply(d.error(), "group");
    return json_reply(200, to_json(d.value()));
}

reply api::kafka_groups_delete(const request& r) {
    if (!ctx_.kafka) return kafka_unavailable();
    const std::string tenant = item_tenant(r);
    const std::string& group = r.params.at(0);
    if (auto f = ctx_.kafka->delete_group(tenant, group)) return group_failure_reply(*f, "group");
    spdlog::info("http: kafka group {}/{} deleted", loggable(tenant), loggable(group));
    return no_content();
}

reply api::kafka_groups_reset_offsets(const request& r) {
    if (!ctx_.kafka) return kafka_unavailable();
    auto parsed = body_fields::parse(r.body, {"topics", "to", "offset", "timestamp_ms", "dry_run"});
    if (auto* e = std::get_if<reply>(&parsed)) return std::move(*e);
    auto& f = std::get<body_fields>(parsed);
    kafka::offset_reset_request req;
    req.tenant = item_tenant(r);
    req.group_id = r.params.at(0);
    const std::string to = f.required_string("to");
    const auto offset = f.integer("offset", 0, INT64_MAX);
    const auto timestamp = f.integer("timestamp_ms", 0, INT64_MAX);
    req.dry_run = f.boolean("dry_run").value_or(false);
    if (const auto* topics = f.raw("topics")) {
        // [{"topic": "orders", "partitions": [0, 2]}, ...]; no partitions = all.
        if (!topics->is_array()) {
            f.fail("topics", "must be an array of {\"topic\", \"partitions\"?}");
        } else {
            for (const auto& t : *topics) {
                if (!t.is_object() || !t.contains("topic") || !t["topic"].is_string() ||
                    t["topic"].get<std::string>().empty()) {
                    f.fail("topics", "each item needs a non-empty \"topic\" string");
                    break;
                }
                kafka::topic_partitions sel;
                sel.topic = t["topic"].get<std::string>();
                bool bad = false;
                for (const auto& [k, v] : t.items()) {
                    if (k == "topic") continue;
                    if (k != "partitions" || !v.is_array()) {
                        bad = true;
                        break;
                    }
                    for (const auto& p : v) {
                        if (!p.is_number_integer() || p.get<int64_t>() < 0 ||
                            p.get<int64_t>() > INT32_MAX) {
                            bad = true;
                            break;
                        }
                        sel.partitions.push_back(static_cast<int32_t>(p.get<int64_t>()));
                    }
                }
                if (bad) {
                    f.fail("topics",
                           "\"partitions\" must be an array of partition numbers (>= 0), and "
                           "nothing else may be given beside \"topic\"");
                    break;
                }
                req.topics.push_back(std::move(sel));
            }
        }
    }
    if (f.failed()) return f.error();
    if (to == "earliest") {
        req.to = kafka::reset_target::earliest;
    } else if (to == "latest") {
        req.to = kafka::reset_target::latest;
    } else if (to == "offset") {
        if (!offset) return error_reply(400, "to=offset needs \"offset\"", "offset");
        req.to = kafka::reset_target::offset;
        req.value = *offset;
    } else if (to == "timestamp") {
        if (!timestamp) {
            return error_reply(400, "to=timestamp needs \"timestamp_ms\"", "timestamp_ms");
        }
        req.to = kafka::reset_target::timestamp;
        req.value = *timestamp;
    } else {
        return error_reply(400, "to must be earliest, latest, offset or timestamp", "to");
    }
    if (offset && req.to != kafka::reset_target::offset) {
        return error_reply(400, "\"offset\" goes with to=offset only", "offset");
    }
    if (timestamp && req.to != kafka::reset_target::timestamp) {
        return error_reply(400, "\"timestamp_ms\" goes with to=timestamp only", "timestamp_ms");
    }
    auto plan = ctx_.kafka->reset_offsets(req);
    if (!plan.ok()) return group_failure_reply(plan.error(), "topics");
    json partitions = json::array();
    for (const auto& e : plan.value()) {
        partitions.push_back({{"topic", e.topic},
                              {"partition", e.partition},
                              {"previous_offset", optional_json(e.previous_offset)},
                              {"new_offset", e.new_offset}});
    }
    if (!req.dry_run) {
        spdlog::info("http: offsets of kafka group {}/{} reset to {} on {} partition(s)",
                     loggable(req.tenant), loggable(req.group_id), to, plan.value().size());
    }
    return json_reply(200, {{"tenant", req.tenant},
                            {"group", req.group_id},
                            {"dry_run", req.dry_run},
                            {"partitions", std::move(partitions)}});
}

}  // namespace robust::admin::detail
