#pragma once
// One admin API call as a value: method, path, query and JSON body, built
// from the command line (invocation.h) and executed by admin_client.h. The
// split lets the tests check every command's request without a server.
//
// Plain values: any thread.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/errc.h"
#include "base/result.h"

namespace robust::ctl {

using json = nlohmann::ordered_json;  // keeps the server's field order for display

struct request {
    std::string method;  // "GET", "POST", "PATCH", "DELETE"
    std::string path;    // percent-encoded, e.g. "/api/v1/topics/a%2Fb"
    std::vector<std::pair<std::string, std::string>> query;  // raw values, in order
    std::optional<json> body;
    /// Whether to send the Authorization header. Off for login (it sends its
    /// credentials in the body) and for the public health routes' first try.
    bool send_credentials = true;

    /// path + "?" + the percent-encoded query ("" query: the path alone).
    std::string target() const;

    friend bool operator==(const request&, const request&) = default;
};

/// Percent-encodes everything but RFC 3986 unreserved characters, so '/'
/// in a topic name becomes %2F and a path parameter stays one segment.
std::string percent_encode(std::string_view s);

/// --server parsed: "http://host:port", "https://host" (port 443),
/// "host:port" (http), "host" (http, port 58080).
struct server_url {
    std::string scheme;  // "http" or "https"
    std::string host;    // without brackets for IPv6
    int port = 0;
    std::string base_path;  // "" or "/prefix" (no trailing slash)

    /// "http://127.0.0.1:58080" (with the base path), for messages.
    std::string display() const;
    /// "http://127.0.0.1:58080" as cpp-httplib's Client wants it.
    std::string scheme_host_port() const;
};

/// Errors: errc::invalid_argument for another scheme, an empty host, a bad
/// port, a query or fragment.
result<server_url> parse_server_url(std::string_view text);

}  // namespace robust::ctl
