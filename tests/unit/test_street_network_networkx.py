"""Street kernels against networkx, built from the edge list rather than our CSR arrays.

The scipy checks in ``test_street_network.py`` read the network's own
``indptr``/``targets``/``lengths``, so a mistake in how a graph becomes CSR
would fool them too. networkx is given the plain undirected edges (parallel
streets included, as a ``MultiGraph``), so it is an oracle independent of
our encoding as well as of our Dijkstra.
"""

from __future__ import annotations

import itertools
import math

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.unit.test_street_network import graph_from_edges
from wildside.domain.solver.street_network import StreetNetwork

Edge = tuple[int, int, float]


def _coords(n: int) -> list[tuple[float, float]]:
    """One distinct position per vertex, so a leg's points name its vertices."""
    return [(60.0 + i * 1e-4, 25.0 + (i % 7) * 1e-4) for i in range(n)]


@st.composite
def street_graphs(draw: st.DrawFn, max_n: int = 30) -> tuple[int, list[Edge]]:
    """A random street graph: loops dropped, parallel streets and islands kept."""
    n = draw(st.integers(2, max_n))
    edges = draw(
        st.lists(
            st.tuples(st.integers(0, n - 1), st.integers(0, n - 1), st.floats(0.5, 500.0)),
            max_size=4 * n,
        )
    )
    return n, [(u, v, m) for u, v, m in edges if u != v]


def _oracle(n: int, edges: list[Edge]) -> nx.MultiGraph:
    graph = nx.MultiGraph()
    graph.add_nodes_from(range(n))
    graph.add_weighted_edges_from(edges, weight="m")
    return graph


@settings(max_examples=60, deadline=None)
@given(graph=street_graphs(), data=st.data())
def test_each_leg_is_a_shortest_street_walk_or_nothing(
    graph: tuple[int, list[Edge]], data: st.DataObject
) -> None:
    # Given a random street graph, a few stops and a search cutoff
    n, edges = graph
    coords = _coords(n)
    vertex_at = {(lng, lat): v for v, (lat, lng) in enumerate(coords)}
    oracle = _oracle(n, edges)
    stops = data.draw(st.lists(st.integers(0, n - 1), min_size=2, max_size=6))
    cutoff = data.draw(st.floats(0.0, 3000.0))
    # When the legs between consecutive stops are computed
    legs = StreetNetwork(graph_from_edges(coords, edges)).legs(stops, cutoff)
    # Then each is networkx's shortest distance, walked along real streets,
    # or, with no path within the cutoff, an empty leg at its start
    for leg, (a, b) in zip(legs, itertools.pairwise(stops), strict=True):
        try:
            shortest = nx.dijkstra_path_length(oracle, a, b, weight="m")
        except nx.NetworkXNoPath:
            shortest = math.inf
        if a == b or shortest > cutoff:
            assert leg.length_m == 0.0
            assert leg.coords == [(coords[a][1], coords[a][0])]
            continue
        assert leg.length_m == pytest.approx(shortest)
        walked = [vertex_at[point] for point in leg.coords]
        assert (walked[0], walked[-1]) == (a, b)
        steps = list(itertools.pairwise(walked))
        assert all(oracle.has_edge(u, v) for u, v in steps)
        cheapest = sum(min(d["m"] for d in oracle.get_edge_data(u, v).values()) for u, v in steps)
        assert cheapest == pytest.approx(shortest)


@settings(max_examples=60, deadline=None)
@given(graph=street_graphs(), round_trip=st.booleans(), data=st.data())
def test_tour_matrix_agrees_with_networkx_bounded_searches(
    graph: tuple[int, list[Edge]], round_trip: bool, data: st.DataObject
) -> None:
    # Given a random street graph, a tour's terminals and a walk length
    n, edges = graph
    oracle = _oracle(n, edges)
    terminals = data.draw(st.lists(st.integers(0, n - 1), min_size=2, max_size=8))
    walk = data.draw(st.floats(0.0, 3000.0))
    network = StreetNetwork(graph_from_edges(_coords(n), edges))
    # When the tour matrix is computed
    ours = np.array(network.tour_matrix(terminals, round_trip=round_trip, walk_m=walk))
    # Then every finite entry is networkx's exact distance
    exact = {t: nx.single_source_dijkstra_path_length(oracle, t, weight="m") for t in terminals}
    for (i, a), (j, b) in itertools.product(enumerate(terminals), repeat=2):
        if math.isfinite(ours[i, j]):
            assert ours[i, j] == pytest.approx(exact[a][b])
        else:
            assert i != j
    # And each anchor's row holds everything networkx finds within its reach
    reach = walk / 2 if round_trip else walk
    for anchor in range(1 if round_trip else 2):
        within = nx.single_source_dijkstra_path_length(
            oracle, terminals[anchor], cutoff=reach, weight="m"
        )
        for j, b in enumerate(terminals):
            if b in within:
                assert ours[anchor, j] == pytest.approx(within[b])


@settings(max_examples=30, deadline=None)
@given(graph=street_graphs(), data=st.data())
def test_no_distance_crosses_between_islands(
    graph: tuple[int, list[Edge]], data: st.DataObject
) -> None:
    # Given stops on a graph networkx splits into connected components
    n, edges = graph
    island = {
        v: k for k, part in enumerate(nx.connected_components(_oracle(n, edges))) for v in part
    }
    terminals = data.draw(st.lists(st.integers(0, n - 1), min_size=2, max_size=8))
    network = StreetNetwork(graph_from_edges(_coords(n), edges))
    # When the matrix is computed for a walk long enough for any pair
    ours = np.array(network.tour_matrix(terminals, round_trip=False, walk_m=1e9))
    # Then no pair across islands is finite, and every pair a tour could use is
    start, end = island[terminals[0]], island[terminals[1]]
    for (i, a), (j, b) in itertools.product(enumerate(terminals), repeat=2):
        if island[a] != island[b]:
            assert math.isinf(ours[i, j]), (a, b)
        elif i < 2 or j < 2 or start == end == island[a]:
            assert math.isfinite(ours[i, j]), (a, b)
