"""robustctl, the command-line client (docs/cli.md), against the real server.

Admin areas (cluster, config, tenant, user, acl, blacklist, topic, retained, session,
client, subscription, publish, login, health) run the built `robustctl` binary against
robust-server's admin API on its OS-chosen port, authenticating the way an operator on
the server's host would: with the admin password the server wrote to
<data_dir>/admin.secret, found by robustctl itself. Each answer is checked against what
the server really did (a second command, an MQTT client, or the admin API directly).

`robustctl mqtt pub|sub` run against the broker at QoS 0/1/2 with retain, against each
other and against mosquitto_pub/mosquitto_sub; those tests also run under
E2E_BROKER=mosquitto (the admin ones are robust_only).

The binary: $ROBUSTCTL, else <build>/robustctl/robustctl beside
$ROBUST_SERVER=<build>/broker/main/robust-server.

No output of any command may contain a password (checked after every test).
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest

import harness
from harness import MOSQUITTO_PUB, MOSQUITTO_SUB, unique

robust_only = pytest.mark.robust_only
WAIT_S = 10.0


def robustctl_binary() -> str:
    b = os.environ.get("ROBUSTCTL")
    if not b and os.environ.get("ROBUST_SERVER"):
        b = str(Path(os.environ["ROBUST_SERVER"]).resolve().parents[2] / "robustctl" / "robustctl")
    if not b or not os.access(b, os.X_OK):
        pytest.fail(f"robustctl not found (set ROBUSTCTL=/path/to/robustctl; tried {b!r})")
    return b


def clean_env(**extra) -> dict:
    """The test's environment without ROBUSTMQ_* (they would steer robustctl)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ROBUSTMQ_")}
    env.update(extra)
    return env


class Ctl:
    """Runs robustctl; remembers every output so the teardown can look for secrets."""

    def __init__(self, broker):
        self.binary = robustctl_binary()
        self.broker = broker
        self.outputs: list[str] = []
        self.secrets: list[str] = []
        self.procs: list[subprocess.Popen] = []
        if harness.IS_ROBUST:
            self.admin_password = (Path(broker.data_dir) / "admin.secret").read_text() \
                .splitlines()[0].strip()
            self.secrets.append(self.admin_password)

    @property
    def server(self):
        return f"http://{self.broker.host}:{self.broker.http_port}"

    def args(self, args, admin=True):
        if admin:
            return [self.binary, "--server", self.server, "--data-dir",
                    str(self.broker.data_dir), *args]
        return [self.binary, *args]

    def run(self, *args, admin=True, expect=0, input=None, env=None, cwd=None, timeout=30):
        """Runs robustctl to completion; checks the exit code unless expect is None."""
        r = subprocess.run(self.args(list(args), admin), input=input, capture_output=True,
                           text=True, timeout=timeout, env=env or clean_env(), cwd=cwd)
        self.outputs += [r.stdout, r.stderr]
        if expect is not None:
            assert r.returncode == expect, (
                f"robustctl {' '.join(args)}: exit {r.returncode}, expected {expect}\n"
                f"stdout: {r.stdout}\nstderr: {r.stderr}")
        return r

    def json(self, *args):
        return json.loads(self.run("-o", "json", *args).stdout)

    def mqtt(self, verb, *args, **kw):
        return self.run("mqtt", verb, "-p", str(self.broker.port), *args, admin=False, **kw)

    def start_sub(self, *args) -> "Sub":
        return Sub(self, list(args))

    def close(self):
        for p in self.procs:
            if p.poll() is None:
                p.kill()
                p.wait()
            out = p.stdout.read() if p.stdout and not p.stdout.closed else ""
            self.outputs.append(out or "")


