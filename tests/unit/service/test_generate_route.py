"""The worker's use case: statuses in contract order, cache, timeouts, failures, redelivery."""

from __future__ import annotations

import pytest

from tests.support import defaults
from tests.unit.service.conftest import ADA, HELSINKI, World
from wildside.app.generate_route import GenerateRoute, JobOutcome
from wildside.domain.errors import InvalidInputError, UnavailableError
from wildside.domain.route_result import RoutePoint
from wildside.domain.route_spec import RouteSpec
from wildside.domain.route_status import RouteStatus
from wildside.ports.route_job_queue import GenerateRouteJob

SPEC = RouteSpec.build(start=HELSINKI, duration_minutes=90, preferences=["history"])


def _generator(world: World, **settings: object) -> GenerateRoute:
    return world.generate_route(settings=defaults.generation_settings(**settings))


def _queued_job(world: World, spec: RouteSpec = SPEC) -> GenerateRouteJob:
    world.submit_route()(ADA, spec)
    return world.queue.jobs[-1]


def _statuses(world: World, request_id: str) -> list[tuple[str, int]]:
    return [
        (u.status.value, u.progress) for u in world.channel.published if u.request_id == request_id
    ]


def test_a_job_runs_to_succeeded_with_rising_progress(world: World) -> None:
    job = _queued_job(world)
    # When the worker runs the job
    outcome = _generator(world)(job)
    # Then the request went queued -> running (with progress) -> succeeded, with the route stored
    assert outcome is JobOutcome.SUCCEEDED
    published = _statuses(world, job.request_id)
    assert published[0] == ("queued", 0)
    assert published[1] == ("running", 0)
    assert published[-1] == ("succeeded", 100)
    running = [p for s, p in published if s == "running"]
    assert running == sorted(running)
    assert len(running) > 2
    record = world.store.get(job.request_id)
    assert record is not None
    assert record.result is not None
    assert record.result.points[0] == RoutePoint(lat=60.17, lng=24.95, name="Old Church")
    assert record.result.distance_m == 2340
    assert record.result.diagnostics.cache_hit is False
    assert world.metrics.jobs == [("route_generation", "succeeded")]


def test_the_result_is_cached_with_a_jittered_day_and_reused(world: World) -> None:
    first = _queued_job(world)
    generate = _generator(world)
    generate(first)
    key = SPEC.cache_key("import-1", now=world.clock.now())
    assert world.cache.ttls[key] == 86400  # the fixed jitter picked the middle of ±10 %
    assert world.jitter.asked == [(-0.1, 0.1)]
    # When the same request comes again
    second = _queued_job(world)
    outcome = generate(second)
    # Then the engine is not run again and the request still passes through running
    assert outcome is JobOutcome.CACHE_HIT
    assert len(world.planner.calls) == 1
    assert [s for s, _ in _statuses(world, second.request_id)] == [
        "queued",
        "running",
        "succeeded",
    ]
    record = world.store.get(second.request_id)
    assert record is not None
    assert record.result is not None
    assert record.result.diagnostics.cache_hit is True
    assert world.metrics.cache_lookups == [False, True]


@pytest.mark.parametrize(("fraction", "ttl"), [(0.0, 77760), (1.0, 95040)])
def test_cache_ttls_spread_ten_percent_around_a_day(
    world: World, fraction: float, ttl: int
) -> None:
    world.jitter.fraction = fraction
    _generator(world)(_queued_job(world))
    assert world.cache.ttls[SPEC.cache_key("import-1", now=world.clock.now())] == ttl


def test_new_map_data_misses_the_cache(world: World) -> None:
    generate = _generator(world)
    generate(_queued_job(world))
    world.planner.version = "import-2"
    assert generate(_queued_job(world)) is JobOutcome.SUCCEEDED
    assert len(world.planner.calls) == 2


def test_a_redelivered_job_after_success_changes_nothing(world: World) -> None:
    job = _queued_job(world)
    generate = _generator(world)
    generate(job)
    before = world.store.get(job.request_id)
    # When the queue delivers the same job again
    assert generate(job) is JobOutcome.SKIPPED
    # Then nothing was recomputed or republished, and the skip was counted
    assert len(world.planner.calls) == 1
    assert world.store.get(job.request_id) == before
    assert world.metrics.jobs == [
        ("route_generation", "succeeded"),
        ("route_generation", "skipped"),
    ]


def test_a_job_out_of_time_before_the_engine_starts_fails_with_timeout(world: World) -> None:
    # Given reading the map data version alone takes longer than the job's limit
    job = _queued_job(world)
    world.planner.version_seconds = 40.0
    outcome = _generator(world, time_limit_s=30.0)(job)
    # Then there is no tour at all: the request fails with "timeout", the engine never ran
    assert world.planner.calls == []
    assert outcome is JobOutcome.TIMEOUT
    record = world.store.get(job.request_id)
    assert record is not None
    assert (record.status, record.error) == (RouteStatus.FAILED, "timeout")
    assert _statuses(world, job.request_id)[-1][0] == "failed"
    assert world.channel.published[-1].error == "timeout"


def test_a_request_the_engine_refuses_fails_with_its_message(world: World) -> None:
    job = _queued_job(world)
    world.planner.error = InvalidInputError("the start is 12 km from the nearest street")
    assert _generator(world)(job) is JobOutcome.FAILED
    record = world.store.get(job.request_id)
    assert record is not None
    assert record.error == "the start is 12 km from the nearest street"


def test_an_outage_is_raised_for_the_queue_to_retry(world: World) -> None:
    job = _queued_job(world)
    world.planner.error = UnavailableError("PostgreSQL is down", service="postgresql")
    with pytest.raises(UnavailableError):
        _generator(world)(job)
    record = world.store.get(job.request_id)
    assert record is not None
    assert record.status is RouteStatus.RUNNING  # the retry may still succeed


def test_abandoning_a_queued_job_passes_through_running(world: World) -> None:
    job = _queued_job(world)
    _generator(world).abandon(job, "gave up after 5 attempts")
    assert [s for s, _ in _statuses(world, job.request_id)] == ["queued", "running", "failed"]
    record = world.store.get(job.request_id)
    assert record is not None
    assert record.error == "gave up after 5 attempts"


def test_a_sparse_area_asks_for_enrichment_once(world: World) -> None:
    from wildside.app.request_enrichment import RequestEnrichment

    class Jobs:
        def __init__(self) -> None:
            self.sent: list[object] = []

        def enqueue(self, job: object) -> None:
            self.sent.append(job)

    class Once:
        def __init__(self) -> None:
            self.keys: set[str] = set()

        def claim(self, key: str, ttl_s: float) -> bool:
            fresh = key not in self.keys
            self.keys.add(key)
            return fresh

    jobs = Jobs()
    trigger = RequestEnrichment(jobs, Once(), defaults.trigger_settings(min_candidates=50))  # type: ignore[arg-type]
    generate = world.generate_route(enrichment=trigger)
    # Given the fake engine reports 40 candidates found, under the threshold of 50
    generate(_queued_job(world))
    again = RouteSpec.build(start=HELSINKI, duration_minutes=90, preferences=["history"], seed=3)
    generate(_queued_job(world, again))
    # Then one job went out for the area (the second request fell in the cool-down)
    assert len(jobs.sent) == 1
    box = jobs.sent[0].bbox  # type: ignore[attr-defined]
    assert box.south < HELSINKI.lat < box.north
    assert box.west < HELSINKI.lng < box.east
