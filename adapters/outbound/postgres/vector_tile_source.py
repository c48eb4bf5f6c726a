"""``VectorTileSource`` on PostGIS: ``ST_AsMVT`` over the ``tiles`` views, as Martin builds them."""

from __future__ import annotations

import json
import logging

from psycopg import sql

from adapters.outbound.postgres.connection import ConnectionSource, translate_errors
from adapters.outbound.postgres.poi_sql import data_version
from wildside.domain.vector_tiles import Bounds, LayerFacts, TileAddress, TileLayer
from wildside.ports.vector_tile_source import VectorTileSource, VectorTileSourceError

log = logging.getLogger(__name__)

EXTENT = 4096  # MVT units across a tile (Martin's and PostGIS's default)
BUFFER = 64  # units kept beyond each edge, so lines and circles do not end at tile seams

# Martin's query for a table source, on the same views (migrations/0007_tiles.sql):
# the `&&` test on the envelope (with the buffer as margin) uses the views' GiST
# indexes on geom_3857; ST_AsMVTGeom clips, quantises and drops what the
# quantisation leaves empty (NULL), which the outer filter keeps out of the layer.
_TILE = """SELECT ST_AsMVT(tile, {name}, {extent}, 'geom')
FROM (
    SELECT {columns},
           ST_AsMVTGeom(geom, ST_TileEnvelope(%(z)s, %(x)s, %(y)s), {extent}, {buffer}, true)
               AS geom
    FROM tiles.{view}
    WHERE geom && ST_TileEnvelope(%(z)s, %(x)s, %(y)s, margin => {margin})
) AS tile
WHERE geom IS NOT NULL"""
# The comment is migration 0016's JSON (Martin merges it into TileJSON); the extent
# is exact (a full read of the layer), which callers keep per data version.
_FACTS = """SELECT obj_description({regclass}::regclass, 'pg_class'),
       ST_XMin(box), ST_YMin(box), ST_XMax(box), ST_YMax(box)
FROM (
    SELECT ST_Transform(ST_SetSRID(ST_Extent(geom)::geometry, 3857), 4326) AS box
    FROM tiles.{view}
) AS extent"""


class PostgresVectorTileSource(VectorTileSource):
    """Reads the ``tiles`` schema, which the role ``wildside_tiles_reader`` may read too."""

    def __init__(self, connections: ConnectionSource) -> None:
        self._connections = connections

    def data_version(self) -> str:
        """The newest ``map_imports`` row's version."""
        with (
            translate_errors("could not read the tiles' data version", VectorTileSourceError),
            self._connections() as conn,
        ):
            return data_version(conn)

    def tile(self, layer: TileLayer, address: TileAddress) -> bytes:
        """One layer's MVT; ``b""`` when nothing of it is inside the tile."""
        params = {"z": address.z, "x": address.x, "y": address.y}
        with (
            translate_errors("could not build a vector tile", VectorTileSourceError),
            self._connections() as conn,
        ):
            row = conn.execute(_tile_sql(layer), params).fetchone()
        return bytes(row[0]) if row and row[0] is not None else b""

    def facts(self, layer: TileLayer) -> LayerFacts:
        """The view's attribution comment and the WGS84 box around its rows."""
        statement = sql.SQL(_FACTS).format(
            regclass=sql.Literal(f"tiles.{layer.name}"), view=sql.Identifier(layer.name)
        )
        with (
            translate_errors("could not describe a tile layer", VectorTileSourceError),
            self._connections() as conn,
        ):
            row = conn.execute(statement).fetchone()
        if row is None:
            return LayerFacts(None, None)
        comment, west, south, east, north = row
        bounds = None if west is None else Bounds(west, south, east, north)
        return LayerFacts(_attribution(layer, comment), bounds)


def _tile_sql(layer: TileLayer) -> sql.Composed:
    return sql.SQL(_TILE).format(
        name=sql.Literal(layer.name),
        extent=sql.Literal(EXTENT),
        buffer=sql.Literal(BUFFER),
        margin=sql.Literal(BUFFER / EXTENT),
        columns=sql.SQL(", ").join(sql.Identifier(name) for name, _ in layer.fields),
        view=sql.Identifier(layer.name),
    )


def _attribution(layer: TileLayer, comment: str | None) -> str | None:
    """The ``attribution`` of the view's JSON comment; a comment that is not such JSON has none."""
    if comment is None:
        return None
    try:
        document = json.loads(comment)
    except ValueError:
        log.warning("the comment on tiles.%s is not JSON: no attribution", layer.name)
        return None
    value = document.get("attribution") if isinstance(document, dict) else None
    return value if isinstance(value, str) else None
