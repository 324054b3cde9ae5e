#pragma once
// Durations typed by operators: "0", "500ms", "30s", "10m", "1h", "7d" and
// sums of them ("1h30m"). A bare number other than 0 is refused, so "10"
// cannot silently mean seconds to one reader and milliseconds to another.
// Pure: any thread.

#include <cstdint>
#include <string>
#include <string_view>

#include "base/errc.h"
#include "base/result.h"

namespace robust::ctl {

/// Milliseconds in `text`. Errors: errc::invalid_argument for an empty
/// string, a missing or unknown unit, a negative number or an overflow.
result<int64_t> parse_duration_ms(std::string_view text);

/// The shortest exact spelling of `ms` in the units above ("1h30m", "250ms",
/// "0"). Negative values are written as "-" followed by the spelling.
std::string format_duration_ms(int64_t ms);

/// An instant typed by an operator (group reset-offsets --to-datetime), as
/// ms since the epoch: "2024-05-01T14:03:07" (or a blank instead of "T";
/// seconds and ".sss" optional; just the date means midnight) in local
/// time, or with "Z", "+02:00" or "-0530" for an explicit offset; or a bare
/// number of ms since the epoch. Errors: errc::invalid_argument for
/// anything else (a field out of range included).
result<int64_t> parse_datetime_ms(std::string_view text);

}  // namespace robust::ctl
