#!/usr/bin/env python3
"""Side-by-side benchmarks: robust-server against its peers, same machine, same run.

Driven by bench/compare.sh (which installs the peers and builds Release
binaries); usable alone with the paths given. Each scenario runs the same
`robustctl bench` command against the peer and against robust-server, one
after the other (A B A B ..., --pairs pairs), each run on a freshly started
broker. The median of each side and the ratio robust / peer go to
docs/benchmarks.md with the exact commands, the machine, the date, and the
physical context measured in the same session: loopback TCP bandwidth
(iperf3), RocksDB's raw write rate (db_bench) and the journal's raw append
rate (journal_bench), with the same durability as the broker.

While a run lasts, the broker's CPU (user + system time / wall time, in
cores) and resident memory (peak VmHWM, and VmRSS at the end) are read from
/proc.
"""

import argparse
import datetime
import json
import os
import platform
import re
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

LISTENER_RE = re.compile(r"listener (\S+) bound to (\S+):(\d+)")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def log(msg):
    print(f"[compare {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, proc, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"broker exited with {proc.returncode} before listening")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on port {port} after {timeout}s")


def proc_cpu_s(pid):
    """User + system CPU seconds of a process so far."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def proc_status_kb(pid, key):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return None


# --- brokers --------------------------------------------------------------


class Broker:
    name = "?"

    def __init__(self, workdir, settings):
        self.workdir = Path(tempfile.mkdtemp(dir=workdir, prefix=self.name + "-"))
        self.settings = settings
        self.proc = None
        self.log = open(self.workdir / "broker.log", "wb")

    @property
    def pid(self):
        return self.proc.pid

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        shutil.rmtree(self.workdir, ignore_errors=True)


class RobustBroker(Broker):
    name = "robust"

    def __init__(self, workdir, settings, binary):
        super().__init__(workdir, settings)
        self.binary = binary

    def start(self):
        env = dict(os.environ)
        env.update({
            "ROBUSTMQ_MQTT_TCP_PORT": "0", "ROBUSTMQ_MQTT_WS_PORT": "0",
            "ROBUSTMQ_HTTP_PORT": "0", "ROBUSTMQ_KAFKA_PORT": "0",
            "ROBUSTMQ_MQTT_BIND": "127.0.0.1", "ROBUSTMQ_HTTP_BIND": "127.0.0.1",
            "ROBUSTMQ_KAFKA_BIND": "127.0.0.1", "ROBUSTMQ_LOG_LEVEL": "info",
        })
        env.update(self.settings)
        self.proc = subprocess.Popen([self.binary, "--data-dir", str(self.workdir / "data")],
                                     stdin=subprocess.DEVNULL, stdout=self.log,
                                     stderr=subprocess.STDOUT, env=env, start_new_session=True)
        deadline = time.monotonic() + 30
        while True:
            text = (self.workdir / "broker.log").read_text(errors="replace")
            found = {m.group(1): int(m.group(3)) for m in LISTENER_RE.finditer(text)}
            if "mqtt-tcp" in found and "kafka" in found and "robust-server ready" in text:
                self.port, self.kafka_port = found["mqtt-tcp"], found["kafka"]
                return
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"robust-server did not start; log:\n{text[-2000:]}")
            time.sleep(0.05)


class MosquittoBroker(Broker):
    name = "mosquitto"

    def start(self):
        self.port = free_port()
        conf = self.workdir / "mosquitto.conf"
        lines = [f"listener {self.port} 127.0.0.1", "allow_anonymous true",
                 "persistence false", "log_type error", "max_connections -1"]
        lines += [f"{k} {v}" for k, v in self.settings.items()]
        conf.write_text("\n".join(lines) + "\n")
        self.proc = subprocess.Popen(["/usr/sbin/mosquitto", "-c", str(conf)],
                                     stdin=subprocess.DEVNULL, stdout=self.log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        wait_port(self.port, self.proc)


# --- scenarios ------------------------------------------------------------


@dataclass
class Metric:
    key: str          # dotted path in the bench JSON report
    label: str
    higher_is_better: bool = True
    target: float = None  # ratio robust / peer to reach (>= if higher is better, else <=)
    unit: str = ""


@dataclass
class Scenario:
    name: str
    title: str
    bench: list                      # robustctl arguments after `bench`
    metrics: list
    peer: str = "mosquitto"          # or None: robust-server alone
    robust_settings: dict = field(default_factory=dict)
    peer_settings: dict = field(default_factory=dict)
    pass_pid: bool = False           # give the bench --pid (RSS per connection)
    note: str = ""
    ceiling: str = None              # journal_bench run whose MB/s this is a fraction of


def mqtt_scenarios(duration):
    d = f"{duration}s"
    thr = [Metric("throughput.received_msgs_per_s", "delivered msg/s", True, 2.0),
           Metric("throughput.sent_msgs_per_s", "published msg/s"),
           Metric("lost", "lost messages", False)]
    return [
        Scenario("mqtt-qos0-1to1", "MQTT QoS 0, 1 publisher -> 1 subscriber, 64 B",
                 ["mqtt", "pubsub", "-q", "0", "-s", "64", "--duration", d], thr),
        Scenario("mqtt-qos0-1to1-300k",
                 "MQTT QoS 0, 1 -> 1, 64 B, 300,000 msg/s offered",
                 ["mqtt", "pubsub", "-q", "0", "-s", "64", "-r", "300000", "--duration", d],
                 [Metric("throughput.received_msgs_per_s", "delivered msg/s", True, 2.0),
                  Metric("throughput.sent_msgs_per_s", "published msg/s"),
                  Metric("lost", "lost messages", False),
                  Metric("latency_us.p99", "latency p99", False, None, "µs")],
                 note="A fixed offered rate, where the scenario above runs flat out. Flat out, "
                      "robust-server reads the publisher faster than one subscriber connection "
                      "drains and drops the QoS 0 excess once that connection's send queue "
                      "(mqtt.send_queue_bytes) is full, as EMQX does; mosquitto reads the "
                      "publisher only as fast as its one thread also writes to the subscriber, "
                      "so its publisher is slowed instead. This run shows the rate each "
                      "delivers without loss."),
        Scenario("mqtt-qos0-10to10", "MQTT QoS 0, 10 publishers -> 10 subscribers on 10 topics, 64 B",
                 ["mqtt", "pubsub", "-c", "10", "-q", "0", "-s", "64", "--duration", d], thr),
        Scenario("mqtt-qos1-1to1",
                 "MQTT QoS 1, 1 -> 1, 64 B (robust-server journals with durability wal; "
                 "mosquitto keeps QoS 1 in memory)",
                 ["mqtt", "pubsub", "-q", "1", "-s", "64", "--duration", d],
                 [Metric("throughput.received_msgs_per_s", "delivered msg/s", True, 1.0),
                  Metric("throughput.sent_msgs_per_s", "published msg/s"),
                  Metric("lost", "lost messages", False),
                  Metric("latency_us.p99", "latency p99", False, None, "µs")],
                 robust_settings={"ROBUSTMQ_STORAGE_DURABILITY": "wal"}),
        Scenario("mqtt-qos1-latency", "MQTT QoS 1 latency at a fixed 10,000 msg/s, 1 -> 1, 64 B",
                 ["mqtt", "pubsub", "-q", "1", "-s", "64", "-r", "10000", "--duration", d],
                 [Metric("latency_us.p50", "latency p50", False, None, "µs"),
                  Metric("latency_us.p99", "latency p99", False, 0.5, "µs"),
                  Metric("latency_us.p99_9", "latency p99.9", False, None, "µs"),
                  Metric("throughput.received_msgs_per_s", "delivered msg/s")],
                 robust_settings={"ROBUSTMQ_STORAGE_DURABILITY": "wal"}),
        Scenario("mqtt-conn-10k", "10,000 idle MQTT 5 connections, keep alive 60 s, opened at once",
                 ["mqtt", "conn", "-c", "10000", "-k", "60", "--duration", "5s"],
                 [Metric("connections.rate_per_s", "connect rate /s", True, 1.0),
                  Metric("broker_rss_kb.per_connection", "broker RSS per connection", False, 1.0,
                         "kB"),
                  Metric("connect_latency_us.p99", "connect latency p99", False, None, "µs"),
                  Metric("connections.failed", "failed connections", False)],
                 pass_pid=True,
                 note="mosquitto listens with a backlog of 100 and robust-server with the "
                      "kernel's somaxconn (4096): with 10,000 connects at once, SYNs beyond "
                      "the backlog are retried by the client's kernel after 1 s."),
    ]


def kafka_scenarios(duration):
    d = f"{duration}s"
    out = []
    for acks in ("1", "all"):
        out.append(Scenario(
            f"kafka-produce-acks{acks}-lz4",
            f"Kafka produce, 1 KB records, batches of 100, lz4, acks={acks}, 1 partition",
            ["kafka", "produce", "-s", "1024", "--batch", "100", "--compression", "lz4",
             "--acks", acks, "--duration", d],
            [Metric("throughput.mb_per_s", "produced MB/s"),
             Metric("throughput.records_per_s", "records/s"),
             Metric("latency_us.p99", "produce request latency p99", False, None, "µs")],
            peer=None, ceiling="kafka",
            note="Record values are pseudo-random bytes: lz4 cannot shrink them, so MB/s "
                 "counts what is stored. The ceiling is `journal_bench` appending the same "
                 "100 x 1 KB batches with the same durability, in the same session."))
    return out


# --- running --------------------------------------------------------------


def dig(report, dotted):
    value = report
    for part in dotted.split("."):
        if not isinstance(value, dict) or value.get(part) is None:
            return None
        value = value[part]
    return value


class Runner:
    def __init__(self, args):
        self.args = args
        self.workdir = Path(tempfile.mkdtemp(prefix="robust-compare-"))

    def make_broker(self, kind, scenario):
        if kind == "robust":
            return RobustBroker(self.workdir, scenario.robust_settings, self.args.server)
        return MosquittoBroker(self.workdir, scenario.peer_settings)

    def command(self, scenario, broker):
        cmd = [self.args.robustctl, "bench"] + scenario.bench
        if scenario.bench[0] == "kafka":
            cmd += ["--bootstrap", f"127.0.0.1:{broker.kafka_port}"]
        else:
            cmd += ["-p", str(broker.port)]
        if scenario.pass_pid:
            cmd += ["--pid", str(broker.pid)]
        return cmd + ["-o", "json"]

    def run_once(self, scenario, kind):
        broker = self.make_broker(kind, scenario)
        try:
            broker.start()
            cmd = self.command(scenario, broker)
            cpu0, t0 = proc_cpu_s(broker.pid), time.monotonic()
            done = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True, timeout=600)
            wall = time.monotonic() - t0
            cpu = (proc_cpu_s(broker.pid) - cpu0) / wall
            hwm = proc_status_kb(broker.pid, "VmHWM")
            rss = proc_status_kb(broker.pid, "VmRSS")
            if done.returncode != 0:
                raise RuntimeError(f"{' '.join(cmd)} exited {done.returncode}: "
                                   f"{done.stderr[-1500:]}")
            report = json.loads(done.stdout)
            return {"report": report, "cpu_cores": cpu, "rss_peak_kb": hwm, "rss_end_kb": rss,
                    "command": cmd}
        finally:
            broker.stop()

    def run_scenario(self, scenario):
        sides = ["robust"] if scenario.peer is None else [scenario.peer, "robust"]
        runs = {side: [] for side in sides}
        for pair in range(self.args.pairs):
            for side in sides:
                log(f"{scenario.name}: {side} run {pair + 1}/{self.args.pairs}")
                r = self.run_once(scenario, side)
                runs[side].append(r)
                brief = ", ".join(f"{m.label} {dig(r['report'], m.key)}"
                                  for m in scenario.metrics[:2])
                log(f"  {brief}; broker CPU {r['cpu_cores']:.2f} cores, "
                    f"peak RSS {r['rss_peak_kb'] / 1024:.1f} MiB")
        return runs


# --- scale: many connections, many retained topics -------------------------


def bench_json(cmd, timeout=1800):
    done = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {done.returncode}: {done.stderr[-1500:]}")
    return json.loads(done.stdout)


def scale_connections(runner, kind, count):
    """`count` idle connections from 127.0.0.2.. (25,000 per source address: the
    default ephemeral port range has ~28,000 ports per source and destination)."""
    sources = ",".join(f"127.0.0.{2 + i}" for i in range(max(1, (count + 24_999) // 25_000)))
    broker = runner.make_broker(kind, Scenario("", "", [], [], robust_settings={
        "ROBUSTMQ_MQTT_MAX_CONNECTIONS": str(count * 2)}))
    try:
        broker.start()
        cmd = [runner.args.robustctl, "bench", "mqtt", "conn", "-c", str(count), "-k", "60",
               "--duration", "10s", "--source", sources, "-p", str(broker.port),
               "--pid", str(broker.pid), "-o", "json"]
        report = bench_json(cmd)
        return {"report": report, "rss_peak_kb": proc_status_kb(broker.pid, "VmHWM"),
                "command": ["robustctl"] + cmd[1:]}
    finally:
        broker.stop()


def scale_retained(runner, kind, topics, duration):
    """Publish `topics` retained messages, then measure QoS 0 1 -> 1 throughput."""
    broker = runner.make_broker(kind, Scenario("", "", [], []))
    try:
        broker.start()
        rss0 = proc_status_kb(broker.pid, "VmRSS")
        load = [runner.args.robustctl, "bench", "mqtt", "pub", "-q", "1", "--retain",
                "-t", "retained/%n", "--topics", str(topics), "--count", str(topics),
                "-s", "64", "-p", str(broker.port), "-o", "json"]
        loaded = bench_json(load)
        time.sleep(1)
        rss1 = proc_status_kb(broker.pid, "VmRSS")
        thr = bench_json([runner.args.robustctl, "bench", "mqtt", "pubsub", "-q", "0", "-s",
                          "64", "--duration", f"{duration}s", "-p", str(broker.port),
                          "-o", "json"])
        return {"topics": topics, "load_msgs_per_s": dig(loaded, "throughput.sent_msgs_per_s"),
                "acked": loaded["acked"], "rss_before_kb": rss0, "rss_after_kb": rss1,
                "delivered_per_s": dig(thr, "throughput.received_msgs_per_s"),
                "command": " ".join(["robustctl"] + load[1:]).replace(str(broker.port), "PORT")}
    finally:
        broker.stop()


def descriptor_limit():
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def run_scale(runner, args):
    out = {"connections": {}, "retained": {}}
    # Each side holds every connection in one process: the open-file limit
    # caps the run where it cannot be raised (a container without
    # CAP_SYS_RESOURCE). The report says so.
    limit = descriptor_limit()
    if args.connections > limit - 1000:
        out["connections_capped"] = {"requested": args.connections, "limit": limit}
        args.connections = max(0, limit - 1000)
        log(f"scale: the open-file limit is {limit}: {args.connections:,} connections")
    if args.connections:
        for kind in ("mosquitto", "robust"):
            log(f"scale: {args.connections:,} connections to {kind}")
            r = scale_connections(runner, kind, args.connections)
            out["connections"][kind] = r
            log(f"  connected {r['report']['connections']['connected']:,}, "
                f"{dig(r['report'], 'broker_rss_kb.per_connection')} kB per connection")
    if args.retained:
        for kind in ("mosquitto", "robust"):
            for topics in (1000, args.retained):
                log(f"scale: {topics:,} retained topics on {kind}")
                r = scale_retained(runner, kind, topics, args.duration)
                out["retained"].setdefault(kind, []).append(r)
                log(f"  loaded at {fmt(r['load_msgs_per_s'])}/s; RSS "
                    f"{(r['rss_after_kb'] - r['rss_before_kb']) / 1024:.0f} MiB more; "
                    f"then {fmt(r['delivered_per_s'])} msg/s delivered")
    return out


def scale_report(scale):
    lines = []
    conns = scale.get("connections") or {}
    if conns:
        any_run = next(iter(conns.values()))
        lines += ["## Scale", "",
                  f"### {any_run['report']['connections']['requested']:,} idle connections", "",
                  "Opened at once from several loopback source addresses (`--source`), keep "
                  "alive 60 s, held 10 s; one run each.", ""]
        capped = scale.get("connections_capped")
        if capped:
            lines += [f"**{capped['requested']:,} connections were asked for, but this machine's "
                      f"open-file limit is {capped['limit']:,} per process and cannot be raised "
                      "here (no CAP_SYS_RESOURCE), so the run holds what fits. Where the limit "
                      "can be raised (`ulimit -n 1048576` as root, `LimitNOFILE` in the unit), "
                      "`bench/compare.sh --connections 100000` runs the full count.**", ""]
        lines += [
                  "```", shown_command(any_run["command"]), "```", "",
                  "| broker | connected | connect rate /s | RSS per connection | peak RSS |",
                  "|---|---|---|---|---|"]
        for kind, r in conns.items():
            rep = r["report"]
            lines.append(f"| {kind} | {rep['connections']['connected']:,} | "
                         f"{fmt(rep['connections']['rate_per_s'])} | "
                         f"{fmt(dig(rep, 'broker_rss_kb.per_connection'))} kB | "
                         f"{fmt(r['rss_peak_kb'] / 1024)} MiB |")
        lines.append("")
    ret = scale.get("retained") or {}
    if ret:
        if not conns:
            lines += ["## Scale", ""]
        lines += ["### Retained topics", "",
                  "The broker is loaded with N retained QoS 1 messages of 64 B on N topics, then "
                  "a QoS 0 1 -> 1 run measures whether publishing slowed down. One run each.", "",
                  "```", next(iter(ret.values()))[-1]["command"], "```", "",
                  "| broker | topics | load msg/s | RSS added | per topic | then delivered msg/s "
                  "| vs 1,000 topics |", "|---|---|---|---|---|---|---|"]
        for kind, runs in ret.items():
            base = runs[0]["delivered_per_s"]
            for r in runs:
                added = r["rss_after_kb"] - r["rss_before_kb"]
                lines.append(f"| {kind} | {r['topics']:,} | {fmt(r['load_msgs_per_s'])} | "
                             f"{fmt(added / 1024)} MiB | {fmt(added * 1024 / r['topics'])} B | "
                             f"{fmt(r['delivered_per_s'])} | "
                             f"{fmt(r['delivered_per_s'] / base) if base else '–'} |")
        lines += ["", "Target: robust-server's throughput with 1,000,000 retained topics within "
                  "20 % of its throughput with 1,000 (ratio ≥ 0.8).", ""]
    return lines


# --- physical context -----------------------------------------------------


def run_text(cmd, timeout=300):
    done = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          timeout=timeout)
    return done.returncode, done.stdout


def loopback_bandwidth():
    if not shutil.which("iperf3"):
        return None
    port = free_port()
    server = subprocess.Popen(["iperf3", "-s", "-1", "-p", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(0.5)
        code, out = run_text(["iperf3", "-c", "127.0.0.1", "-p", str(port), "-t", "5", "-J"])
        if code != 0:
            return None
        bps = json.loads(out)["end"]["sum_received"]["bits_per_second"]
        return {"gbit_per_s": bps / 1e9, "command": "iperf3 -c 127.0.0.1 -t 5 (one stream)"}
    finally:
        server.wait(timeout=30)


def rocksdb_raw_writes(workdir):
    db_bench = shutil.which("db_bench") or "/usr/bin/rocksdb_bench"
    if not Path(db_bench).exists():
        return None
    out = {}
    for size in (64, 1024):
        cmd = [db_bench, "--benchmarks=fillseq", f"--value_size={size}", "--num=2000000",
               "--sync=false", "--disable_wal=false", "--threads=1", "--compression_type=lz4",
               f"--db={workdir}/db_bench-{size}", "--duration=5"]
        code, text = run_text(cmd)
        m = re.search(r"fillseq\s*:\s*([\d.]+) micros/op (\d+) ops/sec.*?([\d.]+) MB/s", text)
        if code == 0 and m:
            out[size] = {"ops_per_s": int(m.group(2)), "mb_per_s": float(m.group(3))}
    out["command"] = ("db_bench --benchmarks=fillseq --value_size=64|1024 --sync=false "
                      "--disable_wal=false (WAL on, not fsynced: durability wal)")
    return out


def journal_raw_appends(journal_bench):
    runs = {}
    specs = {"mqtt": ["--sizes", "64", "--records", "1", "--appenders", "16"],
             "kafka": ["--sizes", "1024", "--records", "100", "--appenders", "5"]}
    for name, extra in specs.items():
        cmd = [journal_bench, "--seconds", "5", "--durability", "wal", "--json"] + extra
        code, text = run_text(cmd)
        rows = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
        if code == 0 and rows:
            runs[name] = rows[0] | {"command": " ".join(["journal_bench"] + cmd[1:])}
    return runs


def machine():
    model = "unknown CPU"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem_kb = int(f.readline().split()[1])  # MemTotal
    distro = "Linux"
    if Path("/etc/os-release").exists():
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                distro = line.split("=", 1)[1].strip('"')
    mosq = run_text(["/usr/sbin/mosquitto", "-h"])[1].splitlines()[0] \
        if Path("/usr/sbin/mosquitto").exists() else "not installed"
    return {"cpu": model, "cores": os.cpu_count(), "memory_gib": round(mem_kb / 1024 / 1024, 1),
            "os": distro, "kernel": platform.release(), "mosquitto": mosq}


# --- report ---------------------------------------------------------------


def fmt(value, unit=""):
    if value is None:
        return "–"
    if isinstance(value, float) and abs(value) < 10:
        text = f"{value:.2f}"
    else:
        text = f"{value:,.0f}"
    return f"{text} {unit}".strip()


def median_of(runs, key):
    values = [dig(r["report"], key) for r in runs]
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def shown_command(cmd):
    """The bench command as a reader would type it: ports and pids as names."""
    out = ["robustctl"]
    args = cmd[1:]
    for i, a in enumerate(args):
        prev = args[i - 1] if i else ""
        out.append({"-p": "PORT", "--pid": "PID", "--bootstrap": "127.0.0.1:PORT"}.get(prev, a))
    return " ".join(out)


def verdict(metric, ratio):
    if metric.target is None or ratio is None:
        return ""
    ok = ratio >= metric.target if metric.higher_is_better else ratio <= metric.target
    sign = "≥" if metric.higher_is_better else "≤"
    return f"{sign} {metric.target:g}: {'met' if ok else '**missed**'}"


def write_report(path, args, results, context):
    m = context["machine"]
    lines = [
        "# Benchmarks",
        "",
        "Written by `bench/compare.sh` (do not edit by hand: run it again). Each scenario runs "
        "the same `robustctl bench` command against the peer and against robust-server, "
        f"alternating (A B A B ...), {args.pairs} pairs, each run on a freshly started broker; "
        "the tables give the median of each side and the ratio robust-server ÷ peer. "
        "The load generator and the broker share the machine's cores.",
        "",
        f"- Date: {context['date']}",
        f"- Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB, {m['os']}, "
        f"kernel {m['kernel']}",
        f"- Peer: {m['mosquitto']} (Debian package, `persistence false`, defaults otherwise)",
        f"- robust-server: {context['robust_version']}, Release build, defaults "
        "(embedded RocksDB journal, durability `wal`)",
        f"- Run: `{context['command_line']}`",
        "",
        "## Physical context (same session)",
        "",
    ]
    bw = context.get("loopback")
    lines.append(f"- Loopback TCP bandwidth: {fmt(bw['gbit_per_s'])} Gbit/s (`{bw['command']}`)"
                 if bw else "- Loopback TCP bandwidth: iperf3 not installed")
    rdb = context.get("rocksdb")
    if rdb:
        for size in (64, 1024):
            if size in rdb:
                lines.append(f"- RocksDB raw writes, {size} B values, WAL not fsynced: "
                             f"{fmt(rdb[size]['ops_per_s'])} writes/s, "
                             f"{fmt(rdb[size]['mb_per_s'])} MB/s")
        lines.append(f"  (`{rdb['command']}`)")
    for name, j in context.get("journal", {}).items():
        what = ("64 B records, 16 appenders" if name == "mqtt"
                else "1 KB x 100-record batches, 5 appenders")
        lines.append(f"- Journal raw appends ({what}, durability wal): "
                     f"{fmt(j['records_per_s'])} records/s, {fmt(j['mb_per_s'])} MB/s "
                     f"(`{j['command']}`)")
    lines += ["", "## Results", ""]
    summary = ["| scenario | metric | robust-server | peer | ratio | target |",
               "|---|---|---|---|---|---|"]
    details = []
    for scenario, runs in results:
        robust = runs["robust"]
        peer = runs.get(scenario.peer) if scenario.peer else None
        details += [f"### {scenario.title}", ""]
        if scenario.note:
            details += [scenario.note, ""]
        details += ["```", shown_command(robust[0]["command"]), "```", ""]
        details += ["| metric | robust-server | " + (f"{scenario.peer} | ratio |" if peer else "")
                    + " target |",
                    "|---|---|" + ("---|---|" if peer else "") + "---|"]
        for metric in scenario.metrics:
            rv = median_of(robust, metric.key)
            pv = median_of(peer, metric.key) if peer else None
            ratio = rv / pv if (rv is not None and pv) else None
            cells = [metric.label, fmt(rv, metric.unit)]
            if peer:
                cells += [fmt(pv, metric.unit), fmt(ratio) if ratio is not None else "–"]
            cells.append(verdict(metric, ratio))
            details.append("| " + " | ".join(cells) + " |")
            if metric.target is not None:
                summary.append(f"| {scenario.name} | {metric.label} | {fmt(rv, metric.unit)} | "
                               f"{fmt(pv, metric.unit)} | "
                               f"{fmt(ratio) if ratio is not None else '–'} | "
                               f"{verdict(metric, ratio)} |")
        for side, side_runs in [("robust-server", robust)] + ([(scenario.peer, peer)] if peer else []):
            cpu = statistics.median(r["cpu_cores"] for r in side_runs)
            hwm = statistics.median(r["rss_peak_kb"] for r in side_runs)
            details.append(f"| {side} CPU (cores) / peak RSS | {fmt(cpu)} / "
                           f"{fmt(hwm / 1024)} MiB |" + (" | |" if peer else "") + " |")
        ceiling = context.get("journal", {}).get(scenario.ceiling) if scenario.ceiling else None
        if ceiling:
            rv = median_of(robust, "throughput.mb_per_s")
            frac = rv / ceiling["mb_per_s"] if rv is not None else None
            target = Metric("", "", True, 0.7)
            details.append(f"| fraction of the journal's raw append rate "
                           f"({fmt(ceiling['mb_per_s'])} MB/s) | {fmt(frac)} | "
                           f"{verdict(target, frac)} |")
            summary.append(f"| {scenario.name} | fraction of the journal's raw append rate | "
                           f"{fmt(rv)} MB/s | {fmt(ceiling['mb_per_s'])} MB/s (journal) | "
                           f"{fmt(frac)} | {verdict(target, frac)} |")
        details.append("")
        details.append("Runs (first metric): " + "; ".join(
            f"{side} " + ", ".join(fmt(dig(r['report'], scenario.metrics[0].key)) for r in rs)
            for side, rs in [("robust-server", robust)] + ([(scenario.peer, peer)] if peer else [])))
        details.append("")
    lines += summary + [""] + details + scale_report(context.get("scale") or {})
    Path(path).write_text("\n".join(lines) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--server", required=True, help="robust-server binary (Release)")
    ap.add_argument("--robustctl", required=True, help="robustctl binary (Release)")
    ap.add_argument("--journal-bench", help="journal_bench binary")
    ap.add_argument("--pairs", type=int, default=3, help="A/B pairs per scenario (>= 1)")
    ap.add_argument("--duration", type=int, default=10, help="seconds per run")
    ap.add_argument("--only", help="comma-separated scenario names (default: all)")
    ap.add_argument("--out", default="docs/benchmarks.md", help="the Markdown report")
    ap.add_argument("--json-out", help="also write every raw run as JSON here")
    ap.add_argument("--connections", type=int, default=100_000,
                    help="the scale run's idle connections (0: skip)")
    ap.add_argument("--retained", type=int, default=1_000_000,
                    help="the scale run's retained topics, compared with 1,000 (0: skip)")
    args = ap.parse_args()
    if args.pairs < 1:
        ap.error("--pairs must be at least 1")

    # 10,000+ connections need as many descriptors, in the brokers (children) too.
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = 1 << 20
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, want))
    except (ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

    scenarios = mqtt_scenarios(args.duration)
    kafka_ok = subprocess.run([args.robustctl, "bench", "kafka", "produce", "--help"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0
    if kafka_ok:
        scenarios += kafka_scenarios(args.duration)
    if args.only:
        wanted = set(args.only.split(","))
        unknown = wanted - {s.name for s in scenarios}
        if unknown:
            ap.error(f"--only: unknown scenarios {sorted(unknown)}; known: "
                     f"{[s.name for s in scenarios]}")
        scenarios = [s for s in scenarios if s.name in wanted]

    runner = Runner(args)
    context = {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
               "machine": machine(),
               "command_line": "bench/compare.sh " + " ".join(sys.argv[1:]).replace(
                   args.server, "robust-server").replace(args.robustctl, "robustctl"),
               "robust_version": run_text([args.server, "--version"])[1].strip()}
    log("physical context: loopback bandwidth, RocksDB and journal raw writes")
    context["loopback"] = loopback_bandwidth()
    context["rocksdb"] = rocksdb_raw_writes(runner.workdir)
    if args.journal_bench:
        context["journal"] = journal_raw_appends(args.journal_bench)
    results = []
    try:
        for scenario in scenarios:
            results.append((scenario, runner.run_scenario(scenario)))
        context["scale"] = run_scale(runner, args)
    finally:
        shutil.rmtree(runner.workdir, ignore_errors=True)
    write_report(args.out, args, results, context)
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(
            {"context": context, "results": [{"scenario": s.name, "runs": r} for s, r in results]},
            indent=1, default=str))
    log(f"wrote {args.out}")


if __name__ == "__main__":
    main()
