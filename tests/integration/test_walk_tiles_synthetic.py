"""Tiles on a small synthetic city (bench/synthetic_city.py) spread over several tiles."""

from __future__ import annotations

import re

import numpy as np
import psycopg
import pytest
from pytest_postgresql.executors import PostgreSQLExecutor

from adapters.composition import build_plan_tour
from adapters.outbound.postgres.migrations import PostgresMigrationRunner
from adapters.outbound.postgres.tiled_tour_engines import PostgresTourEngineFactory
from adapters.outbound.postgres.walking_network_source import PostgresWalkingNetworkSource
from adapters.settings import load_settings
from bench.synthetic_city import generate
from tests.conftest import url_of
from tests.integration.test_walk_tiles import _check_exact_paths, _haversine
from tests.support.pieces import assert_same_partition, scipy_pieces
from wildside.app.plan_tour import EndOutOfReachError
from wildside.domain.geo import GeoPoint
from wildside.domain.route_spec import RouteSpec
from wildside.domain.solver.street_network import StreetNetwork
from wildside.domain.walking_graph import WalkingGraph
from wildside.ports.walking_network_source import SearchArea

SIDE = 90  # 8 100 vertices over 6.3 x 6.3 km: 3 x 4 tiles of 0.05 degrees


@pytest.fixture(scope="module")
def city(postgresql_proc: PostgreSQLExecutor) -> tuple[str, dict[str, float]]:
    name = "walk_tiles_synthetic"
    with psycopg.connect(url_of(postgresql_proc, "postgres"), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name} TEMPLATE {postgresql_proc.template_dbname}")
    url = url_of(postgresql_proc, name)
    PostgresMigrationRunner(url).apply()
    return url, generate(url, side=SIDE)


@pytest.fixture(scope="module")
def whole(city: tuple[str, dict[str, float]]) -> WalkingGraph:
    return PostgresWalkingNetworkSource(city[0]).load()


def _starts(info: dict[str, float], count: int, seed: int) -> list[GeoPoint]:
    rng = np.random.default_rng(seed)
    return [
        GeoPoint(
            info["centre_lat"] + rng.uniform(-0.6, 0.6) * info["half_extent_deg_lat"],
            info["centre_lng"] + rng.uniform(-0.6, 0.6) * info["half_extent_deg_lng"],
        )
        for _ in range(count)
    ]


def test_the_city_spans_several_tiles(city: tuple[str, dict[str, float]]) -> None:
    with psycopg.connect(city[0]) as conn:
        tiles = conn.execute("SELECT count(*) FROM walk_tiles").fetchone()
    assert tiles is not None
    assert tiles[0] >= 6


def test_usable_shortest_paths_over_tiles_are_the_whole_graphs(
    city: tuple[str, dict[str, float]], whole: WalkingGraph
) -> None:
    # Given round trips and point-to-point areas of 20 to 60 minutes across the city
    url, info = city
    source = PostgresWalkingNetworkSource(url)
    lats, lngs = np.asarray(whole.lats), np.asarray(whole.lngs)
    starts = _starts(info, 12, 1)
    for index, start in enumerate(starts):
        walk_m = (20 + 10 * (index % 5)) * 60 * 1.3
        end = starts[(index + 1) % len(starts)] if index % 2 else None
        area = SearchArea(start, end, walk_m)
        to_end = _haversine(end or start, lats, lngs)
        if float(to_end[np.argmin(_haversine(start, lats, lngs))]) >= walk_m:
            area = SearchArea(start, None, walk_m)
            to_end = _haversine(start, lats, lngs)
        part = source.for_area(area)
        near = np.flatnonzero(_haversine(start, lats, lngs) + to_end <= walk_m)
        sources = near[:: max(1, near.size // 5)].tolist()
        # Then every pair a walk of that length could use has the whole graph's distance
        _check_exact_paths(whole, part, area, sources)
        assert part.node_count < whole.node_count


def test_pieces_merged_from_tiles_are_the_stitched_areas_components(
    city: tuple[str, dict[str, float]],
) -> None:
    # Given round trips and point-to-point areas of 10 to 180 minutes across the city
    url, info = city
    source = PostgresWalkingNetworkSource(url)
    starts = _starts(info, 30, 7)
    joined = 0
    for index, start in enumerate(starts):
        walk_m = (10 + 17 * (index % 11)) * 60 * 1.3
        end = starts[(index + 3) % len(starts)] if index % 3 == 0 else None
        area = SearchArea(start, end, walk_m)
        part = source.for_area(area)
        # Then the labels merged from its tiles split it as scipy's components do
        expected = scipy_pieces(part)
        assert_same_partition(part.components, expected)
        tiles, _ = source.area_tiles(area)
        joined += sum(tile.pieces for tile in tiles) - len(set(expected.tolist()))
    # And the merge had work to do: pieces of different tiles joined across borders
    assert joined > 0


@pytest.mark.parametrize("minutes", [30, 60, 90])
def test_seeded_tours_from_tiles_equal_tours_from_the_whole_graph(
    city: tuple[str, dict[str, float]], whole: WalkingGraph, minutes: int
) -> None:
    url, info = city
    settings = load_settings({"WILDSIDE_DATABASE_URL": url})
    baseline = build_plan_tour(settings, network=StreetNetwork(whole))
    tiled = build_plan_tour(
        settings, engines=PostgresTourEngineFactory(PostgresWalkingNetworkSource(url))
    )
    starts = _starts(info, 4, minutes)
    for index, start in enumerate(starts):
        end = starts[-1] if index == 1 else None
        spec = RouteSpec.build(
            start=start, end=end, duration_minutes=minutes, preferences=["art"], seed=index
        )
        try:
            expected = baseline(spec)
        except EndOutOfReachError as exc:
            with pytest.raises(EndOutOfReachError, match=re.escape(exc.message)):
                tiled(spec)
            continue
        got = tiled(spec)
        assert [s.key for s in got.stops] == [s.key for s in expected.stops]
        assert got.legs == expected.legs
        assert got.notes == expected.notes
