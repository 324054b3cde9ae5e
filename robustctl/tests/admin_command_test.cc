// Exit codes and messages of admin commands, from canned answers (no server).

#include "admin_command.h"

#include <gtest/gtest.h>

#include <sstream>

#include "exit_code.h"

namespace robust::ctl {
namespace {

global_options globals() {
    global_options g;
    g.server = parse_server_url("http://127.0.0.1:58080").value();
    return g;
}

http_outcome answer(int status, std::string body, std::string retry_after = "") {
    http_outcome o;
    o.answer = http_answer{status, std::move(body), std::move(retry_after)};
    return o;
}

struct run_result {
    int exit;
    std::string out, err;
};

run_result finish(const admin_call& call, const http_outcome& outcome,
                  const credentials& creds = {}) {
    std::ostringstream out, err;
    const int code = finish_admin_call(globals(), call, creds, outcome, out, err);
    return {code, out.str(), err.str()};
}

admin_call list_call() {
    admin_call c;
    c.req = request{"GET", "/api/v1/users", {}, std::nullopt, true};
    c.view = view_kind::list;
    return c;
}

TEST(RobustctlExitCodes, HttpStatusMapping) {
    EXPECT_EQ(exit_for_http_status(200), exit_code::ok);
    EXPECT_EQ(exit_for_http_status(201), exit_code::ok);
    EXPECT_EQ(exit_for_http_status(204), exit_code::ok);
    for (int s : {400, 401, 403, 404, 409, 429, 500, 503}) {
        EXPECT_EQ(exit_for_http_status(s), exit_code::refused) << s;
    }
    EXPECT_EQ(to_int(exit_code::ok), 0);
    EXPECT_EQ(to_int(exit_code::refused), 1);
    EXPECT_EQ(to_int(exit_code::usage), 2);
    EXPECT_EQ(to_int(exit_code::cannot_connect), 3);
    EXPECT_EQ(to_int(exit_code::timeout), 4);
}

TEST(RobustctlExitCodes, SuccessPrintsAndExitsZero) {
    auto r = finish(list_call(), answer(200, R"({"items":[],"page":1,"limit":50,"total":0})"));
    EXPECT_EQ(r.exit, 0);
    EXPECT_EQ(r.out, "(no items)\npage 1 of 1, 0 items\n");
    EXPECT_EQ(r.err, "");
}

TEST(RobustctlExitCodes, ServerErrorsExitOneWithTheServersMessage) {
    for (int status : {400, 403, 404, 409, 500, 503}) {
        auto r = finish(list_call(),
                        answer(status, R"({"error":{"code":"c","message":"m","field":"f"}})"));
        EXPECT_EQ(r.exit, 1) << status;
        EXPECT_EQ(r.out, "");
        EXPECT_EQ(r.err, "error: " + std::to_string(status) + " c: f: m\n");
    }
}

TEST(RobustctlExitCodes, CannotConnectExitsThreeWithHint) {
    http_outcome failed;
    failed.failure = "Connection refused";
    auto r = finish(list_call(), failed);
    EXPECT_EQ(r.exit, 3);
    EXPECT_EQ(r.err,
              "error: cannot connect to http://127.0.0.1:58080: Connection refused (is "
              "robust-server running? set --server)\n");
}

TEST(RobustctlExitCodes, UnauthorizedHintNamesTheSourceNeverThePassword) {
    credentials c;
    c.type = credentials::kind::basic;
    c.user = "admin";
    c.password = "Very-Secret-Pw";
    c.source = "/data/admin.secret";
    auto r =
        finish(list_call(),
               answer(401, R"({"error":{"code":"unauthorized","message":"bad credentials"}})"), c);
    EXPECT_EQ(r.exit, 1);
    EXPECT_EQ(r.err,
              "error: 401 unauthorized: bad credentials\n"
              "hint: credentials from /data/admin.secret (user admin)\n");
    EXPECT_EQ(r.err.find("Very-Secret-Pw"), std::string::npos);

    credentials none;
    none.searched = {"/d/admin.secret", "./data/admin.secret"};
    auto n = finish(list_call(), answer(401, ""), none);
    EXPECT_EQ(n.exit, 1);
    EXPECT_NE(n.err.find("no credentials"), std::string::npos);
    EXPECT_NE(n.err.find("/d/admin.secret ./data/admin.secret"), std::string::npos);
}

TEST(RobustctlExitCodes, HealthNotReadyPrintsStatusAndExitsOne) {
    admin_call h;
    h.req = request{"GET", "/health/ready", {}, std::nullopt, true};
    h.view = view_kind::health;
    auto r = finish(h, answer(503, R"({"status":"starting"})"));
    EXPECT_EQ(r.exit, 1);
    EXPECT_EQ(r.out, "ready: starting\n");
    auto ok = finish(h, answer(200, R"({"status":"ready"})"));
    EXPECT_EQ(ok.exit, 0);
    EXPECT_EQ(ok.out, "ready: ready\n");
}

TEST(RobustctlExitCodes, CredentialUsageErrorsExitTwoBeforeSending) {
    admin_call c = list_call();
    global_options g = globals();
    g.server = parse_server_url("http://127.0.0.1:1").value();  // never contacted
    g.creds.user = "admin";
    std::ostringstream out, err;
    auto no_env = [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
    EXPECT_EQ(run_admin_command(g, c, no_env, out, err), 2);
    EXPECT_NE(err.str().find("--user needs --password"), std::string::npos);

    admin_call login;
    login.req = request{"POST", "/api/v1/login", {}, std::nullopt, false};
    login.view = view_kind::login;
    global_options t = g;
    t.creds = {};
    t.creds.token = "tok";
    std::ostringstream out2, err2;
    EXPECT_EQ(run_admin_command(t, login, no_env, out2, err2), 2);
    EXPECT_NE(err2.str().find("login needs"), std::string::npos);
}

}  // namespace
}  // namespace robust::ctl
