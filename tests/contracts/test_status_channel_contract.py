"""One behaviour suite for every ``StatusPublisher`` + ``StatusFeed`` pair: the fake and Redis.

pytest-asyncio is not a dependency, so each test drives its own event loop
with ``asyncio.run``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from adapters.outbound.local_servers.redis_server import RedisServer
from adapters.outbound.redis.connection import redis_client
from adapters.outbound.redis.status_channel import RedisStatusFeed, RedisStatusPublisher
from tests.conftest import free_port
from tests.fakes.status_channel import InMemoryStatusChannel
from wildside.domain.errors import UnavailableError
from wildside.domain.geo import GeoPoint
from wildside.domain.route_candidate import RouteCandidate, SketchStop, TourSketch
from wildside.domain.route_status import RouteStatus, StatusUpdate
from wildside.ports.status_feed import StatusFeed
from wildside.ports.status_publisher import StatusPublisher

T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
WAIT_S = 2.0  # generous: a delivery normally takes well under a millisecond
QUIET_S = 0.3  # how long "nothing arrives" is watched


def update(
    request_id: str, progress: int, status: RouteStatus = RouteStatus.RUNNING
) -> StatusUpdate:
    return StatusUpdate(request_id, status, progress, T0 + timedelta(seconds=progress))


@dataclass
class Channel:
    """A publisher, and a way to open the feed it reaches inside the test's event loop."""

    publisher: StatusPublisher
    open_feed: Callable[[], contextlib.AbstractAsyncContextManager[StatusFeed]]


@contextlib.asynccontextmanager
async def started(feed: RedisStatusFeed) -> AsyncIterator[StatusFeed]:
    await feed.start()
    try:
        yield feed
    finally:
        await feed.aclose()


@pytest.fixture(params=["fake", "redis"])
def channel(request: pytest.FixtureRequest) -> Iterator[Channel]:
    if request.param == "fake":
        fake = InMemoryStatusChannel()

        @contextlib.asynccontextmanager
        async def the_fake() -> AsyncIterator[StatusFeed]:
            yield fake

        yield Channel(fake, the_fake)
        return
    url = request.getfixturevalue("redis_url")
    client = redis_client(url)
    yield Channel(RedisStatusPublisher(client), lambda: started(RedisStatusFeed(url)))
    client.close()


def run(test: Callable[[], Coroutine[Any, Any, None]]) -> None:
    asyncio.run(asyncio.wait_for(test(), timeout=30))


async def receive(updates: AsyncIterator[Any]) -> Any:
    return await asyncio.wait_for(anext(updates), WAIT_S)


async def assert_quiet(updates: AsyncIterator[Any]) -> None:
    """Nothing arrives for a while (this ends the iterator: call it last)."""
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(anext(updates), QUIET_S)


def test_updates_arrive_in_order(channel: Channel) -> None:
    async def scenario() -> None:
        sent = [update("r1", 0, RouteStatus.QUEUED), *(update("r1", p) for p in (5, 40, 99))]
        async with channel.open_feed() as feed, feed.subscribe("r1") as updates:
            for item in sent:
                channel.publisher.publish(item)
            assert [await receive(updates) for _ in sent] == sent

    run(scenario)


def test_route_candidates_arrive_on_the_same_channel_in_order_with_the_statuses(
    channel: Channel,
) -> None:
    stop = SketchStop("node/1", "Old Church", 60.17, 24.95)
    here = GeoPoint(60.1712, 24.9441)
    candidate = RouteCandidate("r1", 1, TourSketch(0.8, (stop,), here, here), T0)

    async def scenario() -> None:
        sent: list[StatusUpdate | RouteCandidate] = [update("r1", 5), candidate, update("r1", 40)]
        async with channel.open_feed() as feed, feed.subscribe("r1") as updates:
            channel.publisher.publish(update("theirs", 5))
            for item in sent:
                if isinstance(item, RouteCandidate):
                    channel.publisher.publish_candidate(item)
                else:
                    channel.publisher.publish(item)
            assert [await receive(updates) for _ in sent] == sent
            await assert_quiet(updates)

    run(scenario)


def test_every_subscriber_of_a_request_gets_every_update(channel: Channel) -> None:
    async def scenario() -> None:
        async with (
            channel.open_feed() as feed,
            feed.subscribe("r1") as first,
            feed.subscribe("r1") as second,
        ):
            channel.publisher.publish(update("r1", 10))
            channel.publisher.publish(update("r1", 20))
            assert [(await receive(first)).progress for _ in "ab"] == [10, 20]
            assert [(await receive(second)).progress for _ in "ab"] == [10, 20]

    run(scenario)


def test_other_requests_updates_do_not_arrive(channel: Channel) -> None:
    async def scenario() -> None:
        async with channel.open_feed() as feed, feed.subscribe("mine") as updates:
            channel.publisher.publish(update("theirs", 10))
            channel.publisher.publish(update("mine", 20))
            assert (await receive(updates)).request_id == "mine"
            await assert_quiet(updates)

    run(scenario)


def test_nothing_arrives_after_unsubscribing(channel: Channel) -> None:
    async def scenario() -> None:
        async with channel.open_feed() as feed, feed.subscribe("r1") as staying:
            async with feed.subscribe("r1") as leaving:
                channel.publisher.publish(update("r1", 10))
                assert (await receive(leaving)).progress == 10
            channel.publisher.publish(update("r1", 20))
            assert [(await receive(staying)).progress for _ in "ab"] == [10, 20]
            await assert_quiet(leaving)

    run(scenario)


