"""The Kafka listener (docs/config.md [kafka]) against real third-party clients:
kcat, confluent-kafka 1.7 (librdkafka 2.0.2) and kafka-python 2.0.2, plus raw
sockets for malformed and unsupported requests.

Every record is checked exactly: key, value, headers, offset and partition as
the consumer sees them, offsets as the producer's delivery reports name them.
Consumer groups are in test_21_kafka_groups.py, SIGKILL durability in
test_22_kafka_crash.py.
"""

import json
import struct
import time

import pytest

import harness
import kafka_util as K
from harness import unique

pytestmark = pytest.mark.skipif(harness.IS_MOSQUITTO, reason="mosquitto has no Kafka listener")


def kcat_json_metadata(broker, *args):
    return json.loads(K.kcat(broker, "-L", "-J", *args).stdout)


def kcat_produce(broker, topic, lines, *args):
    K.kcat(broker, "-P", "-t", topic, *args, input="".join(f"{x}\n" for x in lines))


def kcat_consume(broker, topic, fmt, *args):
    """Consumes to the end (-e) and returns stdout: one line per record, in the
    -f format `fmt`, or in JSON (-J) when fmt is None."""
    out = ["-J"] if fmt is None else ["-f", fmt]
    return K.kcat(broker, "-C", "-t", topic, "-e", *out, *args).stdout


# ---------------------------------------------------------------------------
# kcat


def test_kcat_metadata_lists_the_broker_and_an_auto_created_topic(broker_factory):
    K.require_kcat()
    broker = broker_factory(kafka={"num_partitions": 2})
    topic = unique("auto")
    md = kcat_json_metadata(broker, "-t", topic)
    # No advertised_host: the address the client connected to, and the bound port.
    assert [b["name"] for b in md["brokers"]] == [broker.kafka_bootstrap]
    node = md["brokers"][0]["id"]
    assert md["controllerid"] == node
    [t] = md["topics"]
    assert t["topic"] == topic and "error" not in t, t
    assert [(p["partition"], p["leader"], p["replicas"], p["isrs"]) for p in t["partitions"]] \
        == [(i, node, [{"id": node}], [{"id": node}]) for i in range(2)]
    # Really created (kafka.num_partitions = 2), not just described: a listing of
    # every topic has it.
    every = {t["topic"]: len(t["partitions"]) for t in kcat_json_metadata(broker)["topics"]}
    assert every.get(topic) == 2, every


def test_kcat_metadata_names_the_advertised_host(broker_factory):
    K.require_kcat()
    broker = broker_factory(kafka={"advertised_host": "localhost"})
    topic = unique("adv")
    md = kcat_json_metadata(broker, "-t", topic)
    assert [b["name"] for b in md["brokers"]] == [f"localhost:{broker.kafka_port}"]
    # Clients follow the advertisement: the produce and fetch go to localhost:PORT.
    kcat_produce(broker, topic, ["via-localhost"])
    assert kcat_consume(broker, topic, "%s@%o\n") == "via-localhost@0\n"


def test_kcat_keys_and_headers_round_trip(broker):
    K.require_kcat()
    topic = unique("kh")
    # -K: splits each line at the first ':' (the value keeps later ones).
    kcat_produce(broker, topic, ["k1:v1", "k2:value:with:colons", "k3:v3"],
                 "-K:", "-H", "h1=a", "-H", "h2=two words", "-H", "h1=dup")
    out = kcat_consume(broker, topic, "%k|%s|%h|%o|%p\n", "-o", "beginning")
    assert out.splitlines() == [
        "k1|v1|h1=a,h2=two words,h1=dup|0|0",
        "k2|value:with:colons|h1=a,h2=two words,h1=dup|1|0",
        "k3|v3|h1=a,h2=two words,h1=dup|2|0",
    ]
    # The JSON view: key and payload bytes, headers in order, create time set.
    recs = [json.loads(x) for x in kcat_consume(broker, topic, None).splitlines()]
    assert [(r["key"], r["payload"], r["headers"], r["offset"], r["tstype"]) for r in recs] == [
        ("k1", "v1", ["h1", "a", "h2", "two words", "h1", "dup"], 0, "create"),
        ("k2", "value:with:colons", ["h1", "a", "h2", "two words", "h1", "dup"], 1, "create"),
        ("k3", "v3", ["h1", "a", "h2", "two words", "h1", "dup"], 2, "create"),
    ]
    now_ms = time.time() * 1000
    assert all(now_ms - 600_000 < r["ts"] <= now_ms + 1000 for r in recs), recs


