"""The tile reader role: it reads the Web Mercator tile views, nothing else, and writes nothing."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator

import psycopg
import pytest
from psycopg import sql
from psycopg.types.json import Jsonb
from pytest_postgresql.executors import PostgreSQLExecutor

LOGIN = "martin_test"


@pytest.fixture
def tiles(
    db: psycopg.Connection, postgresql_proc: PostgreSQLExecutor
) -> Iterator[psycopg.Connection]:
    """A connection as a login role that holds only ``wildside_tiles_reader`` (like Martin's)."""
    db.execute(
        "INSERT INTO pois (element_type, id, name, location, tags, themes, popularity, source)"
        " VALUES ('node', 1, 'Ateneum', ST_SetSRID(ST_MakePoint(24.9441, 60.1703), 4326),"
        " %s, '{art}', 0.9, 'test')",
        (Jsonb({"tourism": "museum"}),),
    )
    db.execute(
        "INSERT INTO walk_edges (way_id, seq, source, target, length_m, highway, geom) VALUES"
        " (7, 0, 1, 2, 55.6, 'footway',"
        " ST_GeomFromText('LINESTRING(24.94 60.17, 24.941 60.17)', 4326))"
    )
    db.execute(
        sql.SQL(
            "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = {name}) THEN"
            " CREATE ROLE {role} LOGIN; END IF; END $$"
        ).format(name=sql.Literal(LOGIN), role=sql.Identifier(LOGIN))
    )
    db.execute(sql.SQL("GRANT wildside_tiles_reader TO {}").format(sql.Identifier(LOGIN)))
    with psycopg.connect(
        host=postgresql_proc.host,
        port=postgresql_proc.port,
        user=LOGIN,
        dbname=db.info.dbname,
        autocommit=True,
    ) as conn:
        yield conn


def test_the_tile_views_are_in_web_mercator(tiles: psycopg.Connection) -> None:
    row = tiles.execute(
        "SELECT id, name, ST_SRID(geom), ST_X(geom), ST_Y(geom) FROM tiles.pois"
    ).fetchone()
    assert row is not None
    assert row[:3] == ("node/1", "Ateneum", 3857)
    # Spherical Mercator by hand: x = R * lng, y = R * ln(tan(pi/4 + lat/2)).
    radius = 6_378_137.0
    assert row[3] == pytest.approx(radius * math.radians(24.9441), abs=0.01)
    assert row[4] == pytest.approx(
        radius * math.log(math.tan(math.pi / 4 + math.radians(60.1703) / 2)), abs=0.01
    )
    edge = tiles.execute(
        "SELECT ST_SRID(geom), GeometryType(geom) FROM tiles.walk_edges"
    ).fetchone()
    assert edge == (3857, "LINESTRING")


def test_a_tile_query_uses_the_index(db: psycopg.Connection) -> None:
    db.execute("SET enable_seqscan = off")
    plan = db.execute(
        "EXPLAIN SELECT id FROM tiles.pois WHERE geom && ST_TileEnvelope(14, 9330, 4740)"
    ).fetchall()
    assert "pois_geom_3857_gix" in " ".join(row[0] for row in plan)


@pytest.mark.parametrize(
    "table", ["users", "api_tokens", "route_requests", "routes", "idempotency_keys", "pois"]
)
def test_nothing_else_is_readable(tiles: psycopg.Connection, table: str) -> None:
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        tiles.execute(sql.SQL("SELECT 1 FROM public.{} LIMIT 1").format(sql.Identifier(table)))


@pytest.mark.parametrize(
    "statement",
    [
        "INSERT INTO tiles.pois (name) VALUES ('x')",
        "UPDATE tiles.pois SET name = 'x'",
        "DELETE FROM tiles.walk_edges",
        "CREATE TABLE tiles.mine (id int)",
        "CREATE TABLE public.mine (id int)",
    ],
)
def test_nothing_can_be_written(tiles: psycopg.Connection, statement: str) -> None:
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        tiles.execute(statement)


@pytest.mark.parametrize("view", ["tiles.pois", "tiles.walk_edges"])
def test_the_views_carry_the_osm_attribution_martin_puts_in_tilejson(
    tiles: psycopg.Connection, view: str
) -> None:
    # Given the comment Martin reads for each source (and merges into its TileJSON)
    row = tiles.execute("SELECT obj_description(%s::regclass, 'pg_class')", (view,)).fetchone()
    assert row is not None
    assert row[0] is not None
    # Then it is a JSON object whose attribution credits OpenStreetMap and links the licence
    tilejson = json.loads(row[0])
    assert "© OpenStreetMap contributors" in tilejson["attribution"]
    assert 'href="https://www.openstreetmap.org/copyright"' in tilejson["attribution"]
