"""Kafka clients for the end-to-end Kafka tests (test_20..test_22).

Third-party clients only, as a user would run them: kcat (Debian `kcat`),
confluent-kafka 1.7 over librdkafka 2.0 (`python3-confluent-kafka`) and
kafka-python 2.0 (`python3-kafka`), plus a raw socket client for byte-level
requests the libraries cannot send (malformed frames, unknown versions).

Nothing here sleeps as synchronisation: consumers are polled until a
condition holds or a deadline passes, and kcat consumers are watched until they
print librdkafka's "Reached end of topic" line.

Protocol references: the Kafka protocol guide (kafka.apache.org/protocol) for
framing and the ApiVersions layout.
"""

from __future__ import annotations

import importlib.util
import queue
import shutil
import socket
import struct
import subprocess
import threading
import time

import pytest

from harness import DEFAULT_WAIT_S, unique

KCAT = shutil.which("kcat") or "/usr/bin/kcat"

# Kafka error codes the tests look for (protocol guide, "Error Codes").
UNKNOWN_TOPIC_OR_PARTITION = 3
INVALID_TOPIC_EXCEPTION = 17
UNSUPPORTED_VERSION = 35
TOPIC_ALREADY_EXISTS = 36

# API keys
API_METADATA = 3
API_VERSIONS = 18
API_PRODUCE = 0

# What librdkafka needs to ride out a loaded machine and a broker restart on the
# same port without long backoffs.
_COMMON = {
    "reconnect.backoff.ms": 50,
    "reconnect.backoff.max.ms": 500,
    "socket.connection.setup.timeout.ms": 10000,
}


def require_confluent():
    if importlib.util.find_spec("confluent_kafka") is None:
        pytest.skip("python3-confluent-kafka not installed")


def have_kcat():
    return shutil.which("kcat") is not None


def require_kcat():
    if not have_kcat():
        pytest.skip("kcat not installed")


# ---------------------------------------------------------------------------
# confluent-kafka

class Clients:
    """confluent-kafka clients made by a test (the `kclients` fixture): consumers
    are closed at teardown, before the broker fixture stops the server, so no
    client hangs on a vanished coordinator."""

    def __init__(self):
        self.consumers = []
        # confluent-kafka resolves an AdminClient's futures only while the client
        # (and the dict of futures it returned) is alive: keep every client.
        self.others = []

    def producer(self, broker, **conf):
        from confluent_kafka import Producer
        c = {"bootstrap.servers": broker.kafka_bootstrap, "linger.ms": 5,
             "message.timeout.ms": 30000, **_COMMON}
        c.update(conf)
        p = Producer(c)
        self.others.append(p)
        return p

    def consumer(self, broker, **conf):
        from confluent_kafka import Consumer
        c = {"bootstrap.servers": broker.kafka_bootstrap,
             "group.id": conf.pop("group.id", None) or unique("g"),
             "auto.offset.reset": "earliest",
             # the broker's group.min.session.timeout.ms default
             "session.timeout.ms": 6000,
             # a rebalance reaches members through heartbeats: keep them frequent
             "heartbeat.interval.ms": 300,
             "fetch.wait.max.ms": 100,
             **_COMMON}
        c.update(conf)
        consumer = Consumer(c)
        self.consumers.append(consumer)
        return consumer

    def admin(self, broker, **conf):
        from confluent_kafka.admin import AdminClient
        a = AdminClient({"bootstrap.servers": broker.kafka_bootstrap, **_COMMON, **conf})
        self.others.append(a)
        return a

    def close(self):
        for c in self.consumers:
            try:
                c.close()
            except Exception:
                pass  # already closed by the test
        self.consumers.clear()
        self.others.clear()