class Sub:
    """A running `robustctl mqtt sub -v` whose subscription is known to be active.

    A retained probe message is published first on a topic the sub also subscribes to;
    its arrival (always the first line) proves the SUBSCRIBE was acknowledged, so
    publishing can start without sleeping."""

    def __init__(self, ctl: Ctl, args):
        self.ctl = ctl
        self.probe = f"probe/{unique()}"
        r = subprocess.run([MOSQUITTO_PUB, "-h", ctl.broker.host, "-p", str(ctl.broker.port),
                            "-t", self.probe, "-m", "ready", "-r", "-q", "1"],
                           capture_output=True, timeout=10)
        assert r.returncode == 0, r.stderr
        self.proc = subprocess.Popen(
            ctl.args(["mqtt", "sub", "-p", str(ctl.broker.port), "-v", "-t", self.probe, *args],
                     admin=False),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=clean_env())
        ctl.procs.append(self.proc)
        self.lines: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        first = self.line()
        assert first == f"{self.probe} ready", f"first line {first!r}"

    def _read(self):
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def line(self, timeout=WAIT_S):
        try:
            line = self.lines.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"robustctl sub printed nothing within {timeout}s; "
                                 f"stderr: {self._stderr_now()}")
        assert line is not None, f"robustctl sub ended; stderr: {self._stderr_now()}"
        self.ctl.outputs.append(line)
        return line

    def expect(self, n, timeout=WAIT_S):
        return [self.line(timeout) for _ in range(n)]

    def _stderr_now(self):
        if self.proc.poll() is None:
            return "(still running)"
        return self.proc.stderr.read()

    def wait(self, timeout=WAIT_S):
        rc = self.proc.wait(timeout)
        err = self.proc.stderr.read()
        self.ctl.outputs.append(err)
        return rc, err


@pytest.fixture
def ctl(broker):
    c = Ctl(broker)
    yield c
    c.close()
    for secret in c.secrets:
        for out in c.outputs:
            assert secret not in out, "a password appeared in robustctl's output"


def wait_until(check, what, timeout=WAIT_S):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)  # polling the admin API for a state change, not synchronising


# -- admin areas -----------------------------------------------------------------------

@robust_only
def test_cluster_info_overview_history(ctl, broker):
    r = ctl.run("cluster", "info")
    assert r.stdout.startswith("cluster: ")
    assert "ROLES" in r.stdout and "running" in r.stdout
    info = ctl.json("cluster", "info")
    assert len(info["nodes"]) >= 1
    overview = ctl.json("cluster", "overview")
    assert {"connections", "sessions", "rates", "totals", "listeners"} <= set(overview)
    table = ctl.run("cluster", "overview").stdout
    assert "rates.messages_in" in table and "listeners:" in table
    assert str(broker.port) in table  # the MQTT listener's real port
    history = ctl.json("cluster", "history", "--minutes", "5")
    assert history["interval_s"] > 0 and isinstance(history["points"], list)
    assert ctl.run("cluster", "history").stdout.startswith("interval: ")


@robust_only
def test_health_and_login(ctl):
    assert ctl.run("health").stdout == "ready: ready\n"
    assert ctl.run("health", "live").stdout == "live: ok\n"
    r = ctl.run("login")
    assert r.stdout.startswith("login ok: admin, token valid until ")
    token = ctl.json("login")["token"]
    ctl.secrets.append(token)  # printed once on purpose; must not leak elsewhere
    ctl.outputs.clear()
    assert ctl.run("--token", token, "user", "list").returncode == 0
    bad = ctl.run("--token", token + "x", "user", "list", expect=1)
    assert bad.stderr.startswith("error: 401 unauthorized")
    assert "hint: credentials from --token" in bad.stderr


@robust_only
def test_config_get_and_set(ctl):
    view = ctl.json("config", "get")
    assert "log.level" in view["runtime_changeable"]
    assert view["config"]["log"]["level"] == "info"  # the harness starts it so
    r = ctl.run("config", "set", "log.level=debug", "auth.anonymous=allow")
    assert [line.split() for line in r.stdout.splitlines()] == [
        ["KEY", "VALUE", "RUNTIME_CHANGEABLE"], ["log.level", "debug", "yes"],
        ["auth.anonymous", "allow", "yes"]]
    now = ctl.json("config", "get")["config"]
    assert (now["log"]["level"], now["auth"]["anonymous"]) == ("debug", "allow")
    one = ctl.run("config", "get", "log.level").stdout.splitlines()
    assert [line.split() for line in one[1:]] == [["log.level", "debug", "yes"]]
    section = ctl.run("config", "get", "mqtt").stdout.splitlines()
    assert len(section) > 3 and all(line.startswith("mqtt.") for line in section[1:])
    assert any(line.split()[0] == "mqtt.tcp_port" and line.split()[-1] == "no"
               for line in section[1:])
    for bad, field in (("no_such.key=1", "no_such.key"), ("log.level=loud", "log.level"),
                       ("mqtt.tcp_port=1", "mqtt.tcp_port")):
        err = ctl.run("config", "set", bad, expect=1).stderr
        assert err.startswith(f"error: 400 bad_request: {field}: "), err
    assert ctl.json("config", "get")["config"]["log"]["level"] == "debug"  # nothing half-done
    assert ctl.run("config", "get", "no_such", expect=1).stderr.startswith(
        "error: no configuration key matches")
    assert ctl.run("config", "set", "missing-equals", expect=2).stderr.startswith("error: ")


