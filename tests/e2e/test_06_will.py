"""Will messages: published on abnormal disconnect only, v5 DISCONNECT 0x04,
Will Delay Interval, will QoS/retain and properties
(3.1.1 §3.1.2.5-3.1.2.7, §3.14; 5.0 §3.1.2.5, §3.1.3.2, §3.14)."""

import time

import pytest

from harness import Client, unique
import harness
import raw_mqtt as R

VERSIONS = [pytest.param(R.V311, id="v311"), pytest.param(R.V5, id="v5")]


def _watcher(broker, topic, qos=1):
    w = Client(broker, version=5)
    w.subscribe(topic, qos)
    return w


@pytest.mark.parametrize("version", VERSIONS)
def test_will_sent_on_socket_close(broker, raw, version):
    # [MQTT-3.1.2-8] the Will Message MUST be published when the Network
    # Connection is closed without a DISCONNECT.
    topic = unique("will")
    w = _watcher(broker, topic)
    r = raw(version)
    r.connect(unique(), will=R.Will(topic, b"gone", qos=1))
    r.close()
    m = w.expect_one()
    assert (m.topic, m.payload, m.qos, m.retain) == (topic, b"gone", 1, False)


@pytest.mark.parametrize("version", VERSIONS)
def test_will_not_sent_on_normal_disconnect(broker, raw, version):
    # [MQTT-3.1.2-10] the Will Message MUST be removed on receipt of DISCONNECT
    # (5.0: DISCONNECT with reason 0x00).
    topic = unique("will")
    w = _watcher(broker, topic)
    r = raw(version)
    r.connect(unique(), will=R.Will(topic, b"must-not-arrive", qos=1))
    r.disconnect()  # returns once the server closed its side
    assert w.barrier(Client(broker, version=5)) == []
    w.expect_none()


def test_v5_disconnect_with_will_message_0x04(broker, raw):
    # 5.0 §3.14.2.1: reason 0x04 (Disconnect with Will Message): the client
    # disconnects normally but the Server publishes the Will Message.
    topic = unique("will")
    w = _watcher(broker, topic)
    r = raw(R.V5)
    r.connect(unique(), will=R.Will(topic, b"asked-for", qos=1))
    r.disconnect(reason=R.RC_DISCONNECT_WITH_WILL)
    assert w.expect_one().payload == b"asked-for"


def test_will_sent_on_protocol_error(broker, raw):
    # 3.1.1 §3.1.2.5: the will is published when the Server closes the connection
    # because of a protocol error.
    topic = unique("will")
    w = _watcher(broker, topic)
    r = raw(R.V311)
    r.connect(unique(), will=R.Will(topic, b"broken", qos=0))
    r.send(b"\x00\x00")  # reserved packet type 0
    r.expect_closed()
    assert w.expect_one().payload == b"broken"


def test_will_sent_on_keep_alive_timeout(broker, raw):
    # [MQTT-3.1.2-24] keep alive expiry closes the connection "as if the network
    # had failed", so the will is published.
    topic = unique("will")
    w = _watcher(broker, topic)
    r = raw(R.V311)
    r.connect(unique(), keepalive=1, will=R.Will(topic, b"silent", qos=1))
    # mosquitto 2.0.11 checks keep alive only every few seconds (see test_01)
    assert w.expect_one(timeout=8 if harness.IS_MOSQUITTO else 4).payload == b"silent"


def test_will_qos_and_retain_honoured(broker, raw):
    # [MQTT-3.1.2-14..17] (3.1.1): will QoS and Will Retain are used for the
    # published will; a retained will is kept for later subscribers.
    topic = unique("will")
    w = _watcher(broker, topic, qos=2)
    r = raw(R.V311)
    r.connect(unique(), will=R.Will(topic, b"retained-will", qos=2, retain=True))
    r.close()
    m = w.expect_one()
    assert m.qos == 2 and m.payload == b"retained-will"
    late = Client(broker, version=4)
    late.subscribe(topic, 2)
    m = late.expect_one()
    assert (m.payload, m.qos, m.retain) == (b"retained-will", 2, True)


def test_v5_will_properties_forwarded(broker, raw):
    # 5.0 §3.1.3.2: will properties (content type, response topic, correlation
    # data, user properties) are sent with the will.
    topic = unique("will")
    w = _watcher(broker, topic)
    r = raw(R.V5)
    r.connect(unique(), will=R.Will(topic, b"{}", qos=1, props=[
        (R.CONTENT_TYPE, "application/json"),
        (R.RESPONSE_TOPIC, "reply/here"),
        (R.CORRELATION_DATA, b"\x01\x02"),
        (R.USER_PROPERTY, ("k", "v1")),
        (R.USER_PROPERTY, ("k", "v2")),
    ]))
    r.close()
    m = w.expect_one()
    assert m.prop("ContentType") == "application/json"
    assert m.prop("ResponseTopic") == "reply/here"
    assert m.prop("CorrelationData") == b"\x01\x02"
    assert m.prop("UserProperty") == [("k", "v1"), ("k", "v2")]


def test_v5_will_delay_interval(broker, raw):
    # 5.0 §3.1.3.2.2: the Server delays publishing the will by the Will Delay
    # Interval (the session outlives it here).
    topic = unique("will")
    w = _watcher(broker, topic)
    r = raw(R.V5)
    r.connect(unique(), clean=True, props=[(R.SESSION_EXPIRY_INTERVAL, 60)],
              will=R.Will(topic, b"late", qos=1, props=[(R.WILL_DELAY_INTERVAL, 2)]))
    t0 = time.monotonic()
    r.close()
    m = w.expect_one(timeout=6)
    elapsed = time.monotonic() - t0
    assert m.payload == b"late"
    assert elapsed >= 1.5, f"will published after {elapsed:.2f}s, delay is 2 s"


def test_v5_will_delay_cancelled_by_reconnect(broker, raw):
    # [MQTT-3.1.3-9]: if a new Network Connection to this Session is made before
    # the Will Delay Interval has passed, the Server MUST NOT send the will.
    topic, cid = unique("will"), unique()
    w = _watcher(broker, topic)
    expiry = [(R.SESSION_EXPIRY_INTERVAL, 60)]
    r = raw(R.V5)
    r.connect(cid, props=expiry,
              will=R.Will(topic, b"cancelled", qos=1, props=[(R.WILL_DELAY_INTERVAL, 1)]))
    r.close()
    r2 = raw(R.V5)
    assert r2.connect(cid, clean=False, props=expiry).session_present
    time.sleep(1.5)  # past the will delay: the timer is what is under test
    assert w.barrier(Client(broker, version=5)) == []
    w.expect_none()


def test_v5_will_sent_when_session_ends_before_delay(broker, raw):
    # 5.0 §3.1.3.2.2: the will is published when the Will Delay Interval passes
    # or the Session ends, whichever happens first.
    topic = unique("will")
    w = _watcher(broker, topic)
    r = raw(R.V5)
    r.connect(unique(), props=[(R.SESSION_EXPIRY_INTERVAL, 1)],
              will=R.Will(topic, b"session-ended", qos=1, props=[(R.WILL_DELAY_INTERVAL, 30)]))
    t0 = time.monotonic()
    r.close()
    assert w.expect_one(timeout=6).payload == b"session-ended"
    assert time.monotonic() - t0 < 6
