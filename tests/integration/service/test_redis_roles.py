"""Redis roles: a cache filled past its memory budget evicts, and queued jobs still complete."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis

from adapters.outbound.dramatiq.broker import build_broker, send
from adapters.outbound.local_servers.redis_server import RedisServer
from tests.conftest import free_port
from tests.service_stack import HELSINKI, Stack, wait_for
from tests.support import defaults
from tests.support.redis_roles import (
    CACHE_BUDGET_MB,
    FILLER_KEYS,
    evicted_keys,
    fill_until_refused,
    small_cache_server,
)
from wildside.ports.route_job_queue import ROUTE_JOB, ROUTE_QUEUE, JobQueueError


@pytest.fixture
def cache_server(tmp_path: Path) -> Iterator[RedisServer]:
    """A cache-role Redis as the private stack starts it, with a tiny memory budget."""
    with small_cache_server(tmp_path / "redis-cache") as server:
        yield server


def test_a_full_cache_evicts_while_every_queued_job_completes(
    make_stack: Callable[..., Stack], cache_server: RedisServer
) -> None:
    # Given the queue on its own server and a cache server already past its budget
    stack = make_stack(redis_cache_url=cache_server.url)
    queue_url = stack.settings.require_queue_redis_url()
    assert queue_url != cache_server.url
    cache = redis.Redis.from_url(cache_server.url)
    assert fill_until_refused(cache) == FILLER_KEYS  # it evicts instead of refusing
    assert evicted_keys(cache_server.url) > 0
    queue_evictions = evicted_keys(queue_url)

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
    assert [key for key in cache.scan_iter("route:v2:*") if b"filler" not in key]
    cache.close()
    # And the queue server holds no cache entry and evicted nothing
    queue = redis.Redis.from_url(queue_url)
    assert list(queue.scan_iter("route:v2:*")) == []
    assert queue.config_get("maxmemory-policy") == {"maxmemory-policy": "noeviction"}
    queue.close()
    assert evicted_keys(queue_url) == queue_evictions


def test_on_one_noeviction_server_a_full_cache_would_refuse_jobs(tmp_path: Path) -> None:
    # Given the setup the roles replace: cache entries and queues on one server that
    # never evicts (the only policy safe for the queue), with the same small budget
    shared = RedisServer(root=tmp_path / "shared", port=free_port(), maxmemory_mb=CACHE_BUDGET_MB)
    shared.start()
    broker = build_broker(defaults.broker_settings(shared.url))
    client = redis.Redis.from_url(shared.url)
    try:
        # When route results fill it, until it refuses more
        stored = fill_until_refused(client)
        assert 0 < stored < FILLER_KEYS
        # Then the next job cannot be queued: the cache starved the queue
        with pytest.raises(JobQueueError):
            send(broker, ROUTE_QUEUE, ROUTE_JOB, {"request_id": "r1"})
    finally:
        client.close()
        broker.close()
        shared.stop()
