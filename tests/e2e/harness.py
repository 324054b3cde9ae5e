"""Process harness and client helpers for the end-to-end MQTT tests.

A Broker is one server process (robust-server or, for validating the tests
themselves, Debian's mosquitto) on a private temp data dir with OS-chosen or
harness-chosen loopback ports. Tests get brokers from the `broker` and
`broker_factory` fixtures (conftest.py), which stop them at teardown and fail
the test if the server did not exit cleanly.

Client helpers wrap paho-mqtt 1.6 (MQTT 3.1.1 and 5) with every callback fed
into thread-safe queues, so tests wait on events with deadlines instead of
sleeping. Raw, byte-level clients live in raw_mqtt.py.
"""

from __future__ import annotations

import itertools
import json
import os
import queue
import re
import signal
import socket
import subprocess
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import paho.mqtt.client as mqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

import pytest

BROKER_KIND = os.environ.get("E2E_BROKER", "robust")
if BROKER_KIND not in ("robust", "mosquitto"):
    raise RuntimeError(f"E2E_BROKER must be 'robust' or 'mosquitto', not {BROKER_KIND!r}")

IS_MOSQUITTO = BROKER_KIND == "mosquitto"
IS_ROBUST = BROKER_KIND == "robust"

HOST = "127.0.0.1"
START_TIMEOUT_S = 10.0
STOP_TIMEOUT_S = 10.0
DEFAULT_WAIT_S = 5.0
# How long to watch for something that must NOT arrive, once a later message has
# proved that the path is flowing.
QUIET_S = 0.5

# robust-server prints exactly one such line per listener once it accepts connections.
LISTENER_RE = re.compile(r"listener (\S+) bound to (\S+):(\d+)")

_unique = itertools.count(1)


def unique(prefix="e2e"):
    """A name no other test or earlier run uses (topics, client ids)."""
    return f"{prefix}-{os.getpid()}-{next(_unique)}-{uuid.uuid4().hex[:6]}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------------------
# Brokers

@dataclass
class TlsConfig:
    """TLS listeners for a broker (robust-server's [tls] section; mosquitto's
    per-listener certfile/keyfile/cafile/require_certificate). Files are PEM."""
    cert_file: str
    key_file: str
    ca_file: str = ""
    verify_peer: bool = False


class Broker:
    """One broker process on a private data dir. Created by the fixtures only.

    With `tls`, it also opens an MQTT-over-TLS listener (tls_port) and, where
    the broker can, a secure WebSocket one (wss_port, else None)."""

    kind = "base"

    def __init__(self, data_dir: Path, settings: dict, tls: TlsConfig | None = None,
                 kafka: dict | None = None):
        self.data_dir = Path(data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.settings = dict(settings)
        self.kafka_settings = dict(kafka or {})
        self.tls = tls
        self.host = HOST
        self.port: int | None = None
        self.ws_port: int | None = None
        self.tls_port: int | None = None
        self.wss_port: int | None = None
        self.kafka_port: int | None = None
        self.proc: subprocess.Popen | None = None
        self.log_path = self.data_dir.parent / f"{self.data_dir.name}.log"
        self.exit_codes: list[int] = []

    # -- lifecycle ---------------------------------------------------------
    def start(self):
        raise NotImplementedError

    @property
    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, check=True) -> int:
        """Graceful stop (SIGTERM). With check, a non-zero exit fails the test,
        and so does a process that had already died before the SIGTERM."""
        assert self.proc is not None, "broker not started"
        died_before = self.proc.poll() is not None
        if not died_before:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
                self._close_log()
                self.proc = None
                raise AssertionError(
                    f"{self.kind} did not exit within {STOP_TIMEOUT_S}s of SIGTERM\n"
                    + self.log_tail())
        rc = self.proc.returncode
        self.exit_codes.append(rc)
        self._close_log()
        self.proc = None
        if check:
            when = "during the test" if died_before else "after SIGTERM"
            assert rc == 0 and not died_before, (
                f"{self.kind} exited with {rc} {when}\n" + self.log_tail())
        return rc

    def restart(self):
        """Graceful stop, then start again on the same data dir and ports."""
        self.stop()
        self.start()

    def kill9(self):
        """Crash: SIGKILL to the server's whole process group, no chance to flush."""
        assert self.proc is not None
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait()
        self.exit_codes.append(self.proc.returncode)
        self._close_log()
        self.proc = None

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def log_tail(self, lines=80) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])

    def require_ws(self):
        if self.ws_port is None:
            pytest.skip(f"{self.kind} has no WebSocket listener")

    def require_wss(self):
        if self.wss_port is None:
            pytest.skip(f"{self.kind} has no secure WebSocket listener")

    @property
    def kafka_bootstrap(self) -> str:
        """host:port of the Kafka listener (bootstrap.servers for Kafka clients)."""
        assert self.kafka_port is not None, f"{self.kind} has no Kafka listener"
        return f"{self.host}:{self.kafka_port}"

    # -- helpers -----------------------------------------------------------
    def _open_log(self):
        self._log = open(self.log_path, "ab")
        self._log.write(f"===== {self.kind} start at {time.strftime('%H:%M:%S')} =====\n".encode())
        self._log.flush()
        return self._log

    def _close_log(self):
        log = getattr(self, "_log", None)
        if log:
            log.close()
            self._log = None

    def _fail_start(self, why):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.proc = None
        self._close_log()
        raise AssertionError(f"{self.kind} failed to start: {why}\n{self.log_tail()}")


