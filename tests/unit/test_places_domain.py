"""Places near me, the pure parts: choosing the area, bounds, and the paging cursor."""

from __future__ import annotations

import base64
import json

import pytest

from wildside.domain.errors import InvalidCursorError, InvalidInputError
from wildside.domain.geo import GeoPoint
from wildside.domain.places import (
    DEFAULT_LIMIT,
    DEFAULT_RADIUS_M,
    MAX_RADIUS_M,
    Box,
    Circle,
    PlacePosition,
    PlaceQuery,
    decode_cursor,
    encode_cursor,
    osm_url,
)
from wildside.domain.scoring import Poi, kinds_of, score_poi, theme_weights

QUERY = PlaceQuery.build(lat=60.17, lng=24.94)
POSITION = PlacePosition(-0.375, "way", 42)


def test_a_point_alone_means_the_default_radius_and_page() -> None:
    assert QUERY.area == Circle(GeoPoint(60.17, 24.94), DEFAULT_RADIUS_M)
    assert (QUERY.limit, QUERY.min_score, QUERY.themes) == (DEFAULT_LIMIT, 0.0, ())


def test_themes_are_kept_sorted_and_unique() -> None:
    query = PlaceQuery.build(lat=60.0, lng=25.0, themes=["nature", "art", "nature"])
    assert query.themes == ("art", "nature")


def test_a_box_is_read_west_south_east_north() -> None:
    query = PlaceQuery.build(bbox="24.93,60.16,24.95,60.17")
    assert query.area == Box(24.93, 60.16, 24.95, 60.17)


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({}, "lat/lng"),
        ({"lat": 60.0}, "lat/lng"),
        ({"radius_m": 500.0}, "lat/lng"),
        ({"lat": 60.0, "lng": 25.0, "bbox": "24.9,60.1,24.95,60.2"}, "bbox"),
        ({"radius_m": 500.0, "bbox": "24.9,60.1,24.95,60.2"}, "bbox"),
        ({"lat": 60.0, "lng": 25.0, "radius_m": MAX_RADIUS_M + 1}, "radius_m"),
        ({"lat": 60.0, "lng": 25.0, "radius_m": 0.0}, "radius_m"),
        ({"lat": 60.0, "lng": 25.0, "radius_m": float("nan")}, "radius_m"),
        ({"lat": 91.0, "lng": 25.0}, "lat"),
        ({"bbox": "24.9,60.1,24.95"}, "bbox"),
        ({"bbox": "a,b,c,d"}, "bbox"),
        ({"bbox": "24.95,60.1,24.9,60.2"}, "bbox"),  # west east of east
        ({"bbox": "24,60,25,61"}, "bbox"),  # about 6 200 km²
        ({"bbox": "0,85.5,0.01,85.6"}, "bbox"),  # beyond Web Mercator
        ({"bbox": "nan,60.1,24.95,60.2"}, "bbox"),
        ({"lat": 60.0, "lng": 25.0, "themes": ["castles"]}, "themes"),
        ({"lat": 60.0, "lng": 25.0, "min_score": 1.5}, "min_score"),
        ({"lat": 60.0, "lng": 25.0, "limit": 0}, "limit"),
        ({"lat": 60.0, "lng": 25.0, "limit": 201}, "limit"),
    ],
)
def test_bad_combinations_and_ranges_name_the_field(arguments: dict, field: str) -> None:
    with pytest.raises(InvalidInputError) as refused:
        PlaceQuery.build(**arguments)
    assert refused.value.field == field
    assert not isinstance(refused.value, InvalidCursorError)


def test_a_cursor_comes_back_as_the_position_it_was_made_from() -> None:
    token = encode_cursor(POSITION, QUERY)
    assert decode_cursor(token, QUERY) == POSITION
    assert "=" not in token  # safe in a query string as it is


def test_a_cursor_survives_another_page_size_but_not_another_query() -> None:
    token = encode_cursor(POSITION, QUERY)
    bigger_pages = PlaceQuery.build(lat=60.17, lng=24.94, limit=200)
    assert decode_cursor(token, bigger_pages) == POSITION
    for other in (
        PlaceQuery.build(lat=60.17, lng=24.95),
        PlaceQuery.build(lat=60.17, lng=24.94, themes=["art"]),
        PlaceQuery.build(lat=60.17, lng=24.94, min_score=0.5),
        PlaceQuery.build(lat=60.17, lng=24.94, radius_m=900.0),
    ):
        with pytest.raises(InvalidCursorError):
            decode_cursor(token, other)


def _reencoded(body: list) -> str:
    raw = json.dumps(body, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.mark.parametrize(
    "token",
    [
        "",
        "not base64 at all!",
        "AAAA",
        _reencoded([1, 0.5, "node", 7]),
        _reencoded({"a": 1}),  # type: ignore[arg-type]
        _reencoded([1, 0.5, "shop", 7, "0" * 24]),
        _reencoded([1, 2.0, "node", 7, "0" * 24]),
        _reencoded([1, 0.5, "node", 2**63, "0" * 24]),
        _reencoded([1, 0.5, "node", "7", "0" * 24]),
        "x" * 300,
    ],
)
def test_a_malformed_cursor_is_refused_as_a_cursor_problem(token: str) -> None:
    with pytest.raises(InvalidCursorError) as refused:
        decode_cursor(token, QUERY)
    assert refused.value.field == "cursor"


def test_an_edited_cursor_is_refused() -> None:
    token = encode_cursor(POSITION, QUERY)
    body = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    body[3] = 41  # skip ahead by hand
    with pytest.raises(InvalidCursorError):
        decode_cursor(_reencoded(body), QUERY)


def test_positions_sort_as_the_listing_most_popular_first_then_type_and_id() -> None:
    pois = [
        Poi("way/2", None, 0, 0, (), 0.5, {}),
        Poi("node/9", None, 0, 0, (), 0.5, {}),
        Poi("node/10", None, 0, 0, (), 0.5, {}),
        Poi("relation/1", None, 0, 0, (), 0.9, {}),
    ]
    listed = sorted(pois, key=PlacePosition.of)
    assert [p.key for p in listed] == ["relation/1", "node/9", "node/10", "way/2"]


@pytest.mark.parametrize("themes", [(), ("art",), ("art", "history")])
def test_within_one_query_the_score_only_grows_with_popularity(themes: tuple[str, ...]) -> None:
    # The listing is sorted by popularity; that is the score's order only if,
    # for the places a query lists, the score is a non-decreasing function of it.
    weights = theme_weights(themes)
    scores = [
        score_poi(Poi("node/1", None, 0, 0, themes or ("food",), p / 100, {}), weights).score
        for p in range(101)
    ]
    assert scores == sorted(scores)
    assert scores[0] < scores[-1]


def test_kinds_and_osm_links() -> None:
    assert kinds_of({"tourism": "museum", "historic": "building", "name": "x"}) == [
        "tourism=museum",
        "historic=building",
    ]
    assert kinds_of({"name": "nothing"}) == []
    assert osm_url("relation/5") == "https://www.openstreetmap.org/relation/5"
