#include "render.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <ctime>
#include <tuple>
#include <vector>

#include "duration.h"
#include "table.h"

namespace robust::ctl {
namespace {

bool ends_with(const std::string& s, std::string_view suffix) {
    return s.size() >= suffix.size() &&
           s.compare(s.size() - suffix.size(), suffix.size(), suffix.data(), suffix.size()) == 0;
}

// Fields in milliseconds that are lengths of time, not instants.
bool is_duration_ms(const std::string& key) {
    return key == "retention_ms" || key.find("interval") != std::string::npos;
}

std::string scalar(const json& v) {
    if (v.is_null()) return "-";
    if (v.is_boolean()) return v.get<bool>() ? "yes" : "no";
    if (v.is_string()) return v.get<std::string>();
    return v.dump();
}

std::string count_text(int64_t n, const char* one, const char* many) {
    return std::to_string(n) + " " + (n == 1 ? one : many);
}

bool is_timestamp_key(const std::string& key) {
    return ends_with(key, "_ms") && !is_duration_ms(key);
}

// Display order of an object's fields: what names the item first (the server
// may send fields in any order, e.g. sorted), then the others in the
// server's order, then the timestamps.
std::vector<std::string> display_order(std::vector<std::string> keys) {
    static const std::vector<std::string> identity = {"time_ms",   "tenant", "name",   "username",
                                                      "client_id", "topic",  "filter", "type",
                                                      "value",     "id"};
    auto rank = [&](const std::string& k) -> size_t {
        auto it = std::find(identity.begin(), identity.end(), k);
        if (it != identity.end()) return static_cast<size_t>(it - identity.begin());
        return is_timestamp_key(k) ? identity.size() + 1 : identity.size();
    };
    std::stable_sort(keys.begin(), keys.end(),
                     [&](const std::string& a, const std::string& b) { return rank(a) < rank(b); });
    return keys;
}

// The columns of a list: every key of every item, in display order.
std::vector<std::string> columns_of(const json& items) {
    std::vector<std::string> cols;
    for (const auto& item : items) {
        if (!item.is_object()) continue;
        for (const auto& [k, _] : item.items()) {
            if (std::find(cols.begin(), cols.end(), k) == cols.end()) cols.push_back(k);
        }
    }
    return display_order(std::move(cols));
}

std::string object_table(const json& items, size_t max_cell = 0) {
    const auto cols = columns_of(items);
    std::vector<std::string> headers;
    for (const auto& c : cols) headers.push_back(field_header(c));
    text_table t(std::move(headers));
    for (const auto& item : items) {
        std::vector<std::string> row;
        for (const auto& c : cols) {
            std::string cell = item.is_object() && item.contains(c) ? format_field(c, item[c]) : "";
            if (max_cell > 0 && display_width(cell) > max_cell) {
                size_t cut = max_cell - 3;
                // Cut on a code point boundary.
                while (cut > 0 && (static_cast<unsigned char>(cell[cut]) & 0xC0) == 0x80) --cut;
                cell = cell.substr(0, cut) + "...";
            }
            row.push_back(std::move(cell));
        }
        t.add_row(std::move(row));
    }
    return t.render();
}

bool is_object_array(const json& v) {
    return v.is_array() && !v.empty() && v.front().is_object();
}

// KEY/VALUE rows of an object; nested objects are flattened ("rates.bytes_in"),
// arrays of objects are returned in `nested` to be shown as tables below.
void flatten(const json& obj, const std::string& prefix, text_table& t,
             std::vector<std::pair<std::string, const json*>>& nested) {
    std::vector<std::string> keys;
    for (const auto& [k, _] : obj.items()) keys.push_back(k);
    for (const auto& k : display_order(std::move(keys))) {
        const json& v = obj[k];
        const std::string key = prefix.empty() ? k : prefix + "." + k;
        if (v.is_object() && !v.empty()) {
            flatten(v, key, t, nested);
        } else if (is_object_array(v)) {
            nested.emplace_back(key, &v);
        } else {
            // "created_ms" shows a formatted time: call it "created".
            const bool unit_shown = v.is_number() && ends_with(k, "_ms");
            t.add_row({unit_shown ? key.substr(0, key.size() - 3) : key, format_field(k, v)});
        }
    }
}

std::string item_text(const json& obj) {
    text_table t({"KEY", "VALUE"});
    std::vector<std::pair<std::string, const json*>> nested;
    if (obj.is_object()) {
        flatten(obj, "", t, nested);
    } else {
        t.add_row({"value", scalar(obj)});
    }
    std::string out = t.render();
    for (const auto& [key, arr] : nested) {
        out += "\n" + key + ":\n" + object_table(*arr);
    }
    return out;
}

std::string list_text(const json& body, bool truncate) {
    const json empty = json::array();
    const json& items = body.contains("items") && body["items"].is_array() ? body["items"] : empty;
    std::string out;
    if (items.empty()) {
        out = "(no items)\n";
    } else {
        out = object_table(items, truncate ? 60 : 0);
    }
    const int64_t total = body.value("total", static_cast<int64_t>(items.size()));
    const int64_t limit = std::max<int64_t>(1, body.value("limit", int64_t{50}));
    const int64_t page = body.value("page", int64_t{1});
    const int64_t pages = std::max<int64_t>(1, (total + limit - 1) / limit);
    out += "page " + std::to_string(page) + " of " + std::to_string(pages) + ", " +
           count_text(total, "item", "items") + "\n";
    return out;
}

std::string config_text(const json& body, const std::vector<std::string>& only_keys,
                        const std::string& prefix, bool& matched) {
    std::vector<std::string> changeable;
    if (body.contains("runtime_changeable") && body["runtime_changeable"].is_array()) {
        for (const auto& k : body["runtime_changeable"]) {
            if (k.is_string()) changeable.push_back(k.get<std::string>());
        }
    }
    // section.key -> value, in the server's order.
    std::vector<std::pair<std::string, const json*>> flat;
    const json& config = body.contains("config") ? body["config"] : body;
    for (const auto& [section, keys] : config.items()) {
        if (!keys.is_object()) continue;
        for (const auto& [k, v] : keys.items()) flat.emplace_back(section + "." + k, &v);
    }
    if (!only_keys.empty()) {
        // config set: the keys it set, in the order they were given.
        std::vector<std::pair<std::string, const json*>> picked;
        for (const auto& key : only_keys) {
            for (const auto& e : flat) {
                if (e.first == key) picked.push_back(e);
            }
        }
        flat = std::move(picked);
    }
    text_table t({"KEY", "VALUE", "RUNTIME_CHANGEABLE"});
    for (const auto& [full, value] : flat) {
        if (!prefix.empty() && full != prefix && full.rfind(prefix + ".", 0) != 0) continue;
        const json& v = *value;
        const bool can = std::find(changeable.begin(), changeable.end(), full) != changeable.end();
        // Config values are shown as written in TOML (a duration key is a number).
        std::string text = v.is_string()    ? v.get<std::string>()
                           : v.is_boolean() ? (v.get<bool>() ? "true" : "false")
                                            : v.dump();
        t.add_row({full, text, can ? "yes" : "no"});
    }
    matched = t.rows() > 0;
    return t.render();
}

// A string or number member of `o` as a cell; "-" when absent, null or "".
std::string cell(const json& o, const char* key) {
    if (!o.is_object() || !o.contains(key)) return "-";
    const json& v = o[key];
    if (v.is_string() && v.get<std::string>().empty()) return "-";
    return scalar(v);
}

// "orders:0,1 audit:3" from [{"topic","partitions":[...]}].
std::string assignment_text(const json& assignment) {
    std::string out;
    if (!assignment.is_array()) return "-";
    for (const auto& t : assignment) {
        if (!t.is_object()) continue;
        if (!out.empty()) out += " ";
        out += t.value("topic", std::string("?")) + ":";
        std::string parts;
        if (t.contains("partitions") && t["partitions"].is_array()) {
            for (const auto& p : t["partitions"]) {
                if (!parts.empty()) parts += ",";
                parts += scalar(p);
            }
        }
        out += parts;
    }
    return out.empty() ? "-" : out;
}

// group describe: the summary, the members with their assignments, and one
// row per partition as kafka-consumer-groups.sh --describe shows it.
std::string kafka_group_text(const json& g) {
    const json none = json::array();
    const json& members = g.contains("members") && g["members"].is_array() ? g["members"] : none;
    const json& offsets = g.contains("offsets") && g["offsets"].is_array() ? g["offsets"] : none;
    text_table head({"KEY", "VALUE"});
    for (const char* k : {"group", "tenant", "state", "protocol_type", "protocol", "generation"}) {
        head.add_row({k, cell(g, k)});
    }
    head.add_row({"members", std::to_string(members.size())});
    head.add_row({"lag", cell(g, "lag")});
    std::string out = head.render();
    // member id -> (host, client id), for the partition rows.
    std::vector<std::pair<std::string, std::pair<std::string, std::string>>> who;
    if (members.empty()) {
        out += "\nmembers: none\n";
    } else {
        text_table mt({"MEMBER-ID", "INSTANCE-ID", "CLIENT-ID", "HOST", "ASSIGNMENT"});
        for (const auto& m : members) {
            mt.add_row({cell(m, "member_id"), cell(m, "group_instance_id"), cell(m, "client_id"),
                        cell(m, "client_host"),
                        assignment_text(m.contains("assignment") ? m["assignment"] : none)});
            who.push_back({m.value("member_id", std::string()),
                           {cell(m, "client_host"), cell(m, "client_id")}});
        }
        out += "\nmembers:\n" + mt.render();
    }
    if (offsets.empty()) {
        out += "\noffsets: none committed\n";
        return out;
    }
    text_table ot({"TOPIC", "PARTITION", "CURRENT-OFFSET", "LOG-END-OFFSET", "LAG", "CONSUMER-ID",
                   "HOST", "CLIENT-ID"});
    for (const auto& o : offsets) {
        const std::string member = o.value("member_id", std::string());
        std::string host = "-", client = "-";
        for (const auto& [id, hc] : who) {
            if (!member.empty() && id == member) std::tie(host, client) = hc;
        }
        ot.add_row({cell(o, "topic"), cell(o, "partition"), cell(o, "committed_offset"),
                    cell(o, "log_end_offset"), cell(o, "lag"), cell(o, "member_id"), host, client});
    }
    out += "\noffsets:\n" + ot.render();
    return out;
}

std::string offset_reset_text(const json& r) {
    const json none = json::array();
    const json& parts =
        r.contains("partitions") && r["partitions"].is_array() ? r["partitions"] : none;
    text_table t({"TOPIC", "PARTITION", "PREVIOUS-OFFSET", "NEW-OFFSET"});
    for (const auto& p : parts) {
        t.add_row({cell(p, "topic"), cell(p, "partition"), cell(p, "previous_offset"),
                   cell(p, "new_offset")});
    }
    std::string out = t.render();
    const std::string group = r.value("group", std::string("?"));
    if (r.value("dry_run", false)) {
        out += "dry run: offsets of group " + group + " not changed (run without --dry-run)\n";
    } else {
        out += "offsets of group " + group + " reset on " +
               count_text(static_cast<int64_t>(parts.size()), "partition", "partitions") + "\n";
    }
    return out;
}

}  // namespace

std::string format_timestamp_ms(int64_t ms) {
    const std::time_t secs = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    if (localtime_r(&secs, &tm) == nullptr) return std::to_string(ms);
    char buf[64];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    std::string out = buf;
    long off = tm.tm_gmtoff;
    if (off == 0) return out + "Z";
    out += off < 0 ? '-' : '+';
    off = off < 0 ? -off : off;
    std::snprintf(buf, sizeof buf, "%02ld:%02ld", off / 3600, (off % 3600) / 60);
    return out + buf;
}

std::string field_header(const std::string& key) {
    std::string h = ends_with(key, "_ms") ? key.substr(0, key.size() - 3) : key;
    for (auto& c : h) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return h;
}

std::string format_field(const std::string& key, const json& v) {
    if (v.is_number() && ends_with(key, "_ms")) {
        const auto ms = v.get<int64_t>();
        if (is_duration_ms(key)) return ms == 0 ? "-" : format_duration_ms(ms);
        if (ms == 0) return key.rfind("expires", 0) == 0 ? "never" : "-";
        return format_timestamp_ms(ms);
    }
    if (v.is_number_integer() && key == "uptime_s") {
        return format_duration_ms(v.get<int64_t>() * 1000);
    }
    if (v.is_number_integer() && key == "protocol_version") {
        switch (v.get<int>()) {
            case 3:
                return "3.1";
            case 4:
                return "3.1.1";
            case 5:
                return "5";
            default:
                break;
        }
    }
    if (v.is_array()) {
        std::string out;
        for (const auto& e : v) {
            if (!out.empty()) out += ",";
            out += e.is_structured() ? e.dump() : scalar(e);
        }
        return out;
    }
    if (v.is_object()) return v.dump();
    return scalar(v);
}

rendered render_success(const admin_call& call, const std::string& body, output_format format) {
    rendered r;
    json j;
    if (!body.empty()) {
        j = json::parse(body, nullptr, false);
        if (j.is_discarded()) {
            // Not JSON: show it as the server sent it.
            r.out = body;
            if (r.out.back() != '\n') r.out += '\n';
            return r;
        }
    }
    if (format == output_format::json_text) {
        if (!body.empty()) r.out = j.dump(2) + "\n";
        if (call.view == view_kind::config && !call.config_key.empty()) {
            bool matched = false;
            (void)config_text(j, {}, call.config_key, matched);
            if (!matched) {
                r.err = "error: no configuration key matches '" + call.config_key + "'\n";
                r.exit = 1;
                r.out.clear();
            }
        }
        return r;
    }
    switch (call.view) {
        case view_kind::list:
            r.out = list_text(j, /*truncate=*/true);
            break;
        case view_kind::item:
            r.out = item_text(j);
            break;
        case view_kind::done:
            r.out = call.done_message + "\n";
            break;
        case view_kind::cluster: {
            r.out = "cluster: " + j.value("cluster", std::string("-")) + "\n";
            if (j.contains("nodes") && j["nodes"].is_array()) r.out += object_table(j["nodes"]);
            break;
        }
        case view_kind::overview:
            r.out = item_text(j);
            break;
        case view_kind::history: {
            r.out = "interval: " + std::to_string(j.value("interval_s", 0)) + "s\n";
            if (j.contains("points") && j["points"].is_array() && !j["points"].empty()) {
                r.out += object_table(j["points"]);
            } else {
                r.out += "(no points yet)\n";
            }
            break;
        }
        case view_kind::config: {
            std::vector<std::string> only;
            if (call.req.method == "PATCH" && call.req.body) {
                for (const auto& [k, _] : call.req.body->items()) only.push_back(k);
            }
            bool matched = false;
            r.out = config_text(j, only, call.config_key, matched);
            if (!matched && !call.config_key.empty()) {
                r.out.clear();
                r.err = "error: no configuration key matches '" + call.config_key + "'\n";
                r.exit = 1;
            }
            break;
        }
        case view_kind::acl_check: {
            const bool allowed = j.value("allowed", false);
            r.out = std::string(allowed ? "allowed" : "denied") +
                    (j.value("superuser", false) ? " (superuser)" : "") + "\n";
            break;
        }
        case view_kind::login: {
            r.out = "login ok: " + j.value("username", std::string("?"));
            if (j.contains("expires_at_ms") && j["expires_at_ms"].is_number()) {
                r.out +=
                    ", token valid until " + format_timestamp_ms(j["expires_at_ms"].get<int64_t>());
            }
            r.out += " (--output json prints the token)\n";
            break;
        }
        case view_kind::group:
            r.out = kafka_group_text(j);
            break;
        case view_kind::offsets:
            r.out = offset_reset_text(j);
            break;
        case view_kind::health: {
            const auto probe = call.req.path.substr(call.req.path.rfind('/') + 1);
            r.out = probe + ": " + j.value("status", std::string("?")) + "\n";
            break;
        }
    }
    return r;
}

std::string render_error(int status, const std::string& body, const std::string& retry_after) {
    std::string line = "error: " + std::to_string(status);
    const json j = json::parse(body, nullptr, false);
    if (!j.is_discarded() && j.is_object() && j.contains("error") && j["error"].is_object()) {
        const auto& e = j["error"];
        line += " " + e.value("code", std::string("error")) + ": ";
        const std::string field = e.value("field", std::string());
        if (!field.empty()) line += field + ": ";
        line += e.value("message", std::string());
    } else if (!body.empty()) {
        std::string first = body.substr(0, body.find('\n'));
        if (first.size() > 200) first = first.substr(0, 200) + "...";
        line += ": " + first;
    }
    if (!retry_after.empty()) line += " (retry after " + retry_after + " s)";
    return line + "\n";
}

}  // namespace robust::ctl
