#pragma once
// The pure parts of `robustctl bench kafka produce|consume`: option values
// (--bootstrap, --acks, --compression), which partition each batch goes to
// and which partitions each consumer reads, the --rate schedule, the SASL
// PLAIN token, and the final report as JSON or text. No I/O, so the unit
// tests cover all of it.
//
// Record values carry the 8-byte send stamp of bench_report.h (the
// producer's steady_clock in ns, little-endian) when --size is 8 or more.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "kafka_bench_options.h"
#include "latency_histogram.h"

namespace robust::ctl {

/// "host:port", "host" (default_port), "[v6addr]:port" or "[v6addr]";
/// nullopt for an empty host or a port that is not 1..65535.
std::optional<std::pair<std::string, uint16_t>> parse_host_port(std::string_view text,
                                                                uint16_t default_port);

/// --acks: "0", "1", "-1" or "all" (-1); nullopt otherwise.
std::optional<int16_t> parse_acks(std::string_view text);

/// --compression: "none", "gzip", "snappy", "lz4", "zstd"; nullopt otherwise.
std::optional<kafka::codec::compression_type> parse_compression(std::string_view text);

/// The partition of producer `client`'s batch number `batch_index` (from
/// 0): round robin over 0..partitions-1, each client starting at its own
/// index so that clients spread even when each sends only a few batches.
/// Precondition: partitions > 0.
int32_t produce_partition(uint32_t client, uint64_t batch_index, int32_t partitions);

/// The partitions consumer `client` of `clients` reads: those whose index
/// modulo `clients` is `client`. Disjoint, and together all of them; empty
/// for a client beyond the partition count.
std::vector<int32_t> consume_partitions(uint32_t client, uint32_t clients, int32_t partitions);

/// Records of the next batch: --batch, or what is left of --count (0: no
/// count) after `sent`.
uint32_t next_batch_records(uint32_t batch, uint64_t sent, uint64_t count);

/// With --rate: when a batch of `records` after `sent` records is due, so
/// that the last record in it is sent no earlier than its place in the
/// schedule start + n / rate (the first record at start). The average rate
/// is then `rate` whatever the batch size.
int64_t batch_due_ns(int64_t start_ns, uint64_t sent, uint32_t records, uint64_t rate);

/// The SASL PLAIN client token (RFC 4616): authzid (empty) NUL user NUL password.
std::string sasl_plain_token(std::string_view user, std::string_view password);

/// Everything measured by one run. Counters are totals over all clients.
struct kafka_bench_result {
    kafka_bench_options options;
    int32_t partitions = 0;      // of the topic
    bool topic_created = false;  // produce: CreateTopics made it

    uint64_t connections_requested = 0;  // one per client and partition leader
    uint64_t connected = 0;
    uint64_t connect_failed = 0;

    double elapsed_s = 0;         // produce: start .. last response; consume: start .. last record
    uint64_t requests = 0;        // Produce / Fetch requests sent
    uint64_t sent = 0;            // produce: records written
    uint64_t acked = 0;           // produce: records in batches the broker accepted
    uint64_t failed = 0;          // produce: records in batches refused with an error code
    uint64_t consumed = 0;        // consume: records read
    uint64_t consumed_bytes = 0;  // consume: value bytes read
    uint64_t errors = 0;          // Kafka error codes in responses and connection failures
    std::map<std::string, uint64_t> error_codes;  // Kafka error name -> times seen
    std::string first_error;
    std::string stopped_by;        // "duration", "count", "idle" (consume), "error"
    latency_histogram latency_ns;  // produce: request written .. response read
};

/// The report as JSON (documented in docs/cli.md); every key is always
/// present, null where it does not apply to the mode.
nlohmann::json kafka_bench_report_json(const kafka_bench_result& r);

/// The report for people: one "name  value" line per figure.
std::string kafka_bench_report_text(const kafka_bench_result& r);

}  // namespace robust::ctl
