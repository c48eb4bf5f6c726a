"""Library mechanisms beside our hand-written ones: cost per call and the failure case each handles.

Sections (``--only`` picks some):

* ``semaphore``: ``RedisCallLimiter`` (leases in a sorted set) beside Dramatiq's
  ``ConcurrentRateLimiter`` on its Redis backend: acquire+release latency, and
  a holder that dies holding a slot while others keep calling.
* ``channels``: ``RedisStatusFeed`` beside Litestar's ``ChannelsPlugin`` on
  ``RedisChannelsPubSubBackend``: publish-to-receive latency, and whether a
  subscriber hears anything after Redis restarts.
* ``edge``: the hand-made ASGI ``Edge`` beside Litestar's Prometheus and
  OpenTelemetry plugins: overhead per request over a bare app, and what each
  counts for unmatched paths and for distinct ids in a path.
* ``breaker``: what pybreaker adds per Overpass call (``PybreakerEndpointBreakers``).

Each section starts its own private Redis. Run:
``.venv/bin/python -m bench.library_choices [--only semaphore channels]``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import socket
import tempfile
import time
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import redis

from adapters.outbound.local_servers.redis_server import RedisServer
from bench import edge_overhead
from bench.edge_overhead import per_call_us


def free_port() -> int:
    """A TCP port nobody listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def private_redis() -> Iterator[RedisServer]:
    """A throw-away Redis on a free port."""
    with tempfile.TemporaryDirectory() as root:
        server = RedisServer(root=Path(root), port=free_port(), is_durable=False)
        server.start()
        try:
            yield server
        finally:
            server.stop()


def timed(calls: int, call: Callable[[], object]) -> dict[str, float]:
    samples = []
    for _ in range(calls):
        began = time.perf_counter()
        call()
        samples.append(time.perf_counter() - began)
    return per_call_us(samples)


# -- semaphore ---------------------------------------------------------------------------


def semaphore(calls: int) -> dict[str, Any]:
    """Latency of a free slot, then the dead-holder case (two slots, lease/ttl 2 s)."""
    from dramatiq.rate_limits import ConcurrentRateLimiter
    from dramatiq.rate_limits.backends import RedisBackend

    from adapters.outbound.redis.call_limiter import RedisCallLimiter

    lease_s, watch_s = 2.0, 6.0
    with private_redis() as server:
        client = redis.Redis.from_url(server.url)
        ours = RedisCallLimiter(client)
        backend = RedisBackend(client=client)
        theirs = ConcurrentRateLimiter(  # type: ignore[no-untyped-call]
            backend, "bench-free", limit=2, ttl=int(lease_s * 1000)
        )

        def our_pair() -> None:
            permit = ours.acquire("bench-free", 2, lease_s, 0.0)
            assert permit is not None
            ours.release(permit)

        def their_pair() -> None:
            with theirs.acquire():
                pass

        latency = {"ours": timed(calls, our_pair), "dramatiq": timed(calls, their_pair)}

        # Two slots; a holder takes one and dies (its process is gone: no release,
        # no finally). Every 100 ms others try to take both slots at once, which
        # is ordinary traffic as well: when does the full capacity come back?
        dead = ConcurrentRateLimiter(  # type: ignore[no-untyped-call]
            backend, "bench-dead", limit=2, ttl=int(lease_s * 1000)
        )

        def full_capacity_after(try_both: Callable[[], bool]) -> float | None:
            began = time.monotonic()
            while time.monotonic() - began < watch_s:
                if try_both():
                    return time.monotonic() - began
                time.sleep(0.1)
            return None

        def our_both() -> bool:
            permits = [ours.acquire("bench-dead", 2, lease_s, 0.0) for _ in range(2)]
            for permit in permits:
                if permit is not None:
                    ours.release(permit)
            return all(permits)

        def their_both() -> bool:
            with contextlib.ExitStack() as stack:
                got = [stack.enter_context(dead.acquire(raise_on_failure=False)) for _ in range(2)]
                return all(got)

        assert ours.acquire("bench-dead", 2, lease_s, 0.0) is not None  # never released
        recovered = {"ours_s": full_capacity_after(our_both)}
        crashed = dead.acquire(raise_on_failure=False)
        assert crashed.__enter__()  # kept referenced: a collected generator would release
        recovered["dramatiq_s"] = full_capacity_after(their_both)
        crashed.__exit__(None, None, None)  # tidy up before the server goes
        client.close()
    return {
        "acquire_release": latency,
        "dead_holder": {"lease_or_ttl_s": lease_s, "watched_s": watch_s, **recovered},
    }


# -- channels ----------------------------------------------------------------------------


