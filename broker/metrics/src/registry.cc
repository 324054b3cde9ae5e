#include "metrics/registry.h"

#include <prometheus/metric_family.h>
#include <prometheus/text_serializer.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <mutex>
#include <sstream>
#include <utility>

#include "base/assert.h"
#include "base/clock.h"
#include "families.h"
#include "process.h"

namespace robust::metrics {
namespace {

const char* type_name(prometheus::MetricType t) {
    switch (t) {
        case prometheus::MetricType::Counter:
            return "counter";
        case prometheus::MetricType::Gauge:
            return "gauge";
        case prometheus::MetricType::Histogram:
            return "histogram";
        case prometheus::MetricType::Summary:
            return "summary";
        case prometheus::MetricType::Untyped:
            break;
    }
    return "untyped";
}

}  // namespace

struct registry::impl {
    struct storage_source {
        std::string store;
        std::function<storage_sample()> fn;
    };
    struct store_series {
        prometheus::Gauge* size = nullptr;
        prometheus::Gauge* pending_compaction = nullptr;
    };

    prometheus::Registry prom;
    detail::families f{prom};
    const steady_clock::time_point started = steady_clock::now();

    // The scrape lock: the sources, and every series set from a sample.
    std::mutex mu;
    std::function<mqtt_sample()> mqtt;
    std::function<auth_sample()> auth;
    std::function<kafka_sample()> kafka;
    // Kafka series whose labels come from the sample, by label values.
    std::map<std::string, prometheus::Gauge*, std::less<>> kafka_listeners;
    std::map<std::string, detail::cumulative_counter, std::less<>> kafka_requests;
    std::map<std::pair<std::string, std::string>, detail::cumulative_counter> kafka_errors;
    std::map<std::string, prometheus::Gauge*, std::less<>> kafka_states;
    std::map<std::pair<std::string, std::string>, prometheus::Gauge*, std::less<>> kafka_lags;
    std::map<uint64_t, storage_source> storage;
    uint64_t next_source_id = 1;
    std::map<std::string, prometheus::Gauge*, std::less<>> listeners;
    std::map<std::string, store_series, std::less<>> stores;
    std::string data_dir;  // empty: no disk series
    prometheus::Gauge* disk_available = nullptr;
    prometheus::Gauge* disk_size = nullptr;

    void collect_disk() {
        if (data_dir.empty()) return;
        std::error_code ec;
        const auto space = std::filesystem::space(data_dir, ec);
        if (ec) return;  // keep the last values (the directory may be remounting)
        disk_available->Set(d(space.available));
        disk_size->Set(d(space.capacity));
    }

    void rebase_mqtt() {
        for (auto* a : {&f.messages_received, &f.messages_sent}) {
            for (auto& c : *a) c.rebase();
        }
        for (auto* a : {&f.packets_received, &f.packets_sent}) {
            for (auto& c : *a) c.rebase();
        }
        for (auto& c : f.messages_dropped) c.rebase();
        for (auto* c :
             {&f.bytes_received, &f.bytes_sent, &f.connections_accepted, &f.connections_refused}) {
            c->rebase();
        }
    }

    void rebase_auth() {
        for (auto* c : {&f.auth_accepted, &f.auth_bad_credentials, &f.auth_not_authorized,
                        &f.auth_banned, &f.acl_publish_denied, &f.acl_subscribe_denied}) {
            c->rebase();
        }
    }

    static double d(uint64_t v) { return static_cast<double>(v); }

    void apply(const mqtt_sample& s) {
        std::map<std::string, uint64_t, std::less<>> live;
        for (const auto& [listener, n] : s.connections_by_listener) live[listener] += n;
        for (auto it = listeners.begin(); it != listeners.end();) {
            if (live.contains(it->first)) {
                ++it;
            } else {
                f.connections->Remove(it->second);
                it = listeners.erase(it);
            }
        }
        for (const auto& [listener, n] : live) {
            auto& g = listeners[listener];
            if (g == nullptr)
                g = &f.connections->Add({{"protocol", "mqtt"}, {"listener", listener}});
            g->Set(d(n));
        }
        f.mqtt_sessions->Set(d(s.sessions));
        f.mqtt_subscriptions->Set(d(s.subscriptions));
        f.shared_groups->Set(d(s.shared_groups));
        f.retained_messages->Set(d(s.retained));
        f.topics->Set(d(s.topics));
        for (size_t q = 0; q < detail::mqtt_qos_levels; ++q) {
            f.messages_received[q].advance(d(s.messages_in[q]));
            f.messages_sent[q].advance(d(s.messages_out[q]));
        }
        f.bytes_received.advance(d(s.bytes_in));
        f.bytes_sent.advance(d(s.bytes_out));
        for (size_t t = 1; t < detail::mqtt_packet_types; ++t) {
            f.packets_received[t].advance(d(s.packets_in[t]));
            f.packets_sent[t].advance(d(s.packets_out[t]));
        }
        for (size_t r = 0; r < detail::drop_reasons; ++r)
            f.messages_dropped[r].advance(d(s.dropped[r]));
        f.connections_accepted.advance(d(s.connections_accepted));
        f.connections_refused.advance(d(s.connections_refused));
    }

