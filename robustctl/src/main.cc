// robustctl: parses the command line (invocation.h) and runs the one action
// it names. Nothing else lives here.

#include <chrono>
#include <csignal>
#include <cstdio>
#include <iostream>

#include <unistd.h>

#include "admin_command.h"
#include "bench_tool.h"
#include "invocation.h"
#include "kafka_bench_tool.h"
#include "mqtt_tool.h"

int main(int argc, char** argv) {
    using namespace robust::ctl;
    // A closed pipe (robustctl ... | head) ends the program quietly.
    std::signal(SIGPIPE, SIG_IGN);

    const std::vector<std::string> args(argv, argv + argc);
    parse_context ctx;
    ctx.env = process_env();
    ctx.now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                     std::chrono::system_clock::now().time_since_epoch())
                     .count();
    auto parsed = parse_command_line(args, ctx);
    std::cout << parsed.out;
    std::cerr << parsed.err;
    if (!parsed.inv) return parsed.exit;

    const invocation& inv = *parsed.inv;
    if (const auto* call = std::get_if<admin_call>(&inv.action)) {
        const int code = run_admin_command(inv.global, *call, ctx.env, std::cout, std::cerr);
        std::cout.flush();
        return code;
    }
    std::cout.flush();
    if (const auto* bench = std::get_if<bench_options>(&inv.action)) {
        return run_bench(*bench, inv.global.output == output_format::json_text, stdout, stderr);
    }
    if (const auto* kbench = std::get_if<kafka_bench_options>(&inv.action)) {
        return run_kafka_bench(*kbench, inv.global.output == output_format::json_text, stdout,
                               stderr);
    }
    if (const auto* pub = std::get_if<mqtt_pub_options>(&inv.action)) {
        return run_mqtt_pub(*pub, STDIN_FILENO, stderr);
    }
    return run_mqtt_sub(std::get<mqtt_sub_options>(inv.action), stdout, stderr);
}
