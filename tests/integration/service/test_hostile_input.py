"""Hostile input against the real app (PostgreSQL, Redis): no 5xx, every error a problem.

Cookies edited one character at a time, random, oversized and non-ASCII header
values, bodies that are nested, not UTF-8 or too big, sent to every operation;
strict types in bodies; login throttling; problems that echo nothing unbounded
and leak no address or id.
"""

from __future__ import annotations

import base64
import json
import logging
import random
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar.exceptions import WebSocketDisconnect
from litestar.testing import TestClient

from adapters.composition.processes import build_http_app
from tests.service_stack import BASE_URL, ROUTE_BODY, Stack, service_settings
from tests.support.client_address import ClientAddress, from_address

PROBLEM = "application/problem+json"
PASSWORD = "correct horse"
NO_THROTTLE = {
    "login_limit_per_address": 1_000_000,
    "login_limit_per_account_and_address": 1_000_000,
    "login_limit_per_account": 1_000_000,
    "places_rate_limit_per_minute": 1_000_000,
}
ANY_REQUEST_ID = "00000000-0000-4000-8000-000000000001"
# (method, path, has a JSON body): every operation of the OpenAPI document.
OPERATIONS = [
    ("POST", "/api/v1/routes", True),
    ("GET", f"/api/v1/routes/{ANY_REQUEST_ID}", False),
    ("POST", "/api/v1/login", True),
    ("POST", "/api/v1/logout", False),
    ("GET", "/api/v1/me", False),
    ("GET", "/api/v1/admin/enrichment", False),
    ("GET", "/health/live", False),
    ("GET", "/health/ready", False),
    ("GET", "/metrics", False),
    ("GET", "/schema/openapi.json", False),
    ("GET", "/api/v1/pois?lat=60.17&lng=24.94", False),
    ("POST", f"/api/v1/routes/{ANY_REQUEST_ID}/save", True),
    ("GET", "/api/v1/saved-routes", False),
    ("GET", f"/api/v1/saved-routes/{ANY_REQUEST_ID}", False),
    ("DELETE", f"/api/v1/saved-routes/{ANY_REQUEST_ID}", False),
    ("GET", "/api/v1/me/preferences", False),
    ("PUT", "/api/v1/me/preferences", True),
    ("GET", "/tiles/pois,walk_edges/14/9327/4742.pbf", False),
    ("GET", "/tiles/walk_edges.json", False),
]


@pytest.fixture
def hostile_stack(
    migrated_database_url: str, redis_url: str, tmp_path: Path
) -> Iterator[Callable[..., Stack]]:
    """Like ``make_stack``, but each request may name its client address."""
    clients: list[TestClient[Any]] = []

    def build(**changes: Any) -> Stack:
        urls = {"database_url": migrated_database_url, "redis_url": redis_url}
        settings = service_settings(**{**urls, **changes}, run_dir=tmp_path)
        app = ClientAddress(build_http_app(settings))
        client: TestClient[Any] = TestClient(app=app, base_url=BASE_URL)  # type: ignore[arg-type]
        client.__enter__()
        clients.append(client)
        return Stack(settings, client)

    yield build
    for client in clients:
        client.__exit__(None, None, None)


def _assert_sane(response: Any, what: str) -> None:
    """Never a 5xx; every error is a problem document whose status is the response's."""
    assert response.status_code < 500, f"{what}: {response.status_code} {response.text[:300]}"
    if response.status_code >= 400:
        assert response.headers["content-type"] == PROBLEM, what
        assert response.json()["status"] == response.status_code, what


def _login_cookie(stack: Stack) -> str:
    stack.user("ada", password=PASSWORD)
    response = stack.client.post("/api/v1/login", json={"username": "ada", "password": PASSWORD})
    assert response.status_code == 200
    value = stack.client.cookies["session"]
    stack.client.cookies.clear()
    return value


def _one_character_edits(value: str) -> Iterator[str]:
    """Every position replaced, deleted, or followed by an extra character."""
    replacements = 'A0_-=+/%!";\\ é'
    for i in range(len(value)):
        yield value[:i] + replacements[i % len(replacements)] + value[i + 1 :]
        yield value[:i] + value[i + 1 :]
        if i % 2 == 0:
            yield value[:i] + "=" + value[i:]


