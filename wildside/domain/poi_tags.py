"""Which OSM tags make a point of interest, and which themes they carry.

The table is deliberately explicit: a reader can check any tag against it,
and ``docs/engine.md`` renders the same rules for people. Keys not listed
here never make a POI on their own; hotels, hostels, information boards,
benches and waste baskets are excluded even though they are tagged objects.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

Tags = Mapping[str, str]

THEMES: tuple[str, ...] = (
    "architecture",
    "art",
    "culture",
    "food",
    "history",
    "nature",
    "religion",
    "views",
)

# (key, value) -> themes. A value of "*" matches any value of that key that is
# not a negative ("no"); more specific entries win over the wildcard.
_TAG_THEMES: dict[tuple[str, str], tuple[str, ...]] = {
    ("historic", "*"): ("history",),
    ("historic", "memorial"): ("history",),
    ("historic", "monument"): ("history", "architecture"),
    ("historic", "castle"): ("history", "architecture"),
    ("historic", "church"): ("history", "religion", "architecture"),
    ("historic", "building"): ("history", "architecture"),
    ("historic", "ship"): ("history", "culture"),
    ("memorial", "*"): ("history",),
    ("tourism", "museum"): ("culture", "history"),
    ("tourism", "gallery"): ("art", "culture"),
    ("tourism", "artwork"): ("art",),
    ("tourism", "viewpoint"): ("views", "nature"),
    ("tourism", "attraction"): ("culture",),
    ("tourism", "zoo"): ("nature",),
    ("tourism", "aquarium"): ("nature",),
    ("amenity", "place_of_worship"): ("religion", "architecture"),
    ("amenity", "theatre"): ("culture",),
    ("amenity", "arts_centre"): ("art", "culture"),
    ("amenity", "library"): ("culture",),
    ("amenity", "concert_hall"): ("culture",),
    ("amenity", "fountain"): ("architecture",),
    ("amenity", "clock"): ("architecture",),
    ("amenity", "cafe"): ("food",),
    ("amenity", "restaurant"): ("food",),
    ("amenity", "ice_cream"): ("food",),
    ("amenity", "marketplace"): ("food", "culture"),
    ("amenity", "pub"): ("food",),
    ("leisure", "park"): ("nature",),
    ("leisure", "garden"): ("nature",),
    ("leisure", "nature_reserve"): ("nature",),
    ("natural", "peak"): ("nature", "views"),
    ("natural", "hill"): ("nature", "views"),
    ("natural", "volcano"): ("nature", "views"),
    ("natural", "waterfall"): ("nature",),
    ("natural", "spring"): ("nature",),
    ("natural", "hot_spring"): ("nature",),
    ("natural", "geyser"): ("nature",),
    ("natural", "beach"): ("nature",),
    ("natural", "cliff"): ("nature", "views"),
    ("natural", "cave_entrance"): ("nature",),
    ("natural", "bay"): ("nature",),
    ("natural", "cape"): ("nature", "views"),
    ("waterway", "waterfall"): ("nature",),
    ("man_made", "lighthouse"): ("architecture", "history"),
    ("man_made", "tower"): ("architecture", "views"),
    ("man_made", "windmill"): ("architecture", "history"),
    ("man_made", "watermill"): ("architecture", "history"),
    ("man_made", "obelisk"): ("architecture", "history"),
}

# Natural features that are common and mostly anonymous (ponds, lakes) only
# count as places when somebody named them.
_NAMED_ONLY: dict[tuple[str, str], tuple[str, ...]] = {
    ("natural", "water"): ("nature",),
}

# Tags that exclude an object even when another key would admit it: lodging,
# street furniture and signage are not places to visit.
_EXCLUDED: frozenset[tuple[str, str]] = frozenset(
    {
        ("tourism", "hotel"),
        ("tourism", "hostel"),
        ("tourism", "guest_house"),
        ("tourism", "motel"),
        ("tourism", "apartment"),
        ("tourism", "information"),
        ("amenity", "bench"),
        ("amenity", "waste_basket"),
        ("amenity", "parking"),
        ("amenity", "toilets"),
    }
)

# Keys that can admit a POI: the ingestion filter passes only objects that
# carry at least one of them, so rarely-matching keys cost nothing.
POI_KEYS: tuple[str, ...] = tuple(
    sorted({key for key, _ in _TAG_THEMES} | {key for key, _ in _NAMED_ONLY})
)

_NEGATIVE_VALUES = frozenset({"no", "none", "false", ""})


def tag_selectors(themes: tuple[str, ...] = ()) -> list[tuple[str, str | None]]:
    """``(key, value)`` pairs (value ``None``: any value) that admit POIs of ``themes``.

    All themes when ``themes`` is empty; sorted, and a key's wildcard makes its
    specific values redundant. ``classify_poi`` still decides per object.

    Examples
    --------
    >>> tag_selectors(("views",))[:2]
    [('man_made', 'tower'), ('natural', 'cape')]
    """
    wanted = set(themes)
    table = {**_TAG_THEMES, **_NAMED_ONLY}
    chosen = {
        (key, None if value == "*" else value)
        for (key, value), found in table.items()
        if not wanted or wanted & set(found)
    }
    wildcards = {key for key, value in chosen if value is None}
    kept = {(key, value) for key, value in chosen if value is None or key not in wildcards}
    return sorted(kept, key=lambda kv: (kv[0], kv[1] or ""))


@dataclass(frozen=True, slots=True)
class PoiClassification:
    """The verdict for one tagged object: its themes and the tags that matched."""

    themes: tuple[str, ...]
    matched: tuple[str, ...]


def classify_poi(tags: Tags) -> PoiClassification | None:
    """Return the POI classification of an OSM tag set, or ``None``.

    Examples
    --------
    >>> classify_poi({"historic": "memorial", "name": "Runeberg"}).themes
    ('history',)
    >>> classify_poi({"tourism": "hotel", "historic": "building"}) is None
    True
    >>> classify_poi({"amenity": "bench"}) is None
    True
    """
    if any((key, value) in _EXCLUDED for key, value in tags.items()):
        return None
    themes: list[str] = []
    matched: list[str] = []
    for key, value in tags.items():
        found = _themes_for(key, value, has_name=bool(tags.get("name")))
        if found is None:
            continue
        matched.append(f"{key}={value}")
        themes.extend(theme for theme in found if theme not in themes)
    if not matched:
        return None
    return PoiClassification(themes=tuple(sorted(themes)), matched=tuple(matched))


def _themes_for(key: str, value: str, *, has_name: bool) -> tuple[str, ...] | None:
    if value.strip().lower() in _NEGATIVE_VALUES:
        return None
    exact = _TAG_THEMES.get((key, value))
    if exact is not None:
        return exact
    named_only = _NAMED_ONLY.get((key, value))
    if named_only is not None:
        return named_only if has_name else None
    return _TAG_THEMES.get((key, "*"))


def popularity(tags: Tags) -> float:
    """A deterministic 0..1 popularity signal from what OSM itself records.

    Wikidata and Wikipedia links, heritage protection and an explicit
    ``tourism=attraction`` each raise it; a name adds a little, since
    anonymous objects are rarely destinations.

    Examples
    --------
    >>> popularity({})
    0.0
    >>> popularity({"name": "Tuomiokirkko", "wikidata": "Q1", "heritage": "2"})
    0.75
    """
    score = 0.0
    if tags.get("name"):
        score += 0.1
    if tags.get("wikidata"):
        score += 0.35
    if tags.get("wikipedia") or any(key.startswith("wikipedia:") for key in tags):
        score += 0.2
    if tags.get("heritage") or tags.get("heritage:operator"):
        score += 0.3
    if tags.get("tourism") == "attraction":
        score += 0.2
    return min(1.0, round(score, 4))
