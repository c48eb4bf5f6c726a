"""PlanTour over the TourEngine port: an end out of reach is one clear, non-retryable error."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from tests.fakes.clock import FakeClock
from tests.fakes.poi_repository import InMemoryPoiRepository
from tests.unit.test_street_network import graph_from_edges
from wildside.app.plan_tour import EndOutOfReachError, PlanTour
from wildside.domain.errors import InvalidInputError, WildsideError
from wildside.domain.geo import GeoPoint
from wildside.domain.route_spec import RouteSpec
from wildside.domain.solver.engine import NumbaTourEngine
from wildside.domain.solver.street_network import StreetNetwork
from wildside.ports.poi_repository import SearchArea
from wildside.ports.tour_engine import (
    InfeasibleBudgetError,
    OrienteeringProblem,
    OrienteeringSolution,
    ProgressCallback,
    SnappedPoint,
    StreetLeg,
    TourEngine,
)
from wildside.ports.tour_engines import FixedTourEngines, NoWalkingNetworkError


def _spec(start: GeoPoint, minutes: float, themes: Sequence[str] = (), **more: Any) -> RouteSpec:
    return RouteSpec.build(start=start, duration_minutes=minutes, preferences=themes, **more)


# Two short streets 445 m apart that no street joins (farther than the 400 m an end
# may be moved to reach the start's street).
WEST = [(60.0, 25.0), (60.001, 25.0)]
EAST = [(60.0, 25.008), (60.001, 25.008)]


def _islands() -> NumbaTourEngine:
    return NumbaTourEngine(
        StreetNetwork(graph_from_edges(WEST + EAST, [(0, 1, 111.0), (2, 3, 111.0)]))
    )


def _plan(engine: TourEngine) -> PlanTour:
    return PlanTour(
        pois=InMemoryPoiRepository(), engines=FixedTourEngines(engine), clock=FakeClock()
    )


def test_an_end_no_street_reaches_is_end_out_of_reach() -> None:
    # Given a start on one street and an end on another that no street joins
    plan = _plan(_islands())
    request = _spec(GeoPoint(*WEST[0]), 60, end=GeoPoint(*EAST[0]))
    # When a tour is planned
    with pytest.raises(EndOutOfReachError) as raised:
        plan(request)
    # Then the error says so in the walker's terms, and nobody should retry it
    error = raised.value
    assert isinstance(error, InvalidInputError)
    assert isinstance(error, WildsideError)
    assert (error.code, error.is_retryable, error.field) == ("end-out-of-reach", False, "end")
    assert error.message == (
        "the end cannot be reached from the start within the 60-minute budget at 1.3 m/s:"
        " the walk between them is longer than 4.7 km, or no street joins them;"
        " choose a nearer end or more time"
    )
    assert isinstance(error.__cause__, InfeasibleBudgetError)


def test_the_same_end_within_reach_gives_a_tour() -> None:
    plan = _plan(_islands())
    tour = plan(_spec(GeoPoint(*WEST[0]), 60, end=GeoPoint(*WEST[1])))
    assert tour.stops == []
    assert tour.distance_m == pytest.approx(111.0)


class _TightEngine:
    """Every point on the street; the direct walk just over the budget."""

    def snap(
        self, points: Sequence[GeoPoint], *, radius_m: float = 0.0, component: int | None = None
    ) -> list[SnappedPoint]:
        return [SnappedPoint(i, 0.0, 0, len(points)) for i in range(len(points))]

    def travel_matrix(
        self,
        vertices: Sequence[int],
        *,
        is_round_trip: bool,
        walk_m: float,
        is_open_end: bool = False,
    ) -> list[list[float]]:
        return [[0.0, 5070.0], [5070.0, 0.0]]

    def solve(
        self,
        problem: OrienteeringProblem,
        progress: ProgressCallback | None = None,
        improved: Any = None,
    ) -> OrienteeringSolution:
        raise InfeasibleBudgetError("over", direct_cost=3900.0, budget=problem.budget)

    def legs(
        self, vertices: Sequence[int], cutoff_m: float, reuse_penalty: float = 0.0
    ) -> list[StreetLeg]:
        raise AssertionError("no legs for a tour that cannot be walked")


def test_an_end_just_beyond_the_budget_says_how_long_the_walk_is() -> None:
    plan = _plan(_TightEngine())
    request = _spec(GeoPoint(60.0, 25.0), 60, end=GeoPoint(60.0, 25.09))
    with pytest.raises(EndOutOfReachError) as raised:
        plan(request)
    assert raised.value.message == (
        "walking straight from the start to the end takes 65 minutes,"
        " more than the 60-minute budget; choose a nearer end or more time"
    )


class _NoStreets:
    """A factory with no walking network anywhere; the POI store must not even be asked."""

    def for_area(self, area: SearchArea) -> TourEngine:
        raise NoWalkingNetworkError("no walking network near the start", field="start")


class _UnaskedPois(InMemoryPoiRepository):
    def within(self, *args: Any, **kwargs: Any) -> Any:
        raise AssertionError("POIs were fetched for a start with no streets")


def test_a_start_with_no_walking_network_fails_before_any_poi_query() -> None:
    # Given an engine factory that finds no streets near the start
    plan = PlanTour(pois=_UnaskedPois(), engines=_NoStreets(), clock=FakeClock())
    # When a tour is planned there, Then it is no-walking-network, not retryable
    with pytest.raises(NoWalkingNetworkError) as raised:
        plan(_spec(GeoPoint(10.0, 10.0), 60))
    assert (raised.value.code, raised.value.field) == ("no-walking-network", "start")
    assert not raised.value.is_retryable


class _StoppedEngine(_TightEngine):
    """A search that was told to stop: an empty round trip, flagged as stopped early."""

    def travel_matrix(
        self,
        vertices: Sequence[int],
        *,
        is_round_trip: bool,
        walk_m: float,
        is_open_end: bool = False,
    ) -> list[list[float]]:
        return [[0.0]]

    def solve(
        self,
        problem: OrienteeringProblem,
        progress: ProgressCallback | None = None,
        improved: Any = None,
    ) -> OrienteeringSolution:
        assert progress is not None
        assert progress(10, 0.0) is True  # the caller's callback asks to stop
        return OrienteeringSolution([0, 0], 0.0, 0.0, 3, False, is_stopped_early=True)

    def legs(
        self, vertices: Sequence[int], cutoff_m: float, reuse_penalty: float = 0.0
    ) -> list[StreetLeg]:
        return [StreetLeg(0.0, [(25.0, 60.0)])]


def test_a_search_stopped_early_gives_a_partial_tour() -> None:
    plan = _plan(_StoppedEngine())
    tour = plan(_spec(GeoPoint(60.0, 25.0), 60), progress=lambda percent, best: True)
    assert tour.diagnostics.is_partial is True
    assert tour.diagnostics.iterations == 3
