"""MQTT over TLS (mqtt.tls_port) and over secure WebSocket (mqtt.wss_port):
mosquitto_pub/sub with --cafile, paho-mqtt with tls_set over TLS and WSS, mutual
TLS with [tls] verify_peer, and the TLS version floor (1.1 and older refused).

Certificates are made per module with the `openssl` CLI: a CA, a server certificate
for CN localhost with SANs DNS:localhost and IP:127.0.0.1 (clients connect to
127.0.0.1 and check the name), a client certificate from the same CA, and a second
CA with a client certificate of its own that the broker must not trust.

Brokers come from the `tls_broker` fixture (harness.TlsConfig): robust-server gets
ROBUSTMQ_TLS_* and tls_port = wss_port = 0 and reports the bound ports in its
`listener mqtt-tls/mqtt-wss bound to` lines; mosquitto gets certfile/keyfile/cafile/
require_certificate on extra listeners (its WSS listener only where the build has
WebSocket support).
"""

import socket
import ssl
import subprocess
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import pytest

import harness
import raw_mqtt as R
from harness import HOST, MOSQUITTO_PUB, Client, MosquittoSub, unique

CONNACK = 0x20


# ---------------------------------------------------------------------------
# Certificates

def _openssl(cwd: Path, *args):
    r = subprocess.run(["openssl", *args], cwd=cwd, capture_output=True, timeout=30)
    assert r.returncode == 0, f"openssl {' '.join(args)}:\n{r.stderr.decode()}"


@dataclass
class Cert:
    cert: str
    key: str


