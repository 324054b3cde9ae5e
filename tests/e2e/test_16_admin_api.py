"""Admin REST API (docs/api/openapi.yaml) against the real robust-server binary.

The server is started by the harness with ROBUSTMQ_HTTP_PORT=0 and logs
`listener http bound to 127.0.0.1:PORT`; a fresh data dir means a fresh
`admin.secret`. HTTP goes through urllib (standard library) on purpose: no
client library between the test and the wire. MQTT clients are paho-mqtt.
"""

from __future__ import annotations

import base64
import json
import os
import stat
import urllib.error
import urllib.parse
import urllib.request

import pytest

import harness
from harness import unique

pytestmark = pytest.mark.robust_only  # mosquitto has no admin API

# paho CONNACK codes: MQTT 5 reason codes, MQTT 3.1.1 return codes.
BAD_CREDENTIALS = {5: 0x86, 4: 4}
NOT_AUTHORIZED = {5: 0x87, 4: 5}


class Http:
    """Minimal JSON-over-HTTP calls to one server; remembers every body it saw."""

    def __init__(self, broker):
        self.base = f"http://{broker.host}:{broker.http_port}"
        self.bodies: list[str] = []

    def call(self, method, path, body=None, auth=None, raw_body=None):
        headers = {}
        data = raw_body
        if body is not None:
            data = json.dumps(body).encode()
        if data is not None:
            headers["Content-Type"] = "application/json"
        if auth:
            headers["Authorization"] = auth
        req = urllib.request.Request(self.base + path, data=data, method=method,
                                     headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                status, raw, hdrs = r.status, r.read(), r.headers
        except urllib.error.HTTPError as e:
            status, raw, hdrs = e.code, e.read(), e.headers
        text = raw.decode(errors="replace")
        self.bodies.append(text)
        try:
            parsed = json.loads(text) if text else None
        except ValueError:
            parsed = text
        return status, parsed, hdrs


def secret_of(broker) -> str:
    path = broker.data_dir / "admin.secret"
    assert path.exists(), f"no {path} after the first start"
    mode = stat.S_IMODE(os.stat(path).st_mode)
    assert mode == 0o600, f"admin.secret has mode {mode:o}, expected 600"
    return path.read_text().splitlines()[0]


def basic(user, password):
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def login(http, user, password):
    status, body, _ = http.call("POST", "/api/v1/login",
                                {"username": user, "password": password})
    assert status == 200, f"login: HTTP {status} {body}"
    assert body["username"] == user
    return "Bearer " + body["token"]


def mqtt_connect(broker, username=None, password=None, version=5, expect_rc=0, **kw):
    c = harness.Client(broker, version=version, connect=False, **kw)
    if username is not None:
        c.c.username_pw_set(username, password)
    c.connect(expect_rc=expect_rc)
    return c


def test_secret_login_users_and_mqtt_credentials(broker):
    http = Http(broker)
    password = secret_of(broker)
    assert len(password) == 24

    # No address is trusted: loopback needs credentials too.
    status, body, hdrs = http.call("GET", "/api/v1/users")
    assert status == 401
    assert body["error"]["code"] == "unauthorized"
    assert hdrs["WWW-Authenticate"].startswith("Bearer")

    token = login(http, "admin", password)
    status, body, _ = http.call("GET", "/api/v1/users", auth=token)
    assert status == 200
    assert [u["username"] for u in body["items"]] == ["admin"]
    assert body["items"][0]["superuser"] is True
    assert body["total"] == 1

    user, user_pw = unique("dev"), "device-Passw0rd"
    status, body, _ = http.call("POST", "/api/v1/users",
                                {"username": user, "password": user_pw}, auth=token)
    assert status == 201, body
    assert body == {"tenant": "default", "username": user, "superuser": False,
                    "created_ms": body["created_ms"]}
    status, body, _ = http.call("POST", "/api/v1/users",
                                {"username": user, "password": user_pw}, auth=token)
    assert status == 409
    status, body, _ = http.call("POST", "/api/v1/users",
                                {"username": unique("x"), "password": "short"}, auth=token)
    assert status == 400 and body["error"]["field"] == "password"

    # Only anonymous clients are refused once auth.anonymous = deny.
    status, body, _ = http.call("PATCH", "/api/v1/config", {"auth.anonymous": "deny"},
                                auth=token)
    assert status == 200, body
    assert body["config"]["auth"]["anonymous"] == "deny"

    for version in (5, 4):
        ok = mqtt_connect(broker, user, user_pw, version=version)
        ok.disconnect()
        mqtt_connect(broker, user, "wrong-Passw0rd", version=version,
                     expect_rc=BAD_CREDENTIALS[version])
        mqtt_connect(broker, version=version, expect_rc=NOT_AUTHORIZED[version])

    # The new user is no admin.
    status, _, _ = http.call("GET", "/api/v1/users", auth=basic(user, user_pw))
    assert status == 403

    for text in http.bodies:
        assert password not in text and user_pw not in text


def test_clients_kick_publish_and_retained(broker):
    http = Http(broker)
    auth = basic("admin", secret_of(broker))

    sub = mqtt_connect(broker, client_id=unique("sub"))
    sub.subscribe("e2e/admin/#", qos=1)

    status, body, _ = http.call("GET", "/api/v1/clients", auth=auth)
    assert status == 200
    assert sub.client_id in [c["client_id"] for c in body["items"]]
    status, body, _ = http.call(
        "GET", "/api/v1/subscriptions?client_id=" + urllib.parse.quote(sub.client_id),
        auth=auth)
    assert [s["filter"] for s in body["items"]] == ["e2e/admin/#"]

    status, body, _ = http.call("POST", "/api/v1/publish",
                                {"topic": "e2e/admin/a", "payload": "from-api", "qos": 1,
                                 "retain": True}, auth=auth)
    assert status == 200 and body == {"published": True}
    m = sub.expect(1)[0]
    assert (m.topic, m.payload, m.qos) == ("e2e/admin/a", b"from-api", 1)

    topic = urllib.parse.quote("e2e/admin/a", safe="")
    status, body, _ = http.call("GET", f"/api/v1/retained/{topic}", auth=auth)
    assert status == 200
    assert (body["payload"], body["payload_encoding"]) == ("from-api", "text")
    status, _, _ = http.call("DELETE", f"/api/v1/retained/{topic}", auth=auth)
    assert status == 204
    status, _, _ = http.call("GET", f"/api/v1/retained/{topic}", auth=auth)
    assert status == 404

    # Kick: an MQTT 5 client gets DISCONNECT 0x98 (Administrative action).
    status, _, _ = http.call("DELETE", "/api/v1/clients/" + urllib.parse.quote(sub.client_id),
                             auth=auth)
    assert status == 204
    assert sub.disconnects.get(timeout=harness.DEFAULT_WAIT_S) == 0x98


def test_health_metrics_and_errors(broker):
    http = Http(broker)
    assert http.call("GET", "/health/live")[:2] == (200, {"status": "ok"})
    assert http.call("GET", "/health/ready")[:2] == (200, {"status": "ready"})
    status, text, hdrs = http.call("GET", "/metrics")
    assert status == 200
    assert hdrs["Content-Type"].startswith("text/plain")
    assert "robustmq_" in text

    auth = basic("admin", secret_of(broker))
    status, body, _ = http.call("GET", "/api/v1/nothing", auth=auth)
    assert status == 404 and body["error"]["code"] == "not_found"
    status, body, _ = http.call("POST", "/api/v1/users", raw_body=b"{not json", auth=auth)
    assert status == 400 and body["error"]["field"] == "body"
    status, body, _ = http.call("GET", "/api/v1/cluster", auth=auth)
    assert status == 200
    assert body["nodes"][0]["address"].endswith(f":{broker.http_port}")


def test_failed_logins_are_rate_limited(broker):
    http = Http(broker)
    password = secret_of(broker)
    token = login(http, "admin", password)
    codes = [http.call("POST", "/api/v1/login",
                       {"username": "admin", "password": f"guess-{i}"})[0] for i in range(10)]
    assert codes == [401] * 10  # http.login_failures_per_minute defaults to 10
    status, body, hdrs = http.call("POST", "/api/v1/login",
                                   {"username": "admin", "password": password})
    assert status == 429, body
    assert 1 <= int(hdrs["Retry-After"]) <= 60
    # A token issued before keeps working.
    assert http.call("GET", "/api/v1/overview", auth=token)[0] == 200


def test_restart_reuses_the_admin_password(broker):
    password = secret_of(broker)
    broker.restart()
    assert secret_of(broker) == password
    http = Http(broker)
    login(http, "admin", password)
