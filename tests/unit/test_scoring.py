"""Interest scores, diversity and duplicate merging."""

from __future__ import annotations

import pytest

from wildside.domain.dedup import merge_duplicates
from wildside.domain.errors import InvalidInputError
from wildside.domain.scoring import (
    BASE,
    DEFAULT_DWELL_MINUTES,
    OFF_THEME_FACTOR,
    Poi,
    apply_diversity,
    score_poi,
    theme_weights,
)


def poi(key: str, themes: tuple[str, ...], popularity: float = 0.0, **tags: str) -> Poi:
    return Poi(key, tags.pop("name", None), 60.17, 24.94, themes, popularity, tags)


def test_matching_theme_and_popularity_raise_the_score_within_unit_range() -> None:
    weights = theme_weights(["history"])
    off_theme = score_poi(poi("node/1", ("food",), amenity="cafe"), weights)
    on_theme = score_poi(poi("node/2", ("history",), historic="memorial"), weights)
    famous = score_poi(poi("node/3", ("history",), 1.0, historic="castle"), weights)
    assert off_theme.score == pytest.approx(BASE * OFF_THEME_FACTOR)  # modest, never zero
    assert 0 < off_theme.score < BASE < on_theme.score < famous.score == 1.0
    assert on_theme.matched_themes == ("history",)
    assert off_theme.matched_themes == ()


def test_no_preferences_treats_every_theme_alike() -> None:
    a = score_poi(poi("node/1", ("food",)), {})
    b = score_poi(poi("node/2", ("history",)), {})
    assert a.score == b.score > BASE


def test_weights_scale_the_match() -> None:
    weights = theme_weights({"art": 2.0, "food": 1.0})
    art = score_poi(poi("node/1", ("art",)), weights)
    food = score_poi(poi("node/2", ("food",)), weights)
    assert art.score > food.score > BASE


@pytest.mark.parametrize("bad", [["dancing"], {"history": -1.0}])
def test_unknown_themes_and_negative_weights_are_refused(bad: object) -> None:
    with pytest.raises(InvalidInputError):
        theme_weights(bad)  # type: ignore[arg-type]


def test_dwell_time_comes_from_the_kind() -> None:
    museum = score_poi(poi("way/1", ("culture",), tourism="museum", historic="building"), {})
    bench_like = score_poi(poi("node/2", ("history",), memorial="plaque"), {})
    assert museum.kind == "tourism=museum"
    assert museum.dwell_s == 45 * 60
    assert bench_like.dwell_s == DEFAULT_DWELL_MINUTES * 60


def test_diversity_decays_repeated_kinds_so_others_can_compete() -> None:
    weights = theme_weights({"history": 1.0, "nature": 0.6})
    memorials = [
        score_poi(poi(f"node/{i}", ("history",), historic="memorial"), weights) for i in range(3)
    ]
    park = score_poi(poi("way/9", ("nature",), leisure="park"), weights)
    assert park.score < memorials[2].score  # before diversity the park loses to all three
    ranked = apply_diversity([*memorials, park])
    scores = {item.poi.key: item.score for item in ranked}
    assert scores["node/0"] == memorials[0].score
    assert scores["node/1"] == pytest.approx(memorials[1].score * 0.7, abs=1e-6)
    assert scores["node/2"] == pytest.approx(memorials[2].score * 0.49, abs=1e-6)
    assert scores["node/2"] < scores["way/9"]  # the third memorial now ranks below a park
    assert [item.score for item in ranked] == sorted((i.score for i in ranked), reverse=True)


def test_same_wikidata_is_one_place_with_all_themes() -> None:
    a = poi("node/1", ("history",), 0.4, wikidata="Q1")
    b = poi("relation/2", ("architecture",), 0.9, wikidata="Q1")
    merged = merge_duplicates([a, b])
    assert [(p.key, p.themes) for p in merged] == [("relation/2", ("architecture", "history"))]


def test_same_name_far_apart_stays_two_places() -> None:
    a = Poi("node/1", "Statue", 60.17, 24.94, ("art",), 0.1, {})
    b = Poi("node/2", "Statue", 60.18, 24.94, ("art",), 0.1, {})  # about 1.1 km away
    c = Poi("node/3", None, 60.17, 24.94, ("art",), 0.1, {})
    assert len(merge_duplicates([a, b, c])) == 3
