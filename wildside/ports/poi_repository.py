"""POI repository port: the points of interest within walking reach of a tour."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from wildside.domain.errors import WildsideError
from wildside.domain.geo import GeoPoint
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
