"""Byte-level MQTT 3.1.1 / 5.0 packets and a raw socket client.

Used where paho cannot express the test: malformed input, exact reason codes,
clients that deliberately do not acknowledge, DUP flags and packet ids. Packets
are built field by field (as mosquitto's test/broker/*.py do) so a test can
corrupt any byte. Nothing here sleeps: every read has a deadline.

Section numbers refer to the OASIS MQTT 3.1.1 and 5.0 standards.
"""

from __future__ import annotations

import base64
import hashlib
import os
import select
import socket
import struct
import time
from dataclasses import dataclass, field
from typing import Iterable, Sequence

# ---------------------------------------------------------------------------
# Packet types (2.1.2)
CONNECT, CONNACK, PUBLISH, PUBACK, PUBREC, PUBREL, PUBCOMP = 1, 2, 3, 4, 5, 6, 7
SUBSCRIBE, SUBACK, UNSUBSCRIBE, UNSUBACK, PINGREQ, PINGRESP, DISCONNECT, AUTH = (
    8, 9, 10, 11, 12, 13, 14, 15)

PACKET_NAMES = {
    CONNECT: "CONNECT", CONNACK: "CONNACK", PUBLISH: "PUBLISH", PUBACK: "PUBACK",
    PUBREC: "PUBREC", PUBREL: "PUBREL", PUBCOMP: "PUBCOMP", SUBSCRIBE: "SUBSCRIBE",
    SUBACK: "SUBACK", UNSUBSCRIBE: "UNSUBSCRIBE", UNSUBACK: "UNSUBACK",
    PINGREQ: "PINGREQ", PINGRESP: "PINGRESP", DISCONNECT: "DISCONNECT", AUTH: "AUTH",
}

V311 = 4
V5 = 5

# ---------------------------------------------------------------------------
# MQTT 5 properties (2.2.2.2): id -> (name, type)
BYTE, U16, U32, VARINT, UTF8, BINARY, PAIR = "byte", "u16", "u32", "varint", "utf8", "bin", "pair"

PAYLOAD_FORMAT_INDICATOR = 0x01
MESSAGE_EXPIRY_INTERVAL = 0x02
CONTENT_TYPE = 0x03
RESPONSE_TOPIC = 0x08
CORRELATION_DATA = 0x09
SUBSCRIPTION_IDENTIFIER = 0x0B
SESSION_EXPIRY_INTERVAL = 0x11
ASSIGNED_CLIENT_IDENTIFIER = 0x12
SERVER_KEEP_ALIVE = 0x13
AUTHENTICATION_METHOD = 0x15
AUTHENTICATION_DATA = 0x16
REQUEST_PROBLEM_INFORMATION = 0x17
WILL_DELAY_INTERVAL = 0x18
REQUEST_RESPONSE_INFORMATION = 0x19
RESPONSE_INFORMATION = 0x1A
SERVER_REFERENCE = 0x1C
REASON_STRING = 0x1F
RECEIVE_MAXIMUM = 0x21
TOPIC_ALIAS_MAXIMUM = 0x22
TOPIC_ALIAS = 0x23
MAXIMUM_QOS = 0x24
RETAIN_AVAILABLE = 0x25
USER_PROPERTY = 0x26
MAXIMUM_PACKET_SIZE = 0x27
WILDCARD_SUBSCRIPTION_AVAILABLE = 0x28
SUBSCRIPTION_IDENTIFIER_AVAILABLE = 0x29
SHARED_SUBSCRIPTION_AVAILABLE = 0x2A

