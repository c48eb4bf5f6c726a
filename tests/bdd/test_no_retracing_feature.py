"""Steps for features/no_retracing.feature: PlanTour on a shore road and a park path (in memory)."""

from __future__ import annotations

from pytest_bdd import given, parsers, scenarios, then, when

from tests.unit.test_plan_tour_retracing import SHORE_POINTS, VIEWPOINT, corner_tour, shore_plan
from wildside.app.plan_tour import PlanTour
from wildside.domain.geo import GeoPoint
from wildside.domain.route_result import RouteResult, route_result
from wildside.domain.route_spec import RouteSpec

scenarios("no_retracing.feature")

SHORE_ROAD_M, PARK_PATH_M = 1000.0, 1200.0


@given(
    "a viewpoint at the end of a 1 km shore road, with a park path beside it 200 m longer",
    target_fixture="plan",
)
def _shore() -> PlanTour:
    return shore_plan()


@when(parsers.parse("I ask for a {minutes:d} minute round trip to see it"), target_fixture="route")
def _ask(plan: PlanTour, minutes: int) -> RouteResult:
    spec = RouteSpec.build(
        start=GeoPoint(*SHORE_POINTS[0]), duration_minutes=minutes, preferences=["nature"]
    )
    return route_result(plan(spec))


@given(
    "a pier 520 m east of the start that closes at 10:18, and a garden 130 m north that closes"
    " at 10:26"
)
def _pier_and_garden() -> None:
    """The streets and places of ``corner_tour`` (tests/unit/test_plan_tour_retracing.py)."""


@given("a path from the pier to the garden that keeps off the start's streets but is 140 m longer")
def _longer_path() -> None:
    """790 m from the pier to the garden, against 650 m back past the start."""


@when("I ask at 10:00 for a 45 minute round trip to both", target_fixture="route")
def _ask_both() -> RouteResult:
    return route_result(corner_tour(has_hours=True))


@then("the tour visits the pier and then the garden, each while it is open")
def _both_open(route: RouteResult) -> None:
    assert [stop.id for stop in route.stops] == ["node/1", "node/2"]
    assert [stop.opening.state for stop in route.stops] == ["open", "open"]
    # 10:06:40 at the pier until 10:11:40, 10:20 at the garden until 10:25
    assert [stop.arrival_offset_s for stop in route.stops] == [400.0, 1200.0]


@then("it walks from the pier to the garden the shorter way, back past the start")
def _shorter(route: RouteResult) -> None:
    assert [leg.distance_m for leg in route.legs] == [520.0, 650.0, 130.0]


@then("the tour goes out along the shore road and comes back along the park path")
def _other_way(route: RouteResult) -> None:
    assert [leg.distance_m for leg in route.legs] == [SHORE_ROAD_M, PARK_PATH_M]


@then("the tour still visits the viewpoint")
def _visits(route: RouteResult) -> None:
    assert [stop.id for stop in route.stops] == [VIEWPOINT.key]


@then("it goes out and back along the shore road")
def _same_way(route: RouteResult) -> None:
    assert [leg.distance_m for leg in route.legs] == [SHORE_ROAD_M, SHORE_ROAD_M]


@then("the tour says none of its walk retraces itself")
def _none(route: RouteResult) -> None:
    assert route.diagnostics.retrace_share == 0.0


@then("the tour says half of its walk retraces itself")
def _half(route: RouteResult) -> None:
    assert route.diagnostics.retrace_share == 0.5


@then(parsers.parse("walking plus time at the stops fits in {minutes:d} minutes"))
def _fits(route: RouteResult, minutes: int) -> None:
    assert route.walking_s + route.dwell_s <= minutes * 60
    assert route.budget_s == minutes * 60
