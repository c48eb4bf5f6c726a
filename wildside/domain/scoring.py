"""Interest scores in 0..1: theme match, OSM popularity, diversity; plus dwell times.

``docs/engine.md`` explains the formula with worked examples; the constants
here are the single source of truth.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from wildside.domain.errors import InvalidInputError
from wildside.domain.poi_tags import THEMES

BASE = 0.15  # every admitted POI is worth something, even off-theme
MATCH_WEIGHT = 0.55
POPULARITY_WEIGHT = 0.30
NEUTRAL_MATCH = 0.5  # no preferences given: every theme counts half
# With stated preferences an off-theme place keeps only this share of its base
# and popularity: still worth a detour when it is on the way, never a goal.
OFF_THEME_FACTOR = 0.4
DIVERSITY_DECAY = 0.7  # the k-th POI of one kind keeps 0.7**k of its score

# Which key names a POI's kind, in order of precedence (a museum in a historic
# building is a museum first).
_KIND_KEYS = (
    "tourism",
    "amenity",
    "historic",
    "leisure",
    "natural",
    "man_made",
    "waterway",
    "memorial",
)

# Minutes spent at a stop, by kind; included in the walking budget.
DWELL_MINUTES: dict[str, float] = {
    "tourism=museum": 45.0,
    "tourism=gallery": 30.0,
    "tourism=zoo": 90.0,
    "tourism=aquarium": 60.0,
    "tourism=attraction": 10.0,
    "tourism=viewpoint": 5.0,
    "tourism=artwork": 3.0,
    "amenity=place_of_worship": 10.0,
    "amenity=restaurant": 30.0,
    "amenity=cafe": 15.0,
    "amenity=pub": 20.0,
    "amenity=ice_cream": 5.0,
    "amenity=marketplace": 15.0,
    "amenity=library": 10.0,
    "amenity=theatre": 5.0,
    "amenity=arts_centre": 15.0,
    "historic=castle": 30.0,
    "historic=memorial": 3.0,
    "historic=monument": 5.0,
    "leisure=park": 15.0,
    "leisure=garden": 15.0,
    "leisure=nature_reserve": 20.0,
}
DEFAULT_DWELL_MINUTES = 5.0


@dataclass(frozen=True, slots=True)
class Poi:
    """A candidate place as the engine sees it."""

    key: str  # "node/123", stable across requests
    name: str | None
    lat: float
    lng: float
    themes: tuple[str, ...]
    popularity: float
    tags: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class ScoredPoi:
    """A candidate with its score, kind, dwell time and the reason it scored."""

    poi: Poi
    score: float
    kind: str
    dwell_s: float
    matched_themes: tuple[str, ...]


def theme_weights(preferences: Sequence[str] | Mapping[str, float]) -> dict[str, float]:
    """Normalise user preferences to weights in 0..1 (the largest becomes 1).

    Examples
    --------
    >>> theme_weights(["history", "nature"])
    {'history': 1.0, 'nature': 1.0}
    >>> theme_weights({"art": 2.0, "food": 1.0})
    {'art': 1.0, 'food': 0.5}
    """
    raw = dict(preferences) if isinstance(preferences, Mapping) else dict.fromkeys(preferences, 1.0)
    unknown = sorted(set(raw) - set(THEMES))
    if unknown:
        raise InvalidInputError(
            f"unknown theme(s) {', '.join(unknown)}; known themes: {', '.join(THEMES)}",
            field="preferences",
        )
    if any(not 0.0 <= weight <= 1e6 for weight in raw.values()):
        raise InvalidInputError("theme weights must be between 0 and 1e6", field="preferences")
    top = max(raw.values(), default=0.0)
    return {theme: weight / top for theme, weight in raw.items()} if top > 0 else {}


def kind_of(tags: Mapping[str, str]) -> str:
    """The POI's kind, ``key=value`` of its most specific POI tag.

    Examples
    --------
    >>> kind_of({"historic": "building", "tourism": "museum"})
    'tourism=museum'
    """
    for key in _KIND_KEYS:
        if key in tags:
            return f"{key}={tags[key]}"
    return "other"


def kinds_of(tags: Mapping[str, str]) -> list[str]:
    """Every ``key=value`` of the POI's kind keys, most specific first (``kind_of`` is the first).

    Examples
    --------
    >>> kinds_of({"historic": "building", "tourism": "museum", "name": "Ateneum"})
    ['tourism=museum', 'historic=building']
    """
    return [f"{key}={tags[key]}" for key in _KIND_KEYS if key in tags]


def score_poi(poi: Poi, weights: Mapping[str, float]) -> ScoredPoi:
    """Score one POI against the user's theme weights (deterministic, 0..1).

    ``score = 0.55 * match + (0.15 + 0.30 * popularity) * f`` where ``match``
    is the best weight among the POI's themes (0.5 for everyone when the user
    stated no preference) and ``f`` is 1, or 0.4 for a POI matching none of
    the stated preferences.
    """
    matched = tuple(theme for theme in poi.themes if weights.get(theme, 0.0) > 0)
    match = max((weights[theme] for theme in matched), default=0.0) if weights else NEUTRAL_MATCH
    popularity = min(1.0, max(0.0, poi.popularity))
    factor = OFF_THEME_FACTOR if weights and not matched else 1.0
    score = MATCH_WEIGHT * match + (BASE + POPULARITY_WEIGHT * popularity) * factor
    kind = kind_of(poi.tags)
    dwell_minutes = DWELL_MINUTES.get(kind, DEFAULT_DWELL_MINUTES)
    return ScoredPoi(poi, round(min(1.0, score), 6), kind, dwell_minutes * 60.0, matched)


def apply_diversity(scored: Sequence[ScoredPoi]) -> list[ScoredPoi]:
    """Decay repeated kinds so a tour is not five near-identical memorials.

    Within each kind, POIs are ranked by score (ties by key) and the k-th keeps
    ``0.7**k`` of its score. The result is sorted by the new score, best first.
    """
    ordered = sorted(scored, key=lambda s: (-s.score, s.poi.key))
    seen: dict[str, int] = {}
    decayed: list[ScoredPoi] = []
    for item in ordered:
        rank = seen.get(item.kind, 0)
        seen[item.kind] = rank + 1
        decayed.append(replace(item, score=round(item.score * DIVERSITY_DECAY**rank, 6)))
    decayed.sort(key=lambda s: (-s.score, s.poi.key))
    return decayed