PROPERTY_TYPES = {
    PAYLOAD_FORMAT_INDICATOR: BYTE,
    MESSAGE_EXPIRY_INTERVAL: U32,
    CONTENT_TYPE: UTF8,
    RESPONSE_TOPIC: UTF8,
    CORRELATION_DATA: BINARY,
    SUBSCRIPTION_IDENTIFIER: VARINT,
    SESSION_EXPIRY_INTERVAL: U32,
    ASSIGNED_CLIENT_IDENTIFIER: UTF8,
    SERVER_KEEP_ALIVE: U16,
    AUTHENTICATION_METHOD: UTF8,
    AUTHENTICATION_DATA: BINARY,
    REQUEST_PROBLEM_INFORMATION: BYTE,
    WILL_DELAY_INTERVAL: U32,
    REQUEST_RESPONSE_INFORMATION: BYTE,
    RESPONSE_INFORMATION: UTF8,
    SERVER_REFERENCE: UTF8,
    REASON_STRING: UTF8,
    RECEIVE_MAXIMUM: U16,
    TOPIC_ALIAS_MAXIMUM: U16,
    TOPIC_ALIAS: U16,
    MAXIMUM_QOS: BYTE,
    RETAIN_AVAILABLE: BYTE,
    USER_PROPERTY: PAIR,
    MAXIMUM_PACKET_SIZE: U32,
    WILDCARD_SUBSCRIPTION_AVAILABLE: BYTE,
    SUBSCRIPTION_IDENTIFIER_AVAILABLE: BYTE,
    SHARED_SUBSCRIPTION_AVAILABLE: BYTE,
}

# Reason codes used by the tests (2.4)
RC_SUCCESS = 0x00
RC_DISCONNECT_WITH_WILL = 0x04
RC_NO_MATCHING_SUBSCRIBERS = 0x10
RC_NO_SUBSCRIPTION_EXISTED = 0x11
RC_UNSPECIFIED = 0x80
RC_MALFORMED = 0x81
RC_PROTOCOL_ERROR = 0x82
RC_IMPLEMENTATION_SPECIFIC = 0x83
RC_UNSUPPORTED_PROTOCOL_VERSION = 0x84
RC_CLIENT_ID_NOT_VALID = 0x85
RC_NOT_AUTHORIZED = 0x87
RC_BAD_AUTH_METHOD = 0x8C
RC_KEEP_ALIVE_TIMEOUT = 0x8D
RC_SESSION_TAKEN_OVER = 0x8E
RC_TOPIC_FILTER_INVALID = 0x8F
RC_TOPIC_NAME_INVALID = 0x90
RC_RECEIVE_MAXIMUM_EXCEEDED = 0x93
RC_TOPIC_ALIAS_INVALID = 0x94
RC_PACKET_TOO_LARGE = 0x95
RC_QOS_NOT_SUPPORTED = 0x9B


class Props(list):
    """Ordered list of (property id, value) pairs; duplicates allowed (user properties)."""

    def get(self, pid, default=None):
        for k, v in self:
            if k == pid:
                return v
        return default

    def get_all(self, pid):
        return [v for k, v in self if k == pid]

    def has(self, pid):
        return any(k == pid for k, _ in self)


# ---------------------------------------------------------------------------
# Encoding primitives (1.5)

def varint(n: int) -> bytes:
    """Variable Byte Integer (1.5.5)."""
    if n < 0 or n > 268_435_455:
        raise ValueError(n)
    out = bytearray()
    while True:
        b = n % 128
        n //= 128
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def u16(n: int) -> bytes:
    return struct.pack("!H", n)


def u32(n: int) -> bytes:
    return struct.pack("!I", n)


def utf8(s) -> bytes:
    """UTF-8 Encoded String (1.5.4). Accepts raw bytes so tests can send invalid UTF-8."""
    b = s if isinstance(s, (bytes, bytearray)) else s.encode("utf-8")
    return u16(len(b)) + bytes(b)


def binary(b: bytes) -> bytes:
    return u16(len(b)) + bytes(b)


def encode_props(props: Iterable | None) -> bytes:
    """Properties with their length prefix (2.2.2). props: iterable of (id, value)."""
    body = bytearray()
    for pid, value in props or ():
        typ = PROPERTY_TYPES[pid]
        body += varint(pid)
        if typ == BYTE:
            body.append(value)
        elif typ == U16:
            body += u16(value)
        elif typ == U32:
            body += u32(value)
        elif typ == VARINT:
            body += varint(value)
        elif typ == UTF8:
            body += utf8(value)
        elif typ == BINARY:
            body += binary(value)
        elif typ == PAIR:
            body += utf8(value[0]) + utf8(value[1])
    return varint(len(body)) + bytes(body)


