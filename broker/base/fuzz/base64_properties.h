#pragma once
// The properties base64_fuzz checks on every input, shared with the unit test
// that replays tests/fuzz/corpus/base64/:
//   - encode then decode gives the bytes back, in both alphabets, padded or not;
//   - decode is strict: whatever it accepts is the one canonical encoding of
//     what it returns (re-encoding gives the input, up to padding), so two
//     different texts never decode to the same bytes.

#include <string_view>

#include "base/base64.h"

namespace robust::base64 {

/// nullptr when every property holds, else what was violated.
inline const char* violated_property(std::string_view in) {
    auto without_padding = [](std::string_view s) {
        while (!s.empty() && s.back() == '=') s.remove_suffix(1);
        return s;
    };
    for (alphabet a : {alphabet::standard, alphabet::url}) {
        for (bool pad : {true, false}) {
            const auto back = decode(encode(in, a, pad), a);
            if (!back || *back != in) return "decode(encode(x)) != x";
        }
        if (auto bytes = decode(in, a)) {
            if (encode(*bytes, a, false) != without_padding(in)) {
                return "decode accepted a non-canonical encoding";
            }
        }
    }
    return nullptr;
}

}  // namespace robust::base64
