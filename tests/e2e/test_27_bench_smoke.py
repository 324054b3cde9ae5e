"""`robustctl bench mqtt` and `robustctl bench kafka` against the real server: smoke tests.

They run the benchmarks briefly and check only that they run and report (the JSON keys of
docs/cli.md, messages received, none lost at QoS 1, every produced record acknowledged
and consumed) — never a timed pass/fail, so a slow CI machine cannot fail them. The
measurements themselves are for people (docs/cli.md).

The binary: $ROBUSTCTL, else <build>/robustctl/robustctl beside
$ROBUST_SERVER=<build>/broker/main/robust-server. The MQTT tests also run under
E2E_BROKER=mosquitto; the Kafka test is skipped there (no Kafka listener).
"""

from __future__ import annotations

import json
import subprocess

import pytest

import harness
import kafka_util as K
from harness import unique
from test_17_robustctl import clean_env, robustctl_binary

PERCENTILES = {"count", "min", "mean", "p50", "p90", "p99", "p99_9", "max"}
REPORT_KEYS = {"mode", "broker", "config", "connections", "connect_latency_us", "elapsed_s",
               "sent", "acked", "refused", "received", "expected", "lost", "errors",
               "first_error", "throughput", "latency_us", "latency_note", "pings", "pongs",
               "broker_rss_kb"}


KAFKA_REPORT_KEYS = {"mode", "broker", "topic", "config", "connections", "elapsed_s",
                     "requests", "sent", "acked", "failed", "consumed", "bytes", "errors",
                     "error_codes", "first_error", "throughput", "latency_us", "latency_note",
                     "stopped_by"}


def bench(broker, *args, timeout=60):
    r = subprocess.run([robustctl_binary(), "bench", "mqtt", *args, "-p", str(broker.port),
                        "--output", "json"],
                       capture_output=True, text=True, timeout=timeout, env=clean_env())
    assert r.returncode == 0, f"exit {r.returncode}\nstdout: {r.stdout}\nstderr: {r.stderr}"
    report = json.loads(r.stdout)
    assert REPORT_KEYS <= report.keys(), f"missing {REPORT_KEYS - report.keys()}"
    return report, r.stderr


def test_pubsub_qos1_reports_and_loses_nothing(broker):
    # At a modest rate: flat out, a subscriber falls behind and the broker drops what
    # exceeds its queue (mqtt.max_queued_messages, like mosquitto) - a real loss the
    # report shows, but not what this test is about.
    report, err = bench(broker, "pubsub", "--duration", "2s", "-c", "4", "-q", "1",
                        "-r", "1000", "--client-prefix", "smoke-ps-")
    assert report["mode"] == "pubsub"
    assert report["connections"]["connected"] == 8
    assert report["sent"] > 0
    assert report["received"] > 0
    assert report["expected"] == report["sent"]  # 4 pairs: one subscriber per topic
    assert report["lost"] == 0
    assert report["errors"] == 0, report["first_error"]
    assert report["acked"] == report["sent"]
    assert PERCENTILES <= report["latency_us"].keys()
    assert report["latency_us"]["count"] > 0
    assert {"sent_msgs_per_s", "sent_mb_per_s", "received_msgs_per_s",
            "received_mb_per_s"} <= report["throughput"].keys()
    assert "publishing: sent" in err  # the progress line


def test_conn_200_holds_and_reports(broker):
    report, _ = bench(broker, "conn", "-c", "200", "--duration", "1s",
                      "--client-prefix", "smoke-c-")
    assert report["mode"] == "conn"
    assert report["connections"]["requested"] == 200
    assert report["connections"]["connected"] == 200
    assert report["connections"]["rate_per_s"] > 0
    assert report["connect_latency_us"]["count"] == 200
    assert PERCENTILES <= report["connect_latency_us"].keys()
    assert report["errors"] == 0, report["first_error"]
    assert report["latency_us"] is None


