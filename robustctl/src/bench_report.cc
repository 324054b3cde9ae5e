#include "bench_report.h"

#include <cinttypes>
#include <cmath>
#include <cstdio>

namespace robust::ctl {
namespace {

using nlohmann::json;

// `v` rounded to `digits` decimals (dividing last, so 1.1 prints as 1.1).
double round_to(double v, int digits) {
    const double scale = std::pow(10.0, digits);
    return std::round(v * scale) / scale;
}

double us(double ns) {
    return round_to(ns / 1000.0, 1);
}

std::string version_name(mqtt::codec::protocol_version v) {
    switch (v) {
        case mqtt::codec::protocol_version::v3_1:
            return "3.1";
        case mqtt::codec::protocol_version::v3_1_1:
            return "3.1.1";
        default:
            return "5";
    }
}

double per_s(uint64_t n, double secs) {
    return secs > 0 ? round_to(static_cast<double>(n) / secs, 1) : 0.0;
}

double mb_per_s(uint64_t n, uint32_t size, double secs) {
    return secs > 0 ? round_to(static_cast<double>(n) * size / 1e6 / secs, 3) : 0.0;
}

std::optional<uint64_t> lost_of(const bench_result& r) {
    if (!r.expected) return std::nullopt;
    return *r.expected > r.received ? *r.expected - r.received : 0;
}

std::string latency_note(const bench_result& r) {
    if (r.options.mode != bench_mode::pubsub) return "latency is measured by pubsub only";
    if (r.options.size < bench_stamp_size) {
        return "latency needs --size 8 or more (the send timestamp is 8 bytes)";
    }
    return {};
}

}  // namespace

json latency_percentiles_us_json(const latency_histogram& h) {
    return {{"count", h.count()},
            {"min", us(static_cast<double>(h.min()))},
            {"mean", us(h.mean())},
            {"p50", us(static_cast<double>(h.percentile(50)))},
            {"p90", us(static_cast<double>(h.percentile(90)))},
            {"p99", us(static_cast<double>(h.percentile(99)))},
            {"p99_9", us(static_cast<double>(h.percentile(99.9)))},
            {"max", us(static_cast<double>(h.max()))}};
}

std::string report_number(const json& v) {
    if (v.is_null()) return "-";
    if (v.is_number_float()) {
        // Up to 3 decimals, trailing zeros dropped: 0.05, 1.5, 12.
        char b[64];
        std::snprintf(b, sizeof b, "%.3f", v.get<double>());
        std::string t = b;
        while (t.back() == '0') t.pop_back();
        if (t.back() == '.') t.pop_back();
        return t;
    }
    return v.dump();
}

std::string latency_line(const json& l) {
    const auto num = report_number;
    return "p50 " + num(l["p50"]) + "  p90 " + num(l["p90"]) + "  p99 " + num(l["p99"]) +
           "  p99.9 " + num(l["p99_9"]) + "  max " + num(l["max"]) + "  (" + num(l["count"]) +
           " samples)";
}

std::string make_bench_payload(uint32_t size, uint64_t send_ns) {
    std::string p(size, 'x');
    if (size >= bench_stamp_size) stamp_bench_payload(p, send_ns);
    return p;
}

std::string make_incompressible_payload(uint32_t size, uint64_t seed) {
    std::string p(size, '\0');
    uint64_t x = seed;
    for (size_t i = 0; i < p.size(); i += 8) {
        // splitmix64: cheap, and no compressor finds structure in it.
        uint64_t z = (x += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        z ^= z >> 31;
        for (size_t b = 0; b < 8 && i + b < p.size(); ++b)
            p[i + b] = static_cast<char>(z >> (8 * b));
    }
    return p;
}

void stamp_bench_payload(std::string& payload, uint64_t send_ns) {
    for (size_t i = 0; i < bench_stamp_size; ++i) {
        payload[i] = static_cast<char>((send_ns >> (8 * i)) & 0xFF);
    }
}

std::optional<uint64_t> read_bench_stamp(std::string_view payload) {
    if (payload.size() < bench_stamp_size) return std::nullopt;
    uint64_t v = 0;
    for (size_t i = 0; i < bench_stamp_size; ++i) {
        v |= uint64_t{static_cast<unsigned char>(payload[i])} << (8 * i);
    }
    return v;
}

std::string expand_topic(std::string_view pattern, uint32_t index) {
    std::string out;
    const std::string number = std::to_string(index);
    for (size_t i = 0; i < pattern.size(); ++i) {
        if (pattern[i] == '%' && i + 1 < pattern.size() && pattern[i + 1] == 'i') {
            out += number;
            ++i;
        } else {
            out += pattern[i];
        }
    }
    return out;
}

bool topic_matches(std::string_view filter, std::string_view topic) {
    if (!topic.empty() && topic[0] == '$' && !filter.empty() &&
        (filter[0] == '+' || filter[0] == '#')) {
        return false;  // [MQTT-4.7.2-1]
    }
    size_t f = 0, t = 0;
    for (;;) {
        const size_t f_end = std::min(filter.find('/', f), filter.size());
        const std::string_view level = filter.substr(f, f_end - f);
        if (level == "#") return true;  // also matches the parent level [MQTT-4.7.1-2]
        const size_t t_end = std::min(topic.find('/', t), topic.size());
        if (level != "+" && level != topic.substr(t, t_end - t)) return false;
        const bool filter_last = f_end == filter.size();
        const bool topic_last = t_end == topic.size();
        if (filter_last || topic_last) {
            if (filter_last && topic_last) return true;
            // "a/#" matches "a": the filter's next level must be a lone '#'.
            return topic_last && filter.substr(f_end + 1) == "#";
        }
        f = f_end + 1;
        t = t_end + 1;
    }
}

std::optional<uint64_t> parse_vm_rss_kb(std::string_view text) {
    const auto at = text.find("VmRSS:");
    if (at == std::string_view::npos) return std::nullopt;
    size_t i = at + 6;
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
    uint64_t v = 0;
    bool digits = false;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
        v = v * 10 + static_cast<uint64_t>(text[i] - '0');
        digits = true;
        ++i;
    }
    if (!digits) return std::nullopt;
    return v;
}

json bench_report_json(const bench_result& r) {
    const auto& o = r.options;
    json j;
    j["mode"] = r.mode_name;
    j["broker"] = {{"host", o.mqtt.host},
                   {"port", o.mqtt.port},
                   {"protocol", version_name(o.mqtt.version)},
                   {"tls", o.mqtt.tls.enabled}};
    j["config"] = {{"qos", static_cast<int>(o.mqtt.qos)},
                   {"size", o.size},
                   {"connections", o.connections},
                   {"publishers", o.publishers},
                   {"subscribers", o.subscribers},
                   {"topic", o.topic},
                   {"filter", o.filter.empty() ? o.topic : o.filter},
                   {"rate", o.rate},
                   {"duration_s", o.count > 0 ? json(nullptr) : json(o.duration_ms / 1000.0)},
                   {"count", o.count > 0 ? json(o.count) : json(nullptr)},
                   {"connect_rate", o.connect_rate},
                   {"keepalive_s", o.mqtt.keepalive_s},
                   {"inflight", o.inflight},
                   {"retain", o.retain},
                   {"topics", o.topics > 0 ? json(o.topics) : json(nullptr)},
                   {"threads", o.threads},
                   {"source_addresses", o.source_addresses}};
    j["connections"] = {{"requested", r.connections_requested},
                        {"connected", r.connected},
                        {"failed", r.connect_failed},
                        {"elapsed_s", round_to(r.connect_elapsed_s, 3)},
                        {"rate_per_s", per_s(r.connected, r.connect_elapsed_s)}};
    j["connect_latency_us"] = latency_percentiles_us_json(r.connect_latency_ns);
    j["elapsed_s"] = round_to(r.elapsed_s, 3);
    j["sent"] = r.sent;
    j["acked"] = r.acked;
    j["refused"] = r.refused;
    j["received"] = r.received;
    j["expected"] = r.expected ? json(*r.expected) : json(nullptr);
    const auto lost = lost_of(r);
    j["lost"] = lost ? json(*lost) : json(nullptr);
    j["errors"] = r.errors;
    j["first_error"] = r.first_error.empty() ? json(nullptr) : json(r.first_error);
    j["throughput"] = {{"sent_msgs_per_s", per_s(r.sent, r.elapsed_s)},
                       {"sent_mb_per_s", mb_per_s(r.sent, o.size, r.elapsed_s)},
                       {"received_msgs_per_s", per_s(r.received, r.receive_elapsed_s)},
                       {"received_mb_per_s", mb_per_s(r.received, o.size, r.receive_elapsed_s)}};
    const std::string note = latency_note(r);
    j["latency_us"] = note.empty() ? latency_percentiles_us_json(r.latency_ns) : json(nullptr);
    j["latency_note"] = note.empty() ? json(nullptr) : json(note);
    j["pings"] = r.pings;
    j["pongs"] = r.pongs;
    if (o.pid) {
        json rss = {{"pid", *o.pid},
                    {"before", r.rss_before_kb ? json(*r.rss_before_kb) : json(nullptr)},
                    {"after", r.rss_after_kb ? json(*r.rss_after_kb) : json(nullptr)},
                    {"per_connection", nullptr}};
        if (r.rss_before_kb && r.rss_after_kb && r.connected > 0) {
            const double delta =
                static_cast<double>(*r.rss_after_kb) - static_cast<double>(*r.rss_before_kb);
            rss["per_connection"] = round_to(delta / static_cast<double>(r.connected), 2);
        }
        j["broker_rss_kb"] = std::move(rss);
    } else {
        j["broker_rss_kb"] = nullptr;
    }
    return j;
}

std::string bench_report_text(const bench_result& r) {
    const json j = bench_report_json(r);
    const auto& o = r.options;
    std::string out;
    char line[256];
    auto add = [&](const char* name, const std::string& value) {
        std::snprintf(line, sizeof line, "%-20s %s\n", name, value.c_str());
        out += line;
    };
    const auto num = report_number;
    auto lat = [&](const char* name, const json& l) {
        if (l.is_null() || l["count"].get<uint64_t>() == 0) return;
        add(name, latency_line(l));
    };

    std::snprintf(line, sizeof line, "robustctl bench mqtt %s: %s:%u, MQTT %s%s, QoS %d\n",
                  r.mode_name.c_str(), o.mqtt.host.c_str(), o.mqtt.port,
                  j["broker"]["protocol"].get<std::string>().c_str(),
                  o.mqtt.tls.enabled ? " over TLS" : "", static_cast<int>(o.mqtt.qos));
    out += line;
    const auto& c = j["connections"];
    add("connections", num(c["connected"]) + " of " + num(c["requested"]) + " (" +
                           num(c["failed"]) + " failed) in " + num(c["elapsed_s"]) + " s, " +
                           num(c["rate_per_s"]) + " conn/s");
    lat("connect latency us", j["connect_latency_us"]);
    if (o.mode == bench_mode::conn) {
        add("held", num(j["elapsed_s"]) + " s, " + num(j["pings"]) + " pings, " + num(j["pongs"]) +
                        " pongs");
    } else {
        const auto& t = j["throughput"];
        if (o.mode != bench_mode::sub) {
            add("sent", num(j["sent"]) + " msgs in " + num(j["elapsed_s"]) + " s, " +
                            num(t["sent_msgs_per_s"]) + " msg/s, " + num(t["sent_mb_per_s"]) +
                            " MB/s (" + std::to_string(o.size) + " B payloads)");
        }
        if (o.mode != bench_mode::pub) {
            add("received", num(j["received"]) + " msgs, " + num(t["received_msgs_per_s"]) +
                                " msg/s, " + num(t["received_mb_per_s"]) + " MB/s");
        }
        if (!j["lost"].is_null()) {
            add("lost", num(j["lost"]) + " (expected " + num(j["expected"]) + ")");
        }
        lat("latency us", j["latency_us"]);
        if (!j["latency_note"].is_null() && o.mode == bench_mode::pubsub) {
            add("latency", j["latency_note"].get<std::string>());
        }
    }
    if (r.refused > 0) add("refused publishes", num(j["refused"]));
    add("errors",
        num(j["errors"]) + (r.first_error.empty() ? "" : " (first: " + r.first_error + ")"));
    if (!j["broker_rss_kb"].is_null()) {
        const auto& m = j["broker_rss_kb"];
        add("broker RSS kB", "before " + num(m["before"]) + ", after " + num(m["after"]) +
                                 ", per connection " + num(m["per_connection"]) + " (pid " +
                                 num(m["pid"]) + ")");
    }
    return out;
}

}  // namespace robust::ctl