def test_subscribing_again_after_leaving_works(channel: Channel) -> None:
    async def scenario() -> None:
        async with channel.open_feed() as feed:
            async with feed.subscribe("r1"):
                pass
            async with feed.subscribe("r1") as updates:
                channel.publisher.publish(update("r1", 30))
                assert (await receive(updates)).progress == 30

    run(scenario)


def test_updates_published_from_another_thread_arrive(channel: Channel) -> None:
    async def scenario() -> None:
        async with channel.open_feed() as feed, feed.subscribe("r1") as updates:
            worker = threading.Thread(
                target=lambda: [channel.publisher.publish(update("r1", p)) for p in (1, 2, 3)]
            )
            worker.start()
            await asyncio.to_thread(worker.join)
            assert [(await receive(updates)).progress for _ in "abc"] == [1, 2, 3]

    run(scenario)


def test_a_failure_carries_its_error(channel: Channel) -> None:
    async def scenario() -> None:
        failed = StatusUpdate("r1", RouteStatus.FAILED, 100, T0, error="timeout")
        async with channel.open_feed() as feed, feed.subscribe("r1") as updates:
            channel.publisher.publish(failed)
            assert await receive(updates) == failed

    run(scenario)


# Redis only: what the fake cannot show.


def test_one_connection_and_one_subscription_per_channel(redis_url: str) -> None:
    client = redis_client(redis_url)
    channels = ("route-status:a", "route-status:b")

    def subscriptions() -> list[int]:
        return [count for _, count in client.pubsub_numsub(*channels)]

    async def scenario() -> None:
        async with started(RedisStatusFeed(redis_url)) as feed:
            async with feed.subscribe("a"), feed.subscribe("a"), feed.subscribe("b"):
                assert subscriptions() == [1, 1]
                assert len(client.client_list(_type="pubsub")) == 1
            # UNSUBSCRIBE is not waited for, so let it land
            await until(lambda: subscriptions() == [0, 0])

    run(scenario)
    client.close()


def test_malformed_messages_are_skipped(redis_url: str, caplog: pytest.LogCaptureFixture) -> None:
    client = redis_client(redis_url)
    good = update("r1", 50)

    async def scenario() -> None:
        async with started(RedisStatusFeed(redis_url)) as feed, feed.subscribe("r1") as updates:
            for junk in (b"not json", b"\xff", b"[]", b'{"request_id": "r1"}'):
                client.publish("route-status:r1", junk)
            client.publish("route-status:r1", json_of(update("r2", 10)))  # wrong channel
            client.publish("route-status:r1", json_of(good))
            assert await receive(updates) == good

    with caplog.at_level(logging.WARNING, "adapters.outbound.redis.status_channel"):
        run(scenario)
    assert len([r for r in caplog.records if "skipped" in r.getMessage()]) == 5
    client.close()


def test_closing_the_feed_wakes_its_subscribers(redis_url: str) -> None:
    async def scenario() -> None:
        feed = RedisStatusFeed(redis_url)
        await feed.start()
        async with feed.subscribe("r1") as updates:
            waiting = asyncio.ensure_future(anext(updates))
            await asyncio.sleep(0.05)
            await feed.aclose()
            with pytest.raises(UnavailableError, match="closed"):
                await asyncio.wait_for(waiting, WAIT_S)

    run(scenario)


def test_the_feed_survives_a_redis_restart(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    server = RedisServer(root=tmp_path / "redis", port=free_port(), is_durable=False)
    server.start()
    client = redis_client(server.url)
    publisher = RedisStatusPublisher(client)

    async def scenario() -> None:
        feed = RedisStatusFeed(server.url, reconnect_delay_s=0.05, max_reconnect_delay_s=0.2)
        async with started(feed), feed.subscribe("r1") as updates:
            publisher.publish(update("r1", 1))
            assert (await receive(updates)).progress == 1
            # When Redis goes away, publishing and new subscriptions fail loudly
            await asyncio.to_thread(server.stop)
            with pytest.raises(UnavailableError):
                publisher.publish(update("r1", 2))
            with pytest.raises(UnavailableError):
                async with feed.subscribe("r2"):
                    pass
            # And when it is back, the reader resubscribes by itself
            await asyncio.to_thread(server.start)
            await until(lambda: client.pubsub_numsub("route-status:r1")[0][1] == 1)
            # Then a message published after the restart still arrives
            publisher.publish(update("r1", 3))
            assert (await receive(updates)).progress == 3

    try:
        with caplog.at_level(logging.INFO, "adapters.outbound.redis.status_channel"):
            run(scenario)
    finally:
        client.close()
        server.stop()
    assert any("reconnected" in r.getMessage() for r in caplog.records)


def test_unreachable_redis_is_unavailable() -> None:
    url = f"redis://127.0.0.1:{free_port()}/0"
    client = redis_client(url, timeout_s=0.5)
    with pytest.raises(UnavailableError) as caught:
        RedisStatusPublisher(client).publish(update("r1", 1))
    assert caught.value.service == "redis"

    async def scenario() -> None:
        feed = RedisStatusFeed(url)  # constructing touches nothing
        with pytest.raises(RuntimeError, match="start"):
            async with feed.subscribe("r1"):
                pass
        # Start-up survives the outage (the API must come up and report not ready) ...
        await feed.start()
        # ... and subscribing says what is wrong until Redis is back.
        with pytest.raises(UnavailableError) as caught:
            async with feed.subscribe("r1"):
                pass
        assert caught.value.service == "redis"
        await feed.aclose()

    run(scenario)


def json_of(item: StatusUpdate) -> str:
    return json.dumps(item.to_message())


async def until(condition: Callable[[], bool], timeout_s: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout_s
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "condition never held"
        await asyncio.sleep(0.02)
