"""The fixed degree grid the walking graph is cut into, and the tiles a search area needs."""

from __future__ import annotations

import math
from dataclasses import dataclass

from wildside.domain.geo import GeoPoint

# Tile edge in degrees of latitude and longitude (a square degree grid, as
# Valhalla's). 0.05 degree is 5.6 km north-south and 2.8 km east-west at
# Helsinki's 60 degrees north; a 90-minute round trip (3.5 km radius plus the
# 400 m snap margin) touches 8 of them (at most 12) and loads about 3 times
# the vertices it can reach, half of what 0.1 degree loads, for half the cold
# time (docs/engine.md, section 3.1). Changing it means rebuilding every tile,
# so it is part of the tile format.
TILE_DEG = 0.05

# Metres per degree of latitude, rounded down from the spheroid's smallest
# (110 574 m at the equator), so boxes computed with it are never too small.
_METRES_PER_DEG = 110_000.0


@dataclass(frozen=True, slots=True, order=True)
class TileKey:
    """One cell of the grid: column ``x`` from 180 degrees west, row ``y`` from the south pole."""

    x: int
    y: int


@dataclass(frozen=True, slots=True)
class Bounds:
    """A latitude and longitude box, edges included."""

    south: float
    west: float
    north: float
    east: float


def tile_of(lat: float, lng: float, tile_deg: float = TILE_DEG) -> TileKey:
    """The tile holding a point.

    Examples
    --------
    >>> tile_of(60.17, 24.94)
    TileKey(x=4098, y=3003)
    """
    return TileKey(math.floor((lng + 180.0) / tile_deg), math.floor((lat + 90.0) / tile_deg))


def tile_bounds(key: TileKey, tile_deg: float = TILE_DEG) -> Bounds:
    """The box a tile covers."""
    return Bounds(
        south=key.y * tile_deg - 90.0,
        west=key.x * tile_deg - 180.0,
        north=(key.y + 1) * tile_deg - 90.0,
        east=(key.x + 1) * tile_deg - 180.0,
    )


def area_bounds(start: GeoPoint, end: GeoPoint | None, max_walk_m: float, pad_m: float) -> Bounds:
    """A box holding every point a walk of ``max_walk_m`` can reach, widened by ``pad_m``.

    A round trip stays within ``max_walk_m / 2`` of its start; a point-to-point
    walk stays in the ellipse with foci start and end, which lies inside the
    circle of radius ``max_walk_m / 2`` around their midpoint. ``pad_m`` keeps
    every street vertex within snapping distance of the area inside the box.

    Examples
    --------
    >>> box = area_bounds(GeoPoint(60.0, 25.0), None, 7000.0, 400.0)
    >>> round(box.north - box.south, 4), round(box.east - box.west, 4)
    (0.0709, 0.142)
    """
    centre = (
        start if end is None else GeoPoint((start.lat + end.lat) / 2, (start.lng + end.lng) / 2)
    )
    reach = max_walk_m / 2 + pad_m
    dlat = reach / _METRES_PER_DEG
    south, north = max(-90.0, centre.lat - dlat), min(90.0, centre.lat + dlat)
    widest = math.cos(math.radians(min(89.0, max(abs(south), abs(north)))))
    dlng = min(180.0, reach / (_METRES_PER_DEG * widest))
    return Bounds(south, centre.lng - dlng, north, centre.lng + dlng)


def tiles_in(bounds: Bounds, tile_deg: float = TILE_DEG) -> tuple[TileKey, TileKey]:
    """The lowest and highest tile keys of the tiles a box touches (a rectangle of tiles)."""
    low = tile_of(bounds.south, bounds.west, tile_deg)
    high = tile_of(bounds.north, bounds.east, tile_deg)
    return low, high
