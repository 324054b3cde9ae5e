"""$SYS topics, published every sys_interval_s seconds.

robust-server publishes (retained, like mosquitto) these exact topics:
  $SYS/broker/version             free text, non-empty
  $SYS/broker/uptime              "<seconds> seconds" (a bare integer is accepted)
  $SYS/broker/clients/connected   integer
  $SYS/broker/messages/received   integer, all MQTT packets received
  $SYS/broker/messages/sent       integer, all MQTT packets sent
  $SYS/broker/bytes/received      integer
  $SYS/broker/bytes/sent          integer
[MQTT-4.7.2-1]: wildcards at the first level do not match topics starting with '$'.
"""

import re
import time

import pytest

from harness import Client, unique

SYS_TOPICS = [
    "$SYS/broker/version",
    "$SYS/broker/uptime",
    "$SYS/broker/clients/connected",
    "$SYS/broker/messages/received",
    "$SYS/broker/messages/sent",
    "$SYS/broker/bytes/received",
    "$SYS/broker/bytes/sent",
]
COUNTERS = SYS_TOPICS[2:]


@pytest.fixture
def sys_broker(broker_factory):
    return broker_factory(sys_interval_s=1)


def _latest(client, topics, timeout=5.0):
    """Latest payload per topic once every topic in `topics` has been seen."""
    seen = {}
    deadline = time.monotonic() + timeout
    while not all(t in seen for t in topics):
        left = deadline - time.monotonic()
        assert left > 0, f"missing $SYS topics: {[t for t in topics if t not in seen]}"
        for m in client.expect(1, timeout=left):
            seen[m.topic] = m.payload.decode()
    return seen


def _int(payload):
    m = re.fullmatch(r"(\d+)(?: seconds)?", payload.strip())
    assert m, f"not a counter: {payload!r}"
    return int(m.group(1))


def _wait_counter(client, topic, pred, timeout=6.0):
    """Reads `topic` until pred(value) holds; returns the value."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            m = client.expect_one(timeout=max(0.05, deadline - time.monotonic()), topic=topic)
        except AssertionError:
            break
        last = _int(m.payload.decode())
        if pred(last):
            return last
    raise AssertionError(f"{topic} never satisfied the condition; last value {last}")


def test_sys_topics_published(sys_broker):
    c = Client(sys_broker, version=5)
    c.subscribe("$SYS/broker/#", 0)
    vals = _latest(c, SYS_TOPICS)
    assert vals["$SYS/broker/version"].strip()
    for t in ["$SYS/broker/uptime"] + COUNTERS:
        _int(vals[t])
    # the retained value may predate this client; the next update counts it
    _wait_counter(c, "$SYS/broker/clients/connected", lambda v: v >= 1)


def test_sys_topics_subscribable_individually(sys_broker):
    c = Client(sys_broker, version=4)
    for t in SYS_TOPICS:
        c.subscribe(t, 0)
    _latest(c, SYS_TOPICS)


def test_sys_uptime_increases(sys_broker):
    c = Client(sys_broker, version=5)
    c.subscribe("$SYS/broker/uptime", 0)
    first = _int(c.expect_one().payload.decode())
    _wait_counter(c, "$SYS/broker/uptime", lambda v: v > first, timeout=4)


def test_sys_messages_and_bytes_count_traffic(sys_broker):
    c = Client(sys_broker, version=5)
    c.subscribe("$SYS/broker/#", 0)
    latest = _latest(c, COUNTERS)
    start = {t: _int(latest[t]) for t in COUNTERS[1:]}
    pub = Client(sys_broker, version=4)
    sub = Client(sys_broker, version=4)
    topic = unique("count")
    sub.subscribe(topic, 1)
    for i in range(20):
        pub.publish(topic, b"x" * 100, qos=1)
    sub.expect(20)
    _wait_counter(c, "$SYS/broker/messages/received",
                  lambda v: v >= start["$SYS/broker/messages/received"] + 20)
    _wait_counter(c, "$SYS/broker/messages/sent",
                  lambda v: v >= start["$SYS/broker/messages/sent"] + 20)
    _wait_counter(c, "$SYS/broker/bytes/received",
                  lambda v: v >= start["$SYS/broker/bytes/received"] + 2000)
    _wait_counter(c, "$SYS/broker/bytes/sent",
                  lambda v: v >= start["$SYS/broker/bytes/sent"] + 2000)


def test_sys_clients_connected_follows_connections(sys_broker):
    c = Client(sys_broker, version=5)
    c.subscribe("$SYS/broker/clients/connected", 0)
    # the retained value may predate this client: wait until it is counted
    base = _wait_counter(c, "$SYS/broker/clients/connected", lambda v: v >= 1)
    extra = [Client(sys_broker, version=4) for _ in range(3)]
    _wait_counter(c, "$SYS/broker/clients/connected", lambda v: v >= base + 3)
    for e in extra:
        e.disconnect()
    _wait_counter(c, "$SYS/broker/clients/connected", lambda v: v <= base)


def test_hash_does_not_match_sys(sys_broker):
    # [MQTT-4.7.2-1] a filter starting with a wildcard does not match '$' topics
    everything = Client(sys_broker, version=5)
    everything.subscribe("#", 0)
    everything.subscribe("+/broker/#", 0)
    watcher = Client(sys_broker, version=5)
    watcher.subscribe("$SYS/broker/uptime", 0)
    watcher.expect_one()  # $SYS is being published...
    watcher.expect_one(timeout=3)  # ...including after `everything` subscribed
    pub = Client(sys_broker, version=5)
    got = everything.barrier(pub)
    assert [m.topic for m in got if m.topic.startswith("$")] == []
