#pragma once
// IP addresses and networks as ACL rules, bans and the anonymous "loopback"
// policy compare them: parsed once (inet_pton), compared as bytes. An
// IPv4-mapped IPv6 address (::ffff:10.0.0.1, what a dual-stack listener
// reports for an IPv4 client) is the IPv4 address, so rules written for
// IPv4 apply to it. Not part of the module's API.
//
// Plain values and pure functions: any thread.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace robust::auth::detail {

struct ip_address {
    bool v6 = false;
    std::array<uint8_t, 16> bytes{};  // IPv4 uses the first 4

    size_t bits() const noexcept { return v6 ? 128 : 32; }
    friend bool operator==(const ip_address&, const ip_address&) = default;
};

/// "10.0.0.1", "::1", "::ffff:10.0.0.1" (-> IPv4). A zone suffix ("%eth0")
/// is ignored. nullopt for anything else (no brackets, no port).
std::optional<ip_address> parse_ip(std::string_view s);

/// Canonical text (inet_ntop): "::0001" -> "::1".
std::string to_string(const ip_address& a);

struct ip_network {
    ip_address base;  // host bits cleared
    uint8_t prefix = 0;

    bool contains(const ip_address& a) const noexcept;
};

/// "10.0.0.0/8", "fd00::/8"; with `allow_address` also a bare address (a
/// network of one). Host bits are cleared ("10.1.2.3/8" is 10.0.0.0/8).
/// nullopt for a bad address or a prefix length out of range.
std::optional<ip_network> parse_network(std::string_view s, bool allow_address);

/// Canonical text of a network: "10.0.0.0/8".
std::string to_string(const ip_network& n);

/// 127.0.0.0/8, ::1 or ::ffff:127.x.x.x; false for anything unparsable.
bool is_loopback(std::string_view peer_ip);

}  // namespace robust::auth::detail
