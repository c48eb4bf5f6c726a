"""What drills send: route bodies with recorded secrets, WebSocket followers, 5xx counts."""

from __future__ import annotations

import http.client
import json
import random
import re
import threading
import time
import urllib.request
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from websockets.exceptions import ConnectionClosed, WebSocketException
from websockets.sync.client import ClientConnection, connect

from tests.drills.ledger import Ledger
from wildside.domain.errors import UnavailableError

HELSINKI = (60.1712, 24.9441)
FINAL = ("succeeded", "failed")
_5XX = re.compile(r'^http_requests_total\{[^}]*status="5\d\d"[^}]*\} ([0-9.e+]+)$', re.MULTILINE)


class Deadline:
    """A monotonic deadline every drill loop checks."""

    def __init__(self, seconds: float) -> None:
        self.at = time.monotonic() + seconds

    def remaining(self) -> float:
        """Seconds left (never negative)."""
        return max(0.0, self.at - time.monotonic())

    def expired(self) -> bool:
        """Whether the time is up."""
        return time.monotonic() >= self.at


def coordinate(ledger: Ledger, rng: random.Random, centre: float) -> float:
    """A start coordinate near ``centre`` with six distinctive decimals, recorded as a secret."""
    for _ in range(1000):  # about one draw in ten ends in a 0 and is drawn again
        value = round(centre + rng.uniform(-0.002, 0.002), 6)
        if len(repr(value)) == len(f"{centre:.0f}") + 7:  # all six decimals, greppable
            return ledger.record_coordinate(value)
    raise AssertionError("no coordinate with six decimals in 1000 draws")


def route_body(
    ledger: Ledger, rng: random.Random, duration: int = 60, **extra: Any
) -> dict[str, Any]:
    """A route request near central Helsinki, its start recorded; a random seed (never cached)."""
    start = {
        "lat": coordinate(ledger, rng, HELSINKI[0]),
        "lng": coordinate(ledger, rng, HELSINKI[1]),
    }
    return {
        "start": start,
        "duration_minutes": duration,
        "seed": rng.randrange(1 << 40),
        **extra,
    }


def idempotency_key(ledger: Ledger) -> str:
    """A fresh Idempotency-Key, recorded."""
    return ledger.record("idempotency_key", f"drill-key-{uuid.uuid4().hex}")


def ws_url(base_url: str) -> str:
    """The status socket of the API at ``base_url``."""
    return "ws" + base_url.removeprefix("http") + "/ws"


def open_socket(
    base_url: str,
    token: str | None = None,
    *,
    headers: dict[str, str] | None = None,
    origin: str | None = None,
    timeout_s: float = 10.0,
) -> ClientConnection:
    """A status socket authenticated by bearer subprotocol (``token``) or by ``headers``."""
    protocols = ["wildside.v1"] + ([f"bearer.{token}"] if token else [])
    return connect(
        ws_url(base_url),
        subprotocols=protocols,  # type: ignore[arg-type]
        additional_headers=headers,
        origin=origin,  # type: ignore[arg-type]
        open_timeout=timeout_s,
        proxy=None,
    )


def subscribe(socket: ClientConnection, request_id: str, kind: str = "subscribe") -> None:
    """Send a (un)subscribe command."""
    socket.send(
        json.dumps({"type": kind, "channel": "route_generation_status", "request_id": request_id})
    )


@dataclass
class Followed:
    """Every message one subscription received, and how the stream ended."""

    request_id: str
    messages: list[dict[str, Any]] = field(default_factory=list)
    extra: list[dict[str, Any]] = field(default_factory=list)  # anything after the final one
    candidates: list[dict[str, Any]] = field(default_factory=list)  # better tours on the way
    problem: str | None = None

    @property
    def final(self) -> str | None:
        """The final status, if one arrived."""
        last = self.messages[-1] if self.messages else {}
        return last.get("status") if last.get("status") in FINAL else None


def follow(
    base_url: str, token: str, request_id: str, deadline: Deadline, grace_s: float = 0.5
) -> Followed:
    """Subscribe and read until a final status (then ``grace_s`` more, to catch duplicates)."""
    seen = Followed(request_id)
    try:
        with open_socket(base_url, token) as socket:
            subscribe(socket, request_id)
            while seen.final is None:
                if deadline.expired():
                    seen.problem = "no final status before the deadline"
                    return seen
                try:
                    raw = socket.recv(timeout=min(5.0, deadline.remaining() + 0.01))
                except TimeoutError:
                    continue
                message = json.loads(raw)
                if message.get("type") == "route_candidate":
                    seen.candidates.append(message)
                    continue
                seen.messages.append(message)
                if message.get("type") == "error":
                    seen.problem = f"error message: {message}"
                    return seen
            end = time.monotonic() + grace_s
            while time.monotonic() < end:
                try:
                    seen.extra.append(json.loads(socket.recv(timeout=end - time.monotonic())))
                except TimeoutError:
                    break
    except (ConnectionClosed, WebSocketException, OSError) as exc:
        seen.problem = f"socket failed: {exc!r}"
    return seen


