#pragma once
// A UTF-8 validity check (whether a retained payload can be shown as text);
// base64 is base/base64.h. Pure function: any thread.

#include <optional>
#include <string>
#include <string_view>

namespace robust::admin::detail {

/// Well-formed UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing
/// above U+10FFFF.
bool valid_utf8(std::string_view s) noexcept;

}  // namespace robust::admin::detail
