"""Walking-graph tiles on real PostgreSQL: built at ingest, stitched per area, exact paths."""

from __future__ import annotations

import contextlib
import threading

import numpy as np
import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pytest_postgresql.executors import PostgreSQLExecutor
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from adapters.composition import build_ingest, build_plan_tour
from adapters.outbound.graph_cache import GraphCache
from adapters.outbound.postgres.map_data_store import PostgresMapDataStore
from adapters.outbound.postgres.migrations import PostgresMigrationRunner
from adapters.outbound.postgres.tiled_tour_engines import PostgresTourEngineFactory
from adapters.outbound.postgres.walk_tile_builder import all_tiles, rebuild_tiles
from adapters.outbound.postgres.walk_tile_codec import decode_tile
from adapters.outbound.postgres.walking_network_source import PostgresWalkingNetworkSource
from adapters.settings import load_settings
from tests.conftest import HELSINKI_PBF, KOTKA_PBF, url_of
from tests.support.pieces import assert_same_partition, scipy_pieces
from wildside.domain.geo import GeoPoint, haversine_m
from wildside.domain.map_data import WalkEdge, WalkNode
from wildside.domain.route_spec import RouteSpec
from wildside.domain.solver.street_network import StreetNetwork
from wildside.domain.walk_tiles import TILE_DEG, tile_of
from wildside.domain.walking_graph import WalkingGraph
from wildside.ports.progress import SilentProgress
from wildside.ports.walking_network_source import NoWalkingNetworkError, SearchArea

# Helsinki's extract spans 60.164-60.179 N, 24.935-24.953 E; starts fall a little beyond.
SOUTH, NORTH, WEST, EAST = 60.160, 60.183, 24.930, 24.958
FINE_DEG = 0.005  # a grid of ~550 x 280 m cells, so paths cross many tile borders


def _fresh_database(proc: PostgreSQLExecutor, name: str) -> str:
    admin = url_of(proc, "postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name} TEMPLATE {proc.template_dbname}")
    url = url_of(proc, name)
    PostgresMigrationRunner(url).apply()
    return url


@pytest.fixture(scope="module")
def helsinki(postgresql_proc: PostgreSQLExecutor) -> str:
    """Helsinki ingested once (tiles on the default grid) into a database of its own."""
    url = _fresh_database(postgresql_proc, "walk_tiles_helsinki")
    build_ingest(load_settings({"WILDSIDE_DATABASE_URL": url}), SilentProgress())(HELSINKI_PBF)
    return url


@pytest.fixture(scope="module")
def helsinki_fine(postgresql_proc: PostgreSQLExecutor) -> str:
    """Helsinki again, its tiles rebuilt on a fine grid (hundreds of tiles)."""
    url = _fresh_database(postgresql_proc, "walk_tiles_helsinki_fine")
    build_ingest(load_settings({"WILDSIDE_DATABASE_URL": url}), SilentProgress())(HELSINKI_PBF)
    with psycopg.connect(url) as conn:
        conn.execute("DELETE FROM walk_tiles")
        rebuild_tiles(conn, all_tiles(conn, FINE_DEG), 1, FINE_DEG)
    return url


@pytest.fixture(scope="module")
def whole(helsinki: str) -> WalkingGraph:
    return PostgresWalkingNetworkSource(helsinki).load()


def test_ingest_builds_tiles_holding_every_vertex_and_arc(
    helsinki: str, whole: WalkingGraph
) -> None:
    # Given Helsinki ingested, when its tiles are read back
    with psycopg.connect(helsinki) as conn:
        rows = conn.execute(
            "SELECT x, y, version, node_count, arc_count, byte_size, data FROM walk_tiles"
        ).fetchall()
        version = conn.execute("SELECT max(id) FROM map_imports").fetchone() or (None,)
    # Then every vertex is in exactly one tile, the one its position says, with all its arcs
    assert rows, "the ingest wrote no tile"
    ids: list[int] = []
    arcs = 0
    for x, y, tile_version, nodes, arc_count, size, data in rows:
        tile = decode_tile(bytes(data))
        assert (tile.node_ids.size, tile.targets.size, len(data)) == (nodes, arc_count, size)
        assert tile_version == version[0]
        for lat, lng in zip(tile.lats.tolist(), tile.lngs.tolist(), strict=True):
            assert (tile_of(lat, lng).x, tile_of(lat, lng).y) == (x, y)
        ids.extend(tile.node_ids.tolist())
        arcs += arc_count
    assert sorted(ids) == list(whole.node_ids)
    assert arcs == whole.arc_count


