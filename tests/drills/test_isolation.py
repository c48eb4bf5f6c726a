"""Drill: users cannot reach each other's requests; sockets live no longer than their credential.

Another user can never read, replay (same Idempotency-Key), subscribe to,
cancel or save a request, nor see another's saved routes or preferences; a
revoked token's open sockets stop following; a cookie WebSocket from another
origin is refused; password guessing meets a 429 with
``Retry-After``. The API runs without a worker until the last step, so the
requests stay ``queued`` and the sockets stay subscribed for as long as the
drill needs.
"""

from __future__ import annotations

import json
import random
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pytest_postgresql.executors import PostgreSQLExecutor
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import ClientConnection, connect

from adapters.outbound.local_servers.redis_server import RedisServer
from tests.drills.ledger import Ledger
from tests.drills.service import DrillService, Users, drill_service, known_setting
from tests.drills.traffic import (
    Deadline,
    follow,
    idempotency_key,
    log_in,
    open_socket,
    raw_request,
    route_body,
    subscribe,
    ws_url,
)
from tests.ws_messages import ERROR, STATUS

pytestmark = [pytest.mark.drill, pytest.mark.timeout(300)]

RECHECK_S = 3.0  # WILDSIDE_WS_AUTH_RECHECK_S for this drill (production: 30)
GUESSES = 30


@pytest.fixture(scope="module")
def service(
    postgresql_proc: PostgreSQLExecutor,
    redis_server: RedisServer,
    helsinki_pbf: Path,
    drill_dir: Callable[[str], Path],
    ledger: Ledger,
) -> Iterator[DrillService]:
    run_dir = drill_dir("isolation")
    with drill_service(postgresql_proc, redis_server.url, helsinki_pbf, run_dir, ledger) as live:
        if known_setting("ws_auth_recheck_s"):
            live.env["WILDSIDE_WS_AUTH_RECHECK_S"] = str(RECHECK_S)
        live.start_api()
        yield live


@pytest.fixture(scope="module")
def users(service: DrillService) -> Users:
    return Users(service)


def _recv(socket: ClientConnection, timeout_s: float) -> dict[str, Any] | None:
    try:
        return dict(json.loads(socket.recv(timeout=timeout_s)))
    except TimeoutError:
        return None


def _read_until_closed(socket: ClientConnection, into: list[dict[str, Any]]) -> None:
    for _ in range(50):  # a socket that keeps talking instead of closing fails below
        if (message := _recv(socket, 10)) is None:
            return
        into.append(message)


def _submit(service: DrillService, token: str, ledger: Ledger, key: str | None = None) -> str:
    body = route_body(ledger, random.Random(), duration=45)
    response = service.client(token).submit(body, idempotency_key=key)
    assert response.status == 202, response.body
    return str(response.body["request_id"])


def test_a_revoked_token_ends_its_open_sockets_subscriptions(
    service: DrillService, users: Users, ledger: Ledger, figures: dict[str, object]
) -> None:
    # Given a socket following a queued request and an idle one, both on a second token
    owner = users.create("drill-revoke")
    second = users.issue(owner.user.username)
    request_id = _submit(service, owner.secret, ledger)
    with (
        open_socket(service.base_url, second.secret) as following,
        open_socket(service.base_url, second.secret) as idle,
    ):
        _revoke_while_open(users, second.token_id, request_id, following, idle, figures)
    # And a new handshake with the revoked token is refused before it is accepted
    with pytest.raises(InvalidStatus) as refusal:
        open_socket(service.base_url, second.secret)
    assert refusal.value.response.status_code == 403


