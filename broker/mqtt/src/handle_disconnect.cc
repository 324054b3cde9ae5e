// DISCONNECT and AUTH from the client, and what happens to the session and
// the will when a connection ends: MQTT 5.0 sections 3.14, 3.15, 3.1.2.5
// (will), 3.1.3.2.2 (will delay) and 4.1 (session expiry).

#include <spdlog/spdlog.h>
#include <asio/post.hpp>

#include "broker_impl.h"
#include "connection.h"
#include "mqtt/codec/reason_codes.h"
#include "session.h"

namespace robust::mqtt {

void connection::handle_disconnect(const codec::disconnect& d) {
    if (version_ == codec::protocol_version::v5) {
        if (d.props.session_expiry_interval) {
            // Setting a non-zero expiry when CONNECT had 0 is a protocol
            // error [MQTT-3.14.2-2].
            if (requested_expiry_s_ == 0 && *d.props.session_expiry_interval != 0) {
                disconnect(codec::reason::protocol_error, "session expiry set on DISCONNECT");
                return;
            }
            session_expiry_s_ = std::min(*d.props.session_expiry_interval,
                                         worker_.broker().opts.session_expiry_max_s);
            session_->expiry_interval_s = session_expiry_s_;
            session_->anchor()->persistent.store(session_expiry_s_ > 0);
        }
        // 0x04 "disconnect with will message" keeps the will [MQTT-3.14.4-3].
        will_suppressed_ = d.reason_code != codec::reason::disconnect_with_will_message;
    } else {
        will_suppressed_ = true;  // [MQTT-3.1.2-10]
    }
    close("client disconnected");
}

void connection::handle_auth(const codec::auth&) {
    // No enhanced authentication method is offered, so AUTH is unexpected.
    disconnect(codec::reason::protocol_error, "AUTH without an authentication method");
}

void connection::kick_for_takeover() {
    // The session leaves this connection now, before the hand-over moves it
    // to another thread; the DISCONNECT and the close follow.
    taken_over_ = true;
    release_session();
    disconnect(codec::reason::session_taken_over, "session taken over");
}

void connection::on_closed() {
    auto self = shared_from_this();  // the worker's set may hold the last reference
    worker_.connections.erase(self);
    release_session();
}

void connection::release_session() {
    session* s = session_;
    session_ = nullptr;
    if (!s) return;
    broker_impl& b = worker_.broker();
    auto anchor = s->anchor();
    if (anchor->online.exchange(false)) {
        b.stats.clients_connected.fetch_sub(1, std::memory_order_relaxed);
    }
    // The will [MQTT-3.1.2-8]: published when the connection closes without
    // a normal DISCONNECT, after the will delay unless the session ends
    // first or the client comes back [MQTT-3.1.3-9].
    message_ptr will;
    uint32_t will_delay = 0;
    if (will_ && !will_suppressed_) {
        will = make_will();
        will_delay = will_->props.will_delay_interval.value_or(0);
    }
    s->detach();
    if (taken_over_) {
        // The new connection owns the session now; a will with a delay is
        // cancelled by that connection [MQTT-3.1.3-9].
        if (will && will_delay == 0) worker_.publish_internal(will);
        return;
    }
    if (session_expiry_s_ == 0 || b.stopping()) {
        if (will && (will_delay == 0 || session_expiry_s_ == 0)) worker_.publish_internal(will);
        if (session_expiry_s_ == 0) {
            b.end_session(worker_, s->id());
            return;
        }
        // Shutdown: a will that waits for its delay is not published; the
        // session itself is kept for the next start.
        b.keep_detached(worker_, *s);
        return;
    }
    if (will) {
        if (will_delay == 0) {
            worker_.publish_internal(will);
        } else if (will_delay >= session_expiry_s_) {
            s->pending_will = will;  // published when the session expires
        } else {
            s->pending_will = will;
            s->will_timer = std::make_unique<asio::steady_timer>(worker_.ctx());
            s->will_timer->expires_after(std::chrono::seconds(will_delay));
            worker* w = &worker_;
            const uint64_t sid = s->id();
            s->will_timer->async_wait([w, sid](std::error_code ec) {
                if (ec) return;
                auto it = w->sessions.find(sid);
                if (it == w->sessions.end() || !it->second->pending_will) return;
                w->publish_internal(std::move(it->second->pending_will));
                it->second->pending_will.reset();
            });
        }
    }
    b.keep_detached(worker_, *s);
}

}  // namespace robust::mqtt
