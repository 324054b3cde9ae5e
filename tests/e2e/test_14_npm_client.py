"""The npm `mqtt` client (MQTT.js 5, pinned by node/package-lock.json) over TCP
and WebSocket, MQTT 3.1.1 and 5. The script is node/client_test.mjs; its
dependencies are installed with `npm ci` when node_modules lacks a package
(node_util.py)."""

import os
import subprocess

import pytest

import node_util
from node_util import NODE_DIR


@pytest.fixture(scope="module")
def node_env():
    return node_util.node_binary()


def test_npm_mqtt_client_tcp_and_websocket(broker, node_env):
    broker.require_ws()
    r = subprocess.run([node_env, "client_test.mjs", broker.host, str(broker.port),
                        str(broker.ws_port)], cwd=NODE_DIR, capture_output=True, timeout=60,
                       env=dict(os.environ))
    out = r.stdout.decode() + r.stderr.decode()
    assert r.returncode == 0, out
    assert "MQTT 3.1.1" in out and "MQTT 5" in out
