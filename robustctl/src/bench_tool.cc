#include "bench_tool.h"

#include <netinet/in.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cinttypes>
#include <fstream>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>
#include <vector>

#include <asio/connect.hpp>
#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/post.hpp>
#include <asio/ssl.hpp>
#include <asio/steady_timer.hpp>
#include <asio/write.hpp>

#include "bench_clock.h"
#include "bench_progress.h"
#include "bench_report.h"
#include "exit_code.h"
#include "mqtt/codec/reason_codes.h"
#include "mqtt_session.h"

namespace robust::ctl {
namespace {

using clock = std::chrono::steady_clock;
using tcp = asio::ip::tcp;

constexpr size_t write_high_water = 64 * 1024;  // a publisher stops producing above this
constexpr std::chrono::seconds connect_timeout{10};
constexpr std::chrono::seconds drain_idle{2};     // pubsub: no message for this long ends the drain
constexpr std::chrono::seconds drain_max{10};     // pubsub: longest wait for in-flight messages
constexpr std::chrono::seconds finish_grace{30};  // publishers' acks after the deadline

// Totals of one worker thread. Counters are atomics (the main thread reads
// them for the progress line); the histograms and first_error are touched
// by the worker thread only and read after it has been joined.
struct worker_stats {
    std::atomic<uint64_t> connected{0}, connect_failed{0}, refused_connect{0}, sent{0}, acked{0},
        refused{0}, received{0}, errors{0}, pings{0}, pongs{0};
    std::atomic<int64_t> last_connack_ns{0}, last_receive_ns{0};
    latency_histogram latency_ns;
    latency_histogram connect_latency_ns;
    std::string first_error;
};

struct worker {
    asio::io_context io{1};
    worker_stats stats;
    std::thread thread;
};

// What every client shares: read-only after set-up, plus two counters.
struct run_context {
    const bench_options& o;
    tcp::endpoint endpoint;
    std::vector<asio::ip::address> sources;  // --source, parsed
    asio::ssl::context* ssl = nullptr;       // null without TLS
    std::atomic<uint64_t> settled{0};        // clients connected (and subscribed) or failed
    std::atomic<uint64_t> publishers_done{0};
};

std::string reason_text(uint8_t code) {
    char hex[8];
    std::snprintf(hex, sizeof hex, "0x%02X", code);
    return std::string(mqc::reason_name(code)) + " (" + hex + ")";
}

// One MQTT connection of the benchmark, on one worker's io_context: all its
// methods run on that thread (the main thread only asio::post()s to it).
// Kept alive by the handlers it has pending and by the main thread's list.
class bench_client : public std::enable_shared_from_this<bench_client> {
public:
    enum class role { idle, publisher, subscriber };

    bench_client(worker& w, run_context& run, role r, std::string client_id, std::string topic)
        : w_(w),
          run_(run),
          o_(run.o),
          role_(r),
          client_id_(std::move(client_id)),
          topic_(std::move(topic)),
          session_(o_.mqtt.version),
          socket_(w.io),
          keepalive_timer_(w.io),
          rate_timer_(w.io) {
        session_.set_window(o_.inflight);
        // Idle clients read only CONNACK and PINGRESP: 100,000 of them must
        // not cost 64 KB each.
        buffer_.resize(r == role::idle ? 512 : 64 * 1024);
    }

    role kind() const { return role_; }
    const std::string& topic() const { return topic_; }
    // --topics: the topic with %n replaced by `n`.
    std::string numbered_topic(uint64_t n) const {
        std::string t = topic_;
        const std::string number = std::to_string(n);
        for (size_t at = t.find("%n"); at != std::string::npos; at = t.find("%n", at)) {
            t.replace(at, 2, number);
            at += number.size();
        }
        return t;
    }
    // Read by the main thread while the run goes on.
    uint64_t sent() const { return sent_.load(std::memory_order_relaxed); }
    bool subscribed() const { return subscribed_.load(std::memory_order_relaxed); }

