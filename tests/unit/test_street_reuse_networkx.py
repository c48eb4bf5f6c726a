"""Legs that avoid walked streets, against networkx on the same penalised weights.

networkx gets the plain undirected edges (parallel streets as a ``MultiGraph``)
and, before each leg, the streets our earlier legs walked weighted
``length * (1 + penalty)``; each of our legs must cost exactly networkx's
cheapest path on those weights, along streets that exist, or be empty when
none is within the search's reach.
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.unit.test_street_network import graph_from_edges
from tests.unit.test_street_network_networkx import Edge, _coords, street_graphs
from wildside.domain.solver.street_network import StreetNetwork


def _penalised(
    n: int, edges: list[Edge], walked: dict[tuple[int, int, float], int], penalty: float
) -> nx.MultiGraph:
    """The streets as a MultiGraph; the first ``walked[(u, v, m)]`` u-v streets of m cost more."""
    graph = nx.MultiGraph()
    graph.add_nodes_from(range(n))
    used: dict[tuple[int, int, float], int] = defaultdict(int)
    for u, v, m in edges:
        key = (min(u, v), max(u, v), m)
        is_walked = used[key] < walked.get(key, 0)
        used[key] += 1
        graph.add_edge(u, v, w=m * (1.0 + penalty) if is_walked else m, m=m)
    return graph


@settings(max_examples=120, deadline=None)
@given(
    graph=street_graphs(),
    penalty=st.sampled_from([0.25, 1.0, 2.0, 10.0]),
    data=st.data(),
)
def test_each_leg_is_the_cheapest_walk_when_walked_streets_cost_more(
    graph: tuple[int, list[Edge]], penalty: float, data: st.DataObject
) -> None:
    # Given a random street graph, a tour's stops, a cutoff and a penalty
    n, edges = graph
    coords = _coords(n)
    vertex_at = {(lng, lat): v for v, (lat, lng) in enumerate(coords)}
    stops = data.draw(st.lists(st.integers(0, n - 1), min_size=2, max_size=6))
    if data.draw(st.booleans()):  # and back through the same stops: reverse walks matter
        stops += stops[-2::-1]
    cutoff = data.draw(st.floats(0.0, 3000.0))
    # When the legs are built in order with the penalty
    legs = StreetNetwork(graph_from_edges(coords, edges)).legs(stops, cutoff, penalty)
    # Then each costs what networkx finds cheapest on the weights our earlier legs left
    streets: dict[int, tuple[int, int, float]] = {}  # street id -> (u, v, metres), u < v
    for leg, (a, b) in zip(legs, itertools.pairwise(stops), strict=True):
        earlier = dict(streets)
        walked: dict[tuple[int, int, float], int] = defaultdict(int)
        for key in earlier.values():
            walked[key] += 1
        oracle = _penalised(n, edges, walked, penalty)
        try:
            cheapest = nx.dijkstra_path_length(oracle, a, b, weight="w")
        except nx.NetworkXNoPath:
            cheapest = math.inf
        if a == b or cheapest > cutoff * (1.0 + penalty) * (1 + 1e-12):
            assert leg.length_m == 0.0
            assert leg.streets == ()
            assert leg.coords == [(coords[a][1], coords[a][0])]
            continue
        path = [vertex_at[point] for point in leg.coords]
        assert (path[0], path[-1]) == (a, b)
        cost = 0.0
        for (u, v), (street, metres) in zip(itertools.pairwise(path), leg.streets, strict=True):
            key = (min(u, v), max(u, v), metres)
            assert any(d["m"] == metres for d in (oracle.get_edge_data(u, v) or {}).values())
            assert streets.setdefault(street, key) == key  # one id per street, either way
            cost += metres * (1.0 + penalty) if street in earlier else metres
        assert cost == pytest.approx(cheapest)
        assert leg.length_m == pytest.approx(sum(m for _, m in leg.streets))
