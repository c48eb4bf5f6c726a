"""``MapDataStore`` on PostGIS: COPY into session-private staging, then batched upserts."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence

import psycopg
from psycopg.types.json import Jsonb

from adapters.outbound.postgres.connection import connect, translate_errors
from adapters.outbound.postgres.poi_sql import POI_CHANGED, record_import
from adapters.outbound.postgres.walk_tile_builder import lock_tiles, rebuild_tiles, touched_tiles
from adapters.outbound.postgres.walk_tile_rebuild import PostgresTileRebuild
from wildside.domain.map_data import PoiRecord, WalkEdge, WalkNode
from wildside.ports.map_data_store import (
    MapDataStore,
    MapDataStoreError,
    MapImport,
    MergeCounts,
    TileRebuild,
)

_STAGING_DDL = """
CREATE TEMP TABLE stage_pois (
    rn bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    element_type text, id bigint, name text, lng float8, lat float8,
    tags jsonb, themes text[], popularity real
);
CREATE TEMP TABLE stage_nodes (
    rn bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id bigint, lng float8, lat float8
);
CREATE TEMP TABLE stage_edges (
    rn bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    way_id bigint, seq integer, source bigint, target bigint,
    length_m float8, highway text, wkt text
);
"""

# Rows whose content did not change are skipped by the WHERE of DO UPDATE, so
# a re-run writes nothing and RETURNING tells inserted from updated (xmax = 0
# only for a freshly inserted tuple).
_MERGE_POIS = f"""
INSERT INTO pois AS p (element_type, id, name, location, tags, themes, popularity, source)
SELECT element_type, id, name,
       ST_SetSRID(ST_MakePoint(lng, lat), 4326)::geography, tags, themes, popularity, %(source)s
FROM stage_pois WHERE rn > %(low)s AND rn <= %(high)s
ON CONFLICT (element_type, id) DO UPDATE SET
    name = EXCLUDED.name, location = EXCLUDED.location, tags = EXCLUDED.tags,
    themes = EXCLUDED.themes, popularity = EXCLUDED.popularity, source = EXCLUDED.source,
    source_url = NULL, source_bbox = NULL, fetched_at = now(), updated_at = now()
WHERE {POI_CHANGED}
RETURNING (xmax = 0) AS inserted
"""

_MERGE_NODES = """
INSERT INTO walk_nodes AS n (id, geom)
SELECT id, ST_SetSRID(ST_MakePoint(lng, lat), 4326)
FROM stage_nodes WHERE rn > %(low)s AND rn <= %(high)s
ON CONFLICT (id) DO UPDATE SET geom = EXCLUDED.geom
WHERE ST_AsEWKB(n.geom) IS DISTINCT FROM ST_AsEWKB(EXCLUDED.geom)
"""

_MERGE_EDGES = """
INSERT INTO walk_edges AS e (way_id, seq, source, target, length_m, highway, geom)
SELECT way_id, seq, source, target, length_m, highway, ST_GeomFromText(wkt, 4326)
FROM stage_edges WHERE rn > %(low)s AND rn <= %(high)s
ON CONFLICT (way_id, seq) DO UPDATE SET
    source = EXCLUDED.source, target = EXCLUDED.target, length_m = EXCLUDED.length_m,
    highway = EXCLUDED.highway, geom = EXCLUDED.geom
WHERE (e.source, e.target, e.length_m, e.highway, ST_AsEWKB(e.geom))
      IS DISTINCT FROM
      (EXCLUDED.source, EXCLUDED.target, EXCLUDED.length_m, EXCLUDED.highway,
       ST_AsEWKB(EXCLUDED.geom))
