"""``TileRebuild`` on PostGIS: every walking-graph tile rewritten from the stored network."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence

import psycopg

from adapters.outbound.postgres.connection import translate_errors
from adapters.outbound.postgres.walk_tile_builder import (
    all_tiles,
    drop_empty_tiles,
    lock_tiles,
    rebuild_tiles,
)
from wildside.domain.walk_tiles import TILE_DEG, TileKey
from wildside.ports.map_data_store import MapDataStoreError, TileRebuild

# A rebuild's version comes from the import ids' sequence, so it is new to every
# worker's cache and orders with imports; no map_imports row is added, because
# the data (and so the POI data version and cached routes) did not change.
_NEXT_VERSION = "SELECT nextval(pg_get_serial_sequence('map_imports', 'id'))"


class PostgresTileRebuild(TileRebuild):
    """One connection; each ``rebuild`` call is one transaction under the tile writers' lock."""

    def __init__(self, conn: psycopg.Connection, tile_deg: float = TILE_DEG) -> None:
        self._conn = conn
        self._tile_deg = tile_deg
        try:
            with _translated("take a tile version"):
                row = conn.execute(_NEXT_VERSION).fetchone()
        except BaseException:
            conn.close()
            raise
        assert row is not None  # nextval always answers
        self._version = int(row[0])

    @property
    def version(self) -> int:
        """The version every tile of this rebuild gets."""
        return self._version

    def tiles(self) -> list[TileKey]:
        """Every cell holding a walking vertex (one scan of ``walk_nodes``), ascending."""
        with _translated("list the walking-graph tiles"):
            return sorted(all_tiles(self._conn, self._tile_deg))

    def rebuild(self, tiles: Sequence[TileKey]) -> int:
        """Write ``tiles`` in one transaction, one tile in memory at a time."""
        with _translated("rebuild walking-graph tiles"), self._conn.transaction():
            lock_tiles(self._conn)
            return rebuild_tiles(self._conn, tiles, self._version, self._tile_deg)

    def finish(self) -> int:
        """Drop the tiles of cells with no vertex, under the tile writers' lock."""
        with _translated("drop walking-graph tiles of empty cells"), self._conn.transaction():
            lock_tiles(self._conn)
            return drop_empty_tiles(self._conn, self._tile_deg)

    def close(self) -> None:
        """Close the connection."""
        self._conn.close()


def _translated(step: str) -> contextlib.AbstractContextManager[None]:
    return translate_errors(f"could not {step}", MapDataStoreError)
