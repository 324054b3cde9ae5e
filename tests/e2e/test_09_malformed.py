"""Malformed packets and protocol violations sent over raw sockets.

Every case must close only the offending connection: a bystander subscriber and
publisher connected before keep exchanging messages afterwards, and the server
stays up (it is stopped at teardown and must exit 0).

MQTT 5 §4.13.1: for a Malformed Packet or Protocol Error in a packet other than
CONNECT the Server SHOULD send DISCONNECT with the reason code before closing.
robust-server is held to that SHOULD (require_disconnect under E2E_BROKER=robust);
mosquitto 2.0.11 often just closes, which the spec allows. Before CONNACK no
DISCONNECT may be sent at all ([MQTT-3.14.0-1]); a bad CONNECT gets no CONNACK in
3.1.1 ([MQTT-3.1.4-1]) and at most a CONNACK >= 0x80 in 5.0.
"""

import random
import time

import pytest

import harness
from harness import Client, unique
import raw_mqtt as R
from raw_mqtt import V311, V5

MALFORMED = {R.RC_MALFORMED}
PROTOCOL = {R.RC_PROTOCOL_ERROR}
EITHER = {R.RC_MALFORMED, R.RC_PROTOCOL_ERROR}


class Bystander:
    """A subscriber and a publisher that must keep working while others misbehave."""

    def __init__(self, broker):
        self.broker = broker
        self.topic = unique("bystander")
        self.sub = Client(broker, version=5)
        self.sub.subscribe(self.topic, 1)
        self.pub = Client(broker, version=4)
        self.n = 0

    def check(self):
        assert self.broker.running, "broker process died\n" + self.broker.log_tail()
        self.n += 1
        payload = f"alive-{self.n}".encode()
        self.pub.publish(self.topic, payload, qos=1)
        assert self.sub.expect_one().payload == payload
        # and a fresh connection is still accepted
        r = R.RawClient(self.broker, version=V311)
        r.connect(unique())
        r.close()


@pytest.fixture
def bystander(broker):
    return Bystander(broker)


def expect_rejected_connect(r, version):
    """A bad CONNECT: no CONNACK in 3.1.1, at most a failing CONNACK in 5.0, then close."""
    p = r.recv()
    if p is not None:
        assert version == V5 and p.type == R.CONNACK and p.reason >= 0x80, (
            f"bad CONNECT answered with {p!r}")
    r.expect_closed(disconnect_reasons=set())


def expect_connection_error(r, version, reasons):
    """After CONNACK: close; 5.0 DISCONNECT with one of `reasons` (required of robust)."""
    if version == V5:
        r.expect_closed(timeout=3, disconnect_reasons=reasons,
                        require_disconnect=harness.IS_ROBUST)
    else:
        r.expect_closed(timeout=3, disconnect_reasons=set())


def connected(broker, version):
    r = R.RawClient(broker, version=version)
    r.connect(unique())
    return r


# ---------------------------------------------------------------------------
# Before / instead of CONNECT