class RobustBroker(Broker):
    """robust-server: `ROBUST_SERVER --data-dir DIR`, configured through ROBUSTMQ_* env.

    Contract: with ROBUSTMQ_MQTT_TCP_PORT=0 / ROBUSTMQ_MQTT_WS_PORT=0 it binds free
    ports and logs `listener mqtt-tcp bound to 127.0.0.1:PORT` (and mqtt-ws) once
    each; SIGTERM makes it exit 0. Custom settings become ROBUSTMQ_MQTT_<KEY>, and
    Kafka ones (broker_factory(kafka={...})) ROBUSTMQ_KAFKA_<KEY>.
    With tls: ROBUSTMQ_TLS_* and ROBUSTMQ_MQTT_TLS_PORT / _WSS_PORT = 0, and it
    must log `listener mqtt-tls bound to ...` and `listener mqtt-wss bound to ...`."""

    kind = "robust"

    def __init__(self, data_dir, settings, tls=None, kafka=None):
        super().__init__(data_dir, settings, tls, kafka)
        binary = os.environ.get("ROBUST_SERVER")
        if not binary:
            pytest.fail("E2E_BROKER=robust needs ROBUST_SERVER=/path/to/robust-server")
        if not os.access(binary, os.X_OK):
            pytest.fail(f"ROBUST_SERVER={binary} is not an executable file")
        self.binary = binary

    def env(self):
        env = dict(os.environ)
        env.update({
            # Restarts reuse the ports bound first, as a real restart would.
            "ROBUSTMQ_MQTT_TCP_PORT": str(self.port or 0),
            "ROBUSTMQ_MQTT_WS_PORT": str(self.ws_port or 0),
            "ROBUSTMQ_MQTT_BIND": HOST,
            "ROBUSTMQ_LOG_LEVEL": "info",
            # Tests run in parallel: the admin server takes a free port too
            # (its "listener http bound to" line tells which).
            "ROBUSTMQ_HTTP_PORT": str(getattr(self, "http_port", None) or 0),
            "ROBUSTMQ_HTTP_BIND": HOST,
            "ROBUSTMQ_KAFKA_PORT": str(self.kafka_port or 0),
            "ROBUSTMQ_KAFKA_BIND": HOST,
        })
        for section, settings in (("MQTT", self.settings), ("KAFKA", self.kafka_settings)):
            for key, value in settings.items():
                if isinstance(value, bool):
                    value = "true" if value else "false"
                env[f"ROBUSTMQ_{section}_{key.upper()}"] = str(value)
        if self.tls is not None:
            env.update({
                "ROBUSTMQ_MQTT_TLS_PORT": str(self.tls_port or 0),
                "ROBUSTMQ_MQTT_WSS_PORT": str(self.wss_port or 0),
                "ROBUSTMQ_KAFKA_TLS_PORT": str(getattr(self, "kafka_tls_port", None) or 0),
                "ROBUSTMQ_TLS_CERT_FILE": self.tls.cert_file,
                "ROBUSTMQ_TLS_KEY_FILE": self.tls.key_file,
                "ROBUSTMQ_TLS_CA_FILE": self.tls.ca_file,
                "ROBUSTMQ_TLS_VERIFY_PEER": "true" if self.tls.verify_peer else "false",
            })
        return env

    def start(self):
        assert not self.running
        log = self._open_log()
        offset = log.tell()
        self.proc = subprocess.Popen([self.binary, "--data-dir", str(self.data_dir)],
                                     stdin=subprocess.DEVNULL, stdout=log,
                                     stderr=subprocess.STDOUT, env=self.env(),
                                     start_new_session=True)
        deadline = time.monotonic() + START_TIMEOUT_S
        found = {}
        while True:
            with open(self.log_path, "rb") as f:
                f.seek(offset)
                text = f.read().decode(errors="replace")
            for m in LISTENER_RE.finditer(text):
                found[m.group(1)] = int(m.group(3))
            wanted = ["mqtt-tcp", "mqtt-ws", "http", "kafka"]
            if self.tls is not None:
                wanted += ["mqtt-tls", "mqtt-wss", "kafka-tls"]
            if all(name in found for name in wanted):
                break
            if self.proc.poll() is not None:
                self._fail_start(f"exited with {self.proc.returncode} before listening")
            if time.monotonic() > deadline:
                self._fail_start(f"no 'listener {'/'.join(wanted)} bound to' lines within "
                                 f"{START_TIMEOUT_S}s (saw {found})")
            time.sleep(0.02)
        self.port, self.ws_port = found["mqtt-tcp"], found["mqtt-ws"]
        self.http_port = found["http"]
        self.kafka_port = found["kafka"]
        self.listeners = found
        self.tls_port, self.wss_port = found.get("mqtt-tls"), found.get("mqtt-wss")
        self.kafka_tls_port = found.get("kafka-tls")


