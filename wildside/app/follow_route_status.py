"""Use case: follow one of your route requests' status until it is final."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from wildside.app.get_route import canonical_request_id
from wildside.domain.accounts import User
from wildside.domain.errors import NotFoundError
from wildside.domain.route_candidate import ChannelMessage, RouteCandidate
from wildside.domain.route_status import StatusUpdate, updates_to_forward
from wildside.ports.route_request_store import RouteRequestStore
from wildside.ports.status_feed import StatusFeed

POLL_SECONDS = 5.0  # re-read the stored status this often in case a message was lost


class FollowRouteStatus:
    """Yields the current status, then each change, in contract order, ending when final.

    Better tours found while the job runs (``RouteCandidate``) are passed on
    between the status changes, as they arrive, never after a final status.
    """

    def __init__(
        self, store: RouteRequestStore, feed: StatusFeed, *, poll_s: float = POLL_SECONDS
    ) -> None:
        self._store = store
        self._feed = feed
        self._poll_s = poll_s

    async def __call__(self, user: User, request_id: str) -> AsyncIterator[ChannelMessage]:
        """Follow ``request_id``; raises ``NotFoundError`` (before yielding) if not the user's.

        The feed is joined before the stored status is read, so no change
        between the two is missed; a periodic re-read covers lost messages.
        """
        request_id = canonical_request_id(request_id)
        async with self._feed.subscribe(request_id) as updates:
            last = await self._stored(user, request_id)
            yield last
            pending: asyncio.Task[ChannelMessage] | None = None
            try:
                while not last.status.is_terminal:
                    if pending is None:
                        pending = asyncio.ensure_future(anext(updates))
                    done, _ = await asyncio.wait({pending}, timeout=self._poll_s)
                    update: ChannelMessage
                    if done:
                        update = pending.result()
                        pending = None
                    else:
                        update = await self._stored(user, request_id)
                    if isinstance(update, RouteCandidate):
                        yield update  # the job runs: ``last`` is not final
                        continue
                    for forwarded in updates_to_forward(last, update):
                        last = forwarded
                        yield forwarded
            finally:
                if pending is not None:
                    pending.cancel()
                    with contextlib.suppress(asyncio.CancelledError, StopAsyncIteration):
                        await pending

    async def _stored(self, user: User, request_id: str) -> StatusUpdate:
        record = await asyncio.to_thread(self._store.get, request_id)
        if record is None or record.user_id != user.id:
            raise NotFoundError(f"no route request {request_id!r}")
        return record.status_update()
