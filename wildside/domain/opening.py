"""Opening hours as the planner sees them: when each place is open during one tour, in seconds."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

HOURS_TAG = "opening_hours"  # the OSM key a place's hours are tagged with
# Arrivals are sums of floats: a stop due at the very second a place opens is on time.
TOLERANCE_S = 1e-6

OpenState = Literal["open", "unknown", "closed"]
StopState = Literal["open", "unknown"]  # a visited stop is never closed


@dataclass(frozen=True, slots=True)
class OpenWindow:
    """A span of the tour, in seconds after its start, when a place is open.

    ``is_known`` is False where the hours themselves say "unknown" (such as
    ``Mo-Fr 10:00-18:00 || unknown``): such a span counts as open, and a stop
    in it is reported as unknown.
    """

    start_s: float
    end_s: float
    is_known: bool = True


@dataclass(frozen=True, slots=True)
class PlaceOpening:
    """A place's hours as tagged, and when it is open during the tour.

    ``windows`` is None when the place has no hours or they cannot be read:
    the place then counts as open all the time, and says "unknown".

    Examples
    --------
    >>> museum = PlaceOpening("Tu-Su 11:00-18:00", (OpenWindow(3600.0, 7200.0),))
    >>> museum.state(3600.0, 1800.0), museum.state(6000.0, 1800.0), museum.state(0.0, 60.0)
    ('open', 'closed', 'closed')
    >>> PlaceOpening(None).state(0.0, 60.0)
    'unknown'
    """

    hours: str | None
    windows: tuple[OpenWindow, ...] | None = None

    @property
    def is_known(self) -> bool:
        """Whether the hours were read (a place without them counts as always open)."""
        return self.windows is not None

    def state(self, arrival_s: float, stay_s: float) -> OpenState:
        """Open for the whole stay from ``arrival_s``, open but unknown, or closed."""
        if self.windows is None:
            return "unknown"
        leave_s = arrival_s + stay_s
        for window in self.windows:
            if window.start_s <= arrival_s + TOLERANCE_S and leave_s <= window.end_s + TOLERANCE_S:
                return "open" if window.is_known else "unknown"
        return "closed"

    def fits(self, earliest_s: float, latest_s: float, stay_s: float) -> bool:
        """Whether some arrival from ``earliest_s`` to ``latest_s`` is open for a ``stay_s`` visit.

        Examples
        --------
        >>> museum = PlaceOpening("Tu-Su 11:00-18:00", (OpenWindow(3600.0, 7200.0),))
        >>> museum.fits(0.0, 5400.0, 1800.0), museum.fits(6000.0, 9000.0, 1800.0)
        (True, False)
        """
        if self.windows is None:
            return True
        return any(
            max(window.start_s, earliest_s) <= min(window.end_s - stay_s, latest_s) + TOLERANCE_S
            for window in self.windows
        )

    def has_room(self, stay_s: float, horizon_s: float) -> bool:
        """Whether a stay of ``stay_s`` fits in an open window before ``horizon_s`` at all.

        A place with no such window is closed for the whole tour: no order of
        stops could visit it, so the planner leaves it out before solving.
        """
        return self.fits(0.0, horizon_s - stay_s, stay_s)


UNKNOWN_OPENING = PlaceOpening(None)


def merged_windows(windows: Iterable[OpenWindow]) -> tuple[OpenWindow, ...]:
    """Windows in order, with touching or overlapping ones joined (unknown if either part is).

    A parser yields one span per rule (Mo-Fr 10:00-14:00, then 14:00-18:00 from
    another rule); a stay across the seam is open all the same.

    Examples
    --------
    >>> merged_windows([OpenWindow(50.0, 90.0, False), OpenWindow(0.0, 50.0)])
    (OpenWindow(start_s=0.0, end_s=90.0, is_known=False),)
    """
    joined: list[OpenWindow] = []
    for window in sorted(windows, key=lambda w: (w.start_s, w.end_s)):
        if joined and window.start_s <= joined[-1].end_s + TOLERANCE_S:
            last = joined[-1]
            joined[-1] = OpenWindow(
                last.start_s, max(last.end_s, window.end_s), last.is_known and window.is_known
            )
        else:
            joined.append(window)
    return tuple(joined)


@dataclass(frozen=True, slots=True)
class StopOpening:
    """What a visited stop says about its hours: open at arrival, or unknown; and as tagged."""

    state: StopState
    hours: str | None = None


UNKNOWN_STOP = StopOpening("unknown")  # a stop whose hours are not known (or not read)


@dataclass(frozen=True, slots=True)
class SkippedPlace:
    """A good place the tour leaves out because it is closed when the tour could be there."""

    key: str
    name: str | None
    lat: float
    lng: float
    score: float
    hours: str | None
    reason: Literal["closed"] = "closed"
