"""The real Prometheus (Debian's `prometheus` package) scrapes a real
robust-server with the scrape job of grafana/prometheus.yml and the rules of
grafana/alerts.yml: robustmq_ series follow what MQTT clients do, every
Grafana dashboard query runs and the overview's have data, the alert rules
evaluate, and RobustMQDown goes pending when the broker stops
(docs/monitoring.md). Skipped when `prometheus` is not installed."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
import yaml

import harness
from harness import unique

pytestmark = pytest.mark.robust_only

REPO = Path(__file__).resolve().parents[2]
GRAFANA = REPO / "grafana"
sys.path.insert(0, str(GRAFANA / "tests"))
import grafana_check  # noqa: E402

PROMETHEUS = shutil.which("prometheus")
SCRAPE_S = 1
WAIT_S = 20


class Prometheus:
    """A prometheus process on a free loopback port with its own TSDB dir,
    scraping `target` every second with grafana/prometheus.yml's robustmq job
    and evaluating grafana/alerts.yml."""

    def __init__(self, workdir: Path, target: str):
        shipped = yaml.safe_load((GRAFANA / "prometheus.yml").read_text())
        job = next(j for j in shipped["scrape_configs"] if j["job_name"] == "robustmq")
        job.update(scrape_interval=f"{SCRAPE_S}s", scrape_timeout=f"{SCRAPE_S}s",
                   static_configs=[{"targets": [target]}])
        config = {
            "global": {"scrape_interval": f"{SCRAPE_S}s", "evaluation_interval": f"{SCRAPE_S}s"},
            "rule_files": [str(GRAFANA / "alerts.yml")],
            "scrape_configs": [job],
        }
        self.config = workdir / "prometheus.yml"
        self.config.write_text(yaml.safe_dump(config))
        self.log_path = workdir / "prometheus.log"
        self.port = harness.free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            [PROMETHEUS, f"--config.file={self.config}",
             f"--storage.tsdb.path={workdir / 'tsdb'}",
             f"--web.listen-address=127.0.0.1:{self.port}", "--log.level=info"],
            stdin=subprocess.DEVNULL, stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True)
        deadline = time.monotonic() + WAIT_S
        while True:
            if self.proc.poll() is not None:
                raise AssertionError(f"prometheus exited with {self.proc.returncode}\n"
                                     + self.log_tail())
            try:
                with urllib.request.urlopen(self.base + "/-/ready", timeout=2) as r:
                    if r.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError):
                pass
            if time.monotonic() > deadline:
                raise AssertionError("prometheus not ready\n" + self.log_tail())
            time.sleep(0.1)

    def log_tail(self, lines=40):
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def api(self, path, **params):
        url = f"{self.base}/api/v1/{path}"
        if params:
            url += "?" + urllib.parse.urlencode(params)
        try:
            with urllib.request.urlopen(url, timeout=10) as r:
                body = json.load(r)
        except urllib.error.HTTPError as e:
            body = json.load(e)
        assert body["status"] == "success", f"{path} {params}: {body}"
        return body["data"]

    def query(self, promql):
        """The instant vector (or scalar) of a query: [(labels, value)]."""
        data = self.api("query", query=promql)
        if data["resultType"] == "vector":
            return [(s["metric"], float(s["value"][1])) for s in data["result"]]
        if data["resultType"] == "scalar":
            return [({}, float(data["result"][1]))]
        raise AssertionError(f"{promql}: unexpected {data['resultType']}")

    def wait_for(self, promql, want, what=""):
        """Polls until the query's single value is `want` (or want(value) is true)."""
        deadline = time.monotonic() + WAIT_S
        seen = None
        while time.monotonic() < deadline:
            seen = self.query(promql)
            if len(seen) == 1 and (want(seen[0][1]) if callable(want) else seen[0][1] == want):
                return seen[0]
            time.sleep(0.2)
        raise AssertionError(f"{what or promql}: wanted {want}, last saw {seen}\n"
                             + self.log_tail())

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


@pytest.fixture
def prometheus(broker, tmp_path):
    if PROMETHEUS is None:
        pytest.skip("prometheus not installed (apt-get install prometheus)")
    p = Prometheus(tmp_path, f"{broker.host}:{broker.http_port}")
    yield p
    p.stop()


def mqtt_series(name, **labels):
    labels = {"job": "robustmq", "protocol": "mqtt", **labels}
    return name + "{" + ",".join(f'{k}="{v}"' for k, v in labels.items()) + "}"