def fixed_header(ptype: int, flags: int, remaining: int) -> bytes:
    return bytes([(ptype << 4) | (flags & 0x0F)]) + varint(remaining)


def packet(ptype: int, flags: int, body: bytes) -> bytes:
    return fixed_header(ptype, flags, len(body)) + body


# ---------------------------------------------------------------------------
# Packet builders

@dataclass
class Will:
    topic: str | bytes
    payload: bytes = b""
    qos: int = 0
    retain: bool = False
    props: list = field(default_factory=list)  # v5 will properties


def connect(client_id="", version=V311, clean=True, keepalive=60, will: Will | None = None,
            username=None, password=None, props=None, proto_name=b"MQTT",
            flags_override=None) -> bytes:
    """CONNECT (3.1). flags_override replaces the computed Connect Flags byte."""
    flags = 0
    if clean:
        flags |= 0x02
    if will is not None:
        flags |= 0x04 | (will.qos << 3) | (0x20 if will.retain else 0)
    if password is not None:
        flags |= 0x40
    if username is not None:
        flags |= 0x80
    if flags_override is not None:
        flags = flags_override
    var = utf8(proto_name) + bytes([version, flags]) + u16(keepalive)
    if version == V5:
        var += encode_props(props)
    payload = utf8(client_id)
    if will is not None:
        if version == V5:
            payload += encode_props(will.props)
        payload += utf8(will.topic) + binary(will.payload)
    if username is not None:
        payload += utf8(username)
    if password is not None:
        payload += binary(password)
    return packet(CONNECT, 0, var + payload)


def publish(topic, payload=b"", qos=0, retain=False, dup=False, pid=None, version=V311,
            props=None) -> bytes:
    flags = (0x08 if dup else 0) | (qos << 1) | (0x01 if retain else 0)
    body = utf8(topic)
    if qos > 0:
        body += u16(pid if pid is not None else 1)
    if version == V5:
        body += encode_props(props)
    return packet(PUBLISH, flags, body + payload)


def _ack(ptype, flags, pid, version, reason, props):
    body = u16(pid)
    if version == V5 and (reason not in (None, 0) or props):
        body += bytes([reason or 0])
        if props:
            body += encode_props(props)
    return packet(ptype, flags, body)


def puback(pid, version=V311, reason=None, props=None):
    return _ack(PUBACK, 0, pid, version, reason, props)


def pubrec(pid, version=V311, reason=None, props=None):
    return _ack(PUBREC, 0, pid, version, reason, props)


def pubrel(pid, version=V311, reason=None, props=None):
    return _ack(PUBREL, 0x02, pid, version, reason, props)


def pubcomp(pid, version=V311, reason=None, props=None):
    return _ack(PUBCOMP, 0, pid, version, reason, props)


def subscribe(pid, filters: Sequence, version=V311, props=None, flags=0x02) -> bytes:
    """filters: [(topic_filter, options_byte)] — options is the QoS for 3.1.1, the
    Subscription Options byte for 5.0 (3.8.3.1)."""
    body = u16(pid)
    if version == V5:
        body += encode_props(props)
    for topic, opts in filters:
        body += utf8(topic) + bytes([opts])
    return packet(SUBSCRIBE, flags, body)


def sub_options(qos=0, no_local=False, retain_as_published=False, retain_handling=0) -> int:
    return qos | (0x04 if no_local else 0) | (0x08 if retain_as_published else 0) | (
        retain_handling << 4)


def unsubscribe(pid, filters: Sequence, version=V311, props=None, flags=0x02) -> bytes:
    body = u16(pid)
    if version == V5:
        body += encode_props(props)
    for topic in filters:
        body += utf8(topic)
    return packet(UNSUBSCRIBE, flags, body)


def pingreq() -> bytes:
    return packet(PINGREQ, 0, b"")


