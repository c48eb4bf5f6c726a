"""A WebSocket message fuzzer against the real app (PostgreSQL, Redis, the Litestar stack).

Every malformed client message must get an ``error`` message in the published
schema (or a clean close), the app must never raise (the test client re-raises
anything the app lets escape), nothing of another user's request may come
back, and the service must still answer normally afterwards.

After each fuzz message the client sends a *probe* (a subscribe to a fresh,
unknown UUID) and reads up to the probe's ``not-found``: everything before it is
the fuzz message's answer, so messages that deserve no answer (a well-formed
``unsubscribe``) cannot hang the test, and none is ever dropped or reordered.
"""

from __future__ import annotations

import json
import random
import socket as sockets
import threading
import time
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn

from adapters.composition.processes import WS_MAX_MESSAGE_BYTES, build_http_app
from tests.conftest import free_port
from tests.service_stack import ROUTE_BODY, Stack
from tests.ws_messages import ERROR, STATUS

SUBPROTOCOL = "wildside.v1"
SEED = 20261207
MUTATIONS = 300
CHANNEL = "route_generation_status"
ERROR_CODES = {"invalid-message", "not-found", "too-many-subscriptions", "service-unavailable"}


def _subscribe(request_id: Any, **extra: Any) -> str:
    return json.dumps({"type": "subscribe", "channel": CHANNEL, "request_id": request_id, **extra})


def _corpus(own: str, other: str) -> list[str | bytes]:
    """Hand-written hostile messages: text frames are ``str``, binary frames ``bytes``."""
    deep = 100_000
    return [
        # Not JSON at all, or broken JSON.
        "",
        " ",
        "not json",
        "{",
        "}",
        "[1, 2",
        '{"type": "subscribe",}',
        '{"type": "subscribe", "channel": "route_generation_status", "request_id": "x"',
        "nul",
        "NaN",
        "\x00",
        '{"type": "subscribe"}\x00',
        # Invalid UTF-8 and odd Unicode (text frames are UTF-8 on the wire; in-process a
        # lone surrogate is what a decoder with surrogateescape would hand over).
        b"\xff\xfe\xfd",
        b'{"type": "subscribe", "channel": "route_generation_status", "request_id": "\xff"}',
        '{"type": "subscribe", "channel": "route_generation_status", "request_id": "\ud800"}',
        '{"type": "subscribe", "channel": "route_generation_status", "request_id": "\\ud800"}',
        _subscribe("\u202e" + own),
        _subscribe(own + "\u0000"),
        # Deep nesting.
        "[" * deep + "]" * deep,
        '{"a":' * deep + "1" + "}" * deep,
        '{"type": ' + "[" * deep + "]" * deep + "}",
        _subscribe(own, nested=json.loads("[" * 500 + "]" * 500)),
        # Huge strings.
        "x" * 1_000_000,
        _subscribe("a" * 1_000_000),
        json.dumps({"type": "s" * 100_000, "channel": CHANNEL, "request_id": own}),
        _subscribe(own, padding="p" * 10_000),
        # Wrong types.
        "null",
        "true",
        "42",
        '"subscribe"',
        "[]",
        "{}",
        json.dumps(["subscribe", CHANNEL, own]),
        json.dumps({"type": 1, "channel": CHANNEL, "request_id": own}),
        json.dumps({"type": "subscribe", "channel": None, "request_id": own}),
        json.dumps({"type": "subscribe", "channel": CHANNEL, "request_id": 12345}),
        json.dumps({"type": "subscribe", "channel": CHANNEL, "request_id": [own]}),
        json.dumps({"type": "subscribe", "channel": CHANNEL, "request_id": {"id": own}}),
        json.dumps({"type": "subscribe", "channel": CHANNEL, "request_id": None}),
        json.dumps({"type": "subscribe", "channel": CHANNEL, "request_id": 1e308}),
        # Unknown types, channels and fields.
        json.dumps({"type": "shout", "channel": CHANNEL, "request_id": own}),
        json.dumps({"type": "SUBSCRIBE", "channel": CHANNEL, "request_id": own}),
        json.dumps({"type": "subscribe", "channel": "admin", "request_id": own}),
        json.dumps({"type": "subscribe", "channel": CHANNEL, "request_id": own, "user_id": other}),
        json.dumps({"type": "subscribe", "channel": CHANNEL, "request_id": own, "type2": 1}),
        '{"type": "subscribe", "type": "unsubscribe", "channel": "x", "request_id": "y"}',
        # Binary frames, including a perfectly good message sent as binary.
        b"",
        b"\x00" * 64,
        _subscribe(own).encode(),
        bytes(range(256)),
        # Someone else's request, in every spelling a UUID parser accepts, and non-UUIDs.
        _subscribe(other),
        _subscribe(other.upper()),
        _subscribe("{" + other + "}"),
        _subscribe("urn:uuid:" + other),
        _subscribe(other.replace("-", "")),
        _subscribe(" " + other + " "),
        _subscribe("not-a-uuid"),
        _subscribe("00000000-0000-0000-0000-000000000000"),
        _subscribe("../../" + other),
        _subscribe("' OR 1=1 --"),
        _subscribe("%s%s%s%n"),
        json.dumps({"type": "unsubscribe", "channel": CHANNEL, "request_id": other}),
    ]


