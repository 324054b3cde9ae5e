#pragma once
// Base64 (RFC 4648): binary inside JSON (retained correlation data, API
// payloads), PHC password strings and admin tokens. One implementation for
// every module. Pure functions: any thread.

#include <optional>
#include <string>
#include <string_view>

namespace robust::base64 {

enum class alphabet {
    standard,  // section 4: A-Z a-z 0-9 + /
    url,       // section 5: A-Z a-z 0-9 - _  (URL and file name safe)
};

/// With `pad`, the output length is a multiple of 4 ('=' filled).
std::string encode(std::string_view bytes, alphabet a = alphabet::standard, bool pad = true);

/// Strict: only the alphabet's characters, '=' padding optional but
/// complete and only at the end when present, no whitespace, unused trailing
/// bits zero (so every byte string has exactly one unpadded encoding).
/// nullopt when `text` is not such base64.
std::optional<std::string> decode(std::string_view text, alphabet a = alphabet::standard);

}  // namespace robust::base64