@robust_only
def test_tenant(ctl):
    name = unique("t")
    r = ctl.run("tenant", "create", name, "--description", "e2e tenant")
    assert f"name         {name}" in r.stdout or name in r.stdout
    listed = ctl.json("tenant", "list", "--name", name)
    assert [t["name"] for t in listed["items"]] == [name]
    assert listed["items"][0]["description"] == "e2e tenant"
    table = ctl.run("tenant", "list", "--name", name).stdout.splitlines()
    assert table[0].split() == ["NAME", "DESCRIPTION", "CREATED"]
    assert table[-1] == "page 1 of 1, 1 item"
    assert ctl.run("tenant", "create", name, expect=1).stderr.startswith("error: 409 conflict")
    assert ctl.run("tenant", "delete", name).stdout == f"tenant {name} deleted\n"
    assert ctl.run("tenant", "delete", name, expect=1).stderr.startswith("error: 404 not_found")


@robust_only
def test_user(ctl, broker):
    name, password = unique("u"), "e2e-Passw0rd-" + unique()
    ctl.secrets.append(password)
    r = ctl.run("user", "create", name, "--password", password)
    assert name in r.stdout and "superuser" in r.stdout
    got = ctl.json("user", "get", name)
    assert got["username"] == name and got["superuser"] is False
    assert "password" not in json.dumps(got)
    assert ctl.run("user", "get", name).stdout.splitlines()[0].split() == ["KEY", "VALUE"]
    # The user really exists: it can connect over MQTT with that password.
    ctl.mqtt("pub", "-t", unique(), "-m", "x", "-u", name, "-P", password)
    ctl.mqtt("pub", "-t", unique(), "-m", "x", "-u", name, "-P", "wrong-" + password,
             expect=1)
    assert ctl.json("user", "update", name, "--superuser")["superuser"] is True
    assert ctl.json("user", "list", "--name", name)["items"][0]["superuser"] is True
    assert "yes" in ctl.run("user", "list", "--name", name).stdout.splitlines()[1].split()
    ctl.run("user", "update", name, "--no-superuser")
    assert ctl.json("user", "get", name)["superuser"] is False
    assert ctl.run("user", "create", name, "--password", password,
                   expect=1).stderr.startswith("error: 409 conflict")
    bad = ctl.run("user", "create", "a@b", "--password", password, expect=1)
    assert bad.stderr.startswith("error: 400 bad_request: username: ")
    assert ctl.run("user", "update", name, expect=2).stderr.startswith("error: ")
    assert ctl.run("user", "delete", name).stdout == f"user {name} deleted\n"
    assert ctl.run("user", "get", name, expect=1).stderr.startswith("error: 404 not_found")


@robust_only
def test_user_in_tenant(ctl):
    tenant, name = unique("t"), unique("u")
    ctl.run("tenant", "create", tenant)
    ctl.run("user", "create", name, "--password", "pw-" + name, "--tenant", tenant)
    ctl.secrets.append("pw-" + name)
    assert ctl.json("user", "get", name, "--tenant", tenant)["tenant"] == tenant
    ctl.run("user", "get", name, expect=1)  # not in tenant "default"
    items = ctl.json("user", "list", "--tenant", tenant)["items"]
    assert [(u["tenant"], u["username"]) for u in items] == [(tenant, name)]
    ctl.run("tenant", "delete", tenant, expect=1)  # still has a user
    ctl.run("user", "delete", name, "--tenant", tenant)
    ctl.run("tenant", "delete", tenant)


@robust_only
def test_acl_create_check_delete(ctl):
    rule, user = unique("r"), unique("u")
    topic = f"secret/{unique()}"
    ctl.secrets.append("pw-" + user)
    ctl.run("user", "create", user, "--password", "pw-" + user)  # checks need a real user

    def check(t):
        return ctl.run("acl", "check", "--client-id", "c1", "--username", user,
                       "--action", "publish", "--topic", t).stdout

    assert check(topic) == "allowed\n"
    created = ctl.json("acl", "create", "--name", rule, "--priority", "10", "--resource-type",
                       "username", "--resource-name", user, "--topic", "secret/#",
                       "--action", "publish", "--permission", "deny")
    assert (created["name"], created["priority"], created["permission"]) == (rule, 10, "deny")
    assert check(topic) == "denied\n"
    assert check("public/x") == "allowed\n"
    sub = ctl.run("acl", "check", "--client-id", "c1", "--username", user, "--action",
                  "subscribe", "--topic", "secret/#").stdout
    assert sub == "allowed\n"  # the rule is about publishing only
    assert ctl.run("acl", "check", "--client-id", "c1", "--username", "admin", "--action",
                   "publish", "--topic", topic).stdout == "allowed (superuser)\n"
    listed = ctl.json("acl", "list", "--name", rule)["items"]
    assert [r["name"] for r in listed] == [rule]
    assert ctl.run("acl", "create", "--name", rule, expect=1).stderr.startswith(
        "error: 409 conflict")
    ctl.run("acl", "create", "--name", unique("r"), "--action", "read", expect=2)
    assert ctl.run("acl", "delete", rule).stdout == f"acl rule {rule} deleted\n"
    assert check(topic) == "allowed\n"
    ctl.run("acl", "delete", rule, expect=1)


