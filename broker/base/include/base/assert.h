#pragma once
// BROKER_ASSERT: for broken invariants only (never for user or network input).
// Always on, also in release builds: logs the location and aborts.

#include <sstream>

namespace robust::detail {
[[noreturn]] void assert_failed(const char* expr, const char* file, int line,
                                const std::string& msg);
}  // namespace robust::detail

#define BROKER_ASSERT(cond, msg)                                                                 \
    do {                                                                                         \
        if (!(cond)) [[unlikely]] {                                                              \
            std::ostringstream broker_assert_os_;                                                \
            broker_assert_os_ << msg; /* NOLINT */                                               \
            ::robust::detail::assert_failed(#cond, __FILE__, __LINE__, broker_assert_os_.str()); \
        }                                                                                        \
    } while (0)
