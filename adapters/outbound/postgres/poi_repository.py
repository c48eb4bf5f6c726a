"""``PoiRepository`` on PostGIS: ``ST_DWithin`` on geography, in metres on the spheroid."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from adapters.outbound.postgres.connection import ConnectionSource, translate_errors
from wildside.domain.scoring import Poi
from wildside.ports.poi_repository import PoiRepository, PoiRepositoryError, SearchArea

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

    def data_version(self) -> str:
        """``import-<id>`` of the newest import, or ``empty``."""
        with (
            translate_errors("could not read the data version", PoiRepositoryError),
            self._connections() as conn,
        ):
            row = conn.execute("SELECT max(id) FROM map_imports").fetchone()
        return f"import-{row[0]}" if row and row[0] is not None else "empty"