@robust_only
def test_blacklist(ctl, broker):
    cid = unique("banned")
    before_ms = time.time() * 1000
    ctl.run("blacklist", "add", "--type", "client_id", "--value", cid, "--expires", "1h",
            "--reason", "e2e")
    entry = next(e for e in ctl.json("blacklist", "list", "--name", cid)["items"])
    assert entry["reason"] == "e2e"
    assert before_ms + 3_500_000 < entry["expires_ms"] < time.time() * 1000 + 3_700_000
    row = ctl.run("blacklist", "list", "--name", cid).stdout.splitlines()[1]
    assert "never" not in row and cid in row
    # The ban is enforced: CONNACK 0x8A, exit 1 with the reason's name.
    r = ctl.mqtt("pub", "-t", "x", "-m", "x", "-i", cid, expect=1)
    assert "banned (0x8A)" in r.stderr
    ctl.run("blacklist", "add", "--type", "ip", "--value", "192.0.2.1")
    ip_row = ctl.run("blacklist", "list", "--name", "192.0.2.1").stdout.splitlines()[1]
    assert "never" in ip_row
    ctl.run("blacklist", "add", "--type", "client_id", "--value", cid, "--expires", "10",
            expect=2)
    assert ctl.run("blacklist", "delete", "client_id", cid).stdout == \
        f"blacklist entry client_id {cid} deleted\n"
    ctl.mqtt("pub", "-t", "x", "-m", "x", "-i", cid)
    ctl.run("blacklist", "delete", "cidr", "10.9.0.0/16", expect=1)
    ctl.run("blacklist", "add", "--type", "cidr", "--value", "10.9.0.0/16")
    ctl.run("blacklist", "delete", "cidr", "10.9.0.0/16")  # '/' percent-encoded


@robust_only
def test_topic(ctl):
    name = f"e2e/{unique()}/t"
    created = ctl.json("topic", "create", name, "--partitions", "2", "--retention", "7d")
    assert created["name"] == name and created["partitions"] == 2
    assert created["retention_ms"] == 7 * 86_400_000
    got = ctl.run("topic", "get", name).stdout
    assert "shards:" in got and "PARTITION" in got and "7d" in got
    assert len(ctl.json("topic", "get", name)["shards"]) == 2
    assert [t["name"] for t in ctl.json("topic", "list", "--name", name)["items"]] == [name]
    ctl.run("topic", "create", name, expect=1)
    assert ctl.run("topic", "delete", name).stdout == f"topic {name} deleted\n"
    assert ctl.run("topic", "get", name, expect=1).stderr.startswith("error: 404 not_found")


@robust_only
def test_retained(ctl):
    topic = f"e2e/{unique()}/r"
    ctl.mqtt("pub", "-t", topic, "-m", "kept value", "-r", "-q", "1")
    items = ctl.json("retained", "list", "--name", topic)["items"]
    assert [(i["topic"], i["payload"]) for i in items] == [(topic, "kept value")]
    assert [i["topic"] for i in ctl.json("retained", "list", "--filter", topic.rsplit("/", 1)[0]
                                         + "/+")["items"]] == [topic]
    assert "kept value" in ctl.run("retained", "list", "--name", topic).stdout
    assert ctl.json("retained", "get", topic)["payload"] == "kept value"
    assert ctl.run("retained", "delete", topic).stdout == \
        f"retained message on {topic} deleted\n"
    ctl.run("retained", "get", topic, expect=1)
    # A new subscriber gets nothing retained any more.
    r = ctl.mqtt("sub", "-t", topic, "-C", "1", "--timeout", "0.5", expect=4)
    assert r.stdout == ""


