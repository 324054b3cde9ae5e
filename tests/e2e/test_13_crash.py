"""Crash safety: every PUBACKed QoS 1 message reaches a persistent subscriber
after the broker is killed with SIGKILL mid-stream and restarted on the same
data dir (ARCHITECTURE principle 5: "Nothing acknowledged is lost").

A persistent v5 session (clean start 0, session expiry 3600) subscribes at QoS 1
and goes offline. A paho publisher sends QoS 1 messages carrying sequence
numbers as fast as it can and records which were acknowledged (paho marks a
message published only when its PUBACK arrives). After ~1.5 s the broker is
killed; it is restarted; the subscriber reconnects and must receive every
acknowledged sequence number (more, and duplicates, are fine).

mosquitto only writes its persistence file periodically and at shutdown, so the
SIGKILL variant is robust_only; the graceful-restart variant runs the same logic
on both brokers and checks the test itself.
"""

import threading
import time

import paho.mqtt.client as mqtt
import pytest

from harness import Client, unique

PUBLISH_SECONDS = 1.5
MAX_OUTSTANDING = 2000


def _publish_until_failure(broker, fail):
    cid, topic = unique("crash-sub"), unique("crash")
    sub = Client(broker, cid, version=5, clean=False, session_expiry=3600)
    sub.subscribe(topic, 1)
    sub.disconnect()

    pub = Client(broker, version=5)
    pub.c.max_inflight_messages_set(500)
    sent = []  # (seq, MQTTMessageInfo), appended by the publisher thread only
    stop = threading.Event()

    def publisher():
        oldest_unacked = 0
        seq = 0
        while not stop.is_set():
            # bound the client-side backlog (paho queues without limit)
            while len(sent) - oldest_unacked > MAX_OUTSTANDING and not stop.is_set():
                if sent[oldest_unacked][1].is_published():
                    oldest_unacked += 1
                else:
                    time.sleep(0.001)
            info = pub.c.publish(topic, str(seq).encode(), qos=1)
            if info.rc != mqtt.MQTT_ERR_SUCCESS:
                return  # connection gone
            sent.append((seq, info))
            seq += 1

    t = threading.Thread(target=publisher, daemon=True)
    t.start()
    time.sleep(PUBLISH_SECONDS)  # the load itself: let the stream run, then fail mid-way
    fail()
    stop.set()
    t.join(10)
    pub.drop()
    acked = {seq for seq, info in sent if info.is_published()}
    assert len(acked) >= 100, f"only {len(acked)} messages acknowledged before the failure"

    if not broker.running:
        broker.start()
    sub = Client(broker, cid, version=5, clean=False, session_expiry=3600)
    assert sub.session_present, "persistent session lost"
    received = set()
    last_progress = time.monotonic()
    deadline = time.monotonic() + 60
    while not acked <= received:
        assert time.monotonic() < deadline, "redelivery too slow"
        if time.monotonic() - last_progress > 5:
            break
        try:
            m = sub.messages.get(timeout=0.5)
        except Exception:
            continue
        received.add(int(m.payload))
        last_progress = time.monotonic()
    print(f"sent {len(sent)}, acknowledged {len(acked)}, received {len(received)}")
    missing = sorted(acked - received)
    assert not missing, (f"{len(missing)} of {len(acked)} acknowledged messages lost "
                         f"(first: {missing[:10]}); sent {len(sent)}, received {len(received)}")


@pytest.mark.robust_only
def test_acknowledged_messages_survive_kill9(broker_factory):
    broker = broker_factory(max_queued_messages=1_000_000)
    _publish_until_failure(broker, broker.kill9)


def test_acknowledged_messages_survive_graceful_restart(broker_factory):
    broker = broker_factory(max_queued_messages=1_000_000)
    _publish_until_failure(broker, broker.restart)
