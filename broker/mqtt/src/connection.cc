#include "connection.h"

#include <spdlog/spdlog.h>
#include <asio/post.hpp>

#include "base/clock.h"
#include "base/errc.h"
#include "broker_impl.h"
#include "mqtt/codec/reason_codes.h"
#include "session.h"
#include "tenant_scope.h"

namespace robust::mqtt {

using robust::errc;

namespace {
// Small, so an idle connection (CONNECT, PINGREQ) costs little memory; a
// read that fills the buffer doubles it, up to busy_read_buffer, so a busy
// publisher still reads many packets per system call.
constexpr size_t initial_read_buffer = 512;
constexpr size_t busy_read_buffer = 64 * 1024;
// Write buffers up to this size are freed after each write (see on_written).
constexpr size_t small_write_buffer = 512;

// MQTT 5 reason code for a decode failure (5.0 section 4.13).
uint8_t reason_for(const std::error_code& ec) {
    if (ec == errc::too_large) return 0x95;       // packet too large
    if (ec == errc::protocol_error) return 0x82;  // protocol error
    return 0x81;                                  // malformed packet
}
}  // namespace

connection::connection(worker& w, std::unique_ptr<net::transport> t)
    : worker_(w), transport_(std::move(t)) {
    peer_ = transport_->remote_endpoint();
    limits_.max_packet_size = w.broker().opts.max_packet_size;
}

connection::~connection() = default;

void connection::start() {
    // Until CONNECT arrives the connect timeout applies [MQTT-3.1.4]: a
    // socket that never speaks MQTT is not kept (checked by sweep()).
    connected_at_ms_ = last_activity_ms_ = now_unix_ms();
    read_more();
}

bool connection::sweep(int64_t now_ms) {
    // An idle plain-TCP connection waits for readiness with no buffer, so
    // the buffer can go; the next read makes a small one again.
    if (in_len_ == 0 && !in_.empty() && transport_->can_wait_readable()) {
        std::vector<std::byte>().swap(in_);
    }
    if (!write_in_flight_ && out_.empty()) {
        std::string().swap(out_);
        std::string().swap(writing_);
    }
    return expiry_reason(now_ms) != nullptr;
}

const char* connection::expiry_reason(int64_t now_ms) const {
    if (state_ == state::awaiting_connect &&
        now_ms - connected_at_ms_ >= int64_t(worker_.broker().opts.connect_timeout_ms)) {
        return "connect timeout";
    }
    // [MQTT-3.1.2-22]: close after 1.5 x keep alive without a packet.
    if (state_ == state::connected && keep_alive_s_ != 0 &&
        now_ms - last_activity_ms_ >= int64_t(keep_alive_s_) * 1500) {
        return "keep alive timeout";
    }
    return nullptr;
}

void connection::expire() {
    const char* why = expiry_reason(now_unix_ms());
    if (!why) return;
    if (state_ == state::awaiting_connect) {
        spdlog::info("mqtt: {} sent no CONNECT in time, closing", peer_);
        close(why);
        return;
    }
    spdlog::info("mqtt: {} ({}) keep alive expired", peer_, identity_.client_id);
    disconnect(codec::reason::keep_alive_timeout, why);
}

void connection::read_more() {
    if (reading_ || state_ == state::closing || state_ == state::closed) return;
    if (state_ == state::connecting) return;  // resumed by finish_connect
    if (state_ == state::connected && worker_.broker().deliveries_backlogged()) {
        // Back-pressure: the publisher waits in its socket (TCP flow
        // control) until the threads delivering to subscribers catch up.
        if (!pause_timer_) pause_timer_ = std::make_unique<asio::steady_timer>(worker_.ctx());
        pause_timer_->expires_after(std::chrono::milliseconds(1));
        reading_ = true;
        pause_timer_->async_wait([self = shared_from_this()](std::error_code ec) {
            self->reading_ = false;
            // Unread input is not the client's silence: keep alive waits too.
            self->last_activity_ms_ = now_unix_ms();
            if (!ec) self->read_more();
        });
        return;
    }
    reading_ = true;
    if (in_len_ == 0 && transport_->can_wait_readable()) {
        // No partial packet: wait for readiness without holding a buffer.
        // The wait is edge-triggered, so it only follows a read that found
        // the socket empty; until then, read at once.
        if (drained_) {
            // Idle now: a small buffer goes back at once, so the next
            // connection's read reuses it (RSS stays low however many
            // connections sit idle); a busy publisher's grown one stays
            // until the sweep finds it idle.
            if (in_.size() <= initial_read_buffer) std::vector<std::byte>().swap(in_);
            transport_->async_wait_readable(
                [self = shared_from_this()](std::error_code ec, size_t) {
                    self->drained_ = false;
                    self->read_available(ec);
                });
        } else {
            asio::post(worker_.ctx(),
                       [self = shared_from_this()] { self->read_available(std::error_code{}); });
        }
        return;
    }
    if (in_.empty()) in_.resize(initial_read_buffer);
    if (in_len_ == in_.size()) in_.resize(in_.size() * 2);
    transport_->async_read_some(
        asio::buffer(in_.data() + in_len_, in_.size() - in_len_),
        [self = shared_from_this()](std::error_code ec, size_t n) { self->on_read(ec, n); });
}

void connection::read_available(std::error_code ec) {
    size_t n = 0;
    if (!ec && state_ != state::closed) {
        if (in_.empty()) in_.resize(initial_read_buffer);
        n = transport_->read_available(asio::buffer(in_.data() + in_len_, in_.size() - in_len_),
                                       ec);
        if (ec == asio::error::would_block) {
            reading_ = false;
            drained_ = true;
            read_more();
            return;
        }
    }
    on_read(ec, n);
}

void connection::on_read(std::error_code ec, size_t n) {
    reading_ = false;
    if (state_ == state::closed) return;
    if (ec) {
        close(ec == asio::error::eof ? "peer closed" : ec.message());
        return;
    }
    const bool filled = in_len_ + n == in_.size();
    in_len_ += n;
    if (filled && in_.size() < busy_read_buffer) in_.resize(in_.size() * 2);
    worker_.broker().stats.bytes_received.fetch_add(n, std::memory_order_relaxed);
    last_activity_ms_ = now_unix_ms();
    process_input();
    read_more();
}

void connection::process_input() {
    processing_input_ = true;
    process_buffered();
    processing_input_ = false;
}

void connection::process_buffered() {
    size_t pos = 0;
    // While CONNECT is being completed (a session hand-over) later packets
    // wait in the buffer, and reading pauses (see read_more).
    while ((state_ == state::awaiting_connect || state_ == state::connected) && pos < in_len_) {
        std::span<const std::byte> avail(in_.data() + pos, in_len_ - pos);
        auto header = codec::decode_fixed_header(avail, limits_);
        if (!header.ok()) {
            if (header.error.code == errc::need_more_data) break;
            protocol_violation(header.error);
            return;
        }
        const size_t size = header.value->packet_size();
        if (avail.size() < size) {
            // Grow the buffer to hold the whole packet; its size was checked
            // against max_packet_size by decode_fixed_header.
            if (in_.size() - pos < size) {
                if (pos > 0) {
                    std::memmove(in_.data(), in_.data() + pos, in_len_ - pos);
                    in_len_ -= pos;
                    pos = 0;
                }
                if (in_.size() < size) in_.resize(size);
            }
            break;
        }
        auto decoded = codec::decode(avail.first(size), version_, limits_);
        if (!decoded.ok()) {
            if (decoded.error.code == errc::unsupported) {
                // Answer an unknown protocol level in the form its client can
                // read, as mosquitto does: 3.1.1 CONNACK 0x01 below level 5,
                // a 5.0 CONNACK 0x84 above.
                const size_t name_len_at = header.value->header_size;
                if (size > name_len_at + 2) {
                    const size_t name_len =
                        (size_t(avail[name_len_at]) << 8) | size_t(avail[name_len_at + 1]);
                    const size_t level_at = name_len_at + 2 + name_len;
                    if (level_at < size && std::to_integer<uint8_t>(avail[level_at]) < 5) {
                        version_ = codec::protocol_version::v3_1_1;
                    }
                }
                request_problem_information_ = false;
            }
            protocol_violation(decoded.error);
            return;
        }
        pos += size;
        handle(std::move(decoded.value->pkt));
    }
    if (pos > 0) {
        std::memmove(in_.data(), in_.data() + pos, in_len_ - pos);
        in_len_ -= pos;
    }
    // Give memory back after a large packet.
    if (in_len_ <= initial_read_buffer && in_.size() > busy_read_buffer) {
        in_.resize(initial_read_buffer);
    }
}

void connection::protocol_violation(const codec::decode_error& e) {
    spdlog::warn("mqtt: closing {} ({}): {}: {}", peer_,
                 identity_.client_id.empty() ? "-" : identity_.client_id, e.code.message(), e.rule);
    if (state_ == state::awaiting_connect && e.code == errc::unsupported) {
        // Unknown protocol level: CONNACK 0x84 / return code 1 [MQTT-3.1.2-2].
        refuse_connect(codec::reason::unsupported_protocol_version, "unsupported protocol version");
        return;
    }
    if (state_ == state::awaiting_connect || state_ == state::connecting) {
        close(e.rule);
        return;
    }
    disconnect(reason_for(e.code), e.rule);
}

void connection::handle(codec::packet&& p) {
    const auto type = codec::type_of(p);
    worker_.counters.packet_in(type);
    if (state_ == state::awaiting_connect) {
        if (type != codec::packet_type::connect) {  // [MQTT-3.1.0-1]
            spdlog::warn("mqtt: {} sent {} before CONNECT, closing", peer_, int(type));
            close("first packet not CONNECT");
            return;
        }
        handle_connect(std::get<codec::connect>(p));
        return;
    }
    switch (type) {
        case codec::packet_type::connect:  // [MQTT-3.1.0-2]
            disconnect(codec::reason::protocol_error, "second CONNECT");
            return;
        case codec::packet_type::publish:
            handle_publish(std::get<codec::publish>(p));
            return;
        case codec::packet_type::puback:
            session_->on_puback(std::get<codec::puback>(p).packet_id);
            return;
        case codec::packet_type::pubrec: {
            const auto& r = std::get<codec::pubrec>(p);
            session_->on_pubrec(r.packet_id, r.reason_code);
            return;
        }
        case codec::packet_type::pubrel:
            handle_pubrel(std::get<codec::pubrel>(p));
            return;
        case codec::packet_type::pubcomp:
            session_->on_pubcomp(std::get<codec::pubcomp>(p).packet_id);
            return;
        case codec::packet_type::subscribe:
            handle_subscribe(std::get<codec::subscribe>(p));
            return;
        case codec::packet_type::unsubscribe:
            handle_unsubscribe(std::get<codec::unsubscribe>(p));
            return;
        case codec::packet_type::pingreq:
            send(codec::pingresp{});
            return;
        case codec::packet_type::disconnect:
            handle_disconnect(std::get<codec::disconnect>(p));
            return;
        case codec::packet_type::auth:
            handle_auth(std::get<codec::auth>(p));
            return;
        default:
            // CONNACK, SUBACK, UNSUBACK, PINGRESP only flow server -> client.
            disconnect(codec::reason::protocol_error, "server-only packet from client");
            return;
    }
}

void connection::send(const codec::packet& p) {
    if (state_ == state::closing || state_ == state::closed) return;
    worker_.counters.packet_out(codec::type_of(p));
    codec::encode(p, version_, out_);
    flush();
}

bool connection::send_publish(codec::publish& p) {
    if (state_ != state::connected) return true;  // the session keeps it
    if (!is_default_tenant(identity_.tenant)) {
        p.topic = std::string(client_topic(identity_.tenant, p.topic));
    }
    if (version_ == codec::protocol_version::v5) {
        // Topic alias server -> client [MQTT-3.3.2-...]: a new alias while
        // the client's maximum allows, then the alias alone.
        if (client_topic_alias_max_ > 0) {
            auto& alias_out = aliases().out;
            auto it = alias_out.find(p.topic);
            if (it != alias_out.end()) {
                p.props.topic_alias = it->second;
                p.topic.clear();
            } else if (alias_out.size() < client_topic_alias_max_) {
                const auto alias = static_cast<uint16_t>(alias_out.size() + 1);
                alias_out.emplace(p.topic, alias);
                p.props.topic_alias = alias;
            }
        }
        if (client_max_packet_size_ != 0 &&
            codec::encoded_size(p, version_) > client_max_packet_size_) {
            // Too large for this client [MQTT-3.1.2-25]; if an alias was
            // just created the client never learns it, so forget it.
            if (!p.topic.empty() && p.props.topic_alias) aliases().out.erase(p.topic);
            return false;
        }
    }
    // Counted before the bytes go out: the write may complete at once, and
    // nobody should see a message before it is counted as sent.
    worker_.counters.packet_out(codec::packet_type::publish);
    worker_.counters.message_out(p.qos);
    worker_.broker().stats.messages_sent.fetch_add(1, std::memory_order_relaxed);
    codec::encode_publish_header(p, version_, out_);
    out_.append(p.payload.view());
    flush();
    return true;
}

bool connection::send_queue_full() const {
    return out_.size() + writing_.size() >= worker_.broker().opts.send_queue_bytes;
}

void connection::flush() {
    if (state_ == state::closed) return;
    // A client that stops reading while it keeps sending (its PUBACKs and
    // QoS 1/2 deliveries are never dropped) must not grow our memory without
    // bound: past QoS 0's limit plus a full inflight window of the largest
    // packets it is a stuck consumer, and is disconnected.
    const auto& o = worker_.broker().opts;
    const size_t hard_limit = o.send_queue_bytes * 4 + size_t(o.max_inflight) * o.max_packet_size;
    if (out_.size() > hard_limit && state_ != state::closing) {
        spdlog::warn("mqtt: {} ({}) does not read its messages ({} bytes unsent), closing", peer_,
                     identity_.client_id, out_.size());
        close("send queue limit");
        return;
    }
    if (write_in_flight_ || out_.empty()) return;
    writing_.swap(out_);
    out_.clear();
    write_in_flight_ = true;
    std::vector<asio::const_buffer> bufs{asio::buffer(writing_)};
    transport_->async_write(
        std::move(bufs),
        [self = shared_from_this()](std::error_code ec, size_t n) { self->on_written(ec, n); });
}

void connection::on_written(std::error_code ec, size_t n) {
    write_in_flight_ = false;
    // A small buffer goes back at once (an idle client keeps none); a busy
    // subscriber's large one is reused until the sweep finds it idle.
    if (writing_.capacity() <= small_write_buffer) {
        std::string().swap(writing_);
    } else {
        writing_.clear();
    }
    if (state_ == state::closed) return;
    if (ec) {
        close(ec.message());
        return;
    }
    worker_.broker().stats.bytes_sent.fetch_add(n, std::memory_order_relaxed);
    if (!out_.empty()) {
        flush();
        return;
    }
    if (close_after_write_) {
        close("disconnected by server");
        return;
    }
}

void connection::disconnect(uint8_t reason, std::string_view why) {
    if (state_ == state::closing || state_ == state::closed) return;
    if (state_ == state::connected && version_ == codec::protocol_version::v5) {
        codec::disconnect d;
        d.reason_code = reason;
        if (request_problem_information_) d.props.reason_string = std::string(why);
        worker_.counters.packet_out(codec::packet_type::disconnect);
        codec::encode(codec::packet(std::move(d)), version_, out_);
    }
    spdlog::debug("mqtt: disconnecting {} ({}): {}", peer_, identity_.client_id, why);
    // A server-initiated disconnect is abnormal for the will, except the
    // shutdown of the server itself (0x8B), which keeps the session intact.
    state_ = state::closing;
    close_after_write_ = true;
    if (!write_in_flight_) {
        if (out_.empty()) {
            close(why);
        } else {
            flush();
        }
    }
}

void connection::kick(bool end_session) {
    if (end_session) session_expiry_s_ = 0;
    disconnect(codec::reason::administrative_action,
               end_session ? "session deleted by an administrator" : "kicked by an administrator");
}

client_info connection::info() const {
    client_info i;
    i.tenant = identity_.tenant;
    i.client_id = identity_.client_id;
    i.username = identity_.username;
    i.peer = peer_;
    i.listener = "mqtt-" + std::string(transport_->kind());
    i.protocol_version = static_cast<uint8_t>(version_);
    i.keep_alive_s = keep_alive_s_;
    i.clean_start = clean_start_;
    i.connected_at_ms = connected_at_ms_;
    if (session_) {
        i.subscriptions = static_cast<uint32_t>(session_->subscriptions.size());
        i.inflight = static_cast<uint32_t>(session_->inflight_count());
        i.queued = session_->queued_count();
    }
    return i;
}

void connection::close(std::string_view why) {
    if (state_ == state::closed) return;
    spdlog::debug("mqtt: closed {} ({}): {}", peer_, identity_.client_id, why);
    state_ = state::closed;
    if (pause_timer_) pause_timer_->cancel();
    transport_->close();
    on_closed();
}

}  // namespace robust::mqtt