# Custom setting -> mosquitto.conf option. A setting missing here has no mosquitto
# equivalent and skips the test under mosquitto.
MOSQUITTO_OPTIONS = {
    "max_queued_messages": "max_queued_messages",
    "sys_interval_s": "sys_interval",
    "max_packet_size": "max_packet_size",
    "topic_alias_maximum": "max_topic_alias",
    # mosquitto advertises max_inflight_messages as its CONNACK Receive Maximum
    "receive_maximum": "max_inflight_messages",
    "max_qos": "max_qos",
    "retain_available": "retain_available",
}


# mosquitto options that belong to a listener (written after each listener line)
MOSQUITTO_LISTENER_OPTIONS = {"max_qos", "max_topic_alias"}


class MosquittoBroker(Broker):
    """Debian's mosquitto 2.0, used to validate the tests themselves."""

    kind = "mosquitto"
    binary = "/usr/sbin/mosquitto"

    def __init__(self, data_dir, settings, tls=None, kafka=None):
        super().__init__(data_dir, settings, tls, kafka)
        if kafka:
            pytest.skip("mosquitto has no Kafka listener")
        missing = [k for k in settings if k not in MOSQUITTO_OPTIONS]
        if missing:
            pytest.skip(f"mosquitto has no equivalent of {missing}")
        self.ws_supported = True

    def write_config(self):
        listener_opts, global_opts = [], []
        for key, value in self.settings.items():
            if isinstance(value, bool):
                value = "true" if value else "false"
            opt = MOSQUITTO_OPTIONS[key]
            (listener_opts if opt in MOSQUITTO_LISTENER_OPTIONS else global_opts).append(
                f"{opt} {value}")
        lines = ["per_listener_settings false", f"listener {self.port} {HOST}"] + listener_opts
        if self.ws_supported:
            lines += [f"listener {self.ws_port} {HOST}", "protocol websockets"] + listener_opts
        if self.tls is not None:
            tls_opts = [f"certfile {self.tls.cert_file}", f"keyfile {self.tls.key_file}"]
            if self.tls.ca_file:
                tls_opts.append(f"cafile {self.tls.ca_file}")
            tls_opts.append(f"require_certificate {'true' if self.tls.verify_peer else 'false'}")
            # robust-server's floor (tls.min_version = 1.2); 2.0.11 would allow 1.1
            tls_opts.append("tls_version tlsv1.2")
            lines += [f"listener {self.tls_port} {HOST}"] + tls_opts + listener_opts
            if self.ws_supported:
                lines += [f"listener {self.wss_port} {HOST}", "protocol websockets"]
                lines += tls_opts + listener_opts
        lines += [
            "allow_anonymous true",
            "persistence true",
            f"persistence_location {self.data_dir}/",
            "log_dest stdout",
            "log_type error",
            "log_type warning",
            "log_type notice",
            "log_type information",
            "connection_messages true",
        ]
        if os.geteuid() == 0:
            # mosquitto started as root drops to user "mosquitto", which cannot
            # write the persistence file into our temp dir.
            lines.append("user root")
        lines += global_opts
        conf = self.data_dir / "mosquitto.conf"
        conf.write_text("\n".join(lines) + "\n")
        return conf

    def start(self):
        assert not self.running
        if self.port is None:
            self.port = free_port()
            self.ws_port = free_port()
            if self.tls is not None:
                self.tls_port = free_port()
                self.wss_port = free_port()
        conf = self.write_config()
        log = self._open_log()
        self.proc = subprocess.Popen(["stdbuf", "-oL", self.binary, "-c", str(conf)],
                                     stdin=subprocess.DEVNULL, stdout=log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        ports = [self.port] + ([self.ws_port] if self.ws_supported else [])
        if self.tls is not None:
            ports += [self.tls_port] + ([self.wss_port] if self.ws_supported else [])
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if self.proc.poll() is not None:
                if self.ws_supported and "websockets" in self.log_text().lower():
                    # A build without WebSocket support: run without that listener.
                    self.ws_supported = False
                    self.ws_port = None
                    self.wss_port = None
                    self.proc = None
                    self._close_log()
                    return self.start()
                self._fail_start(f"exited with {self.proc.returncode}")
            if all(_can_connect(p) for p in ports):
                return
            if time.monotonic() > deadline:
                self._fail_start("ports not accepting connections")
            time.sleep(0.02)


def _can_connect(port):
    try:
        with socket.create_connection((HOST, port), timeout=0.5):
            return True
    except OSError:
        return False


def make_broker(data_dir: Path, settings: dict, tls: TlsConfig | None = None,
                kafka: dict | None = None) -> Broker:
    """A started broker. `kafka`: robust-server [kafka] settings (ROBUSTMQ_KAFKA_<KEY>);
    mosquitto skips the test when they are given."""
    cls = MosquittoBroker if IS_MOSQUITTO else RobustBroker
    b = cls(data_dir, settings, tls, kafka)
    b.start()
    return b


# ---------------------------------------------------------------------------
# paho clients

@dataclass
class Msg:
    topic: str
    payload: bytes
    qos: int
    retain: bool
    dup: bool
    mid: int
    properties: object = None

    def prop(self, name, default=None):
        """A v5 property by paho's attribute name (e.g. 'UserProperty')."""
        if self.properties is None:
            return default
        return getattr(self.properties, name, default)


def props(packet_type, **kw) -> Properties:
    """paho Properties from keyword names, e.g. props("PUBLISH", ContentType="x")."""
    p = Properties(getattr(PacketTypes, packet_type) if isinstance(packet_type, str)
                   else packet_type)
    for k, v in kw.items():
        setattr(p, k, v)
    return p


class Client:
    """A paho client (v3.1.1 or v5) with its callbacks turned into queues.

    Created by a test; the `clients` fixture closes every Client at teardown.
    All waits have deadlines; paho's network loop runs in its own thread and never
    reconnects by itself (a test decides when to reconnect)."""

    registry: list["Client"] = []

    def __init__(self, broker: Broker, client_id: str | None = None, version=5, clean=True,
                 session_expiry: int | None = None, transport="tcp", keepalive=30, will=None,
                 connect_props: dict | None = None, connect=True, expect_rc=0, port=None,
                 username: str | None = None, password: str | None = None):
        self.broker = broker
        self.version = version
        self.username = username
        self.password = password
        self.client_id = unique("c") if client_id is None else client_id
        self.transport = transport
        self.clean = clean
        self.session_expiry = session_expiry
        self.keepalive = keepalive
        self.connect_props = connect_props or {}
        self.port = port
        self.messages: queue.Queue[Msg] = queue.Queue()
        self.connacks: queue.Queue = queue.Queue()
        self.disconnects: queue.Queue = queue.Queue()
        self._acks: dict = {}
        self._cond = threading.Condition()
        self._make(will)
        Client.registry.append(self)
        if connect:
            self.connect(expect_rc=expect_rc)

    def _make(self, will):
        proto = mqtt.MQTTv5 if self.version == 5 else mqtt.MQTTv311
        kw = dict(client_id=self.client_id, protocol=proto, transport=self.transport,
                  reconnect_on_failure=False)
        if self.version != 5:
            kw["clean_session"] = self.clean
        c = mqtt.Client(**kw)
        if self.username is not None:
            c.username_pw_set(self.username, self.password)
        if self.transport == "websockets":
            c.ws_set_options(path="/mqtt")
        c.max_inflight_messages_set(100)
        c.on_connect = self._on_connect
        c.on_message = self._on_message
        c.on_subscribe = self._on_subscribe
        c.on_unsubscribe = self._on_unsubscribe
        c.on_disconnect = self._on_disconnect
        if will is not None:
            # will = dict(topic=..., payload=..., qos=..., retain=..., properties=...)
            c.will_set(**will)
        self.c = c

    # -- callbacks (paho network thread) ------------------------------------
    def _on_connect(self, client, userdata, flags, rc, properties=None):
        code = rc.value if hasattr(rc, "value") else rc
        self.connacks.put((code, flags, properties))

    def _on_message(self, client, userdata, m):
        self.messages.put(Msg(m.topic, bytes(m.payload), m.qos, bool(m.retain), bool(m.dup),
                              m.mid, getattr(m, "properties", None)))

    def _on_subscribe(self, client, userdata, mid, granted, properties=None):
        codes = [g.value if hasattr(g, "value") else g for g in granted]
        with self._cond:
            self._acks[("sub", mid)] = codes
            self._cond.notify_all()

    def _on_unsubscribe(self, client, userdata, mid, properties=None, reason_codes=None):
        if reason_codes is not None and not isinstance(reason_codes, list):
            reason_codes = [reason_codes]
        codes = [r.value if hasattr(r, "value") else r for r in (reason_codes or [])]
        with self._cond:
            self._acks[("unsub", mid)] = codes
            self._cond.notify_all()

    def _on_disconnect(self, client, userdata, rc, properties=None):
        code = rc.value if hasattr(rc, "value") else rc
        self.disconnects.put(code)

    def _wait_ack(self, key, timeout):
        with self._cond:
            ok = self._cond.wait_for(lambda: key in self._acks, timeout)
            assert ok, f"no {key[0].upper()}ACK for mid {key[1]} within {timeout}s"
            return self._acks.pop(key)

    # -- actions -------------------------------------------------------------
    def connect(self, expect_rc=0, timeout=DEFAULT_WAIT_S):
        """Connects and waits for CONNACK. Returns (rc, flags, properties).

        To reconnect with other settings, make a new Client with the same client_id."""
        port = self.port or (self.broker.ws_port if self.transport == "websockets"
                             else self.broker.port)
        kw = {}
        if self.version == 5:
            p = Properties(PacketTypes.CONNECT)
            if self.session_expiry is not None:
                p.SessionExpiryInterval = self.session_expiry
            for k, v in self.connect_props.items():
                setattr(p, k, v)
            kw = dict(clean_start=self.clean, properties=p)
        self.c.connect(self.broker.host, port, self.keepalive, **kw)
        self.c.loop_start()
        try:
            rc, flags, properties = self.connacks.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"no CONNACK for {self.client_id} within {timeout}s")
        if expect_rc is not None:
            assert rc == expect_rc, f"CONNACK rc {rc:#x}, expected {expect_rc:#x}"
        self.session_present = bool(flags.get("session present"))
        self.connack_props = properties
        return rc, flags, properties

    def subscribe(self, topic, qos=0, options=None, properties=None, timeout=DEFAULT_WAIT_S,
                  expect=None):
        """Subscribes and waits for SUBACK; returns the granted QoS / reason codes.

        topic may be a list of (filter, qos or paho SubscribeOptions). The codes are
        checked against `expect`: by default [qos] for a single filter; pass a list
        to check other codes, or False to check nothing."""
        if options is not None:
            rc, mid = self.c.subscribe(topic, options=options, properties=properties)
        else:
            rc, mid = self.c.subscribe(topic, qos, properties=properties)
        assert rc == mqtt.MQTT_ERR_SUCCESS, f"subscribe failed locally: {rc}"
        codes = self._wait_ack(("sub", mid), timeout)
        if expect is None and not isinstance(topic, list):
            expect = [options.QoS if options is not None else qos]
        if expect:
            assert codes == expect, f"SUBACK {codes}, expected {expect}"
        return codes

    def unsubscribe(self, topic, timeout=DEFAULT_WAIT_S):
        rc, mid = self.c.unsubscribe(topic)
        assert rc == mqtt.MQTT_ERR_SUCCESS
        return self._wait_ack(("unsub", mid), timeout)

    def publish(self, topic, payload=b"", qos=0, retain=False, properties=None, wait=True,
                timeout=DEFAULT_WAIT_S):
        """Publishes; with wait, returns once PUBACK/PUBCOMP (or the write, QoS 0) is done."""
        info = self.c.publish(topic, payload, qos, retain, properties)
        assert info.rc == mqtt.MQTT_ERR_SUCCESS, f"publish failed locally: {info.rc}"
        if wait:
            info.wait_for_publish(timeout)
            assert info.is_published(), f"publish of {topic} not acknowledged in {timeout}s"
        return info

    def disconnect(self, reasoncode=None, properties=None, timeout=DEFAULT_WAIT_S):
        """Clean DISCONNECT; waits until paho reports the connection closed."""
        if reasoncode is not None:
            from paho.mqtt.reasoncodes import ReasonCodes
            reasoncode = ReasonCodes(PacketTypes.DISCONNECT, identifier=reasoncode)
        self.c.disconnect(reasoncode, properties)
        try:
            self.disconnects.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError("paho did not report the disconnect")
        self.c.loop_stop()

    def drop(self):
        """Abnormal disconnect: closes the socket without DISCONNECT (will is due)."""
        sock = self.c.socket()
        self.c.loop_stop()
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()

    def close(self):
        try:
            if self.c.is_connected():
                self.c.disconnect()
        except Exception:
            pass
        self.c.loop_stop()

    # -- receiving -------------------------------------------------------------
    def expect(self, count=1, timeout=DEFAULT_WAIT_S, topic=None) -> list[Msg]:
        """Waits for `count` messages (only those on `topic` if given; others are kept)."""
        got, kept = [], []
        deadline = time.monotonic() + timeout
        try:
            while len(got) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        f"{self.client_id}: got {len(got)}/{count} messages within "
                        f"{timeout}s: {[(m.topic, m.payload[:30]) for m in got]}; "
                        f"others: {[(m.topic, m.payload[:30]) for m in kept]}")
                try:
                    m = self.messages.get(timeout=left)
                except queue.Empty:
                    continue
                if topic is None or m.topic == topic:
                    got.append(m)
                else:
                    kept.append(m)
        finally:
            for m in kept:
                self.messages.put(m)
        return got

    def expect_one(self, timeout=DEFAULT_WAIT_S, topic=None) -> Msg:
        return self.expect(1, timeout, topic)[0]

    def expect_none(self, timeout=QUIET_S):
        try:
            m = self.messages.get(timeout=timeout)
        except queue.Empty:
            return
        raise AssertionError(f"{self.client_id}: unexpected message {m.topic} {m.payload[:60]!r}")

    def pending(self) -> list[Msg]:
        out = []
        while True:
            try:
                out.append(self.messages.get_nowait())
            except queue.Empty:
                return out

    def barrier(self, sender: "Client", timeout=DEFAULT_WAIT_S) -> list[Msg]:
        """Returns every message received before a marker that `sender` publishes now.

        Proves the path sender -> broker -> self is flowing, so a message that should
        have arrived before the marker and did not was really not delivered.

        The marker goes at QoS 2: paho hands a QoS 2 message to the application
        only when PUBREL arrives, after a round trip, so a QoS 1 marker could
        overtake a QoS 2 message sent before it. PUBRELs follow the PUBRECs'
        order, so a QoS 2 marker comes after every earlier message."""
        topic = f"e2e-barrier/{self.client_id}"
        if not getattr(self, "_barrier_subscribed", False):
            self.subscribe(topic, 2)
            self._barrier_subscribed = True
        token = uuid.uuid4().hex.encode()
        sender.publish(topic, token, qos=2)
        before = []
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            assert left > 0, f"barrier marker not received; before it: {before}"
            try:
                m = self.messages.get(timeout=left)
            except queue.Empty:
                continue
            if m.topic == topic and m.payload == token:
                return before
            if m.topic != topic:
                before.append(m)


