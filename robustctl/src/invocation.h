#pragma once
// The command line, parsed (CLI11) into an `invocation`: global options plus
// one action: an admin API call (a `request` and how to show its answer),
// an MQTT pub/sub run or a benchmark run (MQTT or Kafka). Nothing here touches the network, so
// every command's request can be checked by a unit test.
//
// Pure apart from CLI11's own help formatting. Any thread, one call at a time
// per parse (CLI11 apps are not shared).

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "bench_options.h"
#include "credentials.h"
#include "kafka_bench_options.h"
#include "mqtt_options.h"
#include "request.h"

namespace robust::ctl {

enum class output_format { table, json_text };

/// How a successful answer is shown (render.h).
enum class view_kind {
    list,       // {"items":[...],"page","limit","total"}: a table and "page 1 of 3, 120 items"
    item,       // one object: a KEY/VALUE table (nested arrays of objects as tables below)
    done,       // 204 or a bare acknowledgement: admin_call::done_message
    cluster,    // {"cluster","nodes":[...]}
    overview,   // counters, rates, totals, listeners
    history,    // {"interval_s","points":[...]}
    config,     // {"config":{section:{key:value}},"runtime_changeable":[...]}
    acl_check,  // {"allowed","superuser"}
    login,      // {"token","expires_at_ms","username"}: the token only with --output json
    health,     // {"status":...}
    group,      // a Kafka consumer group: summary, members, then a row per partition
    offsets,    // a reset-offsets plan: {"tenant","group","dry_run","partitions":[...]}
};

struct admin_call {
    request req;
    view_kind view = view_kind::item;
    std::string done_message;  // view done: e.g. "user alice deleted"
    std::string config_key;    // view config: only keys under this "section" or "section.key"
};

struct global_options {
    server_url server;
    output_format output = output_format::table;
    credential_flags creds;
};

struct invocation {
    global_options global;
    std::variant<admin_call, mqtt_pub_options, mqtt_sub_options, bench_options, kafka_bench_options>
        action;
};

struct parse_context {
    env_lookup env;      // ROBUSTMQ_SERVER (and, later, credentials)
    int64_t now_ms = 0;  // wall clock, for relative expiries (blacklist add --expires)
};

/// What to do after parsing: run `inv`, or exit with `exit` after printing
/// `out` (help) to stdout and `err` (usage errors) to stderr.
struct parse_outcome {
    std::optional<invocation> inv;
    int exit = 0;
    std::string out;
    std::string err;
};

/// `args` is the whole argv, program name first.
parse_outcome parse_command_line(const std::vector<std::string>& args, const parse_context& ctx);

/// Parses "KEY=VALUE" for config set: the value is JSON when it is a number,
/// true/false/null, a quoted string, an array or an object, and a string
/// otherwise ("deny"). Nullopt without '=' or with an empty key.
std::optional<std::pair<std::string, json>> parse_assignment(const std::string& text);

}  // namespace robust::ctl
