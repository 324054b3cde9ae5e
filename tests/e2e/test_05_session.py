"""Persistent sessions: subscriptions and queued QoS 1/2 messages kept across
disconnects and server restarts, session expiry, clean session discarding state,
offline queue limit (3.1.1 §3.1.2.4, §4.1; 5.0 §3.1.2.4, §3.1.2.11.2, §4.1)."""

import time

import pytest

from harness import Client, unique
import raw_mqtt as R


def _persistent(broker, cid, version, expiry=3600, **kw):
    if version == 5:
        return Client(broker, cid, version=5, clean=False, session_expiry=expiry, **kw)
    return Client(broker, cid, version=4, clean=False, **kw)


@pytest.mark.parametrize("version", [4, 5])
def test_offline_messages_queued_for_persistent_session(broker, version):
    # 3.1.1 §4.1 / 5.0 §4.1: the session holds subscriptions and QoS 1/2 messages
    # that arrive while the client is disconnected; [MQTT-3.1.2-5] (3.1.1) they are
    # delivered on reconnect.
    cid, topic = unique(), unique("q")
    sub = _persistent(broker, cid, version)
    sub.subscribe(topic, 2)
    sub.disconnect()
    pub = Client(broker, version=5)
    for i in range(10):
        pub.publish(topic, f"m{i}".encode(), qos=1 + i % 2)
    sub = _persistent(broker, cid, version)
    assert sub.session_present
    got = sub.expect(10)
    # [MQTT-4.6.0-6] order is only guaranteed per topic *and QoS*
    for qos in (1, 2):
        assert [(m.payload, m.qos) for m in got if m.qos == qos] == [
            (f"m{i}".encode(), qos) for i in range(10) if 1 + i % 2 == qos]


@pytest.mark.parametrize("version", [4, 5])
def test_session_survives_server_restart(broker, version):
    # Subscriptions and queued QoS 1/2 messages of a persistent session survive a
    # graceful restart (session state is durable: ARCHITECTURE "Nothing
    # acknowledged is lost").
    cid, topic = unique(), unique("q")
    sub = _persistent(broker, cid, version)
    sub.subscribe(topic, 1)
    sub.disconnect()
    pub = Client(broker, version=5)
    for i in range(5):
        pub.publish(topic, f"before-{i}".encode(), qos=1)
    pub.close()
    broker.restart()
    pub = Client(broker, version=5)
    pub.publish(topic, b"after-restart", qos=1)
    sub = _persistent(broker, cid, version)
    assert sub.session_present
    got = sub.expect(6)
    assert [m.payload for m in got] == [f"before-{i}".encode() for i in range(5)] + [
        b"after-restart"]


def test_subscription_survives_restart_while_connected_elsewhere(broker):
    # The subscription (not only the queue) is restored: messages published after
    # the restart while the client is still offline reach it.
    cid, topic = unique(), unique("q")
    sub = _persistent(broker, cid, 5)
    sub.subscribe(f"{topic}/+", 2)
    sub.disconnect()
    broker.restart()
    pub = Client(broker, version=4)
    pub.publish(f"{topic}/x", b"post-restart", qos=2)
    sub = _persistent(broker, cid, 5)
    m = sub.expect_one()
    assert (m.topic, m.payload, m.qos) == (f"{topic}/x", b"post-restart", 2)


def test_v5_session_expiry_discards_session(broker):
    # 5.0 §3.1.2.11.2: after Session Expiry Interval seconds offline the Server
    # discards the session: Session Present 0 and nothing queued.
    cid, topic = unique(), unique("exp")
    sub = _persistent(broker, cid, 5, expiry=1)
    sub.subscribe(topic, 1)
    sub.disconnect()
    Client(broker, version=5).publish(topic, b"lost", qos=1)
    time.sleep(2.5)  # the expiry itself is what is under test: wait past it
    sub = _persistent(broker, cid, 5, expiry=60)
    assert not sub.session_present
    assert sub.barrier(Client(broker, version=5)) == []


def test_v5_session_expiry_set_to_zero_on_disconnect(broker):
    # 5.0 §3.14.2.2.2: the client may change the Session Expiry Interval in
    # DISCONNECT; 0 ends the session with the connection.
    cid = unique()
    r = R.RawClient(broker, version=R.V5)
    r.connect(cid, clean=False, props=[(R.SESSION_EXPIRY_INTERVAL, 600)])
    r.subscribe(unique("t"), 1)
    r.disconnect(props=[(R.SESSION_EXPIRY_INTERVAL, 0)])
    r = R.RawClient(broker, version=R.V5)
    assert not r.connect(cid, clean=False).session_present
    r.close()


