"""In-memory ``PlaceDirectory`` with the PostGIS adapter's area rules and order."""

from __future__ import annotations

from dataclasses import dataclass, field

from wildside.domain.geo import GeoPoint, haversine_m
from wildside.domain.places import Area, Circle, PlacePosition
from wildside.domain.scoring import Poi
from wildside.ports.place_directory import PlaceDirectory, PlaceSearch


@dataclass
class InMemoryPlaceDirectory(PlaceDirectory):
    """Holds places in a list; ``searches`` records what was asked."""

    pois: list[Poi] = field(default_factory=list)
    searches: list[PlaceSearch] = field(default_factory=list)

    def find(self, search: PlaceSearch) -> list[Poi]:
        """Filter by area, themes and position; sort as the listing does."""
        self.searches.append(search)
        wanted = set(search.themes)
        found = [
            poi
            for poi in self.pois
            if _inside(poi, search.area)
            and (not wanted or wanted & set(poi.themes))
            and (search.after is None or PlacePosition.of(poi) > search.after)
        ]
        found.sort(key=PlacePosition.of)
        return found[: search.limit]


def _inside(poi: Poi, area: Area) -> bool:
    if isinstance(area, Circle):
        return haversine_m(GeoPoint(poi.lat, poi.lng), area.centre) <= area.radius_m
    return area.south <= poi.lat <= area.north and area.west <= poi.lng <= area.east
