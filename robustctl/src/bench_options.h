#pragma once
// Options of `robustctl bench mqtt conn|pub|sub|pubsub`, as parsed from the
// command line (invocation.cc) and used by bench_tool.cc. Plain values.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mqtt_options.h"

namespace robust::ctl {

enum class bench_mode {
    conn,    // open connections at --connect-rate, hold them idle for --duration
    pub,     // publishers only
    sub,     // subscribers only (someone else publishes)
    pubsub,  // publishers and subscribers: throughput, latency, loss
};

struct bench_options {
    bench_mode mode = bench_mode::pubsub;
    // host, port, version, qos, credentials, keep alive, TLS; client_id is
    // the client id prefix ("<prefix>c<n>", "<prefix>p<n>", "<prefix>s<n>").
    mqtt_common_options mqtt;
    uint32_t connections = 100;      // conn
    uint32_t publishers = 1;         // pub, pubsub
    uint32_t subscribers = 1;        // sub, pubsub
    std::string topic = "bench/%i";  // publishers' topic; %i: publisher index from 0
    std::string filter;              // subscribers' filter; %i: subscriber index; empty: topic
    uint32_t size = 64;              // payload bytes; >= 8 carries the send timestamp
    uint64_t rate = 0;               // messages/s per publisher; 0: as fast as possible
    int64_t duration_ms = 10'000;    // publishing time (conn: holding time)
    uint64_t count = 0;              // messages per publisher instead of duration; 0: duration
    uint64_t connect_rate = 0;       // connections/s while connecting; 0: all at once
    uint32_t threads = 1;            // I/O threads
    uint32_t inflight = 100;         // QoS 1/2 messages in flight per publisher
    bool retain = false;             // pub: publish with RETAIN
    // pub: message k of a publisher goes to the topic with "%n" replaced by
    // k modulo `topics` (0: the topic has no %n). With --retain and --count,
    // that many retained topics (the 1,000,000-topic scenario).
    uint64_t topics = 0;
    std::optional<int> pid;  // broker process whose VmRSS is reported
    // Local addresses client i binds to (i modulo their count) before
    // connecting; empty: the kernel's choice. One address gives at most
    // ~64k connections to one broker port: 100k need several (127.0.0.2...).
    std::vector<std::string> source_addresses;
};

}  // namespace robust::ctl
