"""Following a request's status: snapshot first, then changes in contract order, then the end."""

from __future__ import annotations

import asyncio

import pytest

from tests.unit.service.conftest import ADA, BOB, HELSINKI, World
from wildside.app.follow_route_status import FollowRouteStatus
from wildside.app.generate_route import GenerateRoute
from wildside.domain.errors import NotFoundError
from wildside.domain.route_spec import RouteSpec
from wildside.domain.route_status import RouteStatus, StatusUpdate

SPEC = RouteSpec.build(start=HELSINKI, duration_minutes=90)


def _submit(world: World) -> str:
    return world.submit_route()(ADA, SPEC).request_id


def _generate(world: World) -> GenerateRoute:
    return world.generate_route()


async def _follow(world: World, user: object, request_id: str, *, poll_s: float = 5.0) -> list:
    follow = FollowRouteStatus(world.store, world.channel, poll_s=poll_s)
    return [(u.status.value, u.progress) async for u in follow(user, request_id)]  # type: ignore[arg-type]


def test_a_follower_sees_queued_running_progress_and_succeeded() -> None:
    world = World()
    request_id = _submit(world)

    async def scenario() -> list:
        follower = asyncio.create_task(_follow(world, ADA, request_id))
        await asyncio.sleep(0.05)  # the follower has subscribed and sent the snapshot
        await asyncio.to_thread(_generate(world), world.queue.jobs[0])
        return await asyncio.wait_for(follower, 5)

    seen = asyncio.run(scenario())
    assert seen[0] == ("queued", 0)
    assert seen[1] == ("running", 0)
    assert seen[-1] == ("succeeded", 100)
    progress = [p for s, p in seen if s == "running"]
    assert progress == sorted(set(progress))


def test_following_a_finished_request_yields_only_the_final_status() -> None:
    world = World()
    request_id = _submit(world)
    _generate(world)(world.queue.jobs[0])
    assert asyncio.run(_follow(world, ADA, request_id)) == [("succeeded", 100)]


def test_another_users_request_is_not_found() -> None:
    world = World()
    request_id = _submit(world)
    with pytest.raises(NotFoundError):
        asyncio.run(_follow(world, BOB, request_id))


@pytest.mark.parametrize("request_id", ["not-a-uuid", "00000000-0000-4000-8000-00000000dead"])
def test_unknown_requests_are_not_found(request_id: str) -> None:
    with pytest.raises(NotFoundError):
        asyncio.run(_follow(World(), ADA, request_id))


def test_a_lost_final_message_is_found_by_polling_the_store() -> None:
    world = World()
    request_id = _submit(world)

    async def scenario() -> list:
        follower = asyncio.create_task(_follow(world, ADA, request_id, poll_s=0.05))
        await asyncio.sleep(0.02)
        # Given the worker finishes but its messages never reach the channel
        world.store.begin_attempt(request_id, world.clock.now())
        world.store.transition(
            StatusUpdate(request_id, RouteStatus.SUCCEEDED, 100, world.clock.now())
        )
        return await asyncio.wait_for(follower, 5)

    seen = asyncio.run(scenario())
    assert seen[0] == ("queued", 0)
    assert seen[-1] == ("succeeded", 100)
