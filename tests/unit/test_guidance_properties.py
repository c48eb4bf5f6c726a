"""Properties of guidance on random polylines: projection, monotonic progress, off-route."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.support.walks import at, walk_route
from wildside.domain.followed_route import followed_route
from wildside.domain.geo import GeoPoint
from wildside.domain.guidance import GuidanceKind, GuidancePolicy, LocationFix, guide
from wildside.domain.walk_path import WalkPath

T0 = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
POLICY = GuidancePolicy()

metres = st.floats(-2000, 2000, allow_nan=False, allow_infinity=False)
corners = st.lists(st.tuples(metres, metres), min_size=2, max_size=10)
offsets = st.tuples(st.floats(-300, 300, allow_nan=False), st.floats(-300, 300, allow_nan=False))
accuracies = st.floats(0, 200, allow_nan=False)


def _path(points: list[tuple[float, float]]) -> WalkPath:
    return WalkPath([(lng, lat) for lat, lng in (at(x, y) for x, y in points)])


def _fix(east: float, north: float, accuracy: float = 5.0, minutes: float = 0.0) -> LocationFix:
    lat, lng = at(east, north)
    return LocationFix(GeoPoint(lat, lng), accuracy, T0 + timedelta(minutes=minutes))


@given(points=corners, position=st.tuples(metres, metres))
def test_the_projection_is_never_farther_than_any_vertex(
    points: list[tuple[float, float]], position: tuple[float, float]
) -> None:
    path = _path(points)
    here = at(*position)
    near = path.nearest(*here)
    vertices = [at(x, y) for x, y in points]
    assert all(near.distance_m <= path.distance_m(here, v) + 1e-6 for v in vertices)
    assert 0.0 <= near.arc_m <= path.length_m + 1e-9


@given(
    points=corners, position=st.tuples(metres, metres), arcs=st.lists(st.floats(0, 1), max_size=20)
)
def test_the_projection_is_never_farther_than_any_point_of_the_path(
    points: list[tuple[float, float]], position: tuple[float, float], arcs: list[float]
) -> None:
    path = _path(points)
    here = at(*position)
    near = path.nearest(*here)
    for fraction in arcs:
        other = path.point_at(fraction * path.length_m)
        assert near.distance_m <= path.distance_m(here, other) + 1e-6
    # And the point it names lies where it says, that far from the position
    assert path.distance_m(here, (near.lat, near.lng)) == pytest.approx(near.distance_m, abs=1e-6)


@given(points=corners, from_fraction=st.floats(0, 1), position=st.tuples(metres, metres))
def test_a_projection_from_a_point_on_never_lies_before_it(
    points: list[tuple[float, float]], from_fraction: float, position: tuple[float, float]
) -> None:
    path = _path(points)
    start = from_fraction * path.length_m
    assert path.nearest(*at(*position), from_m=start).arc_m >= start - 1e-6


@settings(max_examples=60)
@given(
    points=corners,
    stop_fractions=st.lists(st.floats(0.05, 0.95), max_size=4),
    steps=st.lists(st.floats(0, 1), min_size=2, max_size=25),
)
def test_walking_the_path_only_moves_forward_and_brings_the_target_closer(
    points: list[tuple[float, float]], stop_fractions: list[float], steps: list[float]
) -> None:
    # Given a route with stops on its path, walked at increasing distances along it
    path = _path(points)
    route = followed_route(walk_route(points, sorted(f * path.length_m for f in stop_fractions)))
    arcs = sorted(f * path.length_m for f in steps)
    state, last_progress, last_index = None, 0.0, 0
    last_visited: tuple[int, ...] = ()
    last_target: tuple[object, float] | None = None
    for minute, arc in enumerate(arcs):
        lat, lng = route.path.point_at(arc)
        fix = LocationFix(GeoPoint(lat, lng), 0.0, T0 + timedelta(minutes=minute))
        guidance, state = guide(route, state, fix, POLICY)
        # Then progress, the next stop and the visits never go back
        assert state.progress_m >= last_progress - 1e-9
        # and never run ahead of the walker, but to a stop they reached by another pass
        reached = [route.stops[i].anchor_m for i in state.visited]
        assert state.progress_m <= max([arc, *reached]) + 1e-6
        assert state.next_index >= last_index
        assert state.visited[: len(last_visited)] == last_visited
        # And on the way to one target, the distance left only shrinks
        target = guidance.next.stop.index if guidance.next.stop else None
        anchor = guidance.next.stop.anchor_m if guidance.next.stop else path.length_m
        if last_target is not None and last_target[0] == target and state.progress_m <= anchor:
            assert guidance.next.distance_m <= last_target[1] + 0.11  # rounding to 0.1 m
        last_target = (target, guidance.next.distance_m)
        last_progress, last_index, last_visited = state.progress_m, state.next_index, state.visited
        if guidance.kind is GuidanceKind.ARRIVED:
            assert guidance.arrived is not None
            assert guidance.arrived.reason == f"why stop {guidance.arrived.index + 1}"


@given(points=corners, along=st.floats(0, 1), offset=offsets, accuracy=accuracies)
def test_off_route_exactly_when_farther_from_the_path_than_the_tolerance(
    points: list[tuple[float, float]],
    along: float,
    offset: tuple[float, float],
    accuracy: float,
) -> None:
    # Given a route without stops and a first fix somewhere near its path
    path = _path(points)
    route = followed_route(walk_route(points))
    lat, lng = path.point_at(along * path.length_m)
    east, north = route.path.to_plane(lat, lng)
    origin_east, origin_north = route.path.to_plane(*at(0, 0))
    fix = _fix(east - origin_east + offset[0], north - origin_north + offset[1], accuracy)
    distance = path.nearest(fix.position.lat, fix.position.lng).distance_m
    if abs(distance - POLICY.tolerance(accuracy)) < 1e-6:
        return  # on the boundary itself float noise decides
    guidance, _ = guide(route, None, fix, POLICY)
    # Then it is off the route if and only if farther than the tolerance
    assert (guidance.kind is GuidanceKind.OFF_ROUTE) == (distance > POLICY.tolerance(accuracy))
    # And the way back, when there is one, is that distance to the nearest point
    if guidance.way_back is not None:
        assert guidance.way_back.distance_m == pytest.approx(distance, abs=0.051)


@settings(max_examples=60)
@given(points=corners, fixes=st.lists(st.tuples(metres, metres, accuracies), max_size=15))
def test_any_sequence_of_fixes_never_takes_the_walk_back(
    points: list[tuple[float, float]], fixes: list[tuple[float, float, float]]
) -> None:
    path = _path(points)
    route = followed_route(walk_route(points, [path.length_m / 3, 2 * path.length_m / 3]))
    state = None
    for minute, (east, north, accuracy) in enumerate(fixes):
        before = state
        guidance, state = guide(route, state, _fix(east, north, accuracy, minute), POLICY)
        if before is not None:
            assert state.progress_m >= before.progress_m
            assert state.next_index >= before.next_index
            assert state.visited[: len(before.visited)] == before.visited
            assert state.started_at == before.started_at
        assert len(set(state.visited)) == len(state.visited)  # no stop visited twice
        assert guidance.schedule.minutes >= 0
        assert guidance.next.distance_m >= 0
