"""Status fan-out on Redis pub/sub: a sync publisher, and one shared subscription per process."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import deque
from collections.abc import AsyncIterator
from typing import Any

import redis
import redis.asyncio

from adapters.outbound.redis.connection import (
    SERVICE,
    TIMEOUT_SECONDS,
    async_redis_client,
    first_line,
    translate_errors,
)
from wildside.domain.errors import UnavailableError
from wildside.domain.route_candidate import ChannelMessage, RouteCandidate, channel_message
from wildside.domain.route_status import StatusUpdate
from wildside.ports.status_feed import StatusFeed
from wildside.ports.status_publisher import StatusPublisher

CHANNEL_PREFIX = "route-status:"

log = logging.getLogger(__name__)

Queue = asyncio.Queue[ChannelMessage | None]  # None: the feed was closed


class RedisStatusPublisher(StatusPublisher):
    """``PUBLISH``es the JSON of each update's WebSocket message; safe from any thread.

    Parameters
    ----------
    client
        A synchronous client (see ``connection.redis_client``); not closed here.
    """

    def __init__(self, client: redis.Redis) -> None:
        self._client = client

    def publish(self, update: StatusUpdate) -> None:
        """Send ``update`` on ``route-status:<request_id>``; no subscriber is fine.

        Raises
        ------
        UnavailableError
            For any Redis failure: the port has no error family, and to callers
            every failure means the same (followers fall back to the stored status).
        """
        self._send(update.request_id, update.to_message())

    def publish_candidate(self, candidate: RouteCandidate) -> None:
        """Send ``candidate`` on its request's channel, like a status; same errors."""
        self._send(candidate.request_id, candidate.to_message())

    def _send(self, request_id: str, message: dict[str, Any]) -> None:
        payload = json.dumps(message, separators=(",", ":"))
        with translate_errors(f"could not publish {request_id}", UnavailableError):
            self._client.publish(CHANNEL_PREFIX + request_id, payload)


