"""POI repository port: the points of interest within walking reach of a tour."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from wildside.domain.errors import WildsideError
from wildside.domain.geo import GeoPoint
from wildside.domain.map_data import PoiRecord
from wildside.domain.scoring import Poi


@dataclass(frozen=True, slots=True)
class SearchArea:
    """Where a tour can reach.

    A round trip (``end`` is ``None``) reaches a circle of ``max_walk_m / 2``
    around ``start``; a point-to-point tour reaches the ellipse of points whose
    straight-line distances to ``start`` and ``end`` add up to ``max_walk_m``.
    Straight lines never exceed street distances, so both are supersets of
    what the street network can reach.
    """

    start: GeoPoint
    end: GeoPoint | None
    max_walk_m: float


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where upserted POIs came from: the service, the exact URL, the area, the time."""

    source: str
    source_url: str
    bbox_wkt: str
    fetched_at: datetime


@dataclass(frozen=True, slots=True)
class UpsertCounts:
    """What an upsert did."""

    inserted: int
    updated: int
    unchanged: int


class PoiRepositoryError(WildsideError):
    """The POI store failed to answer."""

    code = "poi-repository-error"


class PoiRepository(Protocol):
    """Reads POIs by area."""

    def within(
        self, area: SearchArea, *, limit: int, prefer_themes: Sequence[str] = ()
    ) -> list[Poi]:
        """Return up to ``limit`` POIs inside ``area``.

        POIs carrying any of ``prefer_themes`` come first; within each group
        the most popular first, ties by key.
        """
        ...

    def data_version(self) -> str:
        """Identify the data a tour was computed on (changes with every import)."""
        ...

    def upsert(self, pois: Sequence[PoiRecord], provenance: Provenance) -> UpsertCounts:
        """Insert new POIs and update changed ones, recording ``provenance`` on both.

        Unchanged POIs are left alone. When anything changed, the data version
        changes too (cached tours of the old data are not served again).
        """
        ...
