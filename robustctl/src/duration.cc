#include "duration.h"

#include <array>
#include <charconv>
#include <ctime>
#include <limits>
#include <utility>

namespace robust::ctl {
namespace {

struct unit {
    std::string_view name;
    int64_t ms;
};

// Longest names first where one is a prefix of another ("ms" before "m").
constexpr std::array<unit, 5> units{{
    {"d", 86'400'000},
    {"h", 3'600'000},
    {"ms", 1},
    {"m", 60'000},
    {"s", 1'000},
}};

}  // namespace

result<int64_t> parse_duration_ms(std::string_view text) {
    if (text.empty()) return errc::invalid_argument;
    if (text == "0") return int64_t{0};
    int64_t total = 0;
    size_t i = 0;
    while (i < text.size()) {
        if (text[i] < '0' || text[i] > '9') return errc::invalid_argument;
        int64_t number = 0;
        while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
            if (number > (std::numeric_limits<int64_t>::max() - 9) / 10) {
                return errc::invalid_argument;
            }
            number = number * 10 + (text[i] - '0');
            ++i;
        }
        const unit* found = nullptr;
        for (const auto& u : units) {
            if (text.substr(i, u.name.size()) == u.name) {
                found = &u;
                break;
            }
        }
        if (found == nullptr) return errc::invalid_argument;
        i += found->name.size();
        if (number > std::numeric_limits<int64_t>::max() / found->ms) {
            return errc::invalid_argument;
        }
        const int64_t part = number * found->ms;
        if (total > std::numeric_limits<int64_t>::max() - part) return errc::invalid_argument;
        total += part;
    }
    return total;
}

std::string format_duration_ms(int64_t ms) {
    if (ms == 0) return "0";
    std::string out;
    uint64_t left = 0;
    if (ms < 0) {
        out = "-";
        left = uint64_t(0) - static_cast<uint64_t>(ms);
    } else {
        left = static_cast<uint64_t>(ms);
    }
    constexpr std::array<std::pair<std::string_view, uint64_t>, 5> order{{
        {"d", 86'400'000},
        {"h", 3'600'000},
        {"m", 60'000},
        {"s", 1'000},
        {"ms", 1},
    }};
    for (const auto& [name, size] : order) {
        if (left >= size) {
            out += std::to_string(left / size);
            out += name;
            left %= size;
        }
    }
    return out;
}

namespace {

// Reads exactly `n` digits at `i` into `out`.
bool digits(std::string_view t, size_t& i, size_t n, int& out) {
    if (i + n > t.size()) return false;
    int v = 0;
    for (size_t k = 0; k < n; ++k) {
        const char c = t[i + k];
        if (c < '0' || c > '9') return false;
        v = v * 10 + (c - '0');
    }
    i += n;
    out = v;
    return true;
}

bool expect(std::string_view t, size_t& i, char c) {
    if (i >= t.size() || t[i] != c) return false;
    ++i;
    return true;
}

}  // namespace

result<int64_t> parse_datetime_ms(std::string_view t) {
    if (t.empty()) return errc::invalid_argument;
    if (t.find_first_not_of("0123456789") == std::string_view::npos) {
        int64_t ms = 0;
        auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), ms);
        if (ec != std::errc() || p != t.data() + t.size()) return errc::invalid_argument;
        return ms;
    }
    size_t i = 0;
    int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, millis = 0;
    if (!digits(t, i, 4, year) || !expect(t, i, '-') || !digits(t, i, 2, month) ||
        !expect(t, i, '-') || !digits(t, i, 2, day)) {
        return errc::invalid_argument;
    }
    if (i < t.size() && (t[i] == 'T' || t[i] == ' ')) {
        ++i;
        if (!digits(t, i, 2, hour) || !expect(t, i, ':') || !digits(t, i, 2, minute)) {
            return errc::invalid_argument;
        }
        if (i < t.size() && t[i] == ':') {
            ++i;
            if (!digits(t, i, 2, second)) return errc::invalid_argument;
            if (i < t.size() && t[i] == '.') {
                ++i;
                if (!digits(t, i, 3, millis)) return errc::invalid_argument;
            }
        }
    }
    bool utc = false;
    int offset_min = 0;
    if (i < t.size()) {
        if (t[i] == 'Z' && i + 1 == t.size()) {
            utc = true;
            ++i;
        } else if (t[i] == '+' || t[i] == '-') {
            const int sign = t[i] == '-' ? -1 : 1;
            ++i;
            int oh = 0, om = 0;
            if (!digits(t, i, 2, oh)) return errc::invalid_argument;
            if (i < t.size() && t[i] == ':') ++i;
            if (!digits(t, i, 2, om) || oh > 23 || om > 59) return errc::invalid_argument;
            utc = true;
            offset_min = sign * (oh * 60 + om);
        }
    }
    if (i != t.size() || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 ||
        minute > 59 || second > 60) {
        return errc::invalid_argument;
    }
    std::tm tm{};
    tm.tm_year = year - 1900;
    tm.tm_mon = month - 1;
    tm.tm_mday = day;
    tm.tm_hour = hour;
    tm.tm_min = minute;
    tm.tm_sec = second;
    tm.tm_isdst = -1;
    const std::time_t secs = utc ? timegm(&tm) : std::mktime(&tm);
    if (secs == static_cast<std::time_t>(-1)) return errc::invalid_argument;
    return (static_cast<int64_t>(secs) - int64_t{offset_min} * 60) * 1000 + millis;
}

}  // namespace robust::ctl
