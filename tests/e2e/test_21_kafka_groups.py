"""Kafka consumer groups (broker/kafka/groups) with real clients: confluent-kafka
1.7 (librdkafka 2.0.2: eager range/roundrobin assignment, the client-side
assignor), kcat's balanced consumer (-G, as a member that can be SIGKILLed) and
kafka-python 2.0.2.

A group's first rebalance waits kafka.group_initial_rebalance_delay_ms for more
members (3 s by default, like Kafka); the tests lower it so they do not wait.
Consumers heartbeat every 300 ms, which is how a member learns of a rebalance.
"""

import time

import pytest

import harness
import kafka_util as K
from harness import unique

pytestmark = pytest.mark.skipif(harness.IS_MOSQUITTO, reason="mosquitto has no Kafka listener")

GROUP_SETTINGS = {"group_initial_rebalance_delay_ms": 100}


def make_topic(kclients, broker, partitions):
    return K.make_topic(kclients, broker, partitions, "grp")


def records(prefix, count, partitions=3):
    return [dict(key=f"{prefix}-k{i}".encode(), value=f"{prefix}-{i}".encode(),
                 partition=i % partitions) for i in range(count)]


class Member:
    """A confluent-kafka consumer subscribed to one topic, with its current
    assignment as librdkafka reports it (eager protocol: on_revoke empties it,
    on_assign sets the whole new one) and everything it consumed."""

    def __init__(self, kclients, broker, group, topic, name, **conf):
        self.name = name
        self.assigned: set[int] = set()
        self.assignments: list[set[int]] = []  # every on_assign, in order
        self.got = []
        self.c = kclients.consumer(broker, **{"group.id": group, "client.id": name, **conf})
        self.c.subscribe([topic], on_assign=self._on_assign, on_revoke=self._on_revoke)

    def _on_assign(self, consumer, partitions):
        self.assigned = {p.partition for p in partitions}
        self.assignments.append(set(self.assigned))

    def _on_revoke(self, consumer, partitions):
        self.assigned = set()

    def poll(self, timeout=0.05):
        m = self.c.poll(timeout)
        if m is None:
            return
        if m.error():
            from confluent_kafka import KafkaError
            assert m.error().code() == KafkaError._PARTITION_EOF, \
                f"{self.name}: consumer error {m.error()}"
            return
        # A record only ever comes from a partition this member owns.
        assert m.partition() in self.assigned, (self.name, m.partition(), self.assigned)
        self.got.append(m)


def poll_until(members, cond, what, timeout=30):
    def step():
        for m in members:
            m.poll()
    K.wait_for(cond, timeout, what, step)


def values(msgs):
    return sorted(m.value().decode() for m in msgs)


def test_two_consumers_share_three_partitions_and_rebalance(broker_factory, kclients):
    broker = broker_factory(kafka=GROUP_SETTINGS)
    topic = make_topic(kclients, broker, 3)
    group = unique("g")
    producer = kclients.producer(broker)
    K.produce_all(producer, topic, records("a", 30))

    one = Member(kclients, broker, group, topic, "one")
    poll_until([one], lambda: one.assigned == {0, 1, 2} and len(one.got) == 30,
               "the only member owning all 3 partitions and consuming the first 30")
    assert values(one.got) == sorted(f"a-{i}" for i in range(30))
    one.c.commit(asynchronous=False)

    # A second member joins: the group rebalances, each owns part of the topic.
    two = Member(kclients, broker, group, topic, "two")
    poll_until([one, two],
               lambda: one.assigned and two.assigned and one.assigned | two.assigned == {0, 1, 2},
               "a rebalance splitting the partitions between both members")
    assert not one.assigned & two.assigned
    assert len(one.assignments) >= 2, one.assignments  # it was revoked and reassigned
    split = (set(one.assigned), set(two.assigned))

    # Nothing is lost and, as the first batch was committed, nothing is read twice.
    K.produce_all(producer, topic, records("b", 30))
    poll_until([one, two], lambda: len(one.got) + len(two.got) >= 60,
               "the second batch consumed by the two members")
    assert values(one.got + two.got) == sorted([f"a-{i}" for i in range(30)]
                                               + [f"b-{i}" for i in range(30)])
    assert {m.partition() for m in one.got[30:]} == split[0]
    assert {m.partition() for m in two.got} == split[1]

    # The second member leaves (LeaveGroup on close): the first gets everything back.
    two.c.close()
    poll_until([one], lambda: one.assigned == {0, 1, 2},
               "the remaining member owning all 3 partitions again")
    before = len(one.got)
    K.produce_all(producer, topic, records("c", 30))
    poll_until([one], lambda: len(one.got) >= before + 30, "the third batch consumed")
    assert values(one.got[before:]) == sorted(f"c-{i}" for i in range(30))
    assert {m.partition() for m in one.got[before:]} == {0, 1, 2}
    # ... and every record of every batch was seen exactly once by the group.
    assert len(one.got) + len(two.got) == 90

    from confluent_kafka import TopicPartition
    one.c.commit(asynchronous=False)
    committed = one.c.committed([TopicPartition(topic, p) for p in range(3)], timeout=10)
    assert [(tp.partition, tp.offset, tp.error) for tp in committed] == \
        [(p, 30, None) for p in range(3)]


