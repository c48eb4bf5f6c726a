"""Geographic values and the plain-math distances the core needs (no projection library)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from wildside.domain.errors import InvalidInputError

EARTH_RADIUS_M = 6_371_008.8  # mean radius (IUGG); good to ~0.5 % for walking scales


@dataclass(frozen=True, slots=True)
class GeoPoint:
    """A WGS84 position, validated on construction.

    Examples
    --------
    >>> GeoPoint(60.17, 24.94).lat
    60.17
    >>> GeoPoint(91.0, 0.0)
    Traceback (most recent call last):
    ...
    wildside.domain.errors.InvalidInputError: latitude must be within -90..90, got 91.0
    """

    lat: float
    lng: float

    def __post_init__(self) -> None:
        """Reject non-finite and out-of-range coordinates."""
        if not (math.isfinite(self.lat) and math.isfinite(self.lng)):
            raise InvalidInputError("coordinates must be finite numbers", field="lat/lng")
        if not -90.0 <= self.lat <= 90.0:
            raise InvalidInputError(f"latitude must be within -90..90, got {self.lat}", field="lat")
        if not -180.0 <= self.lng <= 180.0:
            raise InvalidInputError(
                f"longitude must be within -180..180, got {self.lng}", field="lng"
            )


def haversine_m(a: GeoPoint, b: GeoPoint) -> float:
    """Great-circle distance in metres.

    Examples
    --------
    >>> round(haversine_m(GeoPoint(60.0, 25.0), GeoPoint(60.0, 25.02)))
    1112
    """
    phi1, phi2 = math.radians(a.lat), math.radians(b.lat)
    dphi = phi2 - phi1
    dlmb = math.radians(b.lng - a.lng)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))
