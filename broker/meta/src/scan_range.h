#pragma once
// Where a scan(prefix, limit, start_after) starts, shared by both engines so
// paging behaves identically.

#include <string_view>

namespace robust::meta::detail {

/// The first key a scan must look at: the prefix itself, or the page cursor
/// when that sorts later. Keys equal to `start_after` are then skipped.
inline std::string_view scan_seek_key(std::string_view prefix, std::string_view start_after) {
    return start_after > prefix ? start_after : prefix;
}

}  // namespace robust::meta::detail
