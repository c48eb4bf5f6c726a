"""Enrichment jobs: the bounding box of a sparse area, its themes, and its dedup key."""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from typing import Any

from wildside.domain.errors import InvalidInputError
from wildside.domain.geo import EARTH_RADIUS_M, GeoPoint
from wildside.domain.poi_tags import THEMES

DEDUP_DECIMALS = 2  # ~1 km: requests from one neighbourhood share one enrichment
MAX_SIDE_DEG = 0.5  # ~55 km: Overpass is asked for neighbourhoods, never regions


@dataclass(frozen=True, slots=True)
class BoundingBox:
    """South, west, north, east in WGS84 degrees (Overpass order)."""

    south: float
    west: float
    north: float
    east: float

    def __post_init__(self) -> None:
        """Refuse boxes that are inverted, off the globe or too large to ask for."""
        values = (self.south, self.west, self.north, self.east)
        if not all(math.isfinite(v) for v in values):
            raise InvalidInputError("a bounding box needs finite coordinates", field="bbox")
        if not (-90 <= self.south < self.north <= 90 and -180 <= self.west < self.east <= 180):
            raise InvalidInputError(f"not a valid bounding box: {values}", field="bbox")
        if self.north - self.south > MAX_SIDE_DEG or self.east - self.west > MAX_SIDE_DEG:
            raise InvalidInputError("the bounding box is too large to enrich", field="bbox")

    @classmethod
    def around(cls, centre: GeoPoint, radius_m: float) -> BoundingBox:
        """The box holding the circle of ``radius_m`` around ``centre`` (clipped to the globe)."""
        dlat = math.degrees(radius_m / EARTH_RADIUS_M)
        dlng = dlat / max(0.01, math.cos(math.radians(centre.lat)))
        return cls(
            south=max(-90.0, centre.lat - dlat),
            west=max(-180.0, centre.lng - dlng),
            north=min(90.0, centre.lat + dlat),
            east=min(180.0, centre.lng + dlng),
        )

    def as_overpass(self) -> str:
        """``south,west,north,east`` with 7 decimals (about 1 cm)."""
        return ",".join(f"{v:.7f}" for v in (self.south, self.west, self.north, self.east))

    def to_document(self) -> dict[str, float]:
        """Plain data."""
        return {"south": self.south, "west": self.west, "north": self.north, "east": self.east}

    def wkt(self) -> str:
        """The box as a WKT polygon (lng lat order), for provenance."""
        s, w, n, e = self.south, self.west, self.north, self.east
        return f"POLYGON(({w} {s},{e} {s},{e} {n},{w} {n},{w} {s}))"


@dataclass(frozen=True, slots=True)
class EnrichmentJob:
    """Fetch POIs of ``themes`` (all when empty) inside ``bbox`` from Overpass."""

    bbox: BoundingBox
    themes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        """Themes must be known, sorted and unique (so equal jobs compare equal)."""
        unknown = sorted(set(self.themes) - set(THEMES))
        if unknown:
            raise InvalidInputError(f"unknown theme(s) {', '.join(unknown)}", field="themes")
        if tuple(sorted(set(self.themes))) != self.themes:
            raise InvalidInputError("themes must be sorted and unique", field="themes")

    @property
    def dedup_key(self) -> str:
        """Same neighbourhood (2-decimal grid) and themes, same key.

        Examples
        --------
        >>> a = EnrichmentJob(BoundingBox(60.161, 24.93, 60.181, 24.96), ("history",))
        >>> b = EnrichmentJob(BoundingBox(60.1612, 24.9304, 60.1808, 24.9597), ("history",))
        >>> a.dedup_key == b.dedup_key
        True
        """
        cells = [round(v, DEDUP_DECIMALS) for v in (*self.bbox.to_document().values(),)]
        text = ",".join(f"{v:.{DEDUP_DECIMALS}f}" for v in cells) + "|" + ",".join(self.themes)
        return "enrich:" + hashlib.sha256(text.encode()).hexdigest()[:32]

    def to_document(self) -> dict[str, Any]:
        """Plain data for a message body."""
        return {"bbox": self.bbox.to_document(), "themes": list(self.themes)}

    @classmethod
    def from_document(cls, document: dict[str, Any]) -> EnrichmentJob:
        """Inverse of :meth:`to_document`; ``InvalidInputError`` on bad data."""
        try:
            box = document["bbox"]
            return cls(
                BoundingBox(
                    float(box["south"]), float(box["west"]), float(box["north"]), float(box["east"])
                ),
                tuple(sorted(set(map(str, document.get("themes", ()))))),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise InvalidInputError(f"malformed enrichment job: {exc}") from exc


def is_sparse(candidates_found: int, threshold: int) -> bool:
    """Whether an area with ``candidates_found`` POIs needs enrichment."""
    return candidates_found < threshold