    void apply(const auth_sample& s) {
        f.auth_accepted.advance(d(s.accepted));
        f.auth_bad_credentials.advance(d(s.bad_credentials));
        f.auth_not_authorized.advance(d(s.not_authorized));
        f.auth_banned.advance(d(s.banned));
        f.acl_publish_denied.advance(d(s.publish_denied));
        f.acl_subscribe_denied.advance(d(s.subscribe_denied));
    }

    void rebase_kafka() {
        for (auto& [_, c] : kafka_requests) c.rebase();
        for (auto& [_, c] : kafka_errors) c.rebase();
        for (auto* c : {&f.kafka_produce_bytes, &f.kafka_produce_records, &f.kafka_fetch_bytes,
                        &f.kafka_rebalances}) {
            c->rebase();
        }
    }

    // Sets the gauges of `family` to `values` (label value -> value), adding
    // series for new label values and removing those that are gone.
    template <class Key, class Values, class Labels>
    static void sync_gauges(prometheus::Family<prometheus::Gauge>& family,
                            std::map<Key, prometheus::Gauge*, std::less<>>& series,
                            const Values& values, Labels&& labels_of) {
        for (auto it = series.begin(); it != series.end();) {
            if (values.contains(it->first)) {
                ++it;
            } else {
                family.Remove(it->second);
                it = series.erase(it);
            }
        }
        for (const auto& [key, v] : values) {
            auto& g = series[key];
            if (g == nullptr) g = &family.Add(labels_of(key));
            g->Set(d(v));
        }
    }

    void apply(const kafka_sample& s) {
        std::map<std::string, uint64_t, std::less<>> live;
        for (const auto& [listener, n] : s.connections_by_listener) live[listener] += n;
        sync_gauges(*f.connections, kafka_listeners, live, [](const std::string& l) {
            return prometheus::Labels{{"protocol", "kafka"}, {"listener", l}};
        });
        for (const auto& [api, n] : s.requests) {
            auto it = kafka_requests.find(api);
            if (it == kafka_requests.end()) {
                it = kafka_requests
                         .emplace(api,
                                  detail::cumulative_counter(f.kafka_requests->Add({{"api", api}})))
                         .first;
            }
            it->second.advance(d(n));
        }
        for (const auto& e : s.errors) {
            auto key = std::make_pair(e.api, e.error);
            auto it = kafka_errors.find(key);
            if (it == kafka_errors.end()) {
                it = kafka_errors
                         .emplace(key, detail::cumulative_counter(f.kafka_errors->Add(
                                           {{"api", e.api}, {"error", e.error}})))
                         .first;
            }
            it->second.advance(d(e.count));
        }
        f.kafka_produce_bytes.advance(d(s.produce_bytes));
        f.kafka_produce_records.advance(d(s.produce_records));
        f.kafka_fetch_bytes.advance(d(s.fetch_bytes));
        f.kafka_rebalances.advance(d(s.rebalances));
        std::map<std::string, uint64_t, std::less<>> states(s.groups_by_state.begin(),
                                                            s.groups_by_state.end());
        sync_gauges(*f.kafka_groups, kafka_states, states, [](const std::string& st) {
            return prometheus::Labels{{"state", st}};
        });
        f.kafka_group_members->Set(d(s.group_members));
        std::map<std::pair<std::string, std::string>, int64_t, std::less<>> lags;
        for (const auto& l : s.lags) lags[{l.tenant, l.group}] += l.lag;
        sync_gauges(*f.kafka_lag, kafka_lags, lags, [](const auto& k) {
            return prometheus::Labels{{"tenant", k.first}, {"group", k.second}};
        });
    }

    void collect_storage() {
        std::map<std::string, storage_sample, std::less<>> sums;
        for (const auto& [id, src] : storage) {
            const auto s = src.fn();
            auto& sum = sums[src.store];
            sum.size_bytes += s.size_bytes;
            sum.pending_compaction_bytes += s.pending_compaction_bytes;
        }
        for (auto it = stores.begin(); it != stores.end();) {
            if (sums.contains(it->first)) {
                ++it;
            } else {
                f.storage_size->Remove(it->second.size);
                f.storage_pending_compaction->Remove(it->second.pending_compaction);
                it = stores.erase(it);
            }
        }
        for (const auto& [store, s] : sums) {
            auto& series = stores[store];
            if (series.size == nullptr) {
                series.size = &f.storage_size->Add({{"store", store}});
                series.pending_compaction = &f.storage_pending_compaction->Add({{"store", store}});
            }
            series.size->Set(d(s.size_bytes));
            series.pending_compaction->Set(d(s.pending_compaction_bytes));
        }
    }

    void collect_process() {
        auto p = detail::read_process_sample();
        if (!p) return;  // not Linux, or /proc unreadable: keep the last values
        f.process_cpu.advance(p->cpu_seconds);
        f.process_resident_memory->Set(d(p->resident_bytes));
        f.process_virtual_memory->Set(d(p->virtual_bytes));
        f.process_open_fds->Set(d(p->open_fds));
        f.process_max_fds->Set(d(p->max_fds));
        f.process_start_time->Set(p->start_time_seconds);
        f.process_threads->Set(d(p->threads));
    }

