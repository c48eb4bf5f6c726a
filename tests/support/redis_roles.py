"""A cache-role Redis with a tiny memory budget, and a way to fill it past that budget."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import redis

from adapters.outbound.local_servers.redis_server import RedisServer
from tests.conftest import free_port

CACHE_BUDGET_MB = 2  # an empty Redis 7 uses about 0.9 MB of it
FILLER_BYTES = 32 * 1024
FILLER_KEYS = 200  # 6.4 MB: three times the budget


@contextlib.contextmanager
def small_cache_server(root: Path) -> Iterator[RedisServer]:
    """A cache-role Redis as the private stack starts it, with a 2 MB budget; stopped after."""
    server = RedisServer(
        root=root,
        port=free_port(),
        is_durable=False,
        maxmemory_mb=CACHE_BUDGET_MB,
        eviction_policy="allkeys-lfu",
    )
    server.start()
    try:
        yield server
    finally:
        server.stop()


def fill_until_refused(client: redis.Redis) -> int:
    """Write route-cache-like entries; return how many fit before a refusal, or all of them."""
    for number in range(FILLER_KEYS):
        try:
            client.set(f"route:v2:filler{number}", b"x" * FILLER_BYTES)
        except redis.exceptions.OutOfMemoryError:
            return number
    return FILLER_KEYS


def evicted_keys(url: str) -> int:
    """The server's ``evicted_keys`` counter (INFO stats)."""
    client = redis.Redis.from_url(url)
    try:
        return int(client.info("stats")["evicted_keys"])
    finally:
        client.close()
