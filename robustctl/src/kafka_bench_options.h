#pragma once
// Options of `robustctl bench kafka produce|consume`, as parsed from the
// command line (invocation.cc) and used by kafka_bench_tool.cc. Plain values.

#include <cstdint>
#include <optional>
#include <string>

#include "kafka/codec/compression.h"

namespace robust::ctl {

enum class kafka_bench_mode {
    produce,  // -c producer clients, Produce requests pipelined per connection
    consume,  // -c consumer clients, each fetching a disjoint set of partitions
};

enum class kafka_start_offset { earliest, latest };

struct kafka_bench_options {
    kafka_bench_mode mode = kafka_bench_mode::produce;
    std::string host = "127.0.0.1";  // --bootstrap host:port
    uint16_t port = 9092;
    std::string topic = "bench";
    std::optional<uint32_t> partitions;  // produce: of the topic if it is created; nullopt: 1
    uint32_t clients = 1;
    uint32_t threads = 1;  // I/O threads
    // SASL PLAIN; both or neither.
    std::optional<std::string> username;
    std::optional<std::string> password;
    int64_t duration_ms = 10'000;
    uint64_t count = 0;  // produce: records per client; consume: records in all; 0: duration

    // produce
    int16_t acks = 1;      // 0, 1 or -1 (all)
    uint32_t size = 1024;  // record value bytes; >= 8 carries the send timestamp
    uint32_t batch = 100;  // records per RecordBatch (one batch per Produce request)
    kafka::codec::compression_type compression = kafka::codec::compression_type::none;
    uint32_t inflight = 5;  // Produce requests awaiting a response, per connection
    uint64_t rate = 0;      // records/s per client; 0: as fast as possible

    // consume
    kafka_start_offset from = kafka_start_offset::earliest;
    uint32_t fetch_max_bytes = 1024 * 1024;  // per Fetch request and per partition
    uint32_t max_wait_ms = 100;              // Fetch long poll
};

}  // namespace robust::ctl
