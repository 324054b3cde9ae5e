#!/usr/bin/env python3
"""Writes the Grafana dashboards in grafana/dashboards/*.json.

The JSON files are committed (they are what operators import); this script is
their source, so that five dashboards share one layout, one set of template
variables and one way of writing selectors. Edit here, run

    python3 grafana/generate_dashboards.py

and commit both. `grafana/tests/test_dashboards.py` fails when a JSON file
differs from what this script writes, when a panel names a metric that
broker/metrics does not define, or when a panel is malformed.

Every panel queries the data source chosen in the `datasource` variable and
filters on `job` and `instance` (label values of robustmq_build_info), so one
dashboard serves a single node and a cluster.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "dashboards"

DS = {"type": "prometheus", "uid": "${datasource}"}
# Every robustmq_* selector carries this.
SEL = 'job=~"$job", instance=~"$instance"'
RI = "$__rate_interval"
SCHEMA_VERSION = 39


def sel(extra: str = "") -> str:
    return "{" + SEL + (", " + extra if extra else "") + "}"


def target(expr: str, legend: str = "", ref: str = "A", instant: bool = False) -> dict:
    t = {"datasource": DS, "refId": ref, "expr": expr, "legendFormat": legend or "__auto",
         "range": not instant, "instant": instant}
    return t


def targets(*pairs, instant=False):
    return [target(e, l, chr(ord("A") + i), instant) for i, (e, l) in enumerate(pairs)]


def timeseries(title, tgts, unit="short", desc="", w=12, h=8, stack=False, min0=True):
    defaults = {
        "unit": unit,
        "color": {"mode": "palette-classic"},
        "custom": {
            "drawStyle": "line", "lineWidth": 1, "fillOpacity": 10, "showPoints": "never",
            "spanNulls": False,
            "stacking": {"mode": "normal" if stack else "none", "group": "A"},
        },
    }
    if min0:
        defaults["min"] = 0
    return {
        "type": "timeseries", "title": title, "description": desc, "datasource": DS,
        "targets": tgts, "_w": w, "_h": h,
        "fieldConfig": {"defaults": defaults, "overrides": []},
        "options": {
            "legend": {"displayMode": "list", "placement": "bottom", "showLegend": True},
            "tooltip": {"mode": "multi", "sort": "desc"},
        },
    }


def stat(title, expr, unit="short", desc="", legend="", w=4, h=4, thresholds=None,
         mappings=None):
    steps = thresholds or [{"color": "green", "value": None}]
    return {
        "type": "stat", "title": title, "description": desc, "datasource": DS,
        "targets": [target(expr, legend, instant=True)], "_w": w, "_h": h,
        "fieldConfig": {"defaults": {
            "unit": unit, "mappings": mappings or [],
            "thresholds": {"mode": "absolute", "steps": steps},
        }, "overrides": []},
        "options": {
            "reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
            "colorMode": "value", "graphMode": "area", "justifyMode": "auto",
            "orientation": "auto", "textMode": "auto",
        },
    }


def heatmap(title, expr, desc="", w=12, h=8):
    return {
        "type": "heatmap", "title": title, "description": desc, "datasource": DS,
        "targets": [dict(target(expr, "{{le}}"), format="heatmap")], "_w": w, "_h": h,
        "fieldConfig": {"defaults": {}, "overrides": []},
        "options": {
            "calculate": False, "cellGap": 1, "yAxis": {"unit": "s"},
            "color": {"mode": "scheme", "scheme": "Oranges", "steps": 64},
            "tooltip": {"show": True, "yHistogram": False}, "legend": {"show": True},
        },
    }


def table(title, tgts, desc="", w=24, h=6, hide=(), rename=None, units=None):
    """One row per series, the instant queries merged on their common labels;
    a query's value column is "Value #<refId>" (renamed by `rename`)."""
    rename = rename or {}
    return {
        "type": "table", "title": title, "description": desc, "datasource": DS,
        "targets": [dict(t, format="table") for t in tgts], "_w": w, "_h": h,
        "fieldConfig": {"defaults": {}, "overrides": [
            {"matcher": {"id": "byName", "options": rename.get(col, col)},
             "properties": [{"id": "unit", "value": unit}]}
            for col, unit in (units or {}).items()]},
        "options": {"showHeader": True},
        "transformations": [
            {"id": "merge", "options": {}},
            {"id": "organize", "options": {
                "excludeByName": {"Time": True, "__name__": True, **{c: True for c in hide}},
                "renameByName": rename}},
        ],
    }