"""

# A way that got shorter since the last import leaves edges past its new end.
_DROP_STALE_EDGES = """
DELETE FROM walk_edges e
USING (SELECT way_id, max(seq) AS last_seq FROM stage_edges GROUP BY way_id) s
WHERE e.way_id = s.way_id AND e.seq > s.last_seq
"""


class PostgresMapDataStore(MapDataStore):
    """Stores POIs and the walking network in PostGIS tables."""

    def __init__(self, database_url: str) -> None:
        self._url = database_url

    def begin_import(self, source: str) -> MapImport:
        """Open a connection with private staging tables for one import."""
        return PostgresMapImport(connect(self._url), source)

    def begin_tile_rebuild(self) -> TileRebuild:
        """Open a connection and take a fresh tile version."""
        return PostgresTileRebuild(connect(self._url))


class PostgresMapImport(MapImport):
    """One import: staging lives in TEMP tables, invisible to every other session."""

    def __init__(self, conn: psycopg.Connection, source: str) -> None:
        self._conn = conn
        self._source = source
        self._counts = {"pois": 0, "nodes": 0, "edges": 0}
        with _translated("create staging tables"):
            conn.execute(_STAGING_DDL)

    def stage_pois(self, pois: Sequence[PoiRecord]) -> None:
        """COPY POIs into staging."""
        rows = (
            (
                p.element_type,
                p.osm_id,
                p.name,
                p.lng,
                p.lat,
                Jsonb(p.tags),
                list(p.themes),
                p.popularity,
            )
            for p in pois
        )
        columns = "element_type, id, name, lng, lat, tags, themes, popularity"
        self._copy("stage_pois", columns, rows)
        self._counts["pois"] += len(pois)

    def stage_network(self, nodes: Sequence[WalkNode], edges: Sequence[WalkEdge]) -> None:
        """COPY network nodes and edges into staging."""
        if nodes:
            self._copy("stage_nodes", "id, lng, lat", ((n.osm_id, n.lng, n.lat) for n in nodes))
            self._counts["nodes"] += len(nodes)
        if edges:
            rows = (
                (e.way_id, e.seq, e.source, e.target, e.length_m, e.highway, _linestring(e.coords))
                for e in edges
            )
            self._copy("stage_edges", "way_id, seq, source, target, length_m, highway, wkt", rows)
            self._counts["edges"] += len(edges)

    def commit(self, *, batch_size: int) -> MergeCounts:
        """Upsert staged rows ``batch_size`` per transaction; record the import."""
        inserted = updated = 0
        try:
            with _translated("find the walking-graph tiles this import touches"):
                tiles = touched_tiles(self._conn)
            with _translated("merge POIs"):
                for low, high in _batches(self._counts["pois"], batch_size):
                    with self._conn.transaction():
                        flags = self._conn.execute(
                            _MERGE_POIS, {"source": self._source, "low": low, "high": high}
                        ).fetchall()
                    fresh = sum(1 for (is_insert,) in flags if is_insert)
                    inserted += fresh
                    updated += len(flags) - fresh
            with _translated("merge the walking network"):
                for low, high in _batches(self._counts["nodes"], batch_size):
                    with self._conn.transaction():
                        self._conn.execute(_MERGE_NODES, {"low": low, "high": high})
                for low, high in _batches(self._counts["edges"], batch_size):
                    with self._conn.transaction():
                        self._conn.execute(_MERGE_EDGES, {"low": low, "high": high})
                counts = MergeCounts(
                    pois_inserted=inserted,
                    pois_updated=updated,
                    pois_unchanged=self._counts["pois"] - inserted - updated,
                    network_nodes=self._counts["nodes"],
                    network_edges=self._counts["edges"],
                )
                # Tiles are rebuilt with the stale-edge drop and the import record,
                # so a worker sees either the old tiles or the new ones, never a mix.
                with self._conn.transaction():
                    lock_tiles(self._conn)
                    self._conn.execute(_DROP_STALE_EDGES)
                    record_import(self._conn, self._source, _as_dict(counts))
                    version = self._conn.execute(
                        "SELECT currval(pg_get_serial_sequence('map_imports', 'id'))"
                    ).fetchone()
                    assert version is not None  # currval always answers after an insert
                    rebuild_tiles(self._conn, tiles, int(version[0]))
        finally:
            self._conn.close()
        return counts

    def abort(self) -> None:
        """Close the session; its TEMP staging tables vanish with it."""
        self._conn.close()

    def _copy(self, table: str, columns: str, rows: Iterator[tuple[object, ...]]) -> None:
        with (
            _translated(f"stage rows into {table}"),
            self._conn.cursor() as cur,
            cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)


def _translated(step: str) -> contextlib.AbstractContextManager[None]:
    return translate_errors(f"could not {step}", MapDataStoreError)


def _batches(total: int, size: int) -> Iterator[tuple[int, int]]:
    for low in range(0, total, size):
        yield low, min(total, low + size)


def _linestring(coords: tuple[tuple[float, float], ...]) -> str:
    return "LINESTRING(" + ",".join(f"{lng!r} {lat!r}" for lng, lat in coords) + ")"


def _as_dict(counts: MergeCounts) -> dict[str, int]:
    return {
        "pois_inserted": counts.pois_inserted,
        "pois_updated": counts.pois_updated,
        "pois_unchanged": counts.pois_unchanged,
        "network_nodes": counts.network_nodes,
        "network_edges": counts.network_edges,
    }
