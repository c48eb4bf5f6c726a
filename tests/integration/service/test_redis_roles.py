"""Redis roles: a cache filled past its memory budget evicts, and queued jobs still complete."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis

from adapters.outbound.local_servers.redis_server import RedisServer
from tests.conftest import free_port
from tests.service_stack import HELSINKI, Stack, wait_for

CACHE_BUDGET_MB = 2  # an empty Redis 7 uses about 0.9 MB of it
FILLER_BYTES = 32 * 1024
FILLER_KEYS = 200  # 6.4 MB: three times the budget


@pytest.fixture
def cache_server(tmp_path: Path) -> Iterator[RedisServer]:
    """A cache-role Redis as the private stack starts it, with a tiny memory budget."""
    server = RedisServer(
        root=tmp_path / "redis-cache",
        port=free_port(),
        is_durable=False,
        maxmemory_mb=CACHE_BUDGET_MB,
        eviction_policy="allkeys-lfu",
    )
    server.start()
    yield server
    server.stop()


def _info(url: str, field: str) -> int:
    client = redis.Redis.from_url(url)
    try:
        return int(client.info("stats")[field])
    finally:
        client.close()


def test_a_full_cache_evicts_while_every_queued_job_completes(
    make_stack: Callable[..., Stack], cache_server: RedisServer
) -> None:
    # Given the queue on its own server and a cache server already past its budget
    stack = make_stack(redis_cache_url=cache_server.url)
    queue_url = stack.settings.require_queue_redis_url()
    assert queue_url != cache_server.url
    cache = redis.Redis.from_url(cache_server.url)
    for number in range(FILLER_KEYS):
        cache.set(f"route:v1:filler{number}", b"x" * FILLER_BYTES)
    assert _info(cache_server.url, "evicted_keys") > 0
    queue_evictions = _info(queue_url, "evicted_keys")

    # When several different routes are queued and a worker runs them
    token = stack.user("ada")
    request_ids = []
    for minutes in (30, 45, 60, 75, 90):
        body = {"start": HELSINKI, "duration_minutes": minutes, "preferences": ["history"]}
        response = stack.client.post("/api/v1/routes", json=body, headers=stack.auth(token))
        assert response.status_code == 202, response.text
        request_ids.append(response.json()["request_id"])
    stack.start_worker()

    # Then every job completes
    def finished(request_id: str) -> bool:
        response = stack.client.get(f"/api/v1/routes/{request_id}", headers=stack.auth(token))
        return response.status_code == 200

    for request_id in request_ids:
        wait_for(functools.partial(finished, request_id), timeout=30)
    # And their results went to the cache server (which may already have evicted some)
    assert [key for key in cache.scan_iter("route:v1:*") if b"filler" not in key]
    cache.close()
    # And the queue server holds no cache entry and evicted nothing
    queue = redis.Redis.from_url(queue_url)
    assert list(queue.scan_iter("route:v1:*")) == []
    assert queue.config_get("maxmemory-policy") == {"maxmemory-policy": "noeviction"}
    queue.close()
    assert _info(queue_url, "evicted_keys") == queue_evictions
