"""Authentication, ACLs, the blacklist and tenants, enforced on MQTT (docs/security.md).

Users, rules and bans are made through the admin REST API (admin_client.py), as an
operator would; every check is on the wire, byte by byte (raw_mqtt.py), so each
reason code is seen exactly:
  CONNACK 0x86 / 3.1.1 code 4  bad user name or password
  CONNACK 0x87 / 3.1.1 code 5  not authorized (anonymous refused)
  CONNACK 0x8A / 3.1.1 code 5  banned
  PUBACK / PUBREC 0x87         publish refused by the ACL (MQTT 5); 3.1.1 gets a
                               plain ack and the message is dropped; QoS 0 is dropped
  SUBACK 0x87 / 3.1.1 0x80     subscription refused by the ACL
"""

import pytest

import raw_mqtt as R
from admin_client import Admin
from harness import unique
from raw_mqtt import V5, V311

pytestmark = pytest.mark.robust_only  # mosquitto is configured by files, not this API

PASSWORD = "s3cret-Passw0rd"


@pytest.fixture
def admin(broker):
    return Admin(broker)


def raw(broker, version):
    return R.RawClient(broker, version=version)


def superuser_subscriber(broker, admin, topic, version=V5):
    """A subscriber that sees everything: the admin superuser over MQTT."""
    s = raw(broker, version)
    s.connect(unique("su"), username=admin.user, password=admin.password.encode())
    s.subscribe(topic, qos=1)
    return s


# -- authentication ------------------------------------------------------------

@pytest.mark.parametrize("version,code", [(V5, 0x87), (V311, 5)])
def test_anonymous_refused_when_denied(broker, admin, version, code):
    admin.set_config(auth__anonymous="deny")
    c = raw(broker, version)
    c.connect(unique(), expect_reason=code)
    c.expect_closed()


def test_anonymous_from_loopback_allowed_by_default(broker):
    raw(broker, V5).connect(unique(), expect_reason=0)


@pytest.mark.parametrize("version,code", [(V5, 0x86), (V311, 4)])
def test_wrong_password_and_unknown_user_are_bad_credentials(broker, admin, version, code):
    user = unique("u")
    admin.create_user(user, PASSWORD)
    raw(broker, version).connect(unique(), username=user, password=b"wrong-password",
                                 expect_reason=code)
    raw(broker, version).connect(unique(), username=unique("nobody"),
                                 password=PASSWORD.encode(), expect_reason=code)
    raw(broker, version).connect(unique(), username=user, expect_reason=code)  # no password
    raw(broker, version).connect(unique(), username=user, password=PASSWORD.encode(),
                                 expect_reason=0)


def test_password_change_takes_effect(broker, admin):
    user = unique("u")
    admin.create_user(user, PASSWORD)
    raw(broker, V5).connect(unique(), username=user, password=PASSWORD.encode())
    admin.ok("PATCH", f"/api/v1/users/{user}", {"password": "another-Passw0rd"})
    raw(broker, V5).connect(unique(), username=user, password=PASSWORD.encode(),
                            expect_reason=0x86)
    raw(broker, V5).connect(unique(), username=user, password=b"another-Passw0rd")


@pytest.mark.parametrize("version,code", [(V5, 0x8A), (V311, 5)])
def test_banned_client_id(broker, admin, version, code):
    cid = unique("banned")
    admin.ban("client_id", cid)
    raw(broker, version).connect(cid, expect_reason=code)
    raw(broker, version).connect(unique("fine"), expect_reason=0)


def test_banned_by_username_regex_and_cidr(broker, admin):
    user = unique("bot")
    admin.create_user(user, PASSWORD)
    admin.ban("username_regex", "^bot-")
    raw(broker, V5).connect(unique(), username=user, password=PASSWORD.encode(),
                            expect_reason=0x8A)
    admin.ban("cidr", "127.0.0.0/8")
    raw(broker, V5).connect(unique(), expect_reason=0x8A)


# -- ACL -------------------------------------------------------------------------