    void start(size_t index) {
        connect_started_ns_ = now_ns();
        if (!run_.sources.empty()) {
            std::error_code ec;
            const auto& source = run_.sources[index % run_.sources.size()];
            socket_.open(source.is_v4() ? tcp::v4() : tcp::v6(), ec);
            // The local port is chosen at connect(), per destination, not at
            // bind(): otherwise each source address gives only one ephemeral
            // range for every destination together.
            const int on = 1;
            if (!ec) {
                ::setsockopt(socket_.native_handle(), IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &on,
                             sizeof on);
            }
            if (!ec) socket_.bind(tcp::endpoint(source, 0), ec);
            if (ec) return fail("bind to " + source.to_string() + ": " + ec.message());
        }
        socket_.async_connect(run_.endpoint, [self = shared_from_this()](std::error_code ec) {
            if (ec) return self->fail("connect: " + ec.message());
            std::error_code ignored;
            self->socket_.set_option(tcp::no_delay(true), ignored);
            if (self->run_.ssl == nullptr) return self->send_connect();
            self->tls_ =
                std::make_unique<asio::ssl::stream<tcp::socket&>>(self->socket_, *self->run_.ssl);
            if (!self->o_.mqtt.tls.insecure) {
                self->tls_->set_verify_mode(asio::ssl::verify_peer);
                self->tls_->set_verify_callback(
                    asio::ssl::host_name_verification(self->o_.mqtt.host));
            } else {
                self->tls_->set_verify_mode(asio::ssl::verify_none);
            }
            self->tls_->async_handshake(asio::ssl::stream_base::client, [self](std::error_code e) {
                if (e) return self->fail("TLS handshake: " + e.message());
                self->send_connect();
            });
        });
    }

    void start_publishing(int64_t deadline_ns) {
        if (failed_ || !connected_) return finish_publishing();
        deadline_ns_ = deadline_ns;
        publish_start_ns_ = now_ns();
        publishing_ = true;
        pump();
    }

    void stop() {
        closing_ = true;
        keepalive_timer_.cancel();
        rate_timer_.cancel();
        if (connected_ && !failed_) {
            session_.disconnect();
            flush();
        }
        if (!writing_) close_socket();
    }

private:
    void send_connect() {
        mqc::connect c;
        c.clean_start = true;
        c.keep_alive = o_.mqtt.keepalive_s;
        c.client_id = client_id_;
        c.username = o_.mqtt.username;
        c.password = o_.mqtt.password;
        session_.connect(std::move(c));
        flush();
        read();
    }

    template <class Handler>
    void async_read_some(Handler&& h) {
        auto buf = asio::buffer(buffer_.data(), buffer_.size());
        if (tls_) {
            tls_->async_read_some(buf, std::forward<Handler>(h));
        } else {
            socket_.async_read_some(buf, std::forward<Handler>(h));
        }
    }

    void read() {
        async_read_some([self = shared_from_this()](std::error_code ec, size_t n) {
            if (ec) {
                if (!self->closing_) self->fail("connection lost: " + ec.message());
                return;
            }
            self->on_bytes(n);
            if (!self->failed_) self->read();
        });
    }

    void on_bytes(size_t n) {
        events_.clear();
        auto st = session_.receive(std::span<const std::byte>(buffer_.data(), n), events_);
        for (auto& e : events_) {
            if (failed_) return;
            std::visit([this](auto& ev) { on_event(ev); }, e);
        }
        if (!st) return fail("bad packet from the broker: " + st.error().message());
        if (publishing_) {
            pump();
        } else {
            flush();
            check_finished();  // the last acknowledgements
        }
    }

    void on_event(const connack_event& ack) {
        if (ack.reason_code != 0) {
            w_.stats.refused_connect.fetch_add(1, std::memory_order_relaxed);
            const std::string why = o_.mqtt.version == mqc::protocol_version::v5
                                        ? reason_text(ack.reason_code)
                                        : std::string(mqc::connect_return_name(ack.reason_code)) +
                                              " (" + std::to_string(ack.reason_code) + ")";
            return fail("connection refused: " + why);
        }
        const int64_t now = now_ns();
        connected_ = true;
        w_.stats.connect_latency_ns.record(static_cast<uint64_t>(now - connect_started_ns_));
        w_.stats.connected.fetch_add(1, std::memory_order_relaxed);
        int64_t last = w_.stats.last_connack_ns.load(std::memory_order_relaxed);
        if (now > last) w_.stats.last_connack_ns.store(now, std::memory_order_relaxed);
        arm_keepalive();
        if (role_ == role::subscriber) {
            session_.subscribe({topic_}, o_.mqtt.qos);
        } else {
            settle();
        }
    }