def row(title):
    return {"type": "row", "title": title, "collapsed": False, "panels": [], "_w": 24, "_h": 1}


def layout(panels):
    """Numbers the panels and places them left to right, wrapping at 24 columns."""
    x = y = row_h = 0
    out = []
    for pid, p in enumerate(panels, start=1):
        w, h = p.pop("_w"), p.pop("_h")
        if x + w > 24 or p["type"] == "row":
            x, y, row_h = 0, y + row_h, 0
        p = {"id": pid, "gridPos": {"h": h, "w": w, "x": x, "y": y}, **p}
        if not p.get("description"):
            p.pop("description", None)
        out.append(p)
        x += w
        row_h = max(row_h, h)
        if p["type"] == "row":
            x, y, row_h = 0, y + h, 0
    return out


def templating():
    def query_var(name, label, query):
        return {
            "name": name, "label": label, "type": "query", "datasource": DS,
            "definition": query,
            "query": {"query": query, "refId": "PrometheusVariableQueryEditor-VariableQuery"},
            "refresh": 2, "includeAll": True, "multi": True, "allValue": ".+",
            "current": {"selected": True, "text": ["All"], "value": ["$__all"]},
            "options": [], "sort": 1, "hide": 0, "regex": "",
        }
    return {"list": [
        {"name": "datasource", "label": "Data source", "type": "datasource",
         "query": "prometheus", "current": {}, "options": [], "refresh": 1, "hide": 0,
         "regex": "", "includeAll": False, "multi": False},
        query_var("job", "Job", "label_values(robustmq_build_info, job)"),
        query_var("instance", "Instance",
                  'label_values(robustmq_build_info{job=~"$job"}, instance)'),
    ]}


def dashboard(uid, title, description, panels):
    return {
        "__requires": [
            {"type": "grafana", "id": "grafana", "name": "Grafana", "version": "10.0.0"},
            {"type": "datasource", "id": "prometheus", "name": "Prometheus", "version": "1.0.0"},
        ],
        "uid": uid,
        "title": title,
        "description": description,
        "tags": ["robustmq"],
        "timezone": "browser",
        "editable": True,
        "graphTooltip": 1,
        "refresh": "30s",
        "time": {"from": "now-1h", "to": "now"},
        "timepicker": {},
        "schemaVersion": SCHEMA_VERSION,
        "version": 1,
        "fiscalYearStartMonth": 0,
        "liveNow": False,
        "weekStart": "",
        "id": None,
        "annotations": {"list": [{
            "builtIn": 1, "datasource": {"type": "grafana", "uid": "-- Grafana --"},
            "enable": True, "hide": True, "iconColor": "rgba(0, 211, 255, 1)",
            "name": "Annotations & Alerts", "type": "dashboard",
        }]},
        "links": [{
            "title": "RobustMQ", "type": "dashboards", "tags": ["robustmq"], "asDropdown": True,
            "includeVars": True, "keepTime": True, "icon": "external link", "targetBlank": False,
            "tooltip": "", "url": "",
        }],
        "templating": templating(),
        "panels": layout(panels),
    }


UP_MAPPING = [{"type": "value", "options": {
    "0": {"text": "DOWN", "color": "red"}, "1": {"text": "UP", "color": "green"}}}]


ROCKS = sel('engine="rocksdb"')
KAFKA = sel('protocol="kafka"')


