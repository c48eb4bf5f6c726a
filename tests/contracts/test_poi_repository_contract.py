"""One behaviour suite for every ``PoiRepository``: the in-memory fake and PostGIS."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import psycopg
import pytest
from psycopg.types.json import Jsonb

from adapters.outbound.postgres.connection import per_call
from adapters.outbound.postgres.poi_repository import PostgresPoiRepository
from tests.fakes.poi_repository import InMemoryPoiRepository
from wildside.domain.geo import GeoPoint
from wildside.domain.map_data import PoiRecord
from wildside.domain.scoring import Poi
from wildside.ports.poi_repository import PoiRepository, Provenance, SearchArea

START = GeoPoint(60.0, 25.0)
# Points due north of START at known distances (1e-3 degrees of latitude is ~111.2 m).
POIS = [
    Poi("node/1", "near", 60.001, 25.0, ("history",), 0.2, {"historic": "memorial"}),
    Poi("node/2", "popular", 60.004, 25.0, ("art",), 0.9, {"tourism": "artwork"}),
    Poi("node/3", "far", 60.02, 25.0, ("nature",), 0.5, {"leisure": "park"}),
    Poi("way/4", "tie", 60.002, 25.0, ("food",), 0.2, {"amenity": "cafe"}),
]

Factory = Callable[[list[Poi], int | None], PoiRepository]


def _postgres(url: str) -> Factory:
    def build(pois: list[Poi], version: int | None) -> PoiRepository:
        with psycopg.connect(url, autocommit=True) as conn:
            for poi in pois:
                kind, osm_id = poi.key.split("/")
                conn.execute(
                    "INSERT INTO pois (element_type, id, name, location, tags, themes, popularity,"
                    " source) VALUES (%s, %s, %s, ST_SetSRID(ST_MakePoint(%s, %s), 4326),"
                    " %s, %s, %s, 'test')",
                    (
                        kind,
                        int(osm_id),
                        poi.name,
                        poi.lng,
                        poi.lat,
                        Jsonb(dict(poi.tags)),
                        list(poi.themes),
                        poi.popularity,
                    ),
                )
            for _ in range(version or 0):
                conn.execute("INSERT INTO map_imports (source, counts) VALUES ('t', '{}')")
        return PostgresPoiRepository(per_call(url))

    return build


@pytest.fixture(params=["fake", "postgres"])
def make(request: pytest.FixtureRequest) -> Factory:
    if request.param == "fake":
        return lambda pois, version: InMemoryPoiRepository(list(pois), version)
    return _postgres(request.getfixturevalue("migrated_database_url"))


def test_round_trip_reaches_half_the_walk(make: Factory) -> None:
    repo = make(POIS, None)
    found = repo.within(SearchArea(START, None, max_walk_m=1000.0), limit=10)
    # Radius 500 m: node/1 (111 m), way/4 (222 m), node/2 (445 m); not node/3 (2.2 km).
    assert [p.key for p in found] == ["node/2", "node/1", "way/4"]  # popularity, then key
    assert found[0].themes == ("art",)
    assert found[0].tags["tourism"] == "artwork"
    assert found[1].lat == pytest.approx(60.001)


def test_point_to_point_reaches_the_ellipse(make: Factory) -> None:
    repo = make(POIS, None)
    end = GeoPoint(60.02, 25.0)
    found = repo.within(SearchArea(START, end, max_walk_m=2300.0), limit=10)
    assert {p.key for p in found} == {"node/1", "node/2", "node/3", "way/4"}
    sideways = repo.within(SearchArea(GeoPoint(60.0, 25.05), end, max_walk_m=2300.0), limit=10)
    assert sideways == []


def test_limit_keeps_the_most_popular(make: Factory) -> None:
    repo = make(POIS, None)
    found = repo.within(SearchArea(START, None, max_walk_m=100_000.0), limit=2)
    assert [p.key for p in found] == ["node/2", "node/3"]


def test_data_version_follows_imports(make: Factory) -> None:
    assert make([], None).data_version() == "empty"


def test_data_version_names_the_newest_import(make: Factory) -> None:
    assert make([], 2).data_version() == "import-2"


def test_preferred_themes_come_first(make: Factory) -> None:
    repo = make(POIS, None)
    area = SearchArea(START, None, max_walk_m=100_000.0)
    found = repo.within(area, limit=2, prefer_themes=["food", "history"])
    assert [p.key for p in found] == ["node/1", "way/4"]  # both 0.2, then by key


def _record(osm_id: int, name: str, lat: float, tags: dict[str, str]) -> PoiRecord:
    return PoiRecord("node", osm_id, name, lat, 25.0, tags, ("history",), 0.3)


PROVENANCE = Provenance(
    source="overpass",
    source_url="https://overpass.example/api/interpreter",
    bbox_wkt="POLYGON((24.9 59.9,25.1 59.9,25.1 60.1,24.9 60.1,24.9 59.9))",
    fetched_at=datetime(2026, 11, 30, 9, 0, tzinfo=UTC),
)


def test_upsert_inserts_updates_and_leaves_the_same_alone(make: Factory) -> None:
    # Given one stored POI (node/1) among others
    repo = make(POIS, 1)
    before = repo.data_version()
    fresh = _record(99, "new memorial", 60.003, {"historic": "memorial"})
    changed = _record(1, "near, renamed", 60.001, {"historic": "memorial"})
    # When enrichment brings a new one and a changed one
    counts = repo.upsert([fresh, changed], PROVENANCE)
    # Then both are stored, counted apart, and the data version moved on
    assert (counts.inserted, counts.updated, counts.unchanged) == (1, 1, 0)
    assert repo.data_version() != before
    found = {p.key: p for p in repo.within(SearchArea(START, None, 2000.0), limit=20)}
    assert found["node/99"].name == "new memorial"
    assert found["node/1"].name == "near, renamed"
    # And the same answer again changes nothing, not even the data version
    version = repo.data_version()
    again = repo.upsert([fresh, changed], PROVENANCE)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 2)
    assert repo.data_version() == version


def test_upsert_of_nothing_is_harmless(make: Factory) -> None:
    repo = make(POIS, 1)
    counts = repo.upsert([], PROVENANCE)
    assert (counts.inserted, counts.updated, counts.unchanged) == (0, 0, 0)
    assert repo.data_version() == "import-1"


def test_postgres_upsert_records_provenance(migrated_database_url: str) -> None:
    repo = PostgresPoiRepository(per_call(migrated_database_url))
    repo.upsert([_record(7, "x", 60.0, {"historic": "memorial"})], PROVENANCE)
    with psycopg.connect(migrated_database_url) as conn:
        row = conn.execute(
            "SELECT source, source_url, ST_AsText(source_bbox), fetched_at FROM pois"
            " WHERE element_type = 'node' AND id = 7"
        ).fetchone()
    assert row is not None
    assert row[0] == "overpass"
    assert row[1] == PROVENANCE.source_url
    assert row[2].startswith("POLYGON((24.9 59.9")
    assert row[3] == PROVENANCE.fetched_at