def disconnect(version=V311, reason=None, props=None) -> bytes:
    if version == V5 and (reason not in (None, 0) or props):
        return packet(DISCONNECT, 0, bytes([reason or 0]) + encode_props(props))
    return packet(DISCONNECT, 0, b"")


def auth(reason=0, props=None) -> bytes:
    return packet(AUTH, 0, bytes([reason]) + encode_props(props))


# ---------------------------------------------------------------------------
# Decoding

class DecodeError(Exception):
    pass


class Reader:
    def __init__(self, data: bytes):
        self.d = bytes(data)
        self.i = 0

    def left(self):
        return len(self.d) - self.i

    def take(self, n):
        if self.i + n > len(self.d):
            raise DecodeError("truncated")
        b = self.d[self.i:self.i + n]
        self.i += n
        return b

    def byte(self):
        return self.take(1)[0]

    def u16(self):
        return struct.unpack("!H", self.take(2))[0]

    def u32(self):
        return struct.unpack("!I", self.take(4))[0]

    def varint(self):
        mult, val = 1, 0
        for _ in range(4):
            b = self.byte()
            val += (b & 0x7F) * mult
            if not b & 0x80:
                return val
            mult *= 128
        raise DecodeError("varint too long")

    def utf8(self):
        return self.take(self.u16()).decode("utf-8")

    def binary(self):
        return self.take(self.u16())

    def props(self) -> Props:
        n = self.varint()
        sub = Reader(self.take(n))
        out = Props()
        while sub.left():
            pid = sub.varint()
            typ = PROPERTY_TYPES.get(pid)
            if typ is None:
                raise DecodeError(f"unknown property {pid:#x}")
            if typ == BYTE:
                v = sub.byte()
            elif typ == U16:
                v = sub.u16()
            elif typ == U32:
                v = sub.u32()
            elif typ == VARINT:
                v = sub.varint()
            elif typ == UTF8:
                v = sub.utf8()
            elif typ == BINARY:
                v = sub.binary()
            else:
                v = (sub.utf8(), sub.utf8())
            out.append((pid, v))
        return out


@dataclass
class Packet:
    type: int
    flags: int
    raw: bytes  # whole packet, fixed header included
    body: bytes
    # decoded fields (depending on type)
    session_present: bool = False
    reason: int = 0  # CONNACK return/reason code, ack/DISCONNECT reason code
    props: Props = field(default_factory=Props)
    pid: int = 0
    topic: str = ""
    payload: bytes = b""
    qos: int = 0
    retain: bool = False
    dup: bool = False
    codes: list = field(default_factory=list)  # SUBACK / UNSUBACK

    @property
    def name(self):
        return PACKET_NAMES.get(self.type, f"type{self.type}")

    def __repr__(self):
        extra = ""
        if self.type == PUBLISH:
            extra = (f" topic={self.topic!r} qos={self.qos} retain={self.retain} dup={self.dup}"
                     f" pid={self.pid} payload={self.payload[:40]!r}")
        elif self.type in (SUBACK, UNSUBACK):
            extra = f" pid={self.pid} codes={[hex(c) for c in self.codes]}"
        elif self.type in (CONNACK, DISCONNECT, PUBACK, PUBREC, PUBREL, PUBCOMP, AUTH):
            extra = f" reason={self.reason:#04x} pid={self.pid}"
        props = f" props={list(self.props)}" if self.props else ""
        return f"<{self.name}{extra}{props}>"


def decode(ptype: int, flags: int, body: bytes, version: int, raw: bytes = b"") -> Packet:
    p = Packet(ptype, flags, raw, body)
    r = Reader(body)
    v5 = version == V5
    if ptype == CONNACK:
        p.session_present = bool(r.byte() & 0x01)
        p.reason = r.byte()
        if v5 and r.left():
            p.props = r.props()
    elif ptype == PUBLISH:
        p.qos = (flags >> 1) & 0x03
        p.retain = bool(flags & 0x01)
        p.dup = bool(flags & 0x08)
        p.topic = r.utf8()
        if p.qos:
            p.pid = r.u16()
        if v5:
            p.props = r.props()
        p.payload = r.take(r.left())
    elif ptype in (PUBACK, PUBREC, PUBREL, PUBCOMP):
        p.pid = r.u16()
        if v5 and r.left():
            p.reason = r.byte()
            if r.left():
                p.props = r.props()
    elif ptype in (SUBACK, UNSUBACK):
        p.pid = r.u16()
        if v5:
            p.props = r.props()
        p.codes = list(r.take(r.left()))
    elif ptype in (DISCONNECT, AUTH):
        if r.left():
            p.reason = r.byte()
            if v5 and r.left():
                p.props = r.props()
    return p


