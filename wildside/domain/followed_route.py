"""A route prepared for guidance: its path, each stop's place along it, the plan's clock."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from wildside.domain.route_result import RouteResult
from wildside.domain.route_spec import DEFAULT_PACE_M_S
from wildside.domain.walk_path import WalkPath


@dataclass(frozen=True, slots=True)
class GuideStop:
    """A stop of the route, with where the path passes it and when the plan is there."""

    index: int
    id: str
    name: str | None
    lat: float
    lng: float
    reason: str  # "why this stop": the tip a walker gets on arrival
    anchor_m: float  # how far along the path it comes closest to the stop
    offset_m: float  # how far the stop lies from the path there (a museum set back in a park)
    arrival_s: float  # the plan's arrival, seconds after the start
    departure_s: float  # arrival plus the planned visit


@dataclass(frozen=True, slots=True)
class FollowedRoute:
    """What guidance needs of a ``RouteResult``, computed once per followed route."""

    path: WalkPath
    stops: tuple[GuideStop, ...]
    end: tuple[float, float]  # (lat, lng) where the walk ends
    pace_m_s: float  # the walking pace the plan assumed
    used_s: float  # the plan's whole walk, visits included
    budget_s: float  # the time the walker asked for

    def planned_s(self, arc_m: float) -> float:
        """Seconds after the start at which the plan passes ``arc_m`` along the path.

        The plan's clock runs linearly between stops and stands still at each
        stop for its visit; at a stop's own place this is its arrival.
        """
        knots = [(0.0, 0.0)]
        for stop in self.stops:
            knots.append((stop.anchor_m, stop.arrival_s))
            knots.append((stop.anchor_m, stop.departure_s))
        knots.append((self.path.length_m, self.used_s))
        if arc_m <= 0.0:
            return 0.0
        for (a0, t0), (a1, t1) in itertools.pairwise(knots):
            if arc_m <= a1:
                if a1 <= a0:
                    return t0
                return t0 + (arc_m - a0) / (a1 - a0) * max(0.0, t1 - t0)
        return knots[-1][1]


def followed_route(result: RouteResult) -> FollowedRoute:
    """Prepare ``result`` for guidance: each stop is placed where the path passes nearest to it.

    Stops are placed in visiting order, each at or after the previous one, so
    a loop that passes a later stop early on still reaches it in turn.
    """
    path = WalkPath(result.path.coordinates or ((result.start.lng, result.start.lat),))
    stops: list[GuideStop] = []
    after = 0.0
    clock_floor = 0.0
    for index, stop in enumerate(result.stops):
        near = path.nearest(stop.lat, stop.lng, from_m=after, slack_m=1.0)
        after = near.arc_m
        arrival = max(stop.arrival_offset_s, clock_floor)
        departure = arrival + max(0.0, stop.dwell_s)
        clock_floor = departure
        stops.append(
            GuideStop(
                index=index,
                id=stop.id,
                name=stop.name,
                lat=stop.lat,
                lng=stop.lng,
                reason=stop.reason,
                anchor_m=near.arc_m,
                offset_m=near.distance_m,
                arrival_s=arrival,
                departure_s=departure,
            )
        )
    pace = result.distance_m / result.walking_s if result.walking_s > 0 else DEFAULT_PACE_M_S
    return FollowedRoute(
        path=path,
        stops=tuple(stops),
        end=(result.end.lat, result.end.lng),
        pace_m_s=pace if pace > 0 else DEFAULT_PACE_M_S,
        used_s=max(result.used_s, clock_floor),
        budget_s=result.budget_s,
    )
