"""Ingesting the real bundled extracts, checked against counts the test derives itself.

The expected counts come from reading the file with pyosmium here and applying
the rule tables below, written out from ``docs/engine.md`` (tag table, "never
POIs") and OSM's pedestrian access conventions. Nothing of wildside's own
classification (``classify_poi``, ``is_walkable``) is used, so a change to
those rules that the documentation does not share makes this test fail.
"""

from __future__ import annotations

import itertools
import json
import math
import os
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import osmium
import psycopg
import pytest
from shapely.geometry import Point, Polygon

from adapters.composition import build_ingest
from adapters.settings import load_settings
from wildside.ports.progress import SilentProgress

WILDSIDE = str(Path(sys.executable).parent / "wildside")


# -- The rules, as this test states them -------------------------------------------


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Keys whose every value makes a POI, except a negative one ("no", "none", ...).
ANY_VALUE_POI_KEYS = frozenset({"historic", "memorial"})
# key -> the values that make a POI.
POI_VALUES: dict[str, frozenset[str]] = {
    "tourism": _words("museum gallery artwork viewpoint attraction zoo aquarium"),
    "amenity": _words(
        "place_of_worship theatre arts_centre library concert_hall fountain clock"
        " cafe restaurant ice_cream marketplace pub"
    ),
    "leisure": _words("park garden nature_reserve"),
    "natural": _words(
        "peak hill volcano waterfall spring hot_spring geyser beach cliff cave_entrance bay cape"
    ),
    "waterway": frozenset({"waterfall"}),
    "man_made": _words("lighthouse tower windmill watermill obelisk"),
}
# Tags that make a POI only on a named object.
NAMED_ONLY_POI_TAGS = frozenset({("natural", "water")})
# Tags that keep an object out whatever else it carries.
NEVER_POI_TAGS = frozenset(
    {("tourism", v) for v in _words("hotel hostel guest_house motel apartment information")}
    | {("amenity", v) for v in _words("bench waste_basket parking toilets")}
)
NEGATIVE_VALUES = frozenset({"no", "none", "false", ""})

# Highway classes open to walkers unless a foot or access tag closes them.
WALKABLE_HIGHWAYS = _words(
    "footway pedestrian path steps living_street residential service unclassified track"
    " road tertiary tertiary_link secondary secondary_link primary primary_link trunk"
    " trunk_link cycleway bridleway corridor platform"
)
FOOT_ALLOWED = _words("yes designated permissive official destination")
FOOT_DENIED = _words("no private use_sidepath discouraged")
ACCESS_DENIED = _words("no private military agricultural forestry")
NOT_A_ROAD_YET_OR_ANY_MORE = _words("proposed construction abandoned razed")


def is_poi(tags: dict[str, str]) -> bool:
    """A POI: no excluding tag, and one tag that admits it by the tables above."""
    if any(pair in NEVER_POI_TAGS for pair in tags.items()):
        return False
    for key, value in tags.items():
        if value.strip().lower() in NEGATIVE_VALUES:
            continue
        if value in POI_VALUES.get(key, ()) or key in ANY_VALUE_POI_KEYS:
            return True
        if (key, value) in NAMED_ONLY_POI_TAGS and tags.get("name"):
            return True
    return False


def walkable(tags: dict[str, str]) -> bool:
    """A way in the walking network: foot beats access beats the highway class; no areas."""
    highway = tags.get("highway")
    if highway is None or tags.get("area") == "yes":
        return False
    foot = tags.get("foot")
    if foot in FOOT_DENIED:
        return False
    if foot in FOOT_ALLOWED:
        return highway not in NOT_A_ROAD_YET_OR_ANY_MORE
    if tags.get("access") in ACCESS_DENIED:
        return False
    return highway in WALKABLE_HIGHWAYS


def test_the_rule_tables_say_what_the_documentation_says() -> None:
    # A few cases from docs/engine.md, so a slip in the tables shows here first.
    assert is_poi({"historic": "memorial", "name": "Runeberg"})
    assert is_poi({"historic": "yes"})
    assert not is_poi({"historic": "no"})
    assert not is_poi({"tourism": "hotel", "historic": "building"})
    assert not is_poi({"amenity": "bench"})
    assert not is_poi({"natural": "water"})
    assert is_poi({"natural": "water", "name": "Töölönlahti"})
    assert not is_poi({"shop": "bakery", "name": "Fazer"})
    assert walkable({"highway": "footway"})
    assert not walkable({"highway": "motorway"})
    assert not walkable({"highway": "service", "access": "private"})
    assert walkable({"highway": "service", "access": "private", "foot": "yes"})
    assert not walkable({"highway": "pedestrian", "area": "yes"})
    assert not walkable({"highway": "construction", "foot": "yes"})


