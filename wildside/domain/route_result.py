"""A computed route as one typed value: what the worker stores, the cache keeps and the API returns.

Stores and caches encode and decode it at their own edge; ``version`` names
its shape, so a value stored in an older shape is read (or refused) cleanly.
The first typed shape is version 1 and matches, field for field, the untyped
documents stored before it existed (which carry no ``version``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal

from wildside.domain.errors import WildsideError
from wildside.domain.opening import UNKNOWN_STOP, StopOpening
from wildside.domain.tour import Tour

ROUTE_RESULT_VERSION = 1


@dataclass(frozen=True, slots=True)
class LatLng:
    """A position in WGS84 degrees."""

    lat: float
    lng: float


@dataclass(frozen=True, slots=True)
class RoutePoint:
    """A stop as the seed's ``points`` list shows it."""

    lat: float
    lng: float
    name: str


@dataclass(frozen=True, slots=True)
class RouteStop:
    """Everything known about one stop, and why it was chosen."""

    id: str
    name: str | None
    lat: float
    lng: float
    themes: tuple[str, ...]
    score: float
    arrival_offset_s: float
    dwell_s: float
    reason: str
    # Open at arrival, or unknown (no hours tagged, unreadable, or "unknown" then), with
    # the hours as tagged. Added within shape 1 with a default: stored stops read as unknown.
    opening: StopOpening = UNKNOWN_STOP


@dataclass(frozen=True, slots=True)
class RouteSkippedPlace:
    """A good place left out because it is closed when the tour could be there."""

    id: str
    name: str | None
    lat: float
    lng: float
    score: float
    opening_hours: str | None
    reason: Literal["closed"] = "closed"


@dataclass(frozen=True, slots=True)
class RouteLeg:
    """The walk between two consecutive points (start, stops, end)."""

    distance_m: float
    duration_s: float


@dataclass(frozen=True, slots=True)
class LineString:
    """GeoJSON LineString of ``[lng, lat]`` pairs: the whole walk on the streets."""

    type: Literal["LineString"]
    coordinates: tuple[tuple[float, float], ...]


@dataclass(frozen=True, slots=True)
class Budget:
    """The time asked for and the time the tour takes (walking plus dwelling), in seconds."""

    requested_s: float
    used_s: float


@dataclass(frozen=True, slots=True)
class RouteDiagnostics:
    """How the engine got there, and whether this answer came from the route cache."""

    candidates_found: int
    candidates_considered: int
    candidate_seconds: float
    matrix_seconds: float
    solve_seconds: float
    total_seconds: float
    iterations: int
    cache_hit: bool = False
    # The job's time limit stopped the search early and this is the best tour found
    # by then. Added within shape 1 with a default: results stored before it read
    # as complete, and older readers ignore the unknown field.
    partial: bool = False
    # Share of the walked street metres on streets the tour walked before, 0..1
    # (``wildside.domain.retracing``). Added within shape 1 with a default:
    # results stored (or cached) before it was measured read as None.
    retrace_share: float | None = None


@dataclass(frozen=True, slots=True)
class RouteAlternative:
    """Another distinct tour for the same request (``alternatives: k``), in compact form."""

    seed: int
    score: float
    distance_m: int
    used_s: float
    stops: tuple[RouteStop, ...]
    path: LineString


@dataclass(frozen=True, slots=True)
class RouteResult:
    """A computed tour: the seed's ``points`` and ``distance_m`` first, the richer fields after.

    ``distance_m`` is whole metres (the seed's contract); ``legs`` carry the
    exact figures.
    """

    points: tuple[RoutePoint, ...]
    distance_m: int
    start: LatLng
    end: LatLng
    stops: tuple[RouteStop, ...]
    legs: tuple[RouteLeg, ...]
    path: LineString
    walking_s: float
    dwell_s: float
    used_s: float
    budget_s: float
    budget: Budget
    score: float
    seed: int
    themes: tuple[str, ...]
    data_version: str
    diagnostics: RouteDiagnostics
    attribution: str
    version: int = ROUTE_RESULT_VERSION
    # Why the tour is empty or has one stop, in sentences for the walker; empty
    # otherwise. Added within shape 1 with a default, so results stored before
    # it existed read as having no notes.
    notes: tuple[str, ...] = ()
    # The request said ``end: "anywhere"``: ``end`` is where the tour finishes, the
    # last stop's position, and ``end_stop_id`` that stop (None when the tour is
    # empty and ends at its start). Added within shape 1 with defaults, so stored
    # round trips and fixed-end tours read as they were.
    ends_anywhere: bool = False
    end_stop_id: str | None = None
    # ``alternatives: k`` > 1: the other distinct tours, best first. Added within
    # shape 1 with a default, so stored results read as having none.
    alternatives: tuple[RouteAlternative, ...] = ()
    # When the walk starts, in the start's time zone (RFC 3339 on the wire): the
    # request's ``start_time``, or when the tour was planned. ``skipped``: the good places
    # left out because they are closed then, best first (at most 10). Added
    # within shape 1 with defaults, so stored results read as having neither.
    start_time: datetime | None = None
    skipped: tuple[RouteSkippedPlace, ...] = ()

    def served(self, *, is_cache_hit: bool) -> RouteResult:
        """This result as one request gets it: from the cache, or computed for it."""
        return replace(self, diagnostics=replace(self.diagnostics, cache_hit=is_cache_hit))


