"""A small client for robust-server's admin REST API (docs/api/openapi.yaml),
for the end-to-end tests: standard library only (urllib), JSON in and out.

Admin(broker) logs in with the password the server wrote to
<data_dir>/admin.secret on first start (user "admin").
"""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.parse
import urllib.request


class ApiError(Exception):
    def __init__(self, status, body):
        super().__init__(f"HTTP {status}: {body}")
        self.status = status
        self.body = body


class Admin:
    def __init__(self, broker, user="admin", password=None):
        self.base = f"http://{broker.host}:{broker.http_port}"
        if password is None:
            password = (broker.data_dir / "admin.secret").read_text().splitlines()[0].strip()
        self.user = user
        self.password = password

    def call(self, method, path, body=None, auth=True, headers=None, expect=None):
        """Returns (status, parsed JSON or text). `expect`: a status that must match."""
        data = None
        h = dict(headers or {})
        if body is not None:
            data = json.dumps(body).encode()
            h["Content-Type"] = "application/json"
        if auth:
            token = base64.b64encode(f"{self.user}:{self.password}".encode()).decode()
            h.setdefault("Authorization", f"Basic {token}")
        req = urllib.request.Request(self.base + path, data=data, method=method, headers=h)
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                status, raw = r.status, r.read()
        except urllib.error.HTTPError as e:
            status, raw = e.code, e.read()
        text = raw.decode(errors="replace")
        try:
            parsed = json.loads(text) if text else None
        except ValueError:
            parsed = text
        if expect is not None:
            assert status == expect, f"{method} {path}: HTTP {status}, expected {expect}: {text}"
        return status, parsed

    def ok(self, method, path, body=None):
        status, parsed = self.call(method, path, body)
        if status >= 400:
            raise ApiError(status, parsed)
        return parsed

    # -- conveniences used by the MQTT security tests -----------------------
    def create_user(self, username, password, tenant="default", superuser=False):
        return self.ok("POST", "/api/v1/users", {"tenant": tenant, "username": username,
                                                 "password": password,
                                                 "superuser": superuser})

    def create_tenant(self, name):
        return self.ok("POST", "/api/v1/tenants", {"name": name})

    def create_acl(self, **rule):
        return self.ok("POST", "/api/v1/acls", rule)

    def ban(self, type_, value, reason="test"):
        return self.ok("POST", "/api/v1/blacklist", {"type": type_, "value": value,
                                                     "reason": reason})

    def set_config(self, **kv):
        return self.ok("PATCH", "/api/v1/config", {k.replace("__", "."): v
                                                   for k, v in kv.items()})


def quote(part: str) -> str:
    """A path parameter, percent-encoded ('/' included)."""
    return urllib.parse.quote(part, safe="")
