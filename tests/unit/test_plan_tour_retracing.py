"""PlanTour without retracing: the way back takes another street when the budget allows it."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.fakes.clock import FakeClock
from tests.fakes.opening_calendar import FakeOpeningCalendar
from tests.fakes.poi_repository import InMemoryPoiRepository
from tests.unit.test_plan_tour_alternatives import ENGINE, GRID, PLACES
from tests.unit.test_street_network import graph_from_edges
from wildside.app.plan_tour import EngineSettings, PlanTour
from wildside.domain.geo import GeoPoint
from wildside.domain.opening import HOURS_TAG
from wildside.domain.route_spec import RouteSpec
from wildside.domain.scoring import Poi
from wildside.domain.solver.engine import NumbaTourEngine
from wildside.domain.solver.street_network import StreetNetwork
from wildside.domain.tour import Tour
from wildside.ports.tour_engines import FixedTourEngines

# A shore road of 1 000 m from the start (0) to a viewpoint (4), in four stretches,
# and a park path beside it that is 200 m longer: north 100 m, east 1 000 m, south 100 m.
_EAST = 0.0044966  # degrees of longitude in 250 m at latitude 60
SHORE_POINTS = [(60.0, 25.0 + _EAST * i) for i in range(5)] + [
    (60.0009, 25.0 + _EAST * i) for i in range(5)
]
SHORE_EDGES = [(i, i + 1, 250.0) for i in range(4)] + [
    (0, 5, 100.0),
    *((i, i + 1, 250.0) for i in range(5, 9)),
    (9, 4, 100.0),
]
SHORE = NumbaTourEngine(StreetNetwork(graph_from_edges(SHORE_POINTS, SHORE_EDGES)))
VIEWPOINT = Poi(
    "node/4", "Pier viewpoint", *SHORE_POINTS[4], ("nature",), 0.5, {"tourism": "viewpoint"}
)


def shore_plan(**engine: Any) -> PlanTour:
    """Tours on the shore road, with the default engine settings but those given."""
    return PlanTour(
        pois=InMemoryPoiRepository(pois=[VIEWPOINT]),
        engines=FixedTourEngines(SHORE),
        clock=FakeClock(),
        settings=EngineSettings(**engine),
    )


def shore_tour(minutes: float, **engine: Any) -> Tour:
    spec = RouteSpec.build(
        start=GeoPoint(*SHORE_POINTS[0]), duration_minutes=minutes, preferences=["nature"]
    )
    return shore_plan(**engine)(spec)


def test_the_way_back_takes_the_other_street() -> None:
    # Given 45 minutes: 2 200 m of walking (28 minutes) and 5 at the viewpoint fit
    tour = shore_tour(45)
    # Then the tour goes out along one street and comes back along the other
    assert [stop.key for stop in tour.stops] == ["node/4"]
    assert sorted(leg.distance_m for leg in tour.legs) == [1000.0, 1200.0]
    assert tour.diagnostics.retrace_share == 0.0
    # And the times are those of the legs walked, within the budget
    assert tour.stops[0].arrival_s == tour.legs[0].duration_s
    assert tour.used_s == pytest.approx(2200.0 / 1.3 + 300.0, abs=0.1)


def test_with_no_time_for_the_detour_the_tour_walks_back_the_way_it_came() -> None:
    # Given 32 minutes: the detour would take 33.2, the same street back 30.6
    tour = shore_tour(32)
    # Then the viewpoint is still visited, and the walk back retraces the way out
    assert [stop.key for stop in tour.stops] == ["node/4"]
    assert [leg.distance_m for leg in tour.legs] == [1000.0, 1000.0]
    assert tour.diagnostics.retrace_share == 0.5
    assert tour.used_s <= 32 * 60


def test_a_re_solve_never_trades_a_stop_for_a_street() -> None:
    # Given the same tight budget and one re-solve with the legs' real costs
    tour = shore_tour(32, reuse_rounds=1)
    # Then the tour keeps its stop rather than an empty walk that retraces nothing
    assert [stop.key for stop in tour.stops] == ["node/4"]
    assert tour.diagnostics.retrace_share == 0.5


def test_with_no_penalty_every_leg_is_the_shortest_as_before() -> None:
    tour = shore_tour(45, reuse_penalty=0.0)
    assert [leg.distance_m for leg in tour.legs] == [1000.0, 1000.0]
    assert tour.diagnostics.retrace_share == 0.5


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 1000),
    minutes=st.integers(8, 60),  # the fixed end is 444 m (5.7 minutes) away
    penalty=st.sampled_from([0.0, 0.5, 2.0, 8.0]),
    rounds=st.integers(0, 2),
    end=st.sampled_from(["round trip", "fixed", "anywhere"]),
)
def test_penalised_tours_fit_their_budget_and_their_legs_join_up(
    seed: int, minutes: int, penalty: float, rounds: int, end: str
) -> None:
    # Given a grid of streets with a place at every junction, and any penalty
    plan = PlanTour(
        pois=InMemoryPoiRepository(pois=PLACES),
        engines=FixedTourEngines(ENGINE),
        clock=FakeClock(),
        settings=EngineSettings(reuse_penalty=penalty, reuse_rounds=rounds),
    )
    ends: dict[str, Any] = {
        "round trip": {},
        "fixed": {"end": GeoPoint(*GRID[12])},
        "anywhere": {"end_anywhere": True},
    }[end]
    spec = RouteSpec.build(
        start=GeoPoint(*GRID[0]),
        duration_minutes=minutes,
        preferences=["history"],
        seed=seed,
        **ends,
    )
    # When a tour is planned
    tour = plan(spec)
    # Then walking and visiting fit the budget (each leg's time is rounded to 0.1 s)
    assert tour.used_s <= spec.budget_s + 0.05 * len(tour.legs) + 1e-6
    # And the legs join up, from the start to the end
    assert tour.legs[0].coords[0] == (spec.start.lng, spec.start.lat)
    assert tour.legs[-1].coords[-1] == (tour.end.lng, tour.end.lat)
    for before, after in itertools.pairwise(tour.legs):
        assert before.coords[-1] == after.coords[0]
    # And each stop is reached when its legs and the visits before it say
    clock = 0.0
    for stop, leg in zip(tour.stops, tour.legs, strict=False):
        clock += leg.duration_s
        assert stop.arrival_s == pytest.approx(clock, abs=0.05 * len(tour.legs) + 1e-6)
        clock += stop.dwell_s
    assert 0.0 <= tour.diagnostics.retrace_share < 1.0
    # And the same request gives the same tour
    assert plan(spec) == tour


# A start (0) with a 520 m street east to a pier (1) and a 130 m one north to a
# garden (2); from the pier a 130 m path north and a 660 m one west reach the
# garden without the first street: 790 m against 650 m back through the start.
_EAST_520, _NORTH_130 = 0.0093530, 0.0011691
CORNER_POINTS = [
    (60.0, 25.0),
    (60.0, 25.0 + _EAST_520),
    (60.0 + _NORTH_130, 25.0),
    (60.0 + _NORTH_130, 25.0 + _EAST_520),
]
CORNER = NumbaTourEngine(
    StreetNetwork(
        graph_from_edges(
            CORNER_POINTS, [(0, 1, 520.0), (0, 2, 130.0), (1, 3, 130.0), (3, 2, 660.0)]
        )
    )
)
TEN_AM = datetime(2026, 12, 8, 8, 0, tzinfo=UTC)  # 10:00 in Helsinki, a Tuesday


def corner_tour(*, has_hours: bool) -> Tour:
    """A 45-minute round trip from the corner's start at 10:00, with or without the hours."""
    # The pier closes at 10:18, so only the pier first works; the garden at 10:26,
    # which the longer path would overrun (there at 10:21:48, leaving at 10:26:48).
    closing = {1: "09:00-10:18", 2: "09:00-10:26"}
    places = []
    for node, name in ((1, "Pier"), (2, "Garden")):
        tags = {"tourism": "viewpoint"} | ({HOURS_TAG: closing[node]} if has_hours else {})
        places.append(Poi(f"node/{node}", name, *CORNER_POINTS[node], ("nature",), 0.5, tags))
    plan = PlanTour(
        pois=InMemoryPoiRepository(pois=places),
        engines=FixedTourEngines(CORNER),
        clock=FakeClock(),
        calendar=FakeOpeningCalendar(),
    )
    spec = RouteSpec.build(
        start=GeoPoint(*CORNER_POINTS[0]),
        duration_minutes=45,
        preferences=["nature"],
        start_time=TEN_AM,
    )
    return plan(spec)


def test_a_detour_that_would_find_a_door_shut_is_not_taken() -> None:
    # Given no opening hours: the tour takes the longer path and retraces nothing
    free = corner_tour(has_hours=False)
    assert len(free.stops) == 2
    assert free.diagnostics.retrace_share == 0.0
    # Given hours that let the tour visit the pier first and reach the garden
    # before 10:26 only by the shortest way, back through the start
    tour = corner_tour(has_hours=True)
    # Then it walks that way, and both places are open when the walker gets there
    assert [stop.key for stop in tour.stops] == ["node/1", "node/2"]
    assert [leg.distance_m for leg in tour.legs] == [520.0, 650.0, 130.0]
    assert [stop.arrival_s for stop in tour.stops] == [400.0, 1200.0]
    assert [stop.opening.state for stop in tour.stops] == ["open", "open"]
    assert tour.diagnostics.retrace_share == 0.5
