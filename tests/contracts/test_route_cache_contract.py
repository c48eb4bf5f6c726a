"""One behaviour suite for every ``RouteCache``: the in-memory fake and Redis."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
import redis

from adapters.outbound.redis.connection import redis_client
from adapters.outbound.redis.route_cache import RedisRouteCache
from tests.conftest import free_port
from tests.fakes.clock import FakeClock
from tests.fakes.route_cache import InMemoryRouteCache
from tests.support.route_results import legacy_document, sample_route_result
from wildside.domain.errors import UnavailableError
from wildside.ports.route_cache import RouteCache, RouteCacheError

KEY = "route:v2:" + "ab" * 32
RESULT = sample_route_result()


@dataclass
class Cache:
    """A cache under test, and how to let time pass for it."""

    cache: RouteCache
    advance: Callable[[float], None]


@pytest.fixture(params=["fake", "redis"])
def subject(request: pytest.FixtureRequest) -> Iterator[Cache]:
    if request.param == "fake":
        clock = FakeClock()
        yield Cache(InMemoryRouteCache(clock), clock.advance)
        return
    client = redis_client(request.getfixturevalue("redis_url"))
    yield Cache(RedisRouteCache(client), time.sleep)
    client.close()


def test_an_unknown_key_is_a_miss(subject: Cache) -> None:
    assert subject.cache.get(KEY) is None


def test_a_route_comes_back_as_it_went_in(subject: Cache) -> None:
    subject.cache.put(KEY, RESULT, 3600)
    assert subject.cache.get(KEY) == RESULT


def test_put_replaces_and_keys_are_separate(subject: Cache) -> None:
    first, second, other = (sample_route_result(score=s) for s in (1.0, 2.0, 3.0))
    subject.cache.put(KEY, first, 3600)
    subject.cache.put(KEY, second, 3600)
    subject.cache.put(KEY + "0", other, 3600)
    assert subject.cache.get(KEY) == second
    assert subject.cache.get(KEY + "0") == other


def test_entries_expire_after_their_ttl(subject: Cache) -> None:
    subject.cache.put(KEY, RESULT, 1)
    subject.advance(0.5)
    assert subject.cache.get(KEY) == RESULT
    subject.advance(0.6)
    assert subject.cache.get(KEY) is None


def test_a_ttl_below_one_second_is_refused(subject: Cache) -> None:
    with pytest.raises(ValueError, match="TTL"):
        subject.cache.put(KEY, RESULT, 0)
    assert subject.cache.get(KEY) is None


# Redis only: what the fake cannot show.


def test_entries_are_compact_utf8_json_with_a_version_and_an_expiry(redis_url: str) -> None:
    client = redis_client(redis_url)
    RedisRouteCache(client).put(KEY, RESULT, 86_400)
    stored = client.get(KEY)
    assert stored.startswith(b'{"points":[{"lat":60.17048,"lng":24.95225,')  # compact
    assert "Töölö".encode() in stored  # UTF-8, not \u escapes
    assert json.loads(stored)["version"] == 1
    assert 86_399 <= client.ttl(KEY) <= 86_400
    client.close()


def test_another_process_sees_the_entry(redis_url: str) -> None:
    writer, reader = redis_client(redis_url), redis_client(redis_url)
    RedisRouteCache(writer).put(KEY, RESULT, 60)
    assert RedisRouteCache(reader).get(KEY) == RESULT
    writer.close()
    reader.close()


def test_an_entry_cached_before_results_were_typed_still_reads(redis_url: str) -> None:
    # Given an entry written by the untyped code of 2026-11 (no version key)
    client = redis_client(redis_url)
    client.set(KEY, json.dumps(legacy_document(RESULT), ensure_ascii=False).encode())
    # Then it reads as the same route
    assert RedisRouteCache(client).get(KEY) == RESULT
    client.close()


@pytest.mark.parametrize(
    "stored", [b"{not json", b"\xff\xfe", b"[1, 2]", b'{"version": 99}', b'{"version": 1}']
)
def test_a_corrupt_entry_is_a_cache_error(redis_url: str, stored: bytes) -> None:
    client = redis_client(redis_url)
    client.set(KEY, stored)
    with pytest.raises(RouteCacheError, match=KEY):
        RedisRouteCache(client).get(KEY)
    client.close()


def test_a_refused_command_is_a_cache_error(redis_url: str) -> None:
    client = redis_client(redis_url)
    client.rpush(KEY, "a list, not a string")
    with pytest.raises(RouteCacheError) as caught:
        RedisRouteCache(client).get(KEY)
    assert isinstance(caught.value.__cause__, redis.ResponseError)
    client.close()


def test_unreachable_redis_is_unavailable() -> None:
    cache = RedisRouteCache(redis_client(f"redis://127.0.0.1:{free_port()}/0", timeout_s=0.5))
    with pytest.raises(UnavailableError) as caught:
        cache.get(KEY)
    assert caught.value.service == "redis"
    with pytest.raises(UnavailableError):
        cache.put(KEY, RESULT, 60)
