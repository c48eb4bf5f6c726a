"""Which ways enter the walking network."""

from __future__ import annotations

import pytest

from wildside.domain.walkability import is_walkable


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        ({"highway": "footway"}, True),
        ({"highway": "residential"}, True),
        ({"highway": "steps"}, True),
        ({"highway": "cycleway"}, True),
        ({"highway": "motorway"}, False),
        ({"highway": "motorway_link"}, False),
        ({"highway": "construction"}, False),
        ({"highway": "bus_guideway"}, False),
        ({"building": "yes"}, False),
        ({"highway": "footway", "foot": "no"}, False),
        ({"highway": "cycleway", "foot": "use_sidepath"}, False),
        ({"highway": "service", "access": "private"}, False),
        ({"highway": "service", "access": "no", "foot": "yes"}, True),
        ({"highway": "track", "access": "agricultural"}, False),
        ({"highway": "motorway", "foot": "designated"}, True),
        ({"highway": "construction", "foot": "yes"}, False),
        ({"highway": "pedestrian", "area": "yes"}, False),
        ({"highway": "pedestrian", "area": "no"}, True),
    ],
)
def test_walkability_follows_foot_then_access_then_highway(
    tags: dict[str, str], expected: bool
) -> None:
    assert is_walkable(tags) is expected