def test_committed_offsets_survive_a_restart(broker_factory, kclients):
    from confluent_kafka import TopicPartition
    broker = broker_factory(kafka=GROUP_SETTINGS)
    topic = make_topic(kclients, broker, 3)
    group = unique("g")
    K.produce_all(kclients.producer(broker), topic, records("before", 15))

    first = Member(kclients, broker, group, topic, "first", **{"enable.auto.commit": False})
    poll_until([first], lambda: len(first.got) == 15, "the first 15 records consumed")
    first.c.commit(asynchronous=False)
    tps = [TopicPartition(topic, p) for p in range(3)]
    assert [tp.offset for tp in first.c.committed(tps, timeout=10)] == [5, 5, 5]
    first.c.close()

    broker.restart()  # graceful stop, start on the same data dir and ports

    K.produce_all(kclients.producer(broker), topic, records("after", 6))
    # auto.offset.reset = earliest: without the committed offsets this member
    # would read the "before" records again.
    second = kclients.consumer(broker, **{"group.id": group, "enable.partition.eof": True,
                                          "enable.auto.commit": False})
    second.subscribe([topic])
    got = K.consume_to_end(second, 3, timeout=30)  # each partition read up to its end
    assert sorted((m.partition(), m.offset(), m.value().decode()) for m in got) == sorted(
        (i % 3, 5 + i // 3, f"after-{i}") for i in range(6))
    assert [tp.offset for tp in second.committed(tps, timeout=10)] == [5, 5, 5]


def test_a_member_that_dies_is_expired_after_its_session_timeout(broker_factory, kclients):
    K.require_kcat()
    # Session timeouts below the 6 s default floor, so the expiry comes quickly.
    broker = broker_factory(kafka={**GROUP_SETTINGS, "group_min_session_timeout_ms": 500})
    topic = make_topic(kclients, broker, 3)
    group = unique("g")
    session = {"session.timeout.ms": 1500, "heartbeat.interval.ms": 200}
    # The member that will die is another process: kcat's balanced consumer.
    doomed = K.KcatConsumer(broker, topic, "-X", "auto.offset.reset=earliest",
                            *[x for k, v in session.items() for x in ("-X", f"{k}={v}")],
                            fmt="%p %s\n", group=group)
    try:
        doomed.wait_stderr(lambda x: "rebalanced" in x and "assigned:" in x, "assignment")
        survivor = Member(kclients, broker, group, topic, "survivor", **session)
        poll_until([survivor], lambda: survivor.assigned and survivor.assigned != {0, 1, 2},
                   "the group split between kcat and the survivor")
        theirs = {0, 1, 2} - survivor.assigned
        K.produce_all(kclients.producer(broker), topic, records("a", 30))
        poll_until([survivor], lambda: len(survivor.got) + len(doomed.lines) >= 30,
                   "the first 30 records consumed by the two members")
        assert {int(x.split()[0]) for x in doomed.lines} == theirs

        killed = time.monotonic()
        doomed.kill()  # SIGKILL: no LeaveGroup; only the session timeout tells
        poll_until([survivor], lambda: survivor.assigned == {0, 1, 2},
                   "the survivor owning all partitions after the expiry")
        waited = time.monotonic() - killed
        # Not before the session could have run out (the last heartbeat was at
        # most 200 ms before the kill).
        assert waited > 1.0, f"the dead member was dropped after {waited:.2f}s"
    finally:
        doomed.kill()
    before = len(survivor.got)
    K.produce_all(kclients.producer(broker), topic, records("b", 30))
    poll_until([survivor], lambda: {f"b-{i}" for i in range(30)}
               <= {m.value().decode() for m in survivor.got[before:]},
               "the second batch consumed by the survivor")
    # Nothing lost: what kcat had not committed is read again by the survivor.
    seen = {x.split(" ", 1)[1] for x in doomed.lines} | {m.value().decode()
                                                      for m in survivor.got}
    assert seen == {f"a-{i}" for i in range(30)} | {f"b-{i}" for i in range(30)}


def decode_consumer_assignment(data: bytes):
    """ConsumerProtocolAssignment: version INT16, [topic STRING, [partition INT32]],
    user_data BYTES -> {topic: [partitions]}."""
    r = K.Reader(data)
    r.take(">h")
    out = {}
    for _ in range(r.take(">i")):
        topic = r.string()
        out[topic] = [r.take(">i") for _ in range(r.take(">i"))]
    return out


def test_admin_list_groups_describes_the_members(broker_factory, kclients):
    broker = broker_factory(kafka=GROUP_SETTINGS)
    topic = make_topic(kclients, broker, 3)
    group = unique("g")
    one = Member(kclients, broker, group, topic, "member-one")
    two = Member(kclients, broker, group, topic, "member-two")
    poll_until([one, two], lambda: one.assigned and two.assigned
               and one.assigned | two.assigned == {0, 1, 2}, "both members assigned")
    admin = kclients.admin(broker)

    def described():
        [g] = admin.list_groups(group=group, timeout=10)
        return g

    # Keep both members polling (heartbeats) while asking.
    poll_until([one, two], lambda: described().state == "Stable", "a Stable group")
    g = described()
    assert (g.id, g.error, g.protocol_type) == (group, None, "consumer")
    assert g.protocol in ("range", "roundrobin")
    assert sorted(m.client_id for m in g.members) == ["member-one", "member-two"]
    assert all(m.client_host.lstrip("/") == "127.0.0.1" for m in g.members), \
        [m.client_host for m in g.members]
    assert len({m.id for m in g.members}) == 2
    by_client = {m.client_id: decode_consumer_assignment(m.assignment) for m in g.members}
    assert {k: set(v[topic]) for k, v in by_client.items()} == \
        {"member-one": one.assigned, "member-two": two.assigned}

    assert group in {x.id for x in admin.list_groups(timeout=10)}

    one.c.close()
    two.c.close()
    g = described()
    assert (g.state, g.members) == ("Empty", [])


def test_kafka_python_group_commits_and_admin_reads_it(broker_factory, kclients):
    pytest.importorskip("kafka")
    from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition
    broker = broker_factory(kafka=GROUP_SETTINGS)
    topic = make_topic(kclients, broker, 2)
    group = unique("kpg")
    K.produce_all(kclients.producer(broker), topic, records("kp", 10, partitions=2))

    cons = KafkaConsumer(topic, bootstrap_servers=broker.kafka_bootstrap, group_id=group,
                         client_id="kp-member", auto_offset_reset="earliest",
                         enable_auto_commit=False, fetch_max_wait_ms=100,
                         heartbeat_interval_ms=300, session_timeout_ms=6000,
                         request_timeout_ms=11000)
    admin = KafkaAdminClient(bootstrap_servers=broker.kafka_bootstrap,
                             request_timeout_ms=10000)
    try:
        got = []
        deadline = time.monotonic() + 30
        while len(got) < 10:
            assert time.monotonic() < deadline, f"consumed {len(got)}/10"
            for recs in cons.poll(timeout_ms=200).values():
                got.extend(recs)
        assert sorted((r.partition, r.offset, r.value) for r in got) == sorted(
            (i % 2, i // 2, f"kp-{i}".encode()) for i in range(10))
        assert cons.assignment() == {TopicPartition(topic, 0), TopicPartition(topic, 1)}
        cons.commit()

        offsets = admin.list_consumer_group_offsets(group)
        assert {tp: o.offset for tp, o in offsets.items()} == \
            {TopicPartition(topic, 0): 5, TopicPartition(topic, 1): 5}
        assert (group, "consumer") in admin.list_consumer_groups()
        [desc] = admin.describe_consumer_groups([group])
        assert (desc.group, desc.state, desc.protocol_type) == (group, "Stable", "consumer")
        assert [m.client_id for m in desc.members] == ["kp-member"]

        cons.close()
        cons = None
        assert admin.delete_consumer_groups([group]) == [(group, _no_error())]
        assert group not in {g for g, _ in admin.list_consumer_groups()}
    finally:
        if cons is not None:
            cons.close()
        admin.close()


def _no_error():
    from kafka.errors import NoError
    return NoError
