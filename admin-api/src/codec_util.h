#pragma once
// Small byte codecs the admin API needs: base64 (payloads, Basic auth),
// base64url (generated secrets) and a UTF-8 validity check (whether a
// retained payload can be shown as text). Pure functions: any thread.

#include <optional>
#include <string>
#include <string_view>

namespace robust::admin::detail {

/// RFC 4648 section 4, with '=' padding.
std::string base64_encode(std::string_view bytes);
/// RFC 4648 section 5 (URL and file name safe alphabet), without padding.
std::string base64url_encode(std::string_view bytes);
/// Strict RFC 4648 section 4: only the standard alphabet, padding optional
/// but correct when present, no whitespace, unused bits zero. nullopt when
/// the text is not base64.
std::optional<std::string> base64_decode(std::string_view text);

/// Well-formed UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing
/// above U+10FFFF.
bool valid_utf8(std::string_view s) noexcept;

}  // namespace robust::admin::detail
