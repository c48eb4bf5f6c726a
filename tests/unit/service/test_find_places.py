"""``FindPlaces`` with fakes: pages, scores, the score floor, the quota and cursors."""

from __future__ import annotations

import pytest

from tests.fakes.clock import FakeClock
from tests.fakes.place_directory import InMemoryPlaceDirectory
from tests.fakes.rate_limiter import InMemoryRateLimiter
from tests.support import defaults
from tests.unit.service.conftest import ADA, BOB
from wildside.app.find_places import FindPlaces
from wildside.domain.errors import InvalidCursorError, RateLimitedError
from wildside.domain.places import PlaceQuery
from wildside.domain.rate_limit import RateLimitPolicy
from wildside.domain.scoring import Poi, score_poi, theme_weights


def _city(count: int) -> list[Poi]:
    """``count`` places north of (60, 25), a few popularity levels so ties are common."""
    return [
        Poi(
            f"{('node', 'way')[i % 2]}/{i + 1}",
            f"Place {i}",
            60.0 + i * 1e-5,
            25.0,
            (("art",), ("history",), ("food", "history"))[i % 3],
            (0.1, 0.4, 0.4, 0.9)[i % 4],
            {"tourism": "artwork"},
        )
        for i in range(count)
    ]


def _find(directory: InMemoryPlaceDirectory, *, per_minute: int = 1000) -> FindPlaces:
    clock = FakeClock()
    return FindPlaces(
        directory=directory,
        limiter=InMemoryRateLimiter(clock),
        settings=defaults.places_settings(rate_limit=RateLimitPolicy(per_minute, 60.0)),
    )


def _walk(find: FindPlaces, query: PlaceQuery) -> list[list[str]]:
    pages, cursor = [], None
    while True:
        page = find(ADA, query, cursor)
        pages.append([place.poi.key for place in page.places])
        cursor = page.next_cursor
        if cursor is None:
            return pages


def test_paging_lists_every_place_once_best_first() -> None:
    # Given 23 places within the circle and pages of 5
    city = _city(23)
    find = _find(InMemoryPlaceDirectory(city))
    # When every page is read
    pages = _walk(find, PlaceQuery.build(lat=60.0, lng=25.0, radius_m=500.0, limit=5))
    # Then each place comes exactly once, in score order, and the last page says so
    keys = [key for page in pages for key in page]
    assert sorted(keys) == sorted(p.key for p in city)
    assert [len(page) for page in pages] == [5, 5, 5, 5, 3]
    scores = [score_poi(next(p for p in city if p.key == k), {}).score for k in keys]
    assert scores == sorted(scores, reverse=True)


def test_a_full_last_page_has_no_next_cursor() -> None:
    find = _find(InMemoryPlaceDirectory(_city(10)))
    pages = _walk(find, PlaceQuery.build(lat=60.0, lng=25.0, limit=5))
    assert [len(page) for page in pages] == [5, 5]


def test_scores_are_the_ones_tours_give_for_the_same_themes() -> None:
    city = _city(6)
    find = _find(InMemoryPlaceDirectory(city))
    page = find(ADA, PlaceQuery.build(lat=60.0, lng=25.0, themes=["history"]))
    weights = theme_weights(["history"])
    by_key = {p.key: p for p in city}
    assert page.places  # places of other themes are left out
    for place in page.places:
        assert "history" in place.poi.themes
        assert place.score == score_poi(by_key[place.poi.key], weights).score
        assert place.matched_themes == ("history",)


def test_the_score_floor_ends_the_listing() -> None:
    # Given places at popularity 0.1, 0.4 and 0.9 (neutral scores 0.455, 0.545, 0.695)
    directory = InMemoryPlaceDirectory(_city(12))
    find = _find(directory)
    query = PlaceQuery.build(lat=60.0, lng=25.0, min_score=0.5, limit=3)
    # When every page is read
    pages = _walk(find, query)
    # Then only places scoring 0.5 or more come, and the listing stops at the floor
    keys = [key for page in pages for key in page]
    assert len(keys) == 9  # the three at 0.1 are under it
    assert all(score_poi(p, {}).score >= 0.5 for p in directory.pois if p.key in keys)
    # And no page asked for more than one place beyond a page
    assert {s.limit for s in directory.searches} == {4}


def test_the_quota_is_per_user_and_counts_every_page() -> None:
    find = _find(InMemoryPlaceDirectory(_city(3)), per_minute=2)
    query = PlaceQuery.build(lat=60.0, lng=25.0)
    first = find(ADA, query)
    assert (first.rate.limit, first.rate.remaining) == (2, 1)
    find(ADA, query)
    with pytest.raises(RateLimitedError) as refused:
        find(ADA, query)
    assert refused.value.retry_after_s >= 1
    assert find(BOB, query).rate.remaining == 1  # another user's bucket


def test_a_bad_cursor_is_refused_before_anything_is_read_or_counted() -> None:
    directory = InMemoryPlaceDirectory(_city(3))
    find = _find(directory, per_minute=1)
    query = PlaceQuery.build(lat=60.0, lng=25.0, limit=1)
    with pytest.raises(InvalidCursorError):
        find(ADA, query, "bm90IGEgY3Vyc29y")
    cursor = find(ADA, query).next_cursor  # the quota's one request is still there
    assert cursor is not None
    assert directory.searches[-1].after is None
    with pytest.raises(InvalidCursorError):  # a cursor of another query
        find(ADA, PlaceQuery.build(lat=60.0, lng=25.001, limit=1), cursor)