    void on_event(const subscribed_event& s) {
        if (!s.reason_codes.empty() && s.reason_codes[0] >= 0x80) {
            return fail("subscription to " + topic_ +
                        " refused: " + reason_text(s.reason_codes[0]));
        }
        subscribed_.store(true, std::memory_order_relaxed);
        settle();
    }

    void on_event(const message_event& m) {
        const int64_t now = now_ns();
        w_.stats.received.fetch_add(1, std::memory_order_relaxed);
        w_.stats.last_receive_ns.store(now, std::memory_order_relaxed);
        if (auto stamp = read_bench_stamp(m.msg.payload.view())) {
            const auto sent_at = static_cast<int64_t>(*stamp);
            if (sent_at > 0 && sent_at <= now) {
                w_.stats.latency_ns.record(static_cast<uint64_t>(now - sent_at));
            }
        }
    }

    void on_event(const published_event& p) {
        w_.stats.acked.fetch_add(1, std::memory_order_relaxed);
        if (p.reason_code >= 0x80) {
            if (w_.stats.refused.fetch_add(1, std::memory_order_relaxed) == 0) {
                note_error("publish to " + topic_ + " refused: " + reason_text(p.reason_code));
            }
        }
    }

    void on_event(const pong_event&) { w_.stats.pongs.fetch_add(1, std::memory_order_relaxed); }

    void on_event(const disconnect_event& d) {
        fail("disconnected by the broker: " + reason_text(d.reason_code) +
             (d.reason_string.empty() ? "" : ": " + d.reason_string));
    }

    // Publishes what is due: as fast as the window and the socket allow
    // (--rate 0), or on the schedule start + n / rate.
    void pump() {
        while (publishing_) {
            const uint64_t sent = sent_.load(std::memory_order_relaxed);
            if (o_.count > 0 ? sent >= o_.count : now_ns() >= deadline_ns_) {
                finish_publishing();
                break;
            }
            if (o_.mqtt.qos != mqc::qos_level::at_most_once && !session_.can_publish()) break;
            if (pending_.size() >= write_high_water) break;
            if (o_.rate > 0) {
                const auto due =
                    publish_start_ns_ + static_cast<int64_t>(static_cast<double>(sent) * 1e9 /
                                                             static_cast<double>(o_.rate));
                const int64_t now = now_ns();
                if (now < due) {
                    const int64_t wake = o_.count > 0 ? due : std::min(due, deadline_ns_);
                    rate_timer_.expires_after(std::chrono::nanoseconds(wake - now));
                    rate_timer_.async_wait([self = shared_from_this()](std::error_code ec) {
                        if (!ec) self->pump();
                    });
                    break;
                }
            }
            session_.publish(o_.topics > 0 ? numbered_topic(sent % o_.topics) : topic_,
                             make_bench_payload(o_.size, static_cast<uint64_t>(now_ns())),
                             o_.mqtt.qos, o_.retain);
            pending_ += session_.take_output();  // counted against write_high_water
            sent_.store(sent + 1, std::memory_order_relaxed);
            w_.stats.sent.fetch_add(1, std::memory_order_relaxed);
        }
        flush();
        check_finished();
    }

    void finish_publishing() {
        if (finishing_) return;
        publishing_ = false;
        finishing_ = true;
        rate_timer_.cancel();
        check_finished();
    }

    // A publisher is done once its last message is written and acknowledged.
    void check_finished() {
        if (!finishing_ || done_) return;
        if (!failed_ && (writing_ || !pending_.empty() || session_.inflight() > 0)) return;
        done_ = true;
        run_.publishers_done.fetch_add(1, std::memory_order_relaxed);
    }

