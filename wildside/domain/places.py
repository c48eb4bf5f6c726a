"""Places near me: the area asked for, its themes and score floor, and the paging cursor."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from wildside.domain.errors import InvalidCursorError, InvalidInputError
from wildside.domain.geo import EARTH_RADIUS_M, GeoPoint
from wildside.domain.poi_tags import THEMES
from wildside.domain.scoring import Poi

MIN_RADIUS_M = 1.0
DEFAULT_RADIUS_M = 1_000.0
MAX_RADIUS_M = 5_000.0
MAX_BOX_KM2 = 100.0  # a 10 km square: about four times the largest circle
MAX_BOX_LAT = 85.0  # boxes are served from Web Mercator, which ends at 85.05°
DEFAULT_LIMIT = 50
MAX_LIMIT = 200
MAX_CURSOR_CHARS = 256
ATTRIBUTION = "© OpenStreetMap contributors"
ATTRIBUTION_URL = "https://www.openstreetmap.org/copyright"
LICENSE = "ODbL-1.0"
OSM_TYPES = ("node", "way", "relation")
_CURSOR_VERSION = 1
_KEY = re.compile(r"^(node|way|relation)/([1-9][0-9]{0,18})$")
_MAX_OSM_ID = 2**63 - 1  # PostgreSQL bigint
_KM_PER_DEG = math.radians(EARTH_RADIUS_M) / 1000.0


@dataclass(frozen=True, slots=True)
class Circle:
    """Places within ``radius_m`` metres of ``centre``."""

    centre: GeoPoint
    radius_m: float

    def __post_init__(self) -> None:
        """Bounded: a map screen, not a region."""
        if not (math.isfinite(self.radius_m) and MIN_RADIUS_M <= self.radius_m <= MAX_RADIUS_M):
            raise InvalidInputError(
                f"radius_m must be within {MIN_RADIUS_M:g}..{MAX_RADIUS_M:g}", field="radius_m"
            )


@dataclass(frozen=True, slots=True)
class Box:
    """Places inside a west, south, east, north box in WGS84 degrees (no antimeridian wrap)."""

    west: float
    south: float
    east: float
    north: float

    def __post_init__(self) -> None:
        """Refuse inverted, off-map and oversized boxes."""
        values = (self.west, self.south, self.east, self.north)
        if not all(math.isfinite(v) for v in values):
            raise InvalidInputError("bbox needs four finite numbers", field="bbox")
        if not (-MAX_BOX_LAT <= self.south < self.north <= MAX_BOX_LAT):
            raise InvalidInputError(
                f"bbox needs -{MAX_BOX_LAT:g} <= south < north <= {MAX_BOX_LAT:g}", field="bbox"
            )
        if not -180.0 <= self.west < self.east <= 180.0:
            raise InvalidInputError("bbox needs -180 <= west < east <= 180", field="bbox")
        if self.area_km2 > MAX_BOX_KM2:
            raise InvalidInputError(
                f"bbox covers {self.area_km2:.1f} km²; at most {MAX_BOX_KM2:g} km² is served",
                field="bbox",
            )

    @property
    def area_km2(self) -> float:
        """Approximate area (equirectangular at the middle latitude).

        Examples
        --------
        >>> round(Box(25.0, 60.0, 25.02, 60.01).area_km2, 2)
        1.24
        """
        middle = math.radians((self.south + self.north) / 2)
        height = (self.north - self.south) * _KM_PER_DEG
        return height * (self.east - self.west) * _KM_PER_DEG * math.cos(middle)

    @classmethod
    def parse(cls, text: str) -> Box:
        """``west,south,east,north`` as the query string carries it.

        Examples
        --------
        >>> Box.parse("24.93,60.16,24.95,60.17").north
        60.17
        """
        parts = text.split(",")
        try:
            numbers = [float(part) for part in parts]
        except ValueError:
            numbers = []
        if len(numbers) != 4:
            raise InvalidInputError(
                "bbox must be four numbers: west,south,east,north", field="bbox"
            )
        return cls(*numbers)


Area = Circle | Box


@dataclass(frozen=True, slots=True)
class PlaceQuery:
    """One validated question: where, which themes (all when empty), the score floor, how many."""

    area: Area
    themes: tuple[str, ...] = ()
    min_score: float = 0.0
    limit: int = DEFAULT_LIMIT

    def __post_init__(self) -> None:
        """Themes known, sorted and unique; score floor and page size bounded."""
        unknown = sorted(set(self.themes) - set(THEMES))
        if unknown:
            raise InvalidInputError(f"unknown theme(s) {', '.join(unknown)}", field="themes")
        if tuple(sorted(set(self.themes))) != self.themes:
            raise InvalidInputError("themes must be sorted and unique", field="themes")
        if not (math.isfinite(self.min_score) and 0.0 <= self.min_score <= 1.0):
            raise InvalidInputError("min_score must be within 0..1", field="min_score")
        if not 1 <= self.limit <= MAX_LIMIT:
            raise InvalidInputError(f"limit must be within 1..{MAX_LIMIT}", field="limit")

    @classmethod
    def build(
        cls,
        *,
        lat: float | None = None,
        lng: float | None = None,
        radius_m: float | None = None,
        bbox: str | None = None,
        themes: Sequence[str] = (),
        min_score: float = 0.0,
        limit: int = DEFAULT_LIMIT,
    ) -> PlaceQuery:
        """Choose the area from the query string: a point (and radius) or a box, never both."""
        has_point = lat is not None or lng is not None
        if bbox is not None and (has_point or radius_m is not None):
            raise InvalidInputError(
                "give either lat/lng (and radius_m) or bbox, not both", field="bbox"
            )
        area: Area
        if bbox is not None:
            area = Box.parse(bbox)
        elif lat is None or lng is None:
            raise InvalidInputError("give lat and lng (and radius_m), or bbox", field="lat/lng")
        else:
            radius = DEFAULT_RADIUS_M if radius_m is None else radius_m
            area = Circle(GeoPoint(lat, lng), radius)
        return cls(area, tuple(sorted(set(themes))), min_score, limit)

    def fingerprint(self) -> str:
        """What a cursor is bound to: everything but the page size."""
        shape = (
            ("circle", self.area.centre.lat, self.area.centre.lng, self.area.radius_m)
            if isinstance(self.area, Circle)
            else ("box", self.area.west, self.area.south, self.area.east, self.area.north)
        )
        return _digest(repr((shape, self.themes, self.min_score)))


@dataclass(frozen=True, slots=True, order=True)
class PlacePosition:
    """A place's place in the listing: most popular first, then OSM type and id.

    Ordered as the listing is: ``a < b`` means ``a`` is listed before ``b``.
    """

    rank: float  # minus the popularity, so that ascending order is the listing's
    osm_type: str
    osm_id: int

    @property
    def popularity(self) -> float:
        """The place's popularity."""
        return -self.rank

    @classmethod
    def of(cls, poi: Poi) -> PlacePosition:
        """Where ``poi`` is listed."""
        osm_type, osm_id = osm_ref(poi.key)
        return cls(-poi.popularity, osm_type, osm_id)