async def _channels(messages: int) -> dict[str, Any]:
    from litestar.channels import ChannelsPlugin
    from litestar.channels.backends.redis import RedisChannelsPubSubBackend
    from redis.asyncio import Redis as AsyncRedis

    from adapters.outbound.redis.status_channel import RedisStatusFeed, RedisStatusPublisher
    from wildside.domain.route_status import RouteStatus, StatusUpdate

    results: dict[str, Any] = {}
    with private_redis() as server:
        # Ours: a sync publisher (as workers use it) and the shared feed.
        publisher = RedisStatusPublisher(redis.Redis.from_url(server.url))
        feed = RedisStatusFeed(server.url)
        await feed.start()

        def update(progress: int) -> StatusUpdate:
            return StatusUpdate("bench", RouteStatus.RUNNING, progress, datetime.now(UTC))

        async with feed.subscribe("bench") as updates, _pumped(updates) as inbox:
            samples = []
            for i in range(messages):
                began = time.perf_counter()
                await asyncio.to_thread(publisher.publish, update(i % 100))
                await asyncio.wait_for(inbox.get(), 5)
                samples.append(time.perf_counter() - began)
            results["ours"] = per_call_us(samples)
            server.stop()
            server.start()
            results["ours"]["after_redis_restart"] = await _heard(
                lambda: publisher.publish(update(1)), inbox
            )
        await asyncio.wait_for(feed.aclose(), 5)

        # Litestar: its plugin, started outside an app, on its pub/sub backend.
        plugin = ChannelsPlugin(
            backend=RedisChannelsPubSubBackend(redis=AsyncRedis.from_url(server.url)),
            arbitrary_channels_allowed=True,
        )
        await plugin._on_startup()  # what the app's lifespan calls
        subscriber = await plugin.subscribe("bench")
        async with _pumped(subscriber.iter_events()) as inbox:
            samples = []
            for i in range(messages):
                began = time.perf_counter()
                plugin.publish(str(i).encode(), "bench")
                await asyncio.wait_for(inbox.get(), 5)
                samples.append(time.perf_counter() - began)
            results["litestar"] = per_call_us(samples)
            server.stop()
            server.start()
            results["litestar"]["after_redis_restart"] = await _heard(
                lambda: plugin.publish(b"again", "bench"), inbox, in_thread=False
            )
            task = plugin._sub_task
            results["litestar"]["subscriber_task_after_restart"] = (
                "running"
                if task is not None and not task.done()
                else f"ended: {task.exception()!r}"
                if task is not None and not task.cancelled()
                else "gone"
            )
        with contextlib.suppress(Exception):
            await asyncio.wait_for(plugin._on_shutdown(), 5)
    return results


@contextlib.asynccontextmanager
async def _pumped(events: Any) -> AsyncIterator[asyncio.Queue[object]]:
    """Move ``events`` onto a queue in a task, so a timed-out wait does not end the stream."""
    inbox: asyncio.Queue[object] = asyncio.Queue()

    async def pump() -> None:
        async for event in events:
            inbox.put_nowait(event)

    task = asyncio.create_task(pump())
    try:
        yield inbox
    finally:
        task.cancel()
        with contextlib.suppress(BaseException):
            await task


async def _heard(
    publish: Callable[[], object],
    inbox: asyncio.Queue[object],
    *,
    watch_s: float = 10.0,
    in_thread: bool = True,
) -> str:
    """Publish every 200 ms until something arrives; say when (or that nothing did)."""
    began = time.monotonic()
    while time.monotonic() - began < watch_s:
        with contextlib.suppress(Exception):
            if in_thread:
                await asyncio.to_thread(publish)
            else:
                publish()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(inbox.get(), 0.2)
            return f"heard after {time.monotonic() - began:.1f} s"
    return f"nothing in {watch_s:g} s"


def channels(messages: int) -> dict[str, Any]:
    """Run the channel comparison on a fresh event loop."""
    return asyncio.run(_channels(messages))


# -- breaker -----------------------------------------------------------------------------


def breaker(calls: int) -> dict[str, Any]:
    """pybreaker's share of one guarded call, in memory and on a private Redis."""
    import pybreaker

    from adapters.composition.policies import breaker_policy
    from adapters.outbound.pybreaker.endpoint_breakers import PybreakerEndpointBreakers
    from adapters.outbound.redis.circuit_store import RedisCircuitStore
    from adapters.outbound.system_clock import SystemClock
    from adapters.settings import Settings
    from wildside.domain.enrichment.circuit_breaker import BreakerState

    class InMemoryCircuitStore:
        """The simplest ``CircuitStore``: one process, no lock (the bench is single-threaded)."""

        def __init__(self) -> None:
            self.states: dict[str, BreakerState] = {}

        def update(self, endpoint: str, change: Callable[[BreakerState], tuple[Any, Any]]) -> Any:
            new, value = change(self.states.get(endpoint, BreakerState()))
            self.states[endpoint] = new
            return value

        def read(self, endpoint: str) -> BreakerState:
            return self.states.get(endpoint, BreakerState())

    policy, url = breaker_policy(Settings()), "http://bench/api/interpreter"

    def guarded(breakers: PybreakerEndpointBreakers) -> Callable[[], None]:
        def call() -> None:
            with breakers.guard(url, policy, lambda error: True):
                pass

        return call

    results: dict[str, Any] = {
        "construct_circuit_breaker": timed(calls, pybreaker.CircuitBreaker),
        "guard_in_memory": timed(
            calls, guarded(PybreakerEndpointBreakers(InMemoryCircuitStore(), SystemClock()))
        ),
    }
    with private_redis() as server:
        client = redis.Redis.from_url(server.url)
        store = RedisCircuitStore(client)
        results["guard_on_redis"] = timed(
            calls, guarded(PybreakerEndpointBreakers(store, SystemClock()))
        )
        results["one_store_read_on_redis"] = timed(calls, lambda: store.read(url))
        client.close()
    return results


SECTIONS: dict[str, Callable[[int], dict[str, Any]]] = {
    "semaphore": semaphore,
    "channels": channels,
    "edge": edge_overhead.edge,
    "breaker": breaker,
}


def main(argv: list[str] | None = None) -> None:
    """Print one JSON line per section."""
    parser = argparse.ArgumentParser(prog="python -m bench.library_choices")
    parser.add_argument("--only", nargs="*", choices=sorted(SECTIONS), default=list(SECTIONS))
    parser.add_argument("--calls", type=int, default=2000)
    args = parser.parse_args(argv)
    for name in args.only:
        calls = args.calls if name != "channels" else max(1, args.calls // 10)
        print(json.dumps({name: SECTIONS[name](calls)}), flush=True)


if __name__ == "__main__":
    main()
