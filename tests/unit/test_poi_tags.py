"""The POI tag table: what counts as a place to visit, and its themes."""

from __future__ import annotations

import pytest

from wildside.domain.poi_tags import POI_KEYS, THEMES, classify_poi, popularity


@pytest.mark.parametrize(
    ("tags", "themes"),
    [
        ({"historic": "memorial"}, ("history",)),
        ({"historic": "wayside_cross"}, ("history",)),
        ({"tourism": "museum"}, ("culture", "history")),
        ({"tourism": "artwork"}, ("art",)),
        ({"tourism": "viewpoint"}, ("nature", "views")),
        ({"amenity": "place_of_worship"}, ("architecture", "religion")),
        ({"amenity": "cafe"}, ("food",)),
        ({"amenity": "fountain"}, ("architecture",)),
        ({"leisure": "park"}, ("nature",)),
        ({"natural": "peak"}, ("nature", "views")),
        ({"man_made": "lighthouse"}, ("architecture", "history")),
        ({"memorial": "plaque"}, ("history",)),
        ({"natural": "water", "name": "Töölönlahti"}, ("nature",)),
    ],
)
def test_poi_tags_map_to_documented_themes(tags: dict[str, str], themes: tuple[str, ...]) -> None:
    # Given a tag set from the documented table, When it is classified
    verdict = classify_poi(tags)
    # Then it is a POI with exactly the table's themes
    assert verdict is not None
    assert verdict.themes == themes


@pytest.mark.parametrize(
    "tags",
    [
        {"tourism": "hotel", "name": "Marski"},
        {"tourism": "hostel"},
        {"tourism": "information", "information": "board"},
        {"amenity": "bench"},
        {"amenity": "waste_basket"},
        {"amenity": "parking"},
        {"highway": "footway"},
        {"building": "yes"},
        {"historic": "no"},
        {"natural": "tree"},
        {"natural": "water"},  # anonymous ponds are not destinations
        {"tourism": "hotel", "historic": "building"},  # lodging excluded even if historic
        {},
    ],
)
def test_non_destinations_are_not_pois(tags: dict[str, str]) -> None:
    assert classify_poi(tags) is None


def test_themes_from_several_keys_are_merged_sorted_and_unique() -> None:
    verdict = classify_poi({"historic": "church", "amenity": "place_of_worship"})
    assert verdict is not None
    assert verdict.themes == ("architecture", "history", "religion")
    assert set(verdict.matched) == {"historic=church", "amenity=place_of_worship"}


def test_every_theme_is_a_known_theme_and_every_key_is_prefiltered() -> None:
    samples = [{"historic": "x"}, {"tourism": "gallery"}, {"amenity": "restaurant"}]
    for tags in samples:
        verdict = classify_poi(tags)
        assert verdict is not None
        assert set(verdict.themes) <= set(THEMES)
        assert set(tags) <= set(POI_KEYS)


def test_popularity_rises_with_osm_signals_and_stays_in_unit_range() -> None:
    plain = popularity({"historic": "memorial"})
    named = popularity({"historic": "memorial", "name": "A"})
    linked = popularity({"historic": "memorial", "name": "A", "wikidata": "Q1"})
    famous = popularity(
        {
            "name": "A",
            "wikidata": "Q1",
            "wikipedia": "fi:A",
            "heritage": "2",
            "tourism": "attraction",
        }
    )
    assert 0.0 == plain < named < linked < famous == 1.0
