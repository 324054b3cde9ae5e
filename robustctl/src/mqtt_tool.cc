#include "mqtt_tool.h"

#include <poll.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cinttypes>
#include <iterator>
#include <random>

#include "exit_code.h"
#include "mqtt/codec/reason_codes.h"
#include "mqtt_session.h"
#include "mqtt_transport.h"

namespace robust::ctl {
namespace {

using clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr milliseconds connect_timeout{10'000};
constexpr milliseconds ack_timeout{30'000};  // no acknowledgement progress for this long: give up
constexpr milliseconds write_timeout{30'000};
constexpr size_t max_window = 1000;  // QoS 1/2 messages in flight at most
constexpr size_t write_batch_bytes = 64 * 1024;

std::string hex_byte(uint8_t code) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "0x%02X", code);
    return buf;
}

std::string reason_text(uint8_t code) {
    return std::string(mqc::reason_name(code)) + " (" + hex_byte(code) + ")";
}

std::string make_client_id() {
    std::random_device rd;
    char buf[32];
    std::snprintf(buf, sizeof buf, "robustctl-%d-%04x", static_cast<int>(getpid()),
                  static_cast<unsigned>(rd() & 0xFFFF));
    return buf;
}

std::string error_text(const std::error_code& ec) {
    if (ec == errc::timeout) return "timed out";
    return ec.message();
}

// One connection to the broker: transport + session + keep-alive, for the
// pub and sub loops. Main thread only.
class connection {
public:
    connection(const mqtt_common_options& o, std::FILE* err)
        : options_(o), session_(o.version), err_(err) {}

    // Connects and waits for CONNACK; an exit code when that fails.
    std::optional<int> open() {
        connect_failure failure;
        transport_ =
            connect_transport(options_.host, options_.port, options_.tls, connect_timeout, failure);
        if (!transport_) {
            std::fprintf(err_, "error: cannot connect to %s:%u (%s): %s\n", options_.host.c_str(),
                         options_.port, failure.stage.c_str(), error_text(failure.code).c_str());
            return to_int(exit_code::cannot_connect);
        }
        mqc::connect c;
        c.clean_start = options_.clean;
        c.keep_alive = options_.keepalive_s;
        c.client_id = options_.client_id.empty() ? make_client_id() : options_.client_id;
        c.username = options_.username;
        c.password = options_.password;
        if (options_.session_expiry_s) c.props.session_expiry_interval = options_.session_expiry_s;
        session_.connect(std::move(c));
        if (!flush()) return to_int(exit_code::cannot_connect);

        const auto deadline = clock::now() + connect_timeout;
        std::vector<session_event> events;
        for (;;) {
            auto r = pump(deadline, events);
            if (r) return r;
            for (size_t i = 0; i < events.size(); ++i) {
                if (auto* ack = std::get_if<connack_event>(&events[i])) {
                    // Whatever came with the CONNACK (a resumed session's
                    // messages) is for the next pump().
                    backlog_.assign(std::make_move_iterator(events.begin() + i + 1),
                                    std::make_move_iterator(events.end()));
                    if (ack->reason_code != 0) {
                        std::fprintf(
                            err_, "error: the broker refused the connection: %s\n",
                            connack_reason_text(options_.version, ack->reason_code).c_str());
                        return to_int(exit_code::refused);
                    }
                    return std::nullopt;
                }
            }
            events.clear();
            if (clock::now() >= deadline) {
                std::fprintf(err_, "error: no CONNACK from %s:%u within %lld s\n",
                             options_.host.c_str(), options_.port,
                             static_cast<long long>(connect_timeout.count() / 1000));
                return to_int(exit_code::cannot_connect);
            }
        }
    }

    mqtt_session& session() { return session_; }

    // Sends whatever the session queued. False (after printing) on failure.
    bool flush() {
        auto bytes = session_.take_output();
        if (bytes.empty()) return true;
        auto st = transport_->write(bytes, write_timeout);
        if (!st) {
            std::fprintf(err_, "error: connection lost: %s\n", error_text(st.error()).c_str());
            return false;
        }
        last_write_ = clock::now();
        return true;
    }

    // Reads once (until `deadline` at most, sending PINGREQ when the keep
    // alive is due) and appends the events. An exit code when the
    // connection failed or the broker disconnected us; nothing on timeout.
    std::optional<int> pump(clock::time_point deadline, std::vector<session_event>& events) {
        if (!backlog_.empty()) {
            const size_t first = events.size();
            std::move(backlog_.begin(), backlog_.end(), std::back_inserter(events));
            backlog_.clear();
            return check_disconnect(events, first);
        }
        if (!flush()) return to_int(exit_code::refused);
        auto until = deadline;
        if (options_.keepalive_s > 0) {
            const auto ping_at = last_write_ + std::chrono::seconds(options_.keepalive_s);
            if (clock::now() >= ping_at) {
                session_.ping();
                if (!flush()) return to_int(exit_code::refused);
                return std::nullopt;
            }
            until = std::min(until, ping_at);
        }
        const auto wait = std::max(milliseconds(1),
                                   std::chrono::duration_cast<milliseconds>(until - clock::now()));
        auto got = transport_->read_some(buffer_, wait);
        if (!got) {
            if (got.error() == errc::timeout) return std::nullopt;
            std::fprintf(err_, "error: the broker closed the connection: %s\n",
                         error_text(got.error()).c_str());
            return to_int(exit_code::refused);
        }
        const size_t first = events.size();
        auto st = session_.receive(std::span(buffer_.data(), *got), events);
        if (!st) {
            std::fprintf(err_, "error: bad packet from the broker: %s\n",
                         st.error().message().c_str());
            return to_int(exit_code::refused);
        }
        if (auto r = check_disconnect(events, first)) return r;
        return flush() ? std::nullopt : std::optional<int>(to_int(exit_code::refused));
    }

    void close() {
        session_.disconnect();
        (void)flush();
        transport_->close();
    }

private:
    // An exit code when events[first..] hold the broker's DISCONNECT.
    std::optional<int> check_disconnect(const std::vector<session_event>& events, size_t first) {
        for (size_t i = first; i < events.size(); ++i) {
            if (const auto* d = std::get_if<disconnect_event>(&events[i])) {
                std::fprintf(err_, "error: disconnected by the broker: %s%s%s\n",
                             reason_text(d->reason_code).c_str(),
                             d->reason_string.empty() ? "" : ": ", d->reason_string.c_str());
                return to_int(exit_code::refused);
            }
        }
        return std::nullopt;
    }

    const mqtt_common_options& options_;
    mqtt_session session_;
    std::FILE* err_;
    std::unique_ptr<mqtt_transport> transport_;
    std::array<std::byte, 64 * 1024> buffer_{};
    clock::time_point last_write_ = clock::now();
    std::vector<session_event> backlog_;  // received with the CONNACK, not yet handed out
};

// Progress lines on stderr, once a second, for long runs.
class progress {
public:
    progress(std::FILE* err, uint64_t total, bool enabled)
        : err_(err), total_(total), enabled_(enabled) {}

    void tick(uint64_t sent, uint64_t acked, bool acks) {
        if (!enabled_) return;
        const auto now = clock::now();
        if (now - last_ < std::chrono::seconds(1)) return;
        const double secs = std::chrono::duration<double>(now - start_).count();
        if (acks) {
            std::fprintf(err_,
                         "progress: %" PRIu64 "/%" PRIu64 " sent, %" PRIu64
                         " acknowledged, %.0f msg/s\n",
                         sent, total_, acked, sent / secs);
        } else {
            std::fprintf(err_, "progress: %" PRIu64 "/%" PRIu64 " sent, %.0f msg/s\n", sent, total_,
                         sent / secs);
        }
        last_ = now;
    }

    void done(uint64_t sent) {
        if (!enabled_) return;
        const double secs = std::chrono::duration<double>(clock::now() - start_).count();
        std::fprintf(err_, "published %" PRIu64 " messages in %.2f s (%.0f msg/s)\n", sent, secs,
                     secs > 0 ? sent / secs : 0.0);
    }

private:
    std::FILE* err_;
    uint64_t total_;
    bool enabled_;
    clock::time_point start_ = clock::now();
    clock::time_point last_ = clock::now();
};

// Lines from a file descriptor with a timeout, for --stdin-lines.
class line_reader {
public:
    explicit line_reader(int fd) : fd_(fd) {}

    enum class outcome { line, timeout, end };

    outcome next(std::string& line, int timeout_ms) {
        for (;;) {
            if (auto nl = buf_.find('\n'); nl != std::string::npos) {
                line = buf_.substr(0, nl);
                buf_.erase(0, nl + 1);
                if (!line.empty() && line.back() == '\r') line.pop_back();
                return outcome::line;
            }
            if (eof_) {
                if (buf_.empty()) return outcome::end;
                line.swap(buf_);  // a last line without '\n'
                buf_.clear();
                return outcome::line;
            }
            pollfd p{fd_, POLLIN, 0};
            const int ready = ::poll(&p, 1, timeout_ms);
            if (ready == 0) return outcome::timeout;
            if (ready < 0) {
                if (errno == EINTR) continue;
                eof_ = true;
                continue;
            }
            char chunk[16 * 1024];
            const ssize_t n = ::read(fd_, chunk, sizeof chunk);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) {
                eof_ = true;
                continue;
            }
            buf_.append(chunk, static_cast<size_t>(n));
        }
    }

private:
    int fd_;
    std::string buf_;
    bool eof_ = false;
};

}  // namespace

std::string connack_reason_text(mqtt::codec::protocol_version version, uint8_t code) {
    if (version == mqc::protocol_version::v5) return reason_text(code);
    return std::string(mqc::connect_return_name(code)) + " (" + std::to_string(code) + ")";
}

int run_mqtt_pub(const mqtt_pub_options& o, int in_fd, std::FILE* err) {
    connection conn(o, err);
    if (auto r = conn.open()) return *r;
    auto& s = conn.session();
    s.set_window(max_window);
    const bool acks = o.qos != mqc::qos_level::at_most_once;

    uint64_t sent = 0, acked = 0, refused = 0;
    progress prog(err, o.count, !o.stdin_lines && o.count > 1000);
    std::vector<session_event> events;
    auto handle_events = [&] {
        for (auto& e : events) {
            if (auto* p = std::get_if<published_event>(&e)) {
                ++acked;
                if (p->reason_code >= 0x80) {
                    if (refused++ == 0) {
                        std::fprintf(err, "error: the broker refused a publish to %s: %s\n",
                                     o.topic.c_str(), reason_text(p->reason_code).c_str());
                    }
                }
            }
        }
        events.clear();
    };
    // Waits until `ready` holds, reading acknowledgements; an exit code when
    // the connection fails or no acknowledgement arrives for ack_timeout.
    auto wait_for = [&](auto ready) -> std::optional<int> {
        auto last_progress = clock::now();
        while (!ready()) {
            const uint64_t before = acked;
            if (auto r = conn.pump(last_progress + ack_timeout, events)) return r;
            handle_events();
            if (acked != before) {
                last_progress = clock::now();
            } else if (clock::now() - last_progress >= ack_timeout) {
                std::fprintf(err, "error: no acknowledgement from the broker for %lld s\n",
                             static_cast<long long>(ack_timeout.count() / 1000));
                return to_int(exit_code::refused);
            }
        }
        return std::nullopt;
    };

    auto publish_one = [&](std::string payload, bool flush_now) -> std::optional<int> {
        if (acks && !s.can_publish()) {
            if (auto r = wait_for([&] { return s.can_publish(); })) return r;
        }
        s.publish(o.topic, std::move(payload), o.qos, o.retain);
        ++sent;
        if (flush_now || (sent % 256) == 0) {
            if (!conn.flush()) return to_int(exit_code::refused);
        }
        prog.tick(sent, acked, acks);
        return std::nullopt;
    };

    if (o.stdin_lines) {
        // Each line goes out at once: stdin may be a person typing. While it
        // is idle, acknowledgements are read and keep-alive pings sent.
        line_reader reader(in_fd);
        std::string line;
        for (;;) {
            const auto got = reader.next(line, 500);
            if (got == line_reader::outcome::end) break;
            if (got == line_reader::outcome::line) {
                if (auto r = publish_one(line, true)) return *r;
                continue;
            }
            if (auto r = conn.pump(clock::now() + milliseconds(1), events)) return *r;
            handle_events();
        }
    } else {
        for (uint64_t i = 0; i < o.count; ++i) {
            if (auto r = publish_one(o.message, false)) return *r;
        }
    }
    if (!conn.flush()) return to_int(exit_code::refused);
    if (auto r = wait_for([&] { return s.inflight() == 0; })) return *r;
    prog.done(sent);
    conn.close();
    return refused > 0 ? to_int(exit_code::refused) : to_int(exit_code::ok);
}

int run_mqtt_sub(const mqtt_sub_options& o, std::FILE* out, std::FILE* err) {
    connection conn(o, err);
    if (auto r = conn.open()) return *r;
    auto& s = conn.session();
    const uint16_t sub_id = s.subscribe(o.topics, o.qos);

    std::vector<session_event> events;
    const auto suback_deadline = clock::now() + connect_timeout;
    bool subscribed = false;
    bool output_closed = false;
    uint64_t received = 0;
    auto print = [&](const mqc::publish& m) {
        if (o.verbose) {
            std::fwrite(m.topic.data(), 1, m.topic.size(), out);
            std::fputc(' ', out);
        }
        const auto payload = m.payload.view();
        std::fwrite(payload.data(), 1, payload.size(), out);
        std::fputc('\n', out);
        ++received;
        // Whoever reads our output went away (robustctl mqtt sub | head -1): stop.
        if (std::fflush(out) != 0) output_closed = true;
    };
    const bool v5 = o.version == mqc::protocol_version::v5;
    auto handle = [&]() -> std::optional<int> {
        for (auto& e : events) {
            if (auto* ack = std::get_if<subscribed_event>(&e); ack && ack->packet_id == sub_id) {
                for (size_t i = 0; i < ack->reason_codes.size() && i < o.topics.size(); ++i) {
                    const uint8_t code = ack->reason_codes[i];
                    if (code >= 0x80) {
                        std::fprintf(err, "error: the broker refused the subscription to %s: %s\n",
                                     o.topics[i].c_str(),
                                     v5 ? reason_text(code).c_str() : "failure (0x80)");
                        return to_int(exit_code::refused);
                    }
                }
                subscribed = true;
            } else if (auto* m = std::get_if<message_event>(&e)) {
                if (o.count == 0 || received < o.count) print(m->msg);
            }
        }
        events.clear();
        return std::nullopt;
    };

    while (!subscribed) {
        if (auto r = conn.pump(suback_deadline, events)) return *r;
        if (auto r = handle()) return *r;
        if (!subscribed && clock::now() >= suback_deadline) {
            std::fprintf(err, "error: no SUBACK within %lld s\n",
                         static_cast<long long>(connect_timeout.count() / 1000));
            return to_int(exit_code::refused);
        }
    }

    const auto far = clock::now() + std::chrono::hours(24 * 365);
    const auto deadline = o.timeout_s
                              ? clock::now() + std::chrono::duration_cast<clock::duration>(
                                                   std::chrono::duration<double>(*o.timeout_s))
                              : far;
    while ((o.count == 0 || received < o.count) && !output_closed) {
        if (clock::now() >= deadline) {
            if (o.count > 0) {
                std::fprintf(err, "timeout: %" PRIu64 " of %" PRIu64 " messages within %g s\n",
                             received, o.count, *o.timeout_s);
                conn.close();
                return to_int(exit_code::timeout);
            }
            break;
        }
        if (auto r = conn.pump(deadline, events)) return *r;
        if (auto r = handle()) return *r;
    }
    // Let QoS 2 flows of delivered messages finish (PUBREL -> PUBCOMP), so
    // the broker does not resend them to a resumed session.
    const auto settle = clock::now() + std::chrono::seconds(2);
    while (s.pending_incoming_qos2() > 0 && clock::now() < settle) {
        if (auto r = conn.pump(settle, events)) return *r;
        events.clear();
    }
    conn.close();
    return to_int(exit_code::ok);
}

}  // namespace robust::ctl
