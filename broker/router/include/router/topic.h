#pragma once
// Topic names and topic filters: validation, matching and shared-subscription
// parsing, following MQTT 5.0 section 4.7 (topic names and filters) and 4.8.2
// (shared subscriptions). Other protocols (NATS subjects, AMQP routing keys)
// are translated onto these rules by their adapters before they reach the
// router, so this file is the single definition of "does this filter match".
//
// Everything here is pure (no allocation, no state) and may be called from
// any thread. Returned string_views point into the argument.

#include <cstddef>
#include <optional>
#include <string_view>

namespace robust::router {

/// Longest topic name or filter: the MQTT UTF-8 string length limit.
inline constexpr size_t max_topic_length = 65535;

/// A topic a message is published to: non-empty [MQTT-4.7.3-1], no wildcard
/// characters [MQTT-3.3.2-2], no U+0000 [MQTT-4.7.3-2], at most 65535 bytes.
/// UTF-8 well-formedness is the codec's check, not repeated here.
bool is_valid_topic_name(std::string_view topic);

/// A plain (non-shared) topic filter: non-empty [MQTT-4.7.3-1], no U+0000,
/// at most 65535 bytes, '#' only alone in the last level [MQTT-4.7.1-1],
/// '+' only alone in its level [MQTT-4.7.1-2]. "$share/g/a" is syntactically
/// a valid plain filter too: call is_shared_filter() first to tell them apart.
bool is_valid_topic_filter(std::string_view filter);

/// Whether a plain `filter` matches `topic`. Both are assumed valid (an
/// invalid pair gives an unspecified answer, never undefined behaviour).
/// A topic starting with '$' is not matched by a filter starting with a
/// wildcard [MQTT-4.7.2-1]; '#' also matches the parent level ("sport/#"
/// matches "sport"); '+' matches an empty level ("sport/+" matches "sport/").
/// Pass the inner filter of a shared subscription, not the "$share/..." form.
bool topic_matches(std::string_view filter, std::string_view topic);

/// Whether plain filter `rule` covers plain filter `requested`: every topic
/// `requested` can match is matched by `rule` (an ACL rule "a/#" allows a
/// subscription to "a/b/+"). Level by level: '#' covers the rest (and the
/// parent level); '+' covers one level, literal or '+', but not '#'; a literal
/// covers only the same literal. A rule starting with a wildcard does not
/// cover a requested filter whose first level starts with '$' [MQTT-4.7.2-1].
/// Both are assumed valid; pass inner filters, not "$share/..." forms.
bool filter_covers(std::string_view rule, std::string_view requested);

/// Whether some topic is matched by both plain filters `a` and `b` (an ACL
/// deny rule "a/secret/#" concerns a subscription to "a/+/#"). Symmetric.
/// Both are assumed valid; pass inner filters, not "$share/..." forms.
bool filters_overlap(std::string_view a, std::string_view b);

/// The two parts of a shared subscription filter.
struct shared_subscription {
    std::string_view group;   // share name; "$queue" for "$queue/..." filters
    std::string_view filter;  // the plain filter matched against topics
};

/// Name of the group that every "$queue/{filter}" subscription joins (EMQX).
inline constexpr std::string_view queue_group = "$queue";

/// Whether `filter` asks for a shared subscription: it starts with "$share/"
/// or "$queue/". Such a filter must then pass parse_shared(); it is never
/// treated as a plain filter.
bool is_shared_filter(std::string_view filter);

/// Splits "$share/{group}/{filter}" [MQTT-4.8.2-1] or "$queue/{filter}".
/// nullopt when `filter` is not shared or is an invalid shared filter: empty
/// group, group containing '/', '+' or '#' [MQTT-4.8.2-2], or missing/invalid
/// inner filter ("$share/g", "$share/g/", "$share/g/a#").
std::optional<shared_subscription> parse_shared(std::string_view filter);

/// is_shared_filter(filter) && parse_shared(filter) succeeds.
bool is_valid_shared(std::string_view filter);

}  // namespace robust::router
