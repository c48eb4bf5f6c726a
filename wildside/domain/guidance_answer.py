"""What guidance answers for one location fix: the next target, the way back, the schedule."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from wildside.domain.followed_route import GuideStop


class GuidanceKind(StrEnum):
    """What one fix's guidance is mainly about."""

    NEXT_STOP = "next_stop"
    ARRIVED = "arrived"
    OFF_ROUTE = "off_route"
    FINISHED = "finished"


class ScheduleStatus(StrEnum):
    """The walk against the plan's clock."""

    AHEAD = "ahead"
    ON_TIME = "on_time"
    BEHIND = "behind"


@dataclass(frozen=True, slots=True)
class Target:
    """Where to go next: a stop, or (``stop`` is ``None``) the end of the walk."""

    stop: GuideStop | None
    lat: float
    lng: float
    distance_m: float  # along the path (plus the way back, when off the route)
    walking_s: float  # at the plan's pace
    planned_arrival_s: float


@dataclass(frozen=True, slots=True)
class WayBack:
    """The nearest point of the route still ahead, from an off-route walker."""

    lat: float
    lng: float
    distance_m: float
    bearing_deg: float


@dataclass(frozen=True, slots=True)
class Schedule:
    """Ahead, on time or behind, by whole minutes, against the plan at this point of the walk."""

    status: ScheduleStatus
    minutes: int
    elapsed_s: float
    planned_s: float


@dataclass(frozen=True, slots=True)
class Guidance:
    """The answer to one fix."""

    kind: GuidanceKind
    next: Target
    schedule: Schedule
    progress_m: float
    path_m: float
    visited: tuple[str, ...]  # stop ids arrived at so far, in order
    remaining_s: float  # what is left of the walker's time budget
    arrived: GuideStop | None = None
    way_back: WayBack | None = None