@robust_only
def test_session_client_subscription_and_kick(ctl):
    cid, topic = unique("sub"), f"e2e/{unique()}"
    sub = ctl.start_sub("-t", topic, "-q", "1", "-i", cid, "--no-clean", "--session-expiry",
                        "300", "-k", "30")
    client = ctl.json("client", "get", cid)
    assert client["client_id"] == cid and client["protocol_version"] == 5
    assert client["keep_alive_s"] == 30
    assert cid in ctl.run("client", "list", "--name", cid).stdout
    subs = ctl.json("subscription", "list", "--client-id", cid)["items"]
    assert sorted(s["filter"] for s in subs) == sorted([topic, sub.probe])
    assert all(s["qos"] == 1 for s in subs if s["filter"] == topic)
    session = ctl.json("session", "get", cid)
    assert session["connected"] is True and session["persistent"] is True
    assert cid in ctl.run("session", "list", "--name", cid).stdout

    assert ctl.run("client", "kick", cid).stdout == f"client {cid} disconnected\n"
    rc, err = sub.wait()
    assert rc == 1
    assert "disconnected by the broker: administrative action (0x98)" in err
    ctl.run("client", "get", cid, expect=1)
    assert ctl.json("session", "get", cid)["connected"] is False  # persistent: kept
    assert ctl.run("session", "delete", cid).stdout == f"session {cid} deleted\n"
    ctl.run("session", "get", cid, expect=1)
    ctl.run("client", "kick", cid, expect=1)


@robust_only
def test_admin_publish(ctl):
    topic = f"e2e/{unique()}"
    sub = ctl.start_sub("-t", topic, "-q", "1")
    assert ctl.run("publish", "--topic", topic, "--payload", "from the api", "--qos", "1") \
        .stdout == f"published to {topic}\n"
    assert sub.line() == f"{topic} from the api"
    ctl.run("publish", "--topic", topic, "--payload", "aGk=", "--base64", "--user-property",
            "k=v")
    assert sub.line() == f"{topic} hi"
    ctl.run("publish", "--topic", topic + "/+", "--payload", "x", expect=1)
    ctl.run("publish", "--topic", topic, "--qos", "3", expect=2)


# -- credentials and exit codes ---------------------------------------------------------

@robust_only
def test_admin_secret_discovery(ctl, broker, tmp_path):
    base = [ctl.binary, "--server", ctl.server]
    # $ROBUSTMQ_NODE_DATA_DIR
    r = subprocess.run(base + ["user", "list"], capture_output=True, text=True, timeout=30,
                       env=clean_env(ROBUSTMQ_NODE_DATA_DIR=str(broker.data_dir)))
    ctl.outputs += [r.stdout, r.stderr]
    assert r.returncode == 0, r.stderr
    # ./data in the working directory
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    (cwd / "data").symlink_to(broker.data_dir)
    r = subprocess.run(base + ["user", "list"], capture_output=True, text=True, timeout=30,
                       env=clean_env(), cwd=cwd)
    ctl.outputs += [r.stdout, r.stderr]
    assert r.returncode == 0, r.stderr
    # ROBUSTMQ_SERVER instead of --server, ROBUSTMQ_USER/PASSWORD instead of the file
    r = subprocess.run([ctl.binary, "user", "list"], capture_output=True, text=True,
                       timeout=30, env=clean_env(ROBUSTMQ_SERVER=ctl.server,
                                                 ROBUSTMQ_USER="admin",
                                                 ROBUSTMQ_PASSWORD=ctl.admin_password),
                       cwd=tmp_path)
    ctl.outputs += [r.stdout, r.stderr]
    assert r.returncode == 0, r.stderr
    # Nothing found: 401 and a hint naming where it looked.
    r = subprocess.run([ctl.binary, "--server", ctl.server, "--data-dir",
                        str(tmp_path / "empty"), "user", "list"], capture_output=True,
                       text=True, timeout=30, env=clean_env(), cwd=tmp_path)
    ctl.outputs += [r.stdout, r.stderr]
    assert r.returncode == 1
    assert r.stderr.startswith("error: 401 unauthorized")
    assert f"no admin.secret in: {tmp_path / 'empty' / 'admin.secret'}" in r.stderr


@robust_only
def test_wrong_password_never_printed(ctl):
    wrong = "Wrong-" + unique()
    ctl.secrets.append(wrong)
    r = ctl.run("--user", "admin", "--password", wrong, "user", "list", expect=1)
    assert r.stderr.startswith("error: 401 unauthorized")
    assert "hint: credentials from --user/--password (user admin)" in r.stderr
    ctl.run("--user", "admin", "--password", ctl.admin_password, "user", "list")
    ctl.run("--user", "admin", "--password", ctl.admin_password, "-o", "json", "login")
    ctl.run("--user", "admin", "user", "list", expect=2)


