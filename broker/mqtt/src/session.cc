#include "session.h"

#include <spdlog/spdlog.h>
#include <asio/post.hpp>

#include "base/clock.h"
#include "broker_impl.h"
#include "connection.h"
#include "router/topic.h"
#include "tenant_scope.h"

namespace robust::mqtt {

namespace {
constexpr size_t load_max_bytes = 4 * 1024 * 1024;

qos_level min_qos(qos_level a, qos_level b) {
    return a < b ? a : b;
}
}  // namespace

session::session(worker& w, std::shared_ptr<session_anchor> anchor)
    : created_ms(now_unix_ms()), worker_(&w), anchor_(std::move(anchor)) {}

session::~session() = default;

uint64_t session::queued_count() const {
    if (anchor_->persistent.load(std::memory_order_relaxed)) {
        const int64_t q = anchor_->queued.load(std::memory_order_relaxed);
        return q > 0 ? uint64_t(q) : 0;
    }
    return queue_.size();
}

size_t session::window_cap() const {
    return std::max<size_t>(128, size_t(worker_->broker().opts.max_inflight) * 4);
}

void session::attach(connection& c, bool /*resumed*/) {
    conn_ = &c;
    disconnected_at_ms = 0;
    ++generation_;
    caught_up_ = false;
    // Unacknowledged messages are sent again, in their original order, with
    // DUP set; a released QoS 2 flow continues with PUBREL [MQTT-4.4.0-1].
    for (auto it = inflight_.begin(); it != inflight_.end();) {
        outgoing& o = it->second;
        if (o.released) {
            codec::pubrel rel;
            rel.packet_id = o.packet_id;
            conn_->send(rel);
        } else if (!send(o)) {
            // Too large for this client's Maximum Packet Size: as delivered.
            finish(o);
            by_pid_.erase(o.packet_id);
            it = inflight_.erase(it);
            continue;
        }
        ++it;
    }
    pump();
}

void session::detach() {
    conn_ = nullptr;
    disconnected_at_ms = now_unix_ms();
    ++generation_;
    loading_ = false;
    // Messages not yet sent are dropped from memory: persistent ones are
    // still in the inbox and are loaded again at the next attach.
    for (auto& o : queue_) {
        if (o.inbox_offset >= 0) {
            window_.erase(o.inbox_offset);
            read_pos_ = std::min(read_pos_, o.inbox_offset);
        } else if (o.qos != qos_level::at_most_once) {
            worker_->broker().stats.drop(metrics::drop_reason::queue_full);
        }
    }
    queue_.clear();
}

void session::enqueue(delivery d) {
    auto& b = worker_->broker();
    if (d.over_queue_limit) {
        b.stats.drop(metrics::drop_reason::queue_full);
        return;
    }
    if (!conn_) {
        // Offline: journaled messages wait in the inbox; others are not
        // kept for an offline client (QoS 0, or over the queue limit).
        if (d.inbox_offset < 0 && d.qos != qos_level::at_most_once) {
            b.stats.drop(metrics::drop_reason::queue_full);
        }
        return;
    }
    if (d.inbox_offset >= 0) {
        if (!window_accepts(d.inbox_offset)) return;
        remember(d.inbox_offset);
    } else if (queue_.size() >= b.opts.max_queued_messages) {
        b.stats.drop(metrics::drop_reason::queue_full);
        return;
    }
    outgoing o;
    o.msg = std::move(d.msg);
    o.qos = d.qos;
    o.retain = d.retain;
    o.subscription_ids = std::move(d.subscription_ids);
    o.inbox_offset = d.inbox_offset;
    o.share_group = std::move(d.share_group);
    o.share_filter = std::move(d.share_filter);
    queue_.push_back(std::move(o));
    pump();
}

std::vector<delivery> session::take_shared_undelivered() {
    std::vector<delivery> out;
    auto take = [&](outgoing& o) {
        if (o.share_group.empty() || o.qos == qos_level::at_most_once || o.released) return;
        delivery d;
        d.anchor = anchor_;
        d.msg = o.msg;
        d.share_group = std::move(o.share_group);
        d.share_filter = std::move(o.share_filter);
        out.push_back(std::move(d));
    };
    for (auto& [seq, o] : inflight_) take(o);
    for (auto& o : queue_) take(o);
    return out;
}

bool session::window_accepts(int64_t offset) {
    if (offset < cursor_ || offset < read_pos_ || window_.contains(offset)) return false;  // seen
    // Only the next offset, once the loader has caught up, is taken live: an
    // earlier one not yet seen (still loading, or another publisher's append
    // completing later) would otherwise be sent after it, out of order. The
    // loader reads the rest from the journal, in order.
    const bool next_in_order = caught_up_ && !loading_ && offset == read_pos_;
    if (!next_in_order || window_.size() >= window_cap()) {
        missed_up_to_ = std::max(missed_up_to_, offset);
        caught_up_ = false;
        maybe_load();
        return false;
    }
    return true;
}

void session::remember(int64_t offset) {
    window_.emplace(offset, false);
    while (window_.contains(read_pos_)) ++read_pos_;
}

void session::pump() {
    if (!conn_) return;
    auto& b = worker_->broker();
    const size_t window = std::min<size_t>(conn_->client_receive_maximum(), b.opts.max_inflight);
    const int64_t now = now_unix_ms();
    while (!queue_.empty()) {
        outgoing& o = queue_.front();
        if (expired(*o.msg, now)) {  // [MQTT-3.3.2-5]
            b.stats.drop(metrics::drop_reason::expired);
            finish(o);
            queue_.pop_front();
            continue;
        }
        if (o.qos == qos_level::at_most_once) {
            if (conn_->send_queue_full()) {
                b.stats.drop(metrics::drop_reason::queue_full);
            } else {
                send(o);
            }
            queue_.pop_front();
            continue;
        }
        if (inflight_.size() >= window) break;  // receive maximum [MQTT-4.9.0-2]
        o.packet_id = next_packet_id();
        if (!send(o)) {
            finish(o);
            queue_.pop_front();
            continue;
        }
        const uint64_t seq = send_seq_++;
        by_pid_[o.packet_id] = seq;
        inflight_.emplace(seq, std::move(o));
        queue_.pop_front();
    }
    maybe_load();
}

bool session::send(outgoing& o) {
    const message& m = *o.msg;
    codec::publish p;
    p.dup = o.sent && o.qos != qos_level::at_most_once;
    p.qos = o.qos;
    p.retain = o.retain;
    p.topic = m.topic;
    p.packet_id = o.packet_id;
    p.payload = m.payload;
    if (conn_->version() == codec::protocol_version::v5) {
        p.props = m.props;
        if (m.expiry_at_ms != 0) {
            // The interval left, rounded up [MQTT-3.3.2-6].
            const int64_t left = m.expiry_at_ms - now_unix_ms();
            p.props.message_expiry_interval =
                static_cast<uint32_t>(std::max<int64_t>(1, (left + 999) / 1000));
        }
        p.props.subscription_identifiers = o.subscription_ids;
    }
    if (!conn_->send_publish(p)) {
        worker_->broker().stats.drop(metrics::drop_reason::too_large);
        return false;
    }
    o.sent = true;
    return true;
}

void session::finish(outgoing& o) {
    if (o.inbox_offset >= 0) mark_done(o.inbox_offset);
}

void session::mark_done(int64_t offset) {
    auto it = window_.find(offset);
    if (it == window_.end()) return;
    it->second = true;
    const int64_t before = cursor_;
    while (!window_.empty() && window_.begin()->first == cursor_ && window_.begin()->second) {
        window_.erase(window_.begin());
        ++cursor_;
    }
    if (cursor_ != before) {
        anchor_->queued.fetch_sub(cursor_ - before, std::memory_order_relaxed);
        auto& b = worker_->broker();
        ignore_result(b.journal.commit_position(cursor_group(anchor_->tenant, client_id()),
                                                storage::shard_id{anchor_->inbox.load()}, cursor_));
    }
}

void session::on_puback(uint16_t packet_id) {
    auto it = by_pid_.find(packet_id);
    if (it == by_pid_.end()) return;  // unknown id: nothing to do [MQTT-4.3.2]
    auto in = inflight_.find(it->second);
    if (in->second.qos != qos_level::at_least_once) return;
    finish(in->second);
    inflight_.erase(in);
    by_pid_.erase(it);
    pump();
}

void session::on_pubrec(uint16_t packet_id, uint8_t reason_code) {
    auto it = by_pid_.find(packet_id);
    codec::pubrel rel;
    rel.packet_id = packet_id;
    if (it == by_pid_.end()) {
        rel.reason_code = 0x92;  // packet identifier not found
        if (conn_) conn_->send(rel);
        return;
    }
    auto in = inflight_.find(it->second);
    if (in->second.qos != qos_level::exactly_once) return;
    if (reason_code >= 0x80) {  // the receiver refused it: the flow ends [MQTT-4.3.3]
        finish(in->second);
        inflight_.erase(in);
        by_pid_.erase(it);
        pump();
        return;
    }
    in->second.released = true;
    if (conn_) conn_->send(rel);
}

void session::on_pubcomp(uint16_t packet_id) {
    auto it = by_pid_.find(packet_id);
    if (it == by_pid_.end()) return;
    auto in = inflight_.find(it->second);
    if (!in->second.released) return;
    finish(in->second);
    inflight_.erase(in);
    by_pid_.erase(it);
    pump();
}

uint16_t session::next_packet_id() {
    // Ids in use are at most the inflight window (< 65535), so this ends.
    do {
        ++last_packet_id_;
        if (last_packet_id_ == 0) last_packet_id_ = 1;
    } while (by_pid_.contains(last_packet_id_));
    return last_packet_id_;
}

bool session::resolve(const message& m, outgoing& o) const {
    bool matched = false;
    o.subscription_ids.clear();
    // Filters are kept as the client sent them: match the client's view.
    const std::string_view topic = client_topic(anchor_->tenant, m.topic);
    for (const auto& [filter, sub] : subscriptions) {
        std::string_view f = filter;
        if (auto shared = router::parse_shared(f)) f = shared->filter;
        if (!router::topic_matches(f, topic)) continue;
        const qos_level q = min_qos(m.qos, sub.options.max_qos);
        if (!matched || q > o.qos) o.qos = q;
        o.retain = o.retain || (sub.options.retain_as_published && m.retain);
        if (sub.subscription_id != 0) o.subscription_ids.push_back(sub.subscription_id);
        matched = true;
    }
    return matched;
}

void session::maybe_load() {
    if (!conn_ || loading_ || !anchor_->persistent.load(std::memory_order_relaxed)) return;
    if (caught_up_) return;
    if (window_.size() >= window_cap()) return;
    loading_ = true;
    const size_t room = window_cap() - window_.size();
    broker_impl& b = worker_->broker();
    asio::post(b.blocking, [&b, anchor = anchor_, gen = generation_, from = read_pos_, room] {
        std::vector<std::pair<int64_t, message_ptr>> loaded;
        bool end = true;
        auto recs =
            b.journal.read(storage::shard_id{anchor->inbox.load()}, from, room, load_max_bytes);
        if (!recs) {
            spdlog::warn("mqtt: reading the inbox of {} failed: {}", anchor->client_id,
                         recs.error().message());
        } else {
            end = recs->size() < room;
            loaded.reserve(recs->size());
            broker_impl::stored_batch_cache cache;
            for (const auto& r : *recs) {
                message_ptr m;
                if (auto ptr = storage::index_pointer::decode(r.value.view())) {
                    m = b.load_stored(*ptr, anchor->tenant, cache);
                }
                // A missing message was removed by retention: it counts as done.
                loaded.emplace_back(r.offset, std::move(m));
            }
        }
        auto deliver = [&b, anchor, gen, loaded = std::move(loaded), end]() mutable {
            worker& w = b.worker_at(anchor->thread.load());
            auto it = w.sessions.find(anchor->id);
            if (it == w.sessions.end()) return;  // ended or moved: the attach reloads
            it->second->on_loaded(gen, std::move(loaded), end);
        };
        asio::post(b.worker_at(anchor->thread.load()).ctx(), std::move(deliver));
    });
}

void session::on_loaded(uint64_t generation, std::vector<std::pair<int64_t, message_ptr>> records,
                        bool reached_end) {
    if (generation != generation_) return;  // detached since: a new load runs
    loading_ = false;
    bool complete = true;
    for (auto& [offset, msg] : records) {
        if (offset < cursor_ || offset < read_pos_ || window_.contains(offset)) continue;
        if (window_.size() >= window_cap()) {
            complete = false;
            break;
        }
        remember(offset);
        outgoing o;
        if (!msg || !resolve(*msg, o)) {
            mark_done(offset);  // gone, or no longer subscribed
            continue;
        }
        o.msg = std::move(msg);
        o.inbox_offset = offset;
        queue_.push_back(std::move(o));
    }
    // An empty read leaves read_pos_ where it was; records skipped as seen
    // still moved it through remember().
    if (!records.empty() && complete) read_pos_ = std::max(read_pos_, records.back().first + 1);
    // A live delivery refused during the read may be past what it returned.
    // An empty read ends the chase (no spinning): the next delivery loads.
    if (records.empty()) missed_up_to_ = -1;
    caught_up_ = reached_end && complete && missed_up_to_ < read_pos_;
    pump();
}

}  // namespace robust::mqtt
