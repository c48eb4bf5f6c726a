"""PlanTour's ends on a network in pieces: an end goes to the start's piece when it can."""

from __future__ import annotations

import pytest

from tests.fakes.clock import FakeClock
from tests.fakes.poi_repository import InMemoryPoiRepository
from tests.unit.test_street_network import graph_from_edges
from wildside.app.plan_tour import EndOutOfReachError, PlanTour
from wildside.domain.geo import GeoPoint
from wildside.domain.route_spec import RouteSpec
from wildside.domain.solver.engine import NumbaTourEngine
from wildside.domain.solver.street_network import StreetNetwork
from wildside.ports.tour_engines import FixedTourEngines

# A main street of five junctions along 60.0 N, and a three-junction street
# 445 m north of it (along 60.004 N) that no street joins.
MAIN = [(60.0, 25.0 + 0.002 * i) for i in range(5)]
NORTH = [(60.004, 25.0), (60.004, 25.002), (60.004, 25.004)]
EDGES = [(i, i + 1, 111.0) for i in range(4)] + [(5, 6, 111.0), (6, 7, 111.0)]
ON_THE_NORTH_STREET = GeoPoint(60.0045, 25.0)  # 56 m from it, 500 m from the main street
# 78 m from the north street, 367 m from the main one: both within the 400 m snap distance.
BETWEEN = GeoPoint(60.0033, 25.004)


def _plan() -> PlanTour:
    engine = NumbaTourEngine(StreetNetwork(graph_from_edges(MAIN + NORTH, EDGES)))
    return PlanTour(
        pois=InMemoryPoiRepository(), engines=FixedTourEngines(engine), clock=FakeClock()
    )


def test_an_end_within_reach_of_the_starts_piece_is_snapped_onto_it() -> None:
    # Given a start on the north street and an end nearer it than the (larger) main street
    request = RouteSpec.build(start=ON_THE_NORTH_STREET, duration_minutes=30, end=BETWEEN)
    # When a tour is planned
    tour = _plan()(request)
    # Then it walks the north street to the end (56 + 222 + 78 m), not refused as out of reach
    assert tour.distance_m == pytest.approx(56 + 222 + 78, abs=2)


def test_an_end_only_the_main_street_reaches_is_still_out_of_reach() -> None:
    # Given the same start and an end 600 m from the north street, by the main one
    request = RouteSpec.build(
        start=ON_THE_NORTH_STREET, duration_minutes=30, end=GeoPoint(59.9995, 25.004)
    )
    # When a tour is planned, Then no street joins them, and the walker is told
    with pytest.raises(EndOutOfReachError, match="no street joins them"):
        _plan()(request)
