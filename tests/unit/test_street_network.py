"""Street kernels: snapping, bounded matrices and leg paths, checked against scipy and by hand.

networkx checks them too, independently of our CSR encoding: ``test_street_network_networkx.py``.
"""

from __future__ import annotations

import itertools
import math
from array import array

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.sparse.csgraph import dijkstra

from wildside.domain.solver.street_network import StreetNetwork
from wildside.ports.walking_network_source import WalkingGraph


def graph_from_edges(
    coords: list[tuple[float, float]], edges: list[tuple[int, int, float]]
) -> WalkingGraph:
    """A WalkingGraph from ``(lat, lng)`` vertices and undirected ``(u, v, metres)`` edges."""
    arcs = sorted([(u, v, m) for u, v, m in edges] + [(v, u, m) for u, v, m in edges])
    indptr = [0] * (len(coords) + 1)
    for u, _, _ in arcs:
        indptr[u + 1] += 1
    for i in range(len(coords)):
        indptr[i + 1] += indptr[i]
    offsets = [2 * i for i in range(len(arcs) + 1)]
    shape_lngs = [coords[end][1] for u, v, _ in arcs for end in (u, v)]
    shape_lats = [coords[end][0] for u, v, _ in arcs for end in (u, v)]
    return WalkingGraph(
        node_ids=array("q", range(100, 100 + len(coords))),
        lats=array("d", [lat for lat, _ in coords]),
        lngs=array("d", [lng for _, lng in coords]),
        indptr=array("q", indptr),
        targets=array("q", [v for _, v, _ in arcs]),
        lengths_m=array("d", [m for _, _, m in arcs]),
        shape_offsets=array("q", offsets),
        shape_lngs=array("d", shape_lngs),
        shape_lats=array("d", shape_lats),
    )


# A square with one diagonal: 0-1-2-3-0 sides of 100 m, diagonal 0-2 of 150 m.
SQUARE = graph_from_edges(
    [(60.0, 25.0), (60.0, 25.002), (60.001, 25.002), (60.001, 25.0)],
    [(0, 1, 100.0), (1, 2, 100.0), (2, 3, 100.0), (3, 0, 100.0), (0, 2, 150.0)],
)


def test_matrix_uses_the_shortest_street_route() -> None:
    matrix = np.array(StreetNetwork(SQUARE).tour_matrix([0, 1, 2, 3], round_trip=True, walk_m=1e9))
    assert matrix[0, 2] == 150.0
    assert matrix[1, 3] == 200.0
    assert (matrix == matrix.T).all()
    assert np.diag(matrix).tolist() == [0.0] * 4


def test_a_pair_beyond_the_walk_is_left_out() -> None:
    # 1 -> 3 is 200 m each way: a 300 m round trip cannot reach 3.
    matrix = StreetNetwork(SQUARE).tour_matrix([1, 3], round_trip=True, walk_m=300.0)
    assert math.isinf(matrix[0][1])


def test_legs_follow_the_path_and_sum_its_lengths() -> None:
    legs = StreetNetwork(SQUARE).legs([1, 3, 3], 1e9)
    assert legs[0].length_m == 200.0
    assert legs[0].coords[0] == (25.002, 60.0)
    assert legs[0].coords[-1] == (25.0, 60.001)
    assert len(legs[0].coords) == 3
    assert legs[1].length_m == 0.0
    assert legs[1].coords == [(25.0, 60.001)]


def test_snap_finds_the_nearest_vertex_even_far_away() -> None:
    network = StreetNetwork(SQUARE)
    vertices, metres = network.snap([60.00101, 59.0], [25.00001, 25.002])
    assert vertices == [3, 1]
    assert metres[0] < 2.0
    assert 111_000 < metres[1] < 111_400  # one degree of latitude away


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(2, 30),
    data=st.data(),
)
def test_legs_match_scipy_on_random_graphs(n: int, data: st.DataObject) -> None:
    edges = data.draw(
        st.lists(
            st.tuples(st.integers(0, n - 1), st.integers(0, n - 1), st.floats(0.5, 500.0)),
            max_size=4 * n,
        )
    )
    edges = [(u, v, m) for u, v, m in edges if u != v]
    coords = [(60.0 + i * 1e-4, 25.0) for i in range(n)]
    network = StreetNetwork(graph_from_edges(coords, edges))
    terminals = sorted(set(data.draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=6))))
    csr = sp.csr_matrix((network.lengths, network.targets, network.indptr), shape=(n, n))
    reference = dijkstra(csr, indices=terminals)[:, terminals]
    finite = np.isfinite(reference)
    legs = network.legs(terminals, 1e12)
    for leg, (a, b) in zip(legs, itertools.pairwise(terminals), strict=False):
        if finite[terminals.index(a), terminals.index(b)]:
            assert leg.length_m == pytest.approx(reference[terminals.index(a), terminals.index(b)])


@settings(max_examples=60, deadline=None)
@given(n=st.integers(3, 30), round_trip=st.booleans(), data=st.data())
def test_tour_matrix_is_exact_wherever_a_tour_could_use_the_pair(
    n: int, round_trip: bool, data: st.DataObject
) -> None:
    edges = data.draw(
        st.lists(
            st.tuples(st.integers(0, n - 1), st.integers(0, n - 1), st.floats(0.5, 500.0)),
            min_size=n,
            max_size=4 * n,
        )
    )
    edges = [(u, v, m) for u, v, m in edges if u != v]
    network = StreetNetwork(graph_from_edges([(60.0 + i * 1e-4, 25.0) for i in range(n)], edges))
    vertices = data.draw(st.lists(st.integers(0, n - 1), min_size=2, max_size=8))
    walk = data.draw(st.floats(0.0, 3000.0))
    ours = np.array(network.tour_matrix(vertices, round_trip=round_trip, walk_m=walk))
    csr = sp.csr_matrix((network.lengths, network.targets, network.indptr), shape=(n, n))
    full = dijkstra(csr, directed=False, indices=vertices)[:, vertices]
    head, tail = full[0], full[0] if round_trip else full[1]
    for i, j in itertools.product(range(len(vertices)), repeat=2):
        usable = min(head[i] + full[i, j] + tail[j], head[j] + full[i, j] + tail[i]) <= walk
        is_anchor_row = i < (1 if round_trip else 2) or j < (1 if round_trip else 2)
        if math.isfinite(ours[i, j]):
            assert ours[i, j] == pytest.approx(full[i, j])  # finite entries are exact
        elif i != j and not is_anchor_row:
            assert not usable, (i, j)  # only pairs no tour can use are left out
    anchors = 1 if round_trip else 2
    for a in range(anchors):
        reach = walk / 2 if round_trip else walk
        for j in range(len(vertices)):
            if full[a, j] <= reach:
                assert ours[a, j] == pytest.approx(full[a, j])


def test_tour_matrix_leaves_out_stops_no_round_trip_reaches() -> None:
    # 0-1-2-3 on a line, 100 m apart: a 400 m round trip from 0 reaches 1 and 2 only.
    line = graph_from_edges(
        [(60.0, 25.0 + i * 0.002) for i in range(4)],
        [(0, 1, 100.0), (1, 2, 100.0), (2, 3, 100.0)],
    )
    matrix = np.array(StreetNetwork(line).tour_matrix([0, 1, 2, 3], round_trip=True, walk_m=400.0))
    assert matrix[0, 1] == 100.0
    assert matrix[1, 2] == 100.0
    assert math.isinf(matrix[0, 3])
    assert math.isinf(matrix[2, 3])
