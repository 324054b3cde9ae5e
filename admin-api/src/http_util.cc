#include "http_util.h"

#include <algorithm>
#include <charconv>

#include "base/errc.h"

namespace robust::admin::detail {
namespace {

struct status_name {
    int status;
    std::string_view code;
};

// The error codes of docs/api/openapi.yaml (schema Error).
constexpr status_name status_names[] = {
    {400, "bad_request"},       {401, "unauthorized"},       {403, "forbidden"},
    {404, "not_found"},         {405, "method_not_allowed"}, {409, "conflict"},
    {413, "payload_too_large"}, {429, "too_many_requests"},  {500, "internal"},
    {503, "unavailable"},
};

struct errc_status {
    errc code;
    int status;
};

// robust::errc -> HTTP status: the only place this decision is made. A code
// missing here is a 500 (and the table test lists every errc).
constexpr errc_status errc_statuses[] = {
    {errc::success, 200},
    {errc::invalid_argument, 400},
    {errc::malformed, 400},
    {errc::too_large, 400},  // e.g. a publish payload over the packet limit: field=payload
    {errc::unsupported, 400},
    {errc::not_authorized, 403},
    {errc::not_found, 404},
    {errc::already_exists, 409},
    {errc::protocol_error, 409},  // allowed input, not in this state
                                  // (tenant still in use)
    {errc::limit_exceeded, 429},
    {errc::shutting_down, 503},
    {errc::timeout, 503},
    {errc::need_more_data, 500},
    {errc::io_error, 500},
    {errc::corruption, 500},
};

}  // namespace

std::string request::query_value(const std::string& key, std::string fallback) const {
    auto it = query.find(key);
    return it == query.end() ? std::move(fallback) : it->second;
}

std::string dump_json(const out_json& j) {
    return j.dump(-1, ' ', false, out_json::error_handler_t::replace);
}

reply json_reply(int status, const out_json& body) {
    reply r;
    r.status = status;
    r.body = dump_json(body);
    return r;
}

reply no_content() {
    reply r;
    r.status = 204;
    r.content_type.clear();
    return r;
}

std::string_view error_code_for(int status) noexcept {
    for (const auto& s : status_names) {
        if (s.status == status) return s.code;
    }
    return "error";
}

reply error_reply(int status, std::string_view message, std::string_view field) {
    out_json e = {{"code", error_code_for(status)}, {"message", message}};
    if (!field.empty()) e["field"] = field;
    return json_reply(status, out_json{{"error", std::move(e)}});
}

std::string loggable(std::string_view s, size_t max) {
    std::string out;
    out.reserve(std::min(s.size(), max) + 3);
    for (char c : s.substr(0, max)) {
        const auto u = static_cast<unsigned char>(c);
        out += (u < 0x20 || u == 0x7F) ? '?' : c;
    }
    if (s.size() > max) out += "...";
    return out;
}

int http_status_for(const std::error_code& ec) noexcept {
    if (ec.category() != robust_category()) return 500;
    for (const auto& e : errc_statuses) {
        if (static_cast<int>(e.code) == ec.value()) return e.status;
    }
    return 500;
}

reply failure_reply(const auth::failure& f) {
    const int status = http_status_for(f.code);
    const std::string message = f.message.empty() ? f.code.message() : f.message;
    return error_reply(status, message, status == 400 ? std::string_view(f.field) : "");
}

reply code_reply(const std::error_code& ec, std::string_view what, std::string_view field) {
    const int status = http_status_for(ec);
    std::string message(what);
    if (!message.empty()) message += ": ";
    message += ec.message();
    return error_reply(status, message, status == 400 ? field : "");
}

// ---- body_fields ---------------------------------------------------------

std::variant<body_fields, reply> body_fields::parse_any(std::string_view body) {
    if (body.empty()) return error_reply(400, "a JSON object body is required", "body");
    // The exception never leaves this function; its message is not used
    // because it quotes the input, which may hold a password.
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(body);
    } catch (const nlohmann::json::parse_error& e) {
        return error_reply(400, "invalid JSON at byte " + std::to_string(e.byte), "body");
    } catch (const std::exception&) {
        return error_reply(400, "invalid JSON", "body");
    }
    if (!j.is_object()) return error_reply(400, "the body must be a JSON object", "body");
    return body_fields(std::move(j));
}

