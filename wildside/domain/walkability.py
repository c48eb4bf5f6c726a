"""Whether an OSM way can be walked, from its ``highway``, ``foot``, ``access`` and ``area`` tags.

The rules follow OSM's access conventions: an explicit ``foot`` value wins
over the general ``access`` value, which wins over the default for the
``highway`` class. Areas (``area=yes``) are left out because their outline is
not a path anybody walks along.
"""

from __future__ import annotations

from collections.abc import Mapping

# Highway classes a pedestrian may use unless told otherwise.
WALKABLE_HIGHWAYS: frozenset[str] = frozenset(
    {
        "footway",
        "pedestrian",
        "path",
        "steps",
        "living_street",
        "residential",
        "service",
        "unclassified",
        "track",
        "road",
        "tertiary",
        "tertiary_link",
        "secondary",
        "secondary_link",
        "primary",
        "primary_link",
        "trunk",
        "trunk_link",
        "cycleway",
        "bridleway",
        "corridor",
        "platform",
    }
)

_FOOT_ALLOWED = frozenset({"yes", "designated", "permissive", "official", "destination"})
_FOOT_DENIED = frozenset({"no", "private", "use_sidepath", "discouraged"})
_ACCESS_DENIED = frozenset({"no", "private", "military", "agricultural", "forestry"})


def is_walkable(tags: Mapping[str, str]) -> bool:
    """Return whether a way with these tags belongs in the walking network.

    Examples
    --------
    >>> is_walkable({"highway": "footway"})
    True
    >>> is_walkable({"highway": "motorway"})
    False
    >>> is_walkable({"highway": "service", "access": "private"})
    False
    >>> is_walkable({"highway": "service", "access": "private", "foot": "yes"})
    True
    >>> is_walkable({"highway": "pedestrian", "area": "yes"})
    False
    """
    highway = tags.get("highway")
    if highway is None:
        return False
    if tags.get("area") == "yes":
        return False
    foot = tags.get("foot")
    if foot in _FOOT_DENIED:
        return False
    if foot in _FOOT_ALLOWED:
        # An explicit permission opens even classes closed by default
        # (a motorway bridge with a designated footpath, say).
        return highway not in {"proposed", "construction", "abandoned", "razed"}
    if tags.get("access") in _ACCESS_DENIED:
        return False
    return highway in WALKABLE_HIGHWAYS