# ---------------------------------------------------------------------------
# Transports: a plain TCP socket or a minimal RFC 6455 client, both offering
# sendall/recv_some/close.

class TcpTransport:
    def __init__(self, host, port, timeout=5.0):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def sendall(self, data: bytes):
        self.sock.sendall(data)

    def recv_some(self, timeout: float) -> bytes | None:
        """Bytes read, b'' on timeout, None on EOF/reset."""
        r, _, _ = select.select([self.sock], [], [], max(0.0, timeout))
        if not r:
            return b""
        try:
            data = self.sock.recv(65536)
        except (ConnectionResetError, ConnectionAbortedError, BrokenPipeError):
            return None
        return data if data else None

    def shutdown_write(self):
        try:
            self.sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


class WsTransport:
    """Minimal WebSocket client (RFC 6455) carrying MQTT in binary frames (MQTT 6.0).

    frame_size splits every sendall() into frames of at most that many bytes, so a
    test can check that the server reassembles packets spread over frames."""

    def __init__(self, host, port, path="/mqtt", subprotocol="mqtt", timeout=5.0,
                 frame_size=None):
        self.tcp = TcpTransport(host, port, timeout)
        self.frame_size = frame_size
        self.buf = b""
        self.closed = False
        key = base64.b64encode(os.urandom(16)).decode()
        lines = [f"GET {path} HTTP/1.1", f"Host: {host}:{port}", "Upgrade: websocket",
                 "Connection: Upgrade", f"Sec-WebSocket-Key: {key}",
                 "Sec-WebSocket-Version: 13"]
        if subprotocol:
            lines.append(f"Sec-WebSocket-Protocol: {subprotocol}")
        self.tcp.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        deadline = time.monotonic() + timeout
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.tcp.recv_some(deadline - time.monotonic())
            if chunk is None:
                raise ConnectionError(f"websocket handshake: connection closed: {head!r}")
            if chunk == b"" and time.monotonic() > deadline:
                raise TimeoutError("websocket handshake timed out")
            head += chunk
        head, self.buf = head.split(b"\r\n\r\n", 1)
        text = head.decode("latin-1")
        self.status_line = text.split("\r\n")[0]
        self.headers = {}
        for line in text.split("\r\n")[1:]:
            k, _, v = line.partition(":")
            self.headers[k.strip().lower()] = v.strip()
        if " 101 " not in self.status_line + " ":
            raise ConnectionError(f"websocket handshake refused: {self.status_line}")
        expected = base64.b64encode(hashlib.sha1((key + WS_GUID).encode()).digest()).decode()
        if self.headers.get("sec-websocket-accept") != expected:
            raise ConnectionError("bad Sec-WebSocket-Accept")
        self.pending = b""  # decoded application bytes

    def send_frame(self, opcode: int, payload: bytes, fin=True):
        mask = os.urandom(4)
        n = len(payload)
        hdr = bytes([(0x80 if fin else 0) | opcode])
        if n < 126:
            hdr += bytes([0x80 | n])
        elif n < 65536:
            hdr += bytes([0x80 | 126]) + struct.pack("!H", n)
        else:
            hdr += bytes([0x80 | 127]) + struct.pack("!Q", n)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.tcp.sendall(hdr + mask + masked)

    def sendall(self, data: bytes):
        if not self.frame_size:
            self.send_frame(0x2, data)
            return
        for i in range(0, len(data), self.frame_size):
            self.send_frame(0x2, data[i:i + self.frame_size])

    def _parse_frames(self):
        while True:
            if len(self.buf) < 2:
                return
            b0, b1 = self.buf[0], self.buf[1]
            n = b1 & 0x7F
            off = 2
            if n == 126:
                if len(self.buf) < 4:
                    return
                n = struct.unpack("!H", self.buf[2:4])[0]
                off = 4
            elif n == 127:
                if len(self.buf) < 10:
                    return
                n = struct.unpack("!Q", self.buf[2:10])[0]
                off = 10
            if b1 & 0x80:
                off += 4  # servers must not mask, but tolerate it
            if len(self.buf) < off + n:
                return
            payload = self.buf[off:off + n]
            self.buf = self.buf[off + n:]
            opcode = b0 & 0x0F
            if opcode in (0x0, 0x1, 0x2):
                self.pending += payload
            elif opcode == 0x8:
                self.closed = True
            elif opcode == 0x9:
                self.send_frame(0xA, payload)

    def recv_some(self, timeout: float) -> bytes | None:
        deadline = time.monotonic() + timeout
        while True:
            self._parse_frames()
            if self.pending:
                out, self.pending = self.pending, b""
                return out
            if self.closed:
                return None
            chunk = self.tcp.recv_some(deadline - time.monotonic())
            if chunk is None:
                return None
            if chunk == b"":
                if time.monotonic() >= deadline:
                    return b""
                continue
            self.buf += chunk

    def shutdown_write(self):
        self.tcp.shutdown_write()

    def close(self):
        self.tcp.close()


