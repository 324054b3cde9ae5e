#pragma once
// kafka_inflow: records Kafka clients produce to bound topics, delivered to
// the MQTT subscribers (docs/kafka.md, "MQTT and Kafka on one topic").
//
// Each partition of a bound Kafka topic has a tail: a journal append
// observer wakes it, a blocking-pool thread reads the new records, and the
// Kafka batches among them (MQTT's own publishes, stored as single records,
// were delivered when published) are expanded into messages and handed to
// one worker (the same one for a partition, so its order is kept), which
// matches them, appends pointers to the persistent subscribers' inboxes
// (the data is not copied) and dispatches them. Then the tail's position is
// committed in the journal (group "$mqtt/kafka-inflow"), so after a crash
// delivery resumes where it stopped: at least once to persistent sessions.
// A new binding starts at the partition's end (no history is replayed).
//
// Threading: sync() and stop() from any thread; the observer runs on the
// journal's writer thread and only posts.

#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "bindings.h"
#include "storage/journal.h"

namespace robust::mqtt {

class broker_impl;

class kafka_inflow {
public:
    explicit kafka_inflow(broker_impl& b);
    ~kafka_inflow();
    kafka_inflow(const kafka_inflow&) = delete;
    kafka_inflow& operator=(const kafka_inflow&) = delete;

    /// Registers the journal observer (once) and tails the bound
    /// partitions of `bindings`. Call it once the sessions are restored
    /// (sync() before start() does nothing).
    void start(const binding_map& bindings);
    /// Follows a change of the binding set: tails new partitions, forgets
    /// unbound ones.
    void sync(const binding_set& set);
    /// No new reads start; reads in flight finish on the blocking pool.
    void stop();

    /// The journal position group of the tails.
    static constexpr std::string_view position_group = "$mqtt/kafka-inflow";

private:
    struct tail;
    struct state;
    void pump(const std::shared_ptr<tail>& t);
    void finish(const std::shared_ptr<tail>& t, int64_t next);

    broker_impl& broker_;
    std::shared_ptr<state> state_;
};

}  // namespace robust::mqtt