def _mutations(valid: str, rng: random.Random) -> Iterator[str | bytes]:
    """Random byte-level edits of a valid message, sent as text when they still decode."""
    base = valid.encode()
    for _ in range(MUTATIONS):
        data = bytearray(base)
        for _ in range(rng.randint(1, 6)):
            where = rng.randrange(len(data) + 1)
            match rng.randrange(4):
                case 0 if data:
                    del data[min(where, len(data) - 1)]
                case 1:
                    data.insert(where, rng.randrange(256))
                case 2 if data:
                    data[min(where, len(data) - 1)] = rng.randrange(256)
                case _:
                    data[where:where] = rng.choice(
                        [b"{", b"}", b"[", b'"', b"\\", b",", b"\\u0000"]
                    )
        try:
            yield data.decode()
        except UnicodeDecodeError:
            yield bytes(data)


class Client:
    """One socket, with a probe after each message to split the answers."""

    def __init__(self, socket: Any, own: set[str]) -> None:
        self.socket = socket
        self.own = own
        self.probes = 0
        self.received: list[dict[str, Any]] = []

    def send(self, message: str | bytes) -> list[dict[str, Any]]:
        """Send one message; return what the server answered to it (probe excluded)."""
        if isinstance(message, bytes):
            self.socket.send_bytes(message)
        else:
            self.socket.send_text(message)
        return self.probe()

    def probe(self) -> list[dict[str, Any]]:
        self.probes += 1
        probe_id = f"00000000-0000-4000-8000-{self.probes:012d}"
        self.socket.send_text(_subscribe(probe_id))
        answers: list[dict[str, Any]] = []
        while True:
            message = json.loads(self.socket.receive_text(timeout=30))
            self.received.append(message)
            if message.get("request_id") == probe_id:
                assert message["code"] == "not-found", message
                return answers
            answers.append(message)

    def next_status(self, request_id: str) -> dict[str, Any]:
        """The next status of ``request_id``.

        Subscriptions are answered concurrently, so a snapshot may come after
        a later probe's reply: wait for the status itself, not for a probe.
        """
        while True:
            message = json.loads(self.socket.receive_text(timeout=30))
            self.received.append(message)
            if message.get("type") != "error" and message.get("request_id") == request_id:
                return message


def _check(answer: dict[str, Any], own: set[str]) -> None:
    """A server message is a schema-valid error or a status of one of the client's requests."""
    if answer["type"] == "error":
        ERROR.validate(answer)
        assert answer["code"] in ERROR_CODES, answer
        assert len(answer["detail"]) <= 200, answer
    else:
        STATUS.validate(answer)
        assert answer["request_id"] in own, answer  # never another user's status


def _submit(stack: Stack, token: str) -> str:
    response = stack.client.post("/api/v1/routes", json=ROUTE_BODY, headers=stack.auth(token))
    assert response.status_code == 202
    return response.json()["request_id"]


def test_malformed_messages_get_errors_never_crash_and_never_leak(stack: Stack) -> None:
    ada, bob = stack.user("ada"), stack.user("bob")
    own, other = _submit(stack, ada), _submit(stack, bob)  # both stay queued: no worker
    rng = random.Random(SEED)
    messages = [*_corpus(own, other), *_mutations(_subscribe(own), rng)]
    with stack.client.websocket_connect(
        "/ws", subprotocols=[SUBPROTOCOL, f"bearer.{ada}"]
    ) as socket:
        client = Client(socket, {own})
        for message in messages:
            for answer in client.send(message):
                _check(answer, {own})
        # A burst without waiting: one error each, none lost, order kept.
        for i in range(200):
            socket.send_text(f"garbage {i}")
        burst = client.probe()
        assert [a["code"] for a in burst] == ["invalid-message"] * 200
        # The connection still works for what it is for.
        socket.send_text(json.dumps({"type": "unsubscribe", "channel": CHANNEL, "request_id": own}))
        assert client.probe() == []
        socket.send_text(_subscribe(own))
        status = client.next_status(own)
        STATUS.validate(status)
        assert (status["request_id"], status["status"]) == (own, "queued")
    # Another user's request never showed through, in any spelling.
    statuses = [m for m in client.received if m["type"] == "route_generation_status"]
    assert {m["request_id"] for m in statuses} == {own}
    refusals = [m for m in client.received if other in m.get("request_id", "").lower()]
    assert refusals
    assert {(m["code"], m["detail"]) for m in refusals} == {("not-found", "no such route request")}
    # And the service answers normally afterwards, over HTTP and a new socket.
    assert stack.client.get("/health/live").status_code == 200
    mine = stack.client.get(f"/api/v1/routes/{own}", headers=stack.auth(ada))
    assert mine.status_code == 202
    with stack.client.websocket_connect(
        "/ws", subprotocols=[SUBPROTOCOL, f"bearer.{bob}"]
    ) as socket:
        socket.send_text(_subscribe(other))
        STATUS.validate(socket.receive_json(timeout=10))