def _revoke_while_open(
    users: Users,
    token_id: str,
    request_id: str,
    following: ClientConnection,
    idle: ClientConnection,
    figures: dict[str, object],
) -> None:
    subscribe(following, request_id)
    first = _recv(following, 10)
    assert first is not None
    assert first["status"] == "queued", first
    # When the token is revoked
    users.revoke(token_id)
    revoked_at = time.monotonic()
    # Then the following socket is told "unauthenticated" and closed, with no status after it
    after: list[dict[str, Any]] = []
    closed_code: int | None = None
    deadline = Deadline(RECHECK_S + 10)
    while not deadline.expired():
        try:
            message = _recv(following, deadline.remaining() + 0.01)
        except ConnectionClosed as exc:
            closed_code = exc.rcvd.code if exc.rcvd else None
            break
        if message is not None:
            after.append(message)
    ended_s = time.monotonic() - revoked_at
    figures["revoked_socket_closed_after_s"] = round(ended_s, 2)
    assert closed_code is not None, f"still open {ended_s:.1f} s after revocation: {after}"
    assert [m.get("code") for m in after] == ["unauthenticated"], after
    assert closed_code == 4401, closed_code
    # And the idle socket's next subscribe is refused the same way
    subscribe(idle, request_id)
    refused: list[dict[str, Any]] = []
    with pytest.raises(ConnectionClosed):
        _read_until_closed(idle, refused)
    assert [m.get("code") for m in refused] == ["unauthenticated"], refused


def test_a_token_in_the_websocket_url_is_refused(service: DrillService, users: Users) -> None:
    # Given a valid token (recorded: the log audit greps every log for it)
    issued = users.create("drill-url-token")
    # When it is put in the socket's URL, where proxies and access logs keep it
    with pytest.raises(InvalidStatus) as refusal:
        connect(
            f"{ws_url(service.base_url)}?token={issued.secret}",
            subprotocols=["wildside.v1"],  # type: ignore[list-item]
            open_timeout=10,
            proxy=None,
        )
    # Then the handshake is refused, valid token or not
    assert refusal.value.response.status_code == 403


def test_a_cookie_socket_from_another_origin_is_refused(
    service: DrillService, users: Users, ledger: Ledger
) -> None:
    # Given a logged-in user with a queued request
    password = f"drill-pass-{uuid.uuid4().hex[:12]}"
    owner = users.create("drill-origin", password)
    cookie = log_in(service.base_url, ledger, owner.user.username, password)
    request_id = _submit(service, owner.secret, ledger)
    headers = {"Cookie": f"session={cookie}"}
    # When a page of another site (or a sandboxed one, Origin: null) opens a cookie socket
    for origin in ("http://evil.example", "null", "http://127.0.0.1.evil.example"):
        with pytest.raises(InvalidStatus) as refusal:
            open_socket(service.base_url, headers=headers, origin=origin)
        # Then the handshake is refused before it is accepted
        assert refusal.value.response.status_code == 403, origin
    # And the site's own origin is accepted, and a bearer socket from anywhere too
    with open_socket(service.base_url, headers=headers, origin=service.base_url) as own:
        subscribe(own, request_id)
        message = _recv(own, 10)
        assert message is not None
        assert message["status"] == "queued", message
    with open_socket(service.base_url, owner.secret, origin="http://evil.example") as bearer:
        subscribe(bearer, request_id)
        message = _recv(bearer, 10)
        assert message is not None
        assert message["status"] == "queued", message