def test_kcat_null_key_value_and_header(broker):
    K.require_kcat()
    topic = unique("null")
    # -Z: an empty key or value is sent as null; -H name without '=' is a null
    # header value, "e=" an empty one.
    kcat_produce(broker, topic, ["k:", ":v"], "-K:", "-Z", "-H", "nullhdr", "-H", "e=")
    recs = [json.loads(x) for x in kcat_consume(broker, topic, None).splitlines()]
    assert [(r["key"], r["payload"], r["headers"], r["offset"]) for r in recs] == [
        ("k", None, ["nullhdr", None, "e", ""], 0),
        (None, "v", ["nullhdr", None, "e", ""], 1),
    ]


@pytest.mark.parametrize("codec", ["gzip", "snappy", "lz4", "zstd"])
def test_kcat_compressed_batches_round_trip(broker, codec):
    K.require_kcat()
    topic = unique(f"z-{codec}")
    # Compressible, so the batch really shrinks, and many records per batch.
    lines = [f"k{i}:{codec}-{i:03d}-" + "abcdefgh" * 16 for i in range(200)]
    kcat_produce(broker, topic, lines, "-K:", "-H", "h=x", "-z", codec, "-X", "linger.ms=50")
    kcat_produce(broker, topic, ["plain-after"])
    want = [f"{i} k{i} {v.split(':', 1)[1]} h=x" for i, v in enumerate(lines)]
    want.append("200  plain-after ")
    out = kcat_consume(broker, topic, "%o %k %s %h\n", "-o", "beginning")
    assert out.splitlines() == want
    # From an offset inside a compressed batch: the records before it are not
    # handed to the application.
    assert kcat_consume(broker, topic, "%o %k %s %h\n", "-o", "150").splitlines() == want[150:]


def test_kcat_consumes_from_each_kind_of_start_offset(broker):
    K.require_kcat()
    topic = unique("off")
    kcat_produce(broker, topic, [f"v{i}" for i in range(5)], "-p", "0")
    fmt = "%s@%o\n"
    assert kcat_consume(broker, topic, fmt, "-o", "beginning") == \
        "".join(f"v{i}@{i}\n" for i in range(5))
    assert kcat_consume(broker, topic, fmt, "-o", "3") == "v3@3\nv4@4\n"
    assert kcat_consume(broker, topic, fmt, "-o", "-2") == "v3@3\nv4@4\n"  # relative to the end
    # Past the end: the fetch gets OFFSET_OUT_OF_RANGE and auto.offset.reset
    # decides where to go instead.
    assert kcat_consume(broker, topic, fmt, "-o", "9",
                        "-X", "auto.offset.reset=smallest") == \
        "".join(f"v{i}@{i}\n" for i in range(5))
    assert kcat_consume(broker, topic, fmt, "-o", "9", "-X", "auto.offset.reset=largest") == ""
    # From the end: only what is produced after the consumer caught up.
    tail = K.KcatConsumer(broker, topic, "-o", "end", "-c", "1", fmt=fmt)
    try:
        assert tail.reached_end() == 5
        kcat_produce(broker, topic, ["late"])
        assert tail.output() == "late@5\n"
    finally:
        tail.kill()


# ---------------------------------------------------------------------------
# confluent-kafka: admin


