#include "admin_command.h"

#include <ostream>

#include "exit_code.h"
#include "render.h"

namespace robust::ctl {

int finish_admin_call(const global_options& global, const admin_call& call,
                      const credentials& creds, const http_outcome& outcome, std::ostream& out,
                      std::ostream& err) {
    if (!outcome.answer) {
        err << "error: cannot connect to " << global.server.display() << ": " << outcome.failure
            << " (is robust-server running? set --server)\n";
        return to_int(exit_code::cannot_connect);
    }
    const http_answer& a = *outcome.answer;
    if (a.status >= 400) {
        if (call.view == view_kind::health) {
            // The probes answer 503 {"status":"starting"}: that is the answer.
            const json j = json::parse(a.body, nullptr, false);
            if (!j.is_discarded() && j.is_object() && j.contains("status")) {
                auto r = render_success(call, a.body, global.output);
                out << r.out;
                return to_int(exit_code::refused);
            }
        }
        err << render_error(a.status, a.body, a.retry_after);
        if (a.status == 401) {
            if (creds.type == credentials::kind::none) {
                err << "hint: no credentials: give --user/--password, --token or --data-dir "
                       "(no admin.secret in:";
                for (const auto& p : creds.searched) err << " " << p;
                err << ")\n";
            } else {
                err << "hint: credentials from " << creds.source;
                if (creds.type == credentials::kind::basic) err << " (user " << creds.user << ")";
                err << "\n";
            }
        }
        return to_int(exit_code::refused);
    }
    auto r = render_success(call, a.body, global.output);
    out << r.out;
    err << r.err;
    return r.exit;
}

int run_admin_command(const global_options& global, const admin_call& call, const env_lookup& env,
                      std::ostream& out, std::ostream& err) {
    auto resolved = resolve_credentials(global.creds, env);
    if (!resolved.creds) {
        err << "error: " << resolved.usage_error << "\n";
        return to_int(exit_code::usage);
    }
    const credentials& creds = *resolved.creds;
    admin_call c = call;
    if (c.view == view_kind::login) {
        if (creds.type != credentials::kind::basic) {
            err << "error: login needs a user name and password (--user/--password, "
                   "ROBUSTMQ_USER/ROBUSTMQ_PASSWORD or an admin.secret)\n";
            return to_int(exit_code::usage);
        }
        c.req.body = json{{"username", creds.user}, {"password", creds.password}};
    }
    const http_outcome outcome = execute_request(global.server, creds, c.req);
    return finish_admin_call(global, c, creds, outcome, out, err);
}

}  // namespace robust::ctl
