"""MQTT and Kafka on one topic (docs/kafka.md "MQTT and Kafka on one topic"):
an MQTT filter bound to a Kafka topic (topic.bindings, or robustctl topic bind)
stores MQTT publishes in the Kafka topic's partitions, where Kafka consumers
read them, and delivers records Kafka clients produce there to MQTT
subscribers. Real clients on both sides: paho-mqtt, confluent-kafka, kcat, and
kafka-python's murmur2 as the independent reference for the partition.
"""

import json
import os
import subprocess
import time
from pathlib import Path

import pytest

import admin_client
import harness
import kafka_util as K
from harness import Client, props, unique

pytestmark = pytest.mark.skipif(harness.IS_MOSQUITTO, reason="mosquitto has no Kafka listener")


def bound_broker(broker_factory, monkeypatch, rules, partitions=3):
    monkeypatch.setenv("ROBUSTMQ_TOPIC_BINDINGS", rules)
    return broker_factory(kafka={"num_partitions": partitions})


def java_partition(key: bytes, partitions: int) -> int:
    """Kafka's default partitioner, from kafka-python (not from our code)."""
    from kafka.partitioner.default import murmur2
    return (murmur2(key) & 0x7FFFFFFF) % partitions


def disconnect_and_wait_offline(broker, client, tenant="default"):
    """Disconnects and waits until the server has detached the session, so
    nothing more is delivered to (and acknowledged by) the old connection."""
    client.disconnect()
    admin = admin_client.Admin(broker)
    path = f"/api/v1/sessions/{admin_client.quote(client.client_id)}?tenant={tenant}"
    K.wait_for(lambda: not admin.ok("GET", path)["connected"], what="session offline")


def read_all(kclients, broker, topic, count, **conf):
    consumer = kclients.consumer(broker, **conf)
    consumer.subscribe([topic])
    return K.consume(consumer, count)


def test_mqtt_publishes_are_read_by_kafka_consumers(broker_factory, monkeypatch, kclients):
    K.require_confluent()
    broker = bound_broker(broker_factory, monkeypatch, "sensors/#=sensors")
    pub = Client(broker)
    sent = []
    for i, room in enumerate(["room1", "room2", "room3", "room4", "room1"]):
        topic = f"sensors/{room}/temp"
        payload = f"{20 + i}".encode()
        p = props("PUBLISH", ContentType="text/plain", UserProperty=[("unit", "C"), ("n", str(i))])
        pub.publish(topic, payload, qos=1, properties=p)
        sent.append((topic, payload, i))
    # QoS 0 goes to Kafka too; a topic outside the filter does not.
    pub.publish("sensors/room9/temp", b"q0", qos=0)
    pub.publish("elsewhere/x", b"not-bound", qos=1)
    records = read_all(kclients, broker, "sensors", 6)
    by_payload = {m.value(): m for m in records}
    assert sorted(by_payload) == sorted([p for _, p, _ in sent] + [b"q0"])
    for topic, payload, i in sent:
        m = by_payload[payload]
        assert m.key() == topic.encode()
        # The partition Java's (and kafka-python's) default partitioner picks for the key.
        assert m.partition() == java_partition(topic.encode(), 3), (topic, m.partition())
        headers = [(k, v) for k, v in m.headers()]
        assert ("unit", b"C") in headers and ("n", str(i).encode()) in headers
        assert ("mqtt.qos", b"1") in headers and ("mqtt.content_type", b"text/plain") in headers
    assert dict(by_payload[b"q0"].headers())["mqtt.qos"] == b"0"
    # Per key, the order of publication is kept (room1 twice, same partition).
    room1 = [m.value() for m in records if m.key() == b"sensors/room1/temp"]
    assert room1 == [b"20", b"24"]
    # Nothing else is in the topic.
    more = kclients.consumer(broker)
    more.subscribe(["sensors"])
    assert len(K.consume(more, 6)) == 6
    msg = more.poll(1.0)
    assert msg is None or msg.error() is not None, msg.value()