def osm_ref(key: str) -> tuple[str, int]:
    """``("node", 123)`` from ``"node/123"``.

    Examples
    --------
    >>> osm_ref("way/42")
    ('way', 42)
    """
    osm_type, _, osm_id = key.partition("/")
    return osm_type, int(osm_id)


def osm_url(key: str) -> str:
    """The element's page on openstreetmap.org.

    Examples
    --------
    >>> osm_url("node/123")
    'https://www.openstreetmap.org/node/123'
    """
    return f"https://www.openstreetmap.org/{key}"


def encode_cursor(position: PlacePosition, query: PlaceQuery) -> str:
    """An opaque token for the page after ``position`` of ``query``'s listing.

    Not a secret (places are public data): the check digest catches a
    cursor that was altered or that belongs to another query.
    """
    body = [_CURSOR_VERSION, position.popularity, position.osm_type, position.osm_id]
    check = _digest(json.dumps(body) + query.fingerprint())
    raw = json.dumps([*body, check], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(token: str, query: PlaceQuery) -> PlacePosition:
    """The position ``token`` stands for; ``InvalidCursorError`` unless it is intact and ours."""
    body = _cursor_body(token)
    version, popularity, osm_type, osm_id, check = body
    if check != _digest(json.dumps(body[:4]) + query.fingerprint()):
        raise InvalidCursorError("the cursor does not belong to this query; start again")
    if version != _CURSOR_VERSION:
        raise InvalidCursorError("the cursor is from another version; start again")
    return PlacePosition(-float(popularity), osm_type, osm_id)


def _cursor_body(token: str) -> list[Any]:
    if len(token) > MAX_CURSOR_CHARS:
        raise InvalidCursorError("the cursor is too long")
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        body = json.loads(raw)
    except (binascii.Error, ValueError) as exc:  # UnicodeDecodeError is a ValueError
        raise InvalidCursorError("the cursor is malformed") from exc
    is_shaped = (
        isinstance(body, list)
        and len(body) == 5
        and type(body[0]) is int
        and type(body[1]) in (int, float)
        and isinstance(body[2], str)
        and type(body[3]) is int
        and isinstance(body[4], str)
    )
    if (
        not is_shaped
        or not _KEY.match(f"{body[2]}/{body[3]}")
        or body[3] > _MAX_OSM_ID
        or not 0 <= body[1] <= 1
    ):
        raise InvalidCursorError("the cursor is malformed")
    return list(body)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:24]