def test_an_area_covering_the_city_stitches_to_the_whole_graph(
    helsinki_fine: str, whole: WalkingGraph
) -> None:
    # Given hundreds of fine tiles, when one area covers them all
    source = PostgresWalkingNetworkSource(helsinki_fine, tile_deg=FINE_DEG)
    graph = source.for_area(SearchArea(GeoPoint(60.167, 24.945), None, 12_000.0))
    # Then the stitched arrays are the whole graph's, byte for byte
    for name in WalkingGraph.__slots__:
        if name != "components":
            assert getattr(graph, name) == getattr(whole, name), name
    # And the pieces merged from hundreds of tiles are the whole graph's 50
    expected = scipy_pieces(whole)
    assert len(set(expected.tolist())) == 50
    assert_same_partition(graph.components, expected)


def test_a_start_far_from_any_tile_is_no_walking_network(helsinki: str) -> None:
    source = PostgresWalkingNetworkSource(helsinki)
    with pytest.raises(NoWalkingNetworkError) as caught:
        source.for_area(SearchArea(GeoPoint(48.85, 2.35), None, 7_000.0))
    assert caught.value.code == "no-walking-network"
    assert not caught.value.is_retryable


def _csr(graph: WalkingGraph) -> csr_matrix:
    n = graph.node_count
    return csr_matrix(
        (
            np.asarray(graph.lengths_m),
            np.asarray(graph.targets),
            np.asarray(graph.indptr),
        ),
        shape=(n, n),
    )


