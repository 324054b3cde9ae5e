#pragma once
// Logging set-up. Modules log through spdlog's default logger
// (spdlog::info(...)); this only configures it once, in main or a test.

#include <string_view>

#include "base/result.h"

namespace robust::logging {

/// Sets the default logger's level ("trace".."off") and a structured,
/// single-line pattern. Returns invalid_argument for an unknown level.
status init(std::string_view level);

/// Changes the default logger's level at runtime ("trace".."off").
/// Returns invalid_argument for an unknown level.
status set_level(std::string_view level);

/// The default logger's level as init() and set_level() name it:
/// "trace", "debug", "info", "warn", "error" or "off".
std::string_view level();

}  // namespace robust::logging