    void flush() {
        pending_ += session_.take_output();
        if (writing_ || pending_.empty() || failed_) return;
        writing_buf_.swap(pending_);
        pending_.clear();
        writing_ = true;
        auto handler = [self = shared_from_this()](std::error_code ec, size_t) {
            self->writing_ = false;
            self->writing_buf_.clear();
            self->last_write_ = clock::now();
            if (ec) {
                if (!self->closing_) self->fail("write: " + ec.message());
                if (self->closing_) self->close_socket();
                return;
            }
            if (self->closing_) {
                if (self->pending_.empty()) return self->close_socket();
                return self->flush();
            }
            if (self->publishing_) return self->pump();
            self->flush();
            self->check_finished();
        };
        auto buf = asio::buffer(writing_buf_.data(), writing_buf_.size());
        if (tls_) {
            asio::async_write(*tls_, buf, std::move(handler));
        } else {
            asio::async_write(socket_, buf, std::move(handler));
        }
    }

    void arm_keepalive() {
        if (o_.mqtt.keepalive_s == 0) return;
        const auto period = std::chrono::seconds(o_.mqtt.keepalive_s);
        keepalive_timer_.expires_at(last_write_ + period);
        keepalive_timer_.async_wait([self = shared_from_this(), period](std::error_code ec) {
            if (ec || self->failed_ || self->closing_) return;
            if (clock::now() - self->last_write_ >= period) {
                self->session_.ping();
                self->w_.stats.pings.fetch_add(1, std::memory_order_relaxed);
                self->flush();
                self->last_write_ = clock::now();  // not to ping twice while writing
            }
            self->arm_keepalive();
        });
    }

    void settle() {
        if (settled_) return;
        settled_ = true;
        run_.settled.fetch_add(1, std::memory_order_relaxed);
    }

    void note_error(const std::string& text) {
        w_.stats.errors.fetch_add(1, std::memory_order_relaxed);
        if (w_.stats.first_error.empty()) w_.stats.first_error = client_id_ + ": " + text;
    }

    void fail(const std::string& text) {
        if (failed_ || closing_) return;
        failed_ = true;
        note_error(text);
        if (!connected_) w_.stats.connect_failed.fetch_add(1, std::memory_order_relaxed);
        settle();
        publishing_ = false;
        if (role_ == role::publisher) {
            finishing_ = true;
            check_finished();
        }
        keepalive_timer_.cancel();
        rate_timer_.cancel();
        close_socket();
    }

    void close_socket() {
        std::error_code ignored;
        socket_.shutdown(tcp::socket::shutdown_both, ignored);
        socket_.close(ignored);
    }

    worker& w_;
    run_context& run_;
    const bench_options& o_;
    role role_;
    std::string client_id_;
    std::string topic_;
    mqtt_session session_;
    tcp::socket socket_;
    std::unique_ptr<asio::ssl::stream<tcp::socket&>> tls_;
    asio::steady_timer keepalive_timer_;
    asio::steady_timer rate_timer_;
    std::vector<std::byte> buffer_;
    std::vector<session_event> events_;
    std::string pending_;      // session output not yet handed to async_write
    std::string writing_buf_;  // the bytes of the async_write in progress
    bool writing_ = false;
    clock::time_point last_write_ = clock::now();
    int64_t connect_started_ns_ = 0;
    bool connected_ = false, settled_ = false;
    std::atomic<bool> subscribed_{false};
    bool failed_ = false, closing_ = false;
    bool publishing_ = false, finishing_ = false, done_ = false;
    int64_t publish_start_ns_ = 0, deadline_ns_ = 0;
    std::atomic<uint64_t> sent_{0};  // written by this client's thread only
};

std::optional<uint64_t> read_rss_kb(int pid) {
    std::ifstream f("/proc/" + std::to_string(pid) + "/status");
    if (!f) return std::nullopt;
    std::stringstream ss;
    ss << f.rdbuf();
    return parse_vm_rss_kb(ss.str());
}

// Sums of the per-thread counters, for the progress line.
struct totals {
    uint64_t connected = 0, failed = 0, sent = 0, received = 0, errors = 0;
};

totals sum(const std::vector<std::unique_ptr<worker>>& workers) {
    totals t;
    for (const auto& w : workers) {
        t.connected += w->stats.connected.load(std::memory_order_relaxed);
        t.failed += w->stats.connect_failed.load(std::memory_order_relaxed);
        t.sent += w->stats.sent.load(std::memory_order_relaxed);
        t.received += w->stats.received.load(std::memory_order_relaxed);
        t.errors += w->stats.errors.load(std::memory_order_relaxed);
    }
    return t;
}

// The progress line: connections while connecting, else messages.
class progress_line {
public:
    progress_line(std::FILE* err, const std::vector<std::unique_ptr<worker>>& workers,
                  bench_mode mode)
        : printer_(err), workers_(workers), mode_(mode) {}

