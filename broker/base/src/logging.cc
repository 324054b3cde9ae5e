#include "base/logging.h"

#include <spdlog/spdlog.h>

#include "base/errc.h"

namespace robust::logging {
status set_level(std::string_view level) {
    auto lvl = spdlog::level::from_str(std::string(level));
    // from_str maps unknown names to "off"; only accept "off" when asked for.
    if (lvl == spdlog::level::off && level != "off") return errc::invalid_argument;
    spdlog::set_level(lvl);
    return {};
}

std::string_view level() {
    switch (spdlog::get_level()) {
        case spdlog::level::trace:
            return "trace";
        case spdlog::level::debug:
            return "debug";
        case spdlog::level::info:
            return "info";
        case spdlog::level::warn:
            return "warn";
        case spdlog::level::err:
        case spdlog::level::critical:
            return "error";
        case spdlog::level::off:
        case spdlog::level::n_levels:
            break;
    }
    return "off";
}

status init(std::string_view level) {
    if (auto s = set_level(level); !s) return s;
    spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %^%l%$ [%t] %v");
    spdlog::flush_on(spdlog::level::warn);
    return {};
}
}  // namespace robust::logging
