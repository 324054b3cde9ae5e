"""Kafka consumer groups through the admin API and `robustctl group` (docs/cli.md),
with real confluent-kafka consumers: what kafka-consumer-groups.sh users expect.

A consumer group consumes part of a topic and commits; `robustctl group list` and
`group describe` show it with its member, the member's assignment, the committed
offsets and the right lag while it runs; delete and reset-offsets are refused
while it has a member; after it closes, reset-offsets --to-earliest (after a
--dry-run that changes nothing) makes a new consumer of the group read from 0;
delete removes the group and its offsets.
"""

import json

import pytest

import harness
import kafka_util as K
from harness import unique
from test_17_robustctl import Ctl

pytestmark = pytest.mark.skipif(harness.IS_MOSQUITTO, reason="mosquitto has no Kafka listener")

GROUP_SETTINGS = {"group_initial_rebalance_delay_ms": 100}


@pytest.fixture
def setup(broker_factory, kclients):
    broker = broker_factory(kafka=GROUP_SETTINGS)
    ctl = Ctl(broker)
    yield broker, ctl
    ctl.close()
    for secret in ctl.secrets:
        for out in ctl.outputs:
            assert secret not in out, "a password appeared in robustctl's output"


def make_topic(kclients, broker, partitions):
    return K.make_topic(kclients, broker, partitions, "adm")


def describe(ctl, group):
    return ctl.json("group", "describe", group)


def listed(ctl, group):
    items = ctl.json("group", "list", "--name", group)["items"]
    return [g for g in items if g["group"] == group]


