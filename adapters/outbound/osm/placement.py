"""Place ways and areas at one representative point: on their surface, never at a first node."""

from __future__ import annotations

from collections.abc import Sequence

import shapely
from shapely.geometry import LineString, Point, Polygon
from shapely.geometry.base import BaseGeometry

LngLat = tuple[float, float]


def place_way(coords: Sequence[LngLat]) -> LngLat | None:
    """Return a point for a way given its ``(lng, lat)`` vertices.

    A closed ring of at least four vertices is treated as an area and placed
    at a point on its surface (inside the polygon even when it is concave);
    an open way is placed halfway along its length. Invalid rings are
    repaired first. Returns ``None`` when there is nothing to place.

    Examples
    --------
    >>> place_way([(0.0, 0.0), (2.0, 0.0)])
    (1.0, 0.0)
    """
    if not coords:
        return None
    if len(coords) == 1 or len(set(coords)) == 1:
        return coords[0]
    if len(coords) >= 4 and coords[0] == coords[-1]:
        polygon = Polygon(coords)
        if polygon.area > 0:
            return _surface_point(polygon)
    line = LineString(coords)
    return _as_lnglat(line.interpolate(0.5, normalized=True))


def place_wkb(wkb: bytes) -> LngLat | None:
    """Return a point on the surface of a (multi)polygon given as WKB."""
    geometry = shapely.from_wkb(wkb)
    if geometry.is_empty:
        return None
    return _surface_point(geometry)


def _surface_point(geometry: BaseGeometry) -> LngLat:
    if not geometry.is_valid:
        geometry = shapely.make_valid(geometry)
    return _as_lnglat(geometry.point_on_surface())


def _as_lnglat(point: Point) -> LngLat:
    return (float(point.x), float(point.y))