def route_result(tour: Tour) -> RouteResult:
    """The result of ``tour``, rounded as clients see it.

    Examples
    --------
    >>> from wildside.domain.geo import GeoPoint
    >>> from wildside.domain.tour import Diagnostics
    >>> here = GeoPoint(60.17, 24.94)
    >>> tour = Tour(here, here, [], [], 600.0, 7, "v1", Diagnostics(0, 0, 0, 0, 0, 0, 0))
    >>> result = route_result(tour)
    >>> (result.distance_m, result.budget, result.seed)
    (0, Budget(requested_s=600.0, used_s=0.0), 7)
    """
    d = tour.diagnostics
    used_s = round(float(tour.used_s), 1)  # floats even for a tour with no legs
    return RouteResult(
        points=tuple(RoutePoint(s.lat, s.lng, s.name or s.key) for s in tour.stops),
        distance_m=round(tour.distance_m),
        start=LatLng(tour.start.lat, tour.start.lng),
        end=LatLng(tour.end.lat, tour.end.lng),
        stops=_stops(tour),
        legs=tuple(RouteLeg(leg.distance_m, leg.duration_s) for leg in tour.legs),
        path=_path(tour),
        walking_s=round(float(tour.walking_s), 1),
        dwell_s=round(float(tour.dwell_s), 1),
        used_s=used_s,
        budget_s=tour.budget_s,
        budget=Budget(requested_s=tour.budget_s, used_s=used_s),
        score=round(tour.score, 6),
        seed=tour.seed,
        themes=tuple(tour.themes),
        data_version=tour.data_version,
        diagnostics=RouteDiagnostics(
            candidates_found=d.candidates_found,
            candidates_considered=d.candidates_considered,
            candidate_seconds=d.candidate_seconds,
            matrix_seconds=d.matrix_seconds,
            solve_seconds=d.solve_seconds,
            total_seconds=d.total_seconds,
            iterations=d.iterations,
            partial=d.is_partial,
            retrace_share=d.retrace_share,
        ),
        attribution=tour.attribution,
        notes=tuple(tour.notes),
        ends_anywhere=tour.ends_anywhere,
        end_stop_id=tour.stops[-1].key if tour.ends_anywhere and tour.stops else None,
        alternatives=tuple(
            RouteAlternative(
                seed=other.seed,
                score=round(other.score, 6),
                distance_m=round(other.distance_m),
                used_s=round(float(other.used_s), 1),
                stops=_stops(other),
                path=_path(other),
            )
            for other in tour.alternatives
        ),
        start_time=None if tour.start_time is None else tour.start_time.replace(microsecond=0),
        skipped=tuple(
            RouteSkippedPlace(p.key, p.name, p.lat, p.lng, p.score, p.hours, p.reason)
            for p in tour.skipped
        ),
    )


def _stops(tour: Tour) -> tuple[RouteStop, ...]:
    return tuple(
        RouteStop(
            id=s.key,
            name=s.name,
            lat=s.lat,
            lng=s.lng,
            themes=tuple(s.themes),
            score=s.score,
            arrival_offset_s=s.arrival_s,
            dwell_s=s.dwell_s,
            reason=s.reason,
            opening=s.opening,
        )
        for s in tour.stops
    )


def _path(tour: Tour) -> LineString:
    return LineString("LineString", tuple((lng, lat) for lng, lat in tour.path))


class UnreadableRouteResultError(WildsideError):
    """A stored result has a shape this version cannot read (newer, or damaged)."""

    code = "route-result-unreadable"

    def __init__(self, message: str, *, version: object) -> None:
        super().__init__(message)
        self.version = version