    void maybe_print(const char* phase) {
        if (!printer_.due()) return;
        const totals t = sum(workers_);
        if (mode_ == bench_mode::conn || std::string_view(phase) == "connecting") {
            printer_.print(
                phase,
                {{"connected", t.connected, true}, {"failed", t.failed}, {"errors", t.errors}});
        } else {
            printer_.print(
                phase,
                {{"sent", t.sent, true}, {"received", t.received, true}, {"errors", t.errors}});
        }
    }

private:
    progress_printer printer_;
    const std::vector<std::unique_ptr<worker>>& workers_;
    bench_mode mode_;
};

const char* mode_name(bench_mode m) {
    switch (m) {
        case bench_mode::conn:
            return "conn";
        case bench_mode::pub:
            return "pub";
        case bench_mode::sub:
            return "sub";
        default:
            return "pubsub";
    }
}

// For each publisher, how many subscribed clients have a filter matching its
// topic: the copies each of its messages should reach. clients =
// subscribers, then publishers.
std::vector<uint64_t> matching_subscribers(
    const std::vector<std::shared_ptr<bench_client>>& clients, uint32_t subscribers,
    uint32_t publishers) {
    std::vector<uint64_t> matching(publishers, 0);
    for (size_t p = 0; p < publishers; ++p) {
        for (size_t s = 0; s < subscribers; ++s) {
            if (clients[s]->subscribed() &&
                topic_matches(clients[s]->topic(), clients[subscribers + p]->topic())) {
                ++matching[p];
            }
        }
    }
    return matching;
}

// Copies of the messages sent so far that the subscribers should receive.
uint64_t expected_copies(const std::vector<std::shared_ptr<bench_client>>& clients,
                         uint32_t subscribers, const std::vector<uint64_t>& matching) {
    uint64_t expected = 0;
    for (size_t p = 0; p < matching.size(); ++p) {
        expected += clients[subscribers + p]->sent() * matching[p];
    }
    return expected;
}

void tick(progress_line& progress, const char* phase) {
    progress.maybe_print(phase);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
}

}  // namespace

int run_bench(const bench_options& o, bool json_output, std::FILE* out, std::FILE* err) {
    // Resolve once; every client connects to the same address.
    tcp::endpoint endpoint;
    {
        asio::io_context io;
        tcp::resolver resolver(io);
        std::error_code ec;
        auto results = resolver.resolve(o.mqtt.host, std::to_string(o.mqtt.port), ec);
        if (ec || results.empty()) {
            std::fprintf(err, "error: cannot resolve %s: %s\n", o.mqtt.host.c_str(),
                         ec ? ec.message().c_str() : "no address");
            return to_int(exit_code::cannot_connect);
        }
        endpoint = results.begin()->endpoint();
    }
    std::optional<asio::ssl::context> ssl;
    if (o.mqtt.tls.enabled) {
        ssl.emplace(asio::ssl::context::tls_client);
        std::error_code ec;
        ssl->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                         asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                         asio::ssl::context::no_tlsv1_1);
        if (!o.mqtt.tls.cafile.empty()) {
            ssl->load_verify_file(o.mqtt.tls.cafile, ec);
        } else {
            ssl->set_default_verify_paths(ec);
        }
        if (ec) {
            std::fprintf(err, "error: TLS setup: %s\n", ec.message().c_str());
            return to_int(exit_code::cannot_connect);
        }
    }
    run_context run{o, endpoint, {}, ssl ? &*ssl : nullptr};
    for (const auto& text : o.source_addresses) {
        std::error_code ec;
        run.sources.push_back(asio::ip::make_address(text, ec));
        if (ec) {
            std::fprintf(err, "error: --source %s is not an IP address\n", text.c_str());
            return to_int(exit_code::usage);
        }
    }

