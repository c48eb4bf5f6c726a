"""`wildside rebuild-tiles` on real PostgreSQL: tiles lost, damaged or stale are rebuilt."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from adapters.composition import build_ingest, build_plan_tour
from adapters.outbound.postgres.walk_tile_codec import FORMAT_VERSION, WalkTileFormatError
from adapters.outbound.postgres.walking_network_source import PostgresWalkingNetworkSource
from adapters.settings import load_settings
from wildside.domain.geo import GeoPoint
from wildside.domain.route_spec import RouteSpec
from wildside.ports.progress import SilentProgress
from wildside.ports.walking_network_source import SearchArea

WILDSIDE = str(Path(sys.executable).parent / "wildside")
# Columns a rebuild must reproduce exactly (the version and build time move on).
TILE_ROWS = (
    "SELECT x, y, format_version, node_count, arc_count, byte_size, data"
    " FROM walk_tiles ORDER BY x, y"
)
CENTRE = GeoPoint(60.1712, 24.9441)


def _rebuild(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [WILDSIDE, "rebuild-tiles", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
        env={**os.environ, "WILDSIDE_DATABASE_URL": url},
    )


def test_rebuild_tiles_restores_lost_and_damaged_tiles_and_drops_stale_ones(
    migrated_database_url: str, helsinki_pbf: Path
) -> None:
    # Given Helsinki ingested, and its tiles as the ingest built them
    url = migrated_database_url
    build_ingest(load_settings({"WILDSIDE_DATABASE_URL": url}), SilentProgress())(helsinki_pbf)
    with psycopg.connect(url) as conn:
        fresh = conn.execute(TILE_ROWS).fetchall()
        (old_version,) = conn.execute("SELECT max(version) FROM walk_tiles").fetchone() or (0,)
        (imports,) = conn.execute("SELECT count(*) FROM map_imports").fetchone() or (0,)
    assert len(fresh) >= 2
    # And then one tile lost, the others marked as an older format, and a tile of
    # an empty cell (as another grid leaves behind)
    with psycopg.connect(url) as conn:
        conn.execute("DELETE FROM walk_tiles WHERE (x, y) = (%s, %s)", fresh[0][:2])
        conn.execute("UPDATE walk_tiles SET format_version = %s", (FORMAT_VERSION - 1,))
        conn.execute(
            "INSERT INTO walk_tiles (x, y, format_version, version, node_count, arc_count,"
            " byte_size, data) VALUES (1, 1, 1, 1, 1, 0, 4, 'junk')"
        )
    source = PostgresWalkingNetworkSource(url)
    with pytest.raises(WalkTileFormatError, match="wildside rebuild-tiles"):
        source.for_area(SearchArea(CENTRE, None, 7_000.0))
    # When the operator runs the command, two tiles per transaction
    result = _rebuild(url, "--batch-size", "2")
    # Then it succeeds, saying what it did on stdout and how far it got on stderr
    assert result.returncode == 0, result.stderr
    assert f"rebuilt {len(fresh)} walking-graph tiles" in result.stdout
    assert "removed 1 tiles" in result.stdout
    assert f"rebuild-tiles: rebuilding tiles {len(fresh)}/{len(fresh)}" in result.stderr
    # And the tiles are those the ingest built, under one new version, no import recorded
    with psycopg.connect(url) as conn:
        assert conn.execute(TILE_ROWS).fetchall() == fresh
        versions = conn.execute("SELECT DISTINCT version FROM walk_tiles").fetchall()
        assert conn.execute("SELECT count(*) FROM map_imports").fetchone() == (imports,)
    assert len(versions) == 1
    assert versions[0][0] > old_version
    # And a tour is served from them
    plan = build_plan_tour(load_settings({"WILDSIDE_DATABASE_URL": url}))
    tour = plan(RouteSpec.build(start=CENTRE, duration_minutes=30, preferences=[], seed=0))
    assert len(tour.stops) >= 2


def test_rebuild_tiles_against_an_unreachable_database_fails_in_one_line() -> None:
    result = _rebuild("postgresql://nobody@127.0.0.1:9/none")
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("wildside: error: PostgreSQL is unreachable")
