"""Debian's mosquitto_pub / mosquitto_sub / mosquitto_rr against the broker:
QoS 0/1/2, retained messages, MQTT 3.1.1 and 5 (-V), message counts (-C),
v5 properties (-D), persistent sessions (-c), request/response."""

import threading

import pytest

import harness
from harness import MOSQUITTO_PUB, MOSQUITTO_RR, MOSQUITTO_SUB, Client, MosquittoSub, unique

VERSIONS = ["mqttv311", "mqttv5"]


def _base(broker, version):
    return ["-h", broker.host, "-p", str(broker.port), "-V", version]


def pub(broker, topic, *args, version="mqttv5", input=None):
    r = harness.run_tool([MOSQUITTO_PUB, *_base(broker, version), "-t", topic, *args],
                         input=input)
    assert r.returncode == 0, r.stdout + r.stderr
    return r


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("qos", [0, 1, 2])
def test_pub_sub_roundtrip(broker, subs, version, qos):
    topic = unique("cli")
    s = MosquittoSub(broker, topic, version, qos=qos, count=3)
    subs.append(s)
    for i in range(3):
        pub(broker, topic, "-q", str(qos), "-m", f"msg-{i}", version=version)
    got = s.wait()
    assert [m["payload"] for m in got] == ["msg-0", "msg-1", "msg-2"]
    assert {m["qos"] for m in got} == {qos}
    assert not any(m["retain"] for m in got)


@pytest.mark.parametrize("version", VERSIONS)
def test_retained_with_cli(broker, subs, version):
    topic = unique("cliret")
    pub(broker, topic, "-r", "-q", "1", "-m", "kept", version=version)
    s = MosquittoSub(broker, topic, version, qos=1, count=1)
    subs.append(s)
    (m,) = s.wait()
    assert m["payload"] == "kept" and m["retain"]
    # -r -n clears it
    pub(broker, topic, "-r", "-n", "-q", "1", version=version)
    c = Client(broker, version=5)
    c.subscribe(topic, 1)
    assert c.barrier(Client(broker, version=5)) == []


def test_pub_lines_from_stdin(broker, subs):
    topic = unique("clilines")
    s = MosquittoSub(broker, topic, "mqttv311", qos=1, count=50)
    subs.append(s)
    pub(broker, topic, "-q", "1", "-l", version="mqttv311",
        input="".join(f"line-{i}\n" for i in range(50)).encode())
    assert [m["payload"] for m in s.wait()] == [f"line-{i}" for i in range(50)]


def test_v5_properties_with_cli(broker, subs):
    topic = unique("cliprops")
    s = MosquittoSub(broker, topic, "mqttv5", qos=1, count=1)
    subs.append(s)
    pub(broker, topic, "-q", "1", "-m", "{}",
        "-D", "publish", "user-property", "key", "value",
        "-D", "publish", "content-type", "application/json",
        "-D", "publish", "response-topic", "replies",
        "-D", "publish", "correlation-data", "abc",
        "-D", "publish", "message-expiry-interval", "100")
    (m,) = s.wait()
    p = m.get("properties", {})
    assert p.get("user-properties") == {"key": "value"}
    assert p.get("content-type") == "application/json"
    assert p.get("response-topic") == "replies"
    assert p.get("correlation-data") == "abc"
    assert 99 <= int(p.get("message-expiry-interval")) <= 100


@pytest.mark.parametrize("version", VERSIONS)
def test_persistent_session_with_cli(broker, version):
    # -c: no clean session (v5: session expiry set by -x); -E: exit after SUBACK
    topic, cid = unique("clisess"), unique("clisub")
    extra = ["-x", "3600"] if version == "mqttv5" else []
    r = harness.run_tool([MOSQUITTO_SUB, *_base(broker, version), "-t", topic, "-q", "1",
                          "-c", "-i", cid, "-E", *extra])
    assert r.returncode == 0, r.stdout + r.stderr
    for i in range(3):
        pub(broker, topic, "-q", "1", "-m", f"offline-{i}", version=version)
    r = harness.run_tool([MOSQUITTO_SUB, *_base(broker, version), "-t", topic, "-q", "1",
                          "-c", "-i", cid, "-C", "3", "-W", "10", *extra])
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.decode().split() == ["offline-0", "offline-1", "offline-2"]


def test_paho_to_cli_and_back(broker, subs):
    topic = unique("mix")
    s = MosquittoSub(broker, topic, "mqttv311", qos=2, count=1)
    subs.append(s)
    Client(broker, version=5).publish(topic, "ünïcödé".encode(), qos=2)
    assert s.wait()[0]["payload"] == "ünïcödé"
    c = Client(broker, version=4)
    c.subscribe(topic, 2)
    pub(broker, topic, "-q", "2", "-m", "from-cli", version="mqttv311")
    m = c.expect_one()
    assert (m.payload, m.qos) == (b"from-cli", 2)


def test_mosquitto_rr_request_response(broker):
    # mosquitto_rr sends a request with Response Topic + Correlation Data and
    # waits for the reply (5.0 §4.10).
    req = unique("rr-req")
    responder = Client(broker, version=5)
    responder.subscribe(req, 1)
    answered = threading.Event()

    def serve():
        m = responder.expect_one(timeout=10)
        reply = {}
        if m.prop("CorrelationData") is not None:  # mosquitto_rr sends none by default
            reply["CorrelationData"] = m.prop("CorrelationData")
        responder.publish(m.prop("ResponseTopic"), b"pong:" + m.payload, qos=1,
                          properties=harness.props("PUBLISH", **reply))
        answered.set()

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    r = harness.run_tool([MOSQUITTO_RR, "-h", broker.host, "-p", str(broker.port), "-t", req,
                          "-e", unique("rr-resp"), "-m", "ping", "-q", "1", "-W", "10"],
                         timeout=15)
    t.join(10)
    assert answered.is_set()
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.decode().strip() == "pong:ping"


@pytest.mark.parametrize("qos", [0, 1, 2])
def test_mqtt31_pub_sub_roundtrip(broker, subs, qos):
    # MQTT 3.1 (protocol name "MQIsdp", level 3), still spoken by old devices:
    # the same flows as 3.1.1, and a 3.1 subscriber gets a 3.1.1 publisher's
    # messages and vice versa.
    topic = unique("cli31")
    s = MosquittoSub(broker, topic, "mqttv31", qos=qos, count=2)
    subs.append(s)
    pub(broker, topic, "-q", str(qos), "-m", "from-31", version="mqttv31")
    pub(broker, topic, "-q", str(qos), "-m", "from-311", version="mqttv311")
    got = s.wait()
    assert [m["payload"] for m in got] == ["from-31", "from-311"]
    assert {m["qos"] for m in got} == {qos}
