"""End anywhere: a tour with no walk back, ending at its last stop, from the solver to the spec."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import msgspec
import numpy as np
import pytest

from adapters.outbound.route_result_codec import decode_route_result, encode_route_result
from tests.fakes.clock import FakeClock
from tests.fakes.poi_repository import InMemoryPoiRepository
from tests.support.route_results import legacy_document, sample_route_result
from tests.unit.test_street_network import graph_from_edges
from wildside.app.plan_tour import PlanTour
from wildside.domain.errors import InvalidInputError
from wildside.domain.geo import GeoPoint
from wildside.domain.open_end import FREE_END, walked_order, with_free_end
from wildside.domain.route_result import route_result
from wildside.domain.route_spec import RouteSpec
from wildside.domain.scoring import Poi
from wildside.domain.solver.api import solve_op
from wildside.domain.solver.engine import NumbaTourEngine
from wildside.domain.solver.street_network import StreetNetwork
from wildside.ports.tour_engines import FixedTourEngines

NOON = datetime(2026, 12, 8, 10, 0, tzinfo=UTC)  # when a request without start_time is planned


# A straight street east from the start: 30 junctions 111 m apart, a statue (3-minute
# visit) at each.
STREET = [(60.0, 25.0 + 0.002 * i) for i in range(30)]
EDGES = [(i, i + 1, 111.0) for i in range(len(STREET) - 1)]
START = GeoPoint(*STREET[0])


def _plan() -> PlanTour:
    pois = [
        Poi(f"node/{i}", f"Statue {i}", lat, lng, ("art",), 0.5, {"tourism": "artwork"})
        for i, (lat, lng) in enumerate(STREET[1:], start=1)
    ]
    engine = NumbaTourEngine(StreetNetwork(graph_from_edges(STREET, EDGES)))
    return PlanTour(
        pois=InMemoryPoiRepository(pois=pois), engines=FixedTourEngines(engine), clock=FakeClock()
    )


def _spec(**more: object) -> RouteSpec:
    return RouteSpec.build(start=START, duration_minutes=60, preferences=["art"], **more)  # type: ignore[arg-type]


def test_a_walker_who_need_not_come_back_gets_more_and_ends_at_the_last_stop() -> None:
    plan = _plan()
    # Given the same start, budget and seed, once as a round trip and once ending anywhere
    loop = plan(_spec())
    open_tour = plan(_spec(end_anywhere=True))
    # Then the open tour scores more (no walk back), and still fits the budget
    assert open_tour.score > loop.score
    assert open_tour.walking_s + open_tour.dwell_s <= open_tour.budget_s + 1e-6
    # And it ends at its last stop: one leg per stop, none back, the path finishing there
    last = open_tour.stops[-1]
    assert (open_tour.end.lat, open_tour.end.lng) == (last.lat, last.lng)
    assert len(open_tour.legs) == len(open_tour.stops)
    assert open_tour.path[-1] == (last.lng, last.lat)
    assert open_tour.stops[-1].arrival_s == pytest.approx(
        open_tour.walking_s + open_tour.dwell_s - last.dwell_s, abs=0.5
    )
    # And the result says so
    result = route_result(open_tour)
    assert (result.ends_anywhere, result.end_stop_id) == (True, last.key)
    assert (result.end.lat, result.end.lng) == (last.lat, last.lng)
    assert (route_result(loop).ends_anywhere, route_result(loop).end_stop_id) == (False, None)


def test_an_open_tour_with_nothing_to_visit_ends_where_it_started() -> None:
    engine = NumbaTourEngine(StreetNetwork(graph_from_edges(STREET, EDGES)))
    plan = PlanTour(
        pois=InMemoryPoiRepository(), engines=FixedTourEngines(engine), clock=FakeClock()
    )
    tour = plan(_spec(end_anywhere=True))
    assert tour.stops == []
    assert tour.end == START
    assert route_result(tour).end_stop_id is None


@pytest.mark.parametrize("seed", range(8))
def test_the_solver_never_scores_an_open_end_below_the_round_trip(seed: int) -> None:
    # Given a random instance: the start, then 40 scored places in a 10 x 10 square
    rng = np.random.default_rng(seed)
    points = rng.uniform(0.0, 10.0, size=(41, 2))
    travel = np.sqrt(((points[:, None, :] - points[None, :, :]) ** 2).sum(axis=2))
    scores = [0.0, *rng.uniform(1.0, 5.0, size=40)]
    budget = 18.0
    # When the same budget is solved as a round trip and with a free virtual end
    loop = solve_op(scores, travel, 0, 0, budget, seed=seed, max_iterations=300, time_limit=60.0)
    free = with_free_end(travel.tolist())
    open_scores = [0.0, 0.0, *scores[1:]]
    open_tour = solve_op(
        open_scores, free, 0, FREE_END, budget, seed=seed, max_iterations=300, time_limit=60.0
    )
    # Then the open tour scores at least as much, ends at the virtual end, and its walk fits
    assert open_tour.score >= loop.score - 1e-9
    assert open_tour.route[-1] == FREE_END
    walked = walked_order(open_tour.route)
    walk = sum(free[a][b] for a, b in itertools.pairwise(walked))
    assert walk <= budget + 1e-9


def test_the_spec_document_says_anywhere_and_old_documents_hash_as_before() -> None:
    loop = _spec()
    anywhere = _spec(end_anywhere=True)
    assert anywhere.to_document()["end"] == "anywhere"
    assert RouteSpec.from_document(anywhere.to_document()) == anywhere
    assert anywhere.payload_hash() != loop.payload_hash()
    assert anywhere.cache_key("v1", now=NOON) != loop.cache_key("v1", now=NOON)
    # A round trip's document (stored before end modes existed) is unchanged
    assert loop.to_document()["end"] is None
    assert "end_anywhere" not in loop.to_document()
    assert RouteSpec.from_document(loop.to_document()) == loop


def test_a_spec_cannot_both_end_anywhere_and_at_a_point() -> None:
    with pytest.raises(InvalidInputError) as raised:
        _spec(end_anywhere=True, end=GeoPoint(60.0, 25.01))
    assert raised.value.field == "end"


def test_the_end_mode_is_stored_and_older_results_read_as_not_ending_anywhere() -> None:
    # Given an open tour's result, stored and read back
    result = route_result(_plan()(_spec(end_anywhere=True)))
    assert decode_route_result(encode_route_result(result)) == result
    # And a result stored before the fields existed (and an untyped legacy one)
    stored = msgspec.to_builtins(sample_route_result())
    del stored["ends_anywhere"], stored["end_stop_id"]
    for old in (stored, legacy_document(sample_route_result())):
        # Then they read as tours that do not end anywhere
        read = decode_route_result(old)
        assert (read.ends_anywhere, read.end_stop_id) == (False, None)
