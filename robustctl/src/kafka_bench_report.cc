#include "kafka_bench_report.h"

#include <charconv>
#include <cmath>
#include <cstdio>

#include "bench_report.h"

namespace robust::ctl {
namespace {

using nlohmann::json;
namespace kc = kafka::codec;

double round_to(double v, int digits) {
    const double scale = std::pow(10.0, digits);
    return std::round(v * scale) / scale;
}

double per_s(uint64_t n, double secs) {
    return secs > 0 ? round_to(static_cast<double>(n) / secs, 1) : 0.0;
}

double mb_per_s(uint64_t bytes, double secs) {
    return secs > 0 ? round_to(static_cast<double>(bytes) / 1e6 / secs, 3) : 0.0;
}

bool producing(const kafka_bench_result& r) {
    return r.options.mode == kafka_bench_mode::produce;
}

// Records and value bytes the throughput is computed from: acknowledged
// records (every record written with acks = 0), or records consumed.
std::pair<uint64_t, uint64_t> counted(const kafka_bench_result& r) {
    if (!producing(r)) return {r.consumed, r.consumed_bytes};
    const uint64_t n = r.options.acks == 0 ? r.sent : r.acked;
    return {n, n * r.options.size};
}

std::string latency_note(const kafka_bench_result& r) {
    if (!producing(r)) {
        return "consume measures no latency (end-to-end latency needs the producer in the same "
               "process)";
    }
    if (r.options.acks == 0) return "acks=0: the broker sends no response to time";
    return {};
}

std::string acks_name(int16_t acks) {
    return acks == -1 ? "all" : std::to_string(acks);
}

}  // namespace

std::optional<std::pair<std::string, uint16_t>> parse_host_port(std::string_view text,
                                                                uint16_t default_port) {
    std::string_view host = text, port;
    if (!text.empty() && text.front() == '[') {
        const auto close = text.find(']');
        if (close == std::string_view::npos) return std::nullopt;
        host = text.substr(1, close - 1);
        const std::string_view rest = text.substr(close + 1);
        if (!rest.empty()) {
            if (rest.front() != ':') return std::nullopt;
            port = rest.substr(1);
            if (port.empty()) return std::nullopt;
        }
    } else if (const auto colon = text.rfind(':'); colon != std::string_view::npos) {
        if (text.find(':') != colon) return std::nullopt;  // a bare IPv6 address needs [...]
        host = text.substr(0, colon);
        port = text.substr(colon + 1);
        if (port.empty()) return std::nullopt;
    }
    if (host.empty()) return std::nullopt;
    uint16_t p = default_port;
    if (!port.empty()) {
        unsigned v = 0;
        const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), v);
        if (ec != std::errc() || end != port.data() + port.size() || v == 0 || v > 65535) {
            return std::nullopt;
        }
        p = static_cast<uint16_t>(v);
    }
    return std::pair{std::string(host), p};
}

std::optional<int16_t> parse_acks(std::string_view text) {
    if (text == "0") return int16_t{0};
    if (text == "1") return int16_t{1};
    if (text == "-1" || text == "all") return int16_t{-1};
    return std::nullopt;
}

std::optional<kc::compression_type> parse_compression(std::string_view text) {
    for (auto c :
         {kc::compression_type::none, kc::compression_type::gzip, kc::compression_type::snappy,
          kc::compression_type::lz4, kc::compression_type::zstd}) {
        if (text == kc::name(c)) return c;
    }
    return std::nullopt;
}

int32_t produce_partition(uint32_t client, uint64_t batch_index, int32_t partitions) {
    const auto n = static_cast<uint64_t>(partitions);
    return static_cast<int32_t>((client % n + batch_index % n) % n);
}

std::vector<int32_t> consume_partitions(uint32_t client, uint32_t clients, int32_t partitions) {
    std::vector<int32_t> out;
    for (int32_t p = 0; p < partitions; ++p) {
        if (static_cast<uint32_t>(p) % clients == client) out.push_back(p);
    }
    return out;
}

uint32_t next_batch_records(uint32_t batch, uint64_t sent, uint64_t count) {
    if (count == 0) return batch;
    if (sent >= count) return 0;
    return static_cast<uint32_t>(std::min<uint64_t>(batch, count - sent));
}

int64_t batch_due_ns(int64_t start_ns, uint64_t sent, uint32_t records, uint64_t rate) {
    const uint64_t last = sent + (records > 0 ? records - 1 : 0);
    return start_ns +
           static_cast<int64_t>(static_cast<double>(last) * 1e9 / static_cast<double>(rate));
}

std::string sasl_plain_token(std::string_view user, std::string_view password) {
    std::string t;
    t.push_back('\0');
    t.append(user);
    t.push_back('\0');
    t.append(password);
    return t;
}

