"""Ways and areas are placed on their surface, never at their first node."""

from __future__ import annotations

import shapely
from shapely.geometry import Point, Polygon

from adapters.outbound.osm.placement import place_way, place_wkb

# A U shape: its centroid lies in the gap, outside the polygon.
U_SHAPE = [
    (0.0, 0.0),
    (3.0, 0.0),
    (3.0, 3.0),
    (2.0, 3.0),
    (2.0, 1.0),
    (1.0, 1.0),
    (1.0, 3.0),
    (0.0, 3.0),
    (0.0, 0.0),
]


def test_concave_area_is_placed_inside_not_at_centroid_or_first_node() -> None:
    point = place_way(U_SHAPE)
    assert point is not None
    polygon = Polygon(U_SHAPE)
    assert polygon.contains(Point(point))
    assert not polygon.contains(polygon.centroid)  # the naive answer would be wrong
    assert point != U_SHAPE[0]


def test_open_way_is_placed_halfway_along_it() -> None:
    assert place_way([(0.0, 0.0), (1.0, 0.0), (1.0, 3.0)]) == (1.0, 1.0)


def test_self_intersecting_ring_is_repaired_then_placed_on_it() -> None:
    bow_tie = [(0.0, 0.0), (2.0, 2.0), (2.0, 0.0), (0.0, 2.0), (0.0, 0.0)]
    point = place_way(bow_tie)
    assert point is not None
    assert shapely.make_valid(Polygon(bow_tie)).buffer(1e-9).contains(Point(point))


def test_degenerate_ways() -> None:
    assert place_way([]) is None
    assert place_way([(5.0, 6.0)]) == (5.0, 6.0)
    assert place_way([(5.0, 6.0), (5.0, 6.0)]) == (5.0, 6.0)
    # A closed ring with no area (there and back) falls back to the line rule.
    assert place_way([(0.0, 0.0), (2.0, 0.0), (0.0, 0.0), (0.0, 0.0)]) is not None


def test_multipolygon_with_hole_is_placed_outside_the_hole() -> None:
    outer = [(0.0, 0.0), (10.0, 0.0), (10.0, 10.0), (0.0, 10.0), (0.0, 0.0)]
    hole = [(1.0, 1.0), (9.0, 1.0), (9.0, 9.0), (1.0, 9.0), (1.0, 1.0)]
    ring_with_hole = Polygon(outer, [hole])
    point = place_wkb(shapely.to_wkb(ring_with_hole))
    assert point is not None
    assert ring_with_hole.contains(Point(point))
