#include "address.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace robust::auth::detail {
namespace {

constexpr std::array<uint8_t, 12> v4_mapped_prefix = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

bool is_v4_mapped(const std::array<uint8_t, 16>& b) {
    return std::memcmp(b.data(), v4_mapped_prefix.data(), v4_mapped_prefix.size()) == 0;
}

}  // namespace

std::optional<ip_address> parse_ip(std::string_view s) {
    if (const size_t zone = s.find('%'); zone != std::string_view::npos) s = s.substr(0, zone);
    if (s.empty() || s.size() > 45) return std::nullopt;  // INET6_ADDRSTRLEN - 1
    const std::string text(s);                            // inet_pton wants a NUL-terminated string
    ip_address a;
    if (inet_pton(AF_INET, text.c_str(), a.bytes.data()) == 1) return a;
    std::array<uint8_t, 16> b{};
    if (inet_pton(AF_INET6, text.c_str(), b.data()) != 1) return std::nullopt;
    if (is_v4_mapped(b)) {
        std::memcpy(a.bytes.data(), b.data() + 12, 4);
        return a;
    }
    a.v6 = true;
    a.bytes = b;
    return a;
}

std::string to_string(const ip_address& a) {
    char buf[INET6_ADDRSTRLEN] = {};
    if (inet_ntop(a.v6 ? AF_INET6 : AF_INET, a.bytes.data(), buf, sizeof buf) == nullptr) {
        return {};
    }
    return buf;
}

bool ip_network::contains(const ip_address& a) const noexcept {
    if (a.v6 != base.v6) return false;
    const size_t full = prefix / 8;
    if (std::memcmp(a.bytes.data(), base.bytes.data(), full) != 0) return false;
    const unsigned rest = prefix % 8;
    if (rest == 0) return true;
    const auto mask = static_cast<uint8_t>(0xFF << (8 - rest));
    return (a.bytes[full] & mask) == base.bytes[full];
}

std::optional<ip_network> parse_network(std::string_view s, bool allow_address) {
    const size_t slash = s.find('/');
    if (slash == std::string_view::npos && !allow_address) return std::nullopt;
    const std::string_view addr = s.substr(0, slash);
    if (addr.find('%') != std::string_view::npos) return std::nullopt;  // no zones in rules
    // Parse the address without folding ::ffff:a.b.c.d yet: its prefix length
    // counts IPv6 bits.
    const std::string text(addr);
    ip_network n;
    std::array<uint8_t, 16> b{};
    unsigned max_prefix = 32;
    if (inet_pton(AF_INET, text.c_str(), b.data()) == 1) {
        n.base.v6 = false;
    } else if (inet_pton(AF_INET6, text.c_str(), b.data()) == 1) {
        n.base.v6 = true;
        max_prefix = 128;
    } else {
        return std::nullopt;
    }
    unsigned prefix = max_prefix;
    if (slash != std::string_view::npos) {
        const std::string_view p = s.substr(slash + 1);
        if (p.empty() || p.size() > 3 || (p.size() > 1 && p.front() == '0')) return std::nullopt;
        auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), prefix);
        if (ec != std::errc() || end != p.data() + p.size() || prefix > max_prefix) {
            return std::nullopt;
        }
    }
    if (n.base.v6 && is_v4_mapped(b) && prefix >= 96) {
        // ::ffff:10.0.0.0/104 is 10.0.0.0/8: peers arrive folded to IPv4.
        n.base.v6 = false;
        std::memmove(b.data(), b.data() + 12, 4);
        std::memset(b.data() + 4, 0, 12);
        prefix -= 96;
    }
    n.prefix = static_cast<uint8_t>(prefix);
    // Clear host bits, so equal networks compare and print equal.
    for (size_t i = 0; i < 16; ++i) {
        const size_t bit = i * 8;
        if (bit >= prefix) {
            b[i] = 0;
        } else if (bit + 8 > prefix) {
            b[i] &= static_cast<uint8_t>(0xFF << (8 - (prefix - bit)));
        }
    }
    n.base.bytes = b;
    return n;
}

std::string to_string(const ip_network& n) {
    return to_string(n.base) + "/" + std::to_string(n.prefix);
}

bool is_loopback(std::string_view peer_ip) {
    const auto a = parse_ip(peer_ip);
    if (!a) return false;
    if (!a->v6) return a->bytes[0] == 127;
    static constexpr std::array<uint8_t, 16> v6_loopback = {0, 0, 0, 0, 0, 0, 0, 0,
                                                            0, 0, 0, 0, 0, 0, 0, 1};
    return a->bytes == v6_loopback;
}

}  // namespace robust::auth::detail
