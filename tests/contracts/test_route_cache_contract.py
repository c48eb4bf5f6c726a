"""One behaviour suite for every ``RouteCache``: the in-memory fake and Redis."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import redis

from adapters.outbound.redis.connection import redis_client
from adapters.outbound.redis.route_cache import RedisRouteCache
from tests.conftest import free_port
from tests.fakes.clock import FakeClock
from tests.fakes.route_cache import InMemoryRouteCache
from wildside.domain.errors import UnavailableError
from wildside.ports.route_cache import RouteCache, RouteCacheError

KEY = "route:v1:" + "ab" * 32
DOCUMENT: dict[str, Any] = {
    "stops": [{"name": "Tuomiokirkko", "lat": 60.17048, "themes": ["history"]}],
    "path": {"type": "LineString", "coordinates": [[24.95, 60.17], [24.951, 60.171]]},
    "totals": {"distance_m": 812.5, "score": 0.93, "is_closed_loop": True, "end": None},
    "attribution": "© OpenStreetMap contributors — Töölö, Kauppatori ✓",
}


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


def test_a_document_comes_back_as_it_went_in(subject: Cache) -> None:
    subject.cache.put(KEY, DOCUMENT, 3600)
    assert subject.cache.get(KEY) == DOCUMENT


def test_what_comes_back_is_a_copy(subject: Cache) -> None:
    document = json.loads(json.dumps(DOCUMENT))
    subject.cache.put(KEY, document, 3600)
    document["stops"].clear()
    found = subject.cache.get(KEY)
    assert found is not None
    found["totals"]["score"] = 0.0
    assert subject.cache.get(KEY) == DOCUMENT


def test_documents_come_back_as_json_would_return_them(subject: Cache) -> None:
    subject.cache.put(KEY, {"pair": (1, 2), "by_id": {7: "seven"}}, 3600)
    assert subject.cache.get(KEY) == {"pair": [1, 2], "by_id": {"7": "seven"}}


def test_put_replaces_and_keys_are_separate(subject: Cache) -> None:
    subject.cache.put(KEY, {"version": 1}, 3600)
    subject.cache.put(KEY, {"version": 2}, 3600)
    subject.cache.put(KEY + "0", {"version": 3}, 3600)
    assert subject.cache.get(KEY) == {"version": 2}
    assert subject.cache.get(KEY + "0") == {"version": 3}


def test_entries_expire_after_their_ttl(subject: Cache) -> None:
    subject.cache.put(KEY, DOCUMENT, 1)
    subject.advance(0.5)
    assert subject.cache.get(KEY) == DOCUMENT
    subject.advance(0.6)
    assert subject.cache.get(KEY) is None


def test_a_ttl_below_one_second_is_refused(subject: Cache) -> None:
    with pytest.raises(ValueError, match="TTL"):
        subject.cache.put(KEY, DOCUMENT, 0)
    assert subject.cache.get(KEY) is None


def test_what_json_cannot_hold_is_refused(subject: Cache) -> None:
    with pytest.raises(TypeError):
        subject.cache.put(KEY, {"when": object()}, 3600)


# Redis only: what the fake cannot show.


def test_entries_are_compact_utf8_json_with_an_expiry(redis_url: str) -> None:
    client = redis_client(redis_url)
    RedisRouteCache(client).put(KEY, {"name": "Töölö", "ids": [1, 2]}, 86_400)
    assert client.get(KEY) == '{"name":"Töölö","ids":[1,2]}'.encode()
    assert 86_399 <= client.ttl(KEY) <= 86_400
    client.close()


def test_another_process_sees_the_entry(redis_url: str) -> None:
    writer, reader = redis_client(redis_url), redis_client(redis_url)
    RedisRouteCache(writer).put(KEY, DOCUMENT, 60)
    assert RedisRouteCache(reader).get(KEY) == DOCUMENT
    writer.close()
    reader.close()


@pytest.mark.parametrize("stored", [b"{not json", b"\xff\xfe", b"[1, 2]"])
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
        cache.put(KEY, DOCUMENT, 60)
