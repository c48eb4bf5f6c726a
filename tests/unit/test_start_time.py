"""Start times: parsing, checks, the quarter hour "now" is held for, and how specs carry them."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta, timezone

import pytest

from wildside.domain.errors import InvalidInputError
from wildside.domain.geo import GeoPoint
from wildside.domain.route_spec import RouteSpec, canonical_json
from wildside.domain.start_time import parse_start_time, quarter_hour, start_window

START = GeoPoint(60.1712, 24.9441)
HELSINKI_WINTER = timezone(timedelta(hours=2))
TEN = datetime(2026, 12, 8, 10, 0, tzinfo=HELSINKI_WINTER)


@pytest.mark.parametrize(
    "text",
    ["2026-12-08T10:00", "2026-12-08", "tomorrow", "2026-12-08T10:00+25:00", "1850-01-01T10:00Z"],
)
def test_a_start_time_needs_an_offset_a_format_and_a_sane_year(text: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        parse_start_time(text)
    assert caught.value.field == "start_time"


def test_a_start_time_keeps_its_offset() -> None:
    assert parse_start_time("2026-12-08T10:00+02:00") == TEN
    assert parse_start_time("2026-12-08T08:00:00Z").utcoffset() == timedelta(0)


def test_now_is_held_for_its_quarter_hour_and_a_stated_time_exactly() -> None:
    now = datetime(2026, 12, 8, 21, 59, 59, 999999, tzinfo=UTC)
    assert quarter_hour(now) == datetime(2026, 12, 8, 21, 45, tzinfo=UTC)
    window = start_window(None, now)
    assert (window.earliest, window.latest) == (
        datetime(2026, 12, 8, 21, 45, tzinfo=UTC),
        datetime(2026, 12, 8, 22, 0, tzinfo=UTC),
    )
    assert start_window(TEN, now) == start_window(TEN, now - timedelta(days=3))
    assert start_window(TEN, now).slack_s == 0.0


def test_a_spec_without_start_time_hashes_exactly_as_before() -> None:
    # Given a request with no start_time
    spec = RouteSpec.build(start=START, duration_minutes=60, preferences=["art"])
    # Then its document (what jobs carry and idempotency hashes) is the one it always was
    old = (
        '{"duration_minutes":60.0,"end":null,"pace":1.3,"preferences":["art"],"seed":0,'
        '"start":{"lat":60.1712,"lng":24.9441}}'
    )
    assert canonical_json(spec.to_document()) == old.encode()
    assert spec.payload_hash() == hashlib.sha256(old.encode()).hexdigest()


def test_a_start_time_is_part_of_the_request_whatever_offset_it_was_written_in() -> None:
    plain = RouteSpec.build(start=START, duration_minutes=60)
    at_ten = RouteSpec.build(start=START, duration_minutes=60, start_time=TEN)
    at_ten_utc = RouteSpec.build(start=START, duration_minutes=60, start_time=TEN.astimezone(UTC))
    # Then it is written in UTC, hashes as the same instant, and differs from no start_time
    assert at_ten.to_document()["start_time"] == "2026-12-08T08:00:00Z"
    assert at_ten.payload_hash() == at_ten_utc.payload_hash()
    assert at_ten.payload_hash() != plain.payload_hash()
    # And the document a job carries gives the same request back
    assert RouteSpec.from_document(json.loads(json.dumps(at_ten.to_document()))) == at_ten
    assert RouteSpec.from_document(plain.to_document()).start_time is None


def test_a_tour_for_now_is_cached_per_quarter_hour_a_stated_one_for_good() -> None:
    plain = RouteSpec.build(start=START, duration_minutes=60)
    at_nine = datetime(2026, 12, 8, 9, 0, tzinfo=UTC)
    # A request for "now" at 09:00 and at 09:14 share a tour, at 09:15 or 22:00 they do not
    assert plain.cache_key("v", now=at_nine) == plain.cache_key(
        "v", now=at_nine + timedelta(minutes=14, seconds=59)
    )
    assert plain.cache_key("v", now=at_nine) != plain.cache_key(
        "v", now=at_nine + timedelta(minutes=15)
    )
    assert plain.cache_key("v", now=at_nine) != plain.cache_key("v", now=at_nine.replace(hour=22))
    # A stated start is the same request whenever it is asked
    stated = RouteSpec.build(start=START, duration_minutes=60, start_time=TEN)
    assert stated.cache_key("v", now=at_nine) == stated.cache_key("v", now=at_nine.replace(hour=22))
    assert stated.cache_key("v", now=at_nine) != plain.cache_key("v", now=TEN)


@pytest.mark.parametrize(
    "value",
    [
        datetime(2026, 12, 8, 10, 0),
        datetime(1899, 12, 31, tzinfo=UTC),
        datetime(2200, 1, 1, tzinfo=UTC),
    ],
)
def test_a_spec_refuses_a_naive_or_far_start_time(value: datetime) -> None:
    with pytest.raises(InvalidInputError) as caught:
        RouteSpec.build(start=START, duration_minutes=60, start_time=value)
    assert caught.value.field == "start_time"
