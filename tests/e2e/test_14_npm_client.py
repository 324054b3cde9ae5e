"""The npm `mqtt` client (MQTT.js 5, pinned by node/package-lock.json) over TCP
and WebSocket, MQTT 3.1.1 and 5. The script is node/client_test.mjs; its
dependencies are installed with `npm ci` when node_modules is missing."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

NODE_DIR = Path(__file__).parent / "node"


@pytest.fixture(scope="module")
def node_env():
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        pytest.skip("node/npm not installed")
    if not (NODE_DIR / "node_modules" / "mqtt").is_dir():
        r = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=NODE_DIR,
                           capture_output=True, timeout=240)
        assert r.returncode == 0, "npm ci failed:\n" + r.stdout.decode() + r.stderr.decode()
    return node


def test_npm_mqtt_client_tcp_and_websocket(broker, node_env):
    broker.require_ws()
    r = subprocess.run([node_env, "client_test.mjs", broker.host, str(broker.port),
                        str(broker.ws_port)], cwd=NODE_DIR, capture_output=True, timeout=60,
                       env=dict(os.environ))
    out = r.stdout.decode() + r.stderr.decode()
    assert r.returncode == 0, out
    assert "MQTT 3.1.1" in out and "MQTT 5" in out