def test_one_character_edits_of_a_real_session_cookie_are_no_session(
    hostile_stack: Callable[..., Stack], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    stack = hostile_stack(**NO_THROTTLE)
    cookie = _login_cookie(stack)
    edits = [e for e in dict.fromkeys(_one_character_edits(cookie)) if e != cookie]
    assert len(edits) > 500
    outcomes: dict[str, int] = {}
    for n, edited in enumerate(edits):
        header = {"Cookie": f"session={edited}".encode()}
        live = stack.client.get("/health/live", headers=header)
        _assert_sane(live, f"edit {n} on /health/live")
        assert live.status_code == 200
        me = stack.client.get("/api/v1/me", headers=header)
        _assert_sane(me, f"edit {n} on /api/v1/me")
        outcomes[str(me.status_code)] = outcomes.get(str(me.status_code), 0) + 1
        if me.status_code == 200:  # only an edit base64 ignores can leave the cookie valid
            assert me.json()["username"] == "ada"
        if n % 10 == 0:  # a bad cookie never stands in the way of logging in again
            login = stack.client.post(
                "/api/v1/login",
                json={"username": "ada", "password": PASSWORD},
                headers=header,
            )
            assert login.status_code == 200, login.text
        stack.client.cookies.clear()
    # base64 skips characters outside its alphabet, so some edits leave the cookie intact.
    assert outcomes.get("401", 0) > 0.8 * len(edits)
    logged = "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
    assert cookie[20:60] not in logged
    assert not [e for e in edits[::7] if e in logged]


def _forged_session(associated_data: bytes) -> bytes:
    """A cookie shaped like Litestar's (nonce, ciphertext, associated data) with forged data."""
    raw = b"n" * 12 + b"ciphertext" + b"additional_authenticated_data=" + associated_data
    return b"session=" + base64.b64encode(raw)


@pytest.mark.parametrize(
    "associated_data", [b'{"expires_at', b'{"expires_at": "tomorrow"}', b"[]", b"{}"]
)
def test_a_forged_cookie_refuses_the_websocket_handshake_cleanly(
    stack: Stack, associated_data: bytes
) -> None:
    # The session middleware reads the cookie for sockets too: a refusal, never a crash.
    cookie = _forged_session(associated_data).decode().removeprefix("session=")
    with (
        pytest.raises(WebSocketDisconnect) as refused,
        stack.client.websocket_connect(
            "/ws", subprotocols=["wildside.v1"], cookies={"session": cookie}
        ),
    ):
        pass
    # 4500 is Litestar's close code for an unhandled error (and 1011 the protocol's).
    assert refused.value.code not in (1011, 4500), refused.value.detail


def _hostile_values(rng: random.Random) -> list[bytes]:
    printable = "".join(chr(c) for c in range(0x20, 0x7F))
    return [
        _forged_session(b'{"expires_at'),
        _forged_session(b'{"expires_at": "tomorrow"}'),
        _forged_session(b"[]"),
        b"",
        "".join(rng.choice(printable) for _ in range(40)).encode(),
        "".join(rng.choice(printable) for _ in range(300)).encode(),
        b"x" * 100_000,
        "ünïcødé ☃ 🗺".encode(),
        b"\xff\xfe\x80\x00abc".replace(b"\x00", b""),
        b"session=" + "".join(rng.choice(printable) for _ in range(200)).encode(),
        b"Bearer wst_" + b"A" * 43,
        b"Bearer " + "é".encode() * 43,
        b"application/json; charset=\xff",
        b"https://evil.example" + b"/" * 5_000,
    ]


HEADERS = ["Authorization", "Cookie", "Idempotency-Key", "Content-Type", "X-Request-ID", "Origin"]


def test_hostile_header_values_on_every_operation_are_never_a_5xx(
    hostile_stack: Callable[..., Stack],
) -> None:
    stack = hostile_stack(**NO_THROTTLE)
    token = stack.user("ada", password=PASSWORD)
    rng = random.Random(12)
    sent = 0
    for method, path, has_body in OPERATIONS:
        body = json.dumps(ROUTE_BODY if "routes" in path else {"username": "ada"}).encode()
        for header in HEADERS:
            for value in _hostile_values(rng):
                headers: dict[str, Any] = {"Content-Type": b"application/json"}
                if header != "Authorization":
                    headers["Authorization"] = f"Bearer {token}".encode()
                headers[header] = value
                response = stack.client.request(
                    method, path, content=body if has_body else None, headers=headers
                )
                _assert_sane(response, f"{method} {path} {header}={value[:40]!r}")
                assert len(response.content) < 50_000 or path == "/schema/openapi.json"
                sent += 1
                stack.client.cookies.clear()
    assert sent == len(OPERATIONS) * len(HEADERS) * len(_hostile_values(rng))


def _nested(depth: int, opening: bytes = b"[", closing: bytes = b"]") -> bytes:
    return opening * depth + closing * depth


HOSTILE_BODIES: list[tuple[str, bytes, int]] = [
    ("1,000 nested arrays", _nested(1_000), 400),
    ("100,000 nested arrays", _nested(100_000)[:16_000], 400),  # under the size cap
    ("1,000 nested objects", b'{"a":' * 1_000 + b"1" + b"}" * 1_000, 400),
    ("a nested value in a field", b'{"start":' + _nested(1_000) + b"}", 400),
    ("invalid UTF-8 in a string", b'{"username": "\xff\xfe", "password": "x"}', 400),
    ("invalid UTF-8, bare", b"\xff\xfe\xfd", 400),
    ("a UTF-16 body", json.dumps({"username": "ada"}).encode("utf-16"), 400),
    ("truncated JSON", b'{"start": ', 400),
    ("NaN", b"NaN", 400),
    ("a number no double holds", b'{"duration_minutes": 1e999}', 400),
    ("empty", b"", 400),
    ("too big", b'{"pad": "' + b"x" * 20_000 + b'"}', 413),
    ("null", b"null", 422),
    ("a list", b"[]", 422),
]


@pytest.mark.parametrize(
    ("what", "body", "status"), HOSTILE_BODIES, ids=[b[0] for b in HOSTILE_BODIES]
)
def test_hostile_bodies_are_400_413_or_422_problems(
    hostile_stack: Callable[..., Stack], what: str, body: bytes, status: int
) -> None:
    stack = hostile_stack(**NO_THROTTLE)
    token = stack.user("ada", password=PASSWORD)
    for method, path, _ in OPERATIONS:
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
        response = stack.client.request(method, path, content=body, headers=headers)
        _assert_sane(response, f"{what} to {method} {path}")
        if path in ("/api/v1/routes", "/api/v1/login"):
            assert response.status_code == status, f"{what} to {path}: {response.text[:300]}"
            assert len(response.text) < 2_000
        stack.client.cookies.clear()


def test_the_decoding_problems_say_what_is_wrong(stack: Stack) -> None:
    headers = {**stack.auth(stack.user("ada")), "Content-Type": "application/json"}
    post = stack.client.post
    deep = post("/api/v1/routes", content=_nested(1_000), headers=headers).json()
    assert deep["code"] == "malformed-request"
    assert "nested too deeply" in deep["detail"]
    not_utf8 = post("/api/v1/login", content=b'{"username": "\xff"}', headers=headers).json()
    assert not_utf8["detail"] == "the body is not valid UTF-8"
    truncated = post("/api/v1/routes", content=b'{"start": ', headers=headers).json()
    assert truncated["detail"].startswith("the body is not valid JSON")


@pytest.mark.parametrize(
    ("path", "body", "key"),
    [
        ("/api/v1/routes", {**ROUTE_BODY, "duration_minutes": "60"}, "duration_minutes"),
        ("/api/v1/routes", {**ROUTE_BODY, "start": {"lat": "60.17", "lng": 24.94}}, "start.lat"),
        ("/api/v1/routes", {**ROUTE_BODY, "start": {"lat": 60.17, "lng": "24.94"}}, "start.lng"),
        ("/api/v1/routes", {**ROUTE_BODY, "end": {"lat": "60.17", "lng": 24.94}}, "end.lat"),
        ("/api/v1/routes", {**ROUTE_BODY, "seed": "7"}, "seed"),
        ("/api/v1/routes", {**ROUTE_BODY, "pace": "1.3"}, "pace"),
        ("/api/v1/routes", {**ROUTE_BODY, "preferences": "history"}, "preferences"),
        ("/api/v1/login", {"username": 12345, "password": PASSWORD}, "username"),
        ("/api/v1/login", {"username": "ada", "password": True}, "password"),
    ],
)
def test_strings_are_not_numbers_nor_numbers_strings(
    stack: Stack, path: str, body: dict[str, Any], key: str
) -> None:
    token = stack.user("ada", password=PASSWORD)
    response = stack.client.post(path, json=body, headers=stack.auth(token))
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM
    problem = response.json()
    assert problem["code"] == "validation-error"
    assert [e["key"] for e in problem["errors"]] == [key]


def test_numbers_of_either_json_kind_are_still_numbers(stack: Stack) -> None:
    token = stack.user("ada")
    body = {**ROUTE_BODY, "duration_minutes": 60.5, "start": {"lat": 60, "lng": 25}, "pace": 1}
    response = stack.client.post("/api/v1/routes", json=body, headers=stack.auth(token))
    assert response.status_code == 202


def test_problems_never_echo_an_unbounded_path(stack: Stack) -> None:
    long_path = "/api/v1/routes/" + "x" * 60_000  # httpx refuses URLs over 64 KiB
    token = stack.user("ada")
    for response in (
        stack.client.get(long_path, headers={"Authorization": "Bearer nope"}),
        stack.client.get(long_path, headers=stack.auth(token)),  # 404 naming the id
        stack.client.get("/" + "y" * 60_000),
        stack.client.delete("/api/v1/routes?" + "z=1&" * 15_000),
    ):
        assert 400 <= response.status_code < 500
        assert response.headers["content-type"] == PROBLEM
        assert len(response.content) < 2_000, response.text[:300]
        assert "x" * 200 not in response.text  # a 404 may quote the id, cut short
        assert "y" * 200 not in response.text
        # The instance names the request by the id the response carries, not by its path.
        request_id = response.headers["x-request-id"]
        assert response.json()["instance"] == f"urn:wildside:request:{request_id}"


def test_a_callers_request_id_is_the_problems_instance(stack: Stack) -> None:
    response = stack.client.get("/api/v1/me", headers={"X-Request-ID": "trace-42"})
    assert response.status_code == 401
    assert response.json()["instance"] == "urn:wildside:request:trace-42"


def test_the_redis_down_503_names_no_user_address_or_driver_text(
    make_stack: Callable[..., Stack],
) -> None:
    stack = make_stack(redis_url="redis://127.0.0.1:9/0")  # nothing listens on port 9
    token = stack.user("ada", password=PASSWORD)
    user_id = stack.client.get("/api/v1/me", headers=stack.auth(token)).json()["id"]
    answers = [
        stack.client.post("/api/v1/routes", json=ROUTE_BODY, headers=stack.auth(token)),
        stack.client.post("/api/v1/login", json={"username": "ada", "password": PASSWORD}),
    ]
    for response in answers:
        assert response.status_code == 503
        assert response.headers["content-type"] == PROBLEM
        assert response.headers["retry-after"] == "5"
        problem = response.json()
        assert problem["code"] == "service-unavailable"
        assert problem["detail"].startswith("a service is temporarily unavailable")
        for secret in (user_id, "127.0.0.1", "port 9", "redis", "Connection", "Error 111"):
            assert secret not in response.text, secret
    ready = stack.client.get("/health/ready")
    assert ready.status_code == 503
    assert ready.json()["checks"] == {"postgresql": "ok", "redis": "unavailable"}
    assert "127.0.0.1" not in ready.text


def _attempt(stack: Stack, address: str, password: str, username: str = "ada") -> Any:
    return stack.client.post(
        "/api/v1/login",
        json={"username": username, "password": password},
        headers=from_address(address),
    )


def test_thirty_wrong_passwords_are_throttled_with_retry_after(
    hostile_stack: Callable[..., Stack],
) -> None:
    stack = hostile_stack()  # the defaults: 5 a minute per account and address
    stack.user("ada", password=PASSWORD)
    answers = [_attempt(stack, "203.0.113.9", "wrong horse") for _ in range(30)]
    assert [a.status_code for a in answers] == [401] * 5 + [429] * 25
    refused = answers[-1]
    assert refused.headers["content-type"] == PROBLEM
    assert refused.json()["code"] == "rate-limited"
    assert int(refused.headers["retry-after"]) >= 1
    assert refused.json()["retry_after"] == int(refused.headers["retry-after"])
    assert refused.headers["ratelimit-limit"] == "5"
    assert refused.headers["ratelimit-remaining"] == "0"
    # The right password from the same address is refused too: it is not even checked.
    assert _attempt(stack, "203.0.113.9", PASSWORD).status_code == 429
    # The owner elsewhere is not locked out by that address's failures.
    assert _attempt(stack, "198.51.100.4", PASSWORD).status_code == 200


def test_a_many_address_attack_locks_an_account_only_past_the_account_quota(
    hostile_stack: Callable[..., Stack],
) -> None:
    stack = hostile_stack(
        login_limit_per_address=100,
        login_limit_per_account_and_address=2,
        login_limit_per_account=6,
    )
    stack.user("ada", password=PASSWORD)
    for attacker in ("10.0.0.1", "10.0.0.2"):
        assert [_attempt(stack, attacker, "x" * 12).status_code for _ in range(4)] == [401] * 2 + [
            429
        ] * 2
    assert _attempt(stack, "198.51.100.4", PASSWORD).status_code == 200  # 5 of 6 spent
    assert _attempt(stack, "10.0.0.3", "x" * 12).status_code == 401  # the 6th
    locked = _attempt(stack, "198.51.100.4", PASSWORD)
    assert locked.status_code == 429
    # An unknown name is throttled the same way: a 429 says nothing about who exists.
    names = [_attempt(stack, "10.0.0.4", "x" * 12, "nobody").status_code for _ in range(3)]
    assert names == [401, 401, 429]


def test_one_address_spraying_many_accounts_is_throttled(
    hostile_stack: Callable[..., Stack],
) -> None:
    stack = hostile_stack(login_limit_per_address=4)
    codes = [_attempt(stack, "10.9.9.9", "x" * 12, f"user{i}").status_code for i in range(6)]
    assert codes == [401] * 4 + [429] * 2


@pytest.mark.parametrize(
    "username",
    ["ada\x00", "\x00", "\ud800", "ada\udfff\ud800", "a\x00\ud83d", "ädä", "a" * 64 + "b"],
    ids=["nul", "only-nul", "lone-surrogate", "surrogates", "mixed", "non-ascii", "too-long"],
)
def test_a_login_name_no_user_can_have_is_a_401_not_a_5xx(
    hostile_stack: Callable[..., Stack], username: str
) -> None:
    # Given a user (found by schemathesis: a NUL or a lone surrogate in the name was a 500)
    stack = hostile_stack()
    stack.user("ada", password=PASSWORD)
    # When someone logs in with a name no user can have, with any password
    for password in (PASSWORD, "wrong\ud800horse"):
        # \u escapes, as a JSON client sends a lone surrogate (UTF-8 has no bytes for it)
        body = json.dumps({"username": username, "password": password}, ensure_ascii=True)
        answer = stack.client.post(
            "/api/v1/login",
            content=body,
            headers={**from_address("203.0.113.77"), "content-type": "application/json"},
        )
        # Then it is a problem: the 401 of a wrong name or password (or a 400 where
        # the JSON decoder already refuses a lone surrogate), never a 5xx
        assert answer.status_code in (400, 401, 422), answer.text
        assert answer.headers["content-type"] == PROBLEM
