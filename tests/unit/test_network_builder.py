"""Splitting walkable ways into graph edges."""

from __future__ import annotations

import pytest
from pyproj import Geod

from adapters.outbound.osm.network_builder import NetworkBuilder
from wildside.domain.map_data import WalkEdge, WalkNode


def _build(
    builder: NetworkBuilder, chunk_size: int = 1000
) -> tuple[list[WalkNode], list[WalkEdge]]:
    nodes: list[WalkNode] = []
    edges: list[WalkEdge] = []
    for chunk_nodes, chunk_edges in builder.build(chunk_size):
        nodes.extend(chunk_nodes)
        edges.extend(chunk_edges)
    return nodes, edges


def _add(builder: NetworkBuilder, way_id: int, node_ids: list[int]) -> None:
    # Node n sits at (n / 1000 degrees east, 60 north): ids double as positions.
    builder.add_run(
        way_id, "footway", node_ids, [n / 1000 for n in node_ids], [60.0] * len(node_ids)
    )


def test_ways_split_at_shared_nodes_only() -> None:
    # Given a long way 1-2-3-4-5 crossed at node 3 by way 3-6
    builder = NetworkBuilder()
    _add(builder, 100, [1, 2, 3, 4, 5])
    _add(builder, 200, [3, 6])
    # When the network is built
    nodes, edges = _build(builder)
    # Then the vertices are the ends and the junction, and way 100 has two edges
    assert sorted(n.osm_id for n in nodes) == [1, 3, 5, 6]
    assert [(e.way_id, e.seq, e.source, e.target) for e in edges] == [
        (100, 0, 1, 3),
        (100, 1, 3, 5),
        (200, 0, 3, 6),
    ]
    assert edges[0].coords == ((0.001, 60.0), (0.002, 60.0), (0.003, 60.0))


def test_edge_length_is_geodesic_along_every_vertex() -> None:
    builder = NetworkBuilder()
    _add(builder, 1, [10, 20, 30])
    _, edges = _build(builder)
    geod = Geod(ellps="WGS84")
    expected = geod.line_length([0.010, 0.020, 0.030], [60.0, 60.0, 60.0])
    assert edges[0].length_m == pytest.approx(expected, rel=1e-12)
    assert edges[0].length_m == pytest.approx(1115.6, abs=1.0)  # 0.02° of longitude at 60°N


def test_runs_of_a_cut_way_never_bridge_the_gap() -> None:
    # A way whose middle nodes are outside the extract arrives as two runs.
    builder = NetworkBuilder()
    _add(builder, 7, [1, 2])
    _add(builder, 7, [5, 6])
    _, edges = _build(builder)
    assert [(e.seq, e.source, e.target) for e in edges] == [(0, 1, 2), (1, 5, 6)]


def test_closed_loop_touching_nothing_adds_no_self_loop_edge() -> None:
    builder = NetworkBuilder()
    _add(builder, 9, [1, 2, 3, 1])
    nodes, edges = _build(builder)
    assert edges == []
    assert [n.osm_id for n in nodes] == [1]


def test_chunks_are_bounded() -> None:
    builder = NetworkBuilder()
    for way in range(25):
        _add(builder, way, [way * 10 + 1, way * 10 + 2])
    sizes = [len(n) + len(e) for n, e in builder.build(chunk_size=7)]
    assert max(sizes) <= 7
    assert sum(sizes) == 50 + 25


def test_single_node_runs_are_ignored_and_empty_builder_yields_nothing() -> None:
    builder = NetworkBuilder()
    _add(builder, 1, [1])
    assert builder.run_count == 0
    assert list(builder.build(10)) == []