def test_exit_codes_usage_and_cannot_connect(ctl, broker):
    port = harness.free_port()
    r = ctl.run("--server", f"http://127.0.0.1:{port}", "cluster", "info", admin=False,
                expect=3)
    assert r.stderr == (f"error: cannot connect to http://127.0.0.1:{port}: Connection refused"
                        " (is robust-server running? set --server)\n")
    for bad in (["user", "frobnicate"], ["nosuch"], [], ["user", "list", "--limit", "0"],
                ["--output", "yaml", "user", "list"], ["mqtt", "pub", "-t", "x"]):
        r = ctl.run(*bad, admin=False, expect=2)
        assert r.stderr.startswith("error: "), bad
        assert r.stdout == ""
    assert "Subcommands:" in ctl.run("--help", admin=False).stdout
    assert "--stdin-lines" in ctl.run("mqtt", "pub", "--help", admin=False).stdout
    r = ctl.run("mqtt", "pub", "-p", str(port), "-t", "x", "-m", "x", admin=False, expect=3)
    assert "Connection refused" in r.stderr


@robust_only
def test_exit_code_one_for_any_refusal(ctl):
    assert ctl.run("user", "get", unique("nobody"), expect=1).stderr.startswith(
        "error: 404 not_found")
    assert ctl.run("tenant", "delete", "default", expect=1).stderr.startswith("error: 409")


# -- mqtt pub / sub ------------------------------------------------------------------------

@pytest.mark.parametrize("qos", [0, 1, 2])
@pytest.mark.parametrize("version", ["5", "3.1.1"])
def test_mqtt_pub_sub_qos(ctl, qos, version):
    topic = f"e2e/{unique()}"
    sub = ctl.start_sub("-t", topic, "-q", str(qos), "-V", version, "-C", "6")
    ctl.mqtt("pub", "-t", topic, "-m", "same", "-q", str(qos), "-V", version, "-C", "3")
    ctl.mqtt("pub", "-t", topic, "-m", "with spaces and ü", "-q", str(qos))
    ctl.mqtt("pub", "-t", topic, "-m", "", "-q", str(qos))
    assert sub.expect(5) == [f"{topic} same"] * 3 + [f"{topic} with spaces and ü", f"{topic} "]
    rc, err = sub.wait()
    assert rc == 0, err


def test_mqtt_qos2_exactly_once_into_persistent_session(ctl):
    """QoS 2 both ways with an offline session: stored, delivered once at resume."""
    topic, cid = f"e2e/{unique()}", unique("q2")
    # Subscribe with a persistent session, leave (exit 0 after the timeout).
    ctl.mqtt("sub", "-t", topic, "-q", "2", "-i", cid, "--no-clean", "--session-expiry",
             "300", "--timeout", "0.3")
    ctl.mqtt("pub", "-t", topic, "-m", "m", "-q", "2", "-C", "5")
    r = ctl.mqtt("sub", "-t", topic, "-q", "2", "-i", cid, "--no-clean", "--session-expiry",
                 "300", "-C", "5", "--timeout", "10")
    assert r.stdout == "m\n" * 5
    # All five were completed (PUBCOMP): nothing is redelivered.
    r = ctl.mqtt("sub", "-t", topic, "-q", "2", "-i", cid, "--no-clean", "--session-expiry",
                 "300", "-C", "1", "--timeout", "0.5", expect=4)
    assert r.stdout == ""
    assert "timeout: 0 of 1 messages" in r.stderr


def test_mqtt_retain(ctl):
    topic = f"e2e/{unique()}/state"
    ctl.mqtt("pub", "-t", topic, "-m", "on", "-r", "-q", "1")
    r = ctl.mqtt("sub", "-t", topic, "-v", "-C", "1", "--timeout", "10")
    assert r.stdout == f"{topic} on\n"
    ctl.mqtt("pub", "-t", topic, "-m", "", "-r", "-q", "1")  # clears it
    ctl.mqtt("sub", "-t", topic, "-C", "1", "--timeout", "0.5", expect=4)


def test_mqtt_stdin_lines(ctl):
    topic = f"e2e/{unique()}"
    sub = ctl.start_sub("-t", topic, "-q", "1")
    ctl.mqtt("pub", "-t", topic, "-q", "1", "--stdin-lines", input="first\nsecond line\r\n\nlast")
    assert sub.expect(4) == [f"{topic} first", f"{topic} second line", f"{topic} ",
                             f"{topic} last"]


