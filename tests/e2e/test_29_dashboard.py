"""The web dashboard (dashboard/) served by the built robust-server at `/`,
driven in Debian's Chromium by playwright-core (dashboard/e2e/driver.mjs, one
step per command), with the MQTT side done here by paho and raw clients:

  log in; live counts change when an MQTT client connects and publishes;
  a user and an ACL rule made in the UI are enforced on an MQTT connection
  (and the ACL tester agrees); the message browser shows a published JSON
  message as JSON and hex; kicking a client in the UI disconnects it;
  every page renders without an error (screenshots); an expired token sends
  the app back to the login page; logout forgets the token.

Screenshots go to $DASHBOARD_SCREENSHOTS (ctest: <build>/dashboard-screenshots),
else to the test's temp dir. Needs the `dashboard` build target (dashboard/dist),
node/npm and /usr/bin/chromium (scripts/install-deps.sh --with-tests).
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import urllib.request
from pathlib import Path

import pytest

import harness
import kafka_util as K
import raw_mqtt as R
from admin_client import Admin, quote
from harness import unique

pytestmark = pytest.mark.robust_only  # the dashboard is robust-server's

REPO = Path(__file__).resolve().parents[2]
DASHBOARD = REPO / "dashboard"
DRIVER = DASHBOARD / "e2e" / "driver.mjs"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
STEP_TIMEOUT_S = 60


def ensure_tools():
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        pytest.skip("node/npm not installed")
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(f"{CHROMIUM} not installed (apt install chromium)")
    assert (DASHBOARD / "dist" / "index.html").is_file(), (
        "dashboard/dist is not built: cmake --build <build> --target dashboard")
    if not (DASHBOARD / "node_modules" / "playwright-core" / "package.json").is_file():
        r = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=DASHBOARD,
                           capture_output=True, timeout=300)
        assert r.returncode == 0, "npm ci failed:\n" + r.stdout.decode() + r.stderr.decode()
    return node


class Browser:
    """The driver process: step(name, **args) -> its result, or AssertionError."""

    def __init__(self, node, base_url, shots: Path):
        self.proc = subprocess.Popen(
            [node, str(DRIVER)], cwd=DASHBOARD, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True,
            env={**os.environ, "BASE_URL": base_url, "SCREENSHOT_DIR": str(shots),
                 "CHROMIUM": CHROMIUM})
        self.lines: queue.Queue = queue.Queue()
        import threading
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def step(self, step_name, **args):
        name = step_name
        self.proc.stdin.write(json.dumps({"step": name, **args}) + "\n")
        self.proc.stdin.flush()
        try:
            line = self.lines.get(timeout=STEP_TIMEOUT_S)
        except queue.Empty:
            raise AssertionError(f"dashboard step {name}: no answer in {STEP_TIMEOUT_S}s")
        if line is None:
            raise AssertionError(f"dashboard driver exited during {name}:\n"
                                 + self.proc.stderr.read())
        answer = json.loads(line)
        assert answer["ok"], f"dashboard step {name} failed: {answer['error']}"
        return answer["result"]

    def close(self):
        if self.proc.poll() is None:
            self.proc.stdin.close()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@pytest.fixture
def shots(tmp_path):
    d = Path(os.environ.get("DASHBOARD_SCREENSHOTS") or tmp_path / "screenshots")
    d.mkdir(parents=True, exist_ok=True)
    return d


@pytest.fixture
def browser(broker, shots):
    node = ensure_tools()
    b = Browser(node, f"http://{broker.host}:{broker.http_port}/", shots)
    yield b
    b.close()


def http_get(broker, path):
    with urllib.request.urlopen(f"http://{broker.host}:{broker.http_port}{path}", timeout=10) as r:
        return r.status, r.headers, r.read().decode()


def test_server_serves_the_built_app(broker):
    ensure_tools()
    status, headers, body = http_get(broker, "/")
    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert '<div id="root">' in body
    # A client-side route gets the same page; hashed assets are cacheable.
    assert http_get(broker, "/topics/some%2Ftopic")[2] == body
    asset = body.split('src="')[1].split('"')[0]
    assert asset.startswith("/assets/")
    status, headers, js = http_get(broker, asset)
    assert headers["Content-Type"].startswith("text/javascript")
    assert "immutable" in headers["Cache-Control"]
    assert "dashboard: serving" in broker.log_text()


def test_message_browser_api(broker, kclients):
    """GET /api/v1/messages, which the topic page's browser reads: an MQTT topic's
    QoS 1/2 messages from the shared shards, and a Kafka partition's records with
    their batches opened."""
    admin = Admin(broker)
    topic = unique("browse/mqtt")
    c = harness.Client(broker)
    c.publish(topic, b'{"n": 1}', qos=1)
    c.publish(topic, b"\x00\xff\x10", qos=2)
    c.publish(topic, b"qos0 is not stored", qos=0)
    c.publish(topic, b"last", qos=1)
    page = admin.ok("GET", f"/api/v1/messages?topic={quote(topic)}")
    assert page["mqtt"] is True and page["shard"].startswith("$mqtt/messages/")
    got = [(m["payload"], m["payload_encoding"]) for m in page["messages"]]
    assert got == [('{"n": 1}', "text"), ("AP8Q", "base64"), ("last", "text")], got
    offsets = [m["offset"] for m in page["messages"]]
    assert offsets == sorted(offsets)
    newest = admin.ok("GET", f"/api/v1/messages?topic={quote(topic)}&limit=1")["messages"]
    assert [m["payload"] for m in newest] == ["last"]

    K.require_confluent()
    ktopic = K.make_topic(kclients, broker, 2, "browse")
    producer = kclients.producer(broker, **{"linger.ms": 50})
    K.produce_all(producer, ktopic, [
        {"value": f"v{i}".encode(), "key": f"k{i}".encode(), "partition": 1,
         "headers": [("h", b"x")]} for i in range(3)])
    part = admin.ok("GET", f"/api/v1/messages?topic={ktopic}&partition=1")
    assert part["mqtt"] is False and part["next_offset"] == 3
    assert [(m["offset"], m["key"], m["payload"]) for m in part["messages"]] == [
        (0, "k0", "v0"), (1, "k1", "v1"), (2, "k2", "v2")]
    assert part["messages"][0]["headers"] == [{"key": "h", "value": "x",
                                               "value_encoding": "text"}]
    one = admin.ok("GET", f"/api/v1/messages?topic={ktopic}&partition=1&offset=1&limit=1")
    assert [m["payload"] for m in one["messages"]] == ["v1"]
    assert admin.ok("GET", f"/api/v1/messages?topic={ktopic}&partition=0")["messages"] == []
    status, body = admin.call("GET", f"/api/v1/messages?topic={ktopic}&partition=2")
    assert status == 400 and body["error"]["field"] == "partition"
    assert admin.call("GET", "/api/v1/messages?topic=no-such-topic")[0] == 404


def test_kafka_groups_page(broker, browser, kclients):
    """A confluent-kafka group that committed 3 of 5 records: the Kafka groups page
    shows it with its member and a lag of 2, and its offsets per partition."""
    K.require_confluent()
    admin = Admin(broker)
    topic = K.make_topic(kclients, broker, 1, "dashgrp")
    producer = kclients.producer(broker)
    K.produce_all(producer, topic, [{"value": f"r{i}".encode()} for i in range(3)])
    group = unique("dash-group")
    consumer = kclients.consumer(broker, **{"group.id": group, "enable.auto.commit": False})
    consumer.subscribe([topic])
    K.consume(consumer, 3, timeout=30)
    consumer.commit(asynchronous=False)
    K.produce_all(producer, topic, [{"value": f"r{i}".encode()} for i in range(3, 5)])
    assert admin.ok("GET", f"/api/v1/kafka/groups/{group}")["lag"] == 2

    assert browser.step("login", username="admin", password=admin.password)["user"] == "admin"
    seen = browser.step("kafka_group", group=group)
    # Group, tenant, state, members, lag
    assert seen["cells"][0] == group and seen["cells"][3] == "1" and seen["cells"][4] == "2", seen
    assert any(topic in row and row.endswith("2") for row in seen["offsets"]), seen["offsets"]


def test_dashboard_scenario(broker, browser, shots):
    admin = Admin(broker)
    assert browser.step("open_root")["url"].endswith("/login")
    bad = browser.step("login", username="admin", password="wrong-password")
    assert "error" in bad and bad["error"], bad
    assert browser.step("login", username="admin", password=admin.password)["user"] == "admin"

    # Live counts: the page refreshes by itself as a client connects and publishes.
    before = browser.step("overview")
    assert before["version"] and before["uptime"]
    watcher = harness.Client(broker, client_id=unique("dash-watch"))
    watcher.subscribe("dash/#", qos=1)
    browser.step("wait_stat", test_id="stat-connections", min=before["connections"] + 1)
    topic = unique("dash/json").replace("-", "_")
    payload = json.dumps({"temperature": 21.5, "unit": "C"})
    pub = harness.Client(broker, client_id=unique("dash-pub"))
    for _ in range(5):
        pub.publish(topic, payload.encode(), qos=1)
    pub.disconnect()
    browser.step("wait_stat", test_id="total-in", min=before["total_in"] + 5)

    # A user and an ACL rule made in the UI, enforced on MQTT.
    user, password = unique("dash-user"), "Dash-Passw0rd"
    browser.step("create_user", username=user, password=password)
    dup = browser.step("create_user_error", username=user, password=password)
    assert "exists" in dup["error"], dup
    browser.step("create_acl", name=unique("deny-secret"), username=user, topic="secret/#",
                 action="publish", permission="deny")
    denied = browser.step("acl_check", client_id="c1", username=user, topic="secret/x")
    assert denied["decision"].startswith("Denied"), denied
    allowed = browser.step("acl_check", client_id="c1", username=user, topic="open/x")
    assert allowed["decision"].startswith("Allowed"), allowed

    wrong = R.RawClient(broker, version=5)
    wrong.connect(unique(), username=user, password=b"not-it", expect_reason=0x86)
    c = R.RawClient(broker, version=5)
    c.connect(unique(), username=user, password=password.encode())
    assert c.publish("secret/x", b"nope", qos=1).reason == 0x87
    assert c.publish("open/x", b"fine", qos=1).reason == 0

    # The message browser: the JSON publish, pretty-printed and as hex.
    seen = browser.step("browse", topic=topic, expect="temperature")
    assert json.loads(seen["json"]) == json.loads(payload)
    assert seen["json"] != payload  # pretty-printed
    assert seen["hex"].startswith("00000000  7b 22 74 65"), seen["hex"][:60]
    assert len(seen["previews"]) == 5

    # Kick: the client is disconnected and gone from the API's list.
    browser.step("kick", client_id=watcher.client_id)
    try:
        watcher.disconnects.get(timeout=10)  # a disconnect the client did not ask for
    except queue.Empty:
        raise AssertionError("the kicked client was not disconnected")
    status, _ = admin.call("GET", "/api/v1/clients/" + watcher.client_id)
    assert status == 404

    # Topics made and deleted in the UI.
    made = unique("dash-topic")
    browser.step("create_topic", name=made, partitions=3)
    assert admin.ok("GET", f"/api/v1/topics/{made}")["partitions"] == 3
    browser.step("delete_topic", name=made)
    assert admin.call("GET", f"/api/v1/topics/{made}")[0] == 404

    # Publish from the Pub/Sub page and see it stored; a runtime config change.
    browser.step("publish_ui", topic=unique("dash/ui").replace("-", "_"), payload="from the UI")
    browser.step("config_set", key="log.level", value="debug")
    assert admin.ok("GET", "/api/v1/config")["config"]["log"]["level"] == "debug"

    pages = browser.step("screenshots")
    assert len(pages["taken"]) == 13
    for name in pages["taken"]:
        assert (shots / f"{name}.png").stat().st_size > 5000, name

    def brightness(css):  # "rgb(r, g, b)"
        return sum(int(v) for v in css[css.index("(") + 1:css.index(")")].split(",")[:3])
    assert brightness(pages["dark"]) < 150 < 600 < brightness(pages["light"]), pages

    assert browser.step("page_errors")["errors"] == []
    assert browser.step("expire")["url"].endswith("/login")
    assert browser.step("login", username="admin", password=admin.password)["user"] == "admin"
    assert browser.step("logout")["token"] is None
