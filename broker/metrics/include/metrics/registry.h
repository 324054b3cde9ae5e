#pragma once
// The metrics registry: every robustmq_* metric family, defined in one place
// (src/definitions.cc), and the Prometheus text exposition the admin API
// serves at /metrics.
//
// Hot paths never touch prometheus objects: the protocols and the auth
// service keep their own counters and the registry pulls them at scrape time
// through the sources set here; the journal records once per group commit
// through a journal_metrics handle. docs/metrics.md lists every metric.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "metrics/journal_metrics.h"
#include "metrics/samples.h"

namespace robust::metrics {

/// Owns a prometheus::Registry with every family created in its constructor.
///
/// Created first by main (the composition root), before the journal, the
/// services and the admin API, and destroyed after all of them: handles and
/// registrations point into it. Thread-safe: every method may be called from
/// any thread. scrape() runs the sources on the calling thread (the admin
/// HTTP thread), one scrape at a time; a source must not call back into the
/// registry.
class registry {
public:
    registry();
    ~registry();
    registry(const registry&) = delete;
    registry& operator=(const registry&) = delete;

    /// Runs every source, updates the families, and returns the Prometheus
    /// text exposition format 0.0.4 (Content-Type "text/plain; version=0.0.4").
    /// Every family appears with # HELP and # TYPE, also before it has a series.
    std::string scrape();

    /// The name of every family, sorted (histograms by their base name).
    std::vector<std::string> metric_names() const;

    /// The data directory: robustmq_storage_disk_{available,size}_bytes
    /// describe its file system from then on (read at every scrape). Until
    /// it is set those families have no series, rather than a misleading 0.
    void set_data_dir(std::string path);

    /// The MQTT broker's sample; an empty function unsets the source, after
    /// which the MQTT families keep their last values. Replacing the source
    /// (a new broker) takes the new source's cumulative values as counted
    /// from zero. A cumulative value that goes down between two scrapes is
    /// taken as a restart of its source: the counter advances by the new
    /// value, so counters never go backwards. The function must stay callable
    /// until it is replaced or unset.
    void set_mqtt_source(std::function<mqtt_sample()> source);
    /// The auth service's sample; same rules as set_mqtt_source.
    void set_auth_source(std::function<auth_sample()> source);
    /// The Kafka server's sample; same rules as set_mqtt_source. Series with
    /// labels that are gone from the sample (a listener, a group) are removed.
    void set_kafka_source(std::function<kafka_sample()> source);

    /// Adds a source for robustmq_storage_*{store}; "journal" and "meta" are
    /// the stores we have. Samples of several live sources with the same
    /// store are summed; a store without a live source loses its series.
    [[nodiscard]] source_registration add_storage_source(std::string store,
                                                         std::function<storage_sample()> source);

    /// The handle for the robustmq_journal_*{engine} families of one engine,
    /// to put in its options.
    journal_metrics journal(journal_engine engine);

private:
    friend class source_registration;
    void remove_storage_source(uint64_t id) noexcept;

    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace robust::metrics
