"""GuideWalk over fakes: lookups in turn, one lookup per route, the quota, the clock check."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from tests.fakes.clock import FakeClock
from tests.fakes.followed_route_lookup import InMemoryFollowedRouteLookup
from tests.support import defaults
from tests.support.walks import at, walk_route
from wildside.app.guide_walk import MAX_WALKS, GuideWalk, WalkSession
from wildside.domain.accounts import User
from wildside.domain.errors import InvalidInputError, NotFoundError, RateLimitedError
from wildside.domain.geo import GeoPoint
from wildside.domain.guidance import GuidanceKind, LocationFix
from wildside.domain.rate_limit import RateLimitPolicy

ADA = User("ada-id", "ada")
ROUTE = walk_route([(0, 0), (1000, 0)], [300])


def _fix(clock: FakeClock, east: float = 0.0) -> LocationFix:
    return LocationFix(GeoPoint(*at(east, 0)), 5.0, clock.now())


def _session(
    *lookups: InMemoryFollowedRouteLookup, per_minute: int = 60
) -> tuple[WalkSession, FakeClock]:
    clock = FakeClock()
    settings = defaults.guidance_settings(rate_limit=RateLimitPolicy(per_minute, 60.0))
    return GuideWalk(lookups, clock, settings).session(), clock


def test_each_lookup_is_asked_in_turn_and_a_route_once_per_connection() -> None:
    # Given request ids the first lookup does not know, and a saved route the second does
    requests, saved = InMemoryFollowedRouteLookup(), InMemoryFollowedRouteLookup()
    saved.add(ADA.id, "saved-1", ROUTE)
    walks, clock = _session(requests, saved)
    # When ada walks the saved route with three fixes
    answers = [asyncio.run(walks(ADA, "saved-1", _fix(clock, east))) for east in (0, 100, 300)]
    # Then she is guided, and each lookup was asked once
    assert [a.kind for a in answers][-1] is GuidanceKind.ARRIVED
    assert (requests.lookups, saved.lookups) == (1, 1)
    assert walks.is_walking


def test_a_route_no_lookup_knows_is_not_found() -> None:
    lookup = InMemoryFollowedRouteLookup()
    lookup.add("someone-else", "theirs", ROUTE)
    walks, clock = _session(lookup)
    with pytest.raises(NotFoundError):
        asyncio.run(walks(ADA, "theirs", _fix(clock)))
    assert not walks.is_walking


def test_fixes_beyond_the_connections_quota_are_refused_until_it_refills() -> None:
    lookup = InMemoryFollowedRouteLookup()
    lookup.add(ADA.id, "r", ROUTE)
    walks, clock = _session(lookup, per_minute=2)
    asyncio.run(walks(ADA, "r", _fix(clock)))
    asyncio.run(walks(ADA, "r", _fix(clock)))
    with pytest.raises(RateLimitedError) as refused:
        asyncio.run(walks(ADA, "r", _fix(clock)))
    assert refused.value.retry_after_s == 30
    clock.advance(30)
    assert asyncio.run(walks(ADA, "r", _fix(clock))).kind is GuidanceKind.NEXT_STOP


def test_a_timestamp_a_day_away_from_the_servers_clock_is_refused() -> None:
    lookup = InMemoryFollowedRouteLookup()
    lookup.add(ADA.id, "r", ROUTE)
    walks, clock = _session(lookup)
    far = LocationFix(GeoPoint(*at(0, 0)), 5.0, clock.now() + timedelta(days=1, seconds=1))
    with pytest.raises(InvalidInputError) as refused:
        asyncio.run(walks(ADA, "r", far))
    assert refused.value.field == "timestamp"


def test_a_connection_keeps_at_most_a_few_walks_dropping_the_least_recent() -> None:
    lookup = InMemoryFollowedRouteLookup()
    for i in range(MAX_WALKS + 1):
        lookup.add(ADA.id, f"r{i}", ROUTE)
    walks, clock = _session(lookup, per_minute=100)
    for i in range(MAX_WALKS + 1):
        asyncio.run(walks(ADA, f"r{i}", _fix(clock)))
    assert lookup.lookups == MAX_WALKS + 1
    asyncio.run(walks(ADA, f"r{MAX_WALKS}", _fix(clock)))  # still kept: no lookup
    assert lookup.lookups == MAX_WALKS + 1
    asyncio.run(walks(ADA, "r0", _fix(clock)))  # dropped: looked up again
    assert lookup.lookups == MAX_WALKS + 2
