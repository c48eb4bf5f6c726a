"""Port: opening hours — when tagged places are open during a tour, and the local time somewhere.

OSM ``opening_hours`` is a small language (weekdays, public holidays, sunset,
``|| unknown``); the adapter reads it with a maintained parser, never by hand,
and the core sees only seconds after the tour's start.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from wildside.domain.geo import GeoPoint
from wildside.domain.opening import UNKNOWN_OPENING, PlaceOpening

__all__ = ["HoursQuery", "OpeningCalendar", "PlaceOpening", "UnknownOpeningCalendar"]


@dataclass(frozen=True, slots=True)
class HoursQuery:
    """One place's ``opening_hours`` tag as tagged (None: untagged), and where it is.

    The position picks the time zone and the country's public holidays.
    """

    hours: str | None
    point: GeoPoint


class OpeningCalendar(Protocol):
    """Reads opening hours for the planner.

    Hours that are missing or cannot be read are not an error: the place
    counts as open and says "unknown" (``PlaceOpening`` without windows).
    """

    def openings(
        self, places: Sequence[HoursQuery], start: datetime, horizon_s: float
    ) -> list[PlaceOpening]:
        """For each place, in order, when it is open from ``start`` to ``horizon_s`` later.

        ``start`` is timezone-aware; windows are seconds after it, clipped to
        ``0..horizon_s``, in order and not touching one another.
        """
        ...

    def local_time(self, point: GeoPoint, instant: datetime) -> datetime:
        """``instant`` (timezone-aware) as the clocks at ``point`` show it."""
        ...


class UnknownOpeningCalendar:
    """An ``OpeningCalendar`` that knows no hours: every place is open, "unknown"; times in UTC.

    What the planner uses when no calendar is wired (unit tests, benchmarks'
    "without opening hours" baseline).
    """

    def openings(
        self, places: Sequence[HoursQuery], start: datetime, horizon_s: float
    ) -> list[PlaceOpening]:
        """Unknown for every place."""
        return [
            UNKNOWN_OPENING if place.hours is None else PlaceOpening(place.hours)
            for place in places
        ]

    def local_time(self, point: GeoPoint, instant: datetime) -> datetime:
        """The instant as given."""
        return instant
