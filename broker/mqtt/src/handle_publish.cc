// PUBLISH, PUBACK, PUBREC, PUBREL, PUBCOMP from the client: MQTT 5.0
// sections 3.3-3.7 and 4.3 (QoS flows); 3.1.1 sections 3.3-3.7.

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

void connection::handle_publish(codec::publish& p) {
    broker_impl& b = worker_.broker();
    const auto& o = b.opts;
    const bool v5 = version_ == codec::protocol_version::v5;
    b.stats.messages_received.fetch_add(1, std::memory_order_relaxed);
    worker_.counters.message_in(p.qos);

    if (v5 && p.props.topic_alias) {  // [MQTT-3.3.2-7] .. [MQTT-3.3.2-12]
        const uint16_t alias = *p.props.topic_alias;
        if (alias == 0 || alias > o.topic_alias_maximum) {
            disconnect(codec::reason::topic_alias_invalid, "topic alias out of range");
            return;
        }
        auto& alias_in = aliases().in;
        if (!p.topic.empty()) {
            alias_in[alias] = p.topic;
        } else {
            auto it = alias_in.find(alias);
            if (it == alias_in.end()) {
                disconnect(codec::reason::protocol_error, "unknown topic alias");
                return;
            }
            p.topic = it->second;
        }
    }
    if (!p.props.subscription_identifiers.empty()) {  // [MQTT-3.3.4-6]
        disconnect(codec::reason::protocol_error, "subscription identifier in a client PUBLISH");
        return;
    }
    if (!router::is_valid_topic_name(p.topic) || is_reserved_topic(p.topic)) {  // [MQTT-3.3.2-2]
        disconnect(codec::reason::topic_name_invalid, "invalid topic name");
        return;
    }
    if (static_cast<uint8_t>(p.qos) > o.max_qos) {  // [MQTT-3.2.2-11]
        disconnect(codec::reason::qos_not_supported, "QoS above maximum QoS");
        return;
    }
    if (p.retain && !o.retain_available) {  // [MQTT-3.2.2-14]
        disconnect(codec::reason::retain_not_supported, "retain is not available");
        return;
    }
    if (p.qos == qos_level::exactly_once && session_->incoming_qos2.contains(p.packet_id)) {
        // A resent QoS 2 PUBLISH already accepted: acknowledge again, do not
        // deliver twice [MQTT-4.3.3-9]. If it is still being stored, the
        // PUBREC follows when it is.
        const bool pending = std::any_of(inbound_.begin(), inbound_.end(), [&](const inbound& i) {
            return i.qos == qos_level::exactly_once && i.packet_id == p.packet_id;
        });
        if (!pending) {
            codec::pubrec rec;
            rec.packet_id = p.packet_id;
            send(rec);
        }
        return;
    }
    if (p.qos != qos_level::at_most_once) {
        // The quota counts QoS 1 until PUBACK and QoS 2 until PUBCOMP
        // [MQTT-3.3.4-9]; incoming_qos2 holds the open QoS 2 flows.
        if (inbound_qos1_pending_ + session_->incoming_qos2.size() >= o.receive_maximum) {
            disconnect(codec::reason::receive_maximum_exceeded, "receive maximum exceeded");
            return;
        }
        if (p.qos == qos_level::exactly_once) {
            session_->incoming_qos2.insert(p.packet_id);
        } else {
            ++inbound_qos1_pending_;
        }
    }

    if (!acl_.authorize(b.auth, identity_, auth::access::publish, p.topic, p.retain)) {
        // Denied: dropped. QoS 1/2 are still acknowledged in order, with
        // 0x87 for MQTT 5; 3.x has no negative ack, so it is a plain one.
        b.stats.drop(metrics::drop_reason::acl_denied);
        spdlog::debug("mqtt: {} ({}) may not publish to '{}': dropped", peer_, identity_.client_id,
                      p.topic);
        if (p.qos == qos_level::at_most_once) return;
        auto pub = std::make_shared<prepared_publish>();
        pub->ready = true;
        inbound_.push_back({pub, p.qos, p.packet_id, true});
        complete_publishes();
        return;
    }

    auto m = std::make_shared<message>();
    m->topic = is_default_tenant(identity_.tenant) ? std::move(p.topic)
                                                   : scoped_topic(identity_.tenant, p.topic);
    m->payload = std::move(p.payload);
    m->qos = p.qos;
    m->retain = p.retain;
    auto& src = p.props;
    auto& dst = m->props;
    dst.payload_format_indicator = src.payload_format_indicator;
    dst.content_type = std::move(src.content_type);
    dst.response_topic = std::move(src.response_topic);
    dst.correlation_data = std::move(src.correlation_data);
    dst.user_properties = std::move(src.user_properties);
    if (src.message_expiry_interval) {
        m->expiry_at_ms = now_unix_ms() + int64_t(*src.message_expiry_interval) * 1000;
    }
    m->origin_session = session_->id();
    m->timestamp_ms = now_unix_ms();

    auto pub = std::make_shared<prepared_publish>();
    pub->msg = std::move(m);
    worker_.prepare(*pub, session_->id());
    worker_.dispatch_live(*pub);
    inbound_.push_back({pub, p.qos, p.packet_id});
    worker_.persist(pub, [self = shared_from_this(), pub] {
        pub->ready = true;
        self->complete_publishes();
    });
}

void connection::complete_publishes() {
    // In arrival order: a message is delivered, and acknowledged, only after
    // every message its publisher sent before it [MQTT-4.6.0-5].
    while (!inbound_.empty() && inbound_.front().pub->ready) {
        inbound in = std::move(inbound_.front());
        inbound_.pop_front();
        prepared_publish& p = *in.pub;
        if (!p.error && !in.denied) worker_.dispatch(p);
        if (in.qos == qos_level::at_most_once) continue;
        if (in.qos == qos_level::at_least_once) --inbound_qos1_pending_;
        if (state_ != state::connected) continue;  // the client left: no ack to send
        const bool v5 = version_ == codec::protocol_version::v5;
        uint8_t rc = p.error ? codec::reason::unspecified_error : codec::reason::success;
        if (in.denied && v5) rc = codec::reason::not_authorized;
        if (p.error && !v5) {
            // 3.x has no negative acknowledgement: closing tells the client.
            close("storage failure");
            continue;
        }
        if (in.qos == qos_level::at_least_once) {
            codec::puback ack;
            ack.packet_id = in.packet_id;
            ack.reason_code = rc;
            send(ack);
        } else {
            // A PUBREC of 0x80 or more ends the QoS 2 flow (5.0 section 4.3.3).
            if (rc >= 0x80) session_->incoming_qos2.erase(in.packet_id);
            codec::pubrec rec;
            rec.packet_id = in.packet_id;
            rec.reason_code = rc;
            send(rec);
        }
    }
}

void connection::handle_pubrel(const codec::pubrel& r) {
    codec::pubcomp comp;
    comp.packet_id = r.packet_id;
    if (session_->incoming_qos2.erase(r.packet_id) == 0 &&
        version_ == codec::protocol_version::v5) {
        comp.reason_code = codec::reason::packet_identifier_not_found;
    }
    send(comp);
}

}  // namespace robust::mqtt
