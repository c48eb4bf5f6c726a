"""Pieces of the walking graph: labels against scipy, piece-aware snapping by brute force."""

from __future__ import annotations

import math

import numpy as np
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.sparse.csgraph import connected_components

from tests.unit.test_street_network import graph_from_edges
from wildside.domain.geo import GeoPoint
from wildside.domain.solver.components import label_components
from wildside.domain.solver.engine import NumbaTourEngine
from wildside.domain.solver.street_network import StreetNetwork

Edge = tuple[int, int, float]
EARTH_M_PER_DEG = 111_195.0


@st.composite
def street_graphs(draw: st.DrawFn, max_n: int = 40) -> tuple[list[tuple[float, float]], list[Edge]]:
    """Random positions within ~1 km and random edges: loops dropped, islands kept.

    Hypothesis shrinks them to the smallest graph that breaks a check.
    """
    n = draw(st.integers(1, max_n))
    coords = [
        (60.0 + draw(st.integers(0, 900)) * 1e-5, 25.0 + draw(st.integers(0, 1800)) * 1e-5)
        for _ in range(n)
    ]
    pairs = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=2 * n))
    return coords, [(u, v, 10.0) for u, v in pairs if u != v]


def _canonical(labels: np.ndarray) -> list[int]:
    """Relabel in order of first appearance, so two labellings of one partition compare equal."""
    seen: dict[int, int] = {}
    return [seen.setdefault(int(label), len(seen)) for label in labels]


@settings(max_examples=300, deadline=None)
@given(street_graphs())
def test_labels_are_scipys_connected_components(
    graph: tuple[list[tuple[float, float]], list[Edge]],
) -> None:
    # Given a random graph, and scipy's components of the plain edge list (not our CSR)
    coords, edges = graph
    n = len(coords)
    rows = [u for u, _, _ in edges]
    cols = [v for _, v, _ in edges]
    matrix = sp.coo_matrix((np.ones(len(edges)), (rows, cols)), shape=(n, n)).tocsr()
    expected_count, expected = connected_components(matrix, directed=False)
    # When the network labels its pieces
    network = StreetNetwork(graph_from_edges(coords, edges))
    labels = network.component_of
    # Then they are the same partition, labelled from 0 by each piece's lowest vertex
    assert _canonical(labels) == _canonical(expected)
    assert labels.tolist() == _canonical(labels)
    assert len(network.component_sizes) == expected_count
    assert network.component_sizes.tolist() == np.bincount(_canonical(expected)).tolist()


def test_labels_are_computed_once_per_network() -> None:
    network = StreetNetwork(graph_from_edges([(60.0, 25.0), (60.001, 25.0)], [(0, 1, 111.0)]))
    assert network.component_of is network.component_of
    assert network.component_sizes.tolist() == [2]


def test_an_empty_graph_has_no_pieces() -> None:
    labels, count = label_components(np.zeros(1, dtype=np.int64), np.zeros(0, dtype=np.int64))
    assert (labels.tolist(), count) == ([], 0)


def _metres(a: tuple[float, float], lat: float, lng: float) -> float:
    dy = (a[0] - lat) * EARTH_M_PER_DEG
    dx = (a[1] - lng) * math.cos(math.radians(lat)) * EARTH_M_PER_DEG
    return math.hypot(dx, dy)


@settings(max_examples=200, deadline=None)
@given(
    street_graphs(),
    st.lists(st.tuples(st.integers(0, 900), st.integers(0, 1800)), min_size=1, max_size=5),
    st.sampled_from([50.0, 150.0, 400.0]),
    st.booleans(),
)
def test_piece_snapping_matches_a_brute_force_choice(
    graph: tuple[list[tuple[float, float]], list[Edge]],
    points: list[tuple[int, int]],
    radius_m: float,
    is_on_piece_zero: bool,
) -> None:
    # Given a random graph and random points
    coords, edges = graph
    engine = NumbaTourEngine(StreetNetwork(graph_from_edges(coords, edges)))
    queries = [GeoPoint(60.0 + a * 1e-5, 25.0 + b * 1e-5) for a, b in points]
    piece = 0 if is_on_piece_zero else None
    # When they snap to the piece that matters within the radius
    snapped = engine.snap(queries, radius_m=radius_m, component=piece)
    nearest = engine.snap(queries)
    labels = _canonical(
        connected_components(
            sp.coo_matrix(
                (np.ones(len(edges)), ([u for u, _, _ in edges], [v for _, v, _ in edges])),
                shape=(len(coords), len(coords)),
            ),
            directed=False,
        )[1]
    )
    sizes = np.bincount(labels)
    for query, got, plain in zip(queries, snapped, nearest, strict=True):
        within = [
            (v, _metres(coords[v], query.lat, query.lng))
            for v in range(len(coords))
            if _metres(coords[v], query.lat, query.lng) <= radius_m
            and (piece is None or labels[v] == piece)
        ]
        # Then the choice is the brute force's: the wanted (or largest) piece, then the nearest
        if within:
            best = min(within, key=lambda item: (-sizes[labels[item[0]]], item[1]))
            assert got.distance_m >= plain.distance_m - 1e-9
            assert sizes[labels[got.vertex]] == sizes[labels[best[0]]]
            assert math.isclose(got.distance_m, best[1], rel_tol=1e-9, abs_tol=1e-6)
            if piece is not None:
                assert labels[got.vertex] == piece
        else:
            # and with nothing that qualifies, the point keeps its nearest vertex
            assert (got.vertex, got.distance_m) == (plain.vertex, plain.distance_m)
        assert got.component == labels[got.vertex]  # our labels are already canonical
        assert got.component_size == sizes[labels[got.vertex]]


def test_a_start_by_a_tiny_piece_snaps_to_the_big_one_within_reach() -> None:
    # Given a 2-vertex piece 50 m from the point and a 3-vertex piece 250 m away
    coords = [(60.0, 25.0), (60.0, 25.0002), (60.0018, 25.0), (60.0019, 25.0), (60.002, 25.0)]
    edges = [(0, 1, 11.0), (2, 3, 11.0), (3, 4, 11.0)]
    engine = NumbaTourEngine(StreetNetwork(graph_from_edges(coords, edges)))
    here = GeoPoint(59.99955, 25.0)
    # When it snaps plainly, and to the piece that matters within 300 m and within 100 m
    plain = engine.snap([here])[0]
    far = engine.snap([here], radius_m=300.0)[0]
    near = engine.snap([here], radius_m=100.0)[0]
    # Then the plain snap takes the tiny piece, the wide one the big piece, the narrow one the tiny
    assert (plain.vertex, plain.component_size) == (0, 2)
    assert (far.vertex, far.component_size) == (2, 3)
    assert far.component != plain.component
    assert (near.vertex, near.component_size) == (0, 2)
