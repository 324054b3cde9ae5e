#include "kafka_bench_tool.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cinttypes>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string_view>
#include <thread>
#include <type_traits>
#include <variant>
#include <vector>

#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>

#include "bench_clock.h"
#include "bench_progress.h"
#include "bench_report.h"
#include "exit_code.h"
#include "kafka/codec/error_code.h"
#include "kafka/codec/messages/create_topics.h"
#include "kafka/codec/messages/fetch.h"
#include "kafka/codec/messages/list_offsets.h"
#include "kafka/codec/messages/metadata.h"
#include "kafka/codec/messages/produce.h"
#include "kafka/codec/record_batch.h"
#include "kafka_bench_report.h"
#include "kafka_link.h"

namespace robust::ctl {
namespace {

namespace kc = kafka::codec;
using clock = std::chrono::steady_clock;
using tcp = asio::ip::tcp;

// Request versions: non-flexible ones every Kafka broker since 2.3 and
// robust-server implement, so no ApiVersions round trip is needed (SASL's
// are in kafka_link.cc).
constexpr int16_t metadata_version = 5;
constexpr int16_t create_topics_version = 4;  // replication factor -1: the broker's default
constexpr int16_t produce_version = 7;
constexpr int16_t fetch_version = 11;
constexpr int16_t list_offsets_version = 4;

constexpr size_t write_high_water = 1024 * 1024;  // a producer stops encoding above this
constexpr int32_t produce_timeout_ms = 30'000;
constexpr std::chrono::seconds setup_timeout{10};
constexpr std::chrono::seconds connect_timeout{10};
constexpr std::chrono::seconds finish_grace{30};  // producers' responses after the deadline
constexpr std::chrono::seconds consume_idle{10};  // consume --count: no record for this long

int64_t wall_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// -- set-up on the main thread ----------------------------------------------

struct broker_address {
    std::string host;
    uint16_t port = 0;
};

// The topic as the broker describes it.
struct topic_layout {
    int32_t partitions = 0;
    std::vector<int32_t> leaders;  // node id of each partition's leader
    std::map<int32_t, broker_address> brokers;
    bool created = false;
};

// Runs `io` until `done` or the deadline; false on timeout or when `io`
// has nothing left that could set `done`.
bool run_until(asio::io_context& io, const bool& done, clock::time_point deadline) {
    while (!done) {
        const auto now = clock::now();
        if (now >= deadline) return false;
        io.restart();
        if (io.run_one_for(deadline - now) == 0 && io.stopped() && !done) return false;
    }
    return true;
}

// Set-up failures: the message and the exit code.
struct setup_error {
    std::string message;
    exit_code code = exit_code::refused;
};

class control_connection {
public:
    control_connection(const kafka_bench_options& o, std::string client_id)
        : o_(o), link_(std::make_shared<kafka_link>(io_, std::move(client_id))) {}
    ~control_connection() { link_->close(); }

    std::optional<setup_error> open() {
        const auto deadline = clock::now() + setup_timeout;
        bool done = false;
        std::error_code err;
        link_->connect(o_.host, o_.port, [&done, &err](std::error_code ec) {
            done = true;
            err = ec;
        });
        const std::string where = o_.host + ":" + std::to_string(o_.port);
        if (!run_until(io_, done, deadline)) {
            return setup_error{"cannot connect to the Kafka listener at " + where + ": timed out",
                               exit_code::cannot_connect};
        }
        if (err) {
            return setup_error{
                "cannot connect to the Kafka listener at " + where + ": " + err.message(),
                exit_code::cannot_connect};
        }
        if (!o_.username) return std::nullopt;
        done = false;
        std::string error;
        bool refused = false;
        authenticate(link_, *o_.username, o_.password.value_or(""),
                     [&done, &error, &refused](std::string e, bool r) {
                         done = true;
                         error = std::move(e);
                         refused = r;
                     });
        if (!run_until(io_, done, deadline))
            return setup_error{"SASL: timed out", exit_code::cannot_connect};
        if (!error.empty()) {
            return setup_error{error, refused ? exit_code::refused : exit_code::cannot_connect};
        }
        return std::nullopt;
    }

