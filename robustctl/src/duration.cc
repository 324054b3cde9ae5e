#include "duration.h"

#include <array>
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

}  // namespace robust::ctl
