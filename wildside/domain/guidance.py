"""Live guidance as a pure decision: one location fix and the walk so far in, advice out.

``guide`` answers where the next stop is along the path, an arrival with its
"why this stop" tip, the way back when the walker has left the path, and how
the walk stands against the plan's clock. The walk's state (``WalkProgress``)
only moves forward: a fix near an earlier part of a loop never takes the
walker back to it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from wildside.domain.errors import InvalidInputError
from wildside.domain.followed_route import FollowedRoute, GuideStop
from wildside.domain.geo import GeoPoint
from wildside.domain.guidance_answer import (
    Guidance,
    GuidanceKind,
    Schedule,
    ScheduleStatus,
    Target,
    WayBack,
)

__all__ = [
    "Guidance",
    "GuidanceKind",
    "GuidancePolicy",
    "LocationFix",
    "Schedule",
    "ScheduleStatus",
    "Target",
    "WalkProgress",
    "WayBack",
    "guide",
]


@dataclass(frozen=True, slots=True)
class GuidancePolicy:
    """Radii and bands of guidance (``docs/api.md``, "Live guidance", lists them).

    A fix's reported accuracy widens the arrival radius and the off-route
    tolerance, up to ``max_accuracy_m``: a coarse fix neither misses an
    arrival nor calls a walker lost.
    """

    arrival_radius_m: float = 25.0
    off_route_m: float = 40.0
    max_accuracy_m: float = 100.0
    pass_margin_m: float = 60.0  # a stop not visited counts as passed this far beyond it
    back_window_m: float = 200.0  # how far behind its progress a fix still matches the path
    match_slack_m: float = 10.0  # of near-equal matches, the earliest along the path wins
    on_time_s: float = 120.0  # closer to the plan than this is on time

    def arrival_radius(self, accuracy_m: float) -> float:
        """How close to a stop counts as arrived, for a fix this accurate."""
        return self.arrival_radius_m + min(accuracy_m, self.max_accuracy_m)

    def tolerance(self, accuracy_m: float) -> float:
        """How far from the path is still on the route, for a fix this accurate."""
        return self.off_route_m + min(accuracy_m, self.max_accuracy_m)


@dataclass(frozen=True, slots=True)
class LocationFix:
    """Where the walker is, how sure the device is, and when it measured."""

    position: GeoPoint
    accuracy_m: float
    at: datetime

    def __post_init__(self) -> None:
        """Refuse an accuracy that is not a finite, non-negative number of metres."""
        if not (math.isfinite(self.accuracy_m) and self.accuracy_m >= 0.0):
            raise InvalidInputError("accuracy_m must be a finite number >= 0", field="accuracy_m")
        if self.at.tzinfo is None:
            raise InvalidInputError("the timestamp needs a time zone", field="timestamp")


@dataclass(frozen=True, slots=True)
class WalkProgress:
    """How far one walk has come: only ever forward."""

    started_at: datetime  # when the plan's clock read zero for this walker
    progress_m: float = 0.0  # how far along the path the walker has come
    next_index: int = 0  # the first stop neither visited nor passed
    visited: tuple[int, ...] = ()  # stops arrived at, in order


def guide(
    route: FollowedRoute,
    walk: WalkProgress | None,
    fix: LocationFix,
    policy: GuidancePolicy,
) -> tuple[Guidance, WalkProgress]:
    """Decide the guidance for ``fix`` and the walk's next state.

    ``walk`` is ``None`` for a walk's first fix: the plan's clock is then set
    so the walker is on time wherever that fix finds them (the start, or the
    middle of the route after a reconnection).
    """
    path, point = route.path, (fix.position.lat, fix.position.lng)
    radius, tolerance = policy.arrival_radius(fix.accuracy_m), policy.tolerance(fix.accuracy_m)
    state = walk or WalkProgress(started_at=fix.at)
    slack = max(policy.match_slack_m, min(fix.accuracy_m, policy.max_accuracy_m))
    # The nearest point (off the route: the way back), and where on the path the walker
    # is: of near-equal matches the earliest (the first pass of a loop)
    near, matched = path.locate(
        *point, from_m=state.progress_m - policy.back_window_m, slack_m=slack
    )
    is_near_path = near.distance_m <= tolerance
    match = matched.arc_m if is_near_path else None
    arrived = _arrival(route, state, point, match, radius)
    at_stop = arrived if arrived is not None else _dwelling(route, state, point, radius)
    is_off_route = (
        not is_near_path and at_stop is None and not _approaching(route, state, point, tolerance)
    )
    state = _advance(route, state, match, arrived, policy)
    if walk is None:  # the first fix: on time wherever it finds the walker
        state = replace(
            state, started_at=fix.at - timedelta(seconds=route.planned_s(state.progress_m))
        )
    elapsed = max(0.0, (fix.at - state.started_at).total_seconds())
    way_back = (
        WayBack(near.lat, near.lng, round(near.distance_m, 1), round(near.bearing_deg, 1))
        if is_off_route
        else None
    )
    target = _target(route, state, point, way_back, near.arc_m, is_near_path=is_near_path)
    is_finished = (
        target.stop is None and is_near_path and path.length_m - state.progress_m <= radius
    )
    kind = (
        GuidanceKind.ARRIVED
        if arrived is not None
        else GuidanceKind.OFF_ROUTE
        if is_off_route
        else GuidanceKind.FINISHED
        if is_finished
        else GuidanceKind.NEXT_STOP
    )
    guidance = Guidance(
        kind=kind,
        next=target,
        schedule=_schedule(route, state, at_stop, elapsed, policy),
        progress_m=round(state.progress_m, 1),
        path_m=round(path.length_m, 1),
        visited=tuple(route.stops[i].id for i in state.visited),
        remaining_s=round(max(0.0, route.budget_s - elapsed), 1),
        arrived=arrived,
        way_back=way_back,
    )
    return guidance, state


def _arrival(
    route: FollowedRoute,
    state: WalkProgress,
    point: tuple[float, float],
    arc_m: float | None,
    radius: float,
) -> GuideStop | None:
    """The stop this fix arrives at: the next one, or a later one the path has already reached."""
    reach = None if arc_m is None else max(arc_m, state.progress_m) + radius
    for stop in route.stops[state.next_index :]:
        if stop.index > state.next_index and (reach is None or stop.anchor_m > reach):
            return None
        if route.path.distance_m(point, (stop.lat, stop.lng)) <= radius:
            return stop
    return None


def _dwelling(
    route: FollowedRoute, state: WalkProgress, point: tuple[float, float], radius: float
) -> GuideStop | None:
    """The stop last visited, if the walker is still there."""
    if not state.visited:
        return None
    stop = route.stops[state.visited[-1]]
    return stop if route.path.distance_m(point, (stop.lat, stop.lng)) <= radius else None


def _approaching(
    route: FollowedRoute, state: WalkProgress, point: tuple[float, float], tolerance: float
) -> bool:
    """On the way from the path to a next stop set back from it (not off the route)."""
    if state.next_index >= len(route.stops):
        return False
    stop = route.stops[state.next_index]
    return route.path.distance_m(point, (stop.lat, stop.lng)) <= stop.offset_m + tolerance


def _advance(
    route: FollowedRoute,
    state: WalkProgress,
    arc_m: float | None,
    arrived: GuideStop | None,
    policy: GuidancePolicy,
) -> WalkProgress:
    """Move the walk forward: never back along the path, never back to an earlier stop."""
    progress, next_index, visited = state.progress_m, state.next_index, state.visited
    if arc_m is not None:
        progress = max(progress, arc_m)
    if arrived is not None:
        progress = max(progress, arrived.anchor_m)
        visited = (*visited, arrived.index)
        next_index = arrived.index + 1
    stops = route.stops
    while next_index < len(stops) and progress > stops[next_index].anchor_m + policy.pass_margin_m:
        next_index += 1
    return replace(state, progress_m=progress, next_index=next_index, visited=visited)


def _target(
    route: FollowedRoute,
    state: WalkProgress,
    point: tuple[float, float],
    way_back: WayBack | None,
    way_back_arc: float,
    *,
    is_near_path: bool,
) -> Target:
    """The next stop (or the end), and how far along the route it is from here."""
    start_arc = state.progress_m if way_back is None else way_back_arc
    extra = 0.0 if way_back is None else way_back.distance_m
    if state.next_index < len(route.stops):
        stop = route.stops[state.next_index]
        distance = extra + abs(stop.anchor_m - start_arc) + stop.offset_m
        if way_back is None and not is_near_path:  # off the path towards a stop set back
            distance = min(distance, route.path.distance_m(point, (stop.lat, stop.lng)))
        lat, lng, planned = stop.lat, stop.lng, stop.arrival_s
        chosen: GuideStop | None = stop
    else:
        distance = extra + max(0.0, route.path.length_m - start_arc)
        (lat, lng), planned, chosen = route.end, route.used_s, None
    return Target(
        stop=chosen,
        lat=lat,
        lng=lng,
        distance_m=round(distance, 1),
        walking_s=round(distance / route.pace_m_s, 1),
        planned_arrival_s=planned,
    )


def _schedule(
    route: FollowedRoute,
    state: WalkProgress,
    at_stop: GuideStop | None,
    elapsed: float,
    policy: GuidancePolicy,
) -> Schedule:
    """The walk against the plan: at a stop, any time within its planned visit is on time."""
    if at_stop is not None:
        earliest, latest = at_stop.arrival_s, at_stop.departure_s
    else:  # past a visited stop the plan has finished its visit, even at the stop's own place
        planned = route.planned_s(state.progress_m)
        if state.visited:
            planned = max(planned, route.stops[state.visited[-1]].departure_s)
        earliest = latest = planned
    delta = (
        elapsed - latest if elapsed > latest else elapsed - earliest if elapsed < earliest else 0
    )
    if abs(delta) <= policy.on_time_s:
        status, minutes = ScheduleStatus.ON_TIME, 0
    else:
        status = ScheduleStatus.BEHIND if delta > 0 else ScheduleStatus.AHEAD
        minutes = round(abs(delta) / 60.0)
    planned = min(max(elapsed, earliest), latest)
    return Schedule(status, minutes, round(elapsed, 1), round(planned, 1))
