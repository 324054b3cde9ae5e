"""Prometheus metrics of the real server (docs/metrics.md): /metrics after MQTT
traffic is accepted by Prometheus' own checker (promtool from Debian's
`prometheus` package) and the counters move with what the clients did."""

import re
import shutil
import subprocess
import time
import urllib.request

import pytest

import raw_mqtt as R
from admin_client import Admin
from harness import unique
from raw_mqtt import V5, V311

pytestmark = pytest.mark.robust_only

SAMPLE_RE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)$')


def scrape(broker) -> str:
    with urllib.request.urlopen(f"http://{broker.host}:{broker.http_port}/metrics",
                                timeout=10) as r:
        assert r.status == 200
        assert r.headers["Content-Type"].startswith("text/plain")
        return r.read().decode()


def samples(text):
    """{(name, frozenset of label pairs): value}"""
    out = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = SAMPLE_RE.match(line)
        assert m, f"not a sample line: {line!r}"
        labels = frozenset(re.findall(r'(\w+)="([^"]*)"', m.group(2) or ""))
        out[(m.group(1), labels)] = float(m.group(3))
    return out


def value(s, name, **labels):
    return s.get((name, frozenset(labels.items())), 0.0)


def test_scrape_passes_promtool(broker):
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.skip("promtool not installed (apt-get install prometheus)")
    c = R.RawClient(broker, version=V5)
    c.connect(unique())
    c.publish("m/x", b"1", qos=1)
    r = subprocess.run([promtool, "check", "metrics"], input=scrape(broker), text=True,
                       capture_output=True, timeout=30)
    assert r.returncode == 0, r.stdout + r.stderr


def test_counters_follow_the_traffic(broker):
    before = samples(scrape(broker))
    sub = R.RawClient(broker, version=V5)
    sub.connect(unique())
    sub.subscribe("m/#", qos=1)
    pub = R.RawClient(broker, version=V311)
    pub.connect(unique())
    for i in range(5):
        pub.publish("m/a", b"x" * 10, qos=1)
    pub.publish("m/a", b"zero", qos=0)
    pub.publish("nobody/listens", b"lost", qos=0)
    for _ in range(6):
        p = sub.expect(R.PUBLISH)
        if p.qos:
            sub.send(R.puback(p.pid, V5))
    sub.send(R.pingreq())  # answered after the PUBACKs were handled
    sub.expect(R.PINGRESP)
    refused = R.RawClient(broker, version=V5)
    refused.connect(unique(), username="nobody", password=b"wrong-password",
                    expect_reason=0x86)
    refused.expect_closed()

    # The gauge drops once the server has let go of the refused connection,
    # a moment after the client saw it closed.
    deadline = time.monotonic() + 5
    while True:
        after = samples(scrape(broker))
        live = value(after, "robustmq_connections", protocol="mqtt", listener="mqtt-tcp")
        if live == 2 or time.monotonic() > deadline:
            break
        time.sleep(0.05)

    def grew(name, by, **labels):
        d = value(after, name, **labels) - value(before, name, **labels)
        assert d == by, f"{name}{labels} grew by {d}, expected {by}"

    grew("robustmq_messages_received_total", 5, protocol="mqtt", qos="1")
    grew("robustmq_messages_received_total", 2, protocol="mqtt", qos="0")
    grew("robustmq_messages_sent_total", 5, protocol="mqtt", qos="1")
    grew("robustmq_messages_sent_total", 1, protocol="mqtt", qos="0")
    grew("robustmq_messages_dropped_total", 1, protocol="mqtt", reason="no_subscriber")
    grew("robustmq_packets_received_total", 5, protocol="mqtt", type="puback")
    grew("robustmq_packets_sent_total", 5, protocol="mqtt", type="puback")
    grew("robustmq_packets_received_total", 1, protocol="mqtt", type="subscribe")
    grew("robustmq_connections_refused_total", 1, protocol="mqtt")
    grew("robustmq_auth_total", 1, result="bad_credentials")
    assert value(after, "robustmq_connections", protocol="mqtt", listener="mqtt-tcp") == 2
    assert value(after, "robustmq_subscriptions", protocol="mqtt") == 1
    assert value(after, "robustmq_topics", protocol="mqtt") >= 2  # m/a and nobody/listens were recorded
    assert value(after, "robustmq_process_resident_memory_bytes") > 1e6
    assert value(after, "robustmq_journal_appends_total", engine="rocksdb") > 0


def test_metrics_can_require_a_login(broker_factory, monkeypatch):
    monkeypatch.setenv("ROBUSTMQ_HTTP_PUBLIC_METRICS", "false")
    broker = broker_factory()
    admin = Admin(broker)
    status, _ = admin.call("GET", "/metrics", auth=False)
    assert status == 401
    status, body = admin.call("GET", "/metrics")
    assert status == 200 and "robustmq_connections" in body


def test_kafka_metrics_follow_the_traffic(broker):
    import kafka_util as K
    K.require_kcat()
    topic = unique("km")
    K.kcat(broker, "-P", "-t", topic, input="".join(f"r{i}\n" for i in range(7)))
    out = K.kcat(broker, "-C", "-t", topic, "-e", "-o", "beginning", "-f", "%s\n").stdout
    assert out.splitlines() == [f"r{i}" for i in range(7)]
    s = samples(scrape(broker))
    assert value(s, "robustmq_kafka_produce_records_total") == 7
    assert value(s, "robustmq_kafka_produce_bytes_total") > 7 * 2
    assert value(s, "robustmq_kafka_fetch_bytes_total") >= value(
        s, "robustmq_kafka_produce_bytes_total")
    assert value(s, "robustmq_kafka_requests_total", api="Produce") >= 1
    assert value(s, "robustmq_kafka_requests_total", api="Metadata") >= 2
    assert value(s, "robustmq_kafka_requests_total", api="Fetch") >= 1
    assert value(s, "robustmq_kafka_requests_total", api="ApiVersions") >= 2
    # The listener has its connections series even with no client connected.
    assert ("robustmq_connections",
            frozenset({("protocol", "kafka"), ("listener", "kafka")})) in s
