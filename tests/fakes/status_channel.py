"""In-memory ``StatusPublisher`` and ``StatusFeed`` joined by one channel map."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from wildside.domain.route_candidate import ChannelMessage, RouteCandidate
from wildside.domain.route_status import StatusUpdate
from wildside.ports.status_feed import StatusFeed
from wildside.ports.status_publisher import StatusPublisher


@dataclass
class InMemoryStatusChannel(StatusPublisher, StatusFeed):
    """Publishing from any thread reaches subscribers on their event loop, in order."""

    published: list[StatusUpdate] = field(default_factory=list)
    candidates: list[RouteCandidate] = field(default_factory=list)
    _subscribers: dict[
        str, list[tuple[asyncio.AbstractEventLoop, asyncio.Queue[ChannelMessage]]]
    ] = field(default_factory=dict)

    def publish(self, update: StatusUpdate) -> None:
        """Record and deliver to every current subscriber of the request."""
        self.published.append(update)
        self._deliver(update)

    def publish_candidate(self, candidate: RouteCandidate) -> None:
        """Record and deliver, on the same channel as the request's statuses."""
        self.candidates.append(candidate)
        self._deliver(candidate)

    def _deliver(self, message: ChannelMessage) -> None:
        for loop, queue in list(self._subscribers.get(message.request_id, [])):
            loop.call_soon_threadsafe(queue.put_nowait, message)

    @contextlib.asynccontextmanager
    async def subscribe(self, request_id: str) -> AsyncIterator[AsyncIterator[ChannelMessage]]:
        """Receive what is published for ``request_id`` from now on."""
        queue: asyncio.Queue[ChannelMessage] = asyncio.Queue()
        entry = (asyncio.get_running_loop(), queue)
        self._subscribers.setdefault(request_id, []).append(entry)

        async def updates() -> AsyncIterator[ChannelMessage]:
            while True:
                yield await queue.get()

        try:
            yield updates()
        finally:
            self._subscribers[request_id].remove(entry)
