"""The npm `kafkajs` client (KafkaJS 2, pinned by node/package-lock.json)
against the Kafka listener: admin (create/metadata/list/delete topics, group
offsets, describe/list groups), plain and GZIP producers with acks -1 and 1, an
idempotent producer, consumer groups (one member, two members sharing three
partitions, resuming after committed offsets) and SASL/PLAIN with a user made
through the admin API. The script is node/kafkajs_test.mjs; it checks every
record exactly and prints one "step:" line per area. Dependencies are installed
with `npm ci` when node_modules lacks a package (node_util.py)."""

import os
import subprocess

import pytest

import harness
import node_util
from admin_client import Admin
from node_util import NODE_DIR

pytestmark = pytest.mark.skipif(harness.IS_MOSQUITTO, reason="mosquitto has no Kafka listener")


@pytest.fixture(scope="module")
def node_env():
    return node_util.node_binary()


def test_kafkajs_admin_produce_consume_groups_and_sasl(broker_factory, node_env):
    # A short first-rebalance delay, as in test_21: the groups here form in
    # well under a second.
    broker = broker_factory(kafka={"group_initial_rebalance_delay_ms": 100})
    user, password = harness.unique("kjs-user"), "kjs-secret-1"
    Admin(broker).create_user(user, password)
    env = dict(os.environ, KAFKAJS_SASL_USER=user, KAFKAJS_SASL_PASSWORD=password,
               KAFKAJS_NO_PARTITIONER_WARNING="1")
    r = subprocess.run([node_env, "kafkajs_test.mjs", broker.kafka_bootstrap], cwd=NODE_DIR,
                       capture_output=True, timeout=90, env=env)
    out = r.stdout.decode() + r.stderr.decode()
    assert r.returncode == 0, out
    for area in ("admin:", "produce idempotent", "consume:", "split:", "resume:",
                 "sasl: PLAIN", "sasl: a wrong password", "delete:"):
        assert f"step: {area}" in out, f"no '{area}' step:\n{out}"