    bench_result result;
    result.options = o;
    result.mode_name = mode_name(o.mode);
    if (o.pid) result.rss_before_kb = read_rss_kb(*o.pid);

    // Clients: subscribers first, so they are subscribed before anyone publishes.
    uint32_t subscribers = 0, publishers = 0, idle = 0;
    switch (o.mode) {
        case bench_mode::conn:
            idle = o.connections;
            break;
        case bench_mode::pub:
            publishers = o.publishers;
            break;
        case bench_mode::sub:
            subscribers = o.subscribers;
            break;
        case bench_mode::pubsub:
            publishers = o.publishers;
            subscribers = o.subscribers;
            break;
    }
    const uint64_t total = uint64_t{subscribers} + publishers + idle;
    const uint32_t threads =
        static_cast<uint32_t>(std::max<uint64_t>(1, std::min<uint64_t>(o.threads, total)));
    std::vector<std::unique_ptr<worker>> workers;
    for (uint32_t i = 0; i < threads; ++i) workers.push_back(std::make_unique<worker>());
    std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards;
    for (auto& w : workers) {
        guards.push_back(asio::make_work_guard(w->io));
        w->thread = std::thread([io = &w->io] { io->run(); });
    }

    const std::string prefix =
        o.mqtt.client_id.empty() ? "bench-" + std::to_string(getpid()) + "-" : o.mqtt.client_id;
    const std::string filter = o.filter.empty() ? o.topic : o.filter;
    std::vector<std::shared_ptr<bench_client>> clients;
    clients.reserve(total);
    auto add = [&](bench_client::role r, const std::string& id, std::string topic) {
        auto& w = *workers[clients.size() % workers.size()];
        clients.push_back(std::make_shared<bench_client>(w, run, r, id, std::move(topic)));
    };
    for (uint32_t i = 0; i < subscribers; ++i) {
        add(bench_client::role::subscriber, prefix + "s" + std::to_string(i),
            expand_topic(filter, i));
    }
    for (uint32_t i = 0; i < publishers; ++i) {
        add(bench_client::role::publisher, prefix + "p" + std::to_string(i),
            expand_topic(o.topic, i));
    }
    for (uint32_t i = 0; i < idle; ++i) {
        add(bench_client::role::idle, prefix + "c" + std::to_string(i), "");
    }
    result.connections_requested = total;

    progress_line progress(err, workers, o.mode);
    auto post_to = [&](size_t i, auto fn) {
        auto c = clients[i];
        asio::post(workers[i % workers.size()]->io, [c, fn] { fn(*c); });
    };

    // Connect, at --connect-rate; subscribers all subscribed before publishers start.
    const int64_t connect_start = now_ns();
    for (size_t i = 0; i < clients.size(); ++i) {
        if (o.connect_rate > 0) {
            const int64_t due =
                connect_start + static_cast<int64_t>(static_cast<double>(i) * 1e9 /
                                                     static_cast<double>(o.connect_rate));
            while (now_ns() < due) {
                progress.maybe_print("connecting");
                std::this_thread::sleep_for(
                    std::chrono::nanoseconds(std::min<int64_t>(due - now_ns(), 20'000'000)));
            }
        }
        post_to(i, [i](bench_client& c) { c.start(i); });
    }
    // A connect storm of 100,000 takes a while to be accepted: 1 ms more each.
    const auto settle_deadline =
        clock::now() + connect_timeout + std::chrono::milliseconds(clients.size());
    while (run.settled.load() < total && clock::now() < settle_deadline) {
        tick(progress, "connecting");
    }
    int64_t last_connack = connect_start;
    for (auto& w : workers) last_connack = std::max(last_connack, w->stats.last_connack_ns.load());
    result.connect_elapsed_s = seconds_between(connect_start, last_connack);