# -- Reading the file -----------------------------------------------------------------


@dataclass(frozen=True)
class Expected:
    """Counts derived straight from the file with pyosmium and this test's rule tables."""

    pois: Counter[str]
    vertices: int
    edges: int
    length_m: float
    closed_way_rings: dict[int, list[tuple[float, float]]]


def _haversine_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    return float(osmium.geom.haversine_distance(osmium.osm.Location(*a), osmium.osm.Location(*b)))


def derive_expected(path: Path) -> Expected:
    pois: Counter[str] = Counter()
    rings: dict[int, list[tuple[float, float]]] = {}
    runs: list[list[tuple[int, tuple[float, float]]]] = []
    for obj in osmium.FileProcessor(str(path)).with_areas():
        tags = {tag.k: tag.v for tag in obj.tags}
        if obj.is_node() and is_poi(tags):
            pois["node"] += 1
        elif obj.is_area() and not obj.from_way() and is_poi(tags):
            pois["relation"] += 1
        elif obj.is_way():
            located = [(n.ref, (n.lon, n.lat)) for n in obj.nodes if n.location.valid()]
            if is_poi(tags) and located:
                pois["way"] += 1
                if obj.is_closed() and len(located) == len(obj.nodes) >= 4:
                    rings[obj.id] = [xy for _, xy in located]
            if walkable(tags):
                run: list[tuple[int, tuple[float, float]]] = []
                for n in obj.nodes:
                    if n.location.valid():
                        run.append((n.ref, (n.lon, n.lat)))
                    else:
                        runs.append(run)
                        run = []
                runs.append(run)
    runs = [run for run in runs if len(run) >= 2]
    uses = Counter(ref for run in runs for ref, _ in run)
    vertices: set[int] = set()
    edges = 0
    length = 0.0
    for run in runs:
        cuts = [i for i, (ref, _) in enumerate(run) if uses[ref] > 1 or i in (0, len(run) - 1)]
        vertices.update(run[i][0] for i in cuts)
        for a, b in itertools.pairwise(cuts):
            if run[a][0] != run[b][0]:
                edges += 1
                length += sum(_haversine_m(run[i][1], run[i + 1][1]) for i in range(a, b))
    return Expected(pois, len(vertices), edges, length, rings)


def _ingest(url: str, path: Path):  # type: ignore[no-untyped-def]
    settings = load_settings({"WILDSIDE_DATABASE_URL": url})
    return build_ingest(settings, SilentProgress())(path, batch_size=1000)


def _fingerprint(conn: psycopg.Connection) -> tuple[object, ...]:
    queries = [
        "SELECT md5(string_agg(element_type || id || coalesce(name, '') || ST_AsText(location)"
        " || tags::text || themes::text || popularity, ',' ORDER BY element_type, id)) FROM pois",
        "SELECT md5(string_agg(id || ST_AsText(geom), ',' ORDER BY id)) FROM walk_nodes",
        "SELECT md5(string_agg(way_id || ':' || seq || ':' || source || ':' || target || ':'"
        " || length_m || ST_AsText(geom), ',' ORDER BY way_id, seq)) FROM walk_edges",
    ]
    return tuple(conn.execute(query).fetchone()[0] for query in queries)  # type: ignore[index]


@pytest.mark.parametrize("sample", ["helsinki_pbf", "kotka_pbf"])
def test_counts_match_an_independent_reading_of_the_file(
    sample: str, request: pytest.FixtureRequest, db: psycopg.Connection, migrated_database_url: str
) -> None:
    path: Path = request.getfixturevalue(sample)
    expected = derive_expected(path)
    report = _ingest(migrated_database_url, path)
    stored = dict(db.execute("SELECT element_type, count(*) FROM pois GROUP BY 1").fetchall())
    assert stored == dict(expected.pois)
    assert report.pois_total == report.pois_inserted == sum(expected.pois.values())
    assert report.network_nodes == expected.vertices
    assert report.network_edges == expected.edges
    assert db.execute("SELECT count(*) FROM walk_nodes").fetchone() == (expected.vertices,)
    total_m = db.execute("SELECT sum(length_m) FROM walk_edges").fetchone()[0]  # type: ignore[index]
    # Ellipsoidal (stored) vs spherical (haversine) lengths differ by well under 0.5 %.
    assert math.isclose(total_m, expected.length_m, rel_tol=0.005)


