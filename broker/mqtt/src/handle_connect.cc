// CONNECT and CONNACK: MQTT 5.0 sections 3.1, 3.2 and 4.1 (sessions);
// 3.1.1 sections 3.1 and 3.2.

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
// 3.x CONNACK return codes for the 5.0 reasons we refuse with.
uint8_t v3_return_code(uint8_t reason_v5) {
    switch (reason_v5) {
        case codec::reason::unsupported_protocol_version:
            return 1;
        case codec::reason::client_identifier_not_valid:
            return 2;
        case codec::reason::server_unavailable:
        case codec::reason::server_busy:
            return 3;
        case codec::reason::bad_user_name_or_password:
            return 4;
        default:
            return 5;  // not authorized
    }
}

// "1.2.3.4:5" -> "1.2.3.4", "[::1]:5" -> "::1".
std::string peer_ip(std::string_view endpoint) {
    if (endpoint.starts_with('[')) {
        const size_t end = endpoint.find(']');
        return std::string(endpoint.substr(1, end == std::string_view::npos ? 0 : end - 1));
    }
    return std::string(endpoint.substr(0, endpoint.rfind(':')));
}

std::string generate_client_id(uint64_t session_id) {
    // Unique for this server's lifetime and across restarts.
    return "robust-" + std::to_string(now_unix_ms()) + "-" + std::to_string(session_id);
}
}  // namespace

void connection::refuse_connect(uint8_t reason_v5, std::string_view why) {
    spdlog::info("mqtt: refused CONNECT from {} ({}): {}", peer_, identity_.client_id, why);
    worker_.broker().stats.connections_refused.fetch_add(1, std::memory_order_relaxed);
    codec::connack ack;
    if (version_ == codec::protocol_version::v5) {
        ack.reason_code = reason_v5;
        if (request_problem_information_) ack.props.reason_string = std::string(why);
    } else {
        ack.reason_code = v3_return_code(reason_v5);
    }
    worker_.counters.packet_out(codec::packet_type::connack);
    codec::encode(codec::packet(std::move(ack)), version_, out_);
    // [MQTT-3.2.2-7] the connection is closed after a refusing CONNACK.
    state_ = state::closing;
    close_after_write_ = true;
    flush();
}

message_ptr connection::make_will() const {
    auto m = std::make_shared<message>();
    m->topic = scoped_topic(identity_.tenant, will_->topic);
    m->timestamp_ms = now_unix_ms();
    m->payload = will_->payload;
    m->qos = will_->qos;
    m->retain = will_->retain;
    const auto& wp = will_->props;
    m->props.payload_format_indicator = wp.payload_format_indicator;
    m->props.content_type = wp.content_type;
    m->props.response_topic = wp.response_topic;
    m->props.correlation_data = wp.correlation_data;
    m->props.user_properties = wp.user_properties;
    if (wp.message_expiry_interval) {
        m->expiry_at_ms = now_unix_ms() + int64_t(*wp.message_expiry_interval) * 1000;
    }
    return m;
}

