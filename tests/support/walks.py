"""Synthetic routes to walk: a path in metres around Helsinki, stops placed along it."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from wildside.domain.geo import EARTH_RADIUS_M
from wildside.domain.route_result import (
    Budget,
    LatLng,
    LineString,
    RouteDiagnostics,
    RouteLeg,
    RoutePoint,
    RouteResult,
    RouteStop,
)
from wildside.domain.walk_path import WalkPath

ORIGIN = (60.17, 24.94)  # (lat, lng) of the plane's (0, 0)
PACE_M_S = 1.25
DWELL_S = 600.0
_M_PER_DEGREE = EARTH_RADIUS_M * math.pi / 180.0


def at(east_m: float, north_m: float) -> tuple[float, float]:
    """The ``(lat, lng)`` that many metres east and north of ``ORIGIN``."""
    lat0, lng0 = ORIGIN
    kx = _M_PER_DEGREE * math.cos(math.radians(lat0))
    return (lat0 + north_m / _M_PER_DEGREE, lng0 + east_m / kx)


def walk_route(
    corners_m: Sequence[tuple[float, float]],
    stop_arcs_m: Sequence[float] = (),
    *,
    dwell_s: float = DWELL_S,
    budget_s: float | None = None,
    set_back_m: float = 0.0,
) -> RouteResult:
    """A route along ``corners_m`` (metres east, north) with stops at those distances along it.

    Each stop lies ``set_back_m`` north of its point of the path (a place back
    from the street); the plan walks at ``PACE_M_S`` and visits each for ``dwell_s``.
    """
    coordinates = tuple((lng, lat) for lat, lng in (at(x, y) for x, y in corners_m))
    path = WalkPath(coordinates)
    stops = []
    clock = 0.0
    walked = 0.0
    for index, arc in enumerate(stop_arcs_m):
        lat, lng = path.point_at(arc)
        lat += set_back_m / _M_PER_DEGREE
        clock += (arc - walked) / PACE_M_S
        walked = arc
        stops.append(
            RouteStop(
                f"node/{index + 1}",
                f"Stop {index + 1}",
                lat,
                lng,
                ("history",),
                0.5,
                round(clock, 1),
                dwell_s,
                f"why stop {index + 1}",
            )
        )
        clock += dwell_s
    walking = path.length_m / PACE_M_S
    used = walking + dwell_s * len(stops)
    start = LatLng(coordinates[0][1], coordinates[0][0])
    end = LatLng(coordinates[-1][1], coordinates[-1][0])
    return RouteResult(
        points=tuple(RoutePoint(s.lat, s.lng, s.name or s.id) for s in stops),
        distance_m=round(path.length_m),
        start=start,
        end=end,
        stops=tuple(stops),
        legs=(RouteLeg(path.length_m, walking),),
        path=LineString("LineString", coordinates),
        walking_s=walking,
        dwell_s=dwell_s * len(stops),
        used_s=used,
        budget_s=budget_s if budget_s is not None else used,
        budget=Budget(budget_s if budget_s is not None else used, used),
        score=0.5 * len(stops),
        seed=0,
        themes=("history",),
        data_version="test",
        diagnostics=RouteDiagnostics(0, 0, 0.0, 0.0, 0.0, 0.0, 0),
        attribution="© OpenStreetMap contributors (ODbL)",
    )


def location(
    route: str,
    lat: float,
    lng: float,
    *,
    minutes: float = 0.0,
    changes: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A location message timed ``minutes`` from now, with ``changes`` written over it."""
    when = datetime.now(UTC) + timedelta(minutes=minutes)
    message = {
        "type": "location",
        "route": route,
        "lat": lat,
        "lng": lng,
        "accuracy_m": 8.0,
        "timestamp": when.isoformat(),
    }
    return {**message, **(changes or {})}
