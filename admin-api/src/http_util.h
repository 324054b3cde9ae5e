#pragma once
// The admin API's handler vocabulary, independent of the HTTP library:
//   - request / reply: what a handler sees and answers;
//   - error_reply(): the one error helper, `{"error":{"code","message","field"?}}`;
//   - http_status_for(): robust::errc -> HTTP status, in one table;
//   - body_fields: typed, exception-free reading of a JSON request body, whose
//     errors name the offending field (400);
//   - list_query / paginate(): `?page=&limit=&name=&tenant=` and
//     `{"items","page","limit","total"}`.
// Pure functions and values: any thread.

#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "auth/types.h"

namespace robust::admin::detail {

/// Response JSON keeps members in insertion order, so answers list fields in
/// the order of the contract (docs/api/openapi.yaml), as tables in robustctl
/// and the dashboard show them.
using out_json = nlohmann::ordered_json;

/// One request as a handler sees it. Path params are already percent-decoded
/// (a topic "a/b" arrives whole), query values too.
struct request {
    std::string method;
    std::string path;
    std::vector<std::string> params;  // the route's {placeholders}, in order
    std::multimap<std::string, std::string> query;
    std::string body;
    std::string remote_addr;
    std::string authorization;  // the Authorization header, may be empty

    /// The first value of query parameter `key`, or `fallback`.
    std::string query_value(const std::string& key, std::string fallback = {}) const;
    bool has_query(const std::string& key) const { return query.count(key) != 0; }
};

/// One answer. An empty body with status 204 sends no content.
struct reply {
    int status = 200;
    std::string body;
    std::string content_type = "application/json";
    std::vector<std::pair<std::string, std::string>> headers;
};

/// JSON reply. Strings that are not UTF-8 are replaced, never thrown on.
reply json_reply(int status, const out_json& body);
reply no_content();
/// Serialises without throwing (invalid UTF-8 becomes U+FFFD).
std::string dump_json(const out_json& j);

/// `{"error":{"code","message","field"?}}`; code from error_code_for().
reply error_reply(int status, std::string_view message, std::string_view field = {});
/// "bad_request", "unauthorized", ... for a status; "error" for an unknown one.
std::string_view error_code_for(int status) noexcept;

/// A client-supplied string made safe for one log line: control characters
/// become '?', and it is cut to `max` bytes ("..." marks the cut), so a
/// request cannot forge or flood log lines.
std::string loggable(std::string_view s, size_t max = 128);

/// The HTTP status for a robust::errc (any other category: 500).
int http_status_for(const std::error_code& ec) noexcept;
/// An auth::failure as an error reply: status from its code; the field only
/// for 400.
reply failure_reply(const auth::failure& f);
/// A bare error_code (journal, meta store, broker) as an error reply; `field`
/// is attached when the status is 400.
reply code_reply(const std::error_code& ec, std::string_view what, std::string_view field = {});

/// Reads fields of a JSON object body. Every accessor returns nullopt when
/// the field is absent or null; a wrong type or value records the first
/// error (see failed()/error()). Never throws.
class body_fields {
public:
    /// Parses `body` as a JSON object whose members are all in `allowed`.
    /// An error names field "body" (not an object, invalid JSON: with the
    /// byte offset only, never echoing the body) or the unknown member.
    static std::variant<body_fields, reply> parse(std::string_view body,
                                                  std::initializer_list<std::string_view> allowed);
    /// For bodies whose member names are data (PATCH /config).
    static std::variant<body_fields, reply> parse_any(std::string_view body);

    std::optional<std::string> string(std::string_view key);
    std::optional<bool> boolean(std::string_view key);
    std::optional<int64_t> integer(std::string_view key, int64_t min, int64_t max);
    /// Like string(), but an absent field is an error "<key> is required".
    std::string required_string(std::string_view key);
    const nlohmann::json* raw(std::string_view key) const;
    const nlohmann::json& object() const { return obj_; }

    void fail(std::string_view field, std::string_view message);
    bool failed() const { return error_.has_value(); }
    const reply& error() const { return *error_; }

private:
    explicit body_fields(nlohmann::json obj) : obj_(std::move(obj)) {}
    nlohmann::json obj_;
    std::optional<reply> error_;
};

/// The common list parameters. tenant empty = every tenant.
struct list_query {
    int64_t page = 1;    // 1-based
    int64_t limit = 50;  // 1..1000
    std::string name;    // substring filter on the natural name
    std::string tenant;
};
/// Errors name field "page" or "limit".
std::variant<list_query, reply> parse_list_query(const request& r);
bool name_matches(const list_query& q, std::string_view name);

/// `{"items":[to_json(item)...], "page", "limit", "total"}` for the page of
/// `items` that q selects; to_json runs only for that page.
template <class T, class F>
out_json paginate(const std::vector<T>& items, const list_query& q, F&& to_json) {
    out_json out = out_json::object();
    out_json page_items = out_json::array();
    const auto total = static_cast<int64_t>(items.size());
    const int64_t first = (q.page - 1) * q.limit;
    for (int64_t i = first; i < total && i < first + q.limit; ++i) {
        page_items.push_back(to_json(items[static_cast<size_t>(i)]));
    }
    out["items"] = std::move(page_items);
    out["page"] = q.page;
    out["limit"] = q.limit;
    out["total"] = total;
    return out;
}

}  // namespace robust::admin::detail
