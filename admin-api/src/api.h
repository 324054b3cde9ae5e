#pragma once
// api: the admin API's request pipeline, independent of the HTTP library.
// handle() matches the route table, authenticates (Bearer token or Basic,
// superusers of tenant "default" only, per-address failure limit), runs the
// route's handler and turns any escaped exception into one 500 reply that
// is logged. Handlers talk to the kernel through the context's services.
//
// Created and owned by admin::server, together with the limiter and the
// history it is given (which must outlive it).
// Threading: handle() runs concurrently on the HTTP pool's threads; the api
// keeps no per-request state, and what it shares (limiter, history, the
// PATCH /config lock) is synchronised.

#include <cstdint>
#include <mutex>
#include <string>
#include <variant>

#include "admin/server.h"
#include "history.h"
#include "http_util.h"
#include "login_limiter.h"
#include "route_table.h"

namespace robust::admin::detail {

class api {
public:
    /// `interval_s`: the history's sample interval, as GET /overview/history reports it.
    api(const context& ctx, login_limiter& limiter, const history& hist, int64_t interval_s);

    /// The whole pipeline; never throws. `who` receives the authenticated
    /// user name ("" for public routes and failures), for the access log.
    reply handle(request& req, std::string& who);

    /// The address the server is bound to, shown by GET /api/v1/cluster.
    void set_listen_address(std::string address, uint16_t port);

    /// The broker's counters now (zeros without a broker), for the sampler.
    counters_sample sample() const;

private:
    // Authentication: the user name, or the 401/403/429 reply.
    std::variant<std::string, reply> authenticate(const request& r);
    std::variant<std::string, reply> check_credentials(const request& r, std::string_view user,
                                                       std::string_view password);
    reply dispatch(route_id id, const request& r);

    reply login(const request& r);
    reply health_live(const request& r);
    reply health_ready(const request& r);
    reply metrics(const request& r);
    reply cluster(const request& r);
    reply overview(const request& r);
    reply overview_history(const request& r);
    reply config_get(const request& r);
    reply config_patch(const request& r);
    reply tenants_list(const request& r);
    reply tenants_create(const request& r);
    reply tenants_delete(const request& r);
    reply users_list(const request& r);
    reply users_create(const request& r);
    reply users_get(const request& r);
    reply users_patch(const request& r);
    reply users_delete(const request& r);
    reply acls_list(const request& r);
    reply acls_create(const request& r);
    reply acls_check(const request& r);
    reply acls_delete(const request& r);
    reply blacklist_list(const request& r);
    reply blacklist_create(const request& r);
    reply blacklist_delete(const request& r);
    reply topics_list(const request& r);
    reply topics_create(const request& r);
    reply topics_get(const request& r);
    reply topics_delete(const request& r);
    reply bindings_list(const request& r);
    reply bindings_create(const request& r);
    reply bindings_delete(const request& r);
    reply retained_list(const request& r);
    reply retained_get(const request& r);
    reply retained_delete(const request& r);
    reply sessions_list(const request& r);
    reply sessions_get(const request& r);
    reply sessions_delete(const request& r);
    reply clients_list(const request& r);
    reply clients_get(const request& r);
    reply clients_delete(const request& r);
    reply subscriptions_list(const request& r);
    reply messages(const request& r);
    reply publish(const request& r);
    reply kafka_groups_list(const request& r);
    reply kafka_groups_get(const request& r);
    reply kafka_groups_delete(const request& r);
    reply kafka_groups_reset_offsets(const request& r);

    /// The config as it is now: the file's values with the runtime changes
    /// (log level, auth policy) applied.
    config::server_config current_config() const;
    bool tenant_exists(std::string_view tenant) const;

    context ctx_;
    login_limiter& limiter_;
    const history& history_;
    const int64_t interval_s_;
    std::mutex patch_mu_;  // one PATCH /config at a time
    mutable std::mutex address_mu_;
    std::string address_;
    uint16_t port_ = 0;
};

}  // namespace robust::admin::detail
