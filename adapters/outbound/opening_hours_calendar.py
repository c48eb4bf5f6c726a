"""``OpeningCalendar`` backed by opening-hours-py (the Rust ``opening-hours`` crate).

The library reads the whole OSM ``opening_hours`` language, and from a place's
coordinates infers its time zone and its country's public holidays
(``PH off`` on Christmas Day in Helsinki is closed). It wants times with a
``zoneinfo`` zone, so the tour's start is handed over in UTC.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

# The package's stub names only OpeningHours and State; its errors exist all the same.
from opening_hours import (  # type: ignore[attr-defined]
    InvalidCoordinatesError,
    OpeningHours,
    ParserError,
    State,
)

from wildside.domain.geo import GeoPoint
from wildside.domain.opening import OpenWindow, PlaceOpening, merged_windows
from wildside.ports.opening_calendar import HoursQuery, OpeningCalendar

_UTC = ZoneInfo("UTC")


class OpeningHoursPyOpeningCalendar(OpeningCalendar):
    """Opening windows and local times from opening-hours-py; unreadable hours are unknown."""

    def openings(
        self, places: Sequence[HoursQuery], start: datetime, horizon_s: float
    ) -> list[PlaceOpening]:
        """Each place's open (and "unknown") spans from ``start`` to ``horizon_s`` later."""
        begin = start.astimezone(_UTC)
        end = begin + timedelta(seconds=horizon_s)
        return [_opening(place, begin, end, horizon_s) for place in places]

    def local_time(self, point: GeoPoint, instant: datetime) -> datetime:
        """``instant`` in the zone the library infers for ``point`` (UTC if it cannot)."""
        return instant.astimezone(_zone(point, instant.astimezone(_UTC)))

    def warm_up(self) -> None:
        """Load the library's time-zone and holiday tables (about 0.3 s, once per process).

        The composition root calls it at boot, so no request pays for it.
        """
        self.local_time(GeoPoint(60.17, 24.94), datetime(2026, 1, 1, tzinfo=_UTC))


def _opening(place: HoursQuery, begin: datetime, end: datetime, horizon_s: float) -> PlaceOpening:
    if place.hours is None:
        return PlaceOpening(None)
    try:
        hours = OpeningHours(place.hours, coords=(place.point.lat, place.point.lng))
        spans = list(hours.intervals(begin, end))
    except (ParserError, InvalidCoordinatesError):
        # Hours nobody can read count as open, and the stop says "unknown".
        return PlaceOpening(place.hours)
    windows = [
        OpenWindow(
            max(0.0, (opens - begin).total_seconds()),
            min(horizon_s, (closes - begin).total_seconds()),
            is_known=state == State.OPEN,
        )
        for opens, closes, state, _comment in spans
        if state != State.CLOSED
    ]
    return PlaceOpening(place.hours, merged_windows(w for w in windows if w.end_s > w.start_s))


def _zone(point: GeoPoint, instant: datetime) -> tzinfo:
    """The library's time zone at ``point``: the zone of the times it answers in.

    It infers the zone from coordinates but has no call that names it, so an
    always-open place at ``point`` is asked for one second of intervals.
    """
    try:
        hours = OpeningHours("24/7", coords=(point.lat, point.lng))
        first = next(hours.intervals(instant, instant + timedelta(seconds=1)), None)
    except InvalidCoordinatesError:
        return _UTC
    if first is None or first[0].tzinfo is None:
        return _UTC
    return first[0].tzinfo
