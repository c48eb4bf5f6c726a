"""PlanTour on a network in pieces: starts go to the main piece, slots only to reachable places."""

from __future__ import annotations

from collections.abc import Sequence

from tests.fakes.clock import FakeClock
from tests.fakes.poi_repository import InMemoryPoiRepository
from tests.unit.test_street_network import graph_from_edges
from wildside.app.plan_tour import EngineSettings, PlanTour
from wildside.domain.geo import GeoPoint
from wildside.domain.route_result import route_result
from wildside.domain.route_spec import RouteSpec
from wildside.domain.scoring import Poi
from wildside.domain.solver.engine import NumbaTourEngine
from wildside.domain.solver.street_network import StreetNetwork
from wildside.ports.tour_engines import FixedTourEngines

# A main street of five junctions 111 m apart along 60.0 N, and a two-junction
# islet 167 m north of its middle that no street joins.
MAIN = [(60.0, 25.0 + 0.002 * i) for i in range(5)]
ISLET = [(60.0015, 25.004), (60.0016, 25.004)]
NETWORK = StreetNetwork(
    graph_from_edges(MAIN + ISLET, [(i, i + 1, 111.0) for i in range(4)] + [(5, 6, 11.0)])
)
BY_THE_ISLET = GeoPoint(60.0025, 25.004)  # 100 m from the islet, 278 m from the main street


def _poi(key: str, lat: float, lng: float, popularity: float) -> Poi:
    return Poi(key, key, lat, lng, ("art",), popularity, {"tourism": "artwork"})


ON_ISLET = _poi("node/1", 60.00155, 25.004, 0.9)  # popular, but only the islet is within 150 m
ON_MAIN = _poi("node/2", 60.0001, 25.006, 0.1)


class _SpyEngine(NumbaTourEngine):
    """The real engine, remembering the vertices of every travel matrix it builds."""

    def __init__(self, network: StreetNetwork) -> None:
        super().__init__(network)
        self.matrices: list[list[int]] = []

    def travel_matrix(
        self,
        vertices: Sequence[int],
        *,
        is_round_trip: bool,
        walk_m: float,
        is_open_end: bool = False,
    ) -> list[list[float]]:
        self.matrices.append(list(vertices))
        return super().travel_matrix(
            vertices, is_round_trip=is_round_trip, walk_m=walk_m, is_open_end=is_open_end
        )


def _plan(pois: list[Poi], engine: NumbaTourEngine, cap: int = 80) -> PlanTour:
    return PlanTour(
        pois=InMemoryPoiRepository(pois=pois),
        engines=FixedTourEngines(engine),
        clock=FakeClock(),
        settings=EngineSettings(candidate_cap=cap),
    )


def _spec(start: GeoPoint, minutes: float) -> RouteSpec:
    return RouteSpec.build(start=start, duration_minutes=minutes, preferences=["art"], seed=1)


def test_a_start_by_an_islet_walks_from_the_main_street() -> None:
    # Given a start nearer the islet than the main street, and a place on each
    engine = _SpyEngine(NETWORK)
    # When a tour is planned
    tour = _plan([ON_ISLET, ON_MAIN], engine)(_spec(BY_THE_ISLET, 30))
    # Then it starts from the main street (278 m walked from the start) and visits its place
    start_vertex = engine.matrices[0][0]
    assert NETWORK.component_of[start_vertex] == NETWORK.component_of[0]
    assert tour.legs[0].distance_m > 278.0
    assert [stop.key for stop in tour.stops] == ["node/2"]
    # and no matrix row went to the islet's place
    assert all(NETWORK.component_of[v] == NETWORK.component_of[0] for v in engine.matrices[0])
    assert tour.diagnostics.candidates_considered == 1


def test_an_unreachable_place_never_takes_the_last_slot() -> None:
    # Given one slot and a more popular place on the islet than on the main street
    engine = _SpyEngine(NETWORK)
    # When a tour is planned from the main street
    tour = _plan([ON_ISLET, ON_MAIN], engine, cap=1)(_spec(GeoPoint(*MAIN[2]), 30))
    # Then the slot goes to the reachable place, and the tour visits it
    assert [stop.key for stop in tour.stops] == ["node/2"]
    assert len(engine.matrices[0]) == 2
    # and the one-stop tour says why it is short, down to the result clients read
    assert tour.notes[0] == "The tour has only one stop."
    assert any("no street joins to the start's" in note for note in tour.notes)
    assert route_result(tour).notes == tour.notes


def test_a_tour_stuck_on_an_islet_says_why_it_is_empty() -> None:
    # Given an islet 600 m from the main street and a start on it
    islet = [(60.0054, 25.004), (60.0055, 25.004)]
    network = StreetNetwork(
        graph_from_edges(MAIN + islet, [(i, i + 1, 111.0) for i in range(4)] + [(5, 6, 11.0)])
    )
    plan = _plan([ON_MAIN], NumbaTourEngine(network))
    # When a tour is planned
    tour = plan(_spec(GeoPoint(60.0056, 25.004), 60))
    # Then it is empty, and says the places are out of reach and the start's piece is small
    assert tour.stops == []
    assert tour.notes[0] == "The tour has no stops."
    assert tour.notes[1].startswith("The one place within reach stands by paths that no street")
    assert tour.notes[2].startswith(
        "The start is on a piece of the walking network with 2 street junctions"
    )


def test_a_full_tour_has_no_notes() -> None:
    places = [_poi(f"node/{10 + i}", 60.0001, 25.0 + 0.002 * i, 0.5) for i in range(5)]
    tour = _plan(places, NumbaTourEngine(NETWORK))(_spec(GeoPoint(*MAIN[2]), 60))
    assert len(tour.stops) >= 2
    assert tour.notes == ()
    assert route_result(tour).notes == ()


def test_a_budget_too_short_for_any_visit_says_so() -> None:
    beside = _poi("node/3", 60.0001, 25.004, 0.5)  # 11 m from the start, a 3-minute visit
    tour = _plan([beside], NumbaTourEngine(NETWORK))(_spec(GeoPoint(*MAIN[2]), 2))
    assert tour.stops == []
    assert (
        tour.notes[1] == "The one place found takes longer to visit than the whole 2-minute budget."
    )