def test_group_lifecycle_with_a_real_consumer(setup, kclients):
    broker, ctl = setup
    topic = make_topic(kclients, broker, 2)
    # Partition 0 gets 6 records, partition 1 gets 4.
    recs = [dict(value=f"v{i}".encode(), partition=0 if i < 6 else 1) for i in range(10)]
    K.produce_all(kclients.producer(broker), topic, recs)
    end = {0: 6, 1: 4}

    # The Kafka topic's partitions with their earliest and latest offsets.
    t = ctl.json("topic", "get", topic)
    assert [(s["partition"], s["earliest_offset"], s["next_offset"]) for s in t["shards"]] == \
        [(0, 0, 6), (1, 0, 4)]

    group = unique("billing")
    c = kclients.consumer(broker, **{"group.id": group, "client.id": "e2e-member",
                                     "enable.auto.commit": False})
    c.subscribe([topic])
    got = K.consume(c, 5)
    c.commit(asynchronous=False)  # the positions after what was consumed
    committed = {}
    for m in got:
        committed[m.partition()] = max(committed.get(m.partition(), 0), m.offset() + 1)
    lag = {p: end[p] - off for p, off in committed.items()}

    # Running: Stable, one member with both partitions, offsets and lag.
    g = listed(ctl, group)
    assert len(g) == 1, g
    assert g[0]["state"] == "Stable" and g[0]["members"] == 1, g
    assert g[0]["protocol_type"] == "consumer"
    assert g[0]["lag"] == sum(lag.values()), (g, committed)

    d = describe(ctl, group)
    assert d["state"] == "Stable" and d["generation"] >= 1
    assert len(d["members"]) == 1
    member = d["members"][0]
    assert member["client_id"] == "e2e-member"
    assert member["assignment"] == [{"topic": topic, "partitions": [0, 1]}]
    rows = {o["partition"]: o for o in d["offsets"]}
    assert sorted(rows) == [0, 1]
    for p in (0, 1):
        assert rows[p]["topic"] == topic
        assert rows[p]["log_end_offset"] == end[p]
        assert rows[p]["member_id"] == member["member_id"]
        assert rows[p]["committed_offset"] == committed.get(p), (p, rows[p], committed)
        assert rows[p]["lag"] == lag.get(p), (p, rows[p])

    table = ctl.run("group", "describe", group).stdout
    assert "CURRENT-OFFSET" in table and "LOG-END-OFFSET" in table and "CONSUMER-ID" in table
    assert topic in table and "e2e-member" in table
    assert group in ctl.run("group", "list").stdout

    # Kafka's rules: no delete and no reset while the group has members.
    r = ctl.run("group", "delete", group, expect=1)
    assert "409" in r.stderr and "active member" in r.stderr, r.stderr
    r = ctl.run("group", "reset-offsets", group, "--topic", topic, "--to-earliest", expect=1)
    assert "409" in r.stderr and "stop its consumers first" in r.stderr, r.stderr

    c.close()  # leaves the group
    K.wait_for(lambda: describe(ctl, group)["state"] == "Empty", what="group Empty")
    d = describe(ctl, group)
    assert d["members"] == []
    assert {o["partition"]: o["committed_offset"] for o in d["offsets"]} == committed

    # A dry run shows the plan and changes nothing.
    plan = ctl.json("group", "reset-offsets", group, "--topic", topic, "--to-earliest",
                    "--dry-run")
    assert plan["dry_run"] is True
    assert [(p["partition"], p["previous_offset"], p["new_offset"])
            for p in plan["partitions"]] == [(p, committed.get(p), 0) for p in (0, 1)]
    assert {o["partition"]: o["committed_offset"]
            for o in describe(ctl, group)["offsets"]} == committed
    out = ctl.run("group", "reset-offsets", group, "--topic", topic, "--to-earliest",
                  "--dry-run").stdout
    assert "dry run" in out and "PREVIOUS-OFFSET" in out

    out = ctl.run("group", "reset-offsets", group, "--topic", topic, "--to-earliest").stdout
    assert "reset on 2 partitions" in out
    d = describe(ctl, group)
    assert {o["partition"]: (o["committed_offset"], o["lag"]) for o in d["offsets"]} == \
        {0: (0, 6), 1: (0, 4)}
    assert listed(ctl, group)[0]["lag"] == 10

    # A new consumer of the group starts from the reset offsets, not from the
    # end (auto.offset.reset=latest would skip everything without them).
    again = kclients.consumer(broker, **{"group.id": group, "auto.offset.reset": "latest",
                                         "enable.auto.commit": False})
    again.subscribe([topic])
    reread = K.consume(again, 10)
    assert sorted(m.value().decode() for m in reread) == sorted(f"v{i}" for i in range(10))
    assert min(m.offset() for m in reread if m.partition() == 0) == 0
    again.close()

    # --to-offset and --all-topics, then delete.
    ctl.run("group", "reset-offsets", group, "--all-topics", "--to-offset", "3")
    d = describe(ctl, group)
    assert {o["partition"]: o["committed_offset"] for o in d["offsets"]} == {0: 3, 1: 3}
    assert "deleted" in ctl.run("group", "delete", group).stdout
    assert listed(ctl, group) == []
    r = ctl.run("group", "describe", group, expect=1)
    assert "404" in r.stderr
    ctl.run("group", "delete", group, expect=1)


def test_group_usage_errors_name_the_flag(setup):
    _, ctl = setup
    r = ctl.run("group", "reset-offsets", "g", "--to-earliest", expect=2)
    assert "--topic" in r.stderr and "--all-topics" in r.stderr
    r = ctl.run("group", "reset-offsets", "g", "--topic", "t", expect=2)
    assert "--to-earliest" in r.stderr
    r = ctl.run("group", "reset-offsets", "g", "--topic", "t:x", "--to-latest", expect=2)
    assert "--topic: bad partition list" in r.stderr
    r = ctl.run("group", "reset-offsets", "g", "--topic", "t", "--to-datetime", "soon", expect=2)
    assert "--to-datetime" in r.stderr
    # An unknown topic is the server's answer: exit 1, naming it.
    r = ctl.run("group", "reset-offsets", "g", "--topic", "nope", "--to-earliest", expect=1)
    assert "400" in r.stderr and "nope" in r.stderr
    assert json.loads(ctl.run("-o", "json", "group", "list").stdout)["items"] == []
