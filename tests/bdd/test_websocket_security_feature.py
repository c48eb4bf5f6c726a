"""Steps for ``features/websocket_security.feature``: who may open and keep a ``/ws`` socket.

Everything is real (Litestar app, PostgreSQL, Redis, a Dramatiq worker) except
the engine, which the revocation scenario holds half-way.
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from litestar.exceptions import WebSocketDisconnect
from pytest_bdd import given, parsers, scenarios, then, when

from adapters.composition.service import accounts, open_resources
from tests.fakes.planner import FakePlanner
from tests.service_stack import ROUTE_BODY, Stack, make_stack, wait_for
from tests.ws_messages import ERROR, STATUS

__all__ = ["make_stack"]  # the fixture the steps build on

scenarios("websocket_security.feature")

SUBPROTOCOL = "wildside.v1"
SITE = "https://testserver.local"  # the test client's base URL, so the request's own origin
PASSWORD = "correct horse battery"


@dataclass
class Story:
    """What a scenario has done so far."""

    build: Callable[..., Stack]
    sockets: contextlib.ExitStack
    settings: dict[str, Any] = field(default_factory=dict)
    stack: Stack | None = None
    token: str = ""
    token_id: str = ""
    cookies: dict[str, str] = field(default_factory=dict)
    request_id: str = ""
    socket: Any = None
    refusal: int | None = None
    revoked_at: float = 0.0
    messages: list[dict[str, Any]] = field(default_factory=list)
    close_code: int | None = None
    gate: threading.Event = field(default_factory=threading.Event)

    @property
    def service(self) -> Stack:
        assert self.stack is not None
        return self.stack

    def restart(self, **settings: Any) -> None:
        self.settings.update(settings)
        self.stack = self.build(**self.settings)  # same database: users and tokens stay

    def open(self, **kwargs: Any) -> Any:
        """Open a socket that stays open until the scenario ends."""
        return self.sockets.enter_context(self.service.client.websocket_connect("/ws", **kwargs))

    def subscribe(self, socket: Any) -> None:
        socket.send_json(
            {
                "type": "subscribe",
                "channel": "route_generation_status",
                "request_id": self.request_id,
            }
        )


@pytest.fixture
def story(make_stack: Callable[..., Stack]) -> Iterator[Story]:
    with contextlib.ExitStack() as sockets:
        story = Story(make_stack, sockets)
        yield story
        story.gate.set()  # never leave a worker waiting


# -- Given ---------------------------------------------------------------------------


@given("the service is running")
def _service(story: Story) -> None:
    story.stack = story.build()


@given("I am a registered user with a password")
def _user(story: Story) -> None:
    with open_resources(story.service.settings, pool_size=1) as resources:
        issued = accounts(resources).create_user("walker", PASSWORD)
    story.token, story.token_id = issued.secret, issued.token_id


@given(parsers.parse('the service also allows pages of "{origin}"'))
def _allow(story: Story, origin: str) -> None:
    story.restart(allowed_origins=origin)


@given(parsers.parse("open sockets check their credential every {seconds:f} seconds"))
def _recheck(story: Story, seconds: float) -> None:
    story.restart(ws_auth_recheck_s=seconds)


@given("I am logged in with the session cookie")
def _logged_in(story: Story) -> None:
    login = story.service.client.post(
        "/api/v1/login", json={"username": "walker", "password": PASSWORD}
    )
    assert login.status_code == 200
    # The test client upgrades over ws://, where httpx keeps Secure cookies back: pass them on.
    story.cookies = dict(login.cookies)


@given("a worker that holds my tour half-way")
def _held_worker(story: Story) -> None:
    story.service.start_worker(FakePlanner(gate=story.gate, progress_steps=(0, 50, 100)))


@given("I have requested a tour")
def _requested(story: Story) -> None:
    response = story.service.client.post(
        "/api/v1/routes", json=ROUTE_BODY, headers=story.service.auth(story.token)
    )
    assert response.status_code == 202
    story.request_id = response.json()["request_id"]


@given("I have a WebSocket open with my token")
def _open_with_token(story: Story) -> None:
    story.socket = story.open(subprotocols=[SUBPROTOCOL, f"bearer.{story.token}"])


@given("I am following my tour over the WebSocket with my token")
def _following(story: Story) -> None:
    _open_with_token(story)
    story.subscribe(story.socket)
    STATUS.validate(story.socket.receive_json(timeout=10))


# -- When ----------------------------------------------------------------------------


@when(parsers.parse('a page on "{origin}" opens the WebSocket with my cookie'))
def _page_opens(story: Story, origin: str) -> None:
    try:
        story.socket = story.open(cookies=story.cookies, headers={"origin": origin})
    except WebSocketDisconnect as refused:
        story.refusal = refused.code


@when("a page of the site itself opens the WebSocket with my cookie")
def _own_page_opens(story: Story) -> None:
    _page_opens(story, SITE)


@when("my token is revoked")
def _revoke(story: Story) -> None:
    with open_resources(story.service.settings, pool_size=1) as resources:
        accounts(resources).revoke_token(story.token_id)
    story.revoked_at = time.monotonic()


@when("I subscribe to my tour")
def _subscribe(story: Story) -> None:
    story.subscribe(story.socket)


# -- Then ----------------------------------------------------------------------------


@then("the handshake is refused as a policy violation before it is accepted")
def _refused(story: Story) -> None:
    assert story.socket is None
    assert story.refusal == 1008  # a real server answers such a handshake with HTTP 403


@then("the service still answers normally")
def _healthy(story: Story) -> None:
    assert story.service.client.get("/health/live").status_code == 200
    me = story.service.client.get("/api/v1/me", headers=story.service.auth(story.token))
    assert me.status_code == 200


@then("it can follow my tour")
def _can_follow(story: Story) -> None:
    assert story.refusal is None
    story.subscribe(story.socket)
    first = story.socket.receive_json(timeout=10)
    STATUS.validate(first)
    assert first["request_id"] == story.request_id


@then(parsers.parse("within {seconds:d} seconds I am told that my credential is no longer valid"))
def _told(story: Story, seconds: int) -> None:
    while True:
        try:
            story.messages.append(story.socket.receive_json(timeout=seconds))
        except WebSocketDisconnect as closed:
            story.close_code = closed.code
            break
    assert time.monotonic() - story.revoked_at < seconds
    last = story.messages[-1]
    ERROR.validate(last)
    assert last["code"] == "unauthenticated"
    assert "no longer valid" in last["detail"] or "not valid" in last["detail"]
    assert all(m["type"] == "route_generation_status" for m in story.messages[:-1])


@then(parsers.parse("the socket is closed with code {code:d}"))
def _closed(story: Story, code: int) -> None:
    assert story.close_code == code


@then("nothing more reaches the socket, even when the tour finishes")
def _nothing_more(story: Story) -> None:
    story.gate.set()
    wait_for(lambda: _status(story) == "succeeded")  # the owner's token is revoked: ask the store
    time.sleep(0.5)  # what would have been relayed has had time to arrive
    with pytest.raises(queue.Empty):
        story.socket.receive(block=False)


@then("the token is refused over HTTP too")
def _refused_over_http(story: Story) -> None:
    me = story.service.client.get("/api/v1/me", headers=story.service.auth(story.token))
    assert me.status_code == 401


def _status(story: Story) -> str:
    with open_resources(story.service.settings, pool_size=1) as resources:
        record = resources.route_store.get(story.request_id)
    return "" if record is None else str(record.status.value)
