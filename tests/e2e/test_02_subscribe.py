"""SUBSCRIBE / SUBACK / UNSUBSCRIBE / UNSUBACK and topic matching
(3.1.1 §3.8-3.11, §4.7; 5.0 §3.8-3.11, §4.7-4.8)."""

import pytest

from harness import Client, unique
import raw_mqtt as R

VERSIONS = [pytest.param(R.V311, id="v311"), pytest.param(R.V5, id="v5")]


@pytest.mark.parametrize("version", VERSIONS)
def test_suback_echoes_packet_id_and_grants_qos(raw, version):
    # [MQTT-3.8.4-2] SUBACK has the SUBSCRIBE's Packet Identifier;
    # [MQTT-3.8.4-5] one return code per topic filter, in order.
    r = raw(version)
    r.connect(unique())
    base = unique("t")
    r.send(R.subscribe(4242, [(f"{base}/0", 0), (f"{base}/1", 1), (f"{base}/2", 2)], version))
    ack = r.expect(R.SUBACK)
    assert ack.pid == 4242
    assert ack.codes == [0, 1, 2]


@pytest.mark.parametrize("version", VERSIONS)
def test_unsuback_echoes_packet_id_and_stops_delivery(raw, client, version):
    # [MQTT-3.10.4-4] UNSUBACK with the same Packet Identifier; [MQTT-3.10.4-2]
    # the Server MUST stop adding new messages for that subscription.
    r = raw(version)
    r.connect(unique())
    topic = unique("t")
    r.subscribe(topic, 1)
    r.send(R.unsubscribe(777, [topic], version))
    ack = r.expect(R.UNSUBACK)
    assert ack.pid == 777
    if version == R.V5:
        assert ack.codes == [0x00]
    pub = client(version=5)
    pub.publish(topic, b"after-unsubscribe", qos=1)
    r.subscribe(topic + "/marker", 0)
    pub.publish(topic + "/marker", b"m")
    p = r.recv_publish()
    assert p.topic == topic + "/marker", f"message after UNSUBSCRIBE delivered: {p!r}"


def test_v5_unsubscribe_unknown_filter(raw):
    # 5.0 §3.11.3: 0x11 (No subscription existed); 0x00 is also tolerated because
    # the reason code table does not make 0x11 mandatory.
    r = raw(R.V5)
    r.connect(unique())
    ack = r.unsubscribe(unique("never-subscribed"))
    assert ack.codes in ([R.RC_NO_SUBSCRIPTION_EXISTED], [R.RC_SUCCESS])


WILDCARD_CASES = [
    # filter, topics that match, topics that don't
    ("{b}/+", ["{b}/x", "{b}/"], ["{b}", "{b}/x/y"]),
    ("{b}/#", ["{b}", "{b}/x", "{b}/x/y"], ["{b}x"]),  # §4.7.1.2: '#' matches the parent
    ("{b}/+/c", ["{b}/x/c", "{b}//c"], ["{b}/x/y/c", "{b}/x/cc"]),
    ("+/{s}/#", ["a/{s}", "a/{s}/z"], ["{s}", "a/b/{s}"]),
    ("{b}/x", ["{b}/x"], ["{b}/X", "{b}/x/", "{b}/x "]),  # case and space sensitive
]


