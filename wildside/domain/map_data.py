"""Map data values: points of interest and the walking network, as the core sees them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ElementType = Literal["node", "way", "relation"]


@dataclass(frozen=True, slots=True)
class PoiRecord:
    """A point of interest as stored: identity, place, tags and derived scores."""

    element_type: ElementType
    osm_id: int
    name: str | None
    lat: float
    lng: float
    tags: dict[str, str]
    themes: tuple[str, ...]
    popularity: float


@dataclass(frozen=True, slots=True)
class WalkNode:
    """A junction or dead end of the walking network."""

    osm_id: int
    lat: float
    lng: float


@dataclass(frozen=True, slots=True)
class WalkEdge:
    """A piece of a walkable way between two network nodes.

    ``coords`` are ``(lng, lat)`` pairs from ``source`` to ``target``;
    ``length_m`` is the geodesic length along them on the WGS84 ellipsoid.
    """

    way_id: int
    seq: int
    source: int
    target: int
    length_m: float
    highway: str
    coords: tuple[tuple[float, float], ...]
