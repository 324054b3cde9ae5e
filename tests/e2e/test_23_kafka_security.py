"""Kafka security (docs/kafka.md "Authentication" and "ACLs", docs/security.md):
SASL PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512 against the shared user store, the
pre-KIP-152 raw token framing kafka-python uses, and the ACL mapping

  Produce                                     publish    TOPIC_AUTHORIZATION_FAILED (29)
  Fetch, ListOffsets, OffsetCommit/Fetch      subscribe  29
  Metadata                                    publish or subscribe (listed / 29 when named)
  CreateTopics, DeleteTopics, ...             publish and subscribe

Users and rules are made through the admin REST API (admin_client.py); the
clients are kcat, confluent-kafka (librdkafka 2.0: SaslHandshake v1 +
SaslAuthenticate), kafka-python 2.0 (SaslHandshake v0 + raw tokens) and raw
sockets for the byte-level cases.
"""

import json
import struct

import pytest

import harness
import kafka_util as K
from admin_client import Admin
from harness import unique

pytestmark = [pytest.mark.robust_only,
              pytest.mark.skipif(harness.IS_MOSQUITTO, reason="mosquitto has no Kafka listener")]

PASSWORD = "s3cret-Passw0rd"
TOPIC_AUTHORIZATION_FAILED = 29
SASL_HANDSHAKE = 17


@pytest.fixture
def admin(broker):
    return Admin(broker)


def sasl_args(mechanism, user, password=PASSWORD):
    return ["-X", "security.protocol=SASL_PLAINTEXT", "-X", f"sasl.mechanisms={mechanism}",
            "-X", f"sasl.username={user}", "-X", f"sasl.password={password}"]


def sasl_conf(mechanism, user, password=PASSWORD):
    return {"security.protocol": "SASL_PLAINTEXT", "sasl.mechanisms": mechanism,
            "sasl.username": user, "sasl.password": password}


def kcat_produce(broker, topic, lines, *args):
    K.kcat(broker, "-P", "-t", topic, *args, input="".join(f"{x}\n" for x in lines))


def kcat_consume(broker, topic, *args):
    return K.kcat(broker, "-C", "-t", topic, "-e", "-f", "%s\n", *args).stdout.splitlines()


def kcat_metadata(broker, *args):
    return json.loads(K.kcat(broker, "-L", "-J", *args).stdout)


def deny_anonymous(admin):
    admin.set_config(auth__anonymous="deny")


# ---------------------------------------------------------------------------
# SASL


@pytest.mark.parametrize("mechanism", ["SCRAM-SHA-256", "SCRAM-SHA-512"])
def test_kcat_scram_produces_and_consumes(broker, admin, mechanism):
    K.require_kcat()
    user = unique("u")
    admin.create_user(user, PASSWORD)
    deny_anonymous(admin)
    topic = unique("scram")
    kcat_produce(broker, topic, ["a", "b", "c"], *sasl_args(mechanism, user))
    assert kcat_consume(broker, topic, *sasl_args(mechanism, user)) == ["a", "b", "c"]
    # "tenant@name" selects a tenant, as for PLAIN and MQTT.
    admin.create_tenant("acme")
    admin.create_user("bob", PASSWORD, tenant="acme")
    kcat_produce(broker, topic, ["in-acme"], *sasl_args(mechanism, "acme@bob"))
    assert kcat_consume(broker, topic, *sasl_args(mechanism, "acme@bob")) == ["in-acme"]


