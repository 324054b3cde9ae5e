#pragma once
// Reading and writing the JSON values of metadata records ({"v":1, ...},
// meta/model.h), for every module that stores records in the meta store
// (meta's own model, auth/). One set of strict readers: a value that parses
// as JSON but is not what we wrote is corruption, a newer format version is
// unsupported.
//
// Decoders run inside guarded_decode(): the readers throw a private
// exception that guarded_decode turns into the result's error before it
// leaves the decoder, so no exception crosses a module boundary.
//
// Pure functions: any thread.

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "base/errc.h"
#include "base/result.h"

namespace robust::meta::json_record {

using json = nlohmann::json;

inline constexpr int64_t format_version = 1;

/// What the readers throw; caught by guarded_decode.
struct decode_failure {
    errc code;
};

[[noreturn]] inline void corrupt() {
    throw decode_failure{errc::corruption};
}

inline const json& field(const json& j, const char* name) {
    auto it = j.find(name);
    if (it == j.end()) corrupt();
    return *it;
}

/// An integer that fits Int, else corruption.
template <class Int = int64_t>
Int read_int(const json& v) {
    if (!v.is_number_integer()) corrupt();
    if (v.is_number_unsigned()) {
        const auto u = v.get<uint64_t>();
        if (!std::in_range<Int>(u)) corrupt();
        return static_cast<Int>(u);
    }
    const auto i = v.get<int64_t>();
    if (!std::in_range<Int>(i)) corrupt();
    return static_cast<Int>(i);
}

template <class Int = int64_t>
Int read_int(const json& j, const char* name) {
    return read_int<Int>(field(j, name));
}

inline std::string read_string(const json& v) {
    if (!v.is_string()) corrupt();
    return v.get<std::string>();
}

inline std::string read_string(const json& j, const char* name) {
    return read_string(field(j, name));
}

inline bool read_bool(const json& j, const char* name) {
    const json& v = field(j, name);
    if (!v.is_boolean()) corrupt();
    return v.get<bool>();
}

/// The parsed object of a record value, its "v" checked against
/// format_version (newer: unsupported; anything else: corruption).
inline json parse_object(std::string_view text) {
    json j = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
    if (!j.is_object()) corrupt();  // also a parse error: parse() returned "discarded"
    const auto version = read_int<int64_t>(j, "v");
    if (version > format_version) throw decode_failure{errc::unsupported};
    if (version != format_version) corrupt();
    return j;
}

/// Runs `decode` and turns what the readers (or nlohmann) throw into errors:
/// corruption, or unsupported for a newer format version.
template <class F>
auto guarded_decode(F&& decode) -> result<decltype(decode())> {
    try {
        return decode();
    } catch (const decode_failure& e) {
        return e.code;
    } catch (const json::exception&) {
        return errc::corruption;
    }
}

/// The text of a record value. Errors: invalid_argument for a string that
/// is not UTF-8 (the only thing dump() throws for).
inline result<std::string> dump(const json& j) {
    try {
        return j.dump();
    } catch (const json::exception&) {
        return errc::invalid_argument;
    }
}

}  // namespace robust::meta::json_record
