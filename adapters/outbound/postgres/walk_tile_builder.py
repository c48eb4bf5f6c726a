"""Rebuild the walking-graph tiles an import touched, inside the import's last transaction."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import psycopg
import shapely

from adapters.outbound.postgres.walk_tile_codec import FORMAT_VERSION, encode_tile
from adapters.outbound.postgres.walk_tile_graph import pack_tile
from wildside.domain.walk_tiles import TILE_DEG, TileKey, tile_bounds

# Tiles of every node the import may change: staged nodes where they are now
# and where they were, and both ends of every stored edge of a staged way (so
# edges rewritten or dropped as stale leave no arc behind). Run before the merge.
_TOUCHED = """
WITH points (lat, lng) AS (
    SELECT lat, lng FROM stage_nodes
    UNION ALL
    SELECT ST_Y(n.geom), ST_X(n.geom) FROM walk_nodes n JOIN stage_nodes s USING (id)
    UNION ALL
    SELECT ST_Y(n.geom), ST_X(n.geom)
    FROM walk_edges e JOIN walk_nodes n ON n.id IN (e.source, e.target)
    WHERE e.way_id IN (SELECT way_id FROM stage_edges)
)
SELECT DISTINCT floor((lng + 180.0) / %(deg)s)::int, floor((lat + 90.0) / %(deg)s)::int
FROM points
"""

_NODES = """
SELECT id, ST_Y(geom), ST_X(geom) FROM walk_nodes
WHERE geom && ST_MakeEnvelope(%s, %s, %s, %s, 4326) ORDER BY id
"""

_EDGES = """
SELECT way_id, seq, source, target, length_m, ST_AsBinary(geom) FROM walk_edges
WHERE source = ANY(%(ids)s) OR target = ANY(%(ids)s) ORDER BY way_id, seq
"""

_UPSERT = """
INSERT INTO walk_tiles (x, y, format_version, version, node_count, arc_count, byte_size, data)
VALUES (%s, %s, %s, %s, %s, %s, %s, %s)
ON CONFLICT (x, y) DO UPDATE SET
    format_version = EXCLUDED.format_version, version = EXCLUDED.version,
    node_count = EXCLUDED.node_count, arc_count = EXCLUDED.arc_count,
    byte_size = EXCLUDED.byte_size, data = EXCLUDED.data, built_at = now()
"""

# Tiles rebuilt from a cell's nodes and edges are only right if no other writer
# changes those rows in between: an import's last transaction and each batch of
# `wildside rebuild-tiles` hold this transaction-level advisory lock ("WSWT").
_TILE_LOCK = 0x57535754

# Tiles of cells that hold no vertex any more (left by another grid): the gist
# index on walk_nodes finds each cell's vertices, the floor test decides exactly.
_DROP_EMPTY = """
DELETE FROM walk_tiles t WHERE NOT EXISTS (
    SELECT 1 FROM walk_nodes n
    WHERE n.geom && ST_MakeEnvelope(
        t.x * %(deg)s - 180.0 - %(eps)s, t.y * %(deg)s - 90.0 - %(eps)s,
        (t.x + 1) * %(deg)s - 180.0 + %(eps)s, (t.y + 1) * %(deg)s - 90.0 + %(eps)s, 4326)
    AND floor((ST_X(n.geom) + 180.0) / %(deg)s)::int = t.x
    AND floor((ST_Y(n.geom) + 90.0) / %(deg)s)::int = t.y
)
"""

# Grid edges are computed in floating point; widen the index box a little and
# let ``_in_tile`` decide exactly, with the same formula as ``tile_of``.
_EPSILON_DEG = 1e-9


def touched_tiles(conn: psycopg.Connection[Any], tile_deg: float = TILE_DEG) -> set[TileKey]:
    """The tiles the staged rows may change (call before merging them)."""
    rows = conn.execute(_TOUCHED, {"deg": tile_deg}).fetchall()
    return {TileKey(x, y) for x, y in rows}


def all_tiles(conn: psycopg.Connection[Any], tile_deg: float = TILE_DEG) -> set[TileKey]:
    """Every tile holding a stored vertex (to build tiles for rows written another way)."""
    rows = conn.execute(
        "SELECT DISTINCT floor((ST_X(geom) + 180.0) / %(deg)s)::int,"
        " floor((ST_Y(geom) + 90.0) / %(deg)s)::int FROM walk_nodes",
        {"deg": tile_deg},
    ).fetchall()
    return {TileKey(x, y) for x, y in rows}


def lock_tiles(conn: psycopg.Connection[Any]) -> None:
    """Serialise tile writers until the current transaction ends."""
    conn.execute("SELECT pg_advisory_xact_lock(%s)", (_TILE_LOCK,))


def drop_empty_tiles(conn: psycopg.Connection[Any], tile_deg: float = TILE_DEG) -> int:
    """Delete the tiles of cells holding no vertex; return how many went."""
    cursor = conn.execute(_DROP_EMPTY, {"deg": tile_deg, "eps": _EPSILON_DEG})
    return cursor.rowcount


def rebuild_tiles(
    conn: psycopg.Connection[Any],
    tiles: Iterable[TileKey],
    version: int,
    tile_deg: float = TILE_DEG,
) -> int:
    """Write each tile from the current ``walk_nodes``/``walk_edges``; drop tiles left empty.

    Returns the number of tiles written.
    """
    written = 0
    for key in sorted(tiles):
        box = tile_bounds(key, tile_deg)
        rows = conn.execute(
            _NODES,
            (
                box.west - _EPSILON_DEG,
                box.south - _EPSILON_DEG,
                box.east + _EPSILON_DEG,
                box.north + _EPSILON_DEG,
            ),
        ).fetchall()
        nodes = np.array(rows, dtype=np.float64).reshape(-1, 3)
        inside = _in_tile(nodes[:, 1], nodes[:, 2], key, tile_deg)
        nodes = nodes[inside]
        if nodes.shape[0] == 0:
            conn.execute("DELETE FROM walk_tiles WHERE x = %s AND y = %s", (key.x, key.y))
            continue
        node_ids = np.array([int(r[0]) for r, keep in zip(rows, inside, strict=True) if keep])
        edges = conn.execute(_EDGES, {"ids": node_ids.tolist()}).fetchall()
        coords, owners = (
            shapely.get_coordinates(
                shapely.from_wkb([bytes(r[5]) for r in edges]), return_index=True
            )
            if edges
            else (np.zeros((0, 2)), np.zeros(0, np.int64))
        )
        tile = pack_tile(
            node_ids=node_ids,
            lats=nodes[:, 1].copy(),
            lngs=nodes[:, 2].copy(),
            sources=np.array([r[2] for r in edges], np.int64),
            targets=np.array([r[3] for r in edges], np.int64),
            lengths=np.array([r[4] for r in edges], np.float64),
            coords=coords,
            counts=np.bincount(owners, minlength=len(edges)),
        )
        blob = encode_tile(tile)
        conn.execute(
            _UPSERT,
            (
                key.x,
                key.y,
                FORMAT_VERSION,
                version,
                tile.node_ids.size,
                tile.targets.size,
                len(blob),
                blob,
            ),
        )
        written += 1
    return written


def _in_tile(lats: np.ndarray, lngs: np.ndarray, key: TileKey, tile_deg: float) -> np.ndarray:
    xs = np.floor((lngs + 180.0) / tile_deg)
    ys = np.floor((lats + 90.0) / tile_deg)
    return (xs == key.x) & (ys == key.y)  # type: ignore[no-any-return]