def test_kafka_records_reach_mqtt_subscribers_once(broker_factory, monkeypatch, kclients):
    K.require_confluent()
    broker = bound_broker(broker_factory, monkeypatch, "sensors/#=sensors, alerts/fire=alerts")
    sub = Client(broker)
    sub.subscribe("sensors/#", qos=1)
    sub.subscribe("alerts/#", qos=1)
    producer = kclients.producer(broker, **{"compression.type": "lz4"})
    K.produce_all(producer, "sensors", [
        dict(key=b"sensors/room7/hum", value=b"55", headers=[("unit", b"%"), ("mqtt.qos", b"0")]),
        dict(key=b"not/matching", value=b"dropped"),
        dict(key=b"sensors/room8/hum", value=b"60"),
    ])
    # A filter without wildcards: every record is delivered on that topic.
    K.produce_all(producer, "alerts", [dict(key=b"building-4", value=b"smoke")])
    got = sub.expect(3)
    seen = sorted((m.topic, m.payload, m.qos) for m in got)
    assert seen == [("alerts/fire", b"smoke", 1), ("sensors/room7/hum", b"55", 0),
                    ("sensors/room8/hum", b"60", 1)]
    hum = next(m for m in got if m.topic == "sensors/room7/hum")
    assert ("unit", "%") in hum.prop("UserProperty", [])
    # An MQTT publish to a bound topic reaches MQTT subscribers once (when
    # published), not a second time from the Kafka side.
    Client(broker).publish("sensors/room1/temp", b"from-mqtt", qos=1)
    [m] = sub.expect(1)
    assert (m.topic, m.payload) == ("sensors/room1/temp", b"from-mqtt")
    sub.expect_none()


def test_offline_persistent_session_gets_kafka_records_after_a_crash(
        broker_factory, monkeypatch, kclients):
    K.require_confluent()
    broker = bound_broker(broker_factory, monkeypatch, "plant/#=plant", partitions=2)
    cid = unique("persist")
    sub = Client(broker, client_id=cid, clean=False, session_expiry=600)
    sub.subscribe("plant/#", qos=1)
    disconnect_and_wait_offline(broker, sub)
    producer = kclients.producer(broker, **{"compression.type": "gzip", "linger.ms": 50})
    first = [dict(key=f"plant/line{i % 2}".encode(), value=f"a{i}".encode()) for i in range(20)]
    K.produce_all(producer, "plant", first)
    # Queued while offline: delivered on reconnect, per key in produced order.
    sub = Client(broker, client_id=cid, clean=False, session_expiry=600)
    got = sub.expect(20)
    for line in ("plant/line0", "plant/line1"):
        assert [m.payload for m in got if m.topic == line] == \
            [r["value"] for r in first if r["key"] == line.encode()]
    disconnect_and_wait_offline(broker, sub)
    # More records while offline, then SIGKILL: after the restart the session
    # still gets them (the delivery position and the inbox are in the journal).
    # At least once: a record whose delivery position was not yet written may
    # come twice, never not at all, and the order per key is kept.
    second = [dict(key=b"plant/line0", value=f"b{i}".encode()) for i in range(10)]
    K.produce_all(producer, "plant", second)
    broker.kill9()
    broker.start()
    sub = Client(broker, client_id=cid, clean=False, session_expiry=600)
    # Acknowledged "a" records may come again too (the session's cursor is
    # also a journal position): only the "b" records are counted.
    got = []
    deadline = time.monotonic() + 20
    while len(set(got)) < 10 and time.monotonic() < deadline:
        got += [m.payload for m in sub.pending() if m.payload.startswith(b"b")]
        time.sleep(0.05)
    time.sleep(harness.QUIET_S)
    got += [m.payload for m in sub.pending() if m.payload.startswith(b"b")]
    first_seen = list(dict.fromkeys(got))
    assert first_seen == [r["value"] for r in second], got
    assert all(got.count(p) <= 2 for p in first_seen), got


def test_offline_session_gets_mqtt_publishes_stored_in_kafka(broker_factory, monkeypatch):
    # The inbox points into the Kafka partition, whose records are keyed by
    # the topic as the publisher named it; also for a tenant other than default.
    broker = broker_factory()
    admin = admin_client.Admin(broker)
    admin.create_tenant("acme")
    admin.create_user("op", "secret-pass", tenant="acme")
    admin.ok("POST", "/api/v1/topic-bindings",
             {"tenant": "acme", "mqtt_filter": "plant/#", "kafka_topic": "plant"})
    cid = unique("acme-sub")
    kw = dict(client_id=cid, clean=False, session_expiry=600, username="acme@op",
              password="secret-pass")
    sub = Client(broker, **kw)
    sub.subscribe("plant/#", qos=1)
    disconnect_and_wait_offline(broker, sub, tenant="acme")
    pub = Client(broker, username="acme@op", password="secret-pass")
    for i in range(5):
        pub.publish(f"plant/line{i % 2}", f"m{i}".encode(), qos=1)
    broker.restart()
    sub = Client(broker, **kw)
    got = sub.expect(5)
    assert sorted((m.topic, m.payload) for m in got) == \
        sorted((f"plant/line{i % 2}", f"m{i}".encode()) for i in range(5))
    # The default tenant's plant/# is not bound and sees nothing of acme's.
    other = Client(broker)
    other.subscribe("plant/#", qos=1)
    pub = Client(broker, username="acme@op", password="secret-pass")
    pub.publish("plant/line0", b"acme-only", qos=1)
    assert sub.expect_one().payload == b"acme-only"
    other.expect_none()


