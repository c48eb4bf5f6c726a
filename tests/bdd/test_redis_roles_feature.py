"""Steps for features/redis_roles.feature: a full cache server beside the queue server.

The real app, PostgreSQL, the session's Redis as the queue role, a private
cache-role Redis with a 2 MB budget, and an in-process worker with a fake engine.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import redis
from pytest_bdd import given, parsers, scenarios, then, when

from adapters.outbound.local_servers.redis_server import RedisServer
from tests.service_stack import HELSINKI, Stack, make_stack, wait_for
from tests.support.redis_roles import (
    FILLER_KEYS,
    evicted_keys,
    fill_until_refused,
    small_cache_server,
)

__all__ = ["make_stack"]  # the fixture the steps build on

scenarios("redis_roles.feature")


@dataclass
class Roles:
    """The two servers and what the scenario did."""

    cache: RedisServer
    stack: Stack | None = None
    token: str = ""
    request_ids: list[str] = field(default_factory=list)
    queue_evictions: int = 0

    @property
    def service(self) -> Stack:
        assert self.stack is not None
        return self.stack


@pytest.fixture
def roles(tmp_path: Path) -> Iterator[Roles]:
    with small_cache_server(tmp_path / "redis-cache") as cache:
        yield Roles(cache)


@given("the service is running with its route cache on a 2 MB server already full")
def _full_cache(roles: Roles, make_stack: Callable[..., Stack]) -> None:
    roles.stack = make_stack(redis_cache_url=roles.cache.url)
    client = redis.Redis.from_url(roles.cache.url)
    try:
        assert fill_until_refused(client) == FILLER_KEYS  # evicted, never refused
    finally:
        client.close()
    roles.queue_evictions = evicted_keys(roles.service.settings.require_queue_redis_url())


@given("I am a registered user with an API token")
def _user(roles: Roles) -> None:
    roles.token = roles.service.user("walker")


@given("a worker is running")
def _worker(roles: Roles) -> None:
    roles.service.start_worker()


@when(parsers.parse("I request {count:d} different tours and they finish"))
def _tours(roles: Roles, count: int) -> None:
    auth = roles.service.auth(roles.token)
    for minutes in range(30, 30 + 15 * count, 15):
        body = {"start": HELSINKI, "duration_minutes": minutes, "preferences": ["history"]}
        response = roles.service.client.post("/api/v1/routes", json=body, headers=auth)
        assert response.status_code == 202, response.text
        roles.request_ids.append(response.json()["request_id"])

    def finished(request_id: str) -> bool:
        answer = roles.service.client.get(f"/api/v1/routes/{request_id}", headers=auth)
        return answer.status_code == 200

    for request_id in roles.request_ids:
        wait_for(functools.partial(finished, request_id), timeout=30)


@then("the cache server evicted entries to stay within its budget")
def _cache_evicted(roles: Roles) -> None:
    assert evicted_keys(roles.cache.url) > 0


@then("the tours were cached on the cache server, not the queue server")
def _where_cached(roles: Roles) -> None:
    cache = redis.Redis.from_url(roles.cache.url)
    queue = redis.Redis.from_url(roles.service.settings.require_queue_redis_url())
    try:
        assert [key for key in cache.scan_iter("route:v2:*") if b"filler" not in key]
        assert list(queue.scan_iter("route:v2:*")) == []
    finally:
        cache.close()
        queue.close()


@then("the queue server evicted nothing")
def _queue_intact(roles: Roles) -> None:
    assert evicted_keys(roles.service.settings.require_queue_redis_url()) == roles.queue_evictions
