#pragma once
// A strict reader of the Prometheus text format 0.0.4, for the tests: checks
// every line and gives the samples back by name and labels.
//
// Checked: every non-comment line is `name{label="value",...} value
// [timestamp]` with valid names and escapes; # TYPE is one of the known types,
// at most once per family and before its samples; # HELP at most once; every
// sample belongs to a family with a # TYPE (a histogram's _bucket/_sum/_count,
// with `le` on every bucket); no series appears twice.

#include <cmath>
#include <cstdlib>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace robust::metrics::test {

using label_set = std::map<std::string, std::string>;

struct sample {
    std::string name;
    label_set labels;
    double value = 0;
};

struct exposition {
    std::map<std::string, std::string> types;  // family -> counter, gauge, ...
    std::map<std::string, std::string> help;   // family -> help text
    std::vector<sample> samples;
    std::vector<std::string> errors;  // "line N: what"; empty when valid

    /// The value of the series `name` with exactly `labels`; nullopt if absent.
    std::optional<double> value(std::string_view name, const label_set& labels = {}) const {
        for (const auto& s : samples) {
            if (s.name == name && s.labels == labels) return s.value;
        }
        return std::nullopt;
    }
    /// Every series of `name` (any labels).
    std::vector<sample> series(std::string_view name) const {
        std::vector<sample> out;
        for (const auto& s : samples) {
            if (s.name == name) out.push_back(s);
        }
        return out;
    }
};

namespace detail {

inline bool name_start(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
}
inline bool name_char(char c) {
    return name_start(c) || (c >= '0' && c <= '9');
}

inline bool valid_name(std::string_view n, bool allow_colon = true) {
    if (n.empty() || !name_start(n[0]) || (!allow_colon && n[0] == ':')) return false;
    for (char c : n) {
        if (!name_char(c) || (!allow_colon && c == ':')) return false;
    }
    return true;
}

inline std::optional<double> parse_value(const std::string& s) {
    if (s == "+Inf") return HUGE_VAL;
    if (s == "-Inf") return -HUGE_VAL;
    if (s == "NaN") return NAN;
    if (s.empty()) return std::nullopt;
    char* end = nullptr;
    const double v = std::strtod(s.c_str(), &end);
    if (end != s.c_str() + s.size()) return std::nullopt;
    return v;
}

// Parses `{a="x",b="y"}` at `pos`; leaves pos after the '}'.
inline std::optional<label_set> parse_labels(std::string_view line, size_t& pos, std::string& why) {
    label_set labels;
    ++pos;  // '{'
    while (pos < line.size() && line[pos] != '}') {
        const size_t start = pos;
        while (pos < line.size() && name_char(line[pos])) ++pos;
        const std::string key(line.substr(start, pos - start));
        if (!valid_name(key, false)) {
            why = "bad label name '" + key + "'";
            return std::nullopt;
        }
        if (pos + 1 >= line.size() || line[pos] != '=' || line[pos + 1] != '"') {
            why = "expected =\" after label " + key;
            return std::nullopt;
        }
        pos += 2;
        std::string value;
        for (;;) {
            if (pos >= line.size()) {
                why = "unterminated label value";
                return std::nullopt;
            }
            const char c = line[pos++];
            if (c == '"') break;
            if (c == '\\') {
                if (pos >= line.size()) {
                    why = "dangling escape";
                    return std::nullopt;
                }
                const char e = line[pos++];
                if (e == 'n') {
                    value.push_back('\n');
                } else if (e == '\\' || e == '"') {
                    value.push_back(e);
                } else {
                    why = std::string("bad escape \\") + e;
                    return std::nullopt;
                }
            } else {
                value.push_back(c);
            }
        }
        if (!labels.emplace(key, value).second) {
            why = "label " + key + " twice";
            return std::nullopt;
        }
        if (pos < line.size() && line[pos] == ',') ++pos;
    }
    if (pos >= line.size()) {
        why = "unterminated label set";
        return std::nullopt;
    }
    ++pos;  // '}'
    return labels;
}

// The family a sample name belongs to, given the declared types.
inline std::optional<std::string> family_of(const std::map<std::string, std::string>& types,
                                            const std::string& name, bool& is_bucket) {
    is_bucket = false;
    if (auto it = types.find(name); it != types.end()) {
        if (it->second != "histogram" && it->second != "summary") return name;
    }
    for (std::string_view suffix : {"_bucket", "_sum", "_count"}) {
        if (name.size() <= suffix.size() || !name.ends_with(suffix)) continue;
        const std::string base = name.substr(0, name.size() - suffix.size());
        auto it = types.find(base);
        if (it == types.end()) continue;
        if (it->second == "histogram" || (it->second == "summary" && suffix != "_bucket")) {
            is_bucket = suffix == "_bucket";
            return base;
        }
    }
    return std::nullopt;
}

}  // namespace detail

