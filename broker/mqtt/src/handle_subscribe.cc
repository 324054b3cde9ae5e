// SUBSCRIBE/SUBACK and UNSUBSCRIBE/UNSUBACK: MQTT 5.0 sections 3.8-3.11 and
// 4.8 (shared subscriptions); 3.1.1 sections 3.8-3.11.

#include <spdlog/spdlog.h>
#include <asio/post.hpp>

#include "base/clock.h"
#include "broker_impl.h"
#include "connection.h"
#include "mqtt/codec/reason_codes.h"
#include "router/topic.h"
#include "session.h"
#include "tenant_scope.h"

namespace robust::mqtt {

namespace {
bool has_wildcard(std::string_view f) {
    return f.find_first_of("+#") != std::string_view::npos;
}

/// Counts down the storage and routing steps a SUBSCRIBE waits for; the
/// last one runs the continuation on the connection's thread.
struct countdown {
    int left;
    std::function<void()> then;
};
}  // namespace

void connection::handle_subscribe(codec::subscribe& sub) {
    broker_impl& b = worker_.broker();
    const auto& o = b.opts;
    const bool v5 = version_ == codec::protocol_version::v5;
    uint32_t sub_id = 0;
    if (!sub.props.subscription_identifiers.empty()) {
        if (!o.subscription_identifiers_available) {  // [MQTT-3.8.2-...]
            disconnect(codec::reason::subscription_identifiers_not_supported,
                       "subscription identifiers are not supported");
            return;
        }
        sub_id = sub.props.subscription_identifiers.front();
    }

    std::vector<uint8_t> codes;
    std::vector<route_change> changes;
    std::vector<std::string> stored;
    struct retained_request {
        std::string filter;
        qos_level granted;
        bool retain_as_published;
    };
    std::vector<retained_request> retained;
    codes.reserve(sub.subscriptions.size());

    for (auto& s : sub.subscriptions) {
        const uint8_t refused_filter = v5 ? codec::reason::topic_filter_invalid : 0x80;
        std::string_view filter = s.filter;
        const bool is_shared = filter.starts_with("$share/") || filter.starts_with("$queue/");
        if (is_shared) {
            auto shared = router::parse_shared(filter);
            if (!shared) {
                codes.push_back(refused_filter);
                continue;
            }
            if (!o.shared_subscription_available) {
                codes.push_back(v5 ? codec::reason::shared_subscriptions_not_supported : 0x80);
                continue;
            }
            if (s.options.no_local && v5) {  // [MQTT-3.8.3-4]
                disconnect(codec::reason::protocol_error, "No Local on a shared subscription");
                return;
            }
            filter = shared->filter;
        }
        if (!router::is_valid_topic_filter(filter) || is_reserved_topic(filter)) {
            codes.push_back(refused_filter);
            continue;
        }
        if (has_wildcard(filter) && !o.wildcard_subscription_available) {
            codes.push_back(v5 ? codec::reason::wildcard_subscriptions_not_supported : 0x80);
            continue;
        }
        if (!acl_.authorize(b.auth, identity_, auth::access::subscribe, s.filter, false)) {
            spdlog::debug("mqtt: {} ({}) may not subscribe to '{}'", peer_, identity_.client_id,
                          s.filter);
            codes.push_back(v5 ? codec::reason::not_authorized : 0x80);
            continue;
        }
        codec::subscribe_options opts = s.options;
        if (static_cast<uint8_t>(opts.max_qos) > o.max_qos)
            opts.max_qos = static_cast<qos_level>(o.max_qos);
        const bool existed = session_->subscriptions.contains(s.filter);
        session_->subscriptions[s.filter] = session_subscription{opts, sub_id};

        changes.push_back(make_route_change(true, scoped_filter(identity_.tenant, s.filter),
                                            session_->id(),
                                            route{session_->anchor(), opts, sub_id}));
        stored.push_back(s.filter);
        codes.push_back(static_cast<uint8_t>(opts.max_qos));
        // Retained messages on subscribe [MQTT-3.3.1-9] .. [MQTT-3.3.1-11];
        // never for shared subscriptions [MQTT-4.8.2-...].
        if (!is_shared && o.retain_available &&
            (opts.retain_handling == 0 || (opts.retain_handling == 1 && !existed))) {
            retained.push_back(
                {scoped_topic(identity_.tenant, filter), opts.max_qos, opts.retain_as_published});
        }
    }

    const uint16_t packet_id = sub.packet_id;
    auto self = shared_from_this();
    auto finish = [self, packet_id, codes = std::move(codes), retained = std::move(retained),
                   sub_id]() mutable {
        if (self->state_ != state::connected) return;
        // The retained messages as they are now, before SUBACK goes out: a
        // retained publish the client makes once it has its SUBACK must
        // reach it once, live, and not also as a retained copy.
        broker_impl& br = self->worker_.broker();
        std::vector<std::pair<const retained_request*, std::vector<message_ptr>>> found;
        for (const auto& r : retained) found.emplace_back(&r, br.retained_matching(r.filter));
        codec::suback ack;
        ack.packet_id = packet_id;
        ack.reason_codes = std::move(codes);
        self->send(codec::packet(std::move(ack)));
        const int64_t now = now_unix_ms();
        for (auto& [req, messages] : found) {
            const retained_request& r = *req;
            for (auto& m : messages) {
                if (expired(*m, now)) continue;
                delivery d;
                d.anchor = self->session_->anchor();
                d.msg = m;
                d.qos = std::min(m->qos, r.granted);
                d.retain = true;  // sent because retained: flag set [MQTT-3.3.1-8]
                if (sub_id != 0) d.subscription_ids.push_back(sub_id);
                self->session_->enqueue(std::move(d));
            }
        }
    };
    const bool persist = session_->anchor()->persistent.load() && !stored.empty();
    auto cd = std::make_shared<countdown>(countdown{persist ? 2 : 1, std::move(finish)});
    auto step = [cd] {
        if (--cd->left == 0) cd->then();
    };
    if (persist) {
        asio::io_context& ctx = worker_.ctx();
        b.save_subscriptions(*session_, stored, [&ctx, step](status st) {
            if (!st) spdlog::error("mqtt: storing subscriptions failed: {}", st.error().message());
            asio::post(ctx, step);
        });
    }
    b.stats.subscriptions.fetch_add(changes.size(), std::memory_order_relaxed);
    b.update_routes(std::move(changes), worker_.index(), step);
}

void connection::handle_unsubscribe(codec::unsubscribe& u) {
    broker_impl& b = worker_.broker();
    const bool v5 = version_ == codec::protocol_version::v5;
    std::vector<uint8_t> codes;
    std::vector<route_change> changes;
    std::vector<std::string> erased;
    for (auto& f : u.filters) {
        if (session_->subscriptions.erase(f) == 0) {
            codes.push_back(codec::reason::no_subscription_existed);
            continue;
        }
        changes.push_back(
            make_route_change(false, scoped_filter(identity_.tenant, f), session_->id()));
        erased.push_back(f);
        codes.push_back(codec::reason::success);
    }
    if (session_->anchor()->persistent.load() && !erased.empty()) {
        b.erase_subscriptions(*session_, erased);
    }
    b.stats.subscriptions.fetch_sub(changes.size(), std::memory_order_relaxed);
    codec::unsuback ack;
    ack.packet_id = u.packet_id;
    if (v5) ack.reason_codes = std::move(codes);
    b.update_routes(std::move(changes), worker_.index(),
                    [self = shared_from_this(), ack = std::move(ack)]() mutable {
                        self->send(codec::packet(std::move(ack)));
                    });
}

}  // namespace robust::mqtt