def test_mqtt_pub_count_with_progress(broker_factory):
    # Room for every message in the subscriber's queue: the publisher outruns delivery,
    # and beyond max_queued_messages a broker drops by policy.
    b = broker_factory(max_queued_messages=10000)
    c = Ctl(b)
    try:
        topic, n = f"e2e/{unique()}", 3000
        sub = c.start_sub("-t", topic, "-q", "1", "-C", str(n + 1))
        r = c.mqtt("pub", "-t", topic, "-m", "load", "-q", "1", "-C", str(n), timeout=120)
        assert f"published {n} messages in " in r.stderr
        lines = sub.expect(n, timeout=60)
        assert lines == [f"{topic} load"] * n
        rc, err = sub.wait()
        assert rc == 0, err
    finally:
        c.close()
    for secret in c.secrets:
        assert all(secret not in out for out in c.outputs)


def test_mqtt_sub_timeout_exit_codes(ctl):
    topic = f"e2e/{unique()}"
    r = ctl.mqtt("sub", "-t", topic, "-C", "2", "--timeout", "0.3", expect=4)
    assert "timeout: 0 of 2 messages" in r.stderr
    ctl.mqtt("sub", "-t", topic, "--timeout", "0.3", expect=0)  # no --count: just listens


@robust_only  # mosquitto allows 1.5 x keep alive as well, but the timing is ours to check
def test_mqtt_keepalive_pings(ctl):
    """A 1 s keep alive: without PINGREQs the broker would close the connection after
    1.5 s; robustctl keeps it open for the whole 3.5 s it listens (time is under test)."""
    ctl.mqtt("sub", "-t", f"e2e/{unique()}", "-k", "1", "--timeout", "3.5")
    # pub --stdin-lines pings while stdin is idle.
    topic = f"e2e/{unique()}"
    sub = ctl.start_sub("-t", topic, "-q", "1")
    pub = subprocess.Popen(ctl.args(["mqtt", "pub", "-p", str(ctl.broker.port), "-t", topic,
                                     "-q", "1", "-k", "1", "--stdin-lines"], admin=False),
                           stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, env=clean_env())
    ctl.procs.append(pub)
    pub.stdin.write("before\n")
    pub.stdin.flush()
    assert sub.line() == f"{topic} before"
    time.sleep(3)  # idle stdin for twice the keep alive (time is under test)
    pub.stdin.write("after\n")
    pub.stdin.close()
    assert sub.line() == f"{topic} after"
    assert pub.wait(10) == 0, pub.stderr.read()


