#include "base/assert.h"

#include <spdlog/spdlog.h>

#include <cstdio>
#include <cstdlib>

namespace robust::detail {
void assert_failed(const char* expr, const char* file, int line, const std::string& msg) {
    spdlog::critical("assertion failed: {} at {}:{}: {}", expr, file, line, msg);
    spdlog::default_logger()->flush();
    std::fprintf(stderr, "assertion failed: %s at %s:%d: %s\n", expr, file, line, msg.c_str());
    std::abort();
}
}  // namespace robust::detail
