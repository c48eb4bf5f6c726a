"""Drill: fuzz the live API: schemathesis (stateful), cookies and headers, WebSocket messages.

Nothing may answer 5xx (the API's own ``http_requests_total`` is read at the
end of each fuzzer, so a 5xx nobody looked at still counts), every error is a
problem whose ``status`` is the HTTP status, every WebSocket message matches
its schema, and the API process is still up.
"""

from __future__ import annotations

import http.client
import json
import random
import re
import subprocess
import sys
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytest_postgresql.executors import PostgreSQLExecutor
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import ClientConnection

from adapters.outbound.local_servers.redis_server import RedisServer
from tests.drills.hostile_inputs import (
    INVALID_HTTP,
    cookie_edits,
    hostile_bodies,
    hostile_headers,
    ws_frames,
)
from tests.drills.ledger import Ledger
from tests.drills.service import DrillService, Users, drill_service
from tests.drills.traffic import (
    Deadline,
    Raw,
    idempotency_key,
    log_in,
    metric_5xx,
    open_socket,
    raw_request,
    route_body,
)
from tests.ws_messages import ERROR, STATUS

pytestmark = [pytest.mark.drill, pytest.mark.timeout(600)]

CONFIG = Path(__file__).with_name("schemathesis.toml")
SCHEMATHESIS = str(Path(sys.executable).parent / "st")
EXAMPLES = 100  # the normal suite (tests/e2e/test_openapi_conformance.py) uses 40
CI_EXAMPLES = 40
COOKIE_EDITS = 400


@pytest.fixture(scope="module")
def service(
    postgresql_proc: PostgreSQLExecutor,
    redis_server: RedisServer,
    helsinki_pbf: Path,
    drill_dir: Callable[[str], Path],
    ledger: Ledger,
) -> Iterator[DrillService]:
    run_dir = drill_dir("fuzz")
    with drill_service(postgresql_proc, redis_server.url, helsinki_pbf, run_dir, ledger) as live:
        live.start_api()
        live.start_worker()
        yield live


@pytest.fixture(scope="module")
def users(service: DrillService) -> Users:
    return Users(service)


def test_nul_characters_in_json_strings_are_4xx_not_500(
    service: DrillService, users: Users, ledger: Ledger, figures: dict[str, object]
) -> None:
    # Given JSON strings holding NUL, which PostgreSQL text cannot store (first in the
    # module: later fuzzers use up the login attempts, and a 429 would hide the answer)
    issued = users.create("drill-nul")
    bodies = {
        "/api/v1/login username": ("/api/v1/login", {"username": "drill\u0000x", "password": "p"}),
        "/api/v1/login password": (
            "/api/v1/login",
            {"username": issued.user.username, "password": "\u0000"},
        ),
        "/api/v1/routes theme": (
            "/api/v1/routes",
            {**route_body(ledger, random.Random(9)), "preferences": ["art\u0000"]},
        ),
    }
    auth = [("Authorization", f"Bearer {issued.secret}"), ("Content-Type", "application/json")]
    # When each is posted
    answers = {
        name: raw_request(service.base_url, "POST", path, auth, json.dumps(body).encode())
        for name, (path, body) in bodies.items()
    }
    figures.update({name: answer.status for name, answer in answers.items()})
    # Then each is refused as the client's fault, with a problem
    for name, answer in answers.items():
        assert answer.status != 429, f"{name}: throttled, the drill proves nothing"
        assert 400 <= answer.status < 500, (name, answer.status, answer.body[:300])
        assert answer.is_problem, name


@pytest.mark.parametrize(
    "examples",
    [
        pytest.param(EXAMPLES, marks=pytest.mark.drill_full, id="full"),
        pytest.param(CI_EXAMPLES, marks=pytest.mark.drill_ci, id="ci"),
    ],
)
def test_schemathesis_finds_no_5xx_and_no_schema_violation(
    service: DrillService,
    users: Users,
    figures: dict[str, object],
    tmp_path: Path,
    examples: int,
) -> None:
    # Given an administrator (so the admin operations are exercised too)
    admin = users.create("drill-fuzzer", is_admin=True)
    before = metric_5xx(service.base_url)
    # When schemathesis runs every check, every phase, stateful sequences included
    run = subprocess.run(
        [
            SCHEMATHESIS,
            "--config-file",
            str(CONFIG),
            "run",
            f"{service.base_url}/schema/openapi.json",
            "--header",
            f"Authorization: Bearer {admin.secret}",
            "--checks",
            "all",
            "--phases",
            "examples,coverage,fuzzing,stateful",
            "--max-examples",
            str(examples),
            "--seed",
            "20261207",
            "--report",
            "junit",
            "--report-junit-path",
            str(tmp_path / "schemathesis.xml"),
            "--no-color",
        ],
        capture_output=True,
        text=True,
        timeout=540,
        check=False,
    )
    report = run.stdout[-8000:] + run.stderr[-2000:]
    links = re.search(r"API Links:\s+(\d+) covered", run.stdout)
    figures.update(
        examples=examples,
        summary=[
            " ".join(line.split())
            for line in run.stdout.splitlines()
            if re.search(r"Scenarios:|API Links:|generated,|Schema validation mismatch", line)
        ],
        api_5xx=metric_5xx(service.base_url) - before,
    )
    # Then every check passed, stateful sequences followed a link, and the API never answered 5xx
    assert run.returncode == 0, report
    assert links is not None, report
    assert int(links.group(1)) >= 1, report
    assert figures["api_5xx"] == 0
    assert service.alive()