def acl_user(admin, **rule):
    """A user whose only rights are the given rules, with the default set to deny."""
    user = unique("acl")
    admin.create_user(user, PASSWORD)
    admin.set_config(auth__acl_default="deny")
    for i, r in enumerate(rule.pop("rules")):
        admin.create_acl(name=f"{user}-{i}", priority=i, resource_type="username",
                         resource_name=user, **r)
    return user


def test_denied_publish_reason_codes_v5(broker, admin):
    user = acl_user(admin, rules=[{"topic": "ok/#", "action": "publish"}])
    watcher = superuser_subscriber(broker, admin, "#")
    c = raw(broker, V5)
    c.connect(unique(), username=user, password=PASSWORD.encode())
    assert c.publish("no/x", b"q1", qos=1).reason == 0x87
    assert c.publish("no/x", b"q2", qos=2).reason == 0x87  # PUBREC ends the flow
    c.publish("no/x", b"q0", qos=0)
    assert c.publish("ok/x", b"fine", qos=1).reason == 0
    got = watcher.expect(R.PUBLISH)
    assert (got.topic, got.payload) == ("ok/x", b"fine")  # the denied ones never arrived
    watcher.expect_nothing()


def test_denied_publish_v311_is_acked_and_dropped(broker, admin):
    user = acl_user(admin, rules=[{"topic": "ok/#", "action": "publish"}])
    watcher = superuser_subscriber(broker, admin, "#")
    c = raw(broker, V311)
    c.connect(unique(), username=user, password=PASSWORD.encode())
    assert c.publish("no/x", b"q1", qos=1).reason == 0
    assert c.publish("no/x", b"q2", qos=2).type == R.PUBCOMP  # the whole flow completes
    assert c.publish("ok/x", b"fine", qos=1).reason == 0
    got = watcher.expect(R.PUBLISH)
    assert (got.topic, got.payload) == ("ok/x", b"fine")
    watcher.expect_nothing()


@pytest.mark.parametrize("version,refused", [(V5, 0x87), (V311, 0x80)])
def test_denied_subscription_per_filter(broker, admin, version, refused):
    user = acl_user(admin, rules=[{"topic": "ok/#", "action": "subscribe"}])
    c = raw(broker, version)
    c.connect(unique(), username=user, password=PASSWORD.encode())
    pid = c.alloc_pid()
    c.send(R.subscribe(pid, [("ok/+", 1), ("no/#", 1), ("#", 0), ("ok/a/b", 2)], version))
    ack = c.expect(R.SUBACK)
    assert ack.codes == [1, refused, refused, 2]


def test_username_placeholder_and_retain_action(broker, admin):
    user = acl_user(admin, rules=[
        {"topic": "users/${username}/#", "action": "retain", "permission": "deny"},
        {"topic": "users/${username}/#", "action": "all"},
    ])
    c = raw(broker, V5)
    c.connect(unique(), username=user, password=PASSWORD.encode())
    assert c.publish(f"users/{user}/x", b"plain", qos=1).reason == 0
    assert c.publish(f"users/{user}/x", b"kept", qos=1, retain=True).reason == 0x87
    assert c.publish("users/someone-else/x", b"no", qos=1).reason == 0x87
    c.subscribe(f"users/{user}/#", qos=1)
    c.subscribe("users/someone-else/#", qos=1, expect_codes=[0x87])


def test_superuser_bypasses_acl(broker, admin):
    admin.set_config(auth__acl_default="deny")
    sub = superuser_subscriber(broker, admin, "anything/#")
    pub = raw(broker, V5)
    pub.connect(unique(), username=admin.user, password=admin.password.encode())
    assert pub.publish("anything/x", b"ok", qos=1).reason == 0
    assert sub.expect(R.PUBLISH).payload == b"ok"


def test_rule_changes_apply_to_connected_clients(broker, admin):
    user = acl_user(admin, rules=[])
    c = raw(broker, V5)
    c.connect(unique(), username=user, password=PASSWORD.encode())
    assert c.publish("late/x", b"1", qos=1).reason == 0x87  # decision now cached
    admin.create_acl(name=unique("late"), resource_type="username", resource_name=user,
                     topic="late/#", action="publish")
    assert c.publish("late/x", b"2", qos=1).reason == 0


