#pragma once
// The pure parts of `robustctl bench mqtt`: the send timestamp at the start
// of each payload, topic patterns (%i) and filter matching (to know how many
// copies of each message the subscribers should receive), and the final
// report as JSON or text. No I/O, so the unit tests cover all of it.
//
// Payload layout: bytes 0..7 are the publisher's std::chrono::steady_clock
// time of sending, in ns, little-endian; the rest is filler ('x'). Latency
// is the subscriber's steady_clock time on receipt minus that stamp, so it
// is only meaningful when publisher and subscriber are the same process (as
// in `pubsub`) and only measured for payloads of 8 bytes or more.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "bench_options.h"
#include "latency_histogram.h"

namespace robust::ctl {

constexpr size_t bench_stamp_size = 8;

/// A payload of `size` bytes: the stamp `send_ns` when size >= 8, then 'x'.
std::string make_bench_payload(uint32_t size, uint64_t send_ns);

/// `size` pseudo-random bytes from `seed`: a value that compression cannot
/// shrink, so compressed throughput is not flattered (bench kafka produce).
std::string make_incompressible_payload(uint32_t size, uint64_t seed);

/// Writes `send_ns` over the first 8 bytes of `payload` (size >= 8).
void stamp_bench_payload(std::string& payload, uint64_t send_ns);

/// The stamp of a received payload; nullopt when it is shorter than 8 bytes.
std::optional<uint64_t> read_bench_stamp(std::string_view payload);

/// `pattern` with every "%i" replaced by `index`.
std::string expand_topic(std::string_view pattern, uint32_t index);

/// Whether MQTT topic filter `filter` (with + and #) matches topic `topic`
/// (MQTT 5 section 4.7; topics starting with '$' are not matched by a
/// leading wildcard).
bool topic_matches(std::string_view filter, std::string_view topic);

/// Percentiles of a histogram of ns, in µs with one decimal:
/// {"count","min","mean","p50","p90","p99","p99_9","max"} (also used by
/// the Kafka bench's report).
nlohmann::json latency_percentiles_us_json(const latency_histogram& h);

/// A figure of a text report: "-" for null, a float with at most 3
/// decimals and no trailing zeros, anything else as JSON.
std::string report_number(const nlohmann::json& v);

/// "p50 A  p90 B  p99 C  p99.9 D  max E  (N samples)" of a percentiles object.
std::string latency_line(const nlohmann::json& percentiles);

/// Everything measured by one run. Counters are totals over all clients.
struct bench_result {
    bench_options options;
    std::string mode_name;  // "conn", "pub", "sub", "pubsub"

    uint64_t connections_requested = 0;
    uint64_t connected = 0;
    uint64_t connect_failed = 0;
    double connect_elapsed_s = 0;  // first connect started .. last CONNACK
    latency_histogram connect_latency_ns;

    double elapsed_s = 0;          // publishing time (sub: receiving time; conn: holding time)
    double receive_elapsed_s = 0;  // start of publishing .. last message received
    uint64_t sent = 0;             // PUBLISH packets written
    uint64_t acked = 0;            // QoS 1/2 publishes completed (PUBACK / PUBCOMP)
    uint64_t refused = 0;          // ... with a reason code >= 0x80
    uint64_t received = 0;
    std::optional<uint64_t> expected;  // pubsub: copies the subscribers should get
    uint64_t errors = 0;               // connection failures, refusals, lost connections
    std::string first_error;           // the first error's text, for the report
    latency_histogram latency_ns;      // pubsub: send stamp to receipt

    uint64_t pings = 0;  // conn: PINGREQ sent while holding
    uint64_t pongs = 0;

    std::optional<uint64_t> rss_before_kb;  // --pid: VmRSS before connecting
    std::optional<uint64_t> rss_after_kb;   // ... with every connection open
};

/// The report as JSON (documented in docs/cli.md): {"mode", "broker",
/// "config", "connections", "elapsed_s", "sent", "received", "lost", ...,
/// "throughput", "latency_us", "connect_latency_us", "broker_rss_kb"}.
nlohmann::json bench_report_json(const bench_result& r);

/// The report for people: one "name  value" line per figure.
std::string bench_report_text(const bench_result& r);

/// VmRSS of process `pid` in kB from /proc/<pid>/status text; nullopt if
/// the text has no VmRSS line.
std::optional<uint64_t> parse_vm_rss_kb(std::string_view proc_status);

}  // namespace robust::ctl
