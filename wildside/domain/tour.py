"""Tour requests and results: what a walker asks for and what the engine answers."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from wildside.domain.errors import InvalidInputError
from wildside.domain.geo import GeoPoint

DEFAULT_PACE_M_S = 1.3
MIN_PACE_M_S, MAX_PACE_M_S = 0.3, 3.0
MAX_DURATION_MINUTES = 480.0
ATTRIBUTION = "© OpenStreetMap contributors (ODbL)"


@dataclass(frozen=True, slots=True)
class TourRequest:
    """A walker's request: where, how long, what they like, how fast, which seed."""

    start: GeoPoint
    duration_minutes: float
    preferences: Sequence[str] | Mapping[str, float] = ()
    end: GeoPoint | None = None
    seed: int = 0
    pace_m_s: float = DEFAULT_PACE_M_S

    def __post_init__(self) -> None:
        """Reject durations, paces and seeds the engine cannot honour."""
        minutes = self.duration_minutes
        if not math.isfinite(minutes) or not 0 < minutes <= MAX_DURATION_MINUTES:
            raise InvalidInputError(
                f"duration must be more than 0 and at most {MAX_DURATION_MINUTES:g} minutes,"
                f" got {minutes:g}",
                field="duration_minutes",
            )
        if not math.isfinite(self.pace_m_s) or not MIN_PACE_M_S <= self.pace_m_s <= MAX_PACE_M_S:
            raise InvalidInputError(
                f"pace must be within {MIN_PACE_M_S}..{MAX_PACE_M_S} m/s, got {self.pace_m_s:g}",
                field="pace",
            )
        if not 0 <= self.seed < 2**63:
            raise InvalidInputError("seed must be a non-negative 64-bit integer", field="seed")

    @property
    def budget_s(self) -> float:
        """The time budget in seconds (walking plus dwelling)."""
        return self.duration_minutes * 60.0

    @property
    def max_walk_m(self) -> float:
        """How far the walker could go if they never stopped."""
        return self.budget_s * self.pace_m_s


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
