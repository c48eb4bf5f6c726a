"""The worker's use case stopping early: a cancelled request, a partial tour at the time limit."""

from __future__ import annotations

from tests.support import defaults
from tests.unit.service.conftest import ADA, HELSINKI, World
from wildside.app.cancel_route import CancelRoute
from wildside.app.generate_route import GenerateRoute, JobOutcome
from wildside.domain.route_spec import RouteSpec
from wildside.domain.route_status import RouteStatus
from wildside.ports.route_job_queue import GenerateRouteJob

SPEC = RouteSpec.build(start=HELSINKI, duration_minutes=90, preferences=["history"])


def _generator(world: World, **settings: object) -> GenerateRoute:
    return world.generate_route(settings=defaults.generation_settings(**settings))


def _queued_job(world: World) -> GenerateRouteJob:
    world.submit_route()(ADA, SPEC)
    return world.queue.jobs[-1]


def _cancel(world: World) -> CancelRoute:
    return CancelRoute(world.store, world.channel, world.clock)


def test_a_cancel_is_noticed_at_the_next_progress_check(world: World) -> None:
    # Given a job whose request its user cancels while the engine is at 30 %
    job = _queued_job(world)
    steps: list[int] = []

    def cancel_at_30(percent: int) -> None:
        steps.append(percent)
        if percent == 30:
            _cancel(world)(ADA, job.request_id)

    world.planner.on_step = cancel_at_30
    generate = _generator(world)
    # When the worker runs it
    outcome = generate(job)
    # Then it stopped at that check: no later step ran, nothing was stored, nothing was retried
    assert outcome is JobOutcome.CANCELLED
    assert steps == [0, 30]
    record = world.store.get(job.request_id)
    assert record is not None
    assert (record.status, record.error, record.result) == (RouteStatus.FAILED, "cancelled", None)
    assert world.store.rows[job.request_id].lease_until is None
    assert world.metrics.jobs == [("route_generation", "cancelled")]
    assert world.channel.published[-1].error == "cancelled"
    assert [u.status.value for u in world.channel.published].count("failed") == 1


def test_a_cancelled_job_is_not_run_again(world: World) -> None:
    # Given a request cancelled while it was queued
    job = _queued_job(world)
    _cancel(world)(ADA, job.request_id)
    # When its job arrives (first delivery or any redelivery), nothing runs
    generate = _generator(world)
    assert generate(job) is JobOutcome.SKIPPED
    assert generate(job) is JobOutcome.SKIPPED
    assert world.planner.calls == []
    # And the queue giving up on it changes nothing either
    generate.abandon(job, "timeout")
    record = world.store.get(job.request_id)
    assert record is not None
    assert record.error == "cancelled"
    # And the maintenance sweep does not see it as lost
    assert world.store.claim_lost(world.clock.now(), world.clock.now(), 10) == []


def test_at_the_time_limit_the_best_tour_so_far_is_the_result(world: World) -> None:
    # Given an engine that needs 20 s a step and a job limit of 30 s
    job = _queued_job(world)
    world.planner.seconds_per_step = 20.0
    outcome = _generator(world, time_limit_s=30.0)(job)
    # Then the engine was asked to stop at the second step and its tour was stored as partial
    assert outcome is JobOutcome.SUCCEEDED
    record = world.store.get(job.request_id)
    assert record is not None
    assert record.status is RouteStatus.SUCCEEDED
    assert record.result is not None
    assert record.result.diagnostics.partial is True
    assert world.channel.published[-1].status is RouteStatus.SUCCEEDED
    # And a partial tour is not cached: the same request later gets a full search
    assert world.cache.ttls == {}


def test_a_job_in_time_is_not_partial(world: World) -> None:
    job = _queued_job(world)
    _generator(world)(job)
    record = world.store.get(job.request_id)
    assert record is not None
    assert record.result is not None
    assert record.result.diagnostics.partial is False
