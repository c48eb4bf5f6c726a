"""Status feed port: receive the status changes of one route request as they are published."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from typing import Protocol

from wildside.domain.route_candidate import ChannelMessage


class StatusFeed(Protocol):
    """The receiving side of :class:`~wildside.ports.status_publisher.StatusPublisher`."""

    def subscribe(
        self, request_id: str
    ) -> AbstractAsyncContextManager[AsyncIterator[ChannelMessage]]:
        """Subscribe; status updates and route candidates published after entry arrive
        in order until exit."""
        ...
