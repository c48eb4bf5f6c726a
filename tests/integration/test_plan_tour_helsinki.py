"""The engine on the real Helsinki data: invariants a walker relies on, checked independently."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from typing import Any

import psycopg
import pytest
from pytest_postgresql.executors import PostgreSQLExecutor

from adapters.composition import build_ingest, build_plan_tour
from adapters.outbound.postgres.migrations import PostgresMigrationRunner
from adapters.settings import load_settings
from tests.conftest import HELSINKI_PBF, url_of
from wildside.app.plan_tour import NoDataNearbyError, PlanTour
from wildside.domain.errors import InvalidInputError
from wildside.domain.geo import GeoPoint, haversine_m
from wildside.domain.route_spec import RouteSpec
from wildside.domain.tour import Tour
from wildside.ports.progress import SilentProgress
from wildside.ports.walking_network_source import NoWalkingNetworkError


def _spec(start: GeoPoint, minutes: float, themes: Sequence[str] = (), **more: Any) -> RouteSpec:
    return RouteSpec.build(start=start, duration_minutes=minutes, preferences=themes, **more)


RAUTATIENTORI = GeoPoint(60.1712, 24.9441)  # the railway station square
KAUPPATORI = GeoPoint(60.1675, 24.9525)  # the market square


@pytest.fixture(scope="module")
def plan(postgresql_proc: PostgreSQLExecutor) -> Iterator[PlanTour]:
    """Helsinki ingested once into a database of its own, and the engine over it."""
    name = "engine_helsinki"
    admin = url_of(postgresql_proc, "postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name} TEMPLATE {postgresql_proc.template_dbname}")
    url = url_of(postgresql_proc, name)
    PostgresMigrationRunner(url).apply()
    settings = load_settings({"WILDSIDE_DATABASE_URL": url})
    build_ingest(settings, SilentProgress())(HELSINKI_PBF)
    yield build_plan_tour(settings)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _line_m(coords: list[tuple[float, float]]) -> float:
    return sum(
        haversine_m(GeoPoint(a[1], a[0]), GeoPoint(b[1], b[0]))
        for a, b in itertools.pairwise(coords)
    )


def _check_invariants(tour: Tour, request: RouteSpec) -> None:
    keys = [stop.key for stop in tour.stops]
    assert len(keys) == len(set(keys)), "a stop is repeated"
    assert len(tour.legs) == len(tour.stops) + 1
    assert tour.used_s <= request.budget_s + 1e-6, "over budget"
    path = tour.path
    start = request.start
    end = request.end or request.start
    assert path[0] == (start.lng, start.lat)
    assert path[-1] == (end.lng, end.lat)
    clock = 0.0
    for leg, stop in zip(tour.legs, tour.stops, strict=False):
        clock += leg.duration_s
        assert stop.arrival_s == pytest.approx(clock, abs=0.5)
        assert leg.coords[-1] == pytest.approx((stop.lng, stop.lat), abs=0.003)  # snapped ≤150 m
        clock += stop.dwell_s
        assert stop.reason.endswith(".")
    for leg in tour.legs:
        # The reported distance is the street path, which the drawn line follows.
        assert leg.duration_s == pytest.approx(leg.distance_m / request.pace_m_s, rel=0.02, abs=1)
        assert _line_m(leg.coords) <= leg.distance_m * 1.01 + 5
    assert "OpenStreetMap contributors" in tour.attribution
    assert tour.data_version == "import-1"


def test_ninety_minute_round_trip_is_full_feasible_and_on_theme(plan: PlanTour) -> None:
    request = _spec(RAUTATIENTORI, 90, ["history", "nature"], seed=1)
    tour = plan(request)
    _check_invariants(tour, request)
    assert len(tour.stops) >= 4
    assert tour.used_s >= 0.8 * request.budget_s  # the time is actually used
    on_theme = [s for s in tour.stops if {"history", "nature"} & set(s.themes)]
    assert len(on_theme) >= len(tour.stops) - 1
    d = tour.diagnostics
    assert d.candidates_found >= d.candidates_considered > 10


def test_same_request_and_seed_give_the_same_tour(plan: PlanTour) -> None:
    request = _spec(RAUTATIENTORI, 60, ["art"], seed=5)
    assert [s.key for s in plan(request).stops] == [s.key for s in plan(request).stops]


def test_point_to_point_ends_at_the_end(plan: PlanTour) -> None:
    request = _spec(RAUTATIENTORI, 45, ["architecture"], end=KAUPPATORI, seed=2)
    tour = plan(request)
    _check_invariants(tour, request)
    assert tour.end == KAUPPATORI


def test_preferences_change_the_tour(plan: PlanTour) -> None:
    food = plan(_spec(RAUTATIENTORI, 60, ["food"], seed=3))
    history = plan(_spec(RAUTATIENTORI, 60, ["history"], seed=3))
    assert sum("food" in s.themes for s in food.stops) > sum(
        "food" in s.themes for s in history.stops
    )


def test_a_budget_too_short_for_any_stop_gives_an_empty_valid_tour(plan: PlanTour) -> None:
    request = _spec(RAUTATIENTORI, 1, [], seed=0)
    tour = plan(request)
    _check_invariants(tour, request)
    assert tour.stops == []


def test_progress_is_reported(plan: PlanTour) -> None:
    seen: list[tuple[int, float]] = []
    plan(_spec(RAUTATIENTORI, 30, [], seed=0), progress=lambda p, s: seen.append((p, s)))
    assert seen
    assert seen[-1][0] == 100
    assert [p for p, _ in seen] == sorted(p for p, _ in seen)


def test_start_outside_the_data_is_refused_clearly(plan: PlanTour) -> None:
    with pytest.raises(NoWalkingNetworkError, match="no walking network is stored within"):
        plan(_spec(GeoPoint(61.5, 23.8), 60, []))  # Tampere, not in the extract


def test_start_in_the_sea_beside_the_data_is_refused_clearly(plan: PlanTour) -> None:
    with pytest.raises(NoDataNearbyError, match="from the nearest walkable street"):
        plan(_spec(GeoPoint(60.1400, 24.9900), 60, []))  # off the harbour, tiles all around


def test_unknown_theme_is_refused(plan: PlanTour) -> None:
    with pytest.raises(InvalidInputError, match="unknown theme"):
        plan(_spec(RAUTATIENTORI, 60, ["dancing"]))


@pytest.mark.parametrize("minutes", [30, 120, 240])
def test_invariants_hold_across_budgets_and_seeds(plan: PlanTour, minutes: int) -> None:
    for seed in range(3):
        request = _spec(RAUTATIENTORI, minutes, ["culture", "views"], seed=seed)
        _check_invariants(plan(request), request)