def overview():
    return dashboard("robustmq-overview", "RobustMQ / Overview",
                     "Health and traffic of every robust-server node at a glance.", [
        stat("Nodes up", f'sum(up{{{SEL}}})', desc="Targets of the selected jobs that "
             "answered the last scrape (Prometheus' own `up`).",
             thresholds=[{"color": "red", "value": None}, {"color": "green", "value": 1}]),
        stat("Connections", f"sum(robustmq_connections{sel()})",
             desc="Live client connections, all protocols and listeners."),
        stat("Sessions", f"sum(robustmq_sessions{sel()})"),
        stat("Subscriptions", f"sum(robustmq_subscriptions{sel()})"),
        stat("Topics", f"max(robustmq_topics{sel()})",
             desc="Topics recorded in the meta store (shared by a cluster: max, not sum)."),
        stat("Retained messages", f"max(robustmq_retained_messages{sel()})"),
        table("Nodes", targets(
            (f"robustmq_build_info{sel()}", "version"),
            (f"robustmq_uptime_seconds{sel()}", "uptime"),
            (f"up{sel()}", "up"), instant=True),
            desc="One line per node: version (robustmq_build_info), uptime and scrape state.",
            h=5, hide=("Value #A",), rename={"Value #B": "Uptime", "Value #C": "Up"},
            units={"Value #B": "s"}),
        timeseries("Connections by protocol",
                   targets((f"sum by (protocol) (robustmq_connections{sel()})", "{{protocol}}"))),
        timeseries("Messages per second", targets(
            (f"sum(rate(robustmq_messages_received_total{sel()}[{RI}]))", "in"),
            (f"sum(rate(robustmq_messages_sent_total{sel()}[{RI}]))", "out"),
            (f"sum(rate(robustmq_kafka_produce_records_total{sel()}[{RI}]))", "kafka produce")),
            unit="ops", desc="MQTT PUBLISH in and out, and records produced by Kafka clients."),
        timeseries("Network bytes per second", targets(
            (f"sum by (protocol) (rate(robustmq_bytes_received_total{sel()}[{RI}]))",
             "{{protocol}} in"),
            (f"sum by (protocol) (rate(robustmq_bytes_sent_total{sel()}[{RI}]))",
             "{{protocol}} out")), unit="Bps"),
        timeseries("Dropped messages per second", targets(
            (f"sum by (reason) (rate(robustmq_messages_dropped_total{sel()}[{RI}]))",
             "{{reason}}")), unit="ops",
            desc="no_subscriber is normal for MQTT; queue_full, expired and too_large mean "
                 "subscribers do not keep up or cannot take the message."),
        timeseries("Connections accepted / refused per second", targets(
            (f"sum by (protocol) (rate(robustmq_connections_accepted_total{sel()}[{RI}]))",
             "{{protocol}} accepted"),
            (f"sum by (protocol) (rate(robustmq_connections_refused_total{sel()}[{RI}]))",
             "{{protocol}} refused")), unit="ops"),
        timeseries("Authentication per second", targets(
            (f"sum by (result) (rate(robustmq_auth_total{sel()}[{RI}]))", "{{result}}")),
            unit="ops"),
        timeseries("Journal write latency (p99)", targets(
            ("histogram_quantile(0.99, sum by (instance, le) "
             f"(rate(robustmq_journal_append_latency_seconds_bucket{ROCKS}"
             f"[{RI}])))", "{{instance}}")), unit="s",
            desc="Group-commit write time of the durable journal, 99th percentile."),
        timeseries("CPU", targets(
            (f"rate(robustmq_process_cpu_seconds_total{sel()}[{RI}])", "{{instance}}")),
            unit="percentunit", desc="CPU seconds per second (1 = one core busy)."),
        timeseries("Resident memory", targets(
            (f"robustmq_process_resident_memory_bytes{sel()}", "{{instance}}")), unit="bytes"),
    ])


def mqtt():
    m = sel('protocol="mqtt"')
    return dashboard("robustmq-mqtt", "RobustMQ / MQTT",
                     "MQTT clients, sessions, messages and packets.", [
        row("Clients and sessions"),
        timeseries("Connections by listener", targets(
            (f"sum by (instance, listener) (robustmq_connections{m})",
             "{{instance}} {{listener}}"))),
        timeseries("Sessions and subscriptions", targets(
            (f"sum(robustmq_sessions{m})", "sessions"),
            (f"sum(robustmq_subscriptions{m})", "subscriptions"),
            (f"sum(robustmq_shared_groups{m})", "shared groups"))),
        timeseries("Connections accepted / refused per second", targets(
            (f"sum by (instance) (rate(robustmq_connections_accepted_total{m}[{RI}]))",
             "{{instance}} accepted"),
            (f"sum by (instance) (rate(robustmq_connections_refused_total{m}[{RI}]))",
             "{{instance}} refused")), unit="ops"),
        timeseries("Authentication and ACL per second", targets(
            (f"sum by (result) (rate(robustmq_auth_total{sel()}[{RI}]))", "auth {{result}}"),
            (f"sum by (action) (rate(robustmq_acl_denied_total{sel()}[{RI}]))",
             "ACL denied {{action}}")), unit="ops"),
        row("Messages"),
        timeseries("Messages received per second by QoS", targets(
            (f"sum by (qos) (rate(robustmq_messages_received_total{m}[{RI}]))", "QoS {{qos}}")),
            unit="ops", stack=True),
        timeseries("Messages sent per second by QoS", targets(
            (f"sum by (qos) (rate(robustmq_messages_sent_total{m}[{RI}]))", "QoS {{qos}}")),
            unit="ops", stack=True),
        timeseries("Dropped messages per second by reason", targets(
            (f"sum by (reason) (rate(robustmq_messages_dropped_total{m}[{RI}]))",
             "{{reason}}")), unit="ops"),
        timeseries("Bytes per second", targets(
            (f"sum(rate(robustmq_bytes_received_total{m}[{RI}]))", "in"),
            (f"sum(rate(robustmq_bytes_sent_total{m}[{RI}]))", "out")), unit="Bps"),
        timeseries("Retained messages and topics", targets(
            (f"max(robustmq_retained_messages{m})", "retained"),
            (f"max(robustmq_topics{m})", "topics"))),
        timeseries("Fan-out (messages sent per message received)", targets(
            (f"sum(rate(robustmq_messages_sent_total{m}[{RI}])) / "
             f"sum(rate(robustmq_messages_received_total{m}[{RI}]))", "fan-out")),
            desc="Average deliveries per received PUBLISH."),
        row("Packets"),
        timeseries("Packets received per second by type", targets(
            (f"sum by (type) (rate(robustmq_packets_received_total{m}[{RI}]))", "{{type}}")),
            unit="ops"),
        timeseries("Packets sent per second by type", targets(
            (f"sum by (type) (rate(robustmq_packets_sent_total{m}[{RI}]))", "{{type}}")),
            unit="ops"),
    ])


