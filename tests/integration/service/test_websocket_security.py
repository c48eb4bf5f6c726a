"""``/ws`` security: cross-site cookie sockets are refused; a revoked credential stops a socket.

The real app in-process (PostgreSQL, Redis, Dramatiq) through Litestar's test
client, plus one real uvicorn server to see the refusal as browsers do (HTTP 403).
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import uvicorn
from litestar.exceptions import WebSocketDisconnect
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect
from websockets.typing import Subprotocol

from adapters.composition.processes import WS_MAX_MESSAGE_BYTES, build_http_app
from adapters.composition.service import accounts, open_resources
from adapters.settings import Settings
from tests.conftest import free_port
from tests.fakes.planner import FakePlanner
from tests.service_stack import ROUTE_BODY, Stack
from tests.ws_messages import ERROR, STATUS

SUBPROTOCOL = "wildside.v1"
SAME_ORIGIN = "https://testserver.local"  # the stack's base URL: Host is testserver.local
PASSWORD = "correct horse"


def _user(stack: Stack, name: str, password: str | None = PASSWORD) -> tuple[str, str]:
    """A user; their bearer token and its id (to revoke it)."""
    with open_resources(stack.settings, pool_size=1) as resources:
        issued = accounts(resources).create_user(name, password)
    return issued.secret, issued.token_id


def _revoke(stack: Stack, token_id: str) -> None:
    with open_resources(stack.settings, pool_size=1) as resources:
        accounts(resources).revoke_token(token_id)


def _cookies(stack: Stack, name: str) -> dict[str, str]:
    login = stack.client.post("/api/v1/login", json={"username": name, "password": PASSWORD})
    assert login.status_code == 200
    # The test client upgrades over ws://, where httpx keeps Secure cookies back: pass them on.
    return dict(login.cookies)


def _submit(stack: Stack, token: str) -> str:
    response = stack.client.post("/api/v1/routes", json=ROUTE_BODY, headers=stack.auth(token))
    assert response.status_code == 202
    return response.json()["request_id"]


def _subscribe(request_id: str) -> dict[str, str]:
    return {"type": "subscribe", "channel": "route_generation_status", "request_id": request_id}


def _refusal(open_socket: Callable[[], Any]) -> int:
    """The close code of a handshake the server refuses (it must not be accepted)."""
    with pytest.raises(WebSocketDisconnect) as refused, open_socket():
        pass
    return refused.value.code


# -- Origin of cookie sockets --------------------------------------------------------


@pytest.mark.parametrize(
    "origin",
    [
        "https://evil.example",
        "null",  # sandboxed frames and file: pages
        "https://evil.testserver.local",  # a sibling subdomain is same-site, not same-origin
        "https://testserver.local.evil.example",
        "https://testserver.local:8443",  # another port is another origin
        "https://testserver.local@evil.example",
        "not an origin",
    ],
)
def test_a_cookie_socket_from_another_origin_is_refused_before_it_is_accepted(
    stack: Stack, origin: str
) -> None:
    _user(stack, "ada")
    cookies = _cookies(stack, "ada")
    code = _refusal(
        lambda: stack.client.websocket_connect("/ws", cookies=cookies, headers={"origin": origin})
    )
    assert code == 1008  # policy violation; a real server answers the handshake with 403
    assert stack.client.get("/health/live").status_code == 200


@pytest.mark.parametrize(
    "origin", [SAME_ORIGIN, "https://TestServer.local", "http://testserver.local"]
)
def test_a_cookie_socket_from_the_sites_own_pages_is_accepted(stack: Stack, origin: str) -> None:
    token, _ = _user(stack, "ada")
    own = _submit(stack, token)
    cookies = _cookies(stack, "ada")
    with stack.client.websocket_connect(
        "/ws", cookies=cookies, headers={"origin": origin}
    ) as socket:
        socket.send_json(_subscribe(own))
        first = socket.receive_json(timeout=10)
    STATUS.validate(first)
    assert first["request_id"] == own


def test_an_origin_on_the_allow_list_may_open_a_cookie_socket(
    make_stack: Callable[..., Stack],
) -> None:
    stack = make_stack(allowed_origins="https://app.example, https://admin.example:8443")
    _user(stack, "ada")
    cookies = _cookies(stack, "ada")
    for origin in ("https://app.example", "https://admin.example:8443", "https://APP.example"):
        with stack.client.websocket_connect(
            "/ws", cookies=cookies, headers={"origin": origin}
        ) as socket:
            socket.send_json(_subscribe("00000000-0000-4000-8000-000000000000"))
            assert socket.receive_json(timeout=10)["code"] == "not-found"
    for origin in ("http://app.example", "https://app.example:444", "https://evil.example"):
        code = _refusal(
            lambda o=origin: stack.client.websocket_connect(
                "/ws", cookies=cookies, headers={"origin": o}
            )
        )
        assert code == 1008


def test_a_bearer_socket_is_accepted_from_any_origin(stack: Stack) -> None:
    """A page cannot make a browser attach a token it does not know, so Origin is moot."""
    token, _ = _user(stack, "ada")
    with stack.client.websocket_connect(
        "/ws",
        subprotocols=[SUBPROTOCOL, f"bearer.{token}"],
        headers={"origin": "https://some-other-app.example"},
    ) as socket:
        assert socket.accepted_subprotocol == SUBPROTOCOL
        socket.send_json(_subscribe("00000000-0000-4000-8000-000000000000"))
        assert socket.receive_json(timeout=10)["code"] == "not-found"


def test_a_bogus_bearer_offer_does_not_fall_back_to_the_cookie(stack: Stack) -> None:
    """Offering any ``bearer.`` protocol skips the Origin check, so it must also skip the cookie."""
    _user(stack, "ada")
    cookies = _cookies(stack, "ada")
    code = _refusal(
        lambda: stack.client.websocket_connect(
            "/ws",
            subprotocols=[SUBPROTOCOL, "bearer.wst_" + "A" * 43],
            cookies=cookies,
            headers={"origin": "https://evil.example"},
        )
    )
    assert code == 4401


@contextlib.contextmanager
def _live_server(settings: Settings) -> Iterator[str]:
    """The app under a real uvicorn (as ``wildside serve`` runs it) on a loopback port."""
    port = free_port()
    config = uvicorn.Config(
        build_http_app(settings),
        host="127.0.0.1",
        port=port,
        lifespan="on",
        ws_max_size=WS_MAX_MESSAGE_BYTES,
        log_config=None,
        access_log=False,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while not server.started:
            assert thread.is_alive(), "uvicorn stopped"
            assert time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.05)
        yield f"127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)


@pytest.fixture
def live_api(stack: Stack) -> Iterator[str]:
    with _live_server(stack.settings) as address:
        yield address


def test_over_a_real_server_a_cross_site_cookie_handshake_gets_403_not_5xx(
    stack: Stack, live_api: str
) -> None:
    _user(stack, "ada")
    cookie = "; ".join(f"{k}={v}" for k, v in _cookies(stack, "ada").items())
    with (
        pytest.raises(InvalidStatus) as refused,
        connect(
            f"ws://{live_api}/ws",
            origin="https://evil.example",
            additional_headers={"Cookie": cookie},
            open_timeout=10,
        ),
    ):
        pass
    assert refused.value.response.status_code == 403
    # The same cookie from the site's own page is accepted.
    with connect(
        f"ws://{live_api}/ws",
        origin=f"http://{live_api}",
        additional_headers={"Cookie": cookie},
        open_timeout=10,
    ) as socket:
        socket.send(
            '{"type": "subscribe", "channel": "route_generation_status", "request_id": "x"}'
        )
        assert '"not-found"' in str(socket.recv(timeout=10))
    with urllib.request.urlopen(f"http://{live_api}/health/live", timeout=10) as answer:
        assert answer.status == 200


# -- Revoked credentials -------------------------------------------------------------


def _expect_unauthenticated_then_close(socket: Any, timeout: float) -> list[dict[str, Any]]:
    """Read until the server closes: the last message must be ``unauthenticated``, then 4401."""
    seen: list[dict[str, Any]] = []
    while True:
        try:
            seen.append(socket.receive_json(timeout=timeout))
        except WebSocketDisconnect as closed:
            code = closed.code
            break
    assert code == 4401
    assert seen, "the server closed without saying why"
    ERROR.validate(seen[-1])
    assert seen[-1]["code"] == "unauthenticated"
    assert "request_id" not in seen[-1]
    return seen


def test_a_subscribe_after_the_token_is_revoked_is_refused_and_the_socket_closes(
    stack: Stack,
) -> None:
    ada, token_id = _user(stack, "ada")
    own = _submit(stack, ada)
    with stack.client.websocket_connect(
        "/ws", subprotocols=[SUBPROTOCOL, f"bearer.{ada}"]
    ) as socket:
        socket.send_json(_subscribe(own))
        STATUS.validate(socket.receive_json(timeout=10))
        _revoke(stack, token_id)
        socket.send_json(_subscribe(own))
        seen = _expect_unauthenticated_then_close(socket, timeout=10)
    assert seen == [seen[-1]]  # no status message for the refused subscribe
    # The token is refused everywhere now.
    assert stack.client.get("/api/v1/me", headers=stack.auth(ada)).status_code == 401


def test_a_revoked_tokens_open_subscriptions_end_within_the_recheck_interval(
    make_stack: Callable[..., Stack],
) -> None:
    stack = make_stack(ws_auth_recheck_s=0.5)
    ada, token_id = _user(stack, "ada")
    gate = threading.Event()
    stack.start_worker(FakePlanner(gate=gate, progress_steps=(0, 50, 100)))
    own = _submit(stack, ada)
    try:
        with stack.client.websocket_connect(
            "/ws", subprotocols=[SUBPROTOCOL, f"bearer.{ada}"]
        ) as socket:
            socket.send_json(_subscribe(own))
            STATUS.validate(socket.receive_json(timeout=10))
            _revoke(stack, token_id)
            revoked_at = time.monotonic()
            seen = _expect_unauthenticated_then_close(socket, timeout=10)
            waited = time.monotonic() - revoked_at
            gate.set()  # the job may now finish: nothing more reaches this socket
    finally:
        gate.set()
    assert waited < 0.5 + 3.0, waited  # the interval, plus a lookup and a slow machine
    assert all(m["type"] == "route_generation_status" for m in seen[:-1])


def test_a_socket_of_another_valid_token_is_untouched_by_a_revocation(
    make_stack: Callable[..., Stack],
) -> None:
    stack = make_stack(ws_auth_recheck_s=0.2)
    _, first_id = _user(stack, "ada")
    with open_resources(stack.settings, pool_size=1) as resources:
        second = accounts(resources).issue_token("ada", "laptop").secret
    own = _submit(stack, second)
    with stack.client.websocket_connect(
        "/ws", subprotocols=[SUBPROTOCOL, f"bearer.{second}"]
    ) as socket:
        socket.send_json(_subscribe(own))
        STATUS.validate(socket.receive_json(timeout=10))
        _revoke(stack, first_id)
        time.sleep(1.0)  # five re-checks
        socket.send_json(_subscribe("00000000-0000-4000-8000-000000000000"))
        answer = socket.receive_json(timeout=10)
    assert answer["code"] == "not-found"  # still open, still serving


def test_a_cookie_socket_ends_when_its_session_expires(make_stack: Callable[..., Stack]) -> None:
    stack = make_stack(session_max_age_s=3, ws_auth_recheck_s=0.3)
    token, _ = _user(stack, "ada")
    own = _submit(stack, token)  # queued: no worker, so the subscription stays open
    cookies = _cookies(stack, "ada")
    with stack.client.websocket_connect(
        "/ws", cookies=cookies, headers={"origin": SAME_ORIGIN}
    ) as socket:
        socket.send_json(_subscribe(own))
        STATUS.validate(socket.receive_json(timeout=10))
        seen = _expect_unauthenticated_then_close(socket, timeout=10)
    assert "expired" in seen[-1]["detail"]


def test_over_a_real_server_a_revoked_token_is_told_and_closed_with_4401(
    make_stack: Callable[..., Stack],
) -> None:
    stack = make_stack(ws_auth_recheck_s=0.3)
    ada, token_id = _user(stack, "ada")
    own = _submit(stack, ada)  # queued: no worker, so the subscription stays open
    protocols = [Subprotocol(SUBPROTOCOL), Subprotocol(f"bearer.{ada}")]
    with (
        _live_server(stack.settings) as address,
        connect(f"ws://{address}/ws", subprotocols=protocols, open_timeout=10) as socket,
    ):
        socket.send(json.dumps(_subscribe(own)))
        STATUS.validate(json.loads(socket.recv(timeout=10)))
        _revoke(stack, token_id)
        told = json.loads(socket.recv(timeout=5))
        with pytest.raises(ConnectionClosed) as closed:
            socket.recv(timeout=5)
    ERROR.validate(told)
    assert told["code"] == "unauthenticated"
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4401