void connection::handle_connect(codec::connect& c) {
    broker_impl& b = worker_.broker();
    const auto& o = b.opts;
    version_ = c.version;
    identity_.client_id = c.client_id;
    const bool v5 = version_ == codec::protocol_version::v5;
    if (v5) {
        const auto& p = c.props;
        if (p.request_problem_information)
            request_problem_information_ = *p.request_problem_information != 0;
        if (p.receive_maximum) client_receive_maximum_ = *p.receive_maximum;
        if (p.maximum_packet_size) client_max_packet_size_ = *p.maximum_packet_size;
        if (p.topic_alias_maximum) client_topic_alias_max_ = *p.topic_alias_maximum;
        if (p.receive_maximum &&
            *p.receive_maximum == 0) {  // [MQTT-3.1.2-...] 0 is a protocol error
            refuse_connect(codec::reason::protocol_error, "receive maximum 0");
            return;
        }
        if (p.maximum_packet_size && *p.maximum_packet_size == 0) {
            refuse_connect(codec::reason::protocol_error, "maximum packet size 0");
            return;
        }
        if (p.authentication_method) {
            // No enhanced authentication method is supported [MQTT-4.12.0-1].
            refuse_connect(codec::reason::bad_authentication_method,
                           "unsupported authentication method");
            return;
        }
    }
    if (c.client_id.size() > o.max_client_id_length) {
        refuse_connect(codec::reason::client_identifier_not_valid, "client identifier too long");
        return;
    }
    if (c.client_id.empty()) {
        // 3.1.1: a zero-byte id needs clean session [MQTT-3.1.3-8]; 3.1
        // requires an id; 5.0 always gets one assigned [MQTT-3.1.3-6].
        if (version_ == codec::protocol_version::v3_1 ||
            (version_ == codec::protocol_version::v3_1_1 && !c.clean_start)) {
            refuse_connect(codec::reason::client_identifier_not_valid, "empty client identifier");
            return;
        }
        assigned_client_id_ = true;
    }
    if (c.will) {
        if (!router::is_valid_topic_name(c.will->topic) || is_reserved_topic(c.will->topic)) {
            refuse_connect(codec::reason::topic_name_invalid, "invalid will topic");
            return;
        }
        if (static_cast<uint8_t>(c.will->qos) > o.max_qos) {  // [MQTT-3.2.2-12]
            refuse_connect(codec::reason::qos_not_supported, "will QoS above maximum QoS");
            return;
        }
        if (c.will->retain && !o.retain_available) {  // [MQTT-3.2.2-13]
            refuse_connect(codec::reason::retain_not_supported, "retain is not available");
            return;
        }
        will_ = std::make_unique<codec::will_message>(std::move(*c.will));
    }

    // Session expiry: 5.0 property; 3.x clean session 0 means "never".
    if (v5) {
        session_expiry_s_ = c.props.session_expiry_interval.value_or(0);
    } else {
        session_expiry_s_ = c.clean_start ? 0 : UINT32_MAX;
    }
    requested_expiry_s_ = session_expiry_s_;
    session_expiry_s_ = std::min(session_expiry_s_, o.session_expiry_max_s);
    requested_keep_alive_s_ = c.keep_alive;
    keep_alive_s_ = c.keep_alive;
    // Only 5.0 can tell the client another keep alive (Server Keep Alive);
    // a 3.x client keeps its own, or it would be cut off without knowing why.
    if (v5) {
        if (o.server_keep_alive_s != 0) keep_alive_s_ = o.server_keep_alive_s;
        if (keep_alive_s_ > o.keep_alive_max_s ||
            (keep_alive_s_ == 0 && o.keep_alive_max_s < 65535)) {
            keep_alive_s_ = o.keep_alive_max_s;
        }
    }
    clean_start_ = c.clean_start;

    state_ = state::connecting;
    if (assigned_client_id_) identity_.client_id = generate_client_id(b.new_session_id());

    auth::credentials creds;
    creds.username = std::move(c.username);
    creds.password = std::move(c.password);
    creds.client_id = identity_.client_id;
    creds.peer_ip = peer_ip(peer_);
    if (v5) {
        for (const auto& up : c.props.user_properties) {
            if (up.key == "tenant") creds.tenant = up.value;
        }
    }
    if (b.opts.tls.cert_cn_as_username) creds.certificate_cn = transport_->peer_certificate_cn();
    authenticate(std::move(creds));
}

void connection::authenticate(auth::credentials creds) {
    broker_impl& b = worker_.broker();
    if (!creds.password) {
        // No password, no KDF: anonymous, certificate or a refusal, all
        // answered from memory.
        on_authenticated(b.auth.authenticate(creds));
        return;
    }
    asio::post(b.blocking, [self = shared_from_this(), creds = std::move(creds)] {
        auto a = self->worker_.broker().auth.authenticate(creds);
        asio::post(self->worker_.ctx(),
                   [self, a = std::move(a)]() mutable { self->on_authenticated(std::move(a)); });
    });
}

