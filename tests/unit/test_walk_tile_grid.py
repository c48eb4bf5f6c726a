"""The tile grid: every point a walk can reach lies in the area's box and in a tile it loads."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from wildside.domain.geo import GeoPoint, haversine_m
from wildside.domain.walk_tiles import area_bounds, tile_bounds, tile_of, tiles_in

latitudes = st.floats(-80.0, 80.0)
longitudes = st.floats(-179.0, 179.0)


def _walk_to(start: GeoPoint, metres: float, bearing: float) -> GeoPoint:
    """The point ``metres`` from ``start`` along ``bearing`` (great circle, mean radius)."""
    radius = 6_371_008.8
    lat1, lng1, theta = math.radians(start.lat), math.radians(start.lng), math.radians(bearing)
    delta = metres / radius
    lat2 = math.asin(
        math.sin(lat1) * math.cos(delta) + math.cos(lat1) * math.sin(delta) * math.cos(theta)
    )
    lng2 = lng1 + math.atan2(
        math.sin(theta) * math.sin(delta) * math.cos(lat1),
        math.cos(delta) - math.sin(lat1) * math.sin(lat2),
    )
    return GeoPoint(math.degrees(lat2), math.degrees(lng2))


@given(
    lat=latitudes,
    lng=longitudes,
    walk_m=st.floats(100.0, 40_000.0),
    fraction=st.just(1.0) | st.floats(0.0, 1.0),
    bearing=st.sampled_from([0.0, 90.0, 180.0, 270.0]) | st.floats(0.0, 360.0),
)
def test_a_round_trip_never_leaves_its_tiles(
    lat: float, lng: float, walk_m: float, fraction: float, bearing: float
) -> None:
    # Given a round trip's start and any point within half its walk plus the snap margin
    start = GeoPoint(lat, lng)
    point = _walk_to(start, fraction * (walk_m / 2 + 400.0), bearing)
    # When the area's box and its tiles are computed
    box = area_bounds(start, None, walk_m, 400.0)
    low, high = tiles_in(box)
    # Then the point is in the box and in one of the tiles loaded
    assert box.south <= point.lat <= box.north
    assert box.west <= point.lng <= box.east
    key = tile_of(point.lat, point.lng)
    assert low.x <= key.x <= high.x
    assert low.y <= key.y <= high.y


@given(
    lat=latitudes,
    lng=longitudes,
    walk_m=st.floats(500.0, 40_000.0),
    split=st.floats(0.0, 1.0),
    bearing=st.floats(0.0, 360.0),
    end_bearing=st.floats(0.0, 360.0),
    end_share=st.floats(0.0, 0.99),
)
def test_a_point_to_point_walk_never_leaves_its_box(
    lat: float,
    lng: float,
    walk_m: float,
    split: float,
    bearing: float,
    end_bearing: float,
    end_share: float,
) -> None:
    # Given a start, an end within the walk, and a point whose distances to both fit the walk
    start = GeoPoint(lat, lng)
    end = _walk_to(start, end_share * walk_m, end_bearing)
    point = _walk_to(start, split * walk_m / 2, bearing)
    if haversine_m(start, point) + haversine_m(point, end) > walk_m:
        return
    box = area_bounds(start, end, walk_m, 0.0)
    # Then the point lies in the box
    assert box.south <= point.lat <= box.north
    assert box.west <= point.lng <= box.east


def test_a_tile_holds_the_points_it_bounds() -> None:
    key = tile_of(60.1712, 24.9441)
    box = tile_bounds(key)
    assert box.south <= 60.1712 < box.north
    assert box.west <= 24.9441 < box.east