def test_helsinki_has_a_realistic_amount_of_data(
    db: psycopg.Connection, migrated_database_url: str, helsinki_pbf: Path
) -> None:
    report = _ingest(migrated_database_url, helsinki_pbf)
    assert report.pois_total > 400
    assert report.network_edges > 3000
    themes = dict(db.execute("SELECT unnest(themes), count(*) FROM pois GROUP BY 1").fetchall())
    assert {"history", "food", "nature", "art", "religion"} <= set(themes)


def test_ways_are_placed_inside_their_area_and_not_at_the_first_node(
    db: psycopg.Connection, migrated_database_url: str, helsinki_pbf: Path
) -> None:
    rings = derive_expected(helsinki_pbf).closed_way_rings
    _ingest(migrated_database_url, helsinki_pbf)
    rows = db.execute(
        "SELECT id, ST_X(location::geometry), ST_Y(location::geometry) FROM pois"
        " WHERE element_type = 'way' AND id = ANY(%s)",
        (list(rings),),
    ).fetchall()
    assert len(rows) == len(rings) > 20
    for way_id, lng, lat in rows:
        ring = rings[way_id]
        assert (lng, lat) != ring[0]
        assert Polygon(ring).buffer(1e-9).contains(Point(lng, lat)), way_id


def test_second_run_inserts_nothing_and_leaves_the_same_rows(
    db: psycopg.Connection, migrated_database_url: str, helsinki_pbf: Path
) -> None:
    first = _ingest(migrated_database_url, helsinki_pbf)
    before = _fingerprint(db)
    second = _ingest(migrated_database_url, helsinki_pbf)
    assert (second.pois_inserted, second.pois_updated) == (0, 0)
    assert second.pois_unchanged == first.pois_total
    assert _fingerprint(db) == before


def _truncated(source: Path, target: Path) -> Path:
    target.write_bytes(source.read_bytes()[: source.stat().st_size * 2 // 3])
    return target


@pytest.mark.parametrize("case", ["missing", "not-a-pbf", "truncated"])
def test_bad_files_fail_clearly_and_keep_earlier_data(
    case: str,
    tmp_path: Path,
    db: psycopg.Connection,
    migrated_database_url: str,
    helsinki_pbf: Path,
    kotka_pbf: Path,
) -> None:
    # Given Helsinki already ingested
    _ingest(migrated_database_url, helsinki_pbf)
    before = _fingerprint(db)
    bad = {
        "missing": tmp_path / "absent.osm.pbf",
        "not-a-pbf": tmp_path / "notes.osm.pbf",
        "truncated": _truncated(kotka_pbf, tmp_path / "cut.osm.pbf"),
    }[case]
    if case == "not-a-pbf":
        bad.write_text("this is not protobuf\n")
    # When the CLI is asked to ingest a bad file
    env = {**os.environ, "WILDSIDE_DATABASE_URL": migrated_database_url}
    result = subprocess.run(
        [WILDSIDE, "ingest", str(bad), "--json"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=120,
    )
    # Then it exits non-zero with one clear line, and the data is untouched
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.startswith("wildside: error: ")
    assert len(result.stderr.strip().splitlines()) == 1
    assert str(bad) in result.stderr
    assert _fingerprint(db) == before


def test_cli_json_report_has_exactly_the_documented_keys(
    migrated_database_url: str, kotka_pbf: Path
) -> None:
    env = {**os.environ, "WILDSIDE_DATABASE_URL": migrated_database_url}
    result = subprocess.run(
        [WILDSIDE, "ingest", str(kotka_pbf), "--json"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        timeout=120,
    )
    report = json.loads(result.stdout)
    assert set(report) == {
        "pois_inserted",
        "pois_updated",
        "pois_unchanged",
        "pois_total",
        "network_nodes",
        "network_edges",
        "seconds",
    }
    assert report["network_edges"] > 0