def test_another_user_can_never_read_replay_or_subscribe_to_a_request(
    service: DrillService, users: Users, ledger: Ledger
) -> None:
    # Given Alice's queued request, submitted with an Idempotency-Key, and Bob
    bob_password = f"drill-pass-{uuid.uuid4().hex[:12]}"
    alice = users.create("drill-alice")
    bob = users.create("drill-bob", bob_password)
    bob_cookie = log_in(service.base_url, ledger, bob.user.username, bob_password)
    key = idempotency_key(ledger)
    body = route_body(ledger, random.Random(), duration=45)
    first = service.client(alice.secret).submit(body, idempotency_key=key)
    assert first.status == 202
    request_id = first.body["request_id"]
    # When Bob reads it with his token or his cookie
    for headers in (
        [("Authorization", f"Bearer {bob.secret}")],
        [("Cookie", f"session={bob_cookie}")],
    ):
        answer = raw_request(service.base_url, "GET", f"/api/v1/routes/{request_id}", headers)
        # Then it does not exist for him
        assert (answer.status, answer.json()["code"]) == (404, "not-found"), answer
        assert answer.is_problem
    # When Bob replays Alice's key with her exact body
    replay = service.client(bob.secret).submit(body, idempotency_key=key)
    # Then he gets a request of his own, never hers
    assert replay.status == 202, replay.body
    assert replay.body["request_id"] != request_id
    again = service.client(alice.secret).submit(body, idempotency_key=key)
    assert again.body["request_id"] == request_id  # Alice's key still names hers
    # When Bob subscribes to it, by bearer socket and by cookie socket
    sockets = [
        open_socket(service.base_url, bob.secret),
        open_socket(
            service.base_url, headers={"Cookie": f"session={bob_cookie}"}, origin=service.base_url
        ),
    ]
    for socket in sockets:
        with socket:
            subscribe(socket, request_id)
            message = _recv(socket, 10)
            # Then it is "not found", exactly as a request that does not exist
            assert message is not None
            ERROR.validate(message)
            assert (message["code"], message["request_id"]) == ("not-found", request_id)
            assert _recv(socket, 1.0) is None, "a status message followed the refusal"
    # When a worker finishes Alice's request
    service.start_worker()
    done = follow(service.base_url, alice.secret, request_id, Deadline(60))
    assert done.final == "succeeded", done
    # Then Bob still cannot read it or follow it
    answer = raw_request(
        service.base_url,
        "GET",
        f"/api/v1/routes/{request_id}",
        [("Authorization", f"Bearer {bob.secret}")],
    )
    assert answer.status == 404, answer
    refused = follow(service.base_url, bob.secret, request_id, Deadline(10))
    assert refused.messages
    assert refused.messages[0].get("code") == "not-found", refused
    assert not any(STATUS.is_valid(m) for m in refused.messages)


def test_another_user_cannot_cancel_or_list_a_request(
    service: DrillService, users: Users, ledger: Ledger
) -> None:
    # Given Alice's request, and Bob
    alice = users.create("drill-cancel-alice")
    bob = users.create("drill-cancel-bob")
    request_id = _submit(service, alice.secret, ledger)
    as_bob = [("Authorization", f"Bearer {bob.secret}")]
    as_alice = [("Authorization", f"Bearer {alice.secret}")]
    # When Bob cancels it, and a request that does not exist
    targets = (request_id, str(uuid.uuid4()))
    answers = [
        raw_request(service.base_url, "DELETE", f"/api/v1/routes/{target}", as_bob)
        for target in targets
    ]
    # Then both are "not found", worded alike but for the id
    for answer in answers:
        assert (answer.status, answer.json()["code"]) == (404, "not-found"), answer
        assert answer.is_problem
    details = {a.json()["detail"].replace(t, "<id>") for a, t in zip(answers, targets, strict=True)}
    assert len(details) == 1, details
    # And Alice's request goes on: it is not cancelled
    mine = raw_request(service.base_url, "GET", f"/api/v1/routes/{request_id}", as_alice)
    assert mine.status in (200, 202), mine
    # And Bob's history does not show it, Alice's does
    history = raw_request(service.base_url, "GET", "/api/v1/routes?limit=100", as_bob).json()
    assert request_id not in {item["request_id"] for item in history["requests"]}
    history = raw_request(service.base_url, "GET", "/api/v1/routes?limit=100", as_alice).json()
    assert request_id in {item["request_id"] for item in history["requests"]}


def test_every_write_on_a_request_has_an_other_user_drill(service: DrillService) -> None:
    # Every operation that changes a request by its id has its own other-user drill above:
    # cancel (DELETE) in test_another_user_cannot_cancel_or_list_a_request, save in
    # test_another_user_cannot_save_a_request_or_see_saved_routes. A new one fails here.
    document = raw_request(service.base_url, "GET", "/schema/openapi.json").json()
    operations = [
        (method.upper(), path)
        for path, item in document["paths"].items()
        for method in item
        if "{request_id}" in path
        and method in ("delete", "post", "put", "patch")
        and (method, path) != ("delete", "/api/v1/routes/{request_id}")
        and not path.endswith("/save")
    ]
    assert operations == [], f"write the other-user case for {operations}"