def test_interop_robustctl_pub_mosquitto_sub(ctl, broker):
    topic = f"e2e/{unique()}"
    for qos in (0, 1, 2):
        p = subprocess.Popen([MOSQUITTO_SUB, "-h", broker.host, "-p", str(broker.port), "-t",
                              topic, "-t", "probe/" + topic, "-q", str(qos), "-C", "2", "-W",
                              "10", "-v"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
        ctl.procs.append(p)
        # Retained probe: its arrival proves mosquitto_sub is subscribed.
        ctl.mqtt("pub", "-t", "probe/" + topic, "-m", "ready", "-r", "-q", "1")
        line = p.stdout.readline()
        assert line == f"probe/{topic} ready\n", line + p.stderr.read()
        ctl.mqtt("pub", "-t", topic, "-m", f"robustctl qos {qos}", "-q", str(qos))
        out, err = p.communicate(timeout=15)
        assert p.returncode == 0, err
        assert out == f"{topic} robustctl qos {qos}\n"
        ctl.mqtt("pub", "-t", "probe/" + topic, "-m", "", "-r", "-q", "1")


def test_interop_mosquitto_pub_robustctl_sub(ctl, broker):
    topic = f"e2e/{unique()}"
    for qos in (0, 1, 2):
        sub = ctl.start_sub("-t", topic, "-q", str(qos), "-C", "3", "-V", "3.1.1")
        for i in range(2):
            r = subprocess.run([MOSQUITTO_PUB, "-h", broker.host, "-p", str(broker.port), "-t",
                                topic, "-m", f"mosquitto {qos} {i}", "-q", str(qos)],
                               capture_output=True, timeout=10)
            assert r.returncode == 0, r.stderr
        assert sub.expect(2) == [f"{topic} mosquitto {qos} 0", f"{topic} mosquitto {qos} 1"]
        rc, err = sub.wait()
        assert rc == 0, err


@robust_only
def test_mqtt_connack_refusals(ctl):
    ctl.run("config", "set", "auth.anonymous=deny")
    r = ctl.mqtt("pub", "-t", "x", "-m", "x", expect=1)
    assert "the broker refused the connection: not authorized (0x87)" in r.stderr
    r = ctl.mqtt("pub", "-t", "x", "-m", "x", "-V", "3.1.1", expect=1)
    assert "the broker refused the connection: not authorized (5)" in r.stderr
    r = ctl.mqtt("sub", "-t", "x", "-u", "nobody", "-P", "nothing", expect=1)
    assert "bad user name or password (0x86)" in r.stderr
    # The admin user is a superuser over MQTT too.
    ctl.mqtt("pub", "-t", "x", "-m", "x", "-u", "admin", "-P", ctl.admin_password, "-q", "1")


@robust_only
def test_mqtt_negative_puback_and_suback(ctl):
    user, password = unique("u"), "pw-" + unique()
    ctl.secrets.append(password)
    ctl.run("user", "create", user, "--password", password)
    ctl.run("acl", "create", "--name", unique("r"), "--resource-type", "username",
            "--resource-name", user, "--topic", "locked/#", "--permission", "deny")
    r = ctl.mqtt("pub", "-t", "locked/a", "-m", "x", "-q", "1", "-u", user, "-P", password,
                 expect=1)
    assert "refused a publish to locked/a: not authorized (0x87)" in r.stderr
    r = ctl.mqtt("pub", "-t", "locked/a", "-m", "x", "-q", "2", "-u", user, "-P", password,
                 expect=1)
    assert "not authorized (0x87)" in r.stderr
    r = ctl.mqtt("sub", "-t", "locked/#", "-u", user, "-P", password, "--timeout", "5",
                 expect=1)
    assert "refused the subscription to locked/#: not authorized (0x87)" in r.stderr


@robust_only
def test_mqtt_tls(broker_factory, tmp_path, monkeypatch):
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl CLI not installed")
    d = tmp_path / "pki"
    d.mkdir()

    def sh(*args):
        r = subprocess.run([openssl, *args], cwd=d, capture_output=True, timeout=60)
        assert r.returncode == 0, r.stderr

    sh("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
       "-days", "2", "-subj", "/CN=e2e test CA")
    sh("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr",
       "-subj", "/CN=localhost")
    # Named "localhost" only: connecting to 127.0.0.1 must fail host name verification.
    (d / "ext.cnf").write_text("subjectAltName=DNS:localhost\n")
    sh("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
       "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "ext.cnf")
    monkeypatch.setenv("ROBUSTMQ_TLS_CERT_FILE", str(d / "server.pem"))
    monkeypatch.setenv("ROBUSTMQ_TLS_KEY_FILE", str(d / "server.key"))
    monkeypatch.setenv("ROBUSTMQ_MQTT_TLS_PORT", "0")
    monkeypatch.setenv("ROBUSTMQ_MQTT_WSS_PORT", "0")
    b = broker_factory()
    m = wait_until(lambda: next((m for m in harness.LISTENER_RE.finditer(b.log_text())
                                 if m.group(1) == "mqtt-tls"), None), "the mqtt-tls listener")
    tls_port = m.group(3)
    tctl = Ctl(b)
    topic = f"e2e/{unique()}"
    ca = ["--cafile", str(d / "ca.pem")]

    def run(*args, expect=0):
        return tctl.run("mqtt", *args, "-p", tls_port, admin=False, expect=expect)

    try:
        run("pub", "-h", "localhost", *ca, "-t", topic, "-m", "secure", "-r", "-q", "1")
        r = run("sub", "-h", "localhost", *ca, "-t", topic, "-C", "1", "--timeout", "10", "-q",
                "2")
        assert r.stdout == "secure\n"
        # 127.0.0.1 is not a name in the certificate.
        r = run("sub", "-h", "127.0.0.1", *ca, "-t", topic, "-C", "1", expect=3)
        assert "(TLS handshake)" in r.stderr
        # Without our CA the chain does not verify.
        r = run("sub", "-h", "localhost", "--tls", "-t", topic, "-C", "1", expect=3)
        assert "(TLS handshake)" in r.stderr and "certificate verify failed" in r.stderr
        # --insecure skips verification.
        r = run("sub", "-h", "127.0.0.1", "--insecure", "-t", topic, "-C", "1", "--timeout",
                "10")
        assert r.stdout == "secure\n"
    finally:
        tctl.close()
    for out in tctl.outputs:
        assert tctl.admin_password not in out
