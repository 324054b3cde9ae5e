#pragma once
// `robustctl bench mqtt conn|pub|sub|pubsub`: a load generator for any MQTT
// broker. Many clients (thousands) run asynchronously on --threads asio
// io_contexts, one thread each; a client lives on one of them for its whole
// life, so its state needs no lock. Each client is an mqtt_session (the
// Sans-I/O protocol core, mqtt_session.h) under a small asio driver. Totals
// are per-thread atomics read by the main thread for the progress line
// (stderr, once a second); latency histograms are per thread and merged
// after the threads have stopped. The report (bench_report.h) goes to `out`.
//
// Returns the exit code: 0 the run completed (errors and losses are in the
// report, never a pass/fail); 3 no client could connect; 1 the broker
// refused every connection. Main thread; blocks for the whole run.

#include <cstdio>

#include "bench_options.h"

namespace robust::ctl {

int run_bench(const bench_options& options, bool json_output, std::FILE* out, std::FILE* err);

}  // namespace robust::ctl