def robustctl(broker, *args, expect=0):
    binary = os.environ.get("ROBUSTCTL") or str(
        Path(os.environ["ROBUST_SERVER"]).resolve().parents[2] / "robustctl" / "robustctl")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ROBUSTMQ_")}
    r = subprocess.run([binary, "--server", f"http://{broker.host}:{broker.http_port}",
                        "--data-dir", str(broker.data_dir), *args],
                       capture_output=True, text=True, timeout=30, env=env)
    assert r.returncode == expect, f"robustctl {args}: exit {r.returncode}\n{r.stdout}{r.stderr}"
    return r


def test_robustctl_binds_and_unbinds_at_runtime(broker, kclients):
    K.require_confluent()
    robustctl(broker, "topic", "bind", "meters/#", "meters", "--partitions", "2")
    listed = json.loads(robustctl(broker, "-o", "json", "topic", "bindings").stdout)
    assert [(b["mqtt_filter"], b["kafka_topic"]) for b in listed["items"]] == [("meters/#", "meters")]
    topic = json.loads(robustctl(broker, "-o", "json", "topic", "get", "meters").stdout)
    assert topic["partitions"] == 2
    # An overlapping filter is refused, naming the binding it overlaps.
    bad = robustctl(broker, "topic", "bind", "meters/+/kwh", "kwh", expect=1)
    assert "meters/#" in bad.stdout + bad.stderr
    pub = Client(broker)
    pub.publish("meters/a/kwh", b"1.5", qos=1)
    consumer = kclients.consumer(broker)
    consumer.subscribe(["meters"])
    [m] = K.consume(consumer, 1)
    assert (m.key(), m.value()) == (b"meters/a/kwh", b"1.5")
    robustctl(broker, "topic", "unbind", "meters/#")
    assert json.loads(robustctl(broker, "-o", "json", "topic", "bindings").stdout)["total"] == 0
    # Unbound: MQTT still delivers, the Kafka topic gets nothing new.
    sub = Client(broker)
    sub.subscribe("meters/#", qos=1)
    pub.publish("meters/a/kwh", b"2.0", qos=1)
    assert sub.expect_one().payload == b"2.0"
    late = consumer.poll(1.5)
    assert late is None or late.error() is not None, late.value()
    robustctl(broker, "topic", "unbind", "meters/#", expect=1)


def test_an_invalid_binding_in_the_config_stops_the_start(broker_factory, monkeypatch):
    monkeypatch.setenv("ROBUSTMQ_TOPIC_BINDINGS", "a/#=first, a/b/#=second")
    with pytest.raises(AssertionError) as e:
        broker_factory()
    assert "overlaps" in str(e.value) and "topic.bindings" in str(e.value), str(e.value)


def test_mqtt_topics_and_kafka_topics_share_names_without_harm(broker_factory, kclients):
    K.require_confluent()
    broker = broker_factory(kafka={"num_partitions": 1})
    admin = kclients.admin(broker)
    # An MQTT publish to the name of an existing 3-partition Kafka topic leaves
    # that topic as it is (the MQTT side records no topic over it).
    kafka_topic = K.make_topic(kclients, broker, 3, prefix="shared")
    Client(broker).publish(kafka_topic, b"from-mqtt", qos=1)
    time.sleep(harness.QUIET_S)
    meta = admin.list_topics(timeout=10).topics
    assert len(meta[kafka_topic].partitions) == 3
    # A name MQTT used first is no Kafka topic (no Metadata entry, no shard),
    # but Kafka may still create it.
    mqtt_first = unique("mqttfirst")
    Client(broker).publish(mqtt_first, b"x", qos=1)
    time.sleep(harness.QUIET_S)
    assert mqtt_first not in admin.list_topics(timeout=10).topics
    from confluent_kafka.admin import NewTopic
    fs = admin.create_topics([NewTopic(mqtt_first, 2, 1)], operation_timeout=10)
    assert fs[mqtt_first].result(10) is None
    assert len(admin.list_topics(timeout=10).topics[mqtt_first].partitions) == 2