json kafka_bench_report_json(const kafka_bench_result& r) {
    const auto& o = r.options;
    const bool prod = producing(r);
    auto produce_only = [prod](json v) { return prod ? std::move(v) : json(nullptr); };
    auto consume_only = [prod](json v) { return prod ? json(nullptr) : std::move(v); };
    json j;
    j["mode"] = prod ? "produce" : "consume";
    j["broker"] = {{"bootstrap", o.host + ":" + std::to_string(o.port)},
                   {"sasl_user", o.username ? json(*o.username) : json(nullptr)}};
    j["topic"] = {{"name", o.topic}, {"partitions", r.partitions}, {"created", r.topic_created}};
    j["config"] = {
        {"clients", o.clients},
        {"threads", o.threads},
        {"duration_s", o.count > 0 ? json(nullptr) : json(o.duration_ms / 1000.0)},
        {"count", o.count > 0 ? json(o.count) : json(nullptr)},
        {"acks", produce_only(o.acks)},
        {"size", produce_only(o.size)},
        {"batch", produce_only(o.batch)},
        {"compression", produce_only(std::string(kc::name(o.compression)))},
        {"inflight", produce_only(o.inflight)},
        {"rate", produce_only(o.rate)},
        {"from", consume_only(o.from == kafka_start_offset::earliest ? "earliest" : "latest")},
        {"fetch_max_bytes", consume_only(o.fetch_max_bytes)},
        {"max_wait_ms", consume_only(o.max_wait_ms)}};
    j["connections"] = {{"requested", r.connections_requested},
                        {"connected", r.connected},
                        {"failed", r.connect_failed}};
    j["elapsed_s"] = round_to(r.elapsed_s, 3);
    j["requests"] = r.requests;
    j["sent"] = produce_only(r.sent);
    j["acked"] = prod && o.acks != 0 ? json(r.acked) : json(nullptr);
    j["failed"] = prod && o.acks != 0 ? json(r.failed) : json(nullptr);
    j["consumed"] = consume_only(r.consumed);
    const auto [records, bytes] = counted(r);
    j["bytes"] = bytes;
    j["errors"] = r.errors;
    j["error_codes"] = json::object();
    for (const auto& [name, n] : r.error_codes) j["error_codes"][name] = n;
    j["first_error"] = r.first_error.empty() ? json(nullptr) : json(r.first_error);
    j["throughput"] = {{"records_per_s", per_s(records, r.elapsed_s)},
                       {"mb_per_s", mb_per_s(bytes, r.elapsed_s)}};
    const std::string note = latency_note(r);
    j["latency_us"] = note.empty() ? latency_percentiles_us_json(r.latency_ns) : json(nullptr);
    j["latency_note"] = note.empty() ? json(nullptr) : json(note);
    j["stopped_by"] = r.stopped_by.empty() ? json(nullptr) : json(r.stopped_by);
    return j;
}

std::string kafka_bench_report_text(const kafka_bench_result& r) {
    const json j = kafka_bench_report_json(r);
    const auto& o = r.options;
    const auto num = report_number;
    std::string out;
    char line[512];
    auto add = [&](const char* name, const std::string& value) {
        std::snprintf(line, sizeof line, "%-20s %s\n", name, value.c_str());
        out += line;
    };

    const bool prod = producing(r);
    std::string head = "robustctl bench kafka " + j["mode"].get<std::string>() + ": " +
                       j["broker"]["bootstrap"].get<std::string>() + ", topic " + o.topic + " (" +
                       std::to_string(r.partitions) + " partition" +
                       (r.partitions == 1 ? "" : "s") + (r.topic_created ? ", created" : "") + ")";
    if (prod) {
        head += ", acks " + acks_name(o.acks) + ", " + std::string(kc::name(o.compression));
    } else {
        head += ", from " + j["config"]["from"].get<std::string>();
    }
    out += head + "\n";
    const auto& c = j["connections"];
    add("connections",
        num(c["connected"]) + " of " + num(c["requested"]) + " (" + num(c["failed"]) + " failed)");
    const auto& t = j["throughput"];
    if (prod) {
        std::string sent = num(j["sent"]) + " records in " + num(j["elapsed_s"]) + " s, " +
                           num(j["requests"]) + " requests";
        if (o.acks != 0) sent += ", acked " + num(j["acked"]) + ", failed " + num(j["failed"]);
        add("sent", sent);
        add("throughput", num(t["records_per_s"]) + " records/s, " + num(t["mb_per_s"]) +
                              " MB/s (" + std::to_string(o.size) + " B values, batches of " +
                              std::to_string(o.batch) + ", " + std::to_string(o.inflight) +
                              " in flight" + (o.acks == 0 ? ", counted as sent" : "") + ")");
    } else {
        add("consumed", num(j["consumed"]) + " records in " + num(j["elapsed_s"]) + " s, " +
                            num(j["requests"]) + " fetches");
        add("throughput",
            num(t["records_per_s"]) + " records/s, " + num(t["mb_per_s"]) + " MB/s (value bytes)");
    }
    if (!j["latency_us"].is_null() && j["latency_us"]["count"].get<uint64_t>() > 0) {
        add("produce latency us", latency_line(j["latency_us"]));
    }
    if (!j["latency_note"].is_null()) add("latency", j["latency_note"].get<std::string>());
    std::string errors = num(j["errors"]);
    if (!r.error_codes.empty()) {
        std::string codes;
        for (const auto& [name, n] : r.error_codes) {
            codes += (codes.empty() ? "" : ", ") + name + " " + std::to_string(n);
        }
        errors += " [" + codes + "]";
    }
    if (!r.first_error.empty()) errors += " (first: " + r.first_error + ")";
    add("errors", errors);
    if (!r.stopped_by.empty()) add("stopped by", r.stopped_by);
    return out;
}

}  // namespace robust::ctl
