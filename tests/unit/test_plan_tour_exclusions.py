"""PlanTour for a re-plan: the places a walker has seen are never candidates, in any mapping."""

from __future__ import annotations

from tests.fakes.clock import FakeClock
from tests.fakes.poi_repository import InMemoryPoiRepository
from tests.unit.test_street_network import graph_from_edges
from wildside.app.plan_tour import PlanTour
from wildside.domain.geo import GeoPoint
from wildside.domain.route_spec import RouteSpec
from wildside.domain.scoring import Poi
from wildside.domain.solver.engine import NumbaTourEngine
from wildside.domain.solver.street_network import StreetNetwork
from wildside.ports.tour_engines import FixedTourEngines

# One street of five junctions 111 m apart, with three places along it.
STREET = [(60.0, 25.0 + 0.002 * i) for i in range(5)]
ENGINE = NumbaTourEngine(
    StreetNetwork(graph_from_edges(STREET, [(i, i + 1, 111.0) for i in range(4)]))
)
CHURCH = Poi("node/1", "Old Church", 60.0001, 25.002, ("history",), 0.9, {"wikidata": "Q1"})
# The same church mapped again as its building outline, under another key.
CHURCH_OUTLINE = Poi("way/7", "Old Church", 60.0002, 25.0021, ("history",), 0.5, {})
MUSEUM = Poi("node/2", "Museum", 60.0001, 25.006, ("history",), 0.6, {})


def _tour(exclude: list[str]) -> list[str]:
    plan = PlanTour(
        pois=InMemoryPoiRepository(pois=[CHURCH, CHURCH_OUTLINE, MUSEUM]),
        engines=FixedTourEngines(ENGINE),
        clock=FakeClock(),
    )
    spec = RouteSpec.build(
        start=GeoPoint(*STREET[0]),
        duration_minutes=90,
        preferences=["history"],
        exclude=exclude,
    )
    return [stop.key for stop in plan(spec).stops]


def test_without_exclusions_the_church_is_visited() -> None:
    assert "node/1" in _tour([])


def test_a_visited_place_is_skipped_with_its_other_mapping() -> None:
    # When the walker has seen the church (as node/1)
    stops = _tour(["node/1"])
    # Then the new tour visits neither it nor its outline, only what is left
    assert stops == ["node/2"]
