"""Distinct tours: how many stops two tours share, and which candidates are distinct enough."""

from __future__ import annotations

from collections.abc import Sequence

from wildside.domain.tour import Tour


def shared_fraction(a: Tour, b: Tour) -> float:
    """The share of the smaller tour's stops that the other tour visits too (0 if either is empty).

    Examples
    --------
    >>> from wildside.domain.geo import GeoPoint
    >>> from wildside.domain.tour import Diagnostics, TourStop
    >>> def tour(*keys: str) -> Tour:
    ...     stops = [TourStop(k, k, 60, 25, (), 1, 0, 0, "") for k in keys]
    ...     here, nothing = GeoPoint(60.0, 25.0), Diagnostics(0, 0, 0, 0, 0, 0, 0)
    ...     return Tour(here, here, stops, [], 600, 0, "v", nothing)
    >>> shared_fraction(tour("a", "b", "c", "d"), tour("b", "e"))
    0.5
    """
    keys_a, keys_b = {s.key for s in a.stops}, {s.key for s in b.stops}
    smaller = min(len(keys_a), len(keys_b))
    return len(keys_a & keys_b) / smaller if smaller else 0.0


def is_distinct(candidate: Tour, kept: Sequence[Tour], max_shared: float) -> bool:
    """Whether ``candidate`` has stops and shares at most ``max_shared`` of them with each tour."""
    return bool(candidate.stops) and all(
        shared_fraction(candidate, tour) <= max_shared for tour in kept
    )


def stops_to_avoid(kept: Sequence[Tour], max_shared: float, *, attempt: int) -> list[str]:
    """The kept tours' stops a next tour must not visit, more of them on each attempt.

    The first attempt leaves each kept tour's best ``max_shared`` share of stops
    available (rounded down), so a good alternative may still pass its highlights;
    a later attempt excludes every stop already used, which always makes it distinct.
    """
    avoid: set[str] = set()
    for tour in kept:
        ranked = sorted(tour.stops, key=lambda s: (-s.score, s.key))
        allowed = int(len(ranked) * max_shared) if attempt == 0 else 0
        avoid.update(s.key for s in ranked[allowed:])
    return sorted(avoid)
