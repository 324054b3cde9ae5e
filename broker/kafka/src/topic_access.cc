#include "topic_access.h"

#include "connection.h"
#include "server_impl.h"

namespace robust::kafka {

bool topic_allowed(server_impl& s, connection& conn, topic_op op, std::string_view topic,
                   bool count) {
    const auth::identity& who = conn.identity();
    if (who.superuser) return true;
    auth::decision_cache& cache = conn.acl();
    const auth::service& svc = s.auth();
    auto check = [&](auth::access a, bool counted) {
        return cache.authorize(svc, who, a, topic, false, counted);
    };
    switch (op) {
        case topic_op::write:
            return check(auth::access::publish, count);
        case topic_op::read:
            return check(auth::access::subscribe, count);
        case topic_op::describe:
            // One denial at most for a refused describe (counted as a subscribe).
            return check(auth::access::publish, false) || check(auth::access::subscribe, count);
        case topic_op::manage:
            return check(auth::access::publish, count) && check(auth::access::subscribe, count);
    }
    return false;
}

}  // namespace robust::kafka