def kafka():
    return dashboard("robustmq-kafka", "RobustMQ / Kafka",
                     "Kafka requests, produce and fetch traffic, consumer groups and lag.", [
        row("Requests"),
        timeseries("Kafka connections", targets(
            (f"sum by (instance, listener) (robustmq_connections{KAFKA})",
             "{{instance}} {{listener}}"))),
        timeseries("Requests per second by API", targets(
            (f"sum by (api) (rate(robustmq_kafka_requests_total{sel()}[{RI}]))", "{{api}}")),
            unit="reqps"),
        timeseries("Errors per second by API and error", targets(
            (f"sum by (api, error) (rate(robustmq_kafka_errors_total{sel()}[{RI}]))",
             "{{api}} {{error}}")), unit="ops", w=24),
        row("Produce and fetch"),
        timeseries("Records produced per second", targets(
            (f"sum by (instance) (rate(robustmq_kafka_produce_records_total{sel()}[{RI}]))",
             "{{instance}}")), unit="ops"),
        timeseries("Produce and fetch bytes per second", targets(
            (f"sum(rate(robustmq_kafka_produce_bytes_total{sel()}[{RI}]))", "produce"),
            (f"sum(rate(robustmq_kafka_fetch_bytes_total{sel()}[{RI}]))", "fetch")),
            unit="Bps"),
        row("Consumer groups"),
        timeseries("Groups by state", targets(
            (f"sum by (state) (robustmq_kafka_groups{sel()})", "{{state}}")), stack=True),
        timeseries("Group members and rebalances", targets(
            (f"sum(robustmq_kafka_group_members{sel()})", "members"),
            (f"sum(increase(robustmq_kafka_group_rebalances_total{sel()}[{RI}]))",
             "rebalances"))),
        timeseries("Consumer group lag (records)", targets(
            (f"max by (tenant, group) (robustmq_kafka_consumer_group_lag{sel()})",
             "{{tenant}}/{{group}}")), w=24,
            desc="Records each group is behind, summed over the partitions it committed."),
    ])


