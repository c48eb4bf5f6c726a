"""Merge near-duplicate POIs: one place mapped twice (node + way, or sharing a Wikidata id)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import replace

from wildside.domain.geo import GeoPoint, haversine_m
from wildside.domain.opening import HOURS_TAG
from wildside.domain.scoring import Poi

SAME_NAME_RADIUS_M = 75.0  # a node inside the outline of the same-named building or park


def merge_duplicates(pois: Sequence[Poi], *, radius_m: float = SAME_NAME_RADIUS_M) -> list[Poi]:
    """Return ``pois`` with duplicates merged, in the order of first appearance.

    Two POIs are one place when they share a ``wikidata`` id, or when they have
    the same name (case-insensitive) and lie within ``radius_m`` of each other.
    The survivor is the more popular one (ties: the lower key); it takes the
    union of both sets of themes, and the other's ``opening_hours`` when it has none.

    Examples
    --------
    >>> a = Poi("node/1", "Ateneum", 60.1703, 24.9441, ("art",), 0.3, {})
    >>> b = Poi("way/2", "ateneum", 60.1704, 24.9445, ("culture",), 0.6, {})
    >>> [(p.key, p.themes) for p in merge_duplicates([a, b])]
    [('way/2', ('art', 'culture'))]
    """
    survivors: list[Poi] = []
    by_wikidata: dict[str, int] = {}
    by_name: dict[str, list[int]] = {}
    for poi in pois:
        twin = _find_twin(poi, survivors, by_wikidata, by_name, radius_m)
        if twin is None:
            position = len(survivors)
            survivors.append(poi)
        else:
            position = twin
            survivors[position] = _merge(survivors[position], poi)
        wikidata = poi.tags.get("wikidata")
        if wikidata:
            by_wikidata.setdefault(wikidata, position)
        name = _normalised(poi.name)
        if name and position not in by_name.setdefault(name, []):
            by_name[name].append(position)
    return survivors


def _find_twin(
    poi: Poi,
    survivors: list[Poi],
    by_wikidata: dict[str, int],
    by_name: dict[str, list[int]],
    radius_m: float,
) -> int | None:
    wikidata = poi.tags.get("wikidata")
    if wikidata and wikidata in by_wikidata:
        return by_wikidata[wikidata]
    name = _normalised(poi.name)
    if not name:
        return None
    here = GeoPoint(poi.lat, poi.lng)
    for position in by_name.get(name, ()):
        other = survivors[position]
        if haversine_m(here, GeoPoint(other.lat, other.lng)) <= radius_m:
            return position
    return None


def _merge(kept: Poi, other: Poi) -> Poi:
    if other.popularity > kept.popularity or (
        other.popularity == kept.popularity and other.key < kept.key
    ):
        kept, other = other, kept
    themes = tuple(sorted(set(kept.themes) | set(other.themes)))
    tags = kept.tags
    # A library's node often lacks the hours its building's outline carries: a place
    # merged without them would be planned as "unknown", and visited when it is closed.
    if HOURS_TAG not in tags and HOURS_TAG in other.tags:
        tags = {**tags, HOURS_TAG: other.tags[HOURS_TAG]}
    return replace(kept, themes=themes, tags=tags)


def _normalised(name: str | None) -> str:
    return " ".join(name.casefold().split()) if name else ""


def without_places(
    pois: Sequence[Poi], keys: Collection[str], *, radius_m: float = SAME_NAME_RADIUS_M
) -> list[Poi]:
    """``pois`` without the places ``keys`` name, nor any duplicate of them.

    A duplicate is judged as :func:`merge_duplicates` judges it, so a place
    seen as ``way/2`` is skipped when it comes back as ``node/1``.

    Examples
    --------
    >>> a = Poi("node/1", "Ateneum", 60.1703, 24.9441, ("art",), 0.3, {})
    >>> b = Poi("way/2", "ateneum", 60.1704, 24.9445, ("culture",), 0.6, {})
    >>> c = Poi("node/3", "Kiasma", 60.1720, 24.9370, ("art",), 0.5, {})
    >>> [p.key for p in without_places([a, b, c], {"way/2"})]
    ['node/3']
    """
    seen = [p for p in pois if p.key in keys]
    by_wikidata: dict[str, int] = {}
    by_name: dict[str, list[int]] = {}
    for position, poi in enumerate(seen):
        wikidata = poi.tags.get("wikidata")
        if wikidata:
            by_wikidata.setdefault(wikidata, position)
        name = _normalised(poi.name)
        if name:
            by_name.setdefault(name, []).append(position)
    return [
        p
        for p in pois
        if p.key not in keys and _find_twin(p, seen, by_wikidata, by_name, radius_m) is None
    ]
