"""PostgreSQL specifics of the map data store: geometry, provenance, stale edges, data version."""

from __future__ import annotations

import psycopg

from adapters.outbound.postgres.map_data_store import PostgresMapDataStore
from tests.contracts.test_map_data_store_contract import EDGES, NODES, POIS
from wildside.domain.map_data import WalkEdge


def test_rows_land_with_geography_geometry_and_provenance(
    db: psycopg.Connection, migrated_database_url: str
) -> None:
    job = PostgresMapDataStore(migrated_database_url).begin_import("x.osm.pbf")
    job.stage_pois(POIS[:1])
    job.stage_network(NODES, EDGES)
    job.commit(batch_size=1)
    row = db.execute(
        "SELECT name, ST_Y(location::geometry), ST_X(location::geometry), tags->>'historic',"
        " themes, source FROM pois"
    ).fetchone()
    assert row == ("poi 1", 60.001, 24.9, "memorial", ["history"], "x.osm.pbf")
    length, npoints = db.execute(
        "SELECT ST_Length(geom::geography), ST_NPoints(geom) FROM walk_edges WHERE seq = 0"
    ).fetchone()
    assert npoints == 2
    assert abs(length - 111.3) < 0.5
    assert db.execute("SELECT count(*) FROM map_imports").fetchone() == (1,)


def test_stale_tail_edges_are_deleted(db: psycopg.Connection, migrated_database_url: str) -> None:
    store = PostgresMapDataStore(migrated_database_url)
    for edges in (
        EDGES,
        [WalkEdge(7, 0, 100, 102, 222.6, "footway", ((24.9, 60.0), (24.9, 60.002)))],
    ):
        job = store.begin_import("x.osm.pbf")
        job.stage_network(NODES, edges)
        job.commit(batch_size=10)
    assert db.execute("SELECT way_id, seq, target FROM walk_edges").fetchall() == [(7, 0, 102)]