class RedisStatusFeed(StatusFeed):
    """All subscribers of a process share one pub/sub connection and one reader task.

    A channel is subscribed while it has subscribers (counted per channel);
    the reader puts each message on the queues of that channel's subscribers,
    in arrival order. If the connection drops, the reader reconnects with a
    growing pause and resubscribes every channel still followed. What is
    published in the gap is lost, which is acceptable: followers re-read the
    durable status every few seconds (``FollowRouteStatus``) anyway.
    Nothing touches the network before :meth:`start`; use the feed on the
    event loop that started it.

    Parameters
    ----------
    url
        ``redis://host:port/db``.
    timeout_s
        Connect timeout, and how long Redis may take to confirm a subscription.
    reconnect_delay_s, max_reconnect_delay_s
        First and largest pause between reconnection attempts.
    """

    def __init__(
        self,
        url: str,
        *,
        timeout_s: float = TIMEOUT_SECONDS,
        reconnect_delay_s: float = 0.1,
        max_reconnect_delay_s: float = 2.0,
    ) -> None:
        self._url = url
        self._timeout_s = timeout_s
        self._delays = (reconnect_delay_s, max_reconnect_delay_s)
        self._client: redis.asyncio.Redis | None = None
        self._pubsub: Any = None  # live PubSub (much of it untyped), None while disconnected
        self._reader: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()  # one command at a time on the shared connection
        self._queues: dict[str, list[Queue]] = {}
        # Per channel of each SUBSCRIBE not yet confirmed, in sending order (Redis
        # confirms in order): the future of the subscriber waiting for it, or None.
        self._unconfirmed: deque[asyncio.Future[bool] | None] = deque()

    async def start(self) -> None:
        """Connect and start the reader (again: no-op).

        If Redis is down the process still starts: the reader keeps trying to
        connect, subscribing raises ``UnavailableError`` meanwhile, and the
        readiness probe reports Redis as down.
        """
        if self._reader is not None:
            return
        self._client = async_redis_client(self._url, timeout_s=self._timeout_s)
        try:
            with translate_errors("could not open the status feed", UnavailableError):
                await self._connect()
        except UnavailableError as exc:
            log.warning("%s; retrying in the background", exc.message)
        self._reader = asyncio.create_task(self._read_forever(), name="redis-status-feed")

    async def aclose(self) -> None:
        """Stop the reader and disconnect; open subscriptions then raise ``UnavailableError``."""
        reader, self._reader = self._reader, None
        if reader is not None:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reader
        await self._disconnect()
        if self._client is not None:
            await self._client.aclose()
        self._client = None
        for queue in (queue for queues in self._queues.values() for queue in queues):
            queue.put_nowait(None)
        self._queues.clear()

    @contextlib.asynccontextmanager
    async def subscribe(self, request_id: str) -> AsyncIterator[AsyncIterator[ChannelMessage]]:
        """Follow ``request_id``; entry returns once Redis has confirmed the subscription.

        Raises ``UnavailableError`` on entry if Redis is unreachable or slow to
        confirm, and while iterating once the feed is closed.
        """
        channel, queue = CHANNEL_PREFIX + request_id, Queue()
        await self._join(channel, queue)
        try:
            yield _updates(queue)
        finally:
            await self._leave(channel, queue)

    async def _join(self, channel: str, queue: Queue) -> None:
        if self._reader is None:
            raise RuntimeError("start() the status feed before subscribing")
        async with self._lock:
            pubsub = self._live()
            if pubsub is None:
                raise UnavailableError("the status feed is reconnecting", service=SERVICE)
            self._queues.setdefault(channel, []).append(queue)
            # Every subscriber sends its own SUBSCRIBE (a no-op for Redis when the
            # channel is already subscribed): its confirmation proves that what
            # is published from now on will reach this connection.
            confirmed: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
            self._unconfirmed.append(confirmed)
            try:
                with translate_errors(f"could not subscribe to {channel}", UnavailableError):
                    await pubsub.subscribe(channel)
            except BaseException:
                # A failed send also closes the connection, and the reader starts over.
                if self._unconfirmed and self._unconfirmed[-1] is confirmed:
                    self._unconfirmed.pop()
                self._forget(channel, queue)
                raise
        try:
            is_confirmed = False
            with contextlib.suppress(TimeoutError):
                is_confirmed = await asyncio.wait_for(confirmed, self._timeout_s)
            if not is_confirmed:
                raise UnavailableError(f"Redis did not confirm {channel}", service=SERVICE)
        except BaseException:
            await self._leave(channel, queue)
            raise

    async def _leave(self, channel: str, queue: Queue) -> None:
        async with self._lock:
            pubsub = self._live()
            if not self._forget(channel, queue) or pubsub is None:
                return
            try:
                await pubsub.unsubscribe(channel)
            except (redis.RedisError, OSError) as exc:
                # The reader meets the broken connection too and resubscribes without it.
                log.debug("unsubscribe from %s failed: %s", channel, exc)

    def _forget(self, channel: str, queue: Queue) -> bool:
        """Remove one subscriber; whether it was the channel's last."""
        queues = self._queues.get(channel, [])
        if queue in queues:
            queues.remove(queue)
        return not queues and self._queues.pop(channel, None) is not None

    async def _read_forever(self) -> None:
        delay = self._delays[0]
        while True:
            try:
                if self._pubsub is None:
                    await self._connect()
                    log.info("status feed reconnected to Redis")
                    delay = self._delays[0]
                pubsub = self._live()
                if pubsub is None:
                    raise redis.ConnectionError("connection closed")
                message = await pubsub.get_message(timeout=None)
                if message is not None:
                    self._dispatch(message)
            except Exception as exc:  # whatever happens, the reader carries on
                if self._pubsub is not None:
                    log.warning("status feed lost Redis (%s); reconnecting", first_line(exc))
                    await self._disconnect()
                await asyncio.sleep(delay)
                delay = min(delay * 2, self._delays[1])

    def _live(self) -> Any:
        """The PubSub if its connection is up, else None (then the reader replaces it).

        Used after a drop, PubSub would reconnect and resubscribe by itself,
        and Redis would send confirmations nobody accounted for.
        """
        pubsub = self._pubsub
        return pubsub if pubsub is not None and pubsub.connection.is_connected else None

    async def _connect(self) -> None:
        """Open a pub/sub connection and subscribe again to every channel still followed."""
        assert self._client is not None
        async with self._lock:
            pubsub: Any = self._client.pubsub()
            try:
                await pubsub.connect()
                if self._queues:
                    self._unconfirmed.extend([None] * len(self._queues))
                    await pubsub.subscribe(*self._queues)
            except BaseException:
                self._unconfirmed.clear()
                with contextlib.suppress(redis.RedisError, OSError):
                    await pubsub.aclose()
                raise
            self._pubsub = pubsub

    async def _disconnect(self) -> None:
        """Drop the connection; subscribers still waiting for confirmation are told it failed."""
        async with self._lock:
            pubsub, self._pubsub = self._pubsub, None
            while self._unconfirmed:
                future = self._unconfirmed.popleft()
                if future is not None and not future.done():
                    future.set_result(False)
            if pubsub is not None:
                with contextlib.suppress(redis.RedisError, OSError):
                    await pubsub.aclose()

    def _dispatch(self, message: dict[str, Any]) -> None:
        if message["type"] == "subscribe" and self._unconfirmed:
            future = self._unconfirmed.popleft()
            if future is not None and not future.done():
                future.set_result(True)
        channel = message["channel"]
        channel = channel.decode(errors="replace") if isinstance(channel, bytes) else str(channel)
        if message["type"] != "message" or channel not in self._queues:
            return
        try:
            update = channel_message(json.loads(message["data"]))
        except (ValueError, KeyError, TypeError) as exc:
            log.warning("skipped a malformed status message on %s: %s", channel, exc)
            return
        if CHANNEL_PREFIX + update.request_id != channel:
            log.warning("skipped a status of %s sent on %s", update.request_id, channel)
            return
        for queue in self._queues[channel]:
            queue.put_nowait(update)


async def _updates(queue: Queue) -> AsyncIterator[ChannelMessage]:
    while True:
        update = await queue.get()
        if update is None:
            raise UnavailableError("the status feed was closed", service=SERVICE)
        yield update
