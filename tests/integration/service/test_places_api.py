"""``GET /api/v1/pois`` through the real app, PostGIS and Redis: GeoJSON, paging, problems."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.service_stack import Stack
from tests.support.places import grid_of_places, insert_pois
from wildside.domain.scoring import score_poi, theme_weights

PROBLEM = "application/problem+json"
PLACES = grid_of_places(47)
NEAR = {"lat": 60.17, "lng": 24.94, "radius_m": 1000}


@pytest.fixture
def walker(stack: Stack) -> dict[str, str]:
    insert_pois(stack.settings.require_database_url(), PLACES)
    return stack.auth(stack.user("ada"))


def _get(stack: Stack, headers: dict[str, str], **params: Any) -> Any:
    return stack.client.get("/api/v1/pois", params=params, headers=headers)


def test_a_page_is_a_geojson_feature_collection_with_attribution(
    stack: Stack, walker: dict[str, str]
) -> None:
    response = _get(stack, walker, **NEAR, limit=3)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/geo+json"
    assert response.headers["ratelimit-limit"] == "120"
    body = response.json()
    assert body["type"] == "FeatureCollection"
    assert body["attribution"] == "© OpenStreetMap contributors"
    assert body["license"] == "ODbL-1.0"
    assert isinstance(body["next"], str)
    first = body["features"][0]
    poi = next(p for p in PLACES if p.key == first["id"])
    assert first["type"] == "Feature"
    assert first["geometry"] == {
        "type": "Point",
        "coordinates": [pytest.approx(poi.lng), pytest.approx(poi.lat)],
    }
    osm_type, osm_id = poi.key.split("/")
    assert first["properties"] == {
        "id": poi.key,
        "name": poi.name,
        "kinds": ["historic=memorial"],
        "themes": list(poi.themes),
        "score": score_poi(poi, {}).score,
        "wikipedia": None,
        "wikidata": None,
        "opening_hours": None,
        "osm_type": osm_type,
        "osm_id": int(osm_id),
        "osm_url": f"https://www.openstreetmap.org/{poi.key}",
    }


def test_paging_covers_every_place_exactly_once(stack: Stack, walker: dict[str, str]) -> None:
    seen: list[str] = []
    scores: list[float] = []
    cursor = None
    for _ in range(20):
        params = {**NEAR, "limit": 10} | ({"cursor": cursor} if cursor else {})
        body = _get(stack, walker, **params).json()
        seen += [f["id"] for f in body["features"]]
        scores += [f["properties"]["score"] for f in body["features"]]
        cursor = body["next"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(p.key for p in PLACES)
    assert scores == sorted(scores, reverse=True)


def test_themes_filter_and_score_as_tours_do(stack: Stack, walker: dict[str, str]) -> None:
    body = _get(stack, walker, **NEAR, themes=["art", "views"], limit=200).json()
    expected = [p for p in PLACES if {"art", "views"} & set(p.themes)]
    assert {f["id"] for f in body["features"]} == {p.key for p in expected}
    weights = theme_weights(["art", "views"])
    by_key = {p.key: p for p in expected}
    for feature in body["features"]:
        assert feature["properties"]["score"] == score_poi(by_key[feature["id"]], weights).score
    assert body["next"] is None


def test_opening_hours_and_wikipedia_come_as_tagged(stack: Stack, walker: dict[str, str]) -> None:
    body = _get(stack, walker, **NEAR, limit=200).json()
    museum = next(f for f in body["features"] if f["id"] == PLACES[0].key)["properties"]
    assert museum["opening_hours"] == "Tu-Su 10:00-18:00"
    assert museum["wikipedia"] == "fi:Paikka"
    assert museum["kinds"] == ["tourism=museum"]


def test_a_bounding_box(stack: Stack, walker: dict[str, str]) -> None:
    body = _get(stack, walker, bbox="24.9399,60.1699,24.9403,60.1715", limit=200).json()
    # Columns 0 (24.94) of the grid, rows 0..7 (60.170..60.1714).
    expected = {p.key for p in PLACES if p.lng < 24.9403 and p.lat <= 60.1715}
    assert {f["id"] for f in body["features"]} == expected
    assert len(expected) == 8


def test_min_score_keeps_only_the_better_places(stack: Stack, walker: dict[str, str]) -> None:
    body = _get(stack, walker, **NEAR, min_score=0.6, limit=200).json()
    assert body["features"]
    assert all(f["properties"]["score"] >= 0.6 for f in body["features"])
    assert len(body["features"]) == sum(1 for p in PLACES if score_poi(p, {}).score >= 0.6)


def test_without_credentials_it_is_a_401(stack: Stack) -> None:
    response = stack.client.get("/api/v1/pois", params=NEAR)
    assert response.status_code == 401
    assert response.headers["content-type"] == PROBLEM


@pytest.mark.parametrize(
    "cursor",
    ["garbage", "eyJhIjoxfQ", "WzEsMC41LCJub2RlIiw3LCIwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAiXQ"],
)
def test_a_bad_cursor_is_a_400(stack: Stack, walker: dict[str, str], cursor: str) -> None:
    response = _get(stack, walker, **NEAR, cursor=cursor)
    assert response.status_code == 400
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["code"] == "invalid-cursor"
    assert response.json()["field"] == "cursor"


def test_a_cursor_of_another_query_is_a_400(stack: Stack, walker: dict[str, str]) -> None:
    cursor = _get(stack, walker, **NEAR, limit=5).json()["next"]
    moved = _get(stack, walker, **{**NEAR, "lat": 60.171}, cursor=cursor)
    assert moved.status_code == 400
    assert _get(stack, walker, **NEAR, limit=7, cursor=cursor).status_code == 200


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({**NEAR, "radius_m": 5001}, "radius_m"),
        ({**NEAR, "radius_m": 0}, "radius_m"),
        ({**NEAR, "limit": 201}, "limit"),
        ({**NEAR, "min_score": 2}, "min_score"),
        ({**NEAR, "themes": "dragons"}, "themes"),
        ({"lat": 60.17}, None),
        ({}, None),
        ({**NEAR, "bbox": "24.93,60.16,24.95,60.17"}, "bbox"),
        ({"bbox": "24.93,60.16"}, "bbox"),
        ({"bbox": "20,60,26,62"}, "bbox"),
        ({"lat": "north", "lng": 24.94}, "lat"),
    ],
)
def test_out_of_range_and_bad_combinations_are_422(
    stack: Stack, walker: dict[str, str], params: dict[str, Any], field: str | None
) -> None:
    response = _get(stack, walker, **params)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM
    problem = response.json()
    named = problem.get("field") or ",".join(e["key"] for e in problem.get("errors", []))
    if field is not None:
        assert field in named


def test_the_rate_limit_has_its_own_bucket(make_stack: Callable[..., Stack]) -> None:
    stack = make_stack(places_rate_limit_per_minute=2, rate_limit_per_minute=1)
    headers = stack.auth(stack.user("ada"))
    codes = [_get(stack, headers, **NEAR).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    refused = _get(stack, headers, **NEAR)
    assert refused.json()["code"] == "rate-limited"
    assert int(refused.headers["retry-after"]) >= 1
    assert refused.headers["ratelimit-remaining"] == "0"
    # Route submissions count against their own quota, untouched by place queries
    body = {"start": {"lat": 60.17, "lng": 24.94}, "duration_minutes": 30}
    assert stack.client.post("/api/v1/routes", json=body, headers=headers).status_code == 202