@pytest.mark.parametrize("version", [4, 5])
@pytest.mark.parametrize("case", range(len(WILDCARD_CASES)))
def test_wildcard_matching(broker, version, case):
    # 4.7.1 topic wildcards; topic names are case sensitive (4.7.3)
    b, s = unique("w"), unique("s")
    flt, yes, no = WILDCARD_CASES[case]
    flt = flt.format(b=b, s=s)
    yes = [t.format(b=b, s=s) for t in yes]
    no = [t.format(b=b, s=s) for t in no]
    sub = Client(broker, version=version)
    sub.subscribe(flt, 1)
    pub = Client(broker, version=5)
    for t in no + yes:
        pub.publish(t, t.encode(), qos=1)
    got = sub.barrier(pub)
    assert sorted(m.topic for m in got) == sorted(yes)


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("bad", ["a/#/b", "a+", "a/b#", "#/a", ""])
def test_invalid_topic_filter_is_refused(raw, version, bad):
    # [MQTT-4.7.1-2] '#' alone in its level and last, [MQTT-4.7.1-3] '+' alone in its level;
    # [MQTT-4.7.3-1] filters are at least one character. The Server either
    # refuses the filter in SUBACK (0x80 / 5.0: 0x8F Topic Filter invalid) or
    # treats it as a protocol violation and closes the connection.
    r = raw(version)
    r.connect(unique())
    r.send(R.subscribe(1, [(bad, 1)], version))
    p = r.recv()
    if p is None:
        return
    if p.type == R.DISCONNECT:
        assert p.reason in (R.RC_MALFORMED, R.RC_PROTOCOL_ERROR, R.RC_TOPIC_FILTER_INVALID)
        r.expect_closed()
        return
    assert p.type == R.SUBACK, p
    assert p.codes[0] >= 0x80, f"invalid filter {bad!r} granted: {p!r}"


@pytest.mark.parametrize("version", [4, 5])
def test_resubscribe_replaces_subscription(broker, version):
    # [MQTT-3.8.4-3] a SUBSCRIBE for an existing filter replaces it: the new QoS
    # applies and each message is delivered once.
    topic = unique("t")
    sub = Client(broker, version=version)
    sub.subscribe(topic, 0)
    sub.subscribe(topic, 1)
    pub = Client(broker, version=5)
    pub.publish(topic, b"once", qos=1)
    got = sub.barrier(pub)
    assert [(m.payload, m.qos) for m in got] == [(b"once", 1)]


@pytest.mark.parametrize("version", [
    pytest.param(4, marks=pytest.mark.xfail_mosquitto(
        reason="2.0.11 sends v3.1.1 clients a single copy at the QoS of the first matching "
               "subscription (0), not the maximum QoS (1) [MQTT-3.3.5-1]")),
    5])
def test_overlapping_subscriptions(broker, version):
    # 3.1.1 [MQTT-3.3.5-1] / 5.0 [MQTT-3.3.4-2]: the Server MUST deliver respecting
    # the maximum QoS of all matching subscriptions, and MAY send further copies,
    # one per additional matching subscription at that subscription's QoS. So
    # either one copy at QoS 1 or two copies at QoS 0 and 1 are accepted.
    b = unique("o")
    sub = Client(broker, version=version)
    sub.subscribe(f"{b}/+", 0)
    sub.subscribe(f"{b}/#", 1)
    pub = Client(broker, version=5)
    pub.publish(f"{b}/x", b"overlap", qos=1)
    got = sub.barrier(pub)
    qos = sorted(m.qos for m in got)
    assert all(m.payload == b"overlap" for m in got)
    assert qos in ([1], [0, 1]), f"received QoS {qos}"


def test_subscription_without_wildcard_does_not_match_sys(broker):
    # [MQTT-4.7.2-1] '#' and '+' as first level do not match topics beginning
    # with '$'. Checked with a client-published '$'-topic so it runs without $SYS.
    topic = "$" + unique("dollar") + "/x"
    sub = Client(broker, version=5)
    sub.subscribe("#", 0)
    sub.subscribe("+/x", 0)
    exact = Client(broker, version=5)
    exact.subscribe(topic, 0)
    pub = Client(broker, version=5)
    pub.publish(topic, b"dollar", qos=1)
    assert exact.expect_one().topic == topic
    got = [m for m in sub.barrier(pub) if m.topic.startswith("$")]
    assert got == []


@pytest.mark.parametrize("version", [4, 5])
def test_subscribe_many_filters_one_packet(broker, version):
    base = unique("many")
    sub = Client(broker, version=version)
    filters = [(f"{base}/{i}", i % 3) for i in range(20)]
    codes = sub.subscribe(filters, expect=[q for _, q in filters])
    assert len(codes) == 20
    pub = Client(broker, version=5)
    for i in range(20):
        pub.publish(f"{base}/{i}", str(i).encode(), qos=2)
    got = sub.barrier(pub)
    assert sorted(int(m.payload) for m in got) == list(range(20))
    assert all(m.qos == int(m.payload) % 3 for m in got)
