"""Tours: what the engine answers (stops, legs, totals); ``RouteSpec`` is what a walker asks."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from wildside.domain.geo import GeoPoint
from wildside.domain.opening import UNKNOWN_STOP, SkippedPlace, StopOpening

ATTRIBUTION = "© OpenStreetMap contributors (ODbL)"


@dataclass(frozen=True, slots=True)
class TourStop:
    """One stop of the tour, in visiting order."""

    key: str
    name: str | None
    lat: float
    lng: float
    themes: tuple[str, ...]
    score: float
    arrival_s: float
    dwell_s: float
    reason: str
    # Open at arrival (hours read), or unknown (none tagged, unreadable, or "unknown" then).
    opening: StopOpening = UNKNOWN_STOP


@dataclass(frozen=True, slots=True)
class TourLeg:
    """The walk between two consecutive points of the tour (start, stops, end)."""

    distance_m: float
    duration_s: float
    coords: list[tuple[float, float]]


@dataclass(frozen=True, slots=True)
class Diagnostics:
    """How the engine got there."""

    candidates_found: int
    candidates_considered: int
    candidate_seconds: float
    matrix_seconds: float
    solve_seconds: float
    total_seconds: float
    iterations: int
    # The search was stopped early (the job's time limit came first): the tour is
    # feasible, just not searched as long as the settings ask.
    is_partial: bool = False
    # Share of the walked street metres on streets the tour walked before
    # (``wildside.domain.retracing``).
    retrace_share: float = 0.0


@dataclass(frozen=True, slots=True)
class Tour:
    """A computed tour: ordered stops, per-leg walks and totals."""

    start: GeoPoint
    end: GeoPoint
    stops: list[TourStop]
    legs: list[TourLeg]
    budget_s: float
    seed: int
    data_version: str
    diagnostics: Diagnostics
    attribution: str = ATTRIBUTION
    themes: tuple[str, ...] = field(default_factory=tuple)
    # Why the tour is empty or has one stop (``wildside.domain.tour_notes``); else empty.
    notes: tuple[str, ...] = ()
    # The walker asked to end anywhere: ``end`` is the last stop (the start if none).
    ends_anywhere: bool = False
    # Other distinct tours for the same request, best first (``alternatives: k`` > 1).
    alternatives: tuple[Tour, ...] = ()
    # When the walk starts (the request's time, or when it was planned), in the start's zone.
    start_time: datetime | None = None
    # Good places left out because they are closed when the tour could be there, best first.
    skipped: tuple[SkippedPlace, ...] = ()

    @property
    def distance_m(self) -> float:
        """Total walking distance."""
        return sum(leg.distance_m for leg in self.legs)

    @property
    def walking_s(self) -> float:
        """Total walking time."""
        return sum(leg.duration_s for leg in self.legs)

    @property
    def dwell_s(self) -> float:
        """Total time spent at stops."""
        return sum(stop.dwell_s for stop in self.stops)

    @property
    def used_s(self) -> float:
        """Walking plus dwelling: never more than ``budget_s``."""
        return self.walking_s + self.dwell_s

    @property
    def score(self) -> float:
        """Sum of the stops' scores."""
        return sum(stop.score for stop in self.stops)

    @property
    def path(self) -> list[tuple[float, float]]:
        """The whole walk as one ``(lng, lat)`` line."""
        coords: list[tuple[float, float]] = []
        for leg in self.legs:
            coords.extend(leg.coords if not coords else leg.coords[1:])
        return coords
