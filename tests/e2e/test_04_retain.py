"""Retained messages: store, replace, clear, delivery on subscribe, retain flag
rules, v5 Retain Handling and Retain As Published, persistence across restart
(3.1.1 §3.3.1.3; 5.0 §3.3.1.3, §3.8.3.1)."""

import pytest
from paho.mqtt.subscribeoptions import SubscribeOptions

from harness import Client, unique


@pytest.mark.parametrize("version", [4, 5])
def test_retained_delivered_on_subscribe_with_retain_flag(broker, version):
    # [MQTT-3.3.1-5] store; [MQTT-3.3.1-6] deliver to new subscriptions;
    # [MQTT-3.3.1-8] (3.1.1) RETAIN=1 when sent because of a new subscription.
    topic = unique("r")
    pub = Client(broker, version=version)
    pub.publish(topic, b"kept", qos=1, retain=True)
    sub = Client(broker, version=version)
    sub.subscribe(topic, 1)
    m = sub.expect_one()
    assert (m.payload, m.retain, m.qos) == (b"kept", True, 1)


def test_retained_replaced_by_newer(broker):
    topic = unique("r")
    pub = Client(broker, version=4)
    pub.publish(topic, b"old", qos=1, retain=True)
    pub.publish(topic, b"new", qos=1, retain=True)
    sub = Client(broker, version=4)
    sub.subscribe(topic, 1)
    assert sub.expect_one().payload == b"new"
    assert sub.barrier(pub) == []


@pytest.mark.parametrize("version", [4, 5])
def test_empty_retained_clears(broker, version):
    # [MQTT-3.3.1-10] a zero-byte retained message removes the retained message;
    # [MQTT-3.3.1-11] and is not stored itself. It is still delivered to current
    # subscribers as a normal message (3.1.1 §3.3.1.3).
    topic = unique("r")
    pub = Client(broker, version=version)
    live = Client(broker, version=version)
    live.subscribe(topic, 1)
    pub.publish(topic, b"x", qos=1, retain=True)
    pub.publish(topic, b"", qos=1, retain=True)
    got = live.expect(2)
    assert [m.payload for m in got] == [b"x", b""]
    sub = Client(broker, version=version)
    sub.subscribe(topic, 1)
    assert sub.barrier(pub) == []
    sub.expect_none()


@pytest.mark.parametrize("version", [4, 5])
def test_live_delivery_clears_retain_flag(broker, version):
    # 3.1.1 [MQTT-3.3.1-9]: RETAIN=0 when sent to an established subscription.
    # 5.0 [MQTT-3.3.1-12]: with Retain As Published 0 (default), RETAIN=0.
    topic = unique("r")
    sub = Client(broker, version=version)
    sub.subscribe(topic, 1)
    pub = Client(broker, version=version)
    pub.publish(topic, b"live", qos=1, retain=True)
    m = sub.expect_one()
    assert m.payload == b"live" and not m.retain


def test_retained_wildcard_subscription_gets_all(broker):
    base = unique("rw")
    pub = Client(broker, version=5)
    for i in range(5):
        pub.publish(f"{base}/{i}", str(i).encode(), qos=1, retain=True)
    sub = Client(broker, version=5)
    sub.subscribe(f"{base}/#", 1)
    got = sub.expect(5)
    assert sorted(m.topic for m in got) == [f"{base}/{i}" for i in range(5)]
    assert all(m.retain for m in got)


@pytest.mark.parametrize("pub_qos,sub_qos", [(1, 0), (2, 1), (0, 2)])
def test_retained_qos_is_min_of_publish_and_subscription(broker, pub_qos, sub_qos):
    # 3.3.1.3: retained messages are delivered at min(stored QoS, granted QoS)
    topic = unique("rq")
    pub = Client(broker, version=4)
    pub.publish(topic, b"q", qos=pub_qos, retain=True)
    # packets of one connection are handled in order: once this PUBACK is back,
    # the retained message (even a QoS 0 one) has been stored
    pub.publish(unique("after"), b"", qos=1)
    sub = Client(broker, version=4)
    sub.subscribe(topic, sub_qos)
    assert sub.expect_one().qos == min(pub_qos, sub_qos)


