#include "router/topic.h"

#include "router/detail/containers.h"

namespace robust::router {
namespace {

constexpr std::string_view share_prefix = "$share/";
constexpr std::string_view queue_prefix = "$queue/";

using detail::level_cursor;

}  // namespace

bool is_valid_topic_name(std::string_view topic) {
    if (topic.empty() || topic.size() > max_topic_length) return false;  // [MQTT-4.7.3-1]
    // [MQTT-3.3.2-2] no wildcards in a topic name; [MQTT-4.7.3-2] no U+0000.
    return topic.find_first_of(std::string_view("+#\0", 3)) == std::string_view::npos;
}

bool is_valid_topic_filter(std::string_view filter) {
    if (filter.empty() || filter.size() > max_topic_length) return false;  // [MQTT-4.7.3-1]
    if (filter.find('\0') != std::string_view::npos) return false;         // [MQTT-4.7.3-2]
    level_cursor cur{filter};
    while (cur.more) {
        const std::string_view level = cur.next();
        if (level == "#") {
            if (cur.more) return false;  // [MQTT-4.7.1-1] '#' must be the last level
            continue;
        }
        if (level == "+") continue;
        // [MQTT-4.7.1-1] [MQTT-4.7.1-2] a wildcard must occupy a whole level.
        if (level.find_first_of("+#") != std::string_view::npos) return false;
    }
    return true;
}

bool topic_matches(std::string_view filter, std::string_view topic) {
    if (filter.empty() || topic.empty()) return false;
    // [MQTT-4.7.2-1] wildcards at the first level do not reach "$..." topics.
    if (topic.front() == '$' && (filter.front() == '+' || filter.front() == '#')) return false;

    level_cursor f{filter};
    level_cursor t{topic};
    while (true) {
        const std::string_view fl = f.next();
        if (fl == "#") return true;  // this level and everything below, incl. the parent
        const std::string_view tl = t.next();
        if (fl != "+" && fl != tl) return false;
        if (!f.more) return !t.more;
        if (!t.more) return f.rest == "#";  // "sport/#" also matches "sport"
    }
}

bool filter_covers(std::string_view rule, std::string_view requested) {
    if (rule.empty() || requested.empty()) return false;
    // [MQTT-4.7.2-1] a wildcard first level never reaches "$..." topics, which
    // a requested filter with a literal "$..." first level matches.
    if (requested.front() == '$' && (rule.front() == '+' || rule.front() == '#')) return false;

    level_cursor r{rule};
    level_cursor q{requested};
    while (true) {
        const std::string_view rl = r.next();
        if (rl == "#") return true;  // this level and everything below, incl. the parent
        const std::string_view ql = q.next();
        if (ql == "#") return false;  // only '#' covers '#'
        if (rl != "+" && (ql == "+" || rl != ql)) return false;
        if (!r.more) return !q.more;
        if (!q.more) return r.rest == "#";  // "a/#" also matches "a"
    }
}

bool filters_overlap(std::string_view a, std::string_view b) {
    if (a.empty() || b.empty()) return false;
    // [MQTT-4.7.2-1] a wildcard first level never meets a "$..." first level.
    const bool a_wild = a.front() == '+' || a.front() == '#';
    const bool b_wild = b.front() == '+' || b.front() == '#';
    if ((a_wild && b.front() == '$') || (b_wild && a.front() == '$')) return false;

    level_cursor x{a};
    level_cursor y{b};
    while (true) {
        const std::string_view xl = x.next();
        const std::string_view yl = y.next();
        if (xl == "#" || yl == "#") return true;
        if (xl != "+" && yl != "+" && xl != yl) return false;
        if (!x.more && !y.more) return true;
        if (!x.more) return y.rest == "#";  // "a" and "a/#" share the topic "a"
        if (!y.more) return x.rest == "#";
    }
}

bool is_shared_filter(std::string_view filter) {
    return filter.starts_with(share_prefix) || filter.starts_with(queue_prefix);
}

std::optional<shared_subscription> parse_shared(std::string_view filter) {
    shared_subscription out;
    if (filter.starts_with(share_prefix)) {
        const std::string_view rest = filter.substr(share_prefix.size());
        const size_t slash = rest.find('/');
        // [MQTT-4.8.2-1] a share name of at least one character, followed by
        // '/' and a filter; [MQTT-4.8.2-2] no '/', '+' or '#' in the name.
        if (slash == std::string_view::npos || slash == 0) return std::nullopt;
        out.group = rest.substr(0, slash);
        if (out.group.find_first_of("+#") != std::string_view::npos) return std::nullopt;
        if (out.group.find('\0') != std::string_view::npos) return std::nullopt;
        out.filter = rest.substr(slash + 1);
    } else if (filter.starts_with(queue_prefix)) {
        out.group = queue_group;
        out.filter = filter.substr(queue_prefix.size());
    } else {
        return std::nullopt;
    }
    if (!is_valid_topic_filter(out.filter)) return std::nullopt;
    return out;
}

bool is_valid_shared(std::string_view filter) {
    return parse_shared(filter).has_value();
}

}  // namespace robust::router