def test_connections_and_messages_through_prometheus(broker, prometheus):
    prometheus.wait_for('up{job="robustmq"}', 1, "the first scrape")
    [(labels, _)] = prometheus.query('robustmq_build_info{job="robustmq"}')
    assert labels["instance"] == f"{broker.host}:{broker.http_port}"
    assert labels["version"]
    conns = mqtt_series("robustmq_connections", listener="mqtt-tcp")
    prometheus.wait_for(f"sum({conns}) or vector(0)", 0, "no client yet")

    c = harness.Client(broker, version=5)
    prometheus.wait_for(conns, 1, "connections after one MQTT client connected")
    prometheus.wait_for(mqtt_series("robustmq_sessions"), 1)

    topic = unique("prom")
    sub = harness.Client(broker, version=5)
    sub.subscribe(topic, qos=1)
    prometheus.wait_for(conns, 2)
    prometheus.wait_for(mqtt_series("robustmq_subscriptions"), 1)
    for i in range(7):
        c.publish(topic, f"m{i}".encode(), qos=1)
    sub.expect(7)
    prometheus.wait_for(mqtt_series("robustmq_messages_received_total", qos="1"), 7)
    prometheus.wait_for(mqtt_series("robustmq_messages_sent_total", qos="1"), 7)
    # The QoS 1 appends went through the durable journal's group commits.
    prometheus.wait_for('robustmq_journal_appends_total{engine="rocksdb"}', lambda v: v >= 7)
    prometheus.wait_for('robustmq_journal_append_latency_seconds_count{engine="rocksdb"}',
                        lambda v: v >= 1)

    c.disconnect()
    sub.disconnect()
    prometheus.wait_for(conns, 0, "connections after both clients left")


def test_every_dashboard_query_runs(broker, prometheus):
    prometheus.wait_for('up{job="robustmq"}', 1)
    c = harness.Client(broker, version=5)
    topic = unique("dash")
    c.subscribe(topic, qos=1)
    for i in range(5):
        c.publish(topic, b"x", qos=1)
    c.expect(5)
    # Three scrapes at least, so that rate() over the test's interval has two points.
    prometheus.wait_for('count_over_time(up{job="robustmq"}[1m])', lambda v: v >= 4)

    values = {"job": "robustmq", "instance": ".+", "__rate_interval": "30s"}
    empty, ran = [], 0
    for name, d in sorted(grafana_check.load_dashboards().items()):
        for where, expr in grafana_check.dashboard_expressions(d):
            promql = grafana_check.substitute_variables(expr, values)
            result = prometheus.query(promql)  # fails on any query error
            ran += 1
            if not result:
                empty.append(f"{name} {where}: {promql}")
    print(f"{ran} queries, {len(empty)} without data:", *empty, sep="\n  ")
    assert ran >= 60
    # On a node that saw only MQTT traffic, every query has data except those
    # over series that appear with their first Kafka error or group commit.
    late = ("robustmq_kafka_errors_total", "robustmq_kafka_consumer_group_lag")
    unexpected = [e for e in empty if not any(n in e for n in late)]
    assert unexpected == [], "no data for:\n" + "\n".join(unexpected)


def test_dashboard_and_rule_metrics_are_on_the_servers_metrics(broker):
    # grafana.metric_names checks the names against the registry in-process;
    # this checks them against what the running server serves at /metrics.
    with urllib.request.urlopen(f"http://{broker.host}:{broker.http_port}/metrics",
                                timeout=10) as r:
        known = grafana_check.registry_sample_names(r.read().decode())
    exprs = list(grafana_check.rule_expressions())
    for d in grafana_check.load_dashboards().values():
        exprs += grafana_check.dashboard_expressions(d)
    assert len(exprs) > 90
    assert grafana_check.unknown_metrics(exprs, known) == []
    assert grafana_check.unknown_metrics([("x", "robustmq_nonexistent")], known) != []


def test_alert_rules_evaluate_and_broker_down_fires(broker, prometheus):
    prometheus.wait_for('up{job="robustmq"}', 1)
    rule_names = {name.split(" ", 1)[1] for name, _ in grafana_check.rule_expressions()}

    deadline = time.monotonic() + WAIT_S
    while True:
        rules = [r for g in prometheus.api("rules")["groups"] for r in g["rules"]]
        evaluated = [r for r in rules if not r["lastEvaluation"].startswith("0001")]
        if len(evaluated) == len(rules) == len(rule_names):
            break
        assert time.monotonic() < deadline, f"rules not evaluated: {rules}"
        time.sleep(0.2)
    assert {r["name"] for r in rules} == rule_names
    for r in rules:
        assert r["health"] == "ok", r
    # Nothing is wrong with a fresh broker. (An alert with a `for` may be
    # pending on a loaded machine, e.g. journal latency; none may fire.)
    alerts = prometheus.api("alerts")["alerts"]
    assert [a for a in alerts if a["state"] == "firing"] == []
    assert not [a for a in alerts if a["labels"]["alertname"] == "RobustMQDown"]

    broker.stop()
    instance = f"{broker.host}:{broker.http_port}"
    deadline = time.monotonic() + WAIT_S
    while True:
        alerts = prometheus.api("alerts")["alerts"]
        down = [a for a in alerts if a["labels"]["alertname"] == "RobustMQDown"]
        if down:
            break
        assert time.monotonic() < deadline, f"RobustMQDown not pending: {alerts}"
        time.sleep(0.2)
    [a] = down
    assert a["state"] == "pending"  # for: 1m
    assert a["labels"]["instance"] == instance and a["labels"]["severity"] == "critical"
    assert a["annotations"]["summary"] == f"robust-server {instance} is down"
