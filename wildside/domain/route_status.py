"""Route job status: the allowed transitions and the status messages clients receive."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Any

MESSAGE_TYPE = "route_generation_status"
TIMEOUT_ERROR = "timeout"


class RouteStatus(enum.StrEnum):
    """Where a route request is in its life."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"

    @property
    def is_terminal(self) -> bool:
        """Succeeded and failed are final."""
        return self in (RouteStatus.SUCCEEDED, RouteStatus.FAILED)


# queued -> running -> succeeded, running -> failed (seed contract). Running may
# repeat (progress, or a redelivered job starting again).
_ALLOWED: dict[RouteStatus, frozenset[RouteStatus]] = {
    RouteStatus.QUEUED: frozenset({RouteStatus.RUNNING}),
    RouteStatus.RUNNING: frozenset(
        {RouteStatus.RUNNING, RouteStatus.SUCCEEDED, RouteStatus.FAILED}
    ),
    RouteStatus.SUCCEEDED: frozenset(),
    RouteStatus.FAILED: frozenset(),
}


def can_transition(current: RouteStatus, new: RouteStatus) -> bool:
    """Whether ``current`` may become ``new``.

    Examples
    --------
    >>> can_transition(RouteStatus.QUEUED, RouteStatus.RUNNING)
    True
    >>> can_transition(RouteStatus.QUEUED, RouteStatus.FAILED)
    False
    """
    return new in _ALLOWED[current]


@dataclass(frozen=True, slots=True)
class StatusUpdate:
    """One status of one request, as stored and as sent to subscribers."""

    request_id: str
    status: RouteStatus
    progress: int
    at: datetime
    error: str | None = None

    def __post_init__(self) -> None:
        """Keep progress in 0..100 and errors only on failures."""
        if not 0 <= self.progress <= 100:
            raise ValueError(f"progress must be within 0..100, got {self.progress}")
        if (self.error is not None) != (self.status is RouteStatus.FAILED):
            raise ValueError("an error is given exactly when the status is failed")

    def to_message(self) -> dict[str, Any]:
        """The WebSocket message (seed schema: type, request_id, status, progress, ...)."""
        message: dict[str, Any] = {
            "type": MESSAGE_TYPE,
            "request_id": self.request_id,
            "status": self.status.value,
            "progress": self.progress,
            "timestamp": self.at.isoformat().replace("+00:00", "Z"),
        }
        if self.error is not None:
            message["error"] = self.error
        return message

    @classmethod
    def from_message(cls, message: dict[str, Any]) -> StatusUpdate:
        """Inverse of :meth:`to_message`."""
        return cls(
            request_id=str(message["request_id"]),
            status=RouteStatus(message["status"]),
            progress=int(message["progress"]),
            at=datetime.fromisoformat(str(message["timestamp"]).replace("Z", "+00:00")),
            error=message.get("error"),
        )


def should_forward(last: StatusUpdate | None, update: StatusUpdate) -> bool:
    """Whether a subscriber that last saw ``last`` should see ``update`` next.

    Drops what would break the contract: illegal transitions, anything after
    a final status, progress going backwards (a redelivered job restarting),
    and exact repeats.

    Examples
    --------
    >>> from datetime import UTC, datetime
    >>> t = datetime(2026, 1, 1, tzinfo=UTC)
    >>> q = StatusUpdate("r", RouteStatus.QUEUED, 0, t)
    >>> should_forward(None, q), should_forward(q, q)
    (True, False)
    """
    if last is None:
        return True
    if not can_transition(last.status, update.status):
        return False
    if update.status is RouteStatus.RUNNING and last.status is RouteStatus.RUNNING:
        return update.progress > last.progress
    return True


def updates_to_forward(last: StatusUpdate | None, update: StatusUpdate) -> list[StatusUpdate]:
    """What a subscriber that last saw ``last`` should receive for ``update``, in order.

    Usually ``[update]`` or nothing (see :func:`should_forward`). A subscriber
    that saw ``queued`` and then learns of a final status (the intermediate
    messages were lost, and the store was read instead) first gets a
    ``running`` message: every request passes through running, and the
    contract allows no other path.
    """
    if last is not None and last.status is RouteStatus.QUEUED and update.status.is_terminal:
        running = StatusUpdate(update.request_id, RouteStatus.RUNNING, last.progress, update.at)
        return [running, update]
    return [update] if should_forward(last, update) else []