def test_a_client_that_disconnects_mid_stream_leaves_the_app_healthy(stack: Stack) -> None:
    ada = stack.user("ada")
    own = _submit(stack, ada)
    for _ in range(20):
        with stack.client.websocket_connect(
            "/ws", subprotocols=[SUBPROTOCOL, f"bearer.{ada}"]
        ) as socket:
            for _ in range(5):
                socket.send_text(_subscribe(own))
            socket.send_bytes(b"\xff")
            socket.send_text("{")
        # leaving with answers unread and subscriptions open
    assert stack.client.get("/health/live").status_code == 200
    with stack.client.websocket_connect(
        "/ws", subprotocols=[SUBPROTOCOL, f"bearer.{ada}"]
    ) as socket:
        socket.send_text(_subscribe(own))
        assert socket.receive_json(timeout=10)["request_id"] == own


# -- The same over a real server: frames a test client cannot send --------------------


@pytest.fixture
def live_api(stack: Stack) -> Iterator[tuple[str, int]]:
    """The app under uvicorn as ``wildside serve`` runs it, on a loopback port."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            build_http_app(stack.settings),
            host="127.0.0.1",
            port=port,
            lifespan="on",
            ws_max_size=WS_MAX_MESSAGE_BYTES,
            log_config=None,
            access_log=False,
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive(), "uvicorn stopped"
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield "127.0.0.1", port
    server.should_exit = True
    thread.join(timeout=15)


def _frame(opcode: int, payload: bytes) -> bytes:
    """A masked client frame (RFC 6455 §5.2); the mask is zero, which XORs to the payload."""
    header = bytes([0x80 | opcode])
    if len(payload) < 126:
        header += bytes([0x80 | len(payload)])
    elif len(payload) < 65536:
        header += bytes([0x80 | 126]) + len(payload).to_bytes(2, "big")
    else:
        header += bytes([0x80 | 127]) + len(payload).to_bytes(8, "big")
    return header + b"\x00\x00\x00\x00" + payload


def _raw_socket(host: str, port: int, token: str) -> sockets.socket:
    conn = sockets.create_connection((host, port), timeout=10)
    conn.sendall(
        (
            "GET /ws HTTP/1.1\r\n"
            f"Host: {host}:{port}\r\n"
            "Upgrade: websocket\r\nConnection: Upgrade\r\n"
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
            f"Sec-WebSocket-Protocol: {SUBPROTOCOL}, bearer.{token}\r\n\r\n"
        ).encode()
    )
    head = b""
    while b"\r\n\r\n" not in head:
        head += conn.recv(4096)
    assert head.startswith(b"HTTP/1.1 101"), head[:80]
    return conn


def _close_code(conn: sockets.socket) -> int:
    """Read frames until the server's close frame; return its code."""
    data = b""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        chunk = conn.recv(65536)
        if not chunk:
            break
        data += chunk
        while len(data) >= 2:
            opcode, length = data[0] & 0x0F, data[1] & 0x7F
            start = 2 + {126: 2, 127: 8}.get(length, 0)
            if length >= 126:
                length = int.from_bytes(data[2:start], "big")
            if len(data) < start + length:
                break
            payload, data = data[start : start + length], data[start + length :]
            if opcode == 0x8:
                return int.from_bytes(payload[:2], "big")
    raise AssertionError("no close frame")


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        (_frame(0x1, b'{"type": "subscribe", "request_id": "\xff\xfe"}'), 1007),  # bad UTF-8
        (_frame(0x1, b"x" * (WS_MAX_MESSAGE_BYTES + 1)), 1009),  # over the size limit
        (_frame(0x3, b"??"), 1002),  # a reserved opcode
    ],
    ids=["invalid-utf8-text", "oversized", "reserved-opcode"],
)
def test_protocol_violations_close_the_socket_and_the_server_stays_up(
    stack: Stack, live_api: tuple[str, int], frame: bytes, code: int
) -> None:
    host, port = live_api
    token = stack.user("ada")
    conn = _raw_socket(host, port, token)
    try:
        conn.sendall(frame)
        assert _close_code(conn) == code
    finally:
        conn.close()
    with urllib.request.urlopen(f"http://{host}:{port}/health/live", timeout=10) as answer:
        assert answer.status == 200
    # And a well-behaved socket on the same server still gets its answers.
    conn = _raw_socket(host, port, token)
    try:
        conn.sendall(_frame(0x1, _subscribe("not-a-uuid").encode()))
        assert b'"not-found"' in conn.recv(65536)
    finally:
        conn.close()