# ---------------------------------------------------------------------------
# Raw client

class Closed(Exception):
    """The server closed the connection while a packet was expected."""


class RawClient:
    """One MQTT connection driven packet by packet. Not thread-safe: one test thread."""

    def __init__(self, broker=None, version=V311, host=None, port=None, transport=None,
                 timeout=5.0):
        self.version = version
        self.timeout = timeout
        if transport is None:
            transport = TcpTransport(host or broker.host, port or broker.port, timeout)
        self.t = transport
        self.buf = b""
        self.eof = False
        self.next_pid = 1
        self.connack: Packet | None = None

    # -- low level --------------------------------------------------------
    def send(self, data: bytes):
        self.t.sendall(data)

    def _try_parse(self):
        """Returns (ptype, flags, body, raw) for one complete packet in buf, or None."""
        if len(self.buf) < 2:
            return None
        mult, n, i = 1, 0, 1
        while True:
            if i >= len(self.buf):
                return None
            b = self.buf[i]
            n += (b & 0x7F) * mult
            i += 1
            if not b & 0x80:
                break
            mult *= 128
            if i > 4:
                raise DecodeError("server sent a remaining length longer than 4 bytes")
        if len(self.buf) < i + n:
            return None
        raw = self.buf[:i + n]
        self.buf = self.buf[i + n:]
        return raw[0] >> 4, raw[0] & 0x0F, raw[i:], raw

    def recv(self, timeout=None) -> Packet | None:
        """Next packet; None if the server closed the connection; raises TimeoutError."""
        timeout = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + timeout
        while True:
            parsed = self._try_parse()
            if parsed:
                ptype, flags, body, raw = parsed
                return decode(ptype, flags, body, self.version, raw)
            if self.eof:
                return None
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no packet from the server in time")
            data = self.t.recv_some(left)
            if data is None:
                self.eof = True
            elif data:
                self.buf += data

    def expect(self, ptype: int, timeout=None) -> Packet:
        p = self.recv(timeout)
        if p is None:
            raise Closed(f"connection closed while waiting for {PACKET_NAMES[ptype]}")
        assert p.type == ptype, f"expected {PACKET_NAMES[ptype]}, got {p!r}"
        return p

    def expect_nothing(self, timeout=0.5):
        """Asserts that no packet arrives (and the connection stays open) for `timeout`."""
        try:
            p = self.recv(timeout)
        except TimeoutError:
            return
        assert p is not None, "connection closed unexpectedly"
        raise AssertionError(f"unexpected packet {p!r}")

    def expect_closed(self, timeout=None, disconnect_reasons=None, require_disconnect=False):
        """Waits until the server closes the connection.

        Packets other than DISCONNECT that were already in flight are skipped. If the
        server sends a DISCONNECT first (MQTT 5), its reason code must be in
        disconnect_reasons (when given). require_disconnect demands the DISCONNECT.
        Returns the DISCONNECT packet or None."""
        timeout = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + timeout
        seen_disconnect = None
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError("server did not close the connection in time")
            try:
                p = self.recv(left)
            except TimeoutError:
                raise AssertionError("server did not close the connection in time")
            except DecodeError:
                continue
            if p is None:
                break
            if p.type == DISCONNECT:
                seen_disconnect = p
                if disconnect_reasons is not None:
                    assert p.reason in disconnect_reasons, (
                        f"DISCONNECT reason {p.reason:#04x} not in "
                        f"{[hex(c) for c in disconnect_reasons]}")
        if require_disconnect:
            assert seen_disconnect is not None, "connection closed without a DISCONNECT"
        return seen_disconnect

    def alloc_pid(self):
        pid = self.next_pid
        self.next_pid = self.next_pid % 65535 + 1
        return pid

    def close(self):
        self.t.close()

    # -- conveniences -----------------------------------------------------
    def connect(self, client_id="", clean=True, keepalive=60, will=None, props=None,
                expect_reason=0, **kw) -> Packet:
        self.send(connect(client_id, self.version, clean, keepalive, will, props=props, **kw))
        p = self.expect(CONNACK)
        self.connack = p
        if expect_reason is not None:
            assert p.reason == expect_reason, f"CONNACK {p!r}, expected {expect_reason:#x}"
        return p

    def subscribe(self, topic, qos=0, props=None, options=None, expect_codes=None) -> Packet:
        """options: full v5 subscription-options byte (overrides qos)."""
        pid = self.alloc_pid()
        opts = qos if options is None else options
        self.send(subscribe(pid, [(topic, opts)], self.version, props))
        p = self.expect(SUBACK)
        assert p.pid == pid
        if expect_codes is None:
            expect_codes = [qos if options is None else options & 0x03]
        assert p.codes == expect_codes, f"SUBACK codes {p.codes}, expected {expect_codes}"
        return p

    def unsubscribe(self, topic) -> Packet:
        pid = self.alloc_pid()
        self.send(unsubscribe(pid, [topic], self.version))
        p = self.expect(UNSUBACK)
        assert p.pid == pid
        return p

    def publish(self, topic, payload=b"", qos=0, retain=False, props=None) -> Packet | None:
        """Publishes and completes the QoS flow as the sender. Returns the last ack."""
        pid = self.alloc_pid() if qos else None
        self.send(publish(topic, payload, qos, retain, pid=pid, version=self.version,
                          props=props))
        if qos == 1:
            ack = self.expect(PUBACK)
            assert ack.pid == pid
            return ack
        if qos == 2:
            rec = self.expect(PUBREC)
            assert rec.pid == pid
            if rec.reason >= 0x80:
                return rec
            self.send(pubrel(pid, self.version))
            comp = self.expect(PUBCOMP)
            assert comp.pid == pid
            return comp
        return None

    def recv_publish(self, timeout=None, ack=True) -> Packet:
        """Next PUBLISH (skipping nothing: any other packet fails the test)."""
        p = self.expect(PUBLISH, timeout)
        if ack:
            self.ack(p)
        return p

    def ack(self, p: Packet):
        """Completes the receiver side of a QoS 1/2 flow for PUBLISH p."""
        if p.qos == 1:
            self.send(puback(p.pid, self.version))
        elif p.qos == 2:
            self.send(pubrec(p.pid, self.version))
            rel = self.expect(PUBREL)
            assert rel.pid == p.pid
            self.send(pubcomp(p.pid, self.version))

    def disconnect(self, reason=None, props=None):
        self.send(disconnect(self.version, reason, props))
        self.t.shutdown_write()
        # wait for the server to close its side, proving the DISCONNECT was processed
        try:
            self.expect_closed(timeout=5)
        finally:
            self.close()