def storage():
    rocks = sel('engine="rocksdb"')
    lat = f"rate(robustmq_journal_append_latency_seconds_bucket{rocks}[{RI}])"
    return dashboard("robustmq-storage", "RobustMQ / Storage and journal",
                     "The journal's group commits, RocksDB store sizes and compaction.", [
        row("Journal"),
        timeseries("Group-commit write latency (rocksdb)", targets(
            (f"histogram_quantile(0.5, sum by (le) ({lat}))", "p50"),
            (f"histogram_quantile(0.99, sum by (le) ({lat}))", "p99"),
            (f"histogram_quantile(0.999, sum by (le) ({lat}))", "p99.9")), unit="s"),
        heatmap("Write latency distribution (rocksdb)", f"sum by (le) (increase("
                f"robustmq_journal_append_latency_seconds_bucket{rocks}[{RI}]))"),
        timeseries("Appends and records per second", targets(
            (f"sum by (engine) (rate(robustmq_journal_appends_total{sel()}[{RI}]))",
             "{{engine}} appends"),
            (f"sum by (engine) (rate(robustmq_journal_appended_records_total{sel()}[{RI}]))",
             "{{engine}} records")), unit="ops"),
        timeseries("Bytes appended per second", targets(
            (f"sum by (engine) (rate(robustmq_journal_appended_bytes_total{sel()}[{RI}]))",
             "{{engine}}")), unit="Bps"),
        timeseries("Records per group commit", targets(
            (f"sum by (engine) (rate(robustmq_journal_batch_records_sum{sel()}[{RI}])) / "
             f"sum by (engine) (rate(robustmq_journal_batch_records_count{sel()}[{RI}]))",
             "{{engine}} average"),
            ("histogram_quantile(0.99, sum by (engine, le) "
             f"(rate(robustmq_journal_batch_records_bucket{sel()}[{RI}])))",
             "{{engine}} p99")),
            desc="How many appends share one write: high under load is good."),
        timeseries("Failed appends per second", targets(
            (f"sum by (instance, engine) "
             f"(rate(robustmq_journal_failed_appends_total{sel()}[{RI}]))",
             "{{instance}} {{engine}}")), unit="ops",
            desc="Appends answered with io_error: a write to disk failed (disk full, I/O "
                 "error). Should always be 0."),
        row("RocksDB stores"),
        timeseries("Store size", targets(
            (f"robustmq_storage_size_bytes{sel()}", "{{instance}} {{store}}")), unit="bytes"),
        timeseries("Pending compaction bytes", targets(
            (f"robustmq_storage_pending_compaction_bytes{sel()}", "{{instance}} {{store}}")),
            unit="bytes", desc="Steady growth means compaction cannot keep up with writes."),
        row("Data directory disk"),
        timeseries("Free space on the data directory's file system", targets(
            (f"robustmq_storage_disk_available_bytes{sel()} / "
             f"robustmq_storage_disk_size_bytes{sel()}", "{{instance}}")), unit="percentunit",
            desc="Below 10% RobustMQDiskSpaceLow fires; when it is full, journal appends fail."),
        timeseries("Available bytes", targets(
            (f"robustmq_storage_disk_available_bytes{sel()}", "{{instance}} available"),
            (f"robustmq_storage_disk_size_bytes{sel()}", "{{instance}} size")), unit="bytes"),
    ])


def process():
    return dashboard("robustmq-process", "RobustMQ / Process",
                     "CPU, memory, file descriptors and threads of robust-server.", [
        stat("Uptime", f"min(robustmq_uptime_seconds{sel()})", unit="s",
             desc="Shortest uptime of the selected nodes."),
        stat("Version", f"count by (version) (robustmq_build_info{sel()})", legend="{{version}}",
             desc="Nodes per running version."),
        stat("Started", f"max(robustmq_process_start_time_seconds{sel()}) * 1000",
             unit="dateTimeFromNow", desc="Most recent process start."),
        stat("Threads", f"sum(robustmq_process_threads{sel()})"),
        stat("Open files", f"sum(robustmq_process_open_fds{sel()})"),
        stat("FD usage", f"max(robustmq_process_open_fds{sel()} / "
             f"robustmq_process_max_fds{sel()})", unit="percentunit",
             thresholds=[{"color": "green", "value": None}, {"color": "orange", "value": 0.7},
                         {"color": "red", "value": 0.9}]),
        timeseries("CPU", targets(
            (f"rate(robustmq_process_cpu_seconds_total{sel()}[{RI}])", "{{instance}}")),
            unit="percentunit", desc="CPU seconds per second (1 = one core busy)."),
        timeseries("Memory", targets(
            (f"robustmq_process_resident_memory_bytes{sel()}", "{{instance}} resident"),
            (f"robustmq_process_virtual_memory_bytes{sel()}", "{{instance}} virtual")),
            unit="bytes"),
        timeseries("File descriptors", targets(
            (f"robustmq_process_open_fds{sel()}", "{{instance}} open"),
            (f"robustmq_process_max_fds{sel()}", "{{instance}} limit"))),
        timeseries("Threads", targets(
            (f"robustmq_process_threads{sel()}", "{{instance}}"))),
    ])


DASHBOARDS = {
    "robustmq-overview.json": overview,
    "robustmq-mqtt.json": mqtt,
    "robustmq-kafka.json": kafka,
    "robustmq-storage.json": storage,
    "robustmq-process.json": process,
}


def render() -> dict[str, str]:
    return {name: json.dumps(make(), indent=2) + "\n" for name, make in DASHBOARDS.items()}


def main():
    OUT.mkdir(exist_ok=True)
    for name, text in render().items():
        (OUT / name).write_text(text)
        print(f"wrote {OUT / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