def _problem_or_success(answer: Raw) -> str | None:
    """What is wrong with an answer, if anything."""
    if answer.status >= 500:
        return f"{answer.status}: {answer.body[:200]!r}"
    if answer.status >= 400 and not answer.is_problem:
        return f"{answer.status} is not a problem: {answer.headers} {answer.body[:200]!r}"
    return None


def test_cookies_headers_and_bodies_never_get_a_5xx(
    service: DrillService, users: Users, ledger: Ledger, figures: dict[str, object]
) -> None:
    # Given a real session cookie and a real token
    password = f"drill-pass-{uuid.uuid4().hex[:12]}"
    issued = users.create("drill-cookies", password)
    cookie = log_in(service.base_url, ledger, issued.user.username, password)
    rng = random.Random(20261207)
    before = metric_5xx(service.base_url)
    paths = [
        ("GET", "/health/live"),
        ("GET", "/api/v1/me"),
        ("POST", "/api/v1/login"),
        ("POST", "/api/v1/routes"),
        ("GET", f"/api/v1/routes/{uuid.uuid4()}"),
        ("GET", "/api/v1/admin/enrichment"),
    ]
    login = json.dumps({"username": issued.user.username, "password": password}).encode()
    route = json.dumps(route_body(ledger, rng)).encode()
    problems: list[str] = []
    statuses: Counter[int] = Counter()
    deadline = Deadline(240)

    def send(
        method: str,
        path: str,
        headers: list[tuple[str, str | bytes]],
        body: bytes | None,
        *,
        is_http: bool = True,
    ) -> None:
        assert not deadline.expired(), "the fuzzer ran out of time"
        if body is not None and not any(k.lower() == "content-type" for k, _ in headers):
            headers = [*headers, ("Content-Type", "application/json")]
        answer = raw_request(service.base_url, method, path, headers, body)
        statuses[answer.status] += 1
        problem = _problem_or_success(answer) if is_http else None
        if answer.status >= 500 and problem is None:
            problem = f"{answer.status}: {answer.body[:200]!r}"
        if problem is not None:
            problems.append(f"{method} {path} {headers!r:.200}: {problem}")

    # When every path gets edited cookies, hostile headers and hostile bodies
    for edited in cookie_edits(cookie, rng, COOKIE_EDITS):
        method, path = rng.choice(paths)
        body = login if path.endswith("login") else route if method == "POST" else None
        send(method, path, [("Cookie", f"session={edited}")], body)
    for headers in hostile_headers(issued.secret, rng):
        for method, path in paths:
            body = login if path.endswith("login") else route if method == "POST" else None
            send(method, path, headers, body)
    for headers in INVALID_HTTP:
        for method, path in paths:
            send(method, path, headers, None, is_http=False)
    for content_type, body in hostile_bodies(ledger, rng):
        for path in ("/api/v1/routes", "/api/v1/login"):
            auth = [("Authorization", f"Bearer {issued.secret}")] if path.endswith("routes") else []
            key = [("Idempotency-Key", idempotency_key(ledger))]
            send("POST", path, [*auth, *key, ("Content-Type", content_type)], body)
    # Then no answer was a 5xx, every error was a problem, and the API is still up
    figures.update(requests=sum(statuses.values()), statuses=dict(statuses))
    figures["api_5xx"] = metric_5xx(service.base_url) - before
    assert not problems, f"{len(problems)} bad answers:\n" + "\n".join(problems[:30])
    assert figures["api_5xx"] == 0
    assert raw_request(service.base_url, "GET", "/health/live").status == 200
    assert service.alive()


