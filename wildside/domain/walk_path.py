"""A walk's path as a polyline in a local plane: project a position onto it, measure along it.

The plane is equirectangular around the path's first point (metres east and
north of it). Over the few kilometres of a walk its distances agree with the
haversine to a fraction of a per cent, and a projection onto a segment is a
plain dot product, so every measure here is exact in that one plane.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from dataclasses import dataclass

from wildside.domain.errors import InvalidInputError
from wildside.domain.geo import EARTH_RADIUS_M

_M_PER_DEGREE = EARTH_RADIUS_M * math.pi / 180.0


@dataclass(frozen=True, slots=True)
class PathPoint:
    """A point of the path: how far along it lies, where, and how far from a position."""

    arc_m: float
    lat: float
    lng: float
    distance_m: float
    bearing_deg: float  # from the position to this point, clockwise from north


class WalkPath:
    """A polyline of ``(lng, lat)`` pairs (GeoJSON order), with its cumulative lengths.

    Examples
    --------
    >>> path = WalkPath([(24.94, 60.17), (24.95, 60.17)])
    >>> round(path.length_m)
    553
    >>> near = path.nearest(60.1709, 24.945)
    >>> round(near.arc_m), round(near.distance_m), round(near.bearing_deg)
    (277, 100, 180)
    """

    def __init__(self, coordinates: Sequence[tuple[float, float]]) -> None:
        """Project ``coordinates`` once; a path needs at least one point."""
        if not coordinates:
            raise InvalidInputError("a walk's path needs at least one point", field="path")
        self._lng0, self._lat0 = coordinates[0]
        self._kx = _M_PER_DEGREE * math.cos(math.radians(self._lat0))
        self._xy = [self.to_plane(lat, lng) for lng, lat in coordinates]
        arcs = [0.0]
        for (x0, y0), (x1, y1) in zip(self._xy, self._xy[1:], strict=False):
            arcs.append(arcs[-1] + math.hypot(x1 - x0, y1 - y0))
        self._arcs = arcs

    @property
    def length_m(self) -> float:
        """The whole path's length."""
        return self._arcs[-1]

    def to_plane(self, lat: float, lng: float) -> tuple[float, float]:
        """Metres east and north of the path's first point."""
        return ((lng - self._lng0) * self._kx, (lat - self._lat0) * _M_PER_DEGREE)

    def distance_m(self, a: tuple[float, float], b: tuple[float, float]) -> float:
        """Distance between two ``(lat, lng)`` positions in the path's plane."""
        (ax, ay), (bx, by) = self.to_plane(*a), self.to_plane(*b)
        return math.hypot(bx - ax, by - ay)

    def point_at(self, arc_m: float) -> tuple[float, float]:
        """The ``(lat, lng)`` lying ``arc_m`` along the path (clamped to its ends)."""
        arc = min(max(arc_m, 0.0), self.length_m)
        for i in range(len(self._xy) - 1):
            if arc <= self._arcs[i + 1] or i == len(self._xy) - 2:
                span = self._arcs[i + 1] - self._arcs[i]
                t = 0.0 if span <= 0.0 else (arc - self._arcs[i]) / span
                return self._to_geo(*_lerp(self._xy[i], self._xy[i + 1], t))
        return self._to_geo(*self._xy[0])

    def nearest(
        self, lat: float, lng: float, *, from_m: float = 0.0, slack_m: float = 0.0
    ) -> PathPoint:
        """The point of the path at or after ``from_m`` nearest to ``(lat, lng)``.

        Of the points no more than ``slack_m`` farther than the nearest one, the
        earliest along the path wins: where a walk passes one place twice (out
        and back, a loop closing on its start), a walker is on the first pass
        until they have walked it.
        """
        return self.locate(lat, lng, from_m=from_m, slack_m=slack_m)[1]

    def locate(
        self, lat: float, lng: float, *, from_m: float = 0.0, slack_m: float = 0.0
    ) -> tuple[PathPoint, PathPoint]:
        """The nearest point at or after ``from_m``, and :meth:`nearest`'s earliest near-equal one.

        One pass over the segments serves both (a fix needs both: how far the
        walker is from the path, and where along it they are).
        """
        px, py = self.to_plane(lat, lng)
        xy, arcs = self._xy, self._arcs
        start = min(max(from_m, 0.0), self.length_m)
        if len(xy) == 1:
            only = self._point(px, py, 0, 0.0)
            return only, only
        first = max(0, bisect.bisect_left(arcs, start) - 1)
        found: list[tuple[float, int, float]] = []  # (distance, segment, parameter)
        for i in range(first, len(xy) - 1):
            (x0, y0), (x1, y1) = xy[i], xy[i + 1]
            dx, dy = x1 - x0, y1 - y0
            squared = dx * dx + dy * dy
            t = 0.0 if squared <= 0.0 else ((px - x0) * dx + (py - y0) * dy) / squared
            if i == first and arcs[i + 1] > arcs[i]:  # the segment ``from_m`` falls in
                t = max(t, (start - arcs[i]) / (arcs[i + 1] - arcs[i]))
            t = min(max(t, 0.0), 1.0)
            found.append((math.hypot(px - x0 - dx * t, py - y0 - dy * t), i, t))
        best = min(found)
        match = next(f for f in found if f[0] <= best[0] + slack_m)
        return self._point(px, py, best[1], best[2]), self._point(px, py, match[1], match[2])

    def _point(self, px: float, py: float, segment: int, t: float) -> PathPoint:
        """The point ``t`` along ``segment``, measured from ``(px, py)``."""
        xy, arcs = self._xy, self._arcs
        (x0, y0) = xy[segment]
        (x1, y1) = xy[min(segment + 1, len(xy) - 1)]
        x, y = x0 + (x1 - x0) * t, y0 + (y1 - y0) * t
        arc = arcs[segment] + (arcs[min(segment + 1, len(arcs) - 1)] - arcs[segment]) * t
        lat, lng = self._to_geo(x, y)
        return PathPoint(arc, lat, lng, math.hypot(px - x, py - y), _bearing(px, py, x, y))

    def _to_geo(self, x: float, y: float) -> tuple[float, float]:
        return (self._lat0 + y / _M_PER_DEGREE, self._lng0 + x / self._kx)


def _lerp(a: tuple[float, float], b: tuple[float, float], t: float) -> tuple[float, float]:
    return (a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t)


def _bearing(px: float, py: float, x: float, y: float) -> float:
    """Compass bearing from ``(px, py)`` to ``(x, y)``: 0 north, 90 east (0 when they coincide)."""
    if x == px and y == py:
        return 0.0
    return math.degrees(math.atan2(x - px, y - py)) % 360.0