    // Metadata (and CreateTopics when producing to a missing topic) until
    // every partition has a known leader.
    std::variant<topic_layout, setup_error> describe_topic(std::FILE* err) {
        const auto deadline = clock::now() + setup_timeout;
        topic_layout layout;
        bool create_sent = false;
        for (;;) {
            kc::metadata_request req;
            req.topics = std::vector<kc::metadata_request_topic>{{{}, o_.topic}};
            req.allow_auto_topic_creation = false;
            auto resp = call(
                kc::api_key::metadata, metadata_version,
                [&req](kc::writer& w) { kc::encode_metadata_request(w, req, metadata_version); },
                deadline);
            if (auto* e = std::get_if<setup_error>(&resp)) return *e;
            auto md = kc::decode_metadata_response(std::get<kafka_response>(resp).body(),
                                                   metadata_version);
            if (!md) return setup_error{"bad Metadata response: " + md.error().message()};
            const kc::metadata_response_topic* t = nullptr;
            for (const auto& x : md->topics) {
                if (x.name == o_.topic) t = &x;
            }
            if (t == nullptr)
                return setup_error{"Metadata: topic " + o_.topic + " not in the answer"};
            bool retry = false;
            if (t->error_code == kc::error_code::unknown_topic_or_partition) {
                if (o_.mode == kafka_bench_mode::consume) {
                    return setup_error{"topic " + o_.topic + " does not exist"};
                }
                if (!create_sent) {
                    if (auto e = create_topic(deadline, layout.created)) return *e;
                    create_sent = true;
                }
                retry = true;
            } else if (t->error_code == kc::error_code::leader_not_available) {
                retry = true;
            } else if (t->error_code != kc::error_code::none) {
                return setup_error{"Metadata: topic " + o_.topic + ": " +
                                   kafka_error_text(t->error_code)};
            } else {
                layout.partitions = static_cast<int32_t>(t->partitions.size());
                layout.leaders.assign(t->partitions.size(), -1);
                layout.brokers.clear();
                for (const auto& b : md->brokers) {
                    layout.brokers[b.node_id] = {b.host, static_cast<uint16_t>(b.port)};
                }
                for (const auto& p : t->partitions) {
                    if (p.partition_index < 0 || p.partition_index >= layout.partitions) {
                        return setup_error{"Metadata: partition index " +
                                           std::to_string(p.partition_index) + " out of range"};
                    }
                    layout.leaders[static_cast<size_t>(p.partition_index)] = p.leader_id;
                }
                for (int32_t leader : layout.leaders) {
                    if (leader < 0 || !layout.brokers.contains(leader)) retry = true;
                }
                if (layout.partitions == 0) retry = true;
            }
            if (!retry) break;
            if (clock::now() >= deadline) {
                return setup_error{"topic " + o_.topic + ": no leader for every partition within " +
                                   std::to_string(setup_timeout.count()) + " s"};
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        if (o_.mode == kafka_bench_mode::produce && o_.partitions && !layout.created &&
            static_cast<int32_t>(*o_.partitions) != layout.partitions) {
            std::fprintf(err,
                         "note: topic %s exists with %d partitions (--partitions %u ignored)\n",
                         o_.topic.c_str(), layout.partitions, *o_.partitions);
        }
        return layout;
    }

private:
    template <class Encode>
    std::variant<kafka_response, setup_error> call(kc::api_key key, int16_t version,
                                                   Encode&& encode, clock::time_point deadline) {
        bool done = false;
        std::error_code err;
        kafka_response out;
        link_->send(key, version, std::forward<Encode>(encode),
                    [&done, &err, &out](std::error_code ec, kafka_response* r) {
                        done = true;
                        err = ec;
                        if (r) out = std::move(*r);
                    });
        const std::string api(kc::api_name(static_cast<int16_t>(key)));
        if (!run_until(io_, done, deadline)) {
            link_->close();  // drops the handler, which refers to this frame
            return setup_error{
                api + ": no response within " + std::to_string(setup_timeout.count()) + " s",
                exit_code::cannot_connect};
        }
        if (err) return setup_error{api + ": " + err.message(), exit_code::cannot_connect};
        return out;
    }

    std::optional<setup_error> create_topic(clock::time_point deadline, bool& created) {
        kc::create_topics_request req;
        kc::create_topics_request_topic t;
        t.name = o_.topic;
        t.num_partitions = static_cast<int32_t>(o_.partitions.value_or(1));
        t.replication_factor = -1;
        req.topics.push_back(std::move(t));
        req.timeout_ms = static_cast<int32_t>(
            std::chrono::duration_cast<std::chrono::milliseconds>(setup_timeout).count());
        auto resp = call(
            kc::api_key::create_topics, create_topics_version,
            [&req](kc::writer& w) {
                kc::encode_create_topics_request(w, req, create_topics_version);
            },
            deadline);
        if (auto* e = std::get_if<setup_error>(&resp)) return *e;
        auto ct = kc::decode_create_topics_response(std::get<kafka_response>(resp).body(),
                                                    create_topics_version);
        if (!ct) return setup_error{"bad CreateTopics response: " + ct.error().message()};
        for (const auto& r : ct->topics) {
            if (r.name != o_.topic) continue;
            if (r.error_code == kc::error_code::none) {
                created = true;
            } else if (r.error_code != kc::error_code::topic_already_exists) {
                return setup_error{"CreateTopics " + o_.topic + ": " +
                                   kafka_error_text(r.error_code) +
                                   (r.error_message ? ": " + *r.error_message : "")};
            }
        }
        return std::nullopt;
    }

    const kafka_bench_options& o_;
    asio::io_context io_;
    std::shared_ptr<kafka_link> link_;
};

// -- the clients -------------------------------------------------------------

// Totals of one worker thread. Counters are atomics (the main thread reads
// them for the progress line); the histogram, the error tally and
// first_error are touched by the worker thread only and read after it has
// been joined.
struct worker_stats {
    std::atomic<uint64_t> connected{0}, connect_failed{0}, refused{0}, requests{0}, sent{0},
        acked{0}, failed{0}, consumed{0}, consumed_bytes{0}, errors{0};
    std::atomic<int64_t> last_done_ns{0}, last_record_ns{0};
    latency_histogram latency_ns;
    std::map<std::string, uint64_t> error_codes;
    std::string first_error;
};

struct worker {
    asio::io_context io{1};
    worker_stats stats;
    std::thread thread;
};

// What every client shares: read-only after set-up, plus counters.
struct run_context {
    const kafka_bench_options& o;
    const topic_layout& layout;
    std::string client_id;
    std::atomic<uint64_t> settled{0};       // clients ready or failed
    std::atomic<uint64_t> clients_done{0};  // producers finished
    std::atomic<uint64_t> claimed{0};       // consume --count: records taken so far
};

// What produce and consume clients share: one link per partition leader,
// connected (and authenticated) before the run starts, and error notes.
// All methods run on the client's worker thread.
class client_base {
protected:
    client_base(worker& w, run_context& run, uint32_t index)
        : w_(w), run_(run), o_(run.o), index_(index) {}
    virtual ~client_base() = default;

    virtual void on_ready() = 0;  // every link is up
    virtual void on_failed() {}

    // Opens a link to each of `nodes`; on_ready() once all are up.
    void open_links(const std::set<int32_t>& nodes, const std::shared_ptr<client_base>& self) {
        links_waiting_ = nodes.size();
        for (int32_t node : nodes) {
            const auto& addr = run_.layout.brokers.at(node);
            auto link = std::make_shared<kafka_link>(w_.io, run_.client_id);
            links_[node] = link;
            link->connect(addr.host, addr.port, [self, link, node, addr](std::error_code ec) {
                if (self->failed_) return;
                if (ec) {
                    return self->fail("connect to " + addr.host + ":" + std::to_string(addr.port) +
                                      " (node " + std::to_string(node) + "): " + ec.message());
                }
                if (!self->o_.username) return self->link_ready();
                authenticate(link, *self->o_.username, self->o_.password.value_or(""),
                             [self](std::string error, bool refused) {
                                 if (self->failed_) return;
                                 if (error.empty()) return self->link_ready();
                                 if (refused) {
                                     self->w_.stats.refused.fetch_add(1, std::memory_order_relaxed);
                                 }
                                 self->fail(error);
                             });
            });
        }
    }

    void link_ready() {
        if (--links_waiting_ > 0) return;
        connected_ = true;
        w_.stats.connected.fetch_add(links_.size(), std::memory_order_relaxed);
        on_ready();
    }

    void settle() {
        if (settled_) return;
        settled_ = true;
        run_.settled.fetch_add(1, std::memory_order_relaxed);
    }

    void note_error(const std::string& text) {
        w_.stats.errors.fetch_add(1, std::memory_order_relaxed);
        if (w_.stats.first_error.empty()) {
            w_.stats.first_error = "client " + std::to_string(index_) + ": " + text;
        }
    }

    void note_code(kc::error_code e, const std::string& where) {
        ++w_.stats.error_codes[std::string(kc::name(e))];
        note_error(where + ": " + kafka_error_text(e));
    }

    void fail(const std::string& text) {
        if (failed_ || stopping_) return;
        failed_ = true;
        note_error(text);
        if (!connected_)
            w_.stats.connect_failed.fetch_add(links_.size(), std::memory_order_relaxed);
        settle();
        on_failed();
        close_links();
    }

    void close_links() {
        for (auto& [node, link] : links_) link->close();
    }

    worker& w_;
    run_context& run_;
    const kafka_bench_options& o_;
    uint32_t index_;
    std::map<int32_t, std::shared_ptr<kafka_link>> links_;  // by leader node id
    size_t links_waiting_ = 0;
    bool connected_ = false, settled_ = false, failed_ = false, stopping_ = false;
};

// One producer client: batches of --batch records, round robin over the
// partitions, each to its leader.
class producer final : public client_base, public std::enable_shared_from_this<producer> {
public:
    producer(worker& w, run_context& run, uint32_t index)
        : client_base(w, run, index), rate_timer_(w.io) {
        records_.resize(o_.batch);
        uint64_t seed = uint64_t(index) << 32;
        for (auto& r : records_) r.value = make_incompressible_payload(o_.size, ++seed);
    }

    void start() {
        std::set<int32_t> nodes(run_.layout.leaders.begin(), run_.layout.leaders.end());
        open_links(nodes, shared_from_this());
    }

    void begin(int64_t deadline_ns) {
        if (failed_ || !connected_) return finish();
        deadline_ns_ = deadline_ns;
        start_ns_ = now_ns();
        producing_ = true;
        for (auto& [node, link] : links_) {
            link->on_written([weak = weak_from_this()] {
                if (auto self = weak.lock()) self->pump();
            });
        }
        pump();
    }

    void stop() {
        stopping_ = true;
        producing_ = false;
        rate_timer_.cancel();
        close_links();
    }

private:
    void on_ready() override { settle(); }
    void on_failed() override {
        producing_ = false;
        rate_timer_.cancel();
        mark_done();
    }

    void pump() {
        while (producing_) {
            const uint32_t n = next_batch_records(o_.batch, sent_, o_.count);
            if (n == 0 || (o_.count == 0 && now_ns() >= deadline_ns_)) {
                finish();
                return;
            }
            const int32_t p = produce_partition(index_, batch_index_, run_.layout.partitions);
            auto& link = links_.at(run_.layout.leaders[static_cast<size_t>(p)]);
            if (o_.acks != 0 && link->awaiting() >= o_.inflight) break;
            if (link->queued_bytes() >= write_high_water) break;
            if (o_.rate > 0) {
                const int64_t due = batch_due_ns(start_ns_, sent_, n, o_.rate);
                const int64_t now = now_ns();
                if (now < due) {
                    const int64_t wake = o_.count > 0 ? due : std::min(due, deadline_ns_);
                    rate_timer_.expires_after(std::chrono::nanoseconds(wake - now));
                    rate_timer_.async_wait([weak = weak_from_this()](std::error_code ec) {
                        if (auto self = weak.lock(); self && !ec) self->pump();
                    });
                    break;
                }
            }
            send_batch(*link, p, n);
        }
        check_finished();
    }

    void send_batch(kafka_link& link, int32_t partition, uint32_t n) {
        const int64_t sent_at = now_ns();
        for (uint32_t i = 0; i < n; ++i) {
            auto& r = records_[i];
            if (o_.size >= bench_stamp_size)
                stamp_bench_payload(*r.value, static_cast<uint64_t>(sent_at));
            r.offset_delta = static_cast<int32_t>(i);
        }
        kc::batch_build_options bo;
        bo.compression = o_.compression;
        bo.base_timestamp = wall_ms();
        const std::string batch = kc::build_batch(std::span(records_.data(), n), bo);
        kc::produce_request req;
        req.acks = o_.acks;
        req.timeout_ms = produce_timeout_ms;
        req.topic_data.push_back({o_.topic, {{partition, std::string_view(batch)}}});
        kafka_link::response_handler on_response;
        if (o_.acks != 0) {
            on_response = [self = shared_from_this(), n, sent_at](std::error_code ec,
                                                                  kafka_response* r) {
                self->on_produced(ec, r, n, sent_at);
            };
        }
        sent_ += n;
        ++batch_index_;
        w_.stats.sent.fetch_add(n, std::memory_order_relaxed);
        w_.stats.requests.fetch_add(1, std::memory_order_relaxed);
        link.send(
            kc::api_key::produce, produce_version,
            [&req](kc::writer& w) { kc::encode_produce_request(w, req, produce_version); },
            std::move(on_response));
    }

    void on_produced(std::error_code ec, kafka_response* r, uint32_t n, int64_t sent_at) {
        if (ec) return fail("connection lost: " + ec.message());
        w_.stats.latency_ns.record(static_cast<uint64_t>(std::max<int64_t>(0, now_ns() - sent_at)));
        auto resp = kc::decode_produce_response(r->body(), produce_version);
        if (!resp) return fail("bad Produce response: " + resp.error().message());
        auto error = kc::error_code::none;
        int32_t partition = -1;
        for (const auto& t : resp->responses) {
            for (const auto& p : t.partition_responses) {
                partition = p.index;
                if (p.error_code != kc::error_code::none) error = p.error_code;
            }
        }
        if (error == kc::error_code::none) {
            w_.stats.acked.fetch_add(n, std::memory_order_relaxed);
        } else {
            w_.stats.failed.fetch_add(n, std::memory_order_relaxed);
            note_code(error, "Produce to " + o_.topic + "-" + std::to_string(partition));
        }
        if (producing_) {
            pump();
        } else {
            check_finished();
        }
    }

    void finish() {
        producing_ = false;
        rate_timer_.cancel();
        finishing_ = true;
        check_finished();
    }

    // Done once every request is written and answered.
    void check_finished() {
        if (!finishing_ || done_) return;
        for (const auto& [node, link] : links_) {
            if (link->usable() && (link->awaiting() > 0 || link->queued_bytes() > 0)) return;
        }
        mark_done();
    }

    void mark_done() {
        if (done_) return;
        done_ = true;
        finishing_ = true;
        const int64_t now = now_ns();
        if (now > w_.stats.last_done_ns.load(std::memory_order_relaxed)) {
            w_.stats.last_done_ns.store(now, std::memory_order_relaxed);
        }
        run_.clients_done.fetch_add(1, std::memory_order_relaxed);
    }

    asio::steady_timer rate_timer_;
    std::vector<kc::batch_record> records_;  // reused: stamped afresh for each batch
    uint64_t sent_ = 0;
    uint64_t batch_index_ = 0;
    int64_t start_ns_ = 0, deadline_ns_ = 0;
    bool producing_ = false, finishing_ = false, done_ = false;
};

// One consumer client: its partitions, one Fetch in flight per leader.
class consumer final : public client_base, public std::enable_shared_from_this<consumer> {
public:
    consumer(worker& w, run_context& run, uint32_t index, std::vector<int32_t> partitions)
        : client_base(w, run, index) {
        for (int32_t p : partitions) {
            const int32_t node = run_.layout.leaders[static_cast<size_t>(p)];
            fetchers_[node].parts.push_back({p, 0, true});
        }
    }

    void start() {
        std::set<int32_t> nodes;
        for (const auto& [node, f] : fetchers_) nodes.insert(node);
        open_links(nodes, shared_from_this());
    }

    void begin() {
        if (failed_ || !connected_) return;
        running_ = true;
        for (auto& [node, f] : fetchers_) fetch(node);
    }

    void stop() {
        stopping_ = true;
        running_ = false;
        close_links();
    }

private:
    struct partition_state {
        int32_t partition;
        int64_t offset;
        bool active;  // false after an error: no longer fetched
    };
    struct fetcher {
        std::vector<partition_state> parts;
        size_t offsets_missing = 0;
    };

    // Every link is up: the start offsets, then ready.
    void on_ready() override {
        offsets_waiting_ = fetchers_.size();
        for (auto& [node, f] : fetchers_) list_offsets(node);
    }

    partition_state* find(fetcher& f, int32_t partition) {
        for (auto& p : f.parts) {
            if (p.partition == partition) return &p;
        }
        return nullptr;
    }

    void list_offsets(int32_t node) {
        kc::list_offsets_request req;
        kc::list_offsets_request_topic t;
        t.name = o_.topic;
        const int64_t ts = o_.from == kafka_start_offset::earliest ? kc::list_offsets_earliest
                                                                   : kc::list_offsets_latest;
        for (const auto& p : fetchers_[node].parts) t.partitions.push_back({p.partition, -1, ts});
        req.topics.push_back(std::move(t));
        links_.at(node)->send(
            kc::api_key::list_offsets, list_offsets_version,
            [&req](kc::writer& w) {
                kc::encode_list_offsets_request(w, req, list_offsets_version);
            },
            [self = shared_from_this(), node](std::error_code ec, kafka_response* r) {
                self->on_offsets(node, ec, r);
            });
    }

    void on_offsets(int32_t node, std::error_code ec, kafka_response* r) {
        if (ec) return fail("connection lost: " + ec.message());
        auto resp = kc::decode_list_offsets_response(r->body(), list_offsets_version);
        if (!resp) return fail("bad ListOffsets response: " + resp.error().message());
        auto& f = fetchers_[node];
        for (const auto& t : resp->topics) {
            for (const auto& p : t.partitions) {
                auto* st = find(f, p.partition_index);
                if (st == nullptr) continue;
                if (p.error_code != kc::error_code::none) {
                    st->active = false;
                    note_code(p.error_code,
                              "ListOffsets " + o_.topic + "-" + std::to_string(p.partition_index));
                } else {
                    st->offset = p.offset;
                }
            }
        }
        if (--offsets_waiting_ == 0) settle();
    }

    void fetch(int32_t node) {
        if (!running_) return;
        auto& f = fetchers_[node];
        kc::fetch_request req;
        req.max_wait_ms = static_cast<int32_t>(o_.max_wait_ms);
        req.min_bytes = 1;
        req.max_bytes = static_cast<int32_t>(o_.fetch_max_bytes);
        kc::fetch_request_topic t;
        t.topic = o_.topic;
        for (const auto& p : f.parts) {
            if (!p.active) continue;
            kc::fetch_request_partition fp;
            fp.partition = p.partition;
            fp.fetch_offset = p.offset;
            fp.partition_max_bytes = static_cast<int32_t>(o_.fetch_max_bytes);
            t.partitions.push_back(fp);
        }
        if (t.partitions.empty()) return;  // every partition failed
        req.topics.push_back(std::move(t));
        w_.stats.requests.fetch_add(1, std::memory_order_relaxed);
        links_.at(node)->send(
            kc::api_key::fetch, fetch_version,
            [&req](kc::writer& w) { kc::encode_fetch_request(w, req, fetch_version); },
            [self = shared_from_this(), node](std::error_code ec, kafka_response* r) {
                self->on_fetched(node, ec, r);
            });
    }

    void on_fetched(int32_t node, std::error_code ec, kafka_response* r) {
        if (ec) return fail("connection lost: " + ec.message());
        auto resp = kc::decode_fetch_response(r->body(), fetch_version);
        if (!resp) return fail("bad Fetch response: " + resp.error().message());
        if (resp->error_code != kc::error_code::none) {
            ++w_.stats.error_codes[std::string(kc::name(resp->error_code))];
            return fail("Fetch refused: " + kafka_error_text(resp->error_code));
        }
        auto& f = fetchers_[node];
        value_sizes_.clear();
        for (const auto& t : resp->responses) {
            for (const auto& p : t.partitions) {
                auto* st = find(f, p.partition_index);
                if (st == nullptr || !st->active) continue;
                const std::string where = o_.topic + "-" + std::to_string(p.partition_index);
                if (p.error_code != kc::error_code::none) {
                    st->active = false;
                    note_code(p.error_code, "Fetch " + where);
                    continue;
                }
                if (auto e = read_records(p.records, *st); !e.empty()) {
                    st->active = false;
                    note_error("Fetch " + where + ": " + e);
                }
            }
        }
        count(value_sizes_);
        fetch(node);
    }

    // Counts the records of `blob` at or after st.offset into value_sizes_
    // and moves st.offset past the last complete batch; an error as text.
    std::string read_records(const std::string& blob, partition_state& st) {
        auto batches = kc::split_fetched_batches(blob, limits_);
        if (!batches) return "bad record batch: " + batches.error().message();
        for (const auto& b : *batches) {
            if (b.header.last_offset() < st.offset) continue;
            if (!b.header.is_control()) {
                auto records = kc::decode_records(b, limits_);
                if (!records) return "bad records: " + records.error().message();
                for (const auto& rec : *records) {
                    if (b.header.base_offset + rec.offset_delta < st.offset) continue;
                    value_sizes_.push_back(rec.value ? rec.value->size() : 0);
                }
            }
            st.offset = b.header.last_offset() + 1;
        }
        return {};
    }

    // Adds what was read to the totals; with --count, only up to the
    // count over all clients.
    void count(const std::vector<size_t>& sizes) {
        if (sizes.empty()) return;
        size_t take = sizes.size();
        if (o_.count > 0) {
            const uint64_t before = run_.claimed.fetch_add(sizes.size(), std::memory_order_relaxed);
            take = before >= o_.count
                       ? 0
                       : static_cast<size_t>(std::min<uint64_t>(take, o_.count - before));
        }
        if (take == 0) return;
        uint64_t bytes = 0;
        for (size_t i = 0; i < take; ++i) bytes += sizes[i];
        w_.stats.consumed.fetch_add(take, std::memory_order_relaxed);
        w_.stats.consumed_bytes.fetch_add(bytes, std::memory_order_relaxed);
        w_.stats.last_record_ns.store(now_ns(), std::memory_order_relaxed);
    }

    std::map<int32_t, fetcher> fetchers_;  // by leader node id
    size_t offsets_waiting_ = 0;
    bool running_ = false;
    kc::batch_limits limits_;
    std::vector<size_t> value_sizes_;
};

// Sums of the per-thread counters, for the progress line.
struct totals {
    uint64_t sent = 0, acked = 0, consumed = 0, errors = 0;
};

totals sum(const std::vector<std::unique_ptr<worker>>& workers) {
    totals t;
    for (const auto& w : workers) {
        t.sent += w->stats.sent.load(std::memory_order_relaxed);
        t.acked += w->stats.acked.load(std::memory_order_relaxed);
        t.consumed += w->stats.consumed.load(std::memory_order_relaxed);
        t.errors += w->stats.errors.load(std::memory_order_relaxed);
    }
    return t;
}

// The progress line: records consumed, or records sent (and acknowledged).
class progress_line {
public:
    progress_line(std::FILE* err, const std::vector<std::unique_ptr<worker>>& workers,
                  const kafka_bench_options& o)
        : printer_(err),
          workers_(workers),
          consume_(o.mode == kafka_bench_mode::consume),
          acked_(o.acks != 0) {}

    void maybe_print(const char* phase) {
        if (!printer_.due()) return;
        const totals t = sum(workers_);
        if (consume_) {
            printer_.print(phase, {{"consumed", t.consumed, true}, {"errors", t.errors}});
        } else if (!acked_) {
            printer_.print(phase, {{"sent", t.sent, true}, {"errors", t.errors}});
        } else {
            printer_.print(
                phase, {{"sent", t.sent, true}, {"acked", t.acked, true}, {"errors", t.errors}});
        }
    }

private:
    progress_printer printer_;
    const std::vector<std::unique_ptr<worker>>& workers_;
    bool consume_;
    bool acked_;  // produce with acks != 0: responses to count
};

void tick(progress_line& progress, const char* phase) {
    progress.maybe_print(phase);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
}

}  // namespace

int run_kafka_bench(const kafka_bench_options& o, bool json_output, std::FILE* out,
                    std::FILE* err) {
    const std::string client_id = "robustctl-bench-" + std::to_string(getpid());
    const bool produce = o.mode == kafka_bench_mode::produce;

    topic_layout layout;
    {
        control_connection control(o, client_id);
        auto e = control.open();
        if (!e) {
            auto d = control.describe_topic(err);
            if (auto* l = std::get_if<topic_layout>(&d)) {
                layout = std::move(*l);
            } else {
                e = std::get<setup_error>(d);
            }
        }
        if (e) {
            std::fprintf(err, "error: %s\n", e->message.c_str());
            return to_int(e->code);
        }
    }

    uint32_t clients = o.clients;
    if (!produce && clients > static_cast<uint32_t>(layout.partitions)) {
        std::fprintf(err, "note: %u clients for %d partitions: %d consume\n", clients,
                     layout.partitions, layout.partitions);
        clients = static_cast<uint32_t>(layout.partitions);
    }
    kafka_bench_result result;
    result.options = o;
    result.options.clients = clients;
    result.options.threads = std::max(1u, std::min(o.threads, clients));
    result.partitions = layout.partitions;
    result.topic_created = layout.created;

    std::vector<std::unique_ptr<worker>> workers;
    for (uint32_t i = 0; i < result.options.threads; ++i) {
        workers.push_back(std::make_unique<worker>());
    }
    std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards;
    for (auto& w : workers) {
        guards.push_back(asio::make_work_guard(w->io));
        w->thread = std::thread([io = &w->io] { io->run(); });
    }
    run_context run{o, layout, client_id};

    std::vector<std::shared_ptr<producer>> producers;
    std::vector<std::shared_ptr<consumer>> consumers;
    for (uint32_t i = 0; i < clients; ++i) {
        auto& w = *workers[i % workers.size()];
        if (produce) {
            auto p = std::make_shared<producer>(w, run, i);
            producers.push_back(p);
            result.connections_requested +=
                std::set<int32_t>(layout.leaders.begin(), layout.leaders.end()).size();
            asio::post(w.io, [p] { p->start(); });
        } else {
            auto parts = consume_partitions(i, clients, layout.partitions);
            std::set<int32_t> nodes;
            for (int32_t p : parts) nodes.insert(layout.leaders[static_cast<size_t>(p)]);
            result.connections_requested += nodes.size();
            auto c = std::make_shared<consumer>(w, run, i, std::move(parts));
            consumers.push_back(c);
            asio::post(w.io, [c] { c->start(); });
        }
    }
    auto each = [&](auto fn) {
        for (size_t i = 0; i < producers.size(); ++i) {
            auto p = producers[i];
            asio::post(workers[i % workers.size()]->io, [p, fn] { fn(*p); });
        }
        for (size_t i = 0; i < consumers.size(); ++i) {
            auto c = consumers[i];
            asio::post(workers[i % workers.size()]->io, [c, fn] { fn(*c); });
        }
    };

    progress_line progress(err, workers, o);
    const auto settle_deadline = clock::now() + connect_timeout;
    while (run.settled.load() < clients && clock::now() < settle_deadline) {
        tick(progress, "connecting");
    }

    uint64_t connected = 0;
    for (auto& w : workers) connected += w->stats.connected.load();
    const int64_t phase_start = now_ns();
    if (connected > 0) {
        if (produce) {
            const int64_t deadline = phase_start + o.duration_ms * 1'000'000;
            each([deadline](auto& c) {
                if constexpr (std::is_same_v<std::decay_t<decltype(c)>, producer>) {
                    c.begin(deadline);
                }
            });
            const auto give_up =
                (o.count > 0 ? clock::now() + std::chrono::hours(24 * 365)
                             : clock::now() + std::chrono::milliseconds(o.duration_ms)) +
                finish_grace;
            while (run.clients_done.load() < clients && clock::now() < give_up) {
                tick(progress, "producing");
            }
            result.stopped_by = o.count > 0 ? "count" : "duration";
        } else {
            each([](auto& c) {
                if constexpr (std::is_same_v<std::decay_t<decltype(c)>, consumer>) c.begin();
            });
            const auto until = clock::now() + std::chrono::milliseconds(o.duration_ms);
            uint64_t last_count = 0;
            auto last_change = clock::now();
            for (;;) {
                const uint64_t n = sum(workers).consumed;
                if (o.count > 0) {
                    if (n >= o.count) {
                        result.stopped_by = "count";
                        break;
                    }
                    if (n != last_count) {
                        last_count = n;
                        last_change = clock::now();
                    } else if (clock::now() - last_change >= consume_idle) {
                        result.stopped_by = "idle";
                        break;
                    }
                } else if (clock::now() >= until) {
                    result.stopped_by = "duration";
                    break;
                }
                tick(progress, "consuming");
            }
        }
    }
    const int64_t phase_end = now_ns();

    // Stop: close every connection, then let the threads run out of work.
    each([](auto& c) { c.stop(); });
    guards.clear();
    const auto stop_deadline = clock::now() + std::chrono::seconds(5);
    for (auto& w : workers) {
        while (!w->io.stopped() && clock::now() < stop_deadline) {
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        w->io.stop();
        w->thread.join();
    }
    producers.clear();
    consumers.clear();

    // Totals, now that every worker has stopped.
    int64_t last_done = phase_start, last_record = phase_start;
    uint64_t refused = 0;
    for (auto& w : workers) {
        auto& s = w->stats;
        result.connected += s.connected;
        result.connect_failed += s.connect_failed;
        refused += s.refused;
        result.requests += s.requests;
        result.sent += s.sent;
        result.acked += s.acked;
        result.failed += s.failed;
        result.consumed += s.consumed;
        result.consumed_bytes += s.consumed_bytes;
        result.errors += s.errors;
        result.latency_ns.merge(s.latency_ns);
        for (const auto& [name, n] : s.error_codes) result.error_codes[name] += n;
        if (result.first_error.empty()) result.first_error = s.first_error;
        last_done = std::max(last_done, s.last_done_ns.load());
        last_record = std::max(last_record, s.last_record_ns.load());
    }
    // Connections that were still being opened when the time ran out.
    const uint64_t accounted = result.connected + result.connect_failed;
    if (accounted < result.connections_requested) {
        result.connect_failed += result.connections_requested - accounted;
    }
    if (produce) {
        result.elapsed_s = seconds_between(
            phase_start, run.clients_done.load() >= clients ? last_done : phase_end);
    } else {
        result.elapsed_s =
            seconds_between(phase_start, result.consumed > 0 ? last_record : phase_end);
    }
    if (result.connected == 0) result.stopped_by = "error";

    const std::string text = json_output ? kafka_bench_report_json(result).dump(2) + "\n"
                                         : kafka_bench_report_text(result);
    std::fwrite(text.data(), 1, text.size(), out);
    std::fflush(out);
    if (result.connected == 0) {
        std::fprintf(err, "error: no client could connect%s%s\n",
                     result.first_error.empty() ? "" : ": ", result.first_error.c_str());
        return refused > 0 ? to_int(exit_code::refused) : to_int(exit_code::cannot_connect);
    }
    return to_int(exit_code::ok);
}

}  // namespace robust::ctl