# ---------------------------------------------------------------------------
# CLI tools

MOSQUITTO_PUB = "/usr/bin/mosquitto_pub"
MOSQUITTO_SUB = "/usr/bin/mosquitto_sub"
MOSQUITTO_RR = "/usr/bin/mosquitto_rr"


class MosquittoSub:
    """A running mosquitto_sub printing one JSON object per message (-F %j).

    Started with -d so its "Subscribed (mid: ...)" line tells us when the
    SUBACK has arrived; no sleeping. `port` defaults to the broker's plain
    TCP port; `extra` adds options (TLS files, -W, -c ...)."""

    def __init__(self, broker, topic, version="mqttv5", qos=0, count=None, extra=(),
                 port=None):
        # stdbuf: line-buffered stdout, so each line reaches us when printed
        args = ["stdbuf", "-oL", MOSQUITTO_SUB, "-h", broker.host,
                "-p", str(port or broker.port), "-V", version, "-t", topic,
                "-q", str(qos), "-F", "%j", "-d", *extra]
        if count is not None:
            args += ["-C", str(count)]
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)
        self.lines: queue.Queue = queue.Queue()
        self.seen = []  # every line printed, for failure messages
        threading.Thread(target=self._read, daemon=True).start()
        deadline = time.monotonic() + DEFAULT_WAIT_S
        while True:
            try:
                line = self.lines.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                self.kill()
                raise AssertionError(f"mosquitto_sub did not subscribe: {self.seen}")
            if line is None:
                raise AssertionError(f"mosquitto_sub exited with {self.proc.wait()}: "
                                     f"{self.seen}")
            self.seen.append(line)
            if line.startswith("Subscribed (mid:"):
                return

    def _read(self):
        for raw in self.proc.stdout:
            self.lines.put(raw.decode(errors="replace").rstrip("\n"))
        self.lines.put(None)

    def wait(self, timeout=15):
        """Waits for the process to exit (with -C); returns the parsed messages."""
        rc = self.proc.wait(timeout)
        out = []
        while (line := self.lines.get(timeout=5)) is not None:
            self.seen.append(line)
            if line.startswith("{"):
                out.append(json.loads(line))
        assert rc == 0, f"mosquitto_sub exited with {rc}: {self.seen}"
        return out

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def run_tool(args, timeout=10, input=None):
    return subprocess.run(args, input=input, capture_output=True, timeout=timeout)
