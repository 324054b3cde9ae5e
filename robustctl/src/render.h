#pragma once
// How answers of the admin API are shown: `--output json` prints the
// server's JSON pretty-printed; `--output table` prints aligned tables with
// timestamps as ISO-8601 local time, booleans as yes/no, durations as
// "1h30m", and a "page 1 of 3, 120 items" line under lists. Errors become
// one line for stderr: "error: 400 bad_request: username: must not contain '@'".
//
// Pure functions of their input (and of the process's time zone, through
// localtime_r). Any thread.

#include <cstdint>
#include <string>

#include "invocation.h"

namespace robust::ctl {

/// What to print and the exit code.
struct rendered {
    std::string out;  // stdout
    std::string err;  // stderr
    int exit = 0;
};

/// `ms` since the epoch as local time, "2024-05-01T14:03:07+02:00" ("Z" for
/// UTC).
std::string format_timestamp_ms(int64_t ms);

/// One table cell: `value` of field `key`, formatted by the field's name and
/// JSON type (see the file comment). Null is "-".
std::string format_field(const std::string& key, const json& value);

/// The column header of field `key`: upper case, without the "_ms" unit
/// ("created_ms" -> "CREATED").
std::string field_header(const std::string& key);

/// A successful answer (`status` 2xx; `body` may be empty for 204).
rendered render_success(const admin_call& call, const std::string& body, output_format format);

/// A 4xx/5xx answer: the error line for stderr (the exit code is 1).
/// `retry_after` is the Retry-After header, if any.
std::string render_error(int status, const std::string& body, const std::string& retry_after);

}  // namespace robust::ctl
