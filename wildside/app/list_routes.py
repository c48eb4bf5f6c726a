"""Use case: a user lists their own route requests still inside the retention window."""

from __future__ import annotations

from dataclasses import dataclass

from wildside.domain.accounts import User
from wildside.ports.clock import Clock
from wildside.ports.route_request_store import (
    HistoryPosition,
    RouteRequestRecord,
    RouteRequestStore,
)


@dataclass(frozen=True, slots=True)
class RouteHistoryPage:
    """One page of a user's requests, newest first; ``next`` is where the next page starts."""

    requests: list[RouteRequestRecord]
    next: HistoryPosition | None


class ListRoutes:
    """Reads the caller's requests only; expired ones are gone, whether swept yet or not."""

    def __init__(self, store: RouteRequestStore, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    def __call__(
        self, user: User, *, limit: int, after: HistoryPosition | None = None
    ) -> RouteHistoryPage:
        """Up to ``limit`` of the caller's requests after ``after``, newest first."""
        # One more than asked for says whether another page exists.
        rows = self._store.list_for_user(user.id, self._clock.now(), limit=limit + 1, after=after)
        page = rows[:limit]
        is_more = len(rows) > limit
        last = page[-1] if page else None
        position = None
        if is_more and last is not None:
            position = HistoryPosition(last.created_at, last.request_id)
        return RouteHistoryPage(page, position)