class Deliveries:
    """A delivery report callback (on_delivery=...) that keeps every report.

    Called from Producer.poll()/flush() on the caller's thread."""

    def __init__(self):
        self.ok = []      # confluent_kafka.Message with error() None, in report order
        self.failed = []  # (KafkaError, Message)

    def __call__(self, err, msg):
        if err is None:
            self.ok.append(msg)
        else:
            self.failed.append((err, msg))

    def wait(self, producer, count, timeout=DEFAULT_WAIT_S * 2):
        """flush()es until `count` reports came back; asserts none failed."""
        deadline = time.monotonic() + timeout
        while len(self.ok) + len(self.failed) < count:
            left = deadline - time.monotonic()
            assert left > 0, (f"{len(self.ok)} ok / {len(self.failed)} failed delivery "
                              f"reports of {count} within {timeout}s")
            producer.flush(min(left, 1.0))
        assert not self.failed, \
            f"deliveries failed: {[(str(e), m.value()) for e, m in self.failed]}"
        return self.ok


def make_topic(kclients, broker, partitions, prefix="t"):
    """Creates a topic with a unique name through confluent-kafka's admin
    client (CreateTopics) and returns its name."""
    from confluent_kafka.admin import NewTopic
    topic = unique(prefix)
    fs = kclients.admin(broker).create_topics([NewTopic(topic, partitions, 1)],
                                              operation_timeout=10)
    assert fs[topic].result(10) is None
    return topic


def produce_all(producer, topic, records, timeout=DEFAULT_WAIT_S * 2):
    """Produces records (dicts of Producer.produce keywords: value, key,
    headers, partition, timestamp) and waits for every delivery report; fails
    if one reports an error. Returns the reports (Messages) in the order of
    `records`."""
    reports = [None] * len(records)
    d = Deliveries()

    def on_delivery(i):
        def cb(err, msg):
            d(err, msg)
            reports[i] = msg
        return cb

    for i, r in enumerate(records):
        producer.produce(topic, on_delivery=on_delivery(i), **r)
    d.wait(producer, len(records), timeout)
    return reports


def consume(consumer, count, timeout=DEFAULT_WAIT_S * 2):
    """Polls until `count` records and returns them. Partition EOF events are
    skipped; any other error fails."""
    got = []
    deadline = time.monotonic() + timeout
    while len(got) < count:
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError(f"consumed {len(got)}/{count} records within {timeout}s: "
                                 f"{[m.value()[:40] for m in got][:20]}")
        m = consumer.poll(min(left, 0.5))
        if m is None:
            continue
        if m.error():
            from confluent_kafka import KafkaError
            if m.error().code() == KafkaError._PARTITION_EOF:
                continue
            raise AssertionError(f"consumer error: {m.error()}")
        got.append(m)
    return got


def consume_to_end(consumer, partitions, timeout, min_count=0, poll_s=0.2):
    """Polls until each of `partitions` partitions has reported its end
    (enable.partition.eof) since its last record, and at least `min_count`
    records came; returns the records. Any other error fails."""
    from confluent_kafka import KafkaError
    got, at_end = [], set()
    deadline = time.monotonic() + timeout
    while len(at_end) < partitions or len(got) < min_count:
        assert time.monotonic() < deadline, \
            f"fetched {len(got)} records (wanted {min_count}), at end of {sorted(at_end)}"
        m = consumer.poll(poll_s)
        if m is None:
            continue
        if m.error():
            assert m.error().code() == KafkaError._PARTITION_EOF, m.error()
            at_end.add(m.partition())
            continue
        got.append(m)
        at_end.discard(m.partition())
    return got


def wait_for(cond, timeout=DEFAULT_WAIT_S * 2, what="condition", step=None):
    """Calls step() (e.g. polling consumers) until cond() holds."""
    deadline = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < deadline, f"{what} not reached within {timeout}s"
        if step is not None:
            step()
        else:
            time.sleep(0.02)


def future_error(future, timeout=DEFAULT_WAIT_S * 2):
    """The KafkaError an AdminClient future failed with (fails if it succeeded)."""
    from confluent_kafka import KafkaException
    try:
        future.result(timeout)
    except KafkaException as e:
        return e.args[0]
    raise AssertionError("the request succeeded; an error was expected")