void connection::on_authenticated(auth::authentication a) {
    if (state_ != state::connecting) return;  // closed meanwhile
    broker_impl& b = worker_.broker();
    if (!a.who) {
        switch (a.refusal) {
            case auth::connect_refusal::bad_credentials:
                refuse_connect(codec::reason::bad_user_name_or_password, a.reason);
                return;
            case auth::connect_refusal::banned:
                refuse_connect(codec::reason::banned, a.reason);
                return;
            case auth::connect_refusal::not_authorized:
                break;
        }
        refuse_connect(codec::reason::not_authorized, a.reason);
        return;
    }
    // The client id was set when CONNECT arrived (it may be assigned).
    std::string client_id = std::move(identity_.client_id);
    identity_ = std::move(*a.who);
    identity_.client_id = std::move(client_id);
    if (will_ &&
        !acl_.authorize(b.auth, identity_, auth::access::publish, will_->topic, will_->retain)) {
        // As a denied PUBLISH is dropped, so is a will the client may not send.
        spdlog::info("mqtt: {} ({}) may not publish its will to '{}': will dropped", peer_,
                     identity_.client_id, will_->topic);
        will_.reset();
    }
    auto existing = b.find_session(identity_.tenant, identity_.client_id);
    if (!existing) {
        finish_connect(nullptr);
        return;
    }
    b.hand_over(existing, clean_start_, worker_.index(),
                [self = shared_from_this()](std::unique_ptr<session> s) {
                    self->finish_connect(std::move(s));
                });
}

void connection::finish_connect(std::unique_ptr<session> resumed) {
    broker_impl& b = worker_.broker();
    const auto& o = b.opts;
    const bool present = resumed != nullptr;
    std::unique_ptr<session> s = std::move(resumed);
    if (!s) {
        auto anchor = std::make_shared<session_anchor>(b.new_session_id(), identity_.tenant,
                                                       identity_.client_id, worker_.index());
        s = std::make_unique<session>(worker_, std::move(anchor));
        b.stats.sessions.fetch_add(1, std::memory_order_relaxed);
    } else {
        s->rebind(worker_);
    }
    s->expiry_interval_s = session_expiry_s_;
    s->protocol_version = static_cast<uint8_t>(version_);
    // A new connection cancels a will still waiting for its delay and the
    // expiry of the detached session [MQTT-3.1.3-9].
    s->will_timer.reset();
    s->pending_will.reset();
    s->expiry_timer.reset();
    auto& anchor = *s->anchor();
    const bool persistent = session_expiry_s_ > 0;
    anchor.persistent.store(persistent);
    if (persistent) b.ensure_inbox(anchor);
    b.register_session(s->anchor());

    session& sess = *s;
    worker_.sessions[sess.id()] = std::move(s);
    if (persistent) b.save_session(sess, {});

    if (state_ == state::closed) {
        // The client left while its session was handed over.
        session_ = &sess;
        on_closed();
        return;
    }

    codec::connack ack;
    ack.session_present = present && !clean_start_;
    if (version_ == codec::protocol_version::v5) {
        auto& p = ack.props;
        if (assigned_client_id_) p.assigned_client_identifier = identity_.client_id;
        // Capabilities are stated explicitly, not left to the defaults, so
        // clients and operators see them on the wire (5.0 section 3.2.2.3).
        p.receive_maximum = o.receive_maximum;
        if (o.max_qos < 2) p.maximum_qos = o.max_qos;  // absent means 2 [MQTT-3.2.2-9]
        p.retain_available = o.retain_available ? 1 : 0;
        p.maximum_packet_size = o.max_packet_size;
        p.topic_alias_maximum = o.topic_alias_maximum;
        p.wildcard_subscription_available = o.wildcard_subscription_available ? 1 : 0;
        p.subscription_identifiers_available = o.subscription_identifiers_available ? 1 : 0;
        p.shared_subscription_available = o.shared_subscription_available ? 1 : 0;
        // Tell the client the values in force where we changed its request.
        if (keep_alive_s_ != requested_keep_alive_s_) p.server_keep_alive = keep_alive_s_;
        if (session_expiry_s_ != requested_expiry_s_) p.session_expiry_interval = session_expiry_s_;
    }
    send(codec::packet(std::move(ack)));
    b.stats.connections_accepted.fetch_add(1, std::memory_order_relaxed);
    state_ = state::connected;
    connected_at_ms_ = now_unix_ms();
    session_ = &sess;
    anchor.online.store(true);
    b.stats.clients_connected.fetch_add(1, std::memory_order_relaxed);
    spdlog::debug("mqtt: {} connected as {} (v{}, session {}, keep alive {} s)", peer_,
                  identity_.client_id, int(version_), present ? "resumed" : "new", keep_alive_s_);
    sess.attach(*this, present);
    // Packets the client sent right behind CONNECT waited in the buffer
    // while the session was handed over: clients need not wait for CONNACK
    // (5.0 section 3.1.4). When CONNECT completed inline, the decode loop
    // that called us simply goes on.
    if (!processing_input_) {
        process_input();
        read_more();
    }
}

}  // namespace robust::mqtt