def test_v5_retain_handling_0_sends_on_every_subscribe(broker):
    # [MQTT-3.3.1-9] (5.0) Retain Handling 0: send retained messages on subscribe,
    # also when the subscription already existed.
    topic = unique("rh")
    pub = Client(broker, version=5)
    pub.publish(topic, b"r", qos=1, retain=True)
    sub = Client(broker, version=5)
    sub.subscribe(topic, options=SubscribeOptions(qos=1, retainHandling=0))
    assert sub.expect_one().retain
    sub.subscribe(topic, options=SubscribeOptions(qos=1, retainHandling=0))
    assert sub.expect_one().retain


def test_v5_retain_handling_1_only_for_new_subscription(broker):
    # [MQTT-3.3.1-10] Retain Handling 1: send retained messages only if the
    # subscription did not already exist.
    topic = unique("rh")
    pub = Client(broker, version=5)
    pub.publish(topic, b"r", qos=1, retain=True)
    sub = Client(broker, version=5)
    sub.subscribe(topic, options=SubscribeOptions(qos=1, retainHandling=1))
    assert sub.expect_one().retain
    sub.subscribe(topic, options=SubscribeOptions(qos=1, retainHandling=1))
    assert sub.barrier(pub) == []


def test_v5_retain_handling_2_never(broker):
    # [MQTT-3.3.1-11] Retain Handling 2: do not send retained messages on subscribe
    topic = unique("rh")
    pub = Client(broker, version=5)
    pub.publish(topic, b"r", qos=1, retain=True)
    sub = Client(broker, version=5)
    sub.subscribe(topic, options=SubscribeOptions(qos=1, retainHandling=2))
    assert sub.barrier(pub) == []
    # live messages still flow
    pub.publish(topic, b"live", qos=1)
    assert sub.expect_one().payload == b"live"


def test_v5_retain_as_published(broker):
    # [MQTT-3.3.1-13] Retain As Published 1: RETAIN as set by the publisher;
    # [MQTT-3.3.1-12] Retain As Published 0: RETAIN=0 on live delivery.
    topic = unique("rap")
    rap = Client(broker, version=5)
    rap.subscribe(topic, options=SubscribeOptions(qos=1, retainAsPublished=True))
    plain = Client(broker, version=5)
    plain.subscribe(topic, options=SubscribeOptions(qos=1, retainAsPublished=False))
    pub = Client(broker, version=5)
    pub.publish(topic, b"retained", qos=1, retain=True)
    pub.publish(topic, b"normal", qos=1, retain=False)
    assert [(m.payload, m.retain) for m in rap.expect(2)] == [(b"retained", True),
                                                            (b"normal", False)]
    assert [(m.payload, m.retain) for m in plain.expect(2)] == [(b"retained", False),
                                                              (b"normal", False)]


def test_retained_survive_restart(broker):
    base = unique("rs")
    pub = Client(broker, version=5)
    pub.publish(f"{base}/a", b"A", qos=1, retain=True)
    pub.publish(f"{base}/b", b"B", qos=2, retain=True)
    pub.publish(f"{base}/c", b"C", qos=1, retain=True)
    pub.publish(f"{base}/c", b"", qos=1, retain=True)  # cleared before the restart
    pub.close()
    broker.restart()
    sub = Client(broker, version=5)
    sub.subscribe(f"{base}/#", 2)
    got = sub.expect(2)
    assert sorted((m.topic, m.payload, m.qos) for m in got) == [
        (f"{base}/a", b"A", 1), (f"{base}/b", b"B", 2)]
    assert sub.barrier(Client(broker, version=5)) == []
