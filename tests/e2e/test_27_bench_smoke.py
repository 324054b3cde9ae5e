"""`robustctl bench mqtt` against the real server: a smoke test.

It runs the benchmark briefly and checks only that it runs and reports (the JSON keys of
docs/cli.md, messages received, none lost at QoS 1) — never a timed pass/fail, so a slow
CI machine cannot fail it. The measurements themselves are for people (docs/cli.md).

The binary: $ROBUSTCTL, else <build>/robustctl/robustctl beside
$ROBUST_SERVER=<build>/broker/main/robust-server. Also runs under E2E_BROKER=mosquitto.
"""

from __future__ import annotations

import json
import subprocess

from test_17_robustctl import clean_env, robustctl_binary

PERCENTILES = {"count", "min", "mean", "p50", "p90", "p99", "p99_9", "max"}
REPORT_KEYS = {"mode", "broker", "config", "connections", "connect_latency_us", "elapsed_s",
               "sent", "acked", "refused", "received", "expected", "lost", "errors",
               "first_error", "throughput", "latency_us", "latency_note", "pings", "pongs",
               "broker_rss_kb"}


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


def test_small_payload_reports_why_no_latency(broker):
    report, _ = bench(broker, "pubsub", "--count", "100", "-s", "4", "-q", "1",
                      "--client-prefix", "smoke-s-")
    assert report["received"] == 100
    assert report["lost"] == 0
    assert report["latency_us"] is None
    assert "--size 8" in report["latency_note"]
