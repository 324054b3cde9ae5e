#include <gtest/gtest.h>

#include "base/errc.h"
#include "http_util.h"

namespace robust::admin::detail {
namespace {

TEST(AdminErrorMapping, EveryErrcHasItsStatus) {
    struct row {
        errc code;
        int status;
    };
    // The whole enum, in declaration order: a new errc must be added here.
    const row table[] = {
        {errc::success, 200},        {errc::need_more_data, 500},   {errc::malformed, 400},
        {errc::protocol_error, 409}, {errc::too_large, 400},        {errc::not_found, 404},
        {errc::already_exists, 409}, {errc::invalid_argument, 400}, {errc::io_error, 500},
        {errc::corruption, 500},     {errc::shutting_down, 503},    {errc::limit_exceeded, 429},
        {errc::timeout, 503},        {errc::unsupported, 400},      {errc::not_authorized, 403},
    };
    for (const auto& r : table) {
        EXPECT_EQ(http_status_for(make_error_code(r.code)), r.status)
            << make_error_code(r.code).message();
    }
    EXPECT_EQ(static_cast<int>(errc::not_authorized) + 1, static_cast<int>(std::size(table)));
}

TEST(AdminErrorMapping, ForeignCategoriesAre500) {
    EXPECT_EQ(http_status_for(std::make_error_code(std::errc::permission_denied)), 500);
}

TEST(AdminErrorMapping, StatusCodesHaveContractNames) {
    EXPECT_EQ(error_code_for(400), "bad_request");
    EXPECT_EQ(error_code_for(401), "unauthorized");
    EXPECT_EQ(error_code_for(403), "forbidden");
    EXPECT_EQ(error_code_for(404), "not_found");
    EXPECT_EQ(error_code_for(405), "method_not_allowed");
    EXPECT_EQ(error_code_for(409), "conflict");
    EXPECT_EQ(error_code_for(413), "payload_too_large");
    EXPECT_EQ(error_code_for(429), "too_many_requests");
    EXPECT_EQ(error_code_for(500), "internal");
    EXPECT_EQ(error_code_for(503), "unavailable");
}

TEST(AdminErrorMapping, ErrorBodyShape) {
    auto r = error_reply(400, "name is required", "name");
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(r.body, R"({"error":{"code":"bad_request","message":"name is required",)"
                      R"("field":"name"}})")
        << "members in contract order";
    auto j = nlohmann::json::parse(r.body);
    EXPECT_EQ(
        j, nlohmann::json::parse(R"({"error":{"code":"bad_request","message":"name is required",)"
                                 R"("field":"name"}})"));
    auto n = nlohmann::json::parse(error_reply(404, "gone").body);
    EXPECT_FALSE(n["error"].contains("field"));
}

TEST(AdminErrorMapping, FailureKeepsFieldOnlyFor400) {
    auto bad = failure_reply(auth::fail(errc::invalid_argument, "username", "too long"));
    EXPECT_EQ(bad.status, 400);
    EXPECT_EQ(nlohmann::json::parse(bad.body)["error"]["field"], "username");
    auto dup = failure_reply(auth::fail(errc::already_exists, "username", "exists"));
    EXPECT_EQ(dup.status, 409);
    EXPECT_FALSE(nlohmann::json::parse(dup.body)["error"].contains("field"));
}

TEST(AdminBodyFields, TypedAccessAndFirstErrorWins) {
    auto p = body_fields::parse(R"({"a":"x","n":5,"b":true,"z":null})", {"a", "n", "b", "z"});
    ASSERT_TRUE(std::holds_alternative<body_fields>(p));
    auto& f = std::get<body_fields>(p);
    EXPECT_EQ(f.string("a"), "x");
    EXPECT_EQ(f.integer("n", 0, 10), 5);
    EXPECT_EQ(f.boolean("b"), true);
    EXPECT_FALSE(f.string("z"));  // null is absent
    EXPECT_FALSE(f.failed());
    EXPECT_FALSE(f.integer("n", 6, 10));
    EXPECT_FALSE(f.string("n"));
    ASSERT_TRUE(f.failed());
    EXPECT_EQ(nlohmann::json::parse(f.error().body)["error"]["field"], "n");
}

TEST(AdminBodyFields, RequiredAndUnknownFields) {
    auto p = body_fields::parse(R"({"a":"x"})", {"a", "b"});
    auto& f = std::get<body_fields>(p);
    EXPECT_EQ(f.required_string("b"), "");
    EXPECT_EQ(nlohmann::json::parse(f.error().body)["error"]["message"], "b is required");

    auto unknown = body_fields::parse(R"({"a":"x","typo":1})", {"a"});
    ASSERT_TRUE(std::holds_alternative<reply>(unknown));
    EXPECT_EQ(nlohmann::json::parse(std::get<reply>(unknown).body)["error"]["field"], "typo");
}

TEST(AdminBodyFields, InvalidJsonNamesBodyWithoutEchoingIt) {
    auto p = body_fields::parse(R"({"password":"hunter2hunter2" x})", {"password"});
    ASSERT_TRUE(std::holds_alternative<reply>(p));
    const auto& r = std::get<reply>(p);
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(nlohmann::json::parse(r.body)["error"]["field"], "body");
    EXPECT_EQ(r.body.find("hunter2"), std::string::npos);

    auto arr = body_fields::parse("[1,2]", {});
    EXPECT_EQ(nlohmann::json::parse(std::get<reply>(arr).body)["error"]["field"], "body");
    auto empty = body_fields::parse("", {});
    EXPECT_EQ(std::get<reply>(empty).status, 400);
}

TEST(AdminPagination, PageLimitTotals) {
    request r;
    r.query = {{"page", "2"}, {"limit", "3"}, {"name", "b"}};
    auto q = parse_list_query(r);
    ASSERT_TRUE(std::holds_alternative<list_query>(q));
    const auto& lq = std::get<list_query>(q);
    std::vector<int> items{1, 2, 3, 4, 5, 6, 7};
    auto j = paginate(items, lq, [](int i) { return i; });
    EXPECT_EQ(j["items"].dump(), "[4,5,6]");
    EXPECT_EQ(j["total"], 7);
    EXPECT_EQ(j["page"], 2);
    EXPECT_EQ(j["limit"], 3);
    EXPECT_TRUE(name_matches(lq, "abc"));
    EXPECT_FALSE(name_matches(lq, "xyz"));

    list_query far;
    far.page = 5;
    far.limit = 3;
    EXPECT_TRUE(paginate(items, far, [](int i) { return i; })["items"].empty());
}

TEST(AdminPagination, RejectsBadValuesNamingTheField) {
    for (auto [key, value] : std::vector<std::pair<std::string, std::string>>{
             {"page", "0"}, {"page", "x"}, {"limit", "0"}, {"limit", "1001"}, {"limit", "5x"}}) {
        request r;
        r.query = {{key, value}};
        auto q = parse_list_query(r);
        ASSERT_TRUE(std::holds_alternative<reply>(q)) << key << "=" << value;
        EXPECT_EQ(nlohmann::json::parse(std::get<reply>(q).body)["error"]["field"], key);
    }
}

TEST(AdminLoggable, ControlCharactersAndLengthAreDefused) {
    EXPECT_EQ(loggable("alice"), "alice");
    EXPECT_EQ(loggable("a\nINFO forged line\x1b[31m"), "a?INFO forged line?[31m");
    EXPECT_EQ(loggable(std::string(200, 'x'), 10), "xxxxxxxxxx...");
}

}  // namespace
}  // namespace robust::admin::detail