    const totals after_connect = sum(workers);
    const auto matching = matching_subscribers(clients, subscribers, publishers);
    const int64_t phase_start = now_ns();
    if (after_connect.connected > 0) {
        if (o.mode == bench_mode::conn || o.mode == bench_mode::sub) {
            const auto until = clock::now() + std::chrono::milliseconds(o.duration_ms);
            while (clock::now() < until) {
                tick(progress, o.mode == bench_mode::conn ? "holding" : "receiving");
            }
            if (o.pid) result.rss_after_kb = read_rss_kb(*o.pid);
            result.elapsed_s = seconds_between(phase_start, now_ns());
        } else {
            const int64_t deadline = phase_start + o.duration_ms * 1'000'000;
            for (size_t i = subscribers; i < subscribers + publishers; ++i) {
                post_to(i, [deadline](bench_client& c) { c.start_publishing(deadline); });
            }
            const auto give_up =
                (o.count > 0 ? clock::now() + std::chrono::hours(24 * 365)
                             : clock::now() + std::chrono::milliseconds(o.duration_ms)) +
                finish_grace;
            while (run.publishers_done.load() < publishers && clock::now() < give_up) {
                tick(progress, "publishing");
            }
            result.elapsed_s = seconds_between(phase_start, now_ns());
            if (o.pid) result.rss_after_kb = read_rss_kb(*o.pid);
            if (subscribers > 0) {
                // Wait for messages still on their way: until every copy
                // arrived, or none came for drain_idle.
                const auto drain_until = clock::now() + drain_max;
                uint64_t last_count = sum(workers).received;
                auto last_change = clock::now();
                while (clock::now() < drain_until && clock::now() - last_change < drain_idle) {
                    const uint64_t n = sum(workers).received;
                    if (n >= expected_copies(clients, subscribers, matching)) break;
                    if (n != last_count) {
                        last_count = n;
                        last_change = clock::now();
                    }
                    tick(progress, "draining");
                }
            }
        }
    }

    // Stop: DISCONNECT everyone, then let the threads run out of work.
    for (size_t i = 0; i < clients.size(); ++i) post_to(i, [](bench_client& c) { c.stop(); });
    guards.clear();
    const auto stop_deadline = clock::now() + std::chrono::seconds(5);
    for (auto& w : workers) {
        while (!w->io.stopped() && clock::now() < stop_deadline) {
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        w->io.stop();
        w->thread.join();
    }

    // Totals, now that every worker has stopped.
    int64_t last_receive = phase_start;
    uint64_t refused_connect = 0;
    for (auto& w : workers) {
        auto& s = w->stats;
        result.connected += s.connected;
        result.connect_failed += s.connect_failed;
        refused_connect += s.refused_connect;
        result.sent += s.sent;
        result.acked += s.acked;
        result.refused += s.refused;
        result.received += s.received;
        result.errors += s.errors;
        result.pings += s.pings;
        result.pongs += s.pongs;
        result.latency_ns.merge(s.latency_ns);
        result.connect_latency_ns.merge(s.connect_latency_ns);
        if (result.first_error.empty()) result.first_error = s.first_error;
        last_receive = std::max(last_receive, s.last_receive_ns.load());
    }
    result.receive_elapsed_s =
        o.mode == bench_mode::sub ? result.elapsed_s : seconds_between(phase_start, last_receive);
    if (o.mode == bench_mode::pubsub) {
        result.expected = expected_copies(clients, subscribers, matching);
    }
    clients.clear();

    if (json_output) {
        const std::string text = bench_report_json(result).dump(2) + "\n";
        std::fwrite(text.data(), 1, text.size(), out);
    } else {
        const std::string text = bench_report_text(result);
        std::fwrite(text.data(), 1, text.size(), out);
    }
    std::fflush(out);
    if (result.connected == 0) {
        std::fprintf(err, "error: no client could connect to %s:%u%s%s\n", o.mqtt.host.c_str(),
                     o.mqtt.port, result.first_error.empty() ? "" : ": ",
                     result.first_error.c_str());
        return refused_connect > 0 ? to_int(exit_code::refused) : to_int(exit_code::cannot_connect);
    }
    return to_int(exit_code::ok);
}

}  // namespace robust::ctl