@pytest.mark.parametrize("data", [
    pytest.param(R.publish("t", b"x"), id="publish"),
    pytest.param(R.pingreq(), id="pingreq"),
    pytest.param(R.subscribe(1, [("t", 0)]), id="subscribe"),
    pytest.param(R.disconnect(), id="disconnect"),
    pytest.param(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", id="http"),
])
def test_first_packet_not_connect(broker, bystander, data):
    # [MQTT-3.1.0-1] the first packet from the client MUST be CONNECT; otherwise
    # the Server closes the connection (and sends nothing: [MQTT-3.14.0-1]).
    r = R.RawClient(broker)
    r.send(data)
    r.expect_closed(disconnect_reasons=set())
    r.close()
    bystander.check()


CONNECT_CASES = {
    # [MQTT-3.1.2-3] reserved Connect Flags bit 0 MUST be 0
    "reserved-flag": lambda v: R.connect(unique(), v, flags_override=0x03),
    # [MQTT-3.1.2-11] (3.1.1) Will Flag 0 requires Will QoS 0 and Will Retain 0
    "will-qos-without-will": lambda v: R.connect(unique(), v, flags_override=0x02 | 0x08),
    "will-retain-without-will": lambda v: R.connect(unique(), v, flags_override=0x02 | 0x20),
    # [MQTT-3.1.2-14] Will QoS 3
    "will-qos-3": lambda v: R.connect(unique(), v, will=R.Will("w", b"", qos=3)),
    # fixed header flags of CONNECT are reserved 0 ([MQTT-2.2.2-2])
    "header-flags": lambda v: bytes([0x11]) + R.connect(unique(), v)[1:],
    # string length runs past the end of the packet
    "truncated-client-id": lambda v: R.packet(R.CONNECT, 0, R.connect("abc", v)[2:-5]
                                              + b"\x00\x40ab"),
    # invalid UTF-8 client identifier ([MQTT-1.5.4-1])
    "client-id-invalid-utf8": lambda v: R.connect(b"ab\xff\xfe", v),
    # remaining length of 5 bytes ([MQTT-1.5.5]: at most 4)
    "remaining-length-5-bytes": lambda v: b"\x10\xff\xff\xff\xff\x7f",
}


@pytest.mark.parametrize("version", [V311, V5], ids=["v311", "v5"])
@pytest.mark.parametrize("case", CONNECT_CASES.keys())
def test_malformed_connect(broker, bystander, version, case):
    r = R.RawClient(broker, version=version)
    r.send(CONNECT_CASES[case](version))
    expect_rejected_connect(r, version)
    r.close()
    bystander.check()


def test_v311_password_without_username(broker, bystander):
    # [MQTT-3.1.2-22] (3.1.1) Password Flag 1 requires User Name Flag 1
    r = R.RawClient(broker, version=V311)
    r.send(R.connect(unique(), V311, password=b"secret"))
    expect_rejected_connect(r, V311)
    bystander.check()


@pytest.mark.parametrize("props", [
    pytest.param([(R.SESSION_EXPIRY_INTERVAL, 1), (R.SESSION_EXPIRY_INTERVAL, 2)], id="dup-prop"),
    pytest.param([(R.RECEIVE_MAXIMUM, 0)], id="receive-maximum-0"),
    pytest.param([(R.MAXIMUM_PACKET_SIZE, 0)], id="max-packet-size-0"),
])
def test_v5_connect_property_errors(broker, bystander, props):
    # 5.0 §3.1.2.11: repeating a property, Receive Maximum 0 and Maximum Packet
    # Size 0 are Protocol Errors: CONNACK >= 0x80 (MAY) and close.
    r = R.RawClient(broker, version=V5)
    r.send(R.connect(unique(), V5, props=props))
    expect_rejected_connect(r, V5)
    bystander.check()


def test_v5_connect_unknown_property(broker, bystander):
    r = R.RawClient(broker, version=V5)
    body = R.connect(unique(), V5)
    # replace the empty property block (0x00 after keep alive) by an unknown id 0x7F
    idx = 2 + 6 + 1 + 1 + 2
    assert body[idx] == 0
    bad = body[2:idx] + b"\x02\x7f\x00" + body[idx + 1:]
    r.send(R.packet(R.CONNECT, 0, bad))
    expect_rejected_connect(r, V5)
    bystander.check()


@pytest.mark.parametrize("version", [V311, V5], ids=["v311", "v5"])
def test_second_connect_closes_only_that_connection(broker, bystander, version):
    # [MQTT-3.1.0-2]
    r = connected(broker, version)
    r.send(R.connect(unique(), version))
    expect_connection_error(r, version, PROTOCOL)
    bystander.check()


# ---------------------------------------------------------------------------
# After CONNACK

def _publish_body(topic: bytes, pid=None, props=b"", version=V311):
    body = R.utf8(topic)
    if pid is not None:
        body += R.u16(pid)
    if version == V5:
        body += props or b"\x00"
    return body


AFTER_CONNECT = {
    # name: (builder(version) -> bytes, v5 reason codes accepted)
    "remaining-length-5-bytes": (lambda v: b"\x30\xff\xff\xff\xff\x7f", MALFORMED),
    "reserved-packet-type-0": (lambda v: b"\x00\x00", EITHER),
    "publish-qos-3": (lambda v: R.packet(R.PUBLISH, 0x06, _publish_body(b"t", 1, version=v)),
                      MALFORMED),
    "publish-qos1-packet-id-0": (lambda v: R.publish("t", b"x", qos=1, pid=0, version=v), EITHER),
    "publish-topic-invalid-utf8": (lambda v: R.publish(b"a/\xff", b"x", version=v), MALFORMED),
    "publish-topic-overlong-utf8": (lambda v: R.publish(b"a/\xc0\xaf", b"x", version=v),
                                    MALFORMED),
    "publish-topic-surrogate": (lambda v: R.publish(b"a/\xed\xa0\x80", b"x", version=v),
                                MALFORMED),
    "publish-topic-nul": (lambda v: R.publish(b"a\x00b", b"x", version=v), MALFORMED),
    # [MQTT-3.3.2-2] no wildcards in a Topic Name; 5.0: 0x90 Topic Name invalid
    "publish-topic-wildcard-plus": (lambda v: R.publish("a/+", b"x", version=v),
                                    EITHER | {R.RC_TOPIC_NAME_INVALID}),
    "publish-topic-wildcard-hash": (lambda v: R.publish("a/#", b"x", qos=1, pid=3, version=v),
                                    EITHER | {R.RC_TOPIC_NAME_INVALID}),
    "publish-topic-length-past-end": (lambda v: R.packet(R.PUBLISH, 0, b"\x00\x40ab"),
                                      MALFORMED),
    # [MQTT-3.8.1-1] SUBSCRIBE fixed header flags MUST be 0010
    "subscribe-flags-0": (lambda v: R.subscribe(1, [("t", 0)], v, flags=0x00), MALFORMED),
    # [MQTT-3.8.3-3] (3.1.1) / [MQTT-3.8.3-2] (5.0) at least one topic filter
    "subscribe-no-filters": (lambda v: R.subscribe(1, [], v), EITHER),
    # QoS 3: malformed in 3.1.1 ([MQTT-3.8.3-4]), a Protocol Error in 5.0 (§3.8.3.1)
    "subscribe-qos-3": (lambda v: R.subscribe(1, [("t", 3)], v), PROTOCOL),
    "subscribe-filter-invalid-utf8": (lambda v: R.subscribe(1, [(b"a\xff", 0)], v), MALFORMED),
    "subscribe-packet-id-0": (lambda v: R.subscribe(0, [("t", 0)], v), EITHER),
    # [MQTT-3.10.1-1] UNSUBSCRIBE flags 0010; [MQTT-3.10.3-2] at least one filter
    "unsubscribe-flags-0": (lambda v: R.unsubscribe(1, ["t"], v, flags=0x00), MALFORMED),
    "unsubscribe-no-filters": (lambda v: R.unsubscribe(1, [], v), EITHER),
    # [MQTT-3.6.1-1] PUBREL flags MUST be 0010
    "pubrel-flags-0": (lambda v: R.packet(R.PUBREL, 0x00, R.u16(1)), MALFORMED),
    # [MQTT-2.2.2-2] reserved flags of PINGREQ / PUBACK are 0; invalid flags:
    # the receiver MUST close the connection
    "pingreq-flags": (lambda v: R.packet(R.PINGREQ, 0x01, b""), MALFORMED),
    "puback-flags": (lambda v: R.packet(R.PUBACK, 0x02, R.u16(1)), MALFORMED),
    # PINGREQ has no variable header or payload (§3.12)
    "pingreq-with-body": (lambda v: R.packet(R.PINGREQ, 0, b"\x00"), MALFORMED),
    # CONNACK / SUBACK / PINGRESP flow server-to-client only (§2.2.1 table);
    # 3.1.1 §4.8 / 5.0 §4.13: a protocol violation closes the connection
    "client-sends-connack": (lambda v: R.packet(R.CONNACK, 0, b"\x00\x00"), EITHER),
    "client-sends-suback": (lambda v: R.packet(R.SUBACK, 0, b"\x00\x01\x00"), EITHER),
    "client-sends-pingresp": (lambda v: R.packet(R.PINGRESP, 0, b""), EITHER),
}

# where mosquitto 2.0.11 deviates (case -> (versions, reason))
MOSQUITTO_DEVIATES = {
    "subscribe-qos-3": ((V5,), "answers Maximum QoS 3 with DISCONNECT 0x81; 5.0 §3.8.3.1 "
                               "makes it a Protocol Error (0x82)"),
    "pingreq-flags": ((V311, V5), "ignores reserved PINGREQ flags [MQTT-2.2.2-2]"),
    "puback-flags": ((V311, V5), "ignores reserved PUBACK flags [MQTT-2.2.2-2]"),
    "pingreq-with-body": ((V311, V5), "accepts a PINGREQ with a body (§3.12)"),
    "client-sends-suback": ((V311,), "accepts SUBACK from a 3.1.1 client (§2.2.1, §4.8)"),
    "client-sends-pingresp": ((V311, V5), "accepts PINGRESP from a client (§2.2.1, §4.8)"),
}


def _after_connect_params():
    for case in AFTER_CONNECT:
        for version, vid in ((V311, "v311"), (V5, "v5")):
            marks = []
            if case in MOSQUITTO_DEVIATES and version in MOSQUITTO_DEVIATES[case][0]:
                marks = [pytest.mark.xfail_mosquitto(reason=MOSQUITTO_DEVIATES[case][1])]
            yield pytest.param(case, version, id=f"{case}-{vid}", marks=marks)


@pytest.mark.parametrize("case,version", _after_connect_params())
def test_malformed_after_connect(broker, bystander, case, version):
    build, reasons = AFTER_CONNECT[case]
    r = connected(broker, version)
    r.send(build(version))
    expect_connection_error(r, version, reasons)
    r.close()
    bystander.check()


def test_v311_auth_packet_is_invalid(broker, bystander):
    # AUTH (type 15) is reserved in 3.1.1 (§2.2.1)
    r = connected(broker, V311)
    r.send(R.auth(0x18, []))
    r.expect_closed(disconnect_reasons=set())
    bystander.check()


V5_ONLY = {
    "duplicate-property": (R.publish("t", b"x", version=V5, props=[
        (R.MESSAGE_EXPIRY_INTERVAL, 1), (R.MESSAGE_EXPIRY_INTERVAL, 2)]), EITHER),
    "unknown-property": (R.packet(R.PUBLISH, 0, R.utf8("t") + b"\x02\x7f\x00" + b"x"), EITHER),
    "property-length-past-end": (R.packet(R.PUBLISH, 0, R.utf8("t") + b"\x40\x01"), MALFORMED),
    # [MQTT-3.8.3-5] reserved bits 6-7 of the Subscription Options MUST be 0
    "subscription-options-reserved": (R.subscribe(1, [("t", 0xC1)], V5), MALFORMED),
    # Retain Handling 3 is a Protocol Error (5.0 §3.8.3.1)
    "retain-handling-3": (R.subscribe(1, [("t", 0x31)], V5), EITHER),
    # Subscription Identifier 0 is a Protocol Error (5.0 §3.8.2.1.2)
    "subscription-identifier-0": (R.subscribe(1, [("t", 0)], V5, props=[
        (R.SUBSCRIPTION_IDENTIFIER, 0)]), EITHER),
    # [MQTT-3.3.4-6] a PUBLISH from a Client MUST NOT contain a Subscription
    # Identifier: a Protocol Error
    "publish-with-subscription-identifier": (R.publish("t", b"x", version=V5, props=[
        (R.SUBSCRIPTION_IDENTIFIER, 5)]), EITHER),
}


@pytest.mark.parametrize("case", [
    pytest.param(c, marks=[pytest.mark.xfail_mosquitto(
        reason="accepts a client PUBLISH with a Subscription Identifier [MQTT-3.3.4-6]")]
        if c == "publish-with-subscription-identifier" else [])
    for c in V5_ONLY])
def test_v5_malformed_properties(broker, bystander, case):
    data, reasons = V5_ONLY[case]
    r = connected(broker, V5)
    r.send(data)
    expect_connection_error(r, V5, reasons)
    bystander.check()


def test_oversized_remaining_length_vs_max_packet_size(broker_factory):
    # A header announcing a packet above the server's Maximum Packet Size is
    # rejected as soon as the header is read (no waiting for, or buffering of,
    # the body): 5.0 DISCONNECT 0x95 (Packet too large), 3.1.1 close.
    broker = broker_factory(max_packet_size=1024)
    by = Bystander(broker)
    for version in (V311, V5):
        r = connected(broker, version)
        r.send(b"\x30" + R.varint(100_000_000) + b"\x00\x01t")
        if version == V5:
            r.expect_closed(disconnect_reasons={R.RC_PACKET_TOO_LARGE}, require_disconnect=True)
        else:
            r.expect_closed(disconnect_reasons=set())
        r.close()
    by.check()


def test_truncated_packet_then_close(broker, bystander):
    # a packet cut short by the client closing: nothing is delivered, nobody else
    # is affected
    r = connected(broker, V311)
    r.send(R.publish(bystander.topic, b"x" * 100, qos=1, pid=1)[:20])
    r.close()
    assert bystander.sub.barrier(bystander.pub) == []
    bystander.check()


def test_rejected_connect_data_after_it_is_not_processed(broker, bystander):
    # 5.0 §3.1.4: if the Server rejects the CONNECT it MUST NOT process any data
    # sent after it (except AUTH). Pipelined PUBLISH after a rejected CONNECT
    # (3.1.1: empty client id with clean session 0) must not be delivered.
    r = R.RawClient(broker, version=V311)
    r.send(R.connect("", V311, clean=False) + R.publish(bystander.topic, b"smuggled", qos=0))
    p = r.expect(R.CONNACK)
    assert p.reason == 2
    r.expect_closed()
    assert bystander.sub.barrier(bystander.pub) == []
    bystander.check()


@pytest.mark.parametrize("version", [V311, V5], ids=["v311", "v5"])
def test_packets_pipelined_before_connack(broker, version):
    # 5.0 §3.1.4 / 3.1.1 §3.1.4: clients may send packets right after CONNECT
    # without waiting for CONNACK; the Server processes them in order.
    topic = unique("pipe")
    r = R.RawClient(broker, version=version)
    r.send(R.connect(unique(), version) + R.subscribe(1, [(topic, 1)], version)
           + R.publish(topic, b"pipelined", qos=1, pid=2, version=version))
    assert r.expect(R.CONNACK).reason == 0
    seen = {}
    for _ in range(3):
        p = r.recv()
        assert p is not None
        seen[p.type] = p
        if p.type == R.PUBLISH:
            r.ack(p)
    assert seen[R.SUBACK].codes == [1]
    assert seen[R.PUBACK].pid == 2
    assert seen[R.PUBLISH].payload == b"pipelined"


def test_packets_split_into_single_bytes(broker):
    # The codec must wait for more data ([MQTT-4.2] the transport is a byte
    # stream): a CONNECT and a PUBLISH delivered one byte at a time still work.
    topic = unique("bytes")
    sub = Client(broker, version=5)
    sub.subscribe(topic, 1)
    r = R.RawClient(broker, version=V5)
    data = R.connect(unique(), V5) + R.publish(topic, b"trickle", qos=1, pid=9, version=V5)
    for b in data:
        r.send(bytes([b]))
        time.sleep(0.002)  # separate TCP segments, not synchronisation
    assert r.expect(R.CONNACK).reason == 0
    assert r.expect(R.PUBACK).pid == 9
    assert sub.expect_one().payload == b"trickle"


def test_random_garbage_does_not_hurt_the_broker(broker, bystander):
    # Seeded fuzz: random bytes before and after CONNECT on 60 connections. Each
    # may be closed or ignored; the broker and the bystander must be unaffected.
    rng = random.Random(20240601)
    conns = []
    for i in range(60):
        version = V5 if i % 2 else V311
        r = R.RawClient(broker, version=version)
        if i % 3:
            r.send(R.connect(unique(), version))
        junk = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 200)))
        if i % 4 == 0:
            junk = bytes([rng.choice([0x30, 0x32, 0x82, 0x62, 0xA2, 0xC0, 0xE0])]) + junk
        try:
            r.send(junk)
        except OSError:
            pass
        conns.append(r)
    for r in conns:
        r.close()
    bystander.check()
