"""Route specs: validation, normalisation, the idempotency hash and the cache key."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

import pytest

from wildside.domain.errors import InvalidInputError
from wildside.domain.geo import GeoPoint
from wildside.domain.route_spec import RouteSpec, canonical_json

NOON = datetime(2026, 12, 8, 10, 0, tzinfo=UTC)  # when a request without start_time is planned

START = GeoPoint(60.1712, 24.9441)


def test_themes_are_sorted_and_deduplicated() -> None:
    spec = RouteSpec.build(
        start=START, duration_minutes=90, preferences=["nature", "history", "nature"]
    )
    assert spec.themes == ("history", "nature")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"duration_minutes": 0.5}, "duration_minutes"),
        ({"duration_minutes": 481}, "duration_minutes"),
        ({"duration_minutes": float("nan")}, "duration_minutes"),
        ({"preferences": ["history", "dragons"]}, "preferences"),
        ({"seed": -1}, "seed"),
        ({"seed": 2**63}, "seed"),
        ({"pace_m_s": 0.1}, "pace"),
        ({"pace_m_s": float("inf")}, "pace"),
    ],
)
def test_out_of_range_values_are_refused_with_the_field(changes: dict, field: str) -> None:
    values = {"start": START, "duration_minutes": 90.0, **changes}
    with pytest.raises(InvalidInputError) as caught:
        RouteSpec.build(**values)
    assert caught.value.field == field


def test_the_boundaries_are_accepted() -> None:
    assert RouteSpec.build(start=START, duration_minutes=1).duration_minutes == 1.0
    assert RouteSpec.build(start=START, duration_minutes=480).duration_minutes == 480.0


def test_document_round_trip_keeps_the_spec() -> None:
    spec = RouteSpec.build(
        start=START,
        end=GeoPoint(60.16, 24.95),
        duration_minutes=45,
        preferences=["art"],
        seed=7,
        pace_m_s=1.1,
    )
    assert RouteSpec.from_document(json.loads(json.dumps(spec.to_document()))) == spec


def test_a_malformed_document_is_an_invalid_input() -> None:
    with pytest.raises(InvalidInputError):
        RouteSpec.from_document({"start": {"lat": 1}})


def test_payload_hash_ignores_theme_order_and_explicit_defaults() -> None:
    # Given the same request written two ways
    a = RouteSpec.build(start=START, duration_minutes=90, preferences=["nature", "history"])
    b = RouteSpec.build(
        start=START, duration_minutes=90.0, preferences=["history", "nature"], seed=0, pace_m_s=1.3
    )
    # Then they hash alike, and a different seed does not
    assert a.payload_hash() == b.payload_hash()
    c = RouteSpec.build(start=START, duration_minutes=90, preferences=["history", "nature"], seed=1)
    assert c.payload_hash() != a.payload_hash()


def test_cache_key_is_the_seed_recipe() -> None:
    # Given a spec with coordinates finer than 5 decimals
    spec = RouteSpec.build(
        start=GeoPoint(60.171234567, 24.944112345),
        duration_minutes=60,
        preferences=["nature", "art"],
    )
    # When the cache key is computed
    key = spec.cache_key("import-3", now=NOON)
    # Then it is route:v2: + SHA-256 of sorted compact JSON, rounded coordinates, sorted themes,
    # and (no start_time: the walk starts when planned) the quarter hour it is planned in
    expected_payload = (
        '{"data_version":"import-3","duration_minutes":60.0,"end":null,'
        '"pace":1.3,"preferences":["art","nature"],"seed":0,'
        '"start":{"lat":60.17123,"lng":24.94411},"start_window":"2026-12-08T10:00:00Z"}'
    )
    assert key == "route:v2:" + hashlib.sha256(expected_payload.encode()).hexdigest()


def test_cache_key_shares_starts_within_rounding_and_changes_with_data() -> None:
    near = RouteSpec.build(start=GeoPoint(60.1712301, 24.9441), duration_minutes=60)
    nearer = RouteSpec.build(start=GeoPoint(60.1712299, 24.9441), duration_minutes=60)
    assert near.cache_key("v", now=NOON) == nearer.cache_key("v", now=NOON)
    assert near.cache_key("v", now=NOON) != near.cache_key("w", now=NOON)


def test_canonical_json_is_compact_sorted_utf8() -> None:
    assert canonical_json({"b": [1, 2], "a": "ä"}) == '{"a":"ä","b":[1,2]}'.encode()


def test_the_budget_and_the_reach_follow_from_duration_and_pace() -> None:
    spec = RouteSpec.build(start=START, duration_minutes=30, pace_m_s=1.0)
    assert (spec.budget_s, spec.max_walk_m) == (1800.0, 1800.0)


def test_excluded_places_are_sorted_unique_and_round_trip() -> None:
    # Given a re-plan that skips two places, one named twice
    spec = RouteSpec.build(start=START, duration_minutes=60, exclude=["way/2", "node/1", "way/2"])
    # Then the set is normalised, and survives the document a job carries
    assert spec.exclude == ("node/1", "way/2")
    assert RouteSpec.from_document(json.loads(json.dumps(spec.to_document()))) == spec


def test_exclusions_change_the_hash_and_the_cache_key_but_none_changes_nothing() -> None:
    plain = RouteSpec.build(start=START, duration_minutes=60)
    skipping = RouteSpec.build(start=START, duration_minutes=60, exclude=["node/1"])
    # A spec without exclusions is the document it always was: stored keys still match
    assert "exclude" not in plain.to_document()
    assert plain.payload_hash() != skipping.payload_hash()
    assert plain.cache_key("v", now=NOON) != skipping.cache_key("v", now=NOON)
    assert RouteSpec.build(start=START, duration_minutes=60, exclude=[]) == plain


def test_a_stored_document_without_exclusions_reads_as_none() -> None:
    document = RouteSpec.build(start=START, duration_minutes=60).to_document()
    assert RouteSpec.from_document(document).exclude == ()


@pytest.mark.parametrize(
    "exclude",
    [["Node/1"], ["node/"], ["node/1; DROP"], ["x" * 30 + "/1"], [f"node/{i}" for i in range(65)]],
)
def test_bad_exclusions_are_refused_as_visited(exclude: list[str]) -> None:
    with pytest.raises(InvalidInputError) as caught:
        RouteSpec.build(start=START, duration_minutes=60, exclude=exclude)
    assert caught.value.field == "visited"