def test_another_user_cannot_save_a_request_or_see_saved_routes(
    service: DrillService, users: Users, ledger: Ledger
) -> None:
    # Given Alice's finished tour, saved, and Bob with a token and a session cookie
    if not service.workers:  # run alone, this drill needs its own worker
        service.start_worker()
    bob_password = f"drill-pass-{uuid.uuid4().hex[:12]}"
    alice = users.create("drill-saver")
    bob = users.create("drill-peeker", bob_password)
    bob_cookie = log_in(service.base_url, ledger, bob.user.username, bob_password)
    request_id = _submit(service, alice.secret, ledger)
    done = follow(service.base_url, alice.secret, request_id, Deadline(60))
    assert done.final == "succeeded", done
    alice_auth = [("Authorization", f"Bearer {alice.secret}")]
    saved = raw_request(service.base_url, "POST", f"/api/v1/routes/{request_id}/save", alice_auth)
    assert saved.status == 201, saved
    location = saved.headers["location"]
    for bob_auth in (
        [("Authorization", f"Bearer {bob.secret}")],
        [("Cookie", f"session={bob_cookie}")],
    ):
        # When Bob tries to save Alice's request
        answer = raw_request(
            service.base_url, "POST", f"/api/v1/routes/{request_id}/save", bob_auth
        )
        # Then it does not exist for him
        assert (answer.status, answer.json()["code"]) == (404, "not-found"), answer
        assert answer.is_problem
        # And her saved route can be neither read nor deleted by him, nor is it in his list
        for method in ("GET", "DELETE"):
            answer = raw_request(service.base_url, method, location, bob_auth)
            assert (answer.status, answer.json()["code"]) == (404, "not-found"), (method, answer)
        listing = raw_request(service.base_url, "GET", "/api/v1/saved-routes", bob_auth)
        assert listing.status == 200
        assert listing.json() == {"items": [], "next_cursor": None}
    # And Alice still has it, whole
    kept = raw_request(service.base_url, "GET", location, alice_auth)
    assert kept.status == 200, kept
    assert kept.json()["request_id"] == request_id


def test_preferences_are_each_users_own(service: DrillService, users: Users) -> None:
    # Given Alice's saved preferences
    alice, bob = users.create("drill-prefers"), users.create("drill-other")
    body = json.dumps({"themes": ["food"], "duration_minutes": 40, "pace": 1.1}).encode()
    put = raw_request(
        service.base_url,
        "PUT",
        "/api/v1/me/preferences",
        [("Authorization", f"Bearer {alice.secret}"), ("Content-Type", "application/json")],
        body,
    )
    assert put.status == 200, put
    # When Bob reads his, Then he gets the system defaults, not hers
    mine = raw_request(
        service.base_url,
        "GET",
        "/api/v1/me/preferences",
        [("Authorization", f"Bearer {bob.secret}")],
    )
    assert mine.status == 200, mine
    assert mine.json()["updated_at"] is None
    assert mine.json()["themes"] == []


def test_password_guessing_is_throttled_with_retry_after(
    service: DrillService, users: Users, ledger: Ledger, figures: dict[str, object]
) -> None:
    # Given an account with a password
    password = f"drill-pass-{uuid.uuid4().hex[:12]}"
    victim = users.create("drill-guess", password)
    # When someone guesses wrong passwords as fast as they can
    statuses: list[int] = []
    throttled = None
    for attempt in range(GUESSES):
        wrong = ledger.record("password", f"wrong-{attempt}-{uuid.uuid4().hex[:6]}")
        body = json.dumps({"username": victim.user.username, "password": wrong}).encode()
        answer = raw_request(
            service.base_url,
            "POST",
            "/api/v1/login",
            [("Content-Type", "application/json")],
            body,
        )
        statuses.append(answer.status)
        if answer.status == 429:
            throttled = answer
            break
    figures.update(attempts_before_429=len(statuses) - 1, statuses=statuses)
    # Then a 429 problem with Retry-After comes within the 30 guesses
    assert throttled is not None, f"{GUESSES} wrong passwords, never throttled: {statuses}"
    assert throttled.is_problem
    assert throttled.json()["code"] == "rate-limited"
    assert int(throttled.headers["retry-after"]) >= 1
    assert set(statuses[:-1]) == {401}, statuses