std::variant<body_fields, reply> body_fields::parse(
    std::string_view body, std::initializer_list<std::string_view> allowed) {
    auto parsed = parse_any(body);
    if (auto* f = std::get_if<body_fields>(&parsed)) {
        for (const auto& [key, value] : f->obj_.items()) {
            if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
                return error_reply(400, "unknown field '" + key + "'", key);
            }
        }
    }
    return parsed;
}

const nlohmann::json* body_fields::raw(std::string_view key) const {
    auto it = obj_.find(key);
    if (it == obj_.end() || it->is_null()) return nullptr;
    return &*it;
}

void body_fields::fail(std::string_view field, std::string_view message) {
    if (error_) return;  // the first error is the one reported
    error_ = error_reply(400, std::string(field) + " " + std::string(message), field);
}

std::optional<std::string> body_fields::string(std::string_view key) {
    const auto* v = raw(key);
    if (!v) return std::nullopt;
    if (!v->is_string()) {
        fail(key, "must be a string");
        return std::nullopt;
    }
    return v->get<std::string>();
}

std::string body_fields::required_string(std::string_view key) {
    auto v = string(key);
    if (!v) {
        if (!raw(key)) fail(key, "is required");
        return {};
    }
    return std::move(*v);
}

std::optional<bool> body_fields::boolean(std::string_view key) {
    const auto* v = raw(key);
    if (!v) return std::nullopt;
    if (!v->is_boolean()) {
        fail(key, "must be true or false");
        return std::nullopt;
    }
    return v->get<bool>();
}

std::optional<int64_t> body_fields::integer(std::string_view key, int64_t min, int64_t max) {
    const auto* v = raw(key);
    if (!v) return std::nullopt;
    const std::string range =
        "must be an integer from " + std::to_string(min) + " to " + std::to_string(max);
    int64_t n = 0;
    if (v->is_number_integer() && !v->is_number_unsigned()) {
        n = v->get<int64_t>();
    } else if (v->is_number_unsigned()) {
        const auto u = v->get<uint64_t>();
        if (u > static_cast<uint64_t>(max)) {
            fail(key, range);
            return std::nullopt;
        }
        n = static_cast<int64_t>(u);
    } else {
        fail(key, range);
        return std::nullopt;
    }
    if (n < min || n > max) {
        fail(key, range);
        return std::nullopt;
    }
    return n;
}

// ---- lists -----------------------------------------------------------------

namespace {

std::optional<int64_t> parse_int(std::string_view s) {
    int64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
    return v;
}

}  // namespace

std::variant<list_query, reply> parse_list_query(const request& r) {
    list_query q;
    if (r.has_query("page")) {
        auto v = parse_int(r.query_value("page"));
        if (!v || *v < 1 || *v > 1'000'000'000) {
            return error_reply(400, "page must be an integer from 1 to 1000000000", "page");
        }
        q.page = *v;
    }
    if (r.has_query("limit")) {
        auto v = parse_int(r.query_value("limit"));
        if (!v || *v < 1 || *v > 1000) {
            return error_reply(400, "limit must be an integer from 1 to 1000", "limit");
        }
        q.limit = *v;
    }
    q.name = r.query_value("name");
    q.tenant = r.query_value("tenant");
    return q;
}

bool name_matches(const list_query& q, std::string_view name) {
    return q.name.empty() || name.find(q.name) != std::string_view::npos;
}

}  // namespace robust::admin::detail
