"""In-memory ``PoiRepository`` with the same area rules as the PostGIS adapter."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from wildside.domain.geo import GeoPoint, haversine_m
from wildside.domain.scoring import Poi
from wildside.ports.poi_repository import PoiRepository, SearchArea


@dataclass
class InMemoryPoiRepository(PoiRepository):
    """Holds POIs in a list; ``version`` plays the newest import id."""

    pois: list[Poi] = field(default_factory=list)
    version: int | None = None

    def within(
        self, area: SearchArea, *, limit: int, prefer_themes: Sequence[str] = ()
    ) -> list[Poi]:
        """Filter by the circle (round trip) or ellipse (point to point)."""

        def reachable(poi: Poi) -> bool:
            here = GeoPoint(poi.lat, poi.lng)
            if area.end is None:
                return haversine_m(here, area.start) <= area.max_walk_m / 2
            total = haversine_m(here, area.start) + haversine_m(here, area.end)
            return total <= area.max_walk_m

        preferred = set(prefer_themes)
        found = sorted(
            filter(reachable, self.pois),
            key=lambda p: (not preferred & set(p.themes), -p.popularity, p.key),
        )
        return found[:limit]

    def data_version(self) -> str:
        """``import-<version>`` or ``empty``."""
        return "empty" if self.version is None else f"import-{self.version}"
