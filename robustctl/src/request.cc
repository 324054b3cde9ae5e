#include "request.h"

#include <charconv>

namespace robust::ctl {

std::string percent_encode(std::string_view s) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(s.size());
    for (char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                                (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
                                c == '~';
        if (unreserved) {
            out += ch;
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 0xF];
        }
    }
    return out;
}

std::string request::target() const {
    std::string t = path;
    char sep = '?';
    for (const auto& [k, v] : query) {
        t += sep;
        t += percent_encode(k);
        t += '=';
        t += percent_encode(v);
        sep = '&';
    }
    return t;
}

std::string server_url::scheme_host_port() const {
    const bool v6 = host.find(':') != std::string::npos;
    return scheme + "://" + (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::string server_url::display() const {
    return scheme_host_port() + base_path;
}

result<server_url> parse_server_url(std::string_view text) {
    server_url u;
    std::string_view rest = text;
    const auto scheme_end = rest.find("://");
    const bool had_scheme = scheme_end != std::string_view::npos;
    if (had_scheme) {
        u.scheme = std::string(rest.substr(0, scheme_end));
        rest.remove_prefix(scheme_end + 3);
    } else {
        u.scheme = "http";
    }
    if (u.scheme != "http" && u.scheme != "https") return errc::invalid_argument;
    if (rest.find_first_of("?#") != std::string_view::npos) return errc::invalid_argument;
    std::string_view authority = rest.substr(0, rest.find('/'));
    std::string_view path =
        rest.size() > authority.size() ? rest.substr(authority.size()) : std::string_view();
    while (!path.empty() && path.back() == '/') path.remove_suffix(1);
    u.base_path = std::string(path);

    std::string_view port_text;
    if (!authority.empty() && authority.front() == '[') {
        const auto close = authority.find(']');
        if (close == std::string_view::npos) return errc::invalid_argument;
        u.host = std::string(authority.substr(1, close - 1));
        std::string_view after = authority.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':') return errc::invalid_argument;
            port_text = after.substr(1);
        }
    } else {
        const auto colon = authority.rfind(':');
        if (colon != std::string_view::npos) {
            u.host = std::string(authority.substr(0, colon));
            port_text = authority.substr(colon + 1);
        } else {
            u.host = std::string(authority);
        }
    }
    if (u.host.empty() || u.host.find_first_of(" @") != std::string::npos) {
        return errc::invalid_argument;
    }
    if (port_text.empty()) {
        if (authority.back() == ':') return errc::invalid_argument;
        // A bare "host" means the admin API's default port; a URL its scheme's.
        u.port = !had_scheme ? 58080 : u.scheme == "https" ? 443 : 80;
    } else {
        int port = 0;
        auto [ptr, ec] =
            std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
        if (ec != std::errc() || ptr != port_text.data() + port_text.size() || port < 1 ||
            port > 65535) {
            return errc::invalid_argument;
        }
        u.port = port;
    }
    return u;
}

}  // namespace robust::ctl