# ---------------------------------------------------------------------------
# kcat

def kcat(broker, *args, input=None, timeout=30, check=True):
    """Runs kcat against the broker; returns CompletedProcess (text)."""
    cmd = [KCAT, "-b", broker.kafka_bootstrap, "-X", "reconnect.backoff.max.ms=500", *args]
    r = subprocess.run(cmd, input=input, capture_output=True, text=True, timeout=timeout)
    if check:
        assert r.returncode == 0, f"{' '.join(cmd)} exited with {r.returncode}:\n{r.stderr}"
    return r


class KcatConsumer:
    """A kcat consumer running in the background: `-C -t topic` (or, with
    group=, a balanced group member `-G group topic`), one stdout line per
    record in the -f format. Both streams are read by threads as they come, so
    a test can wait for kcat's informational lines on stderr: "Reached end of
    topic ... at offset N" (it has caught up) and "Group ... rebalanced ...
    assigned: ..." (its share of a group)."""

    def __init__(self, broker, topic, *args, fmt="%s\n", group=None):
        what = ["-G", group, topic] if group else ["-C", "-t", topic]
        self.proc = subprocess.Popen(
            ["stdbuf", "-oL", "-eL", KCAT, "-b", broker.kafka_bootstrap, *what, "-f", fmt,
             "-X", "reconnect.backoff.max.ms=500", *args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)
        self.stderr: queue.Queue = queue.Queue()
        self.seen_stderr = []
        self.lines = []  # stdout so far, one entry per line without the newline
        threading.Thread(target=self._read_stderr, daemon=True).start()
        self._stdout_done = threading.Event()
        threading.Thread(target=self._read_stdout, daemon=True).start()

    def _read_stderr(self):
        for line in self.proc.stderr:
            self.stderr.put(line.rstrip("\n"))
        self.stderr.put(None)

    def _read_stdout(self):
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))
        self._stdout_done.set()

    def wait_stderr(self, pred, what, timeout=DEFAULT_WAIT_S * 2) -> str:
        """Waits for a stderr line for which pred(line) holds and returns it."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            assert left > 0, f"kcat: no {what} within {timeout}s: {self.seen_stderr}"
            try:
                line = self.stderr.get(timeout=left)
            except queue.Empty:
                continue
            assert line is not None, f"kcat exited with {self.proc.wait()}: {self.seen_stderr}"
            self.seen_stderr.append(line)
            if pred(line):
                return line

    def reached_end(self, timeout=DEFAULT_WAIT_S * 2) -> int:
        """Waits for a partition EOF line; returns the end offset it names."""
        line = self.wait_stderr(lambda x: "Reached end of topic" in x, "end of topic", timeout)
        return int(line.rsplit(" ", 1)[1].rstrip(":"))

    def output(self, timeout=DEFAULT_WAIT_S * 2) -> str:
        """Waits for kcat to exit (-c or -e) and returns its stdout."""
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"kcat did not exit within {timeout}s: {self.seen_stderr}")
        self._stdout_done.wait(timeout)
        assert rc == 0, f"kcat exited with {rc}: {self.seen_stderr}"
        return "".join(f"{x}\n" for x in self.lines)

    def kill(self):
        """SIGKILL: the process dies without leaving its group."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


# ---------------------------------------------------------------------------
# Raw protocol

def kafka_string(s: str | None) -> bytes:
    """Classic (non-flexible) NULLABLE_STRING: INT16 length, -1 for null."""
    if s is None:
        return struct.pack(">h", -1)
    b = s.encode()
    return struct.pack(">h", len(b)) + b


def request_bytes(api_key, version, correlation_id, body=b"", client_id="e2e-raw") -> bytes:
    """A framed request with header v1 (non-flexible versions only)."""
    msg = struct.pack(">hhi", api_key, version, correlation_id) + kafka_string(client_id) + body
    return struct.pack(">i", len(msg)) + msg


