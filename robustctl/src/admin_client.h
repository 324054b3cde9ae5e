#pragma once
// Executes one admin API `request` over HTTP(S) with cpp-httplib and
// returns the answer, or why there was none. A refused connection is
// diagnosed with a plain TCP connect so the message names the OS error
// ("Connection refused") rather than httplib's generic one.
//
// Blocking; one call at a time per thread. Holds no state between calls.

#include <optional>
#include <string>

#include "credentials.h"
#include "request.h"

namespace robust::ctl {

struct http_answer {
    int status = 0;
    std::string body;
    std::string retry_after;  // the Retry-After header, if any
};

struct http_outcome {
    std::optional<http_answer> answer;
    std::string failure;  // without an answer: "Connection refused", "TLS handshake failed", ...
};

/// Sends `req` to `server` with `creds` (when req.send_credentials).
http_outcome execute_request(const server_url& server, const credentials& creds,
                             const request& req);

}  // namespace robust::ctl
