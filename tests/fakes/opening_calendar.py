"""An ``OpeningCalendar`` that reads a tiny subset of OSM hours by hand, in one fixed zone.

It knows ``24/7``, ``off`` (or ``closed``) and one daily span ``HH:MM-HH:MM`` (past
midnight when it ends earlier than it starts);
anything else is unreadable, as the real adapter treats what its parser
refuses. The contract suite holds it to the real adapter on that subset.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from wildside.domain.geo import GeoPoint
from wildside.domain.opening import OpenWindow, PlaceOpening, merged_windows
from wildside.ports.opening_calendar import HoursQuery, OpeningCalendar

_DAILY = re.compile(r"^(\d\d):(\d\d)-(\d\d):(\d\d)$")


class FakeOpeningCalendar(OpeningCalendar):
    """Every place in ``zone`` (Helsinki by default); remembers what it was asked."""

    def __init__(self, zone: str = "Europe/Helsinki") -> None:
        self.zone = ZoneInfo(zone)
        self.asked: list[tuple[tuple[HoursQuery, ...], datetime, float]] = []

    def openings(
        self, places: Sequence[HoursQuery], start: datetime, horizon_s: float
    ) -> list[PlaceOpening]:
        """Each place's windows from ``start`` to ``horizon_s`` later."""
        self.asked.append((tuple(places), start, horizon_s))
        return [self._opening(place.hours, start, horizon_s) for place in places]

    def local_time(self, point: GeoPoint, instant: datetime) -> datetime:
        """``instant`` in the calendar's one zone."""
        return instant.astimezone(self.zone)

    def _opening(self, hours: str | None, start: datetime, horizon_s: float) -> PlaceOpening:
        if hours is None:
            return PlaceOpening(None)
        if hours == "24/7":
            return PlaceOpening(hours, (OpenWindow(0.0, horizon_s),))
        if hours in ("off", "closed"):
            return PlaceOpening(hours, ())
        match = _DAILY.match(hours)
        if match is None:
            return PlaceOpening(hours)  # unreadable: counts as open, "unknown"
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        local = start.astimezone(self.zone)
        windows = []
        for day in range(-1, int(horizon_s // 86400) + 2):
            date = local.date() + timedelta(days=day)
            opens = datetime.combine(date, time(h1, m1), self.zone)
            closes = datetime.combine(date, time(h2, m2), self.zone)
            if closes <= opens:  # 18:00-02:00 closes the next day
                closes += timedelta(days=1)
            begin, end = (opens - start).total_seconds(), (closes - start).total_seconds()
            begin, end = max(0.0, begin), min(horizon_s, end)
            if end > begin:
                windows.append(OpenWindow(begin, end))
        return PlaceOpening(hours, merged_windows(windows))
