"""``PoiRepository`` on PostGIS: ``ST_DWithin`` on geography, in metres on the spheroid."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from psycopg.types.json import Jsonb

from adapters.outbound.postgres.connection import ConnectionSource, translate_errors
from adapters.outbound.postgres.poi_sql import POI_CHANGED, data_version, record_import
from wildside.domain.map_data import PoiRecord
from wildside.domain.scoring import Poi
from wildside.ports.poi_repository import (
    PoiRepository,
    PoiRepositoryError,
    Provenance,
    SearchArea,
    UpsertCounts,
)

# The circle of radius max_walk_m around the start contains the ellipse too, so
# the GiST index answers ST_DWithin first and the exact ellipse test runs on
# what it returns.
_WITHIN = """
WITH origin AS (
    SELECT ST_SetSRID(ST_MakePoint(%(start_lng)s, %(start_lat)s), 4326)::geography AS start,
           ST_SetSRID(ST_MakePoint(%(end_lng)s, %(end_lat)s), 4326)::geography AS finish
)
SELECT element_type || '/' || id, name, ST_Y(location::geometry), ST_X(location::geometry),
       themes, popularity, tags
FROM pois, origin
WHERE ST_DWithin(location, origin.start, %(radius)s)
  AND (%(is_round_trip)s
       OR ST_Distance(location, origin.start) + ST_Distance(location, origin.finish)
          <= %(max_walk_m)s)
ORDER BY themes && %(prefer)s::text[] DESC, popularity DESC, element_type, id
LIMIT %(limit)s
"""


# Upserts from Overpass carry their provenance; unchanged rows are not touched
# (the WHERE of DO UPDATE), so RETURNING lists only what was written.
_UPSERT = f"""
INSERT INTO pois AS p (element_type, id, name, location, tags, themes, popularity,
                       source, source_url, source_bbox, fetched_at, updated_at)
SELECT v.element_type, v.id, v.name,
       ST_SetSRID(ST_MakePoint(v.lng, v.lat), 4326)::geography, v.tags, v.themes, v.popularity,
       %(source)s, %(url)s, ST_GeomFromText(%(bbox)s, 4326), %(at)s, %(at)s
FROM jsonb_to_recordset(%(rows)s) AS v(
    element_type text, id bigint, name text, lng float8, lat float8,
    tags jsonb, themes text[], popularity real)
ON CONFLICT (element_type, id) DO UPDATE SET
    name = EXCLUDED.name, location = EXCLUDED.location, tags = EXCLUDED.tags,
    themes = EXCLUDED.themes, popularity = EXCLUDED.popularity, source = EXCLUDED.source,
    source_url = EXCLUDED.source_url, source_bbox = EXCLUDED.source_bbox,
    fetched_at = EXCLUDED.fetched_at, updated_at = EXCLUDED.updated_at
WHERE {POI_CHANGED}
RETURNING (xmax = 0) AS inserted
"""


class PostgresPoiRepository(PoiRepository):
    """Reads the ``pois`` table."""

    def __init__(self, connections: ConnectionSource) -> None:
        self._connections = connections

    def within(
        self, area: SearchArea, *, limit: int, prefer_themes: Sequence[str] = ()
    ) -> list[Poi]:
        """Return up to ``limit`` POIs that a tour over ``area`` could reach."""
        end = area.end or area.start
        params: dict[str, Any] = {
            "start_lat": area.start.lat,
            "start_lng": area.start.lng,
            "end_lat": end.lat,
            "end_lng": end.lng,
            "is_round_trip": area.end is None,
            "radius": area.max_walk_m / 2 if area.end is None else area.max_walk_m,
            "max_walk_m": area.max_walk_m,
            "limit": limit,
            "prefer": list(prefer_themes),
        }
        with (
            translate_errors("could not read POIs", PoiRepositoryError),
            self._connections() as conn,
        ):
            rows = conn.execute(_WITHIN, params).fetchall()
        return [
            Poi(key, name, lat, lng, tuple(themes), float(popularity), tags)
            for key, name, lat, lng, themes, popularity, tags in rows
        ]

    def upsert(self, pois: Sequence[PoiRecord], provenance: Provenance) -> UpsertCounts:
        """Upsert in one transaction; a new ``map_imports`` row when anything changed."""
        if not pois:
            return UpsertCounts(0, 0, 0)  # nothing to write: no connection, no transaction
        rows = [
            {
                "element_type": p.element_type,
                "id": p.osm_id,
                "name": p.name,
                "lng": p.lng,
                "lat": p.lat,
                "tags": dict(p.tags),
                "themes": list(p.themes),
                "popularity": p.popularity,
            }
            for p in pois
        ]
        params = {
            "rows": Jsonb(rows),
            "source": provenance.source,
            "url": provenance.source_url,
            "bbox": provenance.bbox_wkt,
            "at": provenance.fetched_at,
        }
        with (
            translate_errors("could not upsert POIs", PoiRepositoryError),
            self._connections() as conn,
            conn.transaction(),
        ):
            flags = conn.execute(_UPSERT, params).fetchall()
            inserted = sum(1 for (is_insert,) in flags if is_insert)
            counts = UpsertCounts(inserted, len(flags) - inserted, len(rows) - len(flags))
            if flags:
                record_import(
                    conn,
                    provenance.source_url,
                    {"pois_inserted": inserted, "pois_updated": counts.updated},
                )
        return counts

    def data_version(self) -> str:
        """``import-<id>`` of the newest import, or ``empty``."""
        with (
            translate_errors("could not read the data version", PoiRepositoryError),
            self._connections() as conn,
        ):
            return data_version(conn)