# -- tenants ---------------------------------------------------------------------

def test_tenants_are_isolated(broker, admin):
    tenant = unique("t").replace("-", "")[:40]
    admin.create_tenant(tenant)
    admin.create_user("bob", PASSWORD, tenant=tenant)
    default_watcher = superuser_subscriber(broker, admin, "#")

    inside = raw(broker, V5)
    inside.connect("same-id", username=f"{tenant}@bob", password=PASSWORD.encode())
    inside.subscribe("t/#", qos=1)
    # The same client id in the default tenant is another client: no takeover.
    outside = raw(broker, V5)
    outside.connect("same-id")
    outside.subscribe("t/#", qos=1)

    pub = raw(broker, V5)
    pub.connect(unique(), username=f"{tenant}@bob", password=PASSWORD.encode())
    assert pub.publish("t/x", b"tenant-only", qos=1, retain=True).reason == 0
    got = inside.expect(R.PUBLISH)
    assert (got.topic, got.payload) == ("t/x", b"tenant-only")
    outside.expect_nothing()
    default_watcher.expect_nothing()

    # The tenant's retained message is its own too.
    late = raw(broker, V5)
    late.connect(unique(), username=f"{tenant}@bob", password=PASSWORD.encode())
    late.subscribe("t/#", qos=1)
    assert late.expect(R.PUBLISH).payload == b"tenant-only"
    other = raw(broker, V5)
    other.connect(unique())
    other.subscribe("t/#", qos=1)
    other.expect_nothing()
    status, body = admin.call("GET", f"/api/v1/retained?tenant={tenant}")
    assert status == 200 and [r["topic"] for r in body["items"]] == ["t/x"]

    # Nobody can reach the internal namespace by name.
    sneaky = raw(broker, V5)
    sneaky.connect(unique())
    sneaky.subscribe(f"$tenant/{tenant}/#", qos=1, expect_codes=[0x8F])


def test_tenant_from_user_property(broker, admin):
    tenant = unique("p").replace("-", "")[:40]
    admin.create_tenant(tenant)
    admin.create_user("carol", PASSWORD, tenant=tenant)
    c = raw(broker, V5)
    c.connect(unique(), username="carol", password=PASSWORD.encode(),
              props=[(R.USER_PROPERTY, ("tenant", tenant))])
    clients = admin.ok("GET", f"/api/v1/clients?tenant={tenant}")["items"]
    assert [x["username"] for x in clients] == ["carol"]


def test_no_password_in_the_log(broker, admin):
    user = unique("u")
    admin.create_user(user, PASSWORD)
    raw(broker, V5).connect(unique(), username=user, password=PASSWORD.encode())
    raw(broker, V5).connect(unique(), username=user, password=b"Wrong-" + PASSWORD.encode(),
                            expect_reason=0x86)
    log = broker.log_text()
    assert PASSWORD not in log
    assert admin.password not in log


# -- the same reason codes as paho-mqtt (a real client library) sees them ----------

@pytest.mark.parametrize("version,bad,refused,banned", [(5, 0x86, 0x87, 0x8A), (4, 4, 5, 5)])
def test_paho_sees_each_connack_refusal(broker, admin, version, bad, refused, banned):
    from harness import Client
    user = unique("p")
    admin.create_user(user, PASSWORD)
    Client(broker, version=version, username=user, password=PASSWORD)  # accepted
    Client(broker, version=version, username=user, password="wrong-password", expect_rc=bad)
    cid = unique("banned")
    admin.ban("client_id", cid)
    Client(broker, client_id=cid, version=version, expect_rc=banned)
    admin.set_config(auth__anonymous="deny")
    Client(broker, version=version, expect_rc=refused)


@pytest.mark.parametrize("version,refused", [(5, 0x87), (4, 0x80)])
def test_paho_sees_suback_refusals(broker, admin, version, refused):
    from harness import Client
    user = acl_user(admin, rules=[{"topic": "ok/#", "action": "subscribe"}])
    c = Client(broker, version=version, username=user, password=PASSWORD)
    assert c.subscribe([("ok/1", 1), ("secret/1", 1)], expect=False) == [1, refused]
