#include "auth/types.h"

#include <array>

namespace robust::auth {
namespace {

// One table per enum, indexed by the enumerator, so to_string and parse
// cannot disagree.
constexpr std::array<std::string_view, 3> resource_names = {"all", "client_id", "username"};
constexpr std::array<std::string_view, 4> action_names = {"all", "publish", "subscribe", "retain"};
constexpr std::array<std::string_view, 2> permission_names = {"allow", "deny"};
constexpr std::array<std::string_view, 6> blacklist_names = {
    "client_id", "username", "ip", "client_id_regex", "username_regex", "cidr"};

template <class Enum, size_t N>
std::string_view name_of(const std::array<std::string_view, N>& names, Enum v) noexcept {
    const auto i = static_cast<size_t>(v);
    return i < N ? names[i] : std::string_view("unknown");
}

template <class Enum, size_t N>
std::optional<Enum> parse_name(const std::array<std::string_view, N>& names,
                               std::string_view s) noexcept {
    for (size_t i = 0; i < N; ++i) {
        if (names[i] == s) return static_cast<Enum>(i);
    }
    return std::nullopt;
}

}  // namespace

std::string_view to_string(acl_resource v) noexcept {
    return name_of(resource_names, v);
}
std::string_view to_string(acl_action v) noexcept {
    return name_of(action_names, v);
}
std::string_view to_string(acl_permission v) noexcept {
    return name_of(permission_names, v);
}
std::string_view to_string(blacklist_type v) noexcept {
    return name_of(blacklist_names, v);
}

std::optional<acl_resource> parse_acl_resource(std::string_view s) noexcept {
    return parse_name<acl_resource>(resource_names, s);
}
std::optional<acl_action> parse_acl_action(std::string_view s) noexcept {
    return parse_name<acl_action>(action_names, s);
}
std::optional<acl_permission> parse_acl_permission(std::string_view s) noexcept {
    return parse_name<acl_permission>(permission_names, s);
}
std::optional<blacklist_type> parse_blacklist_type(std::string_view s) noexcept {
    return parse_name<blacklist_type>(blacklist_names, s);
}

}  // namespace robust::auth