class Reader:
    def __init__(self, data: bytes):
        self.data, self.pos = data, 0

    def take(self, fmt):
        v = struct.unpack_from(fmt, self.data, self.pos)
        self.pos += struct.calcsize(fmt)
        return v[0] if len(v) == 1 else v

    def string(self):
        n = self.take(">h")
        if n < 0:
            return None
        s = self.data[self.pos:self.pos + n].decode()
        self.pos += n
        return s

    def rest(self):
        return len(self.data) - self.pos


def parse_api_versions_v0(body: bytes):
    """ApiVersions response v0 after the correlation id:
    (error_code, {api_key: (min, max)}). Every byte must be consumed."""
    r = Reader(body)
    error = r.take(">h")
    n = r.take(">i")
    apis = {}
    for _ in range(n):
        key, lo, hi = r.take(">hhh")
        apis[key] = (lo, hi)
    assert r.rest() == 0, f"{r.rest()} unexpected bytes after the ApiVersions v0 body"
    return error, apis


def parse_metadata_v1(body: bytes):
    """Metadata response v1 after the correlation id:
    ([(node_id, host, port)], controller_id, {topic: (error, [partition ids])})."""
    r = Reader(body)
    brokers = []
    for _ in range(r.take(">i")):
        node, host, port = r.take(">i"), r.string(), r.take(">i")
        r.string()  # rack
        brokers.append((node, host, port))
    controller = r.take(">i")
    topics = {}
    for _ in range(r.take(">i")):
        err, name = r.take(">h"), r.string()
        r.take(">b")  # is_internal
        parts = []
        for _ in range(r.take(">i")):
            _perr, pid, _leader = r.take(">hii")
            for _ in range(2):  # replica_nodes, isr_nodes
                n = r.take(">i")
                r.pos += 4 * n
            parts.append(pid)
        topics[name] = (err, parts)
    assert r.rest() == 0, f"{r.rest()} unexpected bytes after the Metadata v1 body"
    return brokers, controller, topics


class RawKafka:
    """One TCP connection to the Kafka listener, speaking bytes. Every read has
    a deadline."""

    def __init__(self, broker, timeout=DEFAULT_WAIT_S):
        self.timeout = timeout
        self.sock = socket.create_connection((broker.host, broker.kafka_port), timeout=timeout)
        self.buf = b""
        self.next_id = 1

    def send(self, data: bytes):
        self.sock.sendall(data)

    def request(self, api_key, version, body=b"", client_id="e2e-raw") -> int:
        """Sends a request with header v1; returns its correlation id."""
        cid = self.next_id
        self.next_id += 1
        self.send(request_bytes(api_key, version, cid, body, client_id))
        return cid

    def _fill(self, n, deadline):
        while len(self.buf) < n:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no complete response in time")
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                raise TimeoutError("no complete response in time")
            if not chunk:
                raise ConnectionError("server closed the connection")
            self.buf += chunk

    def recv(self, timeout=None):
        """The next response: (correlation_id, rest of the message)."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        self._fill(4, deadline)
        size = struct.unpack(">i", self.buf[:4])[0]
        self._fill(4 + size, deadline)
        msg, self.buf = self.buf[4:4 + size], self.buf[4 + size:]
        return struct.unpack(">i", msg[:4])[0], msg[4:]

    def call(self, api_key, version, body=b""):
        cid = self.request(api_key, version, body)
        got, rest = self.recv()
        assert got == cid, f"response for correlation id {got}, expected {cid}"
        return rest

    def api_versions_v0(self):
        return parse_api_versions_v0(self.call(API_VERSIONS, 0))

    def expect_closed(self, timeout=None):
        """Waits until the server closes the connection (EOF or reset) without
        sending anything more."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError("server did not close the connection in time")
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                continue
            except ConnectionResetError:
                return
            if not chunk:
                return
            raise AssertionError(f"server sent {chunk[:60]!r} instead of closing")

    def close(self):
        self.sock.close()