def metric_5xx(base_url: str) -> float:
    """How many 5xx answers the API counted since it started (its own ``/metrics``)."""
    with urllib.request.urlopen(base_url + "/metrics", timeout=10) as response:
        text = response.read().decode()
    return sum(float(value) for value in _5XX.findall(text))


@dataclass
class Answer:
    """One answer the load saw: when it came (monotonic), status, content type, body."""

    at: float
    status: int
    content_type: str
    body: Any
    retry_after: str | None
    sent_at: float


@dataclass
class Load:
    """Submits a tour every ``every_s`` from a thread until stopped; keeps every answer."""

    client: Any
    ledger: Ledger
    rng: random.Random
    every_s: float
    duration: int = 60
    answers: list[Answer] = field(default_factory=list)
    accepted: list[str] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _thread: threading.Thread | None = None

    def start(self, deadline: Deadline) -> None:
        """Begin submitting at a steady rate, each submission in its own thread.

        A submission that hangs (an outage) does not hold the next one back,
        so the rate is the rate asked for and recovery is measured, not the
        length of one slow request.
        """

        def run() -> None:
            with ThreadPoolExecutor(max_workers=64) as pool:
                while not self._stop.is_set() and not deadline.expired():
                    pool.submit(self.submit_once)
                    self._stop.wait(self.every_s)

        self._thread = threading.Thread(target=run, daemon=True)
        self._thread.start()

    def submit_once(self) -> Answer:
        """One submission, with a recorded Idempotency-Key."""
        with self._lock:
            body = route_body(self.ledger, self.rng, duration=self.duration)
        sent_at = time.monotonic()
        try:
            response = self.client.submit(body, idempotency_key=idempotency_key(self.ledger))
        except UnavailableError as exc:  # the API did not answer at all
            answer = Answer(time.monotonic(), 0, "", str(exc), None, sent_at)
            self.answers.append(answer)
            return answer
        answer = Answer(
            time.monotonic(),
            response.status,
            response.headers.get("content-type", ""),
            response.body,
            response.headers.get("retry-after"),
            sent_at,
        )
        self.answers.append(answer)
        if response.status == 202:
            self.accepted.append(response.body["request_id"])
        return answer

    def stop(self) -> None:
        """Stop submitting and wait for the thread."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=60)


def wait_all_final(
    rows: Callable[[], dict[str, Any]],
    request_ids: list[str],
    deadline: Deadline,
    poll_s: float = 0.5,
) -> dict[str, Any]:
    """Poll ``rows()`` until every request in ``request_ids`` is final or the deadline passes."""
    while True:
        current = rows()
        pending = [r for r in request_ids if current.get(r, ("missing",))[0] not in FINAL]
        if not pending or deadline.expired():
            return current
        time.sleep(poll_s)


@dataclass(frozen=True)
class Raw:
    """A raw HTTP answer: status, headers (lower-case names, repeated ones joined), body."""

    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        """The body as JSON."""
        return json.loads(self.body)

    @property
    def is_problem(self) -> bool:
        """An RFC 9457 problem whose ``status`` is the HTTP status."""
        if not self.headers.get("content-type", "").startswith("application/problem+json"):
            return False
        try:
            return bool(self.json().get("status") == self.status)
        except ValueError:
            return False


def raw_request(
    base_url: str,
    method: str,
    path: str,
    headers: Sequence[tuple[str, str | bytes]] | None = None,
    body: bytes | None = None,
    timeout_s: float = 30.0,
) -> Raw:
    """Send exactly these headers (bytes allowed) on a fresh connection; only Host is added."""
    host, port = base_url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=timeout_s)
    try:
        connection.putrequest(method, path, skip_accept_encoding=True)
        for name, value in headers or []:
            connection.putheader(name, value)
        if body is not None:
            connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body)
        response = connection.getresponse()
        answer: dict[str, str] = {}
        for name, value in response.getheaders():
            key = name.lower()
            answer[key] = f"{answer[key]}, {value}" if key in answer else value
        return Raw(response.status, answer, response.read())
    finally:
        connection.close()


def log_in(base_url: str, ledger: Ledger, username: str, password: str) -> str:
    """Log in; return the ``session`` cookie's value (recorded as a secret)."""
    body = json.dumps({"username": username, "password": password}).encode()
    answer = raw_request(
        base_url, "POST", "/api/v1/login", [("Content-Type", "application/json")], body
    )
    assert answer.status == 200, (answer.status, answer.body[:300])
    match = re.search(r"session=([^;]+)", answer.headers.get("set-cookie", ""))
    assert match is not None, answer.headers
    return ledger.record("cookie", match.group(1))
