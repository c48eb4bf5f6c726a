"""The route cache and start times: a tour for "now" is served only in its quarter hour."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.support import defaults
from tests.unit.service.conftest import ADA, HELSINKI, World
from wildside.app.generate_route import GenerateRoute, JobOutcome
from wildside.domain.route_spec import RouteSpec
from wildside.ports.route_job_queue import GenerateRouteJob

NOW_SPEC = RouteSpec.build(start=HELSINKI, duration_minutes=90, preferences=["history"])
NINE = datetime(2026, 12, 8, 7, 0, tzinfo=UTC)  # 09:00 in Helsinki


def _job(world: World, spec: RouteSpec = NOW_SPEC) -> GenerateRouteJob:
    world.submit_route()(ADA, spec)
    return world.queue.jobs[-1]


def _generate(world: World) -> GenerateRoute:
    return world.generate_route(settings=defaults.generation_settings())


def _at(when: datetime) -> World:
    world = World()
    world.clock.advance((when - world.clock.now()).total_seconds())
    return world


def test_a_tour_for_now_planned_at_nine_is_not_served_at_ten_in_the_evening() -> None:
    world = _at(NINE)
    generate = _generate(world)
    assert generate(_job(world)) is JobOutcome.SUCCEEDED
    # When the same request comes 14 minutes later, it is served from the cache
    world.clock.advance(14 * 60)
    assert generate(_job(world)) is JobOutcome.CACHE_HIT
    # But 13 hours later it is planned again, for its own time
    world.clock.advance(13 * 3600)
    assert generate(_job(world)) is JobOutcome.SUCCEEDED
    assert len(world.planner.calls) == 2


def test_a_stated_start_time_is_served_from_the_cache_whenever_asked() -> None:
    world = _at(NINE)
    generate = _generate(world)
    stated = RouteSpec.build(
        start=HELSINKI, duration_minutes=90, start_time=NINE + timedelta(days=1)
    )
    assert generate(_job(world, stated)) is JobOutcome.SUCCEEDED
    world.clock.advance(13 * 3600)
    assert generate(_job(world, stated)) is JobOutcome.CACHE_HIT
    # And the planner got the start time, which the result reports
    assert world.planner.calls[0].start_time == NINE + timedelta(days=1)
    record = world.store.get(world.queue.jobs[-1].request_id)
    assert record is not None
    assert record.result is not None
    assert record.result.start_time == NINE + timedelta(days=1)


def test_a_tour_is_cached_under_the_quarter_hour_it_was_planned_in() -> None:
    # Given a job that looks the cache up at 09:14:58 and plans past 09:15
    world = _at(NINE + timedelta(minutes=14, seconds=58))
    world.planner.seconds_per_step = 1.0
    generate = _generate(world)
    looked_up = NOW_SPEC.cache_key("import-1", now=world.clock.now())
    generate(_job(world))
    # Then the tour is kept under 09:15 (planned for 09:15-09:30), not the key looked up
    planned = NOW_SPEC.cache_key("import-1", now=NINE + timedelta(minutes=15))
    assert set(world.cache.ttls) == {planned}
    assert planned != looked_up
