"""Saved preferences and the effective route request: what a request leaves out, they fill in."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from wildside.domain.errors import InvalidInputError
from wildside.domain.geo import GeoPoint
from wildside.domain.route_spec import (
    DEFAULT_PACE_M_S,
    RouteSpec,
    check_duration_minutes,
    check_pace,
    check_themes,
)


@dataclass(frozen=True, slots=True)
class Preferences:
    """A user's defaults for new route requests, validated with ``RouteSpec``'s ranges.

    ``duration_minutes`` may be ``None``: there is no system default for how
    long a walk should be, so a request must then state it.

    Examples
    --------
    >>> Preferences.build(themes=["nature", "art"], duration_minutes=60).themes
    ('art', 'nature')
    """

    themes: tuple[str, ...] = ()
    duration_minutes: float | None = None
    pace_m_s: float = DEFAULT_PACE_M_S

    def __post_init__(self) -> None:
        """Refuse what a route request would refuse."""
        check_themes(self.themes, field="themes")
        if self.duration_minutes is not None:
            check_duration_minutes(self.duration_minutes)
        check_pace(self.pace_m_s)

    @classmethod
    def build(
        cls,
        *,
        themes: Sequence[str] = (),
        duration_minutes: float | None = None,
        pace_m_s: float | None = None,
    ) -> Preferences:
        """Normalise raw values (themes in any order, ``None`` for the system default)."""
        return cls(
            themes=tuple(sorted(set(themes))),
            duration_minutes=None if duration_minutes is None else float(duration_minutes),
            pace_m_s=DEFAULT_PACE_M_S if pace_m_s is None else float(pace_m_s),
        )


# What a user who never saved preferences gets.
SYSTEM_DEFAULTS = Preferences()


@dataclass(frozen=True, slots=True)
class RouteDraft:
    """A route request as the client sent it; ``None`` marks what it left out.

    ``themes=()`` is a choice (no theme), not an omission: only ``None`` is
    filled from the saved preferences.
    """

    start: GeoPoint
    duration_minutes: float | None = None
    themes: Sequence[str] | None = None
    end: GeoPoint | None = None
    seed: int | None = None
    pace_m_s: float | None = None
    exclude: Sequence[str] = ()  # places a re-plan skips (never filled from preferences)
    end_anywhere: bool = False  # the tour may end at its last stop (``end`` is then None)
    alternatives: int = 1  # distinct tours to return (never filled from preferences)
    start_time: datetime | None = None  # when the walk starts (None: when it is planned)

    @property
    def is_complete(self) -> bool:
        """Whether the draft states everything preferences could fill (no store read needed)."""
        return None not in (self.duration_minutes, self.themes, self.pace_m_s)


def effective_spec(draft: RouteDraft, saved: Preferences) -> RouteSpec:
    """The request to run: the draft, with what it left out taken from ``saved``.

    The idempotency hash and the cache key are computed from this spec, so a
    request that omits its preferences and one that states the same values
    are the same request.

    Raises
    ------
    InvalidInputError
        The draft has no duration and none is saved (``field="duration_minutes"``),
        or a value is out of range.

    Examples
    --------
    >>> draft = RouteDraft(start=GeoPoint(60.17, 24.94), themes=["art"])
    >>> spec = effective_spec(draft, Preferences.build(themes=["food"], duration_minutes=45))
    >>> spec.duration_minutes, spec.themes
    (45.0, ('art',))
    """
    duration = draft.duration_minutes
    if duration is None:
        duration = saved.duration_minutes
    if duration is None:
        raise InvalidInputError(
            "duration_minutes is required: send it, or save a default duration in your preferences",
            field="duration_minutes",
        )
    return RouteSpec.build(
        start=draft.start,
        end=draft.end,
        duration_minutes=duration,
        preferences=saved.themes if draft.themes is None else draft.themes,
        seed=draft.seed,
        pace_m_s=saved.pace_m_s if draft.pace_m_s is None else draft.pace_m_s,
        exclude=draft.exclude,
        end_anywhere=draft.end_anywhere,
        alternatives=draft.alternatives,
        start_time=draft.start_time,
    )
