#pragma once
// `robustctl bench kafka produce|consume`: a load generator for any Kafka
// broker, on the broker's own codec (broker::kafka_codec).
//
// Set-up runs on the main thread over one bootstrap connection: optional
// SASL PLAIN, Metadata for --topic, CreateTopics if it is missing
// (produce), Metadata again until every partition has a leader. Then -c
// clients run asynchronously on --threads asio io_contexts, one thread
// each; a client lives on one of them for its whole life, so its state
// needs no lock. A client opens one connection per partition leader it
// needs (kafka_link.h: a kafka_session under an asio driver).
// - produce: each Produce request carries one RecordBatch of --batch
//   records for one partition, partitions taken round robin; up to
//   --inflight requests await their response per connection.
// - consume: each client owns a disjoint set of partitions (no consumer
//   group), finds its start offsets with ListOffsets and keeps one Fetch in
//   flight per connection.
// Totals are per-thread atomics read by the main thread for the progress
// line (stderr, once a second); histograms and error tallies are per
// thread and merged after the threads have stopped. The report
// (kafka_bench_report.h) goes to `out`.
//
// Returns the exit code: 0 the run happened (errors are in the report,
// never a pass/fail); 3 the bootstrap broker or every client could not be
// reached; 1 the broker refused: SASL, Metadata or CreateTopics errors, or a
// topic to consume that does not exist. Main thread; blocks for the run.

#include <cstdio>

#include "kafka_bench_options.h"

namespace robust::ctl {

int run_kafka_bench(const kafka_bench_options& options, bool json_output, std::FILE* out,
                    std::FILE* err);

}  // namespace robust::ctl
