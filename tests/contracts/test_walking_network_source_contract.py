"""One behaviour suite for every ``WalkingNetworkSource``: the fake and PostGIS."""

from __future__ import annotations

import pytest

from adapters.outbound.postgres.map_data_store import PostgresMapDataStore
from adapters.outbound.postgres.walking_network_source import PostgresWalkingNetworkSource
from tests.fakes.walking_network_source import InMemoryWalkingNetworkSource
from wildside.domain.geo import GeoPoint
from wildside.domain.map_data import WalkEdge, WalkNode
from wildside.ports.walking_network_source import (
    NoWalkingNetworkError,
    SearchArea,
    WalkingNetworkSource,
)

NODES = [WalkNode(30, 60.0, 25.0), WalkNode(10, 60.001, 25.0), WalkNode(20, 60.001, 25.002)]
EDGES = [
    WalkEdge(1, 0, 30, 10, 111.2, "footway", ((25.0, 60.0), (25.0, 60.0005), (25.0, 60.001))),
    WalkEdge(2, 0, 10, 20, 111.3, "residential", ((25.0, 60.001), (25.002, 60.001))),
]


@pytest.fixture(params=["fake", "postgres"])
def source(request: pytest.FixtureRequest) -> WalkingNetworkSource:
    if request.param == "fake":
        return InMemoryWalkingNetworkSource(NODES, EDGES)
    url = request.getfixturevalue("migrated_database_url")
    job = PostgresMapDataStore(url).begin_import("contract")
    job.stage_network(NODES, EDGES)
    job.commit(batch_size=10)
    return PostgresWalkingNetworkSource(url)


def test_vertices_are_ordered_by_osm_id(source: WalkingNetworkSource) -> None:
    graph = source.load()
    assert list(graph.node_ids) == [10, 20, 30]
    assert (graph.lats[2], graph.lngs[2]) == (60.0, 25.0)


def test_every_edge_is_two_arcs_with_its_length(source: WalkingNetworkSource) -> None:
    graph = source.load()
    assert graph.arc_count == 4
    arcs = {
        (graph.node_ids[v], graph.node_ids[graph.targets[a]]): graph.lengths_m[a]
        for v in range(graph.node_count)
        for a in range(graph.indptr[v], graph.indptr[v + 1])
    }
    assert arcs == {(30, 10): 111.2, (10, 30): 111.2, (10, 20): 111.3, (20, 10): 111.3}


def test_arc_shapes_run_from_tail_to_head(source: WalkingNetworkSource) -> None:
    graph = source.load()
    for v in range(graph.node_count):
        for a in range(graph.indptr[v], graph.indptr[v + 1]):
            first, last = graph.shape_offsets[a], graph.shape_offsets[a + 1] - 1
            head = graph.targets[a]
            assert (graph.shape_lngs[first], graph.shape_lats[first]) == (
                graph.lngs[v],
                graph.lats[v],
            )
            assert (graph.shape_lngs[last], graph.shape_lats[last]) == (
                graph.lngs[head],
                graph.lats[head],
            )
    assert graph.shape_offsets[-1] == 2 * (3 + 2)  # every shape point, once per direction


def test_empty_network_loads_as_an_empty_graph(migrated_database_url: str) -> None:
    for source in (
        InMemoryWalkingNetworkSource([], []),
        PostgresWalkingNetworkSource(migrated_database_url),
    ):
        graph = source.load()
        assert (graph.node_count, graph.arc_count) == (0, 0)


def test_an_area_holds_the_streets_a_walk_reaches(source: WalkingNetworkSource) -> None:
    # Given three vertices within 200 m, when a 1 km round trip starts among them
    graph = source.for_area(SearchArea(GeoPoint(60.0005, 25.001), None, 1_000.0))
    # Then the area's graph is the whole graph
    assert list(graph.node_ids) == [10, 20, 30]
    assert graph.arc_count == 4


def test_an_area_far_from_every_street_is_no_walking_network(source: WalkingNetworkSource) -> None:
    with pytest.raises(NoWalkingNetworkError) as caught:
        source.for_area(SearchArea(GeoPoint(61.0, 25.0), GeoPoint(61.01, 25.0), 3_000.0))
    assert (caught.value.code, caught.value.field, caught.value.is_retryable) == (
        "no-walking-network",
        "start",
        False,
    )
