"""Steps for features/alternatives.feature: PlanTour on a small street grid (no database)."""

from __future__ import annotations

import itertools

from pytest_bdd import given, parsers, scenarios, then, when

from tests.fakes.clock import FakeClock
from tests.fakes.poi_repository import InMemoryPoiRepository
from tests.unit.test_plan_tour_alternatives import ENGINE, GRID, PLACES
from wildside.app.plan_tour import PlanTour
from wildside.domain.alternatives import shared_fraction
from wildside.domain.geo import GeoPoint
from wildside.domain.route_result import route_result
from wildside.domain.route_spec import RouteSpec
from wildside.domain.tour import Tour
from wildside.ports.tour_engines import FixedTourEngines

scenarios("alternatives.feature")


@given("a grid of streets with a place at every junction", target_fixture="plan")
def _grid() -> PlanTour:
    return PlanTour(
        pois=InMemoryPoiRepository(pois=PLACES), engines=FixedTourEngines(ENGINE), clock=FakeClock()
    )


def _spec(minutes: int, themes: str, k: int) -> RouteSpec:
    return RouteSpec.build(
        start=GeoPoint(*GRID[0]),
        duration_minutes=minutes,
        preferences=themes.split(","),
        alternatives=k,
    )


@when(
    parsers.parse('I ask for a {minutes:d} minute tour about "{themes}" with {k:d} alternatives'),
    target_fixture="asked",
)
def _ask(plan: PlanTour, minutes: int, themes: str, k: int) -> tuple[RouteSpec, Tour]:
    spec = _spec(minutes, themes, k)
    return spec, plan(spec)


@then(parsers.parse("{k:d} tours come back, best first, each with its own seed"))
def _best_first(asked: tuple[RouteSpec, Tour], k: int) -> None:
    tours = [asked[1], *asked[1].alternatives]
    assert len(tours) == k
    assert [t.score for t in tours] == sorted((t.score for t in tours), reverse=True)
    assert len({t.seed for t in tours}) == k


@then("no two of them share more than half of the smaller tour's stops")
def _distinct(asked: tuple[RouteSpec, Tour]) -> None:
    tours = [asked[1], *asked[1].alternatives]
    for a, b in itertools.combinations(tours, 2):
        assert shared_fraction(a, b) <= 0.5


@then("the result is the tour asked for without alternatives, and has none")
def _unchanged(plan: PlanTour, asked: tuple[RouteSpec, Tour]) -> None:
    spec, tour = asked
    plain = RouteSpec.build(start=spec.start, duration_minutes=30, preferences=["history"])
    assert spec == plain
    assert route_result(tour) == route_result(plan(plain))
    assert tour.alternatives == ()
