"""Better tours while a job runs: throttled ``route_candidate`` messages, then the result."""

from __future__ import annotations

import asyncio

from tests.support import defaults
from tests.unit.service.conftest import ADA, HELSINKI, World
from tests.ws_messages import CANDIDATE
from wildside.app.follow_route_status import FollowRouteStatus
from wildside.domain.route_candidate import ChannelMessage, RouteCandidate, SketchStop, TourSketch
from wildside.domain.route_spec import RouteSpec

SPEC = RouteSpec.build(start=HELSINKI, duration_minutes=90, preferences=["history"])
CHURCH = SketchStop("node/1", "Old Church", 60.17, 24.95)


def _sketch(score: float) -> TourSketch:
    return TourSketch(score, (CHURCH,), HELSINKI, HELSINKI)


def test_better_tours_go_out_at_once_then_at_most_one_a_second(world: World) -> None:
    # Given a planner that finds tours of these scores 0.4 s apart
    world.planner.sketches = tuple(_sketch(s) for s in (1.0, 2.0, 1.5, 3.0))
    world.planner.seconds_per_step = 0.4
    world.submit_route()(ADA, SPEC)
    job = world.queue.jobs[-1]
    # When the worker runs the job
    world.generate_route(settings=defaults.generation_settings())(job)
    # Then the first went out at once; 2.0 came too soon after it, 1.5 was no better,
    # and 3.0 came 1.2 s after the first
    sent = world.channel.candidates
    assert [(c.seq, c.sketch.score) for c in sent] == [(1, 1.0), (2, 3.0)]
    assert {c.request_id for c in sent} == {job.request_id}
    # And each message is what the published schema describes
    for candidate in sent:
        message = candidate.to_message()
        CANDIDATE.validate(message)
        assert RouteCandidate.from_message(message) == candidate
    assert sent[0].to_message()["path"]["coordinates"] == [
        [HELSINKI.lng, HELSINKI.lat],
        [24.95, 60.17],
        [HELSINKI.lng, HELSINKI.lat],
    ]


def test_a_follower_gets_the_candidates_between_running_and_succeeded() -> None:
    # Given a job whose solver finds better tours a second apart
    world = World()
    # (the fake's final tour scores 0.8 + 0.6)
    world.planner.sketches = tuple(_sketch(s) for s in (0.5, 1.0, 1.4))
    world.planner.seconds_per_step = 1.0
    request_id = world.submit_route()(ADA, SPEC).request_id
    follow = FollowRouteStatus(world.store, world.channel, poll_s=5.0)

    async def scenario() -> list[ChannelMessage]:
        async def collect() -> list[ChannelMessage]:
            return [message async for message in follow(ADA, request_id)]

        follower = asyncio.create_task(collect())
        await asyncio.sleep(0.05)  # the follower has subscribed and sent the snapshot
        generate = world.generate_route(settings=defaults.generation_settings())
        await asyncio.to_thread(generate, world.queue.jobs[0])
        return await asyncio.wait_for(follower, 5)

    seen = asyncio.run(scenario())
    # Then the candidates arrive once each, in order, while it runs, and the result ends it
    kinds = [m.seq if isinstance(m, RouteCandidate) else m.status.value for m in seen]
    assert kinds[:2] == ["queued", "running"]
    assert [k for k in kinds if isinstance(k, int)] == [1, 2, 3]
    assert kinds[-1] == "succeeded"
    assert kinds.index(3) < kinds.index("succeeded")
    # And the stored result scores at least as much as every candidate
    record = world.store.get(request_id)
    assert record is not None
    assert record.result is not None
    assert all(record.result.score >= m.sketch.score for m in seen if isinstance(m, RouteCandidate))
