"""``/ws`` over fakes: what a failing store looks like to the client, and what re-checks cost.

The Litestar app is the real one; the use cases behind it run on in-memory
fakes, so an account store can be made to fail or count its lookups.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import pytest
from litestar.exceptions import WebSocketDisconnect
from litestar.testing import TestClient

from adapters.inbound.http.app import create_app
from adapters.inbound.http.services import HttpServices
from tests.fakes.account_store import InMemoryAccountStore
from tests.fakes.clock import FakeClock
from tests.fakes.randomness import CountingSecrets
from tests.support import defaults
from tests.support.http_services import SilentTelemetry, http_services
from tests.ws_messages import ERROR
from wildside.app.accounts import Accounts
from wildside.app.guide_walk import GuideWalk
from wildside.domain.accounts import User
from wildside.domain.errors import UnavailableError

SUBPROTOCOL = "wildside.v1"
SECRET_DETAIL = "connection to 10.1.2.3:5432 refused; user=wildside"
SOME_ID = "00000000-0000-4000-8000-000000000001"


class CountingAccountStore(InMemoryAccountStore):
    """Counts token lookups; can be switched to fail like an unreachable database."""

    def __init__(self) -> None:
        super().__init__()
        self.lookups = 0
        self.down = False

    def user_for_token(self, token_hash: bytes, at: datetime) -> User | None:
        self.lookups += 1
        if self.down:
            raise UnavailableError(f"could not check the token: {SECRET_DETAIL}", service="pg")
        return super().user_for_token(token_hash, at)


class Follow:
    """Stands in for ``FollowRouteStatus``: waits forever, or fails as told."""

    def __init__(self) -> None:
        self.error: Exception | None = None

    async def __call__(self, user: User, request_id: str) -> AsyncIterator[Any]:
        if self.error is not None:
            raise self.error
        while True:
            await asyncio.sleep(3600)
            yield None


class World:
    def __init__(self, recheck_s: float = 30.0) -> None:
        self.store = CountingAccountStore()
        self.accounts = Accounts(self.store, CountingSecrets(), FakeClock())
        self.token = self.accounts.create_user("ada").secret
        self.follow = Follow()
        telemetry = SilentTelemetry()
        services = http_services(
            follow_route=self.follow,
            accounts=self.accounts,
            telemetry=telemetry,
            guide_walk=GuideWalk([], FakeClock(), defaults.guidance_settings()),
        )

        @contextlib.asynccontextmanager
        async def opened() -> AsyncIterator[HttpServices]:
            yield services

        settings = defaults.http_settings(ws_auth_recheck_s=recheck_s)
        self.client: TestClient[Any] = TestClient(create_app(opened, settings, telemetry))  # type: ignore[arg-type]

    def connect(self) -> Any:
        return self.client.websocket_connect(
            "/ws", subprotocols=[SUBPROTOCOL, f"bearer.{self.token}"]
        )


def _subscribe(request_id: str) -> dict[str, str]:
    return {"type": "subscribe", "channel": "route_generation_status", "request_id": request_id}


@pytest.fixture
def world() -> Any:
    made = World()
    with made.client:
        yield made


def test_a_store_outage_while_following_says_unavailable_and_leaks_nothing(world: World) -> None:
    world.follow.error = UnavailableError(f"could not read: {SECRET_DETAIL}", service="pg")
    with world.connect() as socket:
        socket.send_json(_subscribe(SOME_ID))
        answer = socket.receive_json(timeout=5)
    ERROR.validate(answer)
    assert (answer["code"], answer["request_id"]) == ("service-unavailable", SOME_ID)
    assert "10.1.2.3" not in json.dumps(answer)


def test_a_bug_while_following_is_an_internal_error_not_a_dead_socket(world: World) -> None:
    world.follow.error = KeyError("boom")
    with world.connect() as socket:
        socket.send_json(_subscribe(SOME_ID))
        answer = socket.receive_json(timeout=5)
        assert (answer["code"], answer["detail"]) == ("internal-error", "the status is unreadable")
        world.follow.error = None
        socket.send_text("{")
        assert socket.receive_json(timeout=5)["code"] == "invalid-message"  # still serving


def test_an_account_store_outage_at_the_handshake_is_try_again_later(world: World) -> None:
    world.store.down = True
    with pytest.raises(WebSocketDisconnect) as refused, world.connect():
        pass
    assert refused.value.code == 1013
    assert "10.1.2.3" not in str(refused.value)


def test_an_account_store_outage_at_subscribe_refuses_it_and_keeps_the_socket(
    world: World,
) -> None:
    with world.connect() as socket:
        world.store.down = True
        socket.send_json(_subscribe(SOME_ID))
        answer = socket.receive_json(timeout=5)
        assert (answer["code"], answer["request_id"]) == ("service-unavailable", SOME_ID)
        assert "10.1.2.3" not in json.dumps(answer)
        world.store.down = False
        socket.send_json(_subscribe(SOME_ID))
        socket.send_text("{")  # the subscribe went ahead silently (Follow sends nothing)
        assert socket.receive_json(timeout=5)["code"] == "invalid-message"


def test_each_subscribe_checks_the_credential_once_and_an_idle_socket_never() -> None:
    # A long interval keeps the periodic recheck out of this count (under load, five
    # subscribes can take longer than a short interval, and a tick would slip in).
    world = World(recheck_s=30.0)
    with world.client, world.connect() as socket:
        after_handshake = world.store.lookups
        time.sleep(0.5)  # idle: nothing followed, nothing checked
        assert world.store.lookups == after_handshake
        for i in range(5):
            socket.send_json(_subscribe(f"00000000-0000-4000-8000-{i:012d}"))
        socket.send_text("{")
        assert socket.receive_json(timeout=5)["code"] == "invalid-message"
        assert world.store.lookups == after_handshake + 5  # each subscribe checks once


def test_rechecks_cost_one_lookup_per_interval_per_socket_not_per_subscription() -> None:
    world = World(recheck_s=0.1)
    with world.client, world.connect() as socket:
        for i in range(5):
            socket.send_json(_subscribe(f"00000000-0000-4000-8000-{i:012d}"))
        socket.send_text("{")
        assert socket.receive_json(timeout=5)["code"] == "invalid-message"
        after_subscribes = world.store.lookups
        time.sleep(1.0)
        periodic = world.store.lookups - after_subscribes
    # ~10 in 1 s at 0.1 s for the socket, not ~50 (one per subscription). A loaded
    # machine can only make the ticker slower, so the low bound is just "it rechecks".
    assert 1 <= periodic <= 12, periodic