def test_admin_creates_describes_grows_and_deletes_a_topic(broker, kclients):
    from confluent_kafka.admin import ConfigResource, NewPartitions, NewTopic
    admin = kclients.admin(broker)
    topic = unique("adm")
    fs = admin.create_topics([NewTopic(topic, 3, 1, config={"retention.ms": "3600000"})],
                             operation_timeout=10)
    assert fs[topic].result(10) is None

    md = admin.list_topics(timeout=10)
    assert list(md.brokers) == [md.controller_id]
    b = md.brokers[md.controller_id]
    assert (b.host, b.port) == (broker.host, broker.kafka_port)
    t = md.topics[topic]
    assert t.error is None
    assert sorted(t.partitions) == [0, 1, 2]
    assert all(p.leader == md.controller_id and p.replicas == [md.controller_id]
               and p.isrs == [md.controller_id] and p.error is None
               for p in t.partitions.values())

    [res] = admin.describe_configs([ConfigResource("topic", topic)]).values()
    configs = res.result(10)
    assert configs["retention.ms"].value == "3600000"
    assert not configs["retention.ms"].is_default
    assert configs["cleanup.policy"].value == "delete"
    assert configs["cleanup.policy"].is_default

    fs = admin.create_partitions([NewPartitions(topic, 5)], operation_timeout=10)
    assert fs[topic].result(10) is None
    assert sorted(admin.list_topics(timeout=10).topics[topic].partitions) == [0, 1, 2, 3, 4]
    # The new partitions take records.
    p = kclients.producer(broker)
    [r] = K.produce_all(p, topic, [dict(value=b"in-4", partition=4)])
    assert (r.partition(), r.offset()) == (4, 0)

    fs = admin.delete_topics([topic], operation_timeout=10)
    assert fs[topic].result(10) is None
    assert topic not in admin.list_topics(timeout=10).topics


def test_admin_errors_per_topic(broker, kclients):
    from confluent_kafka import KafkaError
    from confluent_kafka.admin import ConfigResource, NewPartitions, NewTopic
    admin = kclients.admin(broker)
    good, bad, existing = unique("ok"), "no spaces allowed!", unique("dup")
    assert admin.create_topics([NewTopic(existing, 1, 1)])[existing].result(10) is None

    fs = admin.create_topics([NewTopic(good, 2, 1), NewTopic(bad, 1, 1),
                              NewTopic(existing, 1, 1)], operation_timeout=10)
    # One bad topic fails alone: the others in the request are still handled.
    assert fs[good].result(10) is None
    # INVALID_TOPIC_EXCEPTION (17), which librdkafka names TOPIC_EXCEPTION
    assert K.future_error(fs[bad]).code() == K.INVALID_TOPIC_EXCEPTION
    assert K.future_error(fs[existing]).code() == KafkaError.TOPIC_ALREADY_EXISTS
    assert K.future_error(fs[existing]).code() == K.TOPIC_ALREADY_EXISTS

    only_checked = unique("validate")
    fs = admin.create_topics([NewTopic(only_checked, 1, 1)], validate_only=True)
    assert fs[only_checked].result(10) is None
    topics = admin.list_topics(timeout=10).topics
    assert good in topics and len(topics[good].partitions) == 2
    assert only_checked not in topics and bad not in topics

    # (confluent-kafka 1.7 resolves a topic's future only while the dict
    # create_topics returned is alive: keep it.)
    zero = unique("zero")
    fs = admin.create_topics([NewTopic(zero, 0, 1)])
    assert K.future_error(fs[zero]).code() == KafkaError.INVALID_PARTITIONS
    cfg = unique("cfg")
    fs = admin.create_topics([NewTopic(cfg, 1, 1, config={"retention.ms": "not-a-number"})])
    assert K.future_error(fs[cfg]).code() == KafkaError.INVALID_CONFIG
    err = K.future_error(admin.create_partitions([NewPartitions(good, 1)])[good])
    assert err.code() == KafkaError.INVALID_PARTITIONS  # cannot shrink
    missing = unique("missing")
    err = K.future_error(admin.delete_topics([missing], operation_timeout=10)[missing])
    assert err.code() == KafkaError.UNKNOWN_TOPIC_OR_PART
    [res] = admin.describe_configs([ConfigResource("topic", missing)]).values()
    assert K.future_error(res).code() == KafkaError.UNKNOWN_TOPIC_OR_PART


# ---------------------------------------------------------------------------
# confluent-kafka: producing and consuming