def _drain(socket: ClientConnection, frame: object, replies: Counter[str], bad: list[str]) -> None:
    """Read the replies to one frame until the server is quiet for 20 ms (late ones come later)."""
    for _ in range(100):  # replies to one frame; a flood would show as bad replies
        try:
            message = json.loads(socket.recv(timeout=0.02))
        except TimeoutError:
            return
        if STATUS.is_valid(message):
            replies["status"] += 1
        elif ERROR.is_valid(message):
            replies[message["code"]] += 1
        else:
            bad.append(f"{frame!r:.80} -> {message!r:.200}")


def test_websocket_messages_never_break_the_server(
    service: DrillService, users: Users, figures: dict[str, object]
) -> None:
    # Given a bearer socket
    issued = users.create("drill-ws-fuzz")
    rng = random.Random(7)
    before = metric_5xx(service.base_url)
    frames = ws_frames(rng)
    replies: Counter[str] = Counter()
    closes: Counter[int] = Counter()
    bad: list[str] = []
    deadline = Deadline(180)
    # When it sends every frame (reconnecting when the server closes it)
    index = 0
    while index < len(frames):
        with open_socket(service.base_url, issued.secret) as socket:
            while index < len(frames):
                assert not deadline.expired(), "the WebSocket fuzzer ran out of time"
                frame = frames[index]
                index += 1
                try:
                    socket.send(frame)
                    _drain(socket, frame, replies, bad)
                except ConnectionClosed as exc:
                    code = exc.rcvd.code if exc.rcvd else 1006
                    closes[code] += 1
                    if code in (1006, 1011) or code >= 4500:
                        bad.append(f"{frame!r:.80} closed the socket with {code}")
                    break
    # Then every reply matched its schema, no close said "server error", and HTTP still works
    figures.update(frames=len(frames), replies=dict(replies), closes=dict(closes))
    figures["api_5xx"] = metric_5xx(service.base_url) - before
    assert not bad, f"{len(bad)} bad replies:\n" + "\n".join(bad[:30])
    assert figures["api_5xx"] == 0
    try:
        with open_socket(service.base_url, issued.secret) as check:
            check.send(json.dumps({"type": "subscribe", "channel": "x", "request_id": "y"}))
            assert ERROR.is_valid(json.loads(check.recv(timeout=10)))
    except InvalidStatus as exc:
        pytest.fail(f"the socket no longer opens: {exc}")
    assert service.alive()


def test_lax_values_are_refused_and_long_paths_are_not_echoed(
    service: DrillService, users: Users, ledger: Ledger, figures: dict[str, object]
) -> None:
    # Given a valid body and values that only look right
    issued = users.create("drill-strict")
    good = route_body(ledger, random.Random(3))
    start = good["start"]
    lax = {
        "duration as a string": {**good, "duration_minutes": "60"},
        "latitude as a string": {**good, "start": {**start, "lat": str(start["lat"])}},
        "longitude as a string": {**good, "start": {**start, "lng": str(start["lng"])}},
        "duration as a boolean": {**good, "duration_minutes": True},
        "seed as a string": {**good, "seed": "7"},
    }
    auth = [("Authorization", f"Bearer {issued.secret}"), ("Content-Type", "application/json")]
    # When each is submitted
    answers = {
        name: raw_request(
            service.base_url, "POST", "/api/v1/routes", auth, json.dumps(body).encode()
        )
        for name, body in lax.items()
    }
    # Then each is a 422 validation problem, as the schema says
    figures["lax"] = {name: answer.status for name, answer in answers.items()}
    for name, answer in answers.items():
        assert answer.status == 422, (name, answer.body[:300])
        assert answer.is_problem, name
    # When paths of 10 kB and 100 kB are asked for, without and with a token
    echoed: dict[str, object] = {}
    for size in (10_000, 100_000):
        for headers in ([], auth[:1]):
            path = "/api/v1/routes/" + "q" * size
            try:
                answer = raw_request(service.base_url, "GET", path, headers)
            except (ConnectionError, http.client.HTTPException) as exc:
                echoed[f"{size} {len(headers)}"] = f"refused: {exc!r}"  # by the HTTP parser
                continue
            echoed[f"{size} {len(headers)}"] = (answer.status, len(answer.body))
            # Then no 5xx, and the answer does not carry the path back
            assert answer.status < 500, answer
            assert "q" * 200 not in answer.body.decode("utf-8", "replace"), answer.body[:300]
    figures["long_paths"] = echoed
    assert raw_request(service.base_url, "GET", "/health/live").status == 200
