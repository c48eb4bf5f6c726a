"""When a tour starts: the walker's stated time, or "now" held for its quarter hour."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from wildside.domain.errors import InvalidInputError

# A tour asked for "now" is planned for every start in its quarter hour, and the
# route cache keys it by that quarter hour: a cached tour is served only while
# every stop it visits is still open for the walker (docs/architecture.md).
START_WINDOW_S = 900
# Far enough either way for any walk; keeps time-zone arithmetic clear of datetime's limits.
MIN_START_YEAR, MAX_START_YEAR = 1900, 2199


def check_start_time(value: datetime) -> None:
    """Refuse a start time without a UTC offset, or outside the years 1900..2199.

    Examples
    --------
    >>> check_start_time(datetime(2026, 12, 8, 10, tzinfo=UTC))
    >>> check_start_time(datetime(2026, 12, 8, 10))
    Traceback (most recent call last):
    ...
    wildside.domain.errors.InvalidInputError: start_time needs a UTC offset, such as +02:00 or Z
    """
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInputError(
            "start_time needs a UTC offset, such as +02:00 or Z", field="start_time"
        )
    if not MIN_START_YEAR <= value.year <= MAX_START_YEAR:
        raise InvalidInputError(
            f"start_time must be in the years {MIN_START_YEAR} to {MAX_START_YEAR}",
            field="start_time",
        )


def parse_start_time(text: str) -> datetime:
    """An ISO 8601 time with its offset (``2026-12-08T10:00+02:00``), checked.

    Examples
    --------
    >>> parse_start_time("2026-12-08T10:00+02:00").isoformat()
    '2026-12-08T10:00:00+02:00'
    """
    try:
        value = datetime.fromisoformat(text)
    except ValueError as exc:
        raise InvalidInputError(
            f"start_time {text!r} is not a time such as 2026-12-08T10:00:00+02:00",
            field="start_time",
        ) from exc
    check_start_time(value)
    return value


def quarter_hour(instant: datetime) -> datetime:
    """The start of the quarter hour (UTC) that holds ``instant``.

    Examples
    --------
    >>> quarter_hour(datetime(2026, 12, 8, 10, 14, 59, tzinfo=UTC)).isoformat()
    '2026-12-08T10:00:00+00:00'
    """
    utc = instant.astimezone(UTC)
    return utc.replace(minute=utc.minute - utc.minute % 15, second=0, microsecond=0)


@dataclass(frozen=True, slots=True)
class StartWindow:
    """The starts a plan must hold for: from ``earliest`` to ``slack_s`` seconds later."""

    earliest: datetime
    slack_s: float

    @property
    def latest(self) -> datetime:
        """The last start the plan holds for."""
        return self.earliest + timedelta(seconds=self.slack_s)


def start_window(start_time: datetime | None, now: datetime) -> StartWindow:
    """A stated start exactly; "now" as its whole quarter hour (what the cache key names).

    Examples
    --------
    >>> now = datetime(2026, 12, 8, 10, 7, tzinfo=UTC)
    >>> window = start_window(None, now)
    >>> window.earliest.isoformat(), window.slack_s
    ('2026-12-08T10:00:00+00:00', 900.0)
    >>> start_window(now, now).slack_s
    0.0
    """
    if start_time is not None:
        return StartWindow(start_time, 0.0)
    return StartWindow(quarter_hour(now), float(START_WINDOW_S))