@pytest.mark.parametrize("mechanism", ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"])
def test_kcat_wrong_password_is_refused(broker, admin, mechanism):
    K.require_kcat()
    user = unique("u")
    admin.create_user(user, PASSWORD)
    deny_anonymous(admin)
    for name, password in ((user, "wrong-password"), (unique("nobody"), PASSWORD)):
        r = K.kcat(broker, "-L", "-m", "3", *sasl_args(mechanism, name, password), check=False,
                   timeout=30)
        assert r.returncode != 0, r.stdout
        assert "authentication failed" in r.stderr.lower(), r.stderr
    assert "authentication of" in broker.log_text()


def test_confluent_kafka_scram_sha512(broker, admin, kclients):
    user = unique("u")
    admin.create_user(user, PASSWORD)
    deny_anonymous(admin)
    topic = unique("c512")
    p = kclients.producer(broker, **sasl_conf("SCRAM-SHA-512", user))
    K.produce_all(p, topic, [{"key": f"k{i}".encode(), "value": f"v{i}".encode()}
                             for i in range(5)])
    c = kclients.consumer(broker, **sasl_conf("SCRAM-SHA-512", user))
    c.subscribe([topic])
    got = K.consume(c, 5)
    assert [(m.key(), m.value(), m.offset()) for m in got] == \
        [(f"k{i}".encode(), f"v{i}".encode(), i) for i in range(5)]


@pytest.mark.parametrize("mechanism", ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"])
def test_kafka_python_raw_sasl_tokens(broker, admin, mechanism):
    pytest.importorskip("kafka")
    from kafka import KafkaConsumer, KafkaProducer, TopicPartition
    user = unique("u")
    admin.create_user(user, PASSWORD)
    deny_anonymous(admin)
    topic = unique("kp")
    conf = dict(bootstrap_servers=broker.kafka_bootstrap, security_protocol="SASL_PLAINTEXT",
                sasl_mechanism=mechanism, sasl_plain_username=user,
                sasl_plain_password=PASSWORD, request_timeout_ms=10000)
    prod = KafkaProducer(acks="all", **conf)
    try:
        meta = [prod.send(topic, value=f"v{i}".encode()).get(timeout=10) for i in range(3)]
    finally:
        prod.close(5)
    assert [m.offset for m in meta] == [0, 1, 2]
    cons = KafkaConsumer(consumer_timeout_ms=10000, fetch_max_wait_ms=100,
                         **{**conf, "request_timeout_ms": 11000})
    try:
        tp = TopicPartition(topic, 0)
        cons.assign([tp])
        cons.seek_to_beginning(tp)
        got = []
        K.wait_for(lambda: got.extend(r for rs in cons.poll(timeout_ms=500).values()
                                      for r in rs) or len(got) >= 3, what="3 records")
    finally:
        cons.close()
    assert [r.value for r in got] == [b"v0", b"v1", b"v2"]
    assert f"{mechanism} authentication of" not in broker.log_text()


def raw_token(data: bytes) -> bytes:
    return struct.pack(">i", len(data)) + data


def handshake_v0(conn, mechanism):
    body = conn.call(SASL_HANDSHAKE, 0, K.kafka_string(mechanism))
    (error,) = struct.unpack(">h", body[:2])
    return error


def test_raw_plain_tokens_success_and_failure(broker, admin):
    user = unique("u")
    admin.create_user(user, PASSWORD)
    deny_anonymous(admin)
    ok = K.RawKafka(broker)
    try:
        assert handshake_v0(ok, "PLAIN") == 0
        ok.send(raw_token(f"\0{user}\0{PASSWORD}".encode()))
        ok._fill(4, K.time.monotonic() + 10)
        assert ok.buf == b"\0\0\0\0"  # an empty token: authenticated
        ok.buf = b""
        # Now requests are framed as usual again.
        assert ok.api_versions_v0()
        body = ok.call(K.API_METADATA, 1, struct.pack(">i", -1))
        assert K.parse_metadata_v1(body)
    finally:
        ok.close()
    bad = K.RawKafka(broker)
    try:
        assert handshake_v0(bad, "PLAIN") == 0
        bad.send(raw_token(f"\0{user}\0wrong-password".encode()))
        bad.expect_closed()  # no way to say why before SaslAuthenticate: closed
    finally:
        bad.close()


def test_unknown_mechanism_is_refused_with_the_list(broker):
    conn = K.RawKafka(broker)
    try:
        body = conn.call(SASL_HANDSHAKE, 1, K.kafka_string("GSSAPI"))
        error, count = struct.unpack(">hi", body[:6])
        assert error == 33  # UNSUPPORTED_SASL_MECHANISM
        names, rest = [], body[6:]
        for _ in range(count):
            (n,) = struct.unpack(">h", rest[:2])
            names.append(rest[2:2 + n].decode())
            rest = rest[2 + n:]
        assert names == ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"]
    finally:
        conn.close()


def test_without_sasl_no_data_when_anonymous_is_denied(broker, admin):
    K.require_kcat()
    topic = unique("anon")
    kcat_produce(broker, topic, ["secret"])  # anonymous from loopback: allowed by default
    deny_anonymous(admin)
    r = K.kcat(broker, "-L", "-t", topic, "-m", "3", check=False, timeout=30)
    assert r.returncode != 0 and topic not in r.stdout, (r.stdout, r.stderr)
    conn = K.RawKafka(broker)
    try:
        assert conn.api_versions_v0()  # allowed before SASL
        conn.request(K.API_METADATA, 1, struct.pack(">i", -1))
        conn.expect_closed()
    finally:
        conn.close()
    assert "without SASL authentication" in broker.log_text()


# ---------------------------------------------------------------------------
# ACLs


def acl_user(admin, rules):
    """A SCRAM user whose only rights are `rules`, with acl_default = deny."""
    user = unique("acl")
    admin.create_user(user, PASSWORD)
    admin.set_config(auth__acl_default="deny")
    for i, r in enumerate(rules):
        admin.create_acl(name=f"{user}-{i}", priority=i, resource_type="username",
                         resource_name=user, **r)
    return user


def test_publish_only_user_can_produce_but_not_consume(broker, admin, kclients):
    K.require_kcat()
    from confluent_kafka import KafkaError, TopicPartition
    kcat_produce(broker, "orders", ["before"])  # created while anonymous may
    user = acl_user(admin, [{"topic": "orders", "action": "publish"}])
    kcat_produce(broker, "orders", ["by-user"], *sasl_args("SCRAM-SHA-256", user))
    # The superuser (admin) reads both.
    assert kcat_consume(broker, "orders", *sasl_args("PLAIN", admin.user, admin.password)) == \
        ["before", "by-user"]
    c = kclients.consumer(broker, **sasl_conf("SCRAM-SHA-256", user))
    c.assign([TopicPartition("orders", 0, 0)])
    errors = []

    def saw_denial():
        m = c.poll(0.5)
        if m is not None and m.error():
            errors.append(m.error().code())
        elif m is not None:
            raise AssertionError(f"a record was delivered: {m.value()!r}")
        return KafkaError.TOPIC_AUTHORIZATION_FAILED in errors

    K.wait_for(saw_denial, what="TOPIC_AUTHORIZATION_FAILED")


def test_denied_topics_are_absent_from_metadata(broker, admin):
    K.require_kcat()
    for t in ("orders", "secret"):
        kcat_produce(broker, t, ["x"])
    user = acl_user(admin, [{"topic": "orders", "action": "subscribe"}])
    listed = {t["topic"] for t in kcat_metadata(broker, *sasl_args("SCRAM-SHA-512", user))
              ["topics"]}
    assert "orders" in listed and "secret" not in listed, listed
    [named] = kcat_metadata(broker, "-t", "secret", *sasl_args("SCRAM-SHA-512", user))["topics"]
    assert named["topic"] == "secret" and "authorization" in named.get("error", "").lower(), named
    # The superuser sees both.
    every = {t["topic"] for t in kcat_metadata(broker, *sasl_args("PLAIN", admin.user,
                                                                  admin.password))["topics"]}
    assert {"orders", "secret"} <= every


def test_creating_topics_needs_an_all_rule(broker, admin, kclients):
    from confluent_kafka import KafkaError
    from confluent_kafka.admin import NewTopic
    user = acl_user(admin, [{"topic": "mine", "action": "all"},
                            {"topic": "pubonly", "action": "publish"}])
    a = kclients.admin(broker, **sasl_conf("SCRAM-SHA-256", user))
    fs = a.create_topics([NewTopic("pubonly", 1, 1)], operation_timeout=10)
    err = K.future_error(fs["pubonly"])
    assert err.code() == KafkaError.TOPIC_AUTHORIZATION_FAILED, err
    fs = a.create_topics([NewTopic("mine", 2, 1)], operation_timeout=10)
    fs["mine"].result(timeout=20)
    # No auto-create either for a topic the user may only publish to.
    K.require_kcat()
    [t] = kcat_metadata(broker, "-t", "pubonly", *sasl_args("SCRAM-SHA-256", user))["topics"]
    assert "error" in t, t
    every = {t["topic"] for t in kcat_metadata(broker, *sasl_args("PLAIN", admin.user,
                                                                  admin.password))["topics"]}
    assert "mine" in every and "pubonly" not in every, every