inline exposition parse_exposition(const std::string& text) {
    exposition out;
    std::set<std::string> seen_series;
    std::set<std::string> with_samples;
    auto fail = [&](size_t n, const std::string& why) {
        out.errors.push_back("line " + std::to_string(n) + ": " + why);
    };
    if (!text.empty() && text.back() != '\n') fail(0, "output does not end with a newline");
    std::istringstream in(text);
    std::string line;
    size_t n = 0;
    while (std::getline(in, line)) {
        ++n;
        if (line.empty()) continue;
        if (line[0] == '#') {
            std::istringstream c(line);
            std::string hash, kind, name;
            c >> hash >> kind >> name;
            if (kind != "HELP" && kind != "TYPE") continue;  // a plain comment
            if (!detail::valid_name(name)) {
                fail(n, "bad family name in " + kind);
                continue;
            }
            std::string rest;
            std::getline(c, rest);
            if (!rest.empty() && rest[0] == ' ') rest.erase(0, 1);
            if (kind == "HELP") {
                if (!out.help.emplace(name, rest).second) fail(n, "second HELP for " + name);
                continue;
            }
            static const std::set<std::string> known = {"counter", "gauge", "histogram", "summary",
                                                        "untyped"};
            if (!known.contains(rest)) fail(n, "unknown type '" + rest + "'");
            if (with_samples.contains(name)) fail(n, "TYPE of " + name + " after its samples");
            if (!out.types.emplace(name, rest).second) fail(n, "second TYPE for " + name);
            continue;
        }

        sample s;
        size_t pos = 0;
        while (pos < line.size() && detail::name_char(line[pos])) ++pos;
        s.name = line.substr(0, pos);
        if (!detail::valid_name(s.name)) {
            fail(n, "bad metric name");
            continue;
        }
        if (pos < line.size() && line[pos] == '{') {
            std::string why;
            auto labels = detail::parse_labels(line, pos, why);
            if (!labels) {
                fail(n, why);
                continue;
            }
            s.labels = std::move(*labels);
        }
        if (pos >= line.size() || line[pos] != ' ') {
            fail(n, "expected a space before the value");
            continue;
        }
        std::istringstream rest(line.substr(pos + 1));
        std::string value, timestamp, extra;
        rest >> value >> timestamp >> extra;
        auto v = detail::parse_value(value);
        if (!v) {
            fail(n, "bad value '" + value + "'");
            continue;
        }
        if (!timestamp.empty() && timestamp.find_first_not_of("-0123456789") != std::string::npos) {
            fail(n, "bad timestamp");
        }
        if (!extra.empty()) fail(n, "trailing text");
        s.value = *v;

        bool is_bucket = false;
        auto family = detail::family_of(out.types, s.name, is_bucket);
        if (!family) {
            fail(n, "sample " + s.name + " has no # TYPE");
        } else {
            with_samples.insert(*family);
            if (is_bucket && !s.labels.contains("le")) fail(n, "bucket without le");
        }
        std::string key = s.name;
        for (const auto& [k, val] : s.labels) key += "|" + k + "=" + val;
        if (!seen_series.insert(key).second) fail(n, "series repeated: " + key);
        out.samples.push_back(std::move(s));
    }
    return out;
}

}  // namespace robust::metrics::test
