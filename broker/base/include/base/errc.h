#pragma once
// Error codes shared by every module. Protocols map these onto their wire
// codes in one error_mapping each; never compare messages, compare codes.

#include <system_error>

namespace robust {

enum class errc {
    success = 0,
    need_more_data,  // a decoder needs more input bytes; not a failure
    malformed,       // input violates the protocol / format
    protocol_error,  // input is well-formed but not allowed here
    too_large,       // a size is above its configured limit
    not_found,
    already_exists,
    invalid_argument,
    io_error,        // the storage engine or the OS failed
    corruption,      // stored data failed a check
    shutting_down,   // the service is stopping and refuses new work
    limit_exceeded,  // a count limit (connections, queue, inflight) is reached
    timeout,
    unsupported,
    not_authorized,
};

const std::error_category& robust_category() noexcept;

inline std::error_code make_error_code(errc e) noexcept {
    return {static_cast<int>(e), robust_category()};
}

}  // namespace robust

template <>
struct std::is_error_code_enum<robust::errc> : std::true_type {};
