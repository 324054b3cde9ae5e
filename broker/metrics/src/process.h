#pragma once
// Internal: the process metrics, read from /proc (Linux only).

#include <cstdint>

#include "base/result.h"

namespace robust::metrics::detail {

struct process_sample {
    double cpu_seconds = 0;  // user + system
    uint64_t resident_bytes = 0;
    uint64_t virtual_bytes = 0;
    uint64_t open_fds = 0;
    uint64_t max_fds = 0;  // soft RLIMIT_NOFILE
    uint64_t threads = 0;
    double start_time_seconds = 0;  // since the Unix epoch
};

/// Reads /proc/self/stat, /proc/stat (boot time), /proc/self/fd and
/// getrlimit. Blocking but cheap (a few small /proc reads); any thread.
/// Errors: io_error when /proc cannot be read or parsed.
result<process_sample> read_process_sample();

}  // namespace robust::metrics::detail
