"""The retracing share, on hand-built streets: out and back is half, a loop is none."""

from __future__ import annotations

import doctest

import msgspec
import numpy as np
import pytest

from adapters.outbound.route_result_codec import decode_route_result, encode_route_result
from tests.support.route_results import legacy_document, sample_route_result
from tests.unit.test_street_network import graph_from_edges
from wildside.domain import leg_costs, open_at_arrival, retracing
from wildside.domain.geo import GeoPoint
from wildside.domain.retracing import retrace_share
from wildside.domain.route_result import route_result
from wildside.domain.solver.street_network import StreetNetwork
from wildside.domain.tour import Diagnostics, Tour

# A square block, 0-1-2-3-0, sides of 100 m, with a 40 m dead end 0-4 off one corner.
BLOCK = StreetNetwork(
    graph_from_edges(
        [(60.0, 25.0), (60.0, 25.002), (60.001, 25.002), (60.001, 25.0), (59.9996, 25.0)],
        [(0, 1, 100.0), (1, 2, 100.0), (2, 3, 100.0), (3, 0, 100.0), (0, 4, 40.0)],
    )
)


def _share(stops: list[int], penalty: float = 0.0) -> float:
    legs = BLOCK.legs(stops, 1e9, penalty)
    return retrace_share(street for leg in legs for street in leg.streets)


def test_the_examples_in_the_docstrings_hold() -> None:
    assert doctest.testmod(retracing).failed == 0
    assert doctest.testmod(leg_costs).failed == 0
    assert doctest.testmod(open_at_arrival).failed == 0  # arrivals along the legs as walked


def test_a_pure_out_and_back_retraces_half_of_the_walk() -> None:
    # Given a walk to the end of the dead end and back
    # Then half of its metres walk a street already walked, whichever way
    assert _share([0, 4, 0]) == 0.5
    assert _share([1, 4, 1]) == 0.5  # 140 m out along two streets, the same 140 m back


def test_a_simple_loop_retraces_nothing() -> None:
    assert _share([0, 1, 2, 3, 0]) == 0.0
    assert _share([0, 2, 0], penalty=1.0) == 0.0  # back along the other two sides


def test_the_shortest_way_back_retraces_and_the_penalised_one_does_not() -> None:
    # Given a round trip to the far corner: both ways round are 200 m
    plain = BLOCK.legs([0, 2, 0], 1e9)
    penalised = BLOCK.legs([0, 2, 0], 1e9, 1.0)
    # Then the shortest legs may walk back the way they came; the penalised do not
    assert retrace_share(s for leg in plain for s in leg.streets) == 0.5
    assert [leg.length_m for leg in penalised] == [200.0, 200.0]
    assert {s for s, _ in penalised[0].streets}.isdisjoint(s for s, _ in penalised[1].streets)


def test_retracing_the_dead_end_counts_even_when_nothing_else_could_be_walked() -> None:
    # A stop at the dead end's tip: the only way out is the way in
    assert _share([1, 4, 2, 1], penalty=5.0) == pytest.approx(40.0 / 480.0)


def test_each_arc_is_paired_with_the_one_walking_its_street_the_other_way() -> None:
    # Given two parallel streets between the same junctions, and one longer
    network = StreetNetwork(
        graph_from_edges(
            [(60.0, 25.0), (60.0, 25.001), (60.001, 25.0)],
            [(0, 1, 50.0), (0, 1, 70.0), (0, 1, 50.0), (1, 2, 30.0)],
        )
    )
    twins, arcs = network.twins, np.arange(network.targets.shape[0])
    tails = np.repeat(np.arange(network.vertex_count), np.diff(network.indptr))
    # Then the pairing is its own inverse, reverses each arc, keeps lengths,
    # and keeps the two 50 m streets apart
    assert (twins[twins] == arcs).all()
    assert (twins != arcs).all()
    assert (tails[twins] == network.targets).all()
    assert (network.targets[twins] == tails).all()
    assert (network.lengths[twins] == network.lengths).all()
    assert len(set(np.minimum(arcs, twins).tolist())) == 4


def test_a_tour_reports_its_share_in_the_result_and_older_results_read_as_unmeasured() -> None:
    # Given a tour whose walk retraced a fifth of itself
    here = GeoPoint(60.17, 24.94)
    tour = Tour(here, here, [], [], 600.0, 7, "v1", Diagnostics(3, 2, 0, 0, 0, 0, 12, False, 0.2))
    result = route_result(tour)
    # Then the result says so, stores it and reads it back
    assert result.diagnostics.retrace_share == 0.2
    assert decode_route_result(encode_route_result(result)) == result
    # And a result stored before the share was measured reads as unmeasured (None)
    stored = msgspec.to_builtins(sample_route_result())
    del stored["diagnostics"]["retrace_share"]
    assert decode_route_result(stored).diagnostics.retrace_share is None
    legacy = legacy_document(sample_route_result())
    assert decode_route_result(legacy).diagnostics.retrace_share is None
