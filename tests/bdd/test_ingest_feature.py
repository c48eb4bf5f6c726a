"""Steps for features/ingest.feature, run against a real PostgreSQL and the real CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import psycopg
import pytest
from pytest_bdd import given, parsers, scenarios, then, when

from adapters.composition import build_ingest, build_plan_tour
from adapters.outbound.postgres.walk_tile_codec import FORMAT_VERSION
from adapters.settings import load_settings
from wildside.domain.geo import GeoPoint
from wildside.domain.route_spec import RouteSpec
from wildside.ports.progress import SilentProgress

scenarios("ingest.feature")

WILDSIDE = str(Path(sys.executable).parent / "wildside")
# What a rebuild must reproduce (the version and the build time move on).
TILES = "SELECT x, y, node_count, arc_count, data FROM walk_tiles ORDER BY x, y"


@pytest.fixture
def world() -> dict[str, Any]:
    return {}


def _snapshot(url: str) -> tuple[object, ...]:
    with psycopg.connect(url) as conn:
        return tuple(
            conn.execute(query).fetchone()
            for query in (
                "SELECT count(*), md5(string_agg(element_type || id || tags::text, ','"
                " ORDER BY element_type, id)) FROM pois",
                "SELECT count(*), sum(length_m) FROM walk_edges",
            )
        )


@given("an empty, migrated Wildside database", target_fixture="url")
def _empty_database(migrated_database_url: str) -> str:
    return migrated_database_url


@given("the bundled Helsinki extract was ingested")
@when("I ingest the bundled Helsinki extract")
def _ingest_helsinki(url: str, helsinki_pbf: Path, world: dict[str, Any]) -> None:
    ingest = build_ingest(load_settings({"WILDSIDE_DATABASE_URL": url}), SilentProgress())
    world["report"] = ingest(helsinki_pbf)
    world["before"] = _snapshot(url)


@when(parsers.parse("I ingest {bad_file} with the wildside command"))
def _ingest_bad_file(
    bad_file: str, url: str, tmp_path: Path, kotka_pbf: Path, world: dict[str, Any]
) -> None:
    path = tmp_path / "bad.osm.pbf"
    if bad_file == "a file that is not a PBF":
        path.write_text("<osm>not protobuf</osm>\n")
    elif bad_file == "a truncated PBF":
        path.write_bytes(kotka_pbf.read_bytes()[:50_000])
    else:
        assert bad_file == "a missing file"
    world["path"] = path
    world["result"] = subprocess.run(
        [WILDSIDE, "ingest", str(path)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        env={**os.environ, "WILDSIDE_DATABASE_URL": url},
    )


@then(parsers.parse("the report says more than {count:d} points of interest were inserted"))
def _many_inserted(count: int, world: dict[str, Any]) -> None:
    assert world["report"].pois_inserted > count


@then(parsers.parse("the walking network has more than {count:d} edges"))
def _network_size(count: int, url: str) -> None:
    with psycopg.connect(url) as conn:
        (edges,) = conn.execute("SELECT count(*) FROM walk_edges").fetchone()  # type: ignore[misc]
    assert edges > count


@then("no hotel, bench or information board is stored as a point of interest")
def _no_furniture(url: str) -> None:
    with psycopg.connect(url) as conn:
        (count,) = conn.execute(  # type: ignore[misc]
            "SELECT count(*) FROM pois WHERE tags->>'tourism' IN ('hotel', 'information')"
            " OR tags->>'amenity' = 'bench'"
        ).fetchone()
    assert count == 0


@then(
    parsers.parse(
        "the report says {inserted:d} points of interest were inserted and {updated:d} updated"
    )
)
def _counts(inserted: int, updated: int, world: dict[str, Any]) -> None:
    assert (world["report"].pois_inserted, world["report"].pois_updated) == (inserted, updated)


@then("every point of interest is reported unchanged")
def _all_unchanged(world: dict[str, Any]) -> None:
    report = world["report"]
    assert report.pois_unchanged == report.pois_total > 0


@then("the command fails with a one-line error naming the file")
def _fails_clearly(world: dict[str, Any]) -> None:
    result = world["result"]
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("wildside: error: ")
    assert str(world["path"]) in lines[0]


@then("the stored data is exactly as before")
def _intact(url: str, world: dict[str, Any]) -> None:
    assert _snapshot(url) == world["before"]


@given("its walking-graph tiles were written by an older Wildside")
def _older_tiles(url: str, world: dict[str, Any]) -> None:
    with psycopg.connect(url) as conn:
        world["tiles"] = conn.execute(TILES).fetchall()
        # An older format: the header's version field and the row's both say so.
        conn.execute(
            "UPDATE walk_tiles SET format_version = %(old)s,"
            " data = overlay(data placing int2send(%(old)s::int2) from 5)",
            {"old": FORMAT_VERSION - 1},
        )


@when('I run "wildside rebuild-tiles"')
def _rebuild_tiles(url: str, world: dict[str, Any]) -> None:
    world["result"] = subprocess.run(
        [WILDSIDE, "rebuild-tiles"],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
        env={**os.environ, "WILDSIDE_DATABASE_URL": url},
    )


@then("the command reports every tile rebuilt")
def _reports_rebuilt(world: dict[str, Any]) -> None:
    result = world["result"]
    assert result.returncode == 0, result.stderr
    assert f"rebuilt {len(world['tiles'])} walking-graph tiles" in result.stdout


@then("the walking-graph tiles are those a fresh ingest builds")
def _tiles_as_fresh(url: str, world: dict[str, Any]) -> None:
    with psycopg.connect(url) as conn:
        assert conn.execute(TILES).fetchall() == world["tiles"]
        formats = conn.execute("SELECT DISTINCT format_version FROM walk_tiles").fetchall()
    assert formats == [(FORMAT_VERSION,)]


@then("a tour of central Helsinki can be planned")
def _tour_planned(url: str) -> None:
    plan = build_plan_tour(load_settings({"WILDSIDE_DATABASE_URL": url}))
    spec = RouteSpec.build(start=GeoPoint(60.1712, 24.9441), duration_minutes=30, seed=0)
    assert len(plan(spec).stops) >= 2
