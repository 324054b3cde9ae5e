#include "base/logging.h"

#include <spdlog/spdlog.h>

#include "base/errc.h"

namespace robust::logging {
status init(std::string_view level) {
    auto lvl = spdlog::level::from_str(std::string(level));
    // from_str maps unknown names to "off"; only accept "off" when asked for.
    if (lvl == spdlog::level::off && level != "off") return errc::invalid_argument;
    spdlog::set_level(lvl);
    spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %^%l%$ [%t] %v");
    spdlog::flush_on(spdlog::level::warn);
    return {};
}
}  // namespace robust::logging
