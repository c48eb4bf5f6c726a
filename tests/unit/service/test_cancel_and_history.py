"""Cancelling a request and listing one's own: who may, what each status allows, paging."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

import pytest

from tests.unit.service.conftest import ADA, BOB, HELSINKI, World
from wildside.app.cancel_route import CancelRoute
from wildside.app.list_routes import ListRoutes
from wildside.domain.cancellation import RequestFinishedError
from wildside.domain.errors import NotFoundError
from wildside.domain.route_spec import RouteSpec
from wildside.domain.route_status import RouteStatus, StatusUpdate

SPEC = RouteSpec.build(start=HELSINKI, duration_minutes=45, preferences=["art"])


class Events:
    def __init__(self) -> None:
        self.captured: list[tuple[str, str, dict[str, object]]] = []

    def capture(self, event: str, user_id: str, properties: Mapping[str, object]) -> None:
        self.captured.append((event, user_id, dict(properties)))


def _submitted(world: World, user: object = ADA) -> str:
    return world.submit_route()(user, SPEC).request_id


def test_a_queued_request_is_cancelled_announced_and_counted(world: World) -> None:
    events = Events()
    request_id = _submitted(world)
    world.clock.advance(3.0)
    ended = CancelRoute(world.store, world.channel, world.clock, events)(ADA, request_id)
    assert (ended.status, ended.error, ended.at) == (
        RouteStatus.FAILED,
        "cancelled",
        world.clock.now(),
    )
    assert world.channel.published[-1] == ended
    assert events.captured == [
        (
            "RouteGenerationFailed",
            ADA.id,
            {"reason": "cancelled", "duration_minutes": 45.0, "was_running": False},
        )
    ]


def test_cancelling_again_is_a_quiet_no_op(world: World) -> None:
    request_id = _submitted(world)
    cancel = CancelRoute(world.store, world.channel, world.clock)
    first = cancel(ADA, request_id.upper())  # any spelling of the UUID names it
    published = len(world.channel.published)
    assert cancel(ADA, request_id) == first
    assert len(world.channel.published) == published


@pytest.mark.parametrize("request_id", ["not-a-uuid", "9b2f6a52-0c1e-4d7a-9e55-3b8d7c1a2f40"])
def test_unknown_and_malformed_ids_are_not_found(world: World, request_id: str) -> None:
    with pytest.raises(NotFoundError):
        CancelRoute(world.store, world.channel, world.clock)(ADA, request_id)


def test_another_users_request_is_not_found_and_stays_untouched(world: World) -> None:
    request_id = _submitted(world, BOB)
    with pytest.raises(NotFoundError):
        CancelRoute(world.store, world.channel, world.clock)(ADA, request_id)
    record = world.store.get(request_id)
    assert record is not None
    assert record.status is RouteStatus.QUEUED


@pytest.mark.parametrize("error", [None, "timeout"])
def test_a_finished_request_cannot_be_cancelled(world: World, error: str | None) -> None:
    request_id = _submitted(world)
    world.store.begin_attempt(request_id, world.clock.now())
    final = RouteStatus.SUCCEEDED if error is None else RouteStatus.FAILED
    world.store.transition(StatusUpdate(request_id, final, 100, world.clock.now(), error))
    with pytest.raises(RequestFinishedError) as raised:
        CancelRoute(world.store, world.channel, world.clock)(ADA, request_id)
    assert raised.value.status is final
    assert raised.value.code == "route-request-finished"


def test_history_pages_newest_first_and_says_when_there_is_more(world: World) -> None:
    ids = []
    for _ in range(3):
        ids.append(_submitted(world))
        world.clock.advance(1.0)
    _submitted(world, BOB)
    history = ListRoutes(world.store, world.clock)
    first = history(ADA, limit=2)
    assert [r.request_id for r in first.requests] == ids[:0:-1]
    assert first.next is not None
    second = history(ADA, limit=2, after=first.next)
    assert [r.request_id for r in second.requests] == ids[:1]
    assert second.next is None


def test_history_leaves_out_expired_requests_even_before_the_sweep(world: World) -> None:
    _submitted(world)
    world.clock.advance(timedelta(hours=24).total_seconds())
    assert ListRoutes(world.store, world.clock)(ADA, limit=10).requests == []