def test_v5_nonzero_expiry_on_disconnect_after_zero_is_protocol_error(broker):
    # 5.0 §3.14.2.2.2: Session Expiry Interval 0 at CONNECT and non-zero in
    # DISCONNECT is a Protocol Error: the server MAY send DISCONNECT 0x82 and
    # must not keep the session.
    cid = unique()
    r = R.RawClient(broker, version=R.V5)
    r.connect(cid, clean=True)
    r.send(R.disconnect(R.V5, props=[(R.SESSION_EXPIRY_INTERVAL, 600)]))
    r.expect_closed(disconnect_reasons={R.RC_PROTOCOL_ERROR})
    r.close()
    r = R.RawClient(broker, version=R.V5)
    assert not r.connect(cid, clean=False).session_present
    r.close()


@pytest.mark.parametrize("version", [4, 5])
def test_clean_connect_discards_subscriptions(broker, version):
    # [MQTT-3.1.2-6] (3.1.1) / [MQTT-3.1.2-4] (5.0): Clean Session/Start 1 discards
    # the existing session, including its subscriptions.
    cid, topic = unique(), unique("t")
    sub = _persistent(broker, cid, version)
    sub.subscribe(topic, 1)
    sub.disconnect()
    if version == 5:
        clean = Client(broker, cid, version=5, clean=True, session_expiry=3600)
    else:
        clean = Client(broker, cid, version=4, clean=True)
    assert not clean.session_present
    pub = Client(broker, version=5)
    pub.publish(topic, b"nobody", qos=1)
    assert clean.barrier(pub) == []


def test_qos0_not_required_while_offline_but_qos1_kept(broker):
    # 3.1.1 §4.1: QoS 0 messages MAY be queued for an offline session; QoS 1/2
    # MUST be. Only the QoS 1 messages are asserted, in order.
    cid, topic = unique(), unique("q")
    sub = _persistent(broker, cid, 4)
    sub.subscribe(topic, 1)
    sub.disconnect()
    pub = Client(broker, version=4)
    for i in range(6):
        pub.publish(topic, f"{i}".encode(), qos=i % 2)
    sub = _persistent(broker, cid, 4)
    got = sub.barrier(pub)
    assert [m.payload for m in got if m.qos == 1] == [b"1", b"3", b"5"]


def test_offline_queue_limit(broker_factory):
    # Bounded queues (ARCHITECTURE "Bounded queues everywhere"): with
    # max_queued_messages=5 an offline session keeps at most 5 (plus messages
    # already in flight, for brokers that count those apart) and the broker and
    # the publisher are unaffected by the overflow.
    broker = broker_factory(max_queued_messages=5)
    cid, topic = unique(), unique("lim")
    sub = _persistent(broker, cid, 5)
    sub.subscribe(topic, 1)
    sub.disconnect()
    pub = Client(broker, version=5)
    for i in range(30):
        pub.publish(topic, str(i).encode(), qos=1)
    sub = _persistent(broker, cid, 5)
    got = sub.barrier(pub)
    seqs = [int(m.payload) for m in got]
    assert 1 <= len(seqs) <= 5, f"received {len(seqs)} queued messages: {seqs}"
    assert seqs == sorted(seqs)
    # the session still works after the overflow
    pub.publish(topic, b"live", qos=1)
    assert sub.expect_one().payload == b"live"


@pytest.mark.robust_only
def test_shutdown_sends_server_shutting_down_and_keeps_session(broker):
    # 5.0 §4.13: on SIGTERM robust-server sends DISCONNECT 0x8B (Server shutting
    # down) to MQTT 5 clients and exits 0 (checked by broker.stop); a persistent
    # session with its subscription is there again after the restart.
    cid, topic = unique(), unique("sd")
    sub = _persistent(broker, cid, 5)
    sub.subscribe(topic, 1)
    sub.disconnect()
    r = R.RawClient(broker, version=R.V5)
    r.connect(unique())
    broker.stop()
    d = r.expect(R.DISCONNECT)
    assert d.reason == 0x8B, d
    r.close()
    broker.start()
    sub = _persistent(broker, cid, 5)
    assert sub.session_present
    pub = Client(broker, version=5)
    pub.publish(topic, b"after-restart", qos=1)
    assert sub.expect(1)[0].payload == b"after-restart"