    // Every family in definition order. prometheus-cpp leaves out a family
    // without series (and writes a broken TYPE line for an empty one), so
    // those get their HELP and TYPE lines here.
    std::string serialize() const {
        auto collected = prom.Collect();
        std::ostringstream out;
        const prometheus::TextSerializer serializer;
        for (const auto& info : f.all) {
            auto it = std::find_if(collected.begin(), collected.end(),
                                   [&](const auto& mf) { return mf.name == info.name; });
            if (it != collected.end() && !it->metric.empty()) {
                serializer.Serialize(out, {std::move(*it)});
            } else {
                out << "# HELP " << info.name << ' ' << info.help << "\n# TYPE " << info.name << ' '
                    << type_name(info.type) << '\n';
            }
        }
        return out.str();
    }
};

registry::registry() : impl_(std::make_unique<impl>()) {}

registry::~registry() = default;

std::string registry::scrape() {
    std::lock_guard lk(impl_->mu);
    auto& m = *impl_;
    if (m.mqtt) m.apply(m.mqtt());
    if (m.auth) m.apply(m.auth());
    if (m.kafka) m.apply(m.kafka());
    m.collect_storage();
    m.collect_disk();
    m.collect_process();
    m.f.uptime->Set(std::chrono::duration<double>(steady_clock::now() - m.started).count());
    return m.serialize();
}

std::vector<std::string> registry::metric_names() const {
    std::vector<std::string> names;
    names.reserve(impl_->f.all.size());
    for (const auto& info : impl_->f.all) names.push_back(info.name);
    std::sort(names.begin(), names.end());
    return names;
}

void registry::set_data_dir(std::string path) {
    std::lock_guard lk(impl_->mu);
    auto& m = *impl_;
    if (m.disk_available == nullptr) {
        m.disk_available = &m.f.disk_available->Add({});
        m.disk_size = &m.f.disk_size->Add({});
    }
    m.data_dir = std::move(path);
    m.collect_disk();
}

void registry::set_mqtt_source(std::function<mqtt_sample()> source) {
    std::lock_guard lk(impl_->mu);
    impl_->mqtt = std::move(source);
    impl_->rebase_mqtt();
}

void registry::set_kafka_source(std::function<kafka_sample()> source) {
    std::lock_guard lk(impl_->mu);
    impl_->kafka = std::move(source);
    impl_->rebase_kafka();
}

void registry::set_auth_source(std::function<auth_sample()> source) {
    std::lock_guard lk(impl_->mu);
    impl_->auth = std::move(source);
    impl_->rebase_auth();
}

source_registration registry::add_storage_source(std::string store,
                                                 std::function<storage_sample()> source) {
    std::lock_guard lk(impl_->mu);
    const uint64_t id = impl_->next_source_id++;
    impl_->storage.emplace(id, impl::storage_source{std::move(store), std::move(source)});
    return source_registration(this, id);
}

void registry::remove_storage_source(uint64_t id) noexcept {
    std::lock_guard lk(impl_->mu);
    impl_->storage.erase(id);
}

journal_metrics registry::journal(journal_engine engine) {
    const auto i = static_cast<size_t>(engine);
    BROKER_ASSERT(i < detail::journal_engines, "unknown journal engine " << i);
    return journal_metrics(this, &impl_->f.journal[i]);
}

// ---------------------------------------------------------------- handles

source_registration::source_registration(source_registration&& o) noexcept
    : registry_(std::exchange(o.registry_, nullptr)), id_(o.id_) {}

source_registration& source_registration::operator=(source_registration&& o) noexcept {
    if (this != &o) {
        reset();
        registry_ = std::exchange(o.registry_, nullptr);
        id_ = o.id_;
    }
    return *this;
}

void source_registration::reset() noexcept {
    if (registry_ != nullptr) std::exchange(registry_, nullptr)->remove_storage_source(id_);
}

void journal_metrics::observe_commit(std::chrono::nanoseconds latency, uint64_t appends,
                                     uint64_t records, uint64_t bytes) const noexcept {
    if (series_ == nullptr) return;
    series_->append_latency->Observe(std::chrono::duration<double>(latency).count());
    series_->batch_records->Observe(static_cast<double>(records));
    series_->appends->Increment(static_cast<double>(appends));
    series_->appended_records->Increment(static_cast<double>(records));
    series_->appended_bytes->Increment(static_cast<double>(bytes));
}

void journal_metrics::count_failed_write(uint64_t appends) const noexcept {
    if (series_ == nullptr) return;
    series_->failed_appends->Increment(static_cast<double>(appends));
}

source_registration journal_metrics::add_storage_source(
    std::string store, std::function<storage_sample()> source) const {
    if (registry_ == nullptr) return {};
    return registry_->add_storage_source(std::move(store), std::move(source));
}

}  // namespace robust::metrics