def test_conn_from_several_source_addresses(broker):
    # How 100,000 loopback connections get past one address's ~64k ports.
    report, _ = bench(broker, "conn", "-c", "20", "--duration", "500ms",
                      "--source", "127.0.0.2,127.0.0.3", "--client-prefix", "smoke-src-")
    assert report["connections"]["connected"] == 20
    assert report["config"]["source_addresses"] == ["127.0.0.2", "127.0.0.3"]
    assert report["errors"] == 0, report["first_error"]


def test_pub_retained_over_numbered_topics(broker):
    prefix = unique("smoke-ret")
    report, _ = bench(broker, "pub", "-q", "1", "--retain", "-t", prefix + "/%n",
                      "--topics", "50", "--count", "50", "--client-prefix", "smoke-r-")
    assert report["acked"] == 50
    assert report["config"]["retain"] is True and report["config"]["topics"] == 50
    sub = harness.Client(broker)
    sub.subscribe(prefix + "/#", qos=1)
    got = sub.expect(50)
    assert all(m.retain for m in got)
    assert sorted(m.topic for m in got) == sorted(f"{prefix}/{n}" for n in range(50))


def test_small_payload_reports_why_no_latency(broker):
    report, _ = bench(broker, "pubsub", "--count", "100", "-s", "4", "-q", "1",
                      "--client-prefix", "smoke-s-")
    assert report["received"] == 100
    assert report["lost"] == 0
    assert report["latency_us"] is None
    assert "--size 8" in report["latency_note"]


def kafka_bench(broker, *args, timeout=60):
    r = subprocess.run([robustctl_binary(), "bench", "kafka", *args,
                        "--bootstrap", broker.kafka_bootstrap, "--output", "json"],
                       capture_output=True, text=True, timeout=timeout, env=clean_env())
    assert r.returncode == 0, f"exit {r.returncode}\nstdout: {r.stdout}\nstderr: {r.stderr}"
    report = json.loads(r.stdout)
    assert KAFKA_REPORT_KEYS <= report.keys(), f"missing {KAFKA_REPORT_KEYS - report.keys()}"
    return report, r.stderr


@pytest.mark.skipif(harness.IS_MOSQUITTO, reason="mosquitto has no Kafka listener")
def test_kafka_produce_then_consume_the_same_records(broker):
    topic = unique("kbench")
    # 2 clients x 150 records in batches of 40 (the last one short), lz4, acks=all,
    # round robin over 3 partitions that the bench creates.
    report, _ = kafka_bench(broker, "produce", "-t", topic, "--partitions", "3", "-c", "2",
                            "--count", "150", "--batch", "40", "--compression", "lz4",
                            "--acks", "all", "-s", "100")
    assert report["mode"] == "produce"
    assert report["topic"] == {"name": topic, "partitions": 3, "created": True}
    assert report["connections"]["connected"] == 2
    assert report["sent"] == 300
    assert report["acked"] == 300
    assert report["failed"] == 0
    assert report["errors"] == 0, report["first_error"]
    assert report["error_codes"] == {}
    assert report["requests"] == 8  # 4 batches per client
    assert report["latency_us"]["count"] == 8
    assert report["stopped_by"] == "count"

    report, _ = kafka_bench(broker, "consume", "-t", topic, "-c", "2", "--count", "300")
    assert report["mode"] == "consume"
    assert report["topic"]["partitions"] == 3
    assert report["consumed"] == 300
    assert report["bytes"] == 300 * 100
    assert report["errors"] == 0, report["first_error"]
    assert report["stopped_by"] == "count"
    assert report["latency_us"] is None and report["latency_note"]

    # A third-party consumer reads the same records: 100-byte values.
    if K.have_kcat():
        out = K.kcat(broker, "-C", "-t", topic, "-e", "-q", "-f", "%S\n").stdout.split()
        assert len(out) == 300 and set(out) == {"100"}
