// Prints one scrape of a registry with every kind of source set, so that an
// outside checker (promtool check metrics, see promtool_check.sh) can judge
// the real output. Not a unit test: ctest runs it through the script.

#include <chrono>
#include <iostream>

#include "metrics/registry.h"

int main() {
    using namespace robust::metrics;
    registry r;
    r.set_mqtt_source([] {
        mqtt_sample s;
        s.connections_by_listener = {{"mqtt-tcp", 3}, {"mqtt-ws", 1}};
        s.sessions = 5;
        s.subscriptions = 7;
        s.messages_in = {10, 20, 30};
        s.messages_out = {11, 21, 31};
        s.bytes_in = 4096;
        s.bytes_out = 8192;
        for (size_t t = 1; t < s.packets_in.size(); ++t) s.packets_in[t] = t;
        s.dropped[static_cast<size_t>(drop_reason::queue_full)] = 2;
        s.connections_accepted = 4;
        s.connections_refused = 1;
        return s;
    });
    r.set_auth_source([] { return auth_sample{4, 1, 0, 0, 2, 0}; });
    r.set_data_dir(".");
    // Every family gets at least one series, so that its labels show (the
    // grafana/ tests read them from here).
    r.set_kafka_source([] {
        kafka_sample s;
        s.connections_by_listener = {{"kafka", 2}};
        s.requests = {{"Produce", 5}, {"Fetch", 9}};
        s.errors = {{"Produce", "UNKNOWN_TOPIC_OR_PARTITION", 1}};
        s.produce_bytes = 1024;
        s.produce_records = 5;
        s.fetch_bytes = 512;
        s.rebalances = 1;
        s.groups_by_state = {{"Stable", 1}};
        s.group_members = 2;
        s.lags = {{"default", "g1", 3}};
        return s;
    });
    auto storage = r.add_storage_source("journal", [] { return storage_sample{1 << 20, 0}; });
    r.journal(journal_engine::rocksdb).observe_commit(std::chrono::microseconds(250), 4, 16, 2048);
    std::cout << r.scrape();
    return std::cout.good() ? 0 : 1;
}
