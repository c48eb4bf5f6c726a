"""In-memory ``PoiRepository`` with the same area rules as the PostGIS adapter."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from wildside.domain.geo import GeoPoint, haversine_m
from wildside.domain.map_data import PoiRecord
from wildside.domain.scoring import Poi
from wildside.ports.poi_repository import PoiRepository, Provenance, SearchArea, UpsertCounts


@dataclass
class InMemoryPoiRepository(PoiRepository):
    """Holds POIs in a list; ``version`` plays the newest import id."""

    pois: list[Poi] = field(default_factory=list)
    version: int | None = None
    provenance: dict[str, Provenance] = field(default_factory=dict)

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

    def upsert(self, pois: Sequence[PoiRecord], provenance: Provenance) -> UpsertCounts:
        """Replace by key; bump the version when something changed."""
        by_key = {p.key: i for i, p in enumerate(self.pois)}
        inserted = updated = 0
        for record in pois:
            poi = Poi(
                f"{record.element_type}/{record.osm_id}",
                record.name,
                record.lat,
                record.lng,
                record.themes,
                record.popularity,
                dict(record.tags),
            )
            index = by_key.get(poi.key)
            if index is None:
                by_key[poi.key] = len(self.pois)
                self.pois.append(poi)
                inserted += 1
            elif self.pois[index] != poi:
                self.pois[index] = poi
                updated += 1
            self.provenance[poi.key] = provenance
        if inserted or updated:
            self.version = (self.version or 0) + 1
        return UpsertCounts(inserted, updated, len(pois) - inserted - updated)
