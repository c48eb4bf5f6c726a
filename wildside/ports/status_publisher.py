"""Status publisher port: announce a route request's new status to whoever follows it."""

from __future__ import annotations

from typing import Protocol

from wildside.domain.route_candidate import RouteCandidate
from wildside.domain.route_status import StatusUpdate


class StatusPublisher(Protocol):
    """Fire-and-forget fan-out; the durable status is in the request store."""

    def publish(self, update: StatusUpdate) -> None:
        """Send ``update`` to current subscribers of its request (none is fine)."""
        ...

    def publish_candidate(self, candidate: RouteCandidate) -> None:
        """Send a better tour of a running job to its request's subscribers, on the same
        channel and in order with its status changes; never stored (none is fine)."""
        ...
