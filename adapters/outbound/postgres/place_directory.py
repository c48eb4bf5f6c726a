"""``PlaceDirectory`` on PostGIS: GiST-indexed area tests, keyset paging by popularity."""

from __future__ import annotations

from typing import Any

from adapters.outbound.postgres.connection import ConnectionSource, translate_errors
from wildside.domain.places import Circle
from wildside.domain.scoring import Poi
from wildside.ports.place_directory import PlaceDirectory, PlaceDirectoryError, PlaceSearch

_COLUMNS = """element_type, id, name, ST_Y(location::geometry), ST_X(location::geometry),
       themes, popularity, tags"""
_SELECT = f"SELECT {_COLUMNS}\nFROM pois\nWHERE "
# Themes are tested on the area's rows, after the spatial index has found them:
# left to itself the planner ANDs in pois_themes_gin, whose bitmap for one theme
# can be a quarter of the table (84 k of 294 k rows on the synthetic city: 15 ms
# of a 16 ms query), while the bounded area holds at most a few thousand places.
_THEMED = f"""WITH area AS MATERIALIZED (
    SELECT element_type, id, name, location, themes, popularity, tags
    FROM pois
    WHERE {{where}}
)
SELECT {_COLUMNS}
FROM area
WHERE themes && %(themes)s::text[]"""
# ST_DWithin on geography measures on the spheroid and is answered by
# pois_location_gix (0004); a box is tested in Web Mercator, where parallels
# and meridians are straight, so `&&` on pois_geom_3857_gix (0007) is exact.
IN_CIRCLE = (
    "ST_DWithin(location, ST_SetSRID(ST_MakePoint(%(lng)s, %(lat)s), 4326)::geography,"
    " %(radius_m)s)"
)
IN_BOX = (
    "geom_3857 && ST_Transform(ST_MakeEnvelope(%(west)s, %(south)s, %(east)s, %(north)s, 4326),"
    " 3857)"
)
# Keyset: strictly after the last place of the previous page in the listing's
# order, so page n costs what page 1 does (no OFFSET rows read and dropped).
_AFTER = (
    "\n  AND (popularity < %(popularity)s::real"
    "\n       OR (popularity = %(popularity)s::real"
    "\n           AND (element_type, id) > (%(osm_type)s::text, %(osm_id)s::bigint)))"
)
ORDER = "\nORDER BY popularity DESC, element_type, id\nLIMIT %(limit)s"


def place_sql(search: PlaceSearch) -> tuple[str, dict[str, Any]]:
    """The statement and parameters for ``search`` (a fixed text per shape, for plan reuse)."""
    area = search.area
    params: dict[str, Any] = {"limit": search.limit, "themes": list(search.themes)}
    if isinstance(area, Circle):
        where = IN_CIRCLE
        params |= {"lat": area.centre.lat, "lng": area.centre.lng, "radius_m": area.radius_m}
    else:
        where = IN_BOX
        params |= {"west": area.west, "south": area.south, "east": area.east, "north": area.north}
    if search.after is not None:
        where += _AFTER
        params |= {
            "popularity": search.after.popularity,
            "osm_type": search.after.osm_type,
            "osm_id": search.after.osm_id,
        }
    if search.themes:
        return _THEMED.format(where=where) + ORDER, params
    return _SELECT + where + ORDER, params


class PostgresPlaceDirectory(PlaceDirectory):
    """Reads the ``pois`` table."""

    def __init__(self, connections: ConnectionSource) -> None:
        self._connections = connections

    def find(self, search: PlaceSearch) -> list[Poi]:
        """One page of the area's places in the listing's order."""
        statement, params = place_sql(search)
        with (
            translate_errors("could not read places", PlaceDirectoryError),
            self._connections() as conn,
        ):
            rows = conn.execute(statement, params).fetchall()
        return [
            Poi(f"{kind}/{osm_id}", name, lat, lng, tuple(themes), float(popularity), tags)
            for kind, osm_id, name, lat, lng, themes, popularity, tags in rows
        ]