def test_idempotent_producer_reports_dense_offsets(broker, kclients):
    from confluent_kafka.admin import NewTopic
    topic = unique("idem")
    fs = kclients.admin(broker).create_topics([NewTopic(topic, 2, 1)])
    assert fs[topic].result(10) is None
    p = kclients.producer(broker, **{"enable.idempotence": True})
    records = [dict(key=f"k{i}".encode(), value=f"v{i}".encode(), partition=i % 2,
                    headers=[("seq", str(i).encode())]) for i in range(60)]
    reports = K.produce_all(p, topic, records)
    for i, r in enumerate(reports):
        assert (r.topic(), r.partition(), r.offset(), r.key(), r.value()) == \
            (topic, i % 2, i // 2, f"k{i}".encode(), f"v{i}".encode())

    from confluent_kafka import TopicPartition
    c = kclients.consumer(broker)
    c.assign([TopicPartition(topic, p, 0) for p in (0, 1)])
    got = K.consume(c, 60)
    seen = sorted((m.partition(), m.offset(), m.key(), m.value(), m.headers()) for m in got)
    assert seen == sorted((i % 2, i // 2, f"k{i}".encode(), f"v{i}".encode(),
                           [("seq", str(i).encode())]) for i in range(60))


def test_offsets_for_times_finds_the_first_offset_at_or_after(broker, kclients):
    from confluent_kafka import TIMESTAMP_CREATE_TIME, TopicPartition
    topic = unique("ts")
    base = (int(time.time()) - 3600) * 1000  # an hour ago, whole seconds
    p = kclients.producer(broker)
    reports = K.produce_all(p, topic, [dict(value=f"t{i}".encode(), partition=0,
                                            timestamp=base + 1000 * i) for i in range(5)])
    assert [r.offset() for r in reports] == [0, 1, 2, 3, 4]

    c = kclients.consumer(broker)
    assert c.get_watermark_offsets(TopicPartition(topic, 0), timeout=10) == (0, 5)
    asks = [base - 1, base, base + 1500, base + 2000, base + 4000, base + 4001]
    found = [c.offsets_for_times([TopicPartition(topic, 0, ts)], timeout=10)[0]
             for ts in asks]
    assert [(x.error, x.offset) for x in found] == [
        (None, 0), (None, 0), (None, 2), (None, 2), (None, 4),
        (None, -1),  # none at or after: the end (OFFSET_END)
    ]
    # The records keep the producer's timestamps.
    c.assign([TopicPartition(topic, 0, 2)])
    got = K.consume(c, 3)
    assert [(m.value(), m.offset(), m.timestamp()) for m in got] == [
        (f"t{i}".encode(), i, (TIMESTAMP_CREATE_TIME, base + 1000 * i)) for i in (2, 3, 4)]
    if K.have_kcat():
        # kcat's -o s@<ms> goes through the same lookup
        assert kcat_consume(broker, topic, "%s\n", "-o", f"s@{base + 2500}") == "t3\nt4\n"


def test_record_batch_limit_and_no_auto_create(broker_factory, kclients):
    from confluent_kafka import KafkaError
    from confluent_kafka.admin import NewTopic
    broker = broker_factory(kafka={"max_message_bytes": 2048, "auto_create_topics": False})
    topic = unique("limit")
    fs = kclients.admin(broker).create_topics([NewTopic(topic, 1, 1)])
    assert fs[topic].result(10) is None
    p = kclients.producer(broker, **{"linger.ms": 0})
    d = K.Deliveries()
    p.produce(topic, value=b"x" * 4000, on_delivery=d)  # a batch above 2048 bytes
    p.flush(10)
    p.produce(topic, value=b"small", on_delivery=d)
    p.flush(10)
    assert [(e.code(), m.value()[:1]) for e, m in d.failed] == [(KafkaError.MSG_SIZE_TOO_LARGE,
                                                                b"x")]
    assert [(m.value(), m.offset()) for m in d.ok] == [(b"small", 0)]  # the refused took none

    # auto_create_topics = false: asking for an unknown topic does not create it.
    raw = K.RawKafka(broker)
    missing = unique("missing")
    _, _, topics = K.parse_metadata_v1(raw.call(K.API_METADATA, 1,
                                                struct.pack(">i", 1) + K.kafka_string(missing)))
    assert topics == {missing: (K.UNKNOWN_TOPIC_OR_PARTITION, [])}
    _, _, topics = K.parse_metadata_v1(raw.call(K.API_METADATA, 1, struct.pack(">i", -1)))
    assert sorted(topics) == [topic]
    raw.close()


def test_fetch_returns_a_batch_larger_than_the_fetch_limits(broker, kclients):
    from confluent_kafka import TopicPartition
    topic = unique("big")
    K.produce_all(kclients.producer(broker), topic,
                  [dict(value=b"a" * 100_000, partition=0), dict(value=b"b", partition=0)])
    # KIP-74: the first batch is returned even when it exceeds fetch.max.bytes
    # and max.partition.fetch.bytes, so a consumer always makes progress.
    c = kclients.consumer(broker, **{"fetch.max.bytes": 1024, "max.partition.fetch.bytes": 1024,
                                     "message.max.bytes": 1000,
                                     "receive.message.max.bytes": 200_000})
    c.assign([TopicPartition(topic, 0, 0)])
    assert [(m.offset(), len(m.value())) for m in K.consume(c, 2)] == [(0, 100_000), (1, 1)]


# ---------------------------------------------------------------------------
# kafka-python


# kafka-python compresses in pure Python only with gzip (lz4, snappy and zstd
# need modules Debian does not install with it).
@pytest.mark.parametrize("compression", [None, "gzip"])
def test_kafka_python_produces_and_consumes_keys_and_headers(broker, compression):
    pytest.importorskip("kafka")
    from kafka import KafkaConsumer, KafkaProducer, TopicPartition
    topic = unique("kp")
    # No api_version: kafka-python probes the broker (ApiVersions, then the
    # newest request it knows that the broker lists). 2.4 is what it infers
    # from Produce v8 + no DescribeAcls (which this broker does not implement).
    prod = KafkaProducer(bootstrap_servers=broker.kafka_bootstrap, request_timeout_ms=10000,
                         acks="all", compression_type=compression, linger_ms=20)
    try:
        assert prod.config["api_version"] >= (2, 4, 0), prod.config["api_version"]
        futures = [prod.send(topic, key=f"key{i}".encode(), value=f"val{i}".encode(),
                             headers=[("n", str(i).encode()), ("empty", b"")])
                   for i in range(5)]
        futures.append(prod.send(topic, value=b"no-key"))
        meta = [f.get(timeout=10) for f in futures]
    finally:
        prod.close(5)
    assert [(m.topic, m.partition, m.offset) for m in meta] == [(topic, 0, i) for i in range(6)]

    cons = KafkaConsumer(bootstrap_servers=broker.kafka_bootstrap, request_timeout_ms=11000,
                         consumer_timeout_ms=10000, fetch_max_wait_ms=100)
    try:
        tp = TopicPartition(topic, 0)
        cons.assign([tp])
        cons.seek_to_beginning(tp)
        got = []
        deadline = time.monotonic() + 10
        while len(got) < 6 and time.monotonic() < deadline:
            for recs in cons.poll(timeout_ms=500).values():
                got.extend(recs)
        assert cons.end_offsets([tp]) == {tp: 6}
    finally:
        cons.close()
    assert [(r.offset, r.key, r.value, r.headers) for r in got] == [
        (i, f"key{i}".encode(), f"val{i}".encode(), [("n", str(i).encode()), ("empty", b"")])
        for i in range(5)] + [(5, None, b"no-key", [])]
    if K.have_kcat():
        # another client reads what kafka-python wrote
        assert kcat_consume(broker, topic, "%k|%s|%h\n", "-o", "4") == \
            "key4|val4|n=4,empty=\n|no-key|\n"


def test_kafka_python_admin_creates_and_deletes_topics(broker):
    pytest.importorskip("kafka")
    from kafka import KafkaAdminClient
    from kafka.admin import NewTopic
    from kafka.errors import TopicAlreadyExistsError
    topic = unique("kpa")
    admin = KafkaAdminClient(bootstrap_servers=broker.kafka_bootstrap, request_timeout_ms=10000)
    try:
        resp = admin.create_topics([NewTopic(topic, 2, 1)], timeout_ms=10000)
        assert [(t[0], t[1]) for t in resp.topic_errors] == [(topic, 0)]
        assert topic in admin.list_topics()
        [desc] = admin.describe_topics([topic])
        assert desc["error_code"] == 0
        assert sorted(p["partition"] for p in desc["partitions"]) == [0, 1]
        with pytest.raises(TopicAlreadyExistsError):
            admin.create_topics([NewTopic(topic, 2, 1)], timeout_ms=10000)
        resp = admin.delete_topics([topic], timeout_ms=10000)
        assert [tuple(t) for t in resp.topic_error_codes] == [(topic, 0)]
        assert topic not in admin.list_topics()
    finally:
        admin.close()


# ---------------------------------------------------------------------------
# Raw bytes: malformed and unsupported requests


def test_malformed_request_closes_only_that_connection(broker):
    bystander = K.RawKafka(broker)
    assert bystander.api_versions_v0()[0] == 0

    short = K.RawKafka(broker)
    short.send(struct.pack(">i", 3) + b"\x00\x12\x00")  # 3 bytes: not even a header
    short.expect_closed()

    garbage = K.RawKafka(broker)
    # Produce v3 with a valid header and a body that is not a Produce request.
    garbage.send(K.request_bytes(K.API_PRODUCE, 3, 7, b"\xff" * 11))
    garbage.expect_closed()

    # The connection opened before keeps working, and new clients too.
    err, apis = bystander.api_versions_v0()
    assert err == 0 and K.API_VERSIONS in apis
    brokers, _, _ = K.parse_metadata_v1(bystander.call(K.API_METADATA, 1,
                                                       struct.pack(">i", 0)))
    assert [(h, p) for _, h, p in brokers] == [(broker.host, broker.kafka_port)]
    if K.have_kcat():
        assert kcat_json_metadata(broker)["brokers"][0]["name"] == broker.kafka_bootstrap
    bystander.close()


def test_size_prefix_above_max_request_bytes_closes_the_connection(broker_factory):
    broker = broker_factory(kafka={"max_request_bytes": 1024})
    bystander = K.RawKafka(broker)
    assert bystander.api_versions_v0()[0] == 0

    big = K.RawKafka(broker)
    big.send(struct.pack(">i", 1025))  # only the prefix: refused before any body arrives
    big.expect_closed()
    negative = K.RawKafka(broker)
    negative.send(struct.pack(">i", -1))
    negative.expect_closed()
    huge = K.RawKafka(broker)
    huge.send(struct.pack(">i", 0x7FFFFFFF) + b"\x00" * 64)
    huge.expect_closed()

    # A request of exactly max_request_bytes is served: Metadata v1 naming four
    # topics with long (valid) names, the client id padding it to 1024 bytes.
    name = "m" * 240
    body = struct.pack(">i", 4) + b"".join(K.kafka_string(f"{name}{i}") for i in range(4))
    client_id = "c" * (1024 - len(K.request_bytes(K.API_METADATA, 1, 1, body, "")) + 4)
    request = K.request_bytes(K.API_METADATA, 1, 1, body, client_id)
    assert struct.unpack(">i", request[:4])[0] == len(request) - 4 == 1024
    at_limit = K.RawKafka(broker)
    at_limit.send(request)
    cid, response = at_limit.recv()
    assert cid == 1
    _, _, topics = K.parse_metadata_v1(response)
    assert sorted(topics) == [f"{name}{i}" for i in range(4)]
    assert bystander.api_versions_v0()[0] == 0
    bystander.close()


def test_api_versions_unknown_version_gets_the_v0_fallback(broker):
    raw = K.RawKafka(broker)
    err, known = raw.api_versions_v0()
    assert err == 0
    assert known[K.API_VERSIONS] == (0, 3)

    # KIP-511: an ApiVersions version the broker does not know is answered with
    # the v0 layout, UNSUPPORTED_VERSION and the full list, so the client can
    # retry with a version from it.
    cid = raw.request(K.API_VERSIONS, 99)
    got, body = raw.recv()
    assert got == cid
    err, apis = K.parse_api_versions_v0(body)
    assert err == K.UNSUPPORTED_VERSION
    assert apis == known
    assert {0, 1, 2, 3, 8, 9, 10, 11, 12, 13, 14, 18, 19, 20, 22} <= set(apis)

    # Another API's unknown version: UNSUPPORTED_VERSION, the connection stays.
    cid = raw.request(K.API_METADATA, 99)
    got, body = raw.recv()
    # Metadata v9+ is flexible, so the response header is v1: its empty
    # tagged-fields byte comes before the error code.
    assert (got, body) == (cid, b"\x00" + struct.pack(">h", K.UNSUPPORTED_VERSION))
    assert raw.api_versions_v0() == (0, known)
    raw.close()