class Pki:
    """Throw-away certificates (EC P-256, SHA-256, 30 days) in `directory`."""

    def __init__(self, directory: Path):
        self.dir = directory
        self._serial = 1000
        self.ca = self._ca("ca", "e2e CA")
        self.other_ca = self._ca("other-ca", "e2e other CA")
        self.server = self._leaf("server", "localhost", self.ca,
                                 "subjectAltName = DNS:localhost, IP:127.0.0.1\n"
                                 "extendedKeyUsage = serverAuth\n")
        self.device = self._leaf("device", "e2e-device", self.ca,
                                 "extendedKeyUsage = clientAuth\n")
        self.stranger = self._leaf("stranger", "e2e-stranger", self.other_ca,
                                   "extendedKeyUsage = clientAuth\n")

    def _ca(self, name, cn) -> Cert:
        _openssl(self.dir, "req", "-x509", "-newkey", "ec",
                 "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-sha256",
                 "-keyout", f"{name}.key", "-out", f"{name}.pem", "-days", "30",
                 "-subj", f"/CN={cn}",
                 "-addext", "basicConstraints=critical,CA:TRUE",
                 "-addext", "keyUsage=critical,keyCertSign,cRLSign")
        return Cert(str(self.dir / f"{name}.pem"), str(self.dir / f"{name}.key"))

    def _leaf(self, name, cn, ca: Cert, extensions: str) -> Cert:
        _openssl(self.dir, "req", "-new", "-newkey", "ec",
                 "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                 "-keyout", f"{name}.key", "-out", f"{name}.csr", "-subj", f"/CN={cn}")
        (self.dir / f"{name}.ext").write_text(
            "basicConstraints = critical, CA:FALSE\n"
            "keyUsage = critical, digitalSignature\n" + extensions)
        self._serial += 1
        _openssl(self.dir, "x509", "-req", "-in", f"{name}.csr", "-CA", ca.cert,
                 "-CAkey", ca.key, "-set_serial", str(self._serial), "-days", "30",
                 "-sha256", "-extfile", f"{name}.ext", "-out", f"{name}.pem")
        return Cert(str(self.dir / f"{name}.pem"), str(self.dir / f"{name}.key"))


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return Pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture
def tls_broker(request, tmp_path, pki):
    """tls_broker(verify_peer=False, ca_file=True, **settings) -> a started broker
    with TLS listeners on the module's server certificate. Stopped at teardown; a
    non-zero exit fails the test (as conftest's broker_factory does)."""
    brokers = []
    request.node._e2e_brokers = brokers  # conftest prints their logs on failure

    def make(verify_peer=False, ca_file=True, **settings):
        tls = harness.TlsConfig(cert_file=pki.server.cert, key_file=pki.server.key,
                                ca_file=pki.ca.cert if (ca_file or verify_peer) else "",
                                verify_peer=verify_peer)
        b = harness.make_broker(tmp_path / f"data{len(brokers)}", settings, tls)
        brokers.append(b)
        return b

    yield make
    for c in harness.Client.registry:
        c.close()
    harness.Client.registry.clear()
    failures = []
    for b in brokers:
        if b.proc is not None:
            try:
                b.stop(check=True)
            except AssertionError as e:
                failures.append(str(e))
    if failures:
        pytest.fail("broker did not shut down cleanly:\n" + "\n".join(failures), pytrace=False)


# ---------------------------------------------------------------------------
# Clients

def tls_client(broker, pki, transport="tcp", cert: Cert | None = None, version=5, **kw):
    """A connected paho Client over TLS (transport="tcp") or WSS ("websockets"),
    checking the broker's certificate against the CA and its name (127.0.0.1)."""
    port = broker.tls_port if transport == "tcp" else broker.wss_port
    c = Client(broker, transport=transport, port=port, version=version, connect=False, **kw)
    c.c.tls_set(ca_certs=pki.ca.cert, certfile=cert.cert if cert else None,
                keyfile=cert.key if cert else None)
    c.connect()
    return c


def tls_args(cafile, cert: Cert | None = None):
    args = ["--cafile", cafile]
    if cert is not None:
        args += ["--cert", cert.cert, "--key", cert.key]
    return args


def mosquitto_pub(broker, topic, payload, extra, timeout=10):
    """mosquitto_pub over TLS to the broker's TLS port; returns the CompletedProcess."""
    return harness.run_tool([MOSQUITTO_PUB, "-h", HOST, "-p", str(broker.tls_port),
                             "-V", "mqttv311", "-q", "1", "-t", topic, "-m", payload,
                             *extra], timeout=timeout)


def client_context(pki, cert: Cert | None = None) -> ssl.SSLContext:
    """A Python TLS client context that verifies the broker like a real client."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(pki.ca.cert)
    if cert is not None:
        ctx.load_cert_chain(cert.cert, cert.key)
    return ctx


def mqtt_over_tls(port, ctx) -> bytes:
    """TLS handshake, an MQTT 3.1.1 CONNECT, and the first bytes of the answer
    (b"" if the broker closed). TLS failures raise ssl.SSLError or OSError; a
    broker that neither answers nor closes fails the test (timeout)."""
    with socket.create_connection((HOST, port), timeout=harness.DEFAULT_WAIT_S) as raw:
        with ctx.wrap_socket(raw, server_hostname=HOST) as s:
            s.sendall(R.connect(unique("tlsraw")))
            try:
                return s.recv(4)
            except socket.timeout:
                raise AssertionError("the broker neither answered nor closed the connection")


def refusal(port, ctx) -> str:
    """Asserts the broker refuses this TLS client; returns why (the client's error).
    With TLS 1.3 the client finishes its handshake before the server has checked
    the client certificate, so a refusal may show only when reading."""
    try:
        answer = mqtt_over_tls(port, ctx)
    except (ssl.SSLError, ConnectionError) as e:
        return str(e)
    assert answer == b"", f"expected the TLS connection to be refused, got {answer!r}"
    return "closed without an answer"


# ---------------------------------------------------------------------------
# MQTT over TLS with the mosquitto command-line clients

def test_mosquitto_pub_sub_over_tls(tls_broker, pki, subs):
    broker = tls_broker()
    topic = unique("tls-cli")
    s = MosquittoSub(broker, topic, "mqttv311", qos=1, count=2, port=broker.tls_port,
                     extra=[*tls_args(pki.ca.cert), "-W", "15"])
    subs.append(s)
    for i in range(2):
        r = mosquitto_pub(broker, topic, f"over-tls-{i}", tls_args(pki.ca.cert))
        assert r.returncode == 0, r.stdout + r.stderr
    assert [m["payload"] for m in s.wait()] == ["over-tls-0", "over-tls-1"]


def test_mosquitto_pub_with_wrong_ca_is_refused(tls_broker, pki):
    broker = tls_broker()
    topic = unique("tls-wrongca")
    watcher = Client(broker, version=5)  # plain TCP: sees whatever gets through
    watcher.subscribe(topic, 1)
    # The broker's certificate does not chain to this CA: the client gives up
    # in the handshake and nothing is published.
    r = mosquitto_pub(broker, topic, "must-not-arrive", tls_args(pki.other_ca.cert))
    assert r.returncode != 0, r.stdout + r.stderr
    assert watcher.barrier(Client(broker, version=5)) == []
    # The same client with the right CA gets through.
    r = mosquitto_pub(broker, topic, "right-ca", tls_args(pki.ca.cert))
    assert r.returncode == 0, r.stdout + r.stderr
    assert watcher.expect_one().payload == b"right-ca"


def test_plaintext_mqtt_to_the_tls_port_gets_no_connack(tls_broker, pki):
    broker = tls_broker()
    with socket.create_connection((HOST, broker.tls_port), timeout=harness.DEFAULT_WAIT_S) as s:
        s.sendall(R.connect(unique("plain")))
        try:
            answer = s.recv(4)
        except ConnectionError:
            answer = b""
    assert not answer.startswith(bytes([CONNACK]))
    # The broker is fine: a TLS client still connects.
    assert mqtt_over_tls(broker.tls_port, client_context(pki))[:1] == bytes([CONNACK])


# ---------------------------------------------------------------------------
# paho-mqtt over TLS and WSS

@pytest.mark.parametrize("version", [4, 5])
def test_paho_over_tls(tls_broker, pki, version):
    broker = tls_broker()
    topic = unique("tls-paho")
    sub = tls_client(broker, pki, version=version)
    sub.subscribe(topic, 1)
    pub = tls_client(broker, pki, version=version)
    for i in range(3):
        pub.publish(topic, f"t{i}".encode(), qos=1)
    assert [m.payload for m in sub.expect(3)] == [b"t0", b"t1", b"t2"]


@pytest.mark.parametrize("version", [4, 5])
def test_paho_over_wss(tls_broker, pki, version):
    broker = tls_broker()
    broker.require_wss()
    topic = unique("wss-paho")
    sub = tls_client(broker, pki, transport="websockets", version=version)
    sub.subscribe(topic, 1)
    pub = tls_client(broker, pki, transport="websockets", version=version)
    payload = bytes(range(256)) * 300  # 75 KiB: 64-bit frame length, many TLS records
    pub.publish(topic, payload, qos=1)
    assert sub.expect_one(timeout=10).payload == payload


def test_tls_wss_and_tcp_clients_exchange(tls_broker, pki):
    broker = tls_broker()
    topic = unique("mixed")
    clients = {"tcp": Client(broker, version=5), "tls": tls_client(broker, pki)}
    if broker.wss_port is not None:
        clients["wss"] = tls_client(broker, pki, transport="websockets")
    for c in clients.values():
        c.subscribe(topic, 1)
    for name, c in clients.items():
        c.publish(topic, f"from-{name}".encode(), qos=1)
    want = sorted(f"from-{name}".encode() for name in clients)
    for name, c in clients.items():
        got = sorted(m.payload for m in c.expect(len(clients)))
        assert got == want, name


# ---------------------------------------------------------------------------
# Mutual TLS: [tls] verify_peer = true

def test_verify_peer_requires_a_client_certificate(tls_broker, pki):
    broker = tls_broker(verify_peer=True)
    topic = unique("mtls")
    sub = tls_client(broker, pki, cert=pki.device)
    sub.subscribe(topic, 1)

    # Without a certificate, or with one from a CA the broker does not trust:
    # refused, and nothing is published.
    for cert in (None, pki.stranger):
        r = mosquitto_pub(broker, topic, "must-not-arrive", tls_args(pki.ca.cert, cert))
        assert r.returncode != 0, r.stdout + r.stderr
        refusal(broker.tls_port, client_context(pki, cert))

    r = mosquitto_pub(broker, topic, "with-cert", tls_args(pki.ca.cert, pki.device))
    assert r.returncode == 0, r.stdout + r.stderr
    assert sub.expect_one().payload == b"with-cert"  # nothing refused came before it
    sub.expect_none()
    assert mqtt_over_tls(broker.tls_port, client_context(pki, pki.device))[:1] == \
        bytes([CONNACK])


def test_verify_peer_over_wss(tls_broker, pki):
    broker = tls_broker(verify_peer=True)
    broker.require_wss()
    refusal(broker.wss_port, client_context(pki))
    topic = unique("mwss")
    c = tls_client(broker, pki, transport="websockets", cert=pki.device)
    c.subscribe(topic, 1)
    c.publish(topic, b"wss-with-cert", qos=1)
    assert c.expect_one().payload == b"wss-with-cert"


def test_ca_file_without_verify_peer_keeps_client_certificates_optional(tls_broker, pki):
    broker = tls_broker(verify_peer=False, ca_file=True)
    assert mqtt_over_tls(broker.tls_port, client_context(pki))[:1] == bytes([CONNACK])
    assert mqtt_over_tls(broker.tls_port, client_context(pki, pki.device))[:1] == \
        bytes([CONNACK])


# ---------------------------------------------------------------------------
# Protocol versions

def _legacy_context(pki, maximum: ssl.TLSVersion) -> ssl.SSLContext:
    """A client that really offers TLS 1.0..`maximum`: OpenSSL 3 refuses to offer
    versions below 1.2 at its default security level, so lower it."""
    ctx = client_context(pki)
    ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        ctx.minimum_version = ssl.TLSVersion.TLSv1
        ctx.maximum_version = maximum
    return ctx


def test_tls_1_1_and_older_are_refused(tls_broker, pki):
    broker = tls_broker()
    for maximum in (ssl.TLSVersion.TLSv1_1, ssl.TLSVersion.TLSv1):
        with pytest.raises(ssl.SSLError) as e:
            mqtt_over_tls(broker.tls_port, _legacy_context(pki, maximum))
        # The broker's protocol_version alert, not a client that offered nothing.
        assert "PROTOCOL_VERSION" in str(e.value).upper(), str(e.value)
    # The same client allowed TLS 1.2 gets in: the client setup is not the problem.
    ctx = _legacy_context(pki, ssl.TLSVersion.TLSv1_2)
    assert mqtt_over_tls(broker.tls_port, ctx)[:1] == bytes([CONNACK])


@pytest.mark.robust_only
def test_refused_handshake_is_logged_with_the_reason(tls_broker, pki):
    broker = tls_broker()
    with pytest.raises(ssl.SSLError):
        mqtt_over_tls(broker.tls_port, _legacy_context(pki, ssl.TLSVersion.TLSv1_1))
    deadline = time.monotonic() + harness.DEFAULT_WAIT_S
    needle = "TLS handshake with 127.0.0.1:"
    while not any(needle in line and "failed: unsupported protocol" in line
                  for line in broker.log_text().splitlines()):
        assert time.monotonic() < deadline, "no log line for the refused TLS handshake"
        time.sleep(0.05)


# ---------------------------------------------------------------------------
# The certificate's Common Name as the user name: [tls] cert_cn_as_username

@pytest.mark.robust_only
def test_certificate_cn_is_the_user_name(tls_broker, pki, monkeypatch):
    from admin_client import Admin
    monkeypatch.setenv("ROBUSTMQ_AUTH_ANONYMOUS", "deny")
    monkeypatch.setenv("ROBUSTMQ_TLS_CERT_CN_AS_USERNAME", "true")
    broker = tls_broker(verify_peer=True)
    c = tls_client(broker, pki, cert=pki.device)  # no user name, no password: accepted
    users = [x["username"] for x in Admin(broker).ok("GET", "/api/v1/clients")["items"]
             if x["client_id"] == c.client_id]
    assert users == ["e2e-device"]


@pytest.mark.robust_only
def test_without_cn_as_username_a_certificate_is_not_a_login(tls_broker, pki, monkeypatch):
    monkeypatch.setenv("ROBUSTMQ_AUTH_ANONYMOUS", "deny")
    broker = tls_broker(verify_peer=True)
    port = broker.tls_port
    c = Client(broker, port=port, connect=False)
    c.c.tls_set(ca_certs=pki.ca.cert, certfile=pki.device.cert, keyfile=pki.device.key)
    c.connect(expect_rc=0x87)  # anonymous, and anonymous is denied


def _kcat_tls(broker, cafile, *args, input=None):
    import kafka_util as K
    cmd = [K.KCAT, "-b", f"{broker.host}:{broker.kafka_tls_port}", "-X", "security.protocol=ssl",
           "-X", f"ssl.ca.location={cafile}", "-X", "reconnect.backoff.max.ms=500",
           "-m", "10", *args]
    return subprocess.run(cmd, input=input, capture_output=True, text=True, timeout=30)


def test_kafka_over_tls_with_kcat(tls_broker, pki):
    # kafka.tls_port: the same certificate as MQTT over TLS; Metadata sends
    # the client back to the TLS port it came in on.
    import kafka_util as K
    K.require_kcat()
    b = tls_broker()
    if b.kind != "robust":
        pytest.skip("Kafka is robust-server's")
    topic = unique("ktls")
    p = _kcat_tls(b, pki.ca.cert, "-P", "-t", topic, input="a\nb\n")
    assert p.returncode == 0, p.stderr
    c = _kcat_tls(b, pki.ca.cert, "-C", "-t", topic, "-e", "-o", "beginning", "-f", "%s@%o\n")
    assert c.returncode == 0, c.stderr
    assert c.stdout.splitlines() == ["a@0", "b@1"]
    # A client that does not trust our CA gets no metadata.
    bad = _kcat_tls(b, pki.other_ca.cert, "-L")
    assert bad.returncode != 0
    assert topic not in bad.stdout
