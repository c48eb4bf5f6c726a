"""PlanTour with ``alternatives: k``: k distinct tours, best first, each with its own seed."""

from __future__ import annotations

import itertools

import msgspec
import pytest

from adapters.outbound.route_result_codec import decode_route_result, encode_route_result
from tests.fakes.clock import FakeClock
from tests.fakes.poi_repository import InMemoryPoiRepository
from tests.support.route_results import legacy_document, sample_route_result
from tests.unit.test_street_network import graph_from_edges
from wildside.app.plan_tour import PlanTour
from wildside.domain.alternatives import shared_fraction
from wildside.domain.errors import InvalidInputError
from wildside.domain.geo import GeoPoint
from wildside.domain.route_result import route_result
from wildside.domain.route_spec import RouteSpec
from wildside.domain.scoring import Poi
from wildside.domain.solver.engine import NumbaTourEngine
from wildside.domain.solver.street_network import StreetNetwork
from wildside.domain.tour import Tour
from wildside.ports.tour_engines import FixedTourEngines

# A 5 x 5 grid of streets 111 m apart, with a place by every junction but the start.
GRID = [(60.0 + 0.001 * r, 25.0 + 0.002 * c) for r in range(5) for c in range(5)]
EDGES = [(i, i + 1, 111.0) for i in range(25) if i % 5 != 4] + [
    (i, i + 5, 111.0) for i in range(20)
]
PLACES = [
    Poi(f"node/{i}", f"Place {i}", lat + 0.0001, lng, ("history",), 0.3 + 0.02 * i, {})
    for i, (lat, lng) in enumerate(GRID)
    if i
]
ENGINE = NumbaTourEngine(StreetNetwork(graph_from_edges(GRID, EDGES)))


def _plan(alternatives: int, *, minutes: float = 30, seed: int = 3) -> Tour:
    plan = PlanTour(
        pois=InMemoryPoiRepository(pois=PLACES), engines=FixedTourEngines(ENGINE), clock=FakeClock()
    )
    spec = RouteSpec.build(
        start=GeoPoint(*GRID[0]),
        duration_minutes=minutes,
        preferences=["history"],
        seed=seed,
        alternatives=alternatives,
    )
    return plan(spec)


def test_three_alternatives_are_distinct_best_first_with_their_own_seeds() -> None:
    # When a request asks for three tours
    tour = _plan(3)
    tours = [tour, *tour.alternatives]
    # Then three come back, best first, each with its own seed and stops
    assert len(tours) == 3
    scores = [t.score for t in tours]
    assert scores == sorted(scores, reverse=True)
    assert len({t.seed for t in tours}) == 3
    assert all(t.stops for t in tours)
    # And no two share more than half of the smaller tour's stops
    for a, b in itertools.combinations(tours, 2):
        assert shared_fraction(a, b) <= 0.5


def test_one_alternative_leaves_the_tour_as_it_was() -> None:
    # Given the default request and one asking for exactly one tour
    default = _plan(1)
    # Then the result has no alternatives and is the same tour, field for field
    assert default.alternatives == ()
    assert route_result(default) == route_result(_plan(1))
    assert route_result(default).alternatives == ()


def test_the_main_route_of_k_tours_scores_at_least_the_single_tour() -> None:
    single, several = _plan(1), _plan(3)
    assert several.score >= single.score


def test_fewer_alternatives_than_asked_are_explained() -> None:
    # Given a budget that reaches only the nearest places: few distinct tours exist
    tour = _plan(5, minutes=4)
    found = len(tour.alternatives)
    # Then fewer than four alternatives come back, and the notes say why
    assert found < 4
    assert any("alternatives found" in note for note in tour.notes)


def test_the_result_carries_each_alternative_compactly() -> None:
    result = route_result(_plan(2))
    (other,) = result.alternatives
    assert other.seed != result.seed
    assert other.stops
    assert other.path.coordinates
    assert other.score == pytest.approx(sum(s.score for s in other.stops), abs=1e-5)


@pytest.mark.parametrize("k", [0, 6])
def test_alternatives_outside_one_to_five_are_refused(k: int) -> None:
    with pytest.raises(InvalidInputError, match="alternatives"):
        RouteSpec.build(start=GeoPoint(60, 25), duration_minutes=30, alternatives=k)


def test_alternatives_change_the_hash_only_when_not_one() -> None:
    base = RouteSpec.build(start=GeoPoint(60, 25), duration_minutes=30)
    one = RouteSpec.build(start=GeoPoint(60, 25), duration_minutes=30, alternatives=1)
    three = RouteSpec.build(start=GeoPoint(60, 25), duration_minutes=30, alternatives=3)
    assert "alternatives" not in base.to_document()
    assert one.payload_hash() == base.payload_hash()
    assert three.payload_hash() != base.payload_hash()
    assert RouteSpec.from_document(three.to_document()) == three


def test_alternatives_are_stored_and_older_results_read_as_having_none() -> None:
    # Given a result with alternatives, stored and read back
    result = route_result(_plan(2))
    assert result.alternatives
    assert decode_route_result(encode_route_result(result)) == result
    # And a result stored before the field existed (and an untyped legacy one)
    stored = msgspec.to_builtins(sample_route_result())
    del stored["alternatives"]
    for old in (stored, legacy_document(sample_route_result())):
        assert decode_route_result(old).alternatives == ()