def _check_exact_paths(
    whole: WalkingGraph, part: WalkingGraph, area: SearchArea, sources: list[int]
) -> int:
    """Shortest paths in ``part`` equal the whole graph's for every pair a walk can use.

    A pair (u, v) is usable when the straight line from the start to u, the
    street path u-v and the straight line from v to the end (or start) fit in
    the walk: every point of that path then lies in the area. Returns how many
    usable paths left the tile of their source and came back into it.
    """
    end = area.end or area.start
    whole_ids = np.asarray(whole.node_ids)
    part_ids = np.asarray(part.node_ids)
    to_part = np.searchsorted(part_ids, whole_ids)
    full, predecessors = dijkstra(_csr(whole), indices=sources, return_predecessors=True)
    in_part = np.searchsorted(part_ids, whole_ids[sources])
    assert (part_ids[in_part] == whole_ids[sources]).all(), "a source vertex is missing"
    sub = dijkstra(_csr(part), indices=in_part)
    lats, lngs = np.asarray(whole.lats), np.asarray(whole.lngs)
    to_start = _haversine(area.start, lats, lngs)
    to_end = _haversine(end, lats, lngs)
    reentries = 0
    for row, u in enumerate(sources):
        usable = np.flatnonzero(to_start[u] + full[row] + to_end <= area.max_walk_m)
        assert np.isin(whole_ids[usable], part_ids).all(), "a usable vertex was not loaded"
        assert np.allclose(sub[row][to_part[usable]], full[row][usable], rtol=1e-12, atol=0)
        home = tile_of(lats[u], lngs[u], FINE_DEG)
        for target in usable[:: max(1, len(usable) // 50)].tolist():
            left, v = False, target
            while v != u and v >= 0:
                tile = tile_of(lats[v], lngs[v], FINE_DEG)
                if tile != home:
                    left = True
                elif left:
                    reentries += 1
                    break
                v = predecessors[row][v]
    return reentries


def _haversine(point: GeoPoint, lats: np.ndarray, lngs: np.ndarray) -> np.ndarray:
    return np.array(
        [
            haversine_m(point, GeoPoint(a, b))
            for a, b in zip(lats.tolist(), lngs.tolist(), strict=True)
        ]
    )


points = st.builds(GeoPoint, st.floats(SOUTH, NORTH), st.floats(WEST, EAST))


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    start=points,
    end=st.none() | points,
    walk_m=st.floats(300.0, 6_000.0),
    seed=st.integers(0, 2**32 - 1),
)
def test_stitched_tiles_keep_every_usable_shortest_path(
    helsinki_fine: str,
    whole: WalkingGraph,
    start: GeoPoint,
    end: GeoPoint | None,
    walk_m: float,
    seed: int,
) -> None:
    # Given random round trips and point-to-point areas over hundreds of fine tiles
    if end is not None and haversine_m(start, end) >= walk_m:
        end = None
    area = SearchArea(start, end, walk_m)
    lats, lngs = np.asarray(whole.lats), np.asarray(whole.lngs)
    to_ends = _haversine(start, lats, lngs) + _haversine(end or start, lats, lngs)
    near = np.flatnonzero(to_ends <= walk_m)
    try:
        part = PostgresWalkingNetworkSource(helsinki_fine, tile_deg=FINE_DEG).for_area(area)
    except NoWalkingNetworkError:
        assert near.size == 0, "tiles are missing where the whole graph has streets"
        return
    if near.size == 0:
        return
    # When shortest paths run from vertices inside the area, on the tiles and on the whole graph
    rng = np.random.default_rng(seed)
    sources = rng.choice(near, size=min(4, near.size), replace=False).tolist()
    # Then they agree wherever a walk of that length could use them
    _check_exact_paths(whole, part, area, sources)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(start=points, end=st.none() | points, walk_m=st.floats(300.0, 9_000.0))
def test_pieces_merged_from_tiles_are_the_stitched_areas_components(
    helsinki_fine: str, start: GeoPoint, end: GeoPoint | None, walk_m: float
) -> None:
    # Given random areas over hundreds of fine tiles (labels built per tile at ingest)
    area = SearchArea(start, end, walk_m)
    try:
        part = PostgresWalkingNetworkSource(helsinki_fine, tile_deg=FINE_DEG).for_area(area)
    except NoWalkingNetworkError:
        return
    # When the stitched graph's labels are compared with scipy's over the same graph
    # Then they split its vertices the same way
    assert_same_partition(part.components, scipy_pieces(part))


def test_usable_paths_that_leave_and_reenter_a_tile_are_exact(
    helsinki_fine: str, whole: WalkingGraph
) -> None:
    # Given a 90-minute round trip in the centre over fine tiles
    area = SearchArea(GeoPoint(60.1690, 24.9400), None, 5_000.0)
    part = PostgresWalkingNetworkSource(helsinki_fine, tile_deg=FINE_DEG).for_area(area)
    lats, lngs = np.asarray(whole.lats), np.asarray(whole.lngs)
    near = np.flatnonzero(_haversine(area.start, lats, lngs) <= 1_500.0)
    # When paths are checked from a spread of sources, Then many leave a tile and re-enter it
    reentries = _check_exact_paths(whole, part, area, near[:: max(1, near.size // 12)].tolist())
    assert reentries > 0


def test_kotka_after_helsinki_leaves_helsinki_tiles_untouched(
    postgresql_proc: PostgreSQLExecutor,
) -> None:
    # Given Helsinki ingested and its tiles noted
    url = _fresh_database(postgresql_proc, "walk_tiles_two_regions")
    ingest = build_ingest(load_settings({"WILDSIDE_DATABASE_URL": url}), SilentProgress())
    ingest(HELSINKI_PBF)
    query = "SELECT x, y, version, data FROM walk_tiles ORDER BY x, y"
    with psycopg.connect(url) as conn:
        before = conn.execute(query).fetchall()
    # When Kotka is ingested
    ingest(KOTKA_PBF)
    with psycopg.connect(url) as conn:
        after = conn.execute(query).fetchall()
        kotka_version = conn.execute("SELECT max(id) FROM map_imports").fetchone() or (None,)
    # Then Helsinki's tiles are the same rows, and Kotka's are new ones of the new version
    assert [row for row in after if row[2] != kotka_version[0]] == before
    assert any(row[2] == kotka_version[0] for row in after)
    source = PostgresWalkingNetworkSource(url)
    helsinki = source.for_area(SearchArea(GeoPoint(60.1690, 24.9400), None, 7_000.0))
    kotka = source.for_area(SearchArea(GeoPoint(60.5300, 26.9500), None, 7_000.0))
    assert helsinki.node_count > 1_000
    assert kotka.node_count > 0
    assert not set(helsinki.node_ids) & set(kotka.node_ids)


TOUR_REQUESTS = [
    # (start, end, minutes, themes, seed): round trips and point to point, 30 to 180 minutes.
    (GeoPoint(60.1712, 24.9441), None, 90, ("history",), 0),
    (GeoPoint(60.1712, 24.9441), None, 30, (), 1),
    (GeoPoint(60.1712, 24.9441), None, 15, ("history",), 2),
    (GeoPoint(60.1650, 24.9400), None, 20, ("food",), 5),
    (GeoPoint(60.1712, 24.9441), GeoPoint(60.1690, 24.9400), 15, (), 4),
    (GeoPoint(60.1655, 24.9375), None, 10, (), 6),
    (GeoPoint(60.1655, 24.9375), None, 20, ("history",), 8),
    (GeoPoint(60.1780, 24.9520), GeoPoint(60.1760, 24.9480), 12, (), 9),
    (GeoPoint(60.1675, 24.9525), None, 180, ("art", "food"), 7),
    (GeoPoint(60.1650, 24.9400), None, 60, ("nature",), 3),
    (GeoPoint(60.1712, 24.9441), GeoPoint(60.1675, 24.9525), 90, ("culture",), 1),
    (GeoPoint(60.1750, 24.9350), GeoPoint(60.1650, 24.9500), 120, (), 0),
]


@pytest.mark.parametrize("grid_deg", [TILE_DEG, FINE_DEG])
def test_seeded_tours_from_tiles_equal_tours_from_the_whole_graph(
    helsinki: str, helsinki_fine: str, whole: WalkingGraph, grid_deg: float
) -> None:
    # Given one planner over the whole graph and one over tiles (default and fine grid)
    url = helsinki if grid_deg == TILE_DEG else helsinki_fine
    settings = load_settings({"WILDSIDE_DATABASE_URL": url})
    baseline = build_plan_tour(settings, network=StreetNetwork(whole))
    source = PostgresWalkingNetworkSource(url, tile_deg=grid_deg)
    tiled = build_plan_tour(settings, engines=PostgresTourEngineFactory(source))
    if grid_deg == FINE_DEG:  # the extract is small: only short walks load part of it
        short = SearchArea(GeoPoint(60.1655, 24.9375), None, 10 * 60 * 1.3)
        assert source.for_area(short).node_count < whole.node_count, "no request is partial"
    for start, end, minutes, themes, seed in TOUR_REQUESTS:
        spec = RouteSpec.build(
            start=start, end=end, duration_minutes=minutes, preferences=list(themes), seed=seed
        )
        # When both plan the same seeded request
        expected, got = baseline(spec), tiled(spec)
        # Then the stops, their order, the legs and the costs are the same
        assert [s.key for s in got.stops] == [s.key for s in expected.stops]
        assert [s.arrival_s for s in got.stops] == [s.arrival_s for s in expected.stops]
        assert got.legs == expected.legs
        assert got.notes == expected.notes


@pytest.fixture(scope="module")
def two_regions(postgresql_proc: PostgreSQLExecutor) -> str:
    """Helsinki and Kotka, 110 km apart, ingested one after the other."""
    url = _fresh_database(postgresql_proc, "walk_tiles_cache")
    ingest = build_ingest(load_settings({"WILDSIDE_DATABASE_URL": url}), SilentProgress())
    ingest(HELSINKI_PBF)
    ingest(KOTKA_PBF)
    return url


def test_a_changed_tile_is_read_again_and_the_others_come_from_the_cache(two_regions: str) -> None:
    # Given a factory that has served Helsinki and Kotka once
    source = PostgresWalkingNetworkSource(two_regions)
    engines = PostgresTourEngineFactory(source)
    helsinki = SearchArea(GeoPoint(60.1712, 24.9441), None, 5_000.0)
    kotka = SearchArea(GeoPoint(60.5300, 26.9500), None, 5_000.0)
    first = engines.network_for(helsinki)
    kotka_first = engines.network_for(kotka)
    # When the same areas are asked for again, Then nothing is stitched again
    assert engines.network_for(helsinki) is first
    assert engines.network_for(kotka) is kotka_first
    # When an import adds a street in Helsinki
    job = PostgresMapDataStore(two_regions).begin_import("a new footway")
    anchor = int(first.graph.node_ids[0])
    lat, lng = first.graph.lats[0], first.graph.lngs[0]
    job.stage_network(
        [WalkNode(anchor, lat, lng), WalkNode(9_000_000_001, lat + 0.0005, lng)],
        [
            WalkEdge(
                9_000_000_002,
                0,
                anchor,
                9_000_000_001,
                55.6,
                "footway",
                ((lng, lat), (lng, lat + 0.0005)),
            )
        ],
    )
    job.commit(batch_size=100)
    # Then the next Helsinki request sees it, and Kotka's network is still the cached one
    second = engines.network_for(helsinki)
    assert second is not first
    assert 9_000_000_001 in set(second.graph.node_ids)
    assert second.vertex_count == first.vertex_count + 1
    assert engines.network_for(kotka) is kotka_first


def test_the_cache_stays_within_its_budget_over_many_requests_in_two_regions(
    two_regions: str,
) -> None:
    # Given a cache smaller than both regions' tiles and networks together
    budget = 3 * 1024 * 1024
    source = PostgresWalkingNetworkSource(two_regions, cache=GraphCache(budget))
    engines = PostgresTourEngineFactory(source)
    rng = np.random.default_rng(5)
    centres = [(60.1712, 24.9441), (60.5300, 26.9500)]
    # When 300 random round trips and point-to-point areas alternate between them
    for _ in range(300):
        lat, lng = centres[int(rng.integers(2))]
        start = GeoPoint(lat + rng.uniform(-0.01, 0.01), lng + rng.uniform(-0.02, 0.02))
        end = None if rng.random() < 0.5 else GeoPoint(lat, lng)
        area = SearchArea(start, end, float(rng.uniform(2_000, 14_000)))
        with contextlib.suppress(NoWalkingNetworkError):
            assert engines.network_for(area).vertex_count > 0
        # Then the bytes held never pass the budget
        assert source.cache.nbytes <= budget
    assert source.cache.hits > 0


def test_threads_asking_for_the_same_area_at_once_stitch_it_once(helsinki: str) -> None:
    # Given a worker's factory with an empty cache, and its tile reads counted
    source = PostgresWalkingNetworkSource(helsinki)
    engines = PostgresTourEngineFactory(source)
    reads: list[int] = []
    read_tiles = source._read_tiles

    def counted(keys: list[tuple[str, int, int, int]]) -> object:
        reads.append(len(keys))
        return read_tiles(keys)

    source._read_tiles = counted  # type: ignore[method-assign]
    area = SearchArea(GeoPoint(60.1712, 24.9441), None, 7_000.0)
    barrier = threading.Barrier(6)
    networks: list[StreetNetwork] = []

    def request() -> None:
        barrier.wait()
        networks.append(engines.network_for(area))

    # When six threads ask for the same area at once
    threads = [threading.Thread(target=request) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Then all six share one network, stitched from one read of the tiles
    assert len(networks) == 6
    assert len({id(network) for network in networks}) == 1
    assert len(reads) == 1
